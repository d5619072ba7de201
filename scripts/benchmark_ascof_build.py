"""Benchmark the dbt build of all measures against the same SQL run directly in DuckDB.

    .venv/bin/python scripts/benchmark_ascof_build.py [--scale 1.0] [--workdir DIR]

Prints figures and asserts nothing. Steps:
  * generate sample CLD extracts (scale 1.0 is the Kent and Medway default sample), the
    hospital discharge, safeguarding and DoLS files, and the OPEL files, and load them into a
    fresh build file, as the nightly run does (not timed);
  * ``dbt seed`` once (printed, not part of the model timing);
  * copy the seeded build file: the direct run starts from exactly the same data;
  * time ``dbt run``: every model, no tests. This is the work the direct run repeats, so the
    ratio compares like with like (``dbt build`` adds seeds and data tests, which have no
    counterpart in the compiled model SQL);
  * run the compiled SQL dbt wrote to ``manifest.json`` (``compiled_code`` of every model),
    in the DAG order of ``depends_on``, with the duckdb Python API against the copy:
    ``create or replace view|table <relation_name> as <compiled_code>``; time the total;
  * time ``dbt run --threads 1`` (the profile runs 2 threads; one at a time, like the direct
    run, separates dbt's own overhead from two models competing for 2 cores);
  * time ``dbt build --exclude-resource-type unit_test`` (seeds, models and data tests, as the
    nightly run calls it) for the whole-build target;
and reports both times, their ratio, the ten slowest models of the direct run (with dbt's own
execution time of the same model from ``run_results.json``) and peak resident memory of each
process (the direct run is in a fresh child process so its peak is its own).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import shutil
import subprocess
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from graphlib import TopologicalSorter
from multiprocessing import get_context
from pathlib import Path

import duckdb

from asc_warehouse.config import DBT_PROJECT_DIR, Settings
from asc_warehouse.ingest.extracts import load_extracts
from asc_warehouse.ingest.landing import scan_landing
from asc_warehouse.pipeline.dbt_build import DbtBuildError, dbt_environment, dbt_executable
from asc_warehouse.sample_data import (
    generate_opel_extracts,
    generate_person_feed_extracts,
    generate_sample_extracts,
)

KEY = "benchmark-key"
KENT = "CLD_820_"
MEDWAY = "CLD_821_"


def _peak_memory_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def _high_water_mb(pid: int | str = "self") -> float:
    """VmHWM: peak resident memory of the process's current image.

    Unlike ``ru_maxrss`` of a child, it does not count the parent's memory the child had
    between fork and exec.
    """
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _dbt(settings: Settings, *arguments: str) -> tuple[float, float]:
    """Run dbt as ``dbt_build.run_dbt`` does; return wall seconds and dbt's peak RSS (MB)."""
    command = [
        str(dbt_executable()), *arguments,
        "--project-dir", str(DBT_PROJECT_DIR),
        "--profiles-dir", str(DBT_PROJECT_DIR),
    ]
    peak = 0.0
    with tempfile.TemporaryFile("w+") as output:
        began = time.perf_counter()
        process = subprocess.Popen(
            command, env=dbt_environment(settings), stdout=output, stderr=subprocess.STDOUT,
            text=True,
        )
        while process.poll() is None:
            with contextlib.suppress(FileNotFoundError, ProcessLookupError, ValueError):
                peak = max(peak, _high_water_mb(process.pid))
            time.sleep(0.05)
        seconds = time.perf_counter() - began
        if process.returncode != 0:
            output.seek(0)
            raise DbtBuildError(f"{' '.join(arguments)} failed:\n{output.read()[-6000:]}")
    return seconds, peak


def _count_rows(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for _ in handle) - 1


def _model_plan(target_dir: Path) -> tuple[list[dict[str, str]], int]:
    """Models in DAG order with their relation, materialization and compiled SQL.

    Ephemeral models are not created: dbt already inlines them as CTEs into the compiled SQL of
    the models that use them. Returns the plan and how many ephemeral models were skipped.
    """
    manifest = json.loads((target_dir / "manifest.json").read_text())
    models = {
        unique_id: node for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model"
    }
    graph = {
        unique_id: [parent for parent in node["depends_on"]["nodes"] if parent in models]
        for unique_id, node in models.items()
    }
    plan = []
    ephemeral = 0
    for unique_id in TopologicalSorter(graph).static_order():
        node = models[unique_id]
        materialized = node["config"]["materialized"]
        if materialized == "ephemeral":
            ephemeral += 1
            continue
        if materialized not in {"view", "table"}:
            raise ValueError(f"{unique_id}: no direct equivalent for {materialized!r}")
        if not node.get("compiled_code"):
            raise ValueError(f"{unique_id}: no compiled_code in the manifest")
        plan.append({
            "name": node["name"],
            "schema": node["schema"],
            "relation": node["relation_name"],
            "materialized": materialized,
            "sql": node["compiled_code"],
        })
    return plan, ephemeral


def _run_direct(database: str, plan: list[dict[str, str]]) -> tuple[float, list[tuple], float]:
    """Create every model with plain DuckDB; runs in a fresh process (see ``main``)."""
    timings = []
    with duckdb.connect(database) as con:
        con.execute("set enable_progress_bar = false")
        began = time.perf_counter()
        for model in plan:
            started = time.perf_counter()
            con.execute(f'create schema if not exists "{model["schema"]}"')
            con.execute(
                f'create or replace {model["materialized"]} {model["relation"]} as\n'
                f'{model["sql"]}'
            )
            timings.append((model["name"], model["materialized"],
                            time.perf_counter() - started))
        con.execute("checkpoint")
        total = time.perf_counter() - began
    return total, timings, _high_water_mb()


def _dbt_model_times(target_dir: Path) -> dict[str, float]:
    results = json.loads((target_dir / "run_results.json").read_text())
    return {
        result["unique_id"].rsplit(".", 1)[-1]: result["execution_time"]
        for result in results["results"] if result["unique_id"].startswith("model.")
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="asc-bench-build-"))
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, duckdb {duckdb.__version__}")
    settings = Settings(
        landing_dir=workdir / "landing", warehouse_dir=workdir / "warehouse",
        pseudonymisation_key=KEY, sample_mode=True,
    )
    shutil.rmtree(settings.warehouse_dir, ignore_errors=True)
    shutil.rmtree(settings.landing_dir, ignore_errors=True)

    began = time.perf_counter()
    paths = generate_sample_extracts(settings.landing_dir, scale=args.scale, with_faults=True)
    generate_person_feed_extracts(settings.landing_dir, scale=args.scale, with_faults=True)
    generate_opel_extracts(settings.landing_dir)
    counts: dict[str, int] = {}
    for path in paths:  # each council's history of submissions, summed
        counts[path.name[:8]] = counts.get(path.name[:8], 0) + _count_rows(path)
    print(f"generated Kent {counts.get(KENT, 0):,} and Medway {counts.get(MEDWAY, 0):,} CLD "
          f"event rows in {len(paths)} files (scale {args.scale}) in "
          f"{time.perf_counter() - began:.1f} s")
    began = time.perf_counter()
    results = load_extracts(settings.build_path, scan_landing(settings.landing_dir).extracts, KEY)
    loaded = sum(result.rows_loaded for result in results)
    print(f"loaded {len(results)} files, {loaded:,} rows, in "
          f"{time.perf_counter() - began:.1f} s (not timed below)")

    seconds, peak = _dbt(settings, "seed")
    print(f"{'dbt seed (once, not in the model timing)':<44} {seconds:7.2f} s  "
          f"peak {peak:,.0f} MB")

    # Same file name in another folder: the catalog name in relation_name still matches.
    direct_path = workdir / "direct" / settings.build_path.name
    direct_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(settings.build_path, direct_path)
    wal = settings.build_path.with_name(settings.build_path.name + ".wal")
    if wal.exists():
        shutil.copyfile(wal, direct_path.with_name(wal.name))

    target_dir = Path(dbt_environment(settings)["DBT_TARGET_PATH"])
    dbt_seconds, dbt_peak = _dbt(settings, "run")
    dbt_times = _dbt_model_times(target_dir)
    plan, ephemeral = _model_plan(target_dir)
    views = sum(1 for model in plan if model["materialized"] == "view")
    print(f"{'dbt run (all models)':<44} {dbt_seconds:7.2f} s  peak {dbt_peak:,.0f} MB")

    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        direct_seconds, timings, direct_peak = pool.submit(
            _run_direct, str(direct_path), plan).result()
    print(f"{'direct DuckDB, same compiled SQL':<44} {direct_seconds:7.2f} s  "
          f"peak {direct_peak:,.0f} MB")
    print(f"models: {len(plan)} ({views} views, {len(plan) - views} tables, "
          f"{ephemeral} ephemeral skipped)")
    print(f"dbt overhead: {dbt_seconds / direct_seconds:.2f}x "
          f"(dbt run {dbt_seconds:.2f} s / direct {direct_seconds:.2f} s; "
          f"dbt minus direct {dbt_seconds - direct_seconds:+.2f} s)")
    print(f"sum of dbt's per-model execution times: {sum(dbt_times.values()):.2f} s "
          f"(dbt runs 2 threads; the direct run is one model at a time)")

    print("\nslowest models in the direct run:")
    print(f"  {'model':<44} {'kind':<6} {'direct s':>9} {'dbt s':>8}")
    for name, materialized, seconds in sorted(timings, key=lambda t: -t[2])[:10]:
        dbt_model = dbt_times.get(name)
        dbt_text = f"{dbt_model:8.2f}" if dbt_model is not None else f"{'-':>8}"
        print(f"  {name:<44} {materialized:<6} {seconds:9.2f} {dbt_text}")

    single_seconds, single_peak = _dbt(settings, "run", "--threads", "1")
    print(f"\n{'dbt run --threads 1 (one model at a time)':<44} {single_seconds:7.2f} s  "
          f"peak {single_peak:,.0f} MB  ({single_seconds / direct_seconds:.2f}x direct)")
    build_seconds, build_peak = _dbt(settings, "build", "--exclude-resource-type", "unit_test")
    print(f"{'dbt build (seeds, models, data tests)':<44} {build_seconds:7.2f} s  "
          f"peak {build_peak:,.0f} MB")
    print(f"peak resident memory of this process (generation, load): "
          f"{_peak_memory_mb():,.0f} MB")


if __name__ == "__main__":
    main()
