"""Time GX validation of a CLD-like DuckDB table: SQL inside DuckDB vs a pandas copy.

    .venv/bin/python scripts/benchmark_gx_duckdb.py --rows 1000000

Builds ``raw.cld_events`` with N rows of eight text columns (a few per cent of them invalid),
then runs the same eight expectations two ways, each in a fresh Python process so that each
peak RSS belongs to one path only:

* sql: ``asc_warehouse.gx_duckdb.validate_in_duckdb``, where GX computes its metrics in DuckDB;
* pandas: what ``validation.run_suite`` does, i.e. the referenced columns selected into a
  DataFrame through a read-only connection, then GX's pandas datasource.

Prints rows/s and peak memory for each, and whether the two paths gave the same verdicts.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb

TABLE = "raw.cld_events"
QUERY = f"select * from {TABLE}"
CODE_LISTS = {
    "event_types": ["Request", "Assessment", "Service", "Review"],
    "client_types": ["Service User", "Carer"],
    "service_types": ["Long Term Support", "Short Term Support", "Carer Support"],
}
ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"
EXPECTATIONS: list[dict[str, Any]] = [
    {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}},
    {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "event_id"}},
    {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "council_code"}},
    {
        "type": "expect_column_values_to_be_in_set",
        "kwargs": {"column": "event_type", "value_set": {"$PARAMETER": "event_types"}},
    },
    {
        "type": "expect_column_values_to_be_in_set",
        "kwargs": {"column": "client_type", "value_set": {"$PARAMETER": "client_types"}},
    },
    {
        "type": "expect_column_values_to_be_in_set",
        "kwargs": {"column": "service_type", "value_set": {"$PARAMETER": "service_types"}},
    },
    {
        "type": "expect_column_values_to_match_regex",
        "kwargs": {"column": "event_start_date", "regex": ISO_DATE},
    },
    {
        "type": "expect_column_values_to_match_regex",
        "kwargs": {"column": "event_end_date", "regex": ISO_DATE},
    },
]

# Eight varchar columns shaped like a CLD extract; the modulo terms plant known faults
# (invalid codes, NULLs, UK-style dates) so that the checks have something to count.
BUILD_SQL = """
create schema raw;
create table raw.cld_events as
select
    'EV' || lpad(i::varchar, 9, '0') as event_id,
    case when i % 997 = 0 then null else 'E06' || lpad((i % 60)::varchar, 6, '0') end
        as council_code,
    case when i % 211 = 0 then 'Contact'
         else ['Request', 'Assessment', 'Service', 'Review'][1 + i % 4] end as event_type,
    case when i % 389 = 0 then 'Unknown'
         else ['Service User', 'Carer'][1 + i % 2] end as client_type,
    ['Long Term Support', 'Short Term Support', 'Carer Support',
     'Universal Services'][1 + (i // 7) % 4] as service_type,
    case when i % 503 = 0 then strftime(date '2024-04-01' + (i % 365)::integer, '%d/%m/%Y')
         else strftime(date '2024-04-01' + (i % 365)::integer, '%Y-%m-%d') end
        as event_start_date,
    strftime(date '2024-04-01' + (i % 365 + i % 30)::integer, '%Y-%m-%d') as event_end_date,
    ['R1', 'R2'][1 + i % 2] as release
from range({rows}) as t(i)
"""


def build(database: Path, rows: int) -> float:
    started = time.perf_counter()
    with duckdb.connect(str(database)) as con:
        con.execute(BUILD_SQL.format(rows=int(rows)))
    return time.perf_counter() - started


def _referenced_columns() -> list[str]:
    columns: list[str] = []
    for expectation in EXPECTATIONS:
        column = expectation["kwargs"].get("column")
        if column and column not in columns:
            columns.append(column)
    return columns


def _run_sql(database: Path) -> Any:
    from asc_warehouse.quality.gx_duckdb import validate_in_duckdb

    return validate_in_duckdb(database, QUERY, "benchmark", EXPECTATIONS, CODE_LISTS)


def _run_pandas(database: Path) -> Any:
    import great_expectations as gx

    # As validation.run_suite: only the referenced columns, through a read-only connection.
    projection = ", ".join(f'"{column}"' for column in _referenced_columns())
    with duckdb.connect(str(database), read_only=True) as con:
        frame = con.execute(f"select {projection} from {TABLE}").df()
    context = gx.get_context(mode="ephemeral")
    batch = (
        context.data_sources.add_pandas("duckdb_extract")
        .add_dataframe_asset(TABLE)
        .add_batch_definition_whole_dataframe("whole_table")
    )
    suite = context.suites.add(gx.ExpectationSuite(name="benchmark", expectations=EXPECTATIONS))
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name="benchmark", data=batch, suite=suite)
    )
    return definition.run(
        batch_parameters={"dataframe": frame},
        expectation_parameters=CODE_LISTS,
        result_format="SUMMARY",
    )


def _verdicts(outcome: Any) -> list[list[Any]]:
    verdicts = [
        [
            result.expectation_config.type,
            result.expectation_config.kwargs.get("column"),
            bool(result.success),
            result.result.get("unexpected_count", result.result.get("observed_value")),
        ]
        for result in outcome.results
    ]
    return sorted(verdicts, key=lambda verdict: (verdict[0], str(verdict[1])))


def measure(path: str, database: Path) -> dict[str, Any]:
    """Run one path in this process; report its time and memory."""
    import psutil

    # GX's import alone is large; load it before the baseline so that the figures compare work.
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations  # noqa: F401

    import asc_warehouse.quality.gx_duckdb  # noqa: F401

    baseline = psutil.Process().memory_info().rss
    started = time.perf_counter()
    outcome = _run_sql(database) if path == "sql" else _run_pandas(database)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    return {
        "path": path,
        "seconds": seconds,
        "baseline_rss": baseline,
        "peak_rss": peak,
        "success": bool(outcome.success),
        "verdicts": _verdicts(outcome),
    }


def _in_fresh_process(path: str, database: Path) -> dict[str, Any]:
    command = [sys.executable, __file__, "--measure", path, "--database", str(database)]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"{path} path failed:\n{completed.stderr}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _report(rows: int, results: list[dict[str, Any]]) -> None:
    mib = 1024 * 1024
    print(f"{'path':<8}{'seconds':>10}{'rows/s':>14}{'peak RSS MiB':>15}{'above import':>15}")
    for result in results:
        print(
            f"{result['path']:<8}{result['seconds']:>10.2f}{rows / result['seconds']:>14,.0f}"
            f"{result['peak_rss'] / mib:>15.0f}"
            f"{(result['peak_rss'] - result['baseline_rss']) / mib:>15.0f}"
        )
    same = results[0]["verdicts"] == results[1]["verdicts"]
    print(f"same verdicts on both paths: {'yes' if same else 'NO'}")
    for verdict in results[0]["verdicts"]:
        print("  ", *verdict)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--measure", choices=["sql", "pandas"], help=argparse.SUPPRESS)
    parser.add_argument("--database", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure, args.database)))
        return
    with tempfile.TemporaryDirectory(prefix="gx-duckdb-bench-") as folder:
        database = Path(folder) / "bench.duckdb"
        built = build(database, args.rows)
        size = database.stat().st_size / (1024 * 1024)
        print(f"built {args.rows:,} rows in {built:.1f}s ({size:.0f} MiB file)")
        _report(args.rows, [_in_fresh_process(path, database) for path in ("sql", "pandas")])


if __name__ == "__main__":
    main()
