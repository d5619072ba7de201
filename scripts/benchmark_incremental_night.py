"""Benchmark nights with one new CLD, hospital or OPEL file: incremental against full rebuilds.

    PYTHONPATH=src .venv/bin/python scripts/benchmark_incremental_night.py [--scale 1.0]
        [--councils 820,821,...]

Prints figures and asserts nothing. The sample extracts of every feed (CLD, person-level, OPEL) are
generated at ``--scale`` (1.0 is the Kent and Medway default). A first night lands every file but
Kent's newest CLD, hospital and OPEL files and Medway's newest CLD file, loads them and builds in
full (``nightly.build_marts``). Each following night lands one of those files (Kent's CLD,
hospital and OPEL files, then Medway's CLD file), loads it and builds as the pipeline does
(incremental: only new loads changed, so only what the new file's feed reaches is selected,
``build_selection``; the CLD models after submission selection rebuild only the selection
slices and councils the new file changes). After each such night the same build file is copied
and rebuilt with ``dbt build --full-refresh``, as every night with a new file did before. For
each build: CPU seconds of the dbt process tree (user + system), wall seconds, the nodes run by
kind with the sum of dbt's own execution times (``run_results.json``, wall seconds inside dbt's
threads), the slowest nodes and the size of the build file. Each build's ``run_results.json`` is
kept in the work folder (``run_results-<build>.json``) for a look at every node. ``--councils``
generates other councils beside Kent and Medway (CASSR codes, comma-separated; Kent and Medway
must be among them): the Medway night is then one council's file among many.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from bench_common import children_cpu_seconds, machine_line, sample_environment

from asc_warehouse.config import Settings, load_settings
from asc_warehouse.pipeline import dbt_build, nightly
from asc_warehouse.sample_data import generate_sample_landing_files
from asc_warehouse.sample_data.profiles import DEFAULT_SAMPLE_COUNCILS

SLOWEST_NODES = 8
# The newest file of each of these, by name prefix, arrives alone on a night of its own, in this
# order: Kent's CLD, hospital and OPEL files, then Medway's CLD file (the smaller council).
NEW_FILE_PREFIXES = {"cld": "CLD_820_", "hospital": "HOSP_820_", "opel": "OPEL_820_",
                     "medway-cld": "CLD_821_"}


def _measured(action: Callable[[], object], target_dir: Path, build_file: Path,
              kept_results: Path) -> dict:
    cpu, wall = children_cpu_seconds(), time.perf_counter()
    result = action()
    figures = {"cpu": children_cpu_seconds() - cpu, "wall": time.perf_counter() - wall,
               "size_mb": build_file.stat().st_size / 2**20, "result": result}
    shutil.copy2(target_dir / "run_results.json", kept_results)
    results = json.loads(kept_results.read_text(encoding="utf-8"))
    nodes = sorted(results["results"], key=lambda node: -node["execution_time"])
    figures["nodes"] = len(results["results"])
    figures["by_kind"] = Counter(node["unique_id"].split(".")[0] for node in nodes)
    figures["seconds_by_kind"] = Counter()
    for node in nodes:
        figures["seconds_by_kind"][node["unique_id"].split(".")[0]] += node["execution_time"]
    figures["slowest"] = [(node["unique_id"].split(".")[-1], node["execution_time"])
                          for node in nodes[:SLOWEST_NODES]]
    return figures


def _land(files: list[Path], pool: Path, landing: Path) -> None:
    for path in files:
        target = landing / path.relative_to(pool)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)


def _night(run_id: str) -> dict:
    loads = nightly.load_new_extracts(nightly.find_new_extracts(), run_id)
    return {"cld_rows_loaded": sum(load["rows_loaded"] for load in loads
                                   if load["file_name"].startswith("CLD_"))}


def _report(name: str, figures: dict) -> None:
    print(f"{name}: {figures['cpu']:.1f} CPU s, {figures['wall']:.1f} s wall, "
          f"{figures['nodes']} nodes, build file {figures['size_mb']:.0f} MB")
    print("    " + ", ".join(
        f"{count} {kind}s ({figures['seconds_by_kind'][kind]:.1f} s executing)"
        for kind, count in sorted(figures["by_kind"].items())))
    if isinstance(figures["result"], dict) and figures["result"].get("selected"):
        print(f"    selected: {figures['result']['selected']}")
    for node, seconds in figures["slowest"]:
        print(f"    {node:<60}{seconds:>8.2f} s")


def _rebuilt_in_full(settings: Settings, workdir: Path, night: str) -> dict:
    rebuilt = workdir / f"rebuilt-{night}.duckdb"
    shutil.copy2(settings.build_path, rebuilt)
    rebuild_dir = workdir / f"rebuild-{night}"
    figures = _measured(lambda: dbt_build.run_dbt(
        settings, "build", "--full-refresh", "--exclude-resource-type", "unit_test",
        build_path=rebuilt, work_dir=rebuild_dir), rebuild_dir / "dbt_target", rebuilt,
        workdir / f"run_results-{night}-rebuilt.json")
    rebuilt.unlink()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--councils", default=",".join(DEFAULT_SAMPLE_COUNCILS))
    arguments = parser.parse_args()
    councils = arguments.councils.split(",")
    if not set(DEFAULT_SAMPLE_COUNCILS) <= set(councils):
        parser.error("--councils must include Kent (820) and Medway (821)")
    workdir = arguments.workdir or Path(tempfile.mkdtemp(prefix="asc-incremental-night-"))
    os.environ.update(sample_environment(workdir))
    pool = workdir / "pool"
    generated = generate_sample_landing_files(pool, scale=arguments.scale, councils=councils)
    held_back = {night: max(path for path in generated if path.name.startswith(prefix))
                 for night, prefix in NEW_FILE_PREFIXES.items()}
    # The generator's own checksum list travels with its files (the sample key's guard).
    for listing in (path for path in pool.iterdir() if path.is_file()
                    and not path.name.lower().endswith(".csv")):
        _land([listing], pool, workdir / "landing")
    settings = load_settings()
    target_dir = Path(dbt_build.dbt_environment(settings)["DBT_TARGET_PATH"])
    print(f"scale {arguments.scale}, councils {','.join(councils)}, {machine_line()}, "
          f"workdir {workdir}")

    _land([path for path in generated if path not in held_back.values()], pool,
          settings.landing_dir)
    first_loads = _night("night-1")
    first = _measured(lambda: nightly.build_marts("night-1"), target_dir, settings.build_path,
                      workdir / "run_results-night-1.json")
    print(f"night 1: {first_loads['cld_rows_loaded']:,} CLD rows loaded")
    _report(f"first night ({first['result']['mode']})", first)
    for name, new_file in held_back.items():
        night = f"night-{name}"
        _land([new_file], pool, settings.landing_dir)
        loads = _night(night)
        incremental = _measured(lambda night=night: nightly.build_marts(night), target_dir,
                                settings.build_path, workdir / f"run_results-{night}.json")
        full = _rebuilt_in_full(settings, workdir, night)
        print(f"\n{name} night: one new file, {new_file.name} "
              f"({loads['cld_rows_loaded']:,} CLD rows)")
        _report(f"{name} night ({incremental['result']['mode']})", incremental)
        _report(f"{name} night rebuilt in full (--full-refresh)", full)
        print(f"{name} night, incremental / full rebuild: "
              f"{incremental['cpu'] / full['cpu']:.2f} of the CPU, "
              f"{incremental['wall'] / full['wall']:.2f} of the wall time; "
              f"load average now {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
