"""Benchmark a night with no new file: the full rebuild it used to do, against a lean night.

    PYTHONPATH=src .venv/bin/python scripts/benchmark_lean_night.py [--scale 1.0] [--workdir DIR]

Prints figures and asserts nothing. The nightly steps are the functions the DAG's tasks call
(``asc_warehouse.pipeline.nightly``), run in this process without Airflow:
  * generate the sample extracts of every feed (scale 1.0 is the Kent and Medway default) and
    run a first night: load, raw checks, full build, mart checks, publication (timed, printed);
  * "before": the next night with no new file, as every night was built before lean nights:
    the same steps with ``dbt build --full-refresh`` of everything;
  * "after": another night with no new file, as it runs now: ``build_marts`` finds the inputs'
    fingerprint unchanged and refreshes only the date- and check-dependent models.
Each step's seconds and the night's total are printed for both.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench_common import machine_line, sample_environment

from asc_warehouse.config import load_settings
from asc_warehouse.pipeline import dbt_build, nightly
from asc_warehouse.sample_data import generate_sample_landing_files


def _timed(steps: dict[str, float], name: str, action: Callable[[], Any]) -> Any:
    began = time.perf_counter()
    result = action()
    steps[name] = time.perf_counter() - began
    return result


def night(run_id: str, build: Callable[[], dict[str, Any]]) -> dict[str, float]:
    """One night's steps, as the DAG runs them, timed one by one."""
    steps: dict[str, float] = {}
    found = _timed(steps, "find", nightly.find_new_extracts)
    loads = _timed(steps, "load", lambda: nightly.load_new_extracts(found, run_id))
    raw = _timed(steps, "validate_raw", lambda: nightly.validate_raw(run_id))
    built = _timed(steps, "dbt_build", build)
    escalations = _timed(steps, "opel_alerts", lambda: nightly.alert_opel_escalations(run_id))
    marts = _timed(steps, "validate_marts", lambda: nightly.validate_marts(run_id))
    published = _timed(steps, "publish", lambda: nightly.publish_warehouse(run_id))
    _timed(steps, "summarise", lambda: nightly.summarise(
        run_id, loads, raw, built, marts, published, escalations))
    steps["night"] = sum(steps.values())
    return steps


def full_build_as_before(run_id: str) -> dict[str, Any]:
    """The build every night did before lean nights: everything, from scratch."""
    settings = load_settings()
    dbt_build.build(settings)
    report = dbt_build.last_build_report(settings)
    return {"mode": nightly.FULL, "changed": ["(always rebuilt)"], **report.as_dict()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--workdir", type=Path, default=None)
    arguments = parser.parse_args()
    workdir = arguments.workdir or Path(tempfile.mkdtemp(prefix="asc-lean-night-"))
    os.environ.update(sample_environment(workdir))
    generate_sample_landing_files(workdir / "landing", scale=arguments.scale)
    print(f"scale {arguments.scale}, {machine_line()}, workdir {workdir}")
    first = night("night-1", lambda: nightly.build_marts("night-1"))
    before = night("night-2", lambda: full_build_as_before("night-2"))
    after = night("night-3", lambda: nightly.build_marts("night-3"))
    print(f"{'step (seconds)':<16}{'first night':>12}{'before':>10}{'after':>10}")
    for step in first:
        print(f"{step:<16}{first[step]:>12.1f}{before[step]:>10.1f}{after[step]:>10.1f}")
    print(f"a night with no new file at scale {arguments.scale}: "
          f"{before['night']:.0f} s before, {after['night']:.0f} s after "
          f"(dbt_build {before['dbt_build']:.0f} s -> {after['dbt_build']:.0f} s); "
          f"load average now {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
