"""Benchmark what each intermediate view costs its readers against the cost of its table.

    PYTHONPATH=src .venv/bin/python scripts/benchmark_views.py VIEWS.duckdb TABLES.duckdb \
        MANIFEST.json MODEL [MODEL ...] [--repeats 3]

Prints figures and asserts nothing. ``VIEWS.duckdb`` and ``TABLES.duckdb`` are two build files
of the same loaded data (kept by ``scripts/benchmark_dbt_models.py --keep``), the first built
with the named models as views and the second with them as tables; ``MANIFEST.json`` is the
views build's manifest (its compiled SQL). For every named model, each of its data tests and
children is run on both files (a test as dbt runs it, counting failing rows; a child into a
temporary table), and the model itself is written into a temporary table from the views file,
which is what its table costs. CPU seconds are this process's (DuckDB's threads included), the
median of ``--repeats`` runs. A model is worth a table when what its readers save exceeds that.
A reader of several of the named models is counted under each, so name such models in
separate runs (or read their savings as an upper bound).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

PROJECT = "asc_warehouse"
DUCKDB_THREADS = 2


def cpu_seconds(action: Callable[[], object], repeats: int) -> float:
    """Median CPU seconds of ``action`` over ``repeats`` runs."""
    figures = []
    for _ in range(repeats):
        began = time.process_time()
        action()
        figures.append(time.process_time() - began)
    return statistics.median(figures)


def reader_statements(manifest: dict, model: str) -> tuple[list[str], list[str]]:
    """The SQL a build runs to read ``model``: its data tests and its children's queries."""
    model_id = f"model.{PROJECT}.{model}"
    tests, children = [], []
    for node in manifest["nodes"].values():
        if model_id not in node.get("depends_on", {}).get("nodes", []):
            continue
        if node["resource_type"] == "test":
            tests.append(f"select count(*) from ({node['compiled_code']}) as dbt_internal_test")
        elif node["resource_type"] == "model":
            children.append(
                f"create or replace temp table benchmark_child as {node['compiled_code']}")
    return tests, children


def readers_cpu(connection: duckdb.DuckDBPyConnection, statements: list[str],
                repeats: int) -> float:
    return sum(cpu_seconds(lambda sql=sql: connection.execute(sql).fetchall(), repeats)
               for sql in statements)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("views_build", type=Path)
    parser.add_argument("tables_build", type=Path)
    parser.add_argument("manifest", type=Path)
    parser.add_argument("models", nargs="+")
    parser.add_argument("--repeats", type=int, default=3)
    arguments = parser.parse_args()
    manifest = json.loads(arguments.manifest.read_text(encoding="utf-8"))
    config = {"threads": DUCKDB_THREADS}
    as_views = duckdb.connect(str(arguments.views_build), read_only=True, config=config)
    as_tables = duckdb.connect(str(arguments.tables_build), read_only=True, config=config)
    print(f"{'model':40} {'tests':>5} {'children':>8} {'as view':>8} {'as table':>8} "
          f"{'saved':>6} {'table':>6} {'net':>6} {'rows':>9}")
    total_net = 0.0
    for model in arguments.models:
        tests, children = reader_statements(manifest, model)
        relation = manifest["nodes"][f"model.{PROJECT}.{model}"]["relation_name"]
        read_as_view = readers_cpu(as_views, tests + children, arguments.repeats)
        read_as_table = readers_cpu(as_tables, tests + children, arguments.repeats)
        table_cost = cpu_seconds(lambda relation=relation: as_views.execute(
            f"create or replace temp table benchmark_model as select * from {relation}"),
            arguments.repeats)
        rows = as_tables.execute(f"select count(*) from {relation}").fetchone()[0]
        saved = read_as_view - read_as_table
        total_net += saved - table_cost
        print(f"{model:40} {len(tests):5} {len(children):8} {read_as_view:8.2f} "
              f"{read_as_table:8.2f} {saved:6.2f} {table_cost:6.2f} {saved - table_cost:6.2f} "
              f"{rows:9,}")
    print(f"net CPU s a table saves, all models named: {total_net:.2f}")


if __name__ == "__main__":
    main()
