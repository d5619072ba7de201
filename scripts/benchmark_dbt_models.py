"""Benchmark the dbt build alone, model by model, on a copy of an already loaded build file.

    PYTHONPATH=src .venv/bin/python scripts/benchmark_dbt_models.py LOADED.duckdb \
        [--project-dir dbt_project] [--workdir DIR] [--threads 1] [--keep] [--exclude SELECTOR]

Prints figures and asserts nothing. The loaded file (raw.*, ops.* after a night's load step) is
copied into the work folder, so the same data can be built by two versions of the project
(``--project-dir`` of an older checkout, with its ``seeds`` beside it) and compared. Printed:
the build's CPU seconds and peak memory (dbt's process tree), its wall time, the build file's
size after the build, every model's execution time from ``run_results.json`` (with
``--threads 1`` they do not overlap), its materialisation and, for tables, its row count; then
the data tests: their number and seconds by kind (the generic test's name, or singular), and
the slowest of them with the rows of the table they read (none for a view).
"""

from __future__ import annotations

import argparse
import collections
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
from bench_common import children_cpu_seconds, machine_line

from asc_warehouse.config import load_settings
from asc_warehouse.pipeline.dbt_build import dbt_environment

DEFAULT_PROJECT_DIR = Path(__file__).resolve().parents[1] / "dbt_project"
SLOWEST_TESTS = 15


def build(
    project_dir: Path, build_path: Path, workdir: Path, threads: int, exclude: list[str]
) -> tuple[float, Path]:
    """One ``dbt build`` with the nightly run's environment (memory limit, DuckDB threads) on
    the copied file; returns its wall seconds and dbt's target folder.

    Only dbt's own thread count is the benchmark's (``--threads``), so that models can run one at
    a time; DuckDB keeps the night's threads within each model.
    """
    spill_dir = workdir / "dbt_spill"
    # What DuckDB spills is pseudonymised but person-level: a folder for this user only.
    spill_dir.mkdir(mode=0o700, exist_ok=True)
    environment = dbt_environment(load_settings(), build_path, workdir, spill_dir)
    began = time.perf_counter()
    completed = subprocess.run(
        [str(Path(sys.executable).with_name("dbt")), "build", "--full-refresh",
         "--exclude-resource-type", "unit_test", "--threads", str(threads),
         *(["--exclude", *exclude] if exclude else []),
         "--project-dir", str(project_dir), "--profiles-dir", str(project_dir)],
        env=environment, capture_output=True, text=True, check=False,
    )
    wall = time.perf_counter() - began
    if completed.returncode != 0:
        print(completed.stdout[-3000:])
    return wall, Path(environment["DBT_TARGET_PATH"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("loaded", type=Path, help="a build file after the load step")
    parser.add_argument("--project-dir", type=Path, default=DEFAULT_PROJECT_DIR)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the built file")
    parser.add_argument("--exclude", nargs="*", default=[],
                        help="dbt selectors left out of both builds being compared")
    arguments = parser.parse_args()
    workdir = arguments.workdir or Path(tempfile.mkdtemp(prefix="asc-dbt-models-"))
    workdir.mkdir(parents=True, exist_ok=True)
    build_path = workdir / "asc_build.duckdb"
    shutil.copyfile(arguments.loaded, build_path)
    print(f"{machine_line()}, project {arguments.project_dir}")

    cpu_before = children_cpu_seconds()
    wall, target = build(arguments.project_dir.resolve(), build_path, workdir, arguments.threads,
                         arguments.exclude)
    cpu = children_cpu_seconds() - cpu_before
    # The largest resident memory of any one child: dbt runs in the one process.
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    results = json.loads((target / "run_results.json").read_text())["results"]
    manifest = json.loads((target / "manifest.json").read_text())["nodes"]
    failed = [r["unique_id"] for r in results if r["status"] in {"error", "fail"}]

    con = duckdb.connect(str(build_path), read_only=True)
    rows = {
        f"{schema}.{name}": count
        for schema, name, count in con.execute(
            "select schema_name, table_name, estimated_size from duckdb_tables()").fetchall()
    }
    con.close()
    print(f"dbt build: {wall:.1f} s wall, {cpu:.1f} CPU s, "
          f"peak {peak_kib / 1024:.0f} MB, build file "
          f"{build_path.stat().st_size / 1e6:.1f} MB, {len(results)} nodes, "
          f"failed: {', '.join(failed) or 'none'}")
    print(f"{'model':<52}{'kind':>10}{'seconds':>9}{'rows':>12}")
    models = [r for r in results if r["unique_id"].startswith("model.")]
    for result in sorted(models, key=lambda r: -r["execution_time"]):
        node = manifest[result["unique_id"]]
        relation = f"{node['schema']}.{node['alias']}"
        print(f"{node['name']:<52}{node['config']['materialized']:>10}"
              f"{result['execution_time']:>9.2f}{rows.get(relation, ''):>12}")
    print_tests(results, manifest, rows)
    if not arguments.keep:
        shutil.rmtree(workdir)


def print_tests(results: list[dict], manifest: dict, rows: dict[str, int]) -> None:
    """Data tests by kind, and the slowest ones with the size of what they read."""
    tests = [r for r in results if r["unique_id"].startswith("test.")]
    by_kind: dict[str, list[float]] = collections.defaultdict(list)
    for result in tests:
        node = manifest[result["unique_id"]]
        kind = (node.get("test_metadata") or {}).get("name", "singular")
        by_kind[kind].append(result["execution_time"])
    total = sum(result["execution_time"] for result in tests)
    print(f"\ndata tests: {len(tests)} nodes, {total:.1f} s of execution time in all")
    print(f"{'kind':<36}{'nodes':>7}{'seconds':>9}{'median':>8}")
    for kind, seconds in sorted(by_kind.items(), key=lambda item: -sum(item[1])):
        print(f"{kind:<36}{len(seconds):>7}{sum(seconds):>9.2f}"
              f"{sorted(seconds)[len(seconds) // 2]:>8.3f}")
    print(f"\n{'slowest data tests':<88}{'seconds':>9}{'rows read':>12}")
    for result in sorted(tests, key=lambda r: -r["execution_time"])[:SLOWEST_TESTS]:
        node = manifest[result["unique_id"]]
        parent = manifest.get(node.get("attached_node") or "", {})
        relation = f"{parent.get('schema')}.{parent.get('alias')}" if parent else ""
        print(f"{node['name'][:87]:<88}{result['execution_time']:>9.2f}"
              f"{rows.get(relation, ''):>12}")


if __name__ == "__main__":
    main()
