"""Benchmark the whole night at several sample scales or numbers of councils.

    PYTHONPATH=src .venv/bin/python scripts/benchmark_scale.py --scales 0.25,1 \
        [--councils 820,821 | --councils 10 | --councils all] [--workdir DIR]

Prints figures and asserts nothing. Each run (one scale and one set of councils, in its own
folder) is the night ``asc-warehouse run --sample`` runs, step by step, through the same
functions the DAG's tasks call (``asc_warehouse.pipeline.nightly``), without Airflow: generate
the sample of every feed, find and load, validate raw, dbt build, OPEL alerts, validate marts,
publish (with the site, exports and dbt docs) and summarise. Each step runs in a fresh child
process, so that its figures are its own:

* rows: what the step wrote or read (generated rows, rows loaded, rows of the tables it checked,
  rows in the build file after dbt, rows published, headline measures);
* CPU seconds: user + system of the child and everything it waited for (dbt);
* wall seconds;
* peak memory: the largest resident memory of the child and its descendants together, sampled
  every 0.2 s.

Then the build, published and restricted file sizes, and for every step its CPU cost per million
CLD rows at each run and how much faster than the CLD rows it grew from one run to the next;
a step growing more than 1.3 times faster than linear is flagged. ``--councils`` may be given
more than once (``--councils 2 --councils 10``): each selection is run at every scale.
``--councils N`` takes Kent, Medway and the first N - 2 other councils the generator can size
(every council of seeds/ref_councils.csv with an adult population: not the Isles of Scilly). Each
run's folder is named by its scale and a short digest of its councils.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

# asc_warehouse is imported only inside the functions that use it: every step's child loads this
# module, and no step may be billed for importing what only another step needs.
if __package__:  # imported as scripts.benchmark_scale (the tests)
    from scripts.bench_common import children_cpu_seconds, machine_line, sample_environment
else:  # run as a file: scripts/ is sys.path[0]
    from bench_common import children_cpu_seconds, machine_line, sample_environment

# Growth of a step's CPU cost this many times faster than its CLD rows is flagged.
LINEAR_TOLERANCE = 1.3
SAMPLE_INTERVAL_SECONDS = 0.2
RUN_ID = "benchmark"
STEPS = ("generate", "load", "validate_raw", "dbt_build", "opel_alerts", "validate_marts",
         "publish", "summarise")
MIB = 1024 * 1024


@dataclass(frozen=True)
class StepFigures:
    step: str
    rows: int
    cpu_seconds: float
    wall_seconds: float
    peak_bytes: int


@dataclass(frozen=True)
class RunFigures:
    label: str
    cld_rows: int
    steps: dict[str, StepFigures]
    file_bytes: dict[str, int]


# Pure helpers (unit-tested in tests/scripts/test_benchmark_scale.py).

def cost_per_million(cpu_seconds: float, cld_rows: int) -> float:
    """CPU seconds per million CLD rows."""
    return cpu_seconds * 1_000_000 / cld_rows


def growth_over_linear(smaller: tuple[int, float], larger: tuple[int, float]) -> float:
    """How many times faster than the rows a cost grew: (cost ratio) / (rows ratio).

    Each argument is (CLD rows, CPU seconds). 1.0 is linear; below 1, a fixed floor being spread
    over more rows; above 1, worse than linear.
    """
    (rows_a, cost_a), (rows_b, cost_b) = smaller, larger
    return (cost_b / cost_a) / (rows_b / rows_a)


def faster_than_linear(growth: float, tolerance: float = LINEAR_TOLERANCE) -> bool:
    return growth > tolerance


def council_selection(text: str, seed_codes: list[str]) -> str:
    """``--councils`` as the generator takes it: ``all``, a list of codes, or a number N (Kent,
    Medway and the first N - 2 others of ``seed_codes``, the councils it can size, in order)."""
    text = text.strip()
    if not text.isdigit() or (len(text) == 3 and text in seed_codes):
        return text
    count = int(text)
    if not 1 <= count <= len(seed_codes):
        raise ValueError(f"--councils {count}: between 1 and {len(seed_codes)} councils")
    from asc_warehouse.sample_data.profiles import DEFAULT_SAMPLE_COUNCILS

    first = list(DEFAULT_SAMPLE_COUNCILS)
    return ",".join((first + [code for code in seed_codes if code not in first])[:count])


def sizeable_council_codes() -> list[str]:
    """The councils the generator can size, in seed order (``profiles.load_councils``)."""
    from asc_warehouse.sample_data.profiles import load_councils

    return [council.code for council in load_councils(None)]


def council_count(councils: str) -> str:
    return "all" if councils == "all" else str(len(councils.split(",")))


def run_folder_name(scale: float, councils: str) -> str:
    """A run's folder: its scale, its number of councils and a digest of which they are, so two
    different selections of the same size never share a folder."""
    digest = hashlib.sha256(councils.encode()).hexdigest()[:8]
    return f"scale-{scale:g}-councils-{council_count(councils)}-{digest}"


# The child: one step of one night.

def _table_rows(path: Path, schemas: tuple[str, ...]) -> int:
    import duckdb

    if not path.exists():
        return 0
    with duckdb.connect(str(path), read_only=True) as con:
        names = con.execute(
            "select schema_name, table_name from duckdb_tables() where schema_name in "
            f"({', '.join('?' for _ in schemas)})", list(schemas)).fetchall()
        return sum(
            con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0]  # type: ignore[index]
            for schema, table in names
        )


def _csv_rows(paths: list[Path]) -> int:
    total = 0
    for path in paths:
        with path.open("rb") as handle:
            total += sum(1 for _ in handle) - 1
    return total


def run_step(step: str, state_path: Path, scale: float, councils: str) -> None:
    """Run one step in this (child) process; keep what later steps need in the state file."""
    from asc_warehouse.config import load_settings
    from asc_warehouse.pipeline import nightly
    from asc_warehouse.sample_data import generate_sample_landing_files
    from asc_warehouse.sample_data.profiles import parse_councils

    settings = load_settings()
    state: dict[str, Any] = (
        json.loads(state_path.read_text(encoding="utf-8")) if state_path.exists() else {})
    if step == "generate":
        generate_sample_landing_files(settings.landing_dir, scale=scale,
                                      councils=parse_councils(councils))
        return  # its rows are counted by the parent, outside the measured child
    if step == "load":
        state["loads"] = nightly.load_new_extracts(nightly.find_new_extracts(), RUN_ID)
        rows = sum(int(load["rows_loaded"]) for load in state["loads"])
    elif step == "validate_raw":
        state["raw"] = nightly.validate_raw(RUN_ID)
        rows = _table_rows(settings.build_path, ("raw", "ops"))
    elif step == "dbt_build":
        state["build"] = nightly.build_marts(RUN_ID)
        rows = _table_rows(settings.build_path,
                           ("reference", "staging", "intermediate", "marts"))
    elif step == "opel_alerts":
        state["escalations"] = nightly.alert_opel_escalations(RUN_ID)
        rows = len(state["escalations"])
    elif step == "validate_marts":
        state["marts"] = nightly.validate_marts(RUN_ID)
        rows = _table_rows(settings.build_path, ("marts",))
    elif step == "publish":
        state["published"] = nightly.publish_warehouse(RUN_ID)
        rows = sum(state["published"].values())
    else:
        summary = nightly.summarise(RUN_ID, state["loads"], state["raw"], state["build"],
                                    state["marts"], state["published"], state["escalations"])
        measures = summary["headline_measures"]
        rows = len(measures)
        with_value = {row["council_code"] for row in measures if row["outcome"] is not None}
        state["councils_with_measures"] = sorted(with_value)
    state.setdefault("rows", {})[step] = rows
    state_path.write_text(json.dumps(state, default=str), encoding="utf-8")


# The parent: children measured from outside.

def _tree_rss(process: psutil.Process) -> int:
    total = 0
    for member in [process, *process.children(recursive=True)]:
        try:
            total += member.memory_info().rss
        except psutil.Error:
            continue  # it ended between listing and reading
    return total


def measure_step(
    step: str, command: list[str], environment: dict[str, str]
) -> tuple[float, float, int]:
    """(CPU seconds, wall seconds, peak tree RSS bytes) of one child process."""
    cpu_before, began = children_cpu_seconds(), time.perf_counter()
    child = subprocess.Popen(command, env=environment)
    peak, done = 0, threading.Event()

    def sample() -> None:
        nonlocal peak
        try:
            process = psutil.Process(child.pid)
            while not done.is_set():
                peak = max(peak, _tree_rss(process))
                done.wait(SAMPLE_INTERVAL_SECONDS)
        except psutil.Error:
            return

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    status = child.wait()
    done.set()
    sampler.join()
    if status != 0:
        raise SystemExit(f"step {step} failed (exit {status}); see its output above")
    return children_cpu_seconds() - cpu_before, time.perf_counter() - began, peak


def _record_generated_rows(landing: Path, state_path: Path) -> None:
    """The generated files' rows (all, and CLD), counted here, not billed to the generate step."""
    files = sorted(landing.glob("*.csv"))
    state = {"cld_rows": _csv_rows([path for path in files if path.name.startswith("CLD_")]),
             "rows": {"generate": _csv_rows(files)}}
    state_path.write_text(json.dumps(state), encoding="utf-8")


def run_night(
    label: str, folder: Path, scale: float, councils: str, first_step: str = STEPS[0]
) -> RunFigures:
    """Run the night's steps from ``first_step``. From ``load``, the folder's landing files are
    loaded into an empty warehouse; from a later step, the folder's warehouse and the earlier
    steps' state are kept (a failed step rerun on what the steps before it made)."""
    folder.mkdir(parents=True, exist_ok=True)
    environment = dict(os.environ) | sample_environment(folder)
    state_path = folder / "state.json"
    if first_step != STEPS[0] and not state_path.exists():
        raise SystemExit(f"--from-step {first_step}: no generated night in {folder}")
    if first_step == "load":
        shutil.rmtree(folder / "warehouse", ignore_errors=True)
        generated = json.loads(state_path.read_text(encoding="utf-8"))
        state_path.write_text(json.dumps({
            "cld_rows": generated["cld_rows"],
            "rows": {"generate": generated["rows"]["generate"]},
        }), encoding="utf-8")
    steps = {}
    for step in STEPS[STEPS.index(first_step):]:
        command = [sys.executable, __file__, "--step", step, "--state", str(state_path),
                   "--scales", str(scale), "--councils", councils]
        cpu, wall, peak = measure_step(step, command, environment)
        if step == "generate":
            _record_generated_rows(folder / "landing", state_path)
        rows = json.loads(state_path.read_text(encoding="utf-8"))["rows"][step]
        steps[step] = StepFigures(step, rows, cpu, wall, peak)
        print(f"  {label} {step}: {rows:,} rows, {cpu:.1f} CPU s, {wall:.1f} s, "
              f"{peak / MIB:,.0f} MiB", flush=True)
    state = json.loads(state_path.read_text(encoding="utf-8"))
    warehouse = folder / "warehouse"
    files = {
        "build": warehouse / "build" / "asc_build.duckdb",
        "published": warehouse / "asc.duckdb",
        "restricted": warehouse / "asc_restricted.duckdb",
    }
    sizes = {name: path.stat().st_size if path.exists() else 0 for name, path in files.items()}
    sizes["landing"] = sum(path.stat().st_size for path in (folder / "landing").glob("*.csv"))
    print(f"  {label}: measures published for {len(state['councils_with_measures'])} "
          f"councils: {', '.join(state['councils_with_measures'])}", flush=True)
    return RunFigures(label, state["cld_rows"], steps, sizes)


def print_tables(runs: list[RunFigures]) -> None:
    print()
    for run in runs:
        print(f"### {run.label}: {run.cld_rows:,} CLD rows\n")
        print("| step | rows | CPU s | wall s | peak memory (MiB) |")
        print("| --- | ---: | ---: | ---: | ---: |")
        for figures in run.steps.values():
            print(f"| {figures.step} | {figures.rows:,} | {figures.cpu_seconds:.1f} | "
                  f"{figures.wall_seconds:.1f} | {figures.peak_bytes / MIB:,.0f} |")
        night_cpu = sum(figures.cpu_seconds for figures in run.steps.values())
        night_wall = sum(figures.wall_seconds for figures in run.steps.values())
        night_peak = max(figures.peak_bytes for figures in run.steps.values())
        print(f"| **night** | | **{night_cpu:.1f}** | **{night_wall:.1f}** | "
              f"**{night_peak / MIB:,.0f}** |")
        print("\nfiles (MiB): " + ", ".join(
            f"{name} {size / MIB:,.1f}" for name, size in run.file_bytes.items()) + "\n")
    ordered = sorted(runs, key=lambda run: run.cld_rows)
    if len(ordered) < 2:
        return
    print("### CPU s per million CLD rows, and growth over linear between runs\n")
    header = " | ".join(run.label for run in ordered)
    pairs = list(itertools.pairwise(ordered))
    print(f"| step | {header} | " + " | ".join(
        f"{a.label} → {b.label}" for a, b in pairs) + " |")
    print("| --- |" + " ---: |" * (len(ordered) + len(pairs)))
    for step in [step for step in STEPS if all(step in run.steps for run in ordered)]:
        costs = [f"{cost_per_million(run.steps[step].cpu_seconds, run.cld_rows):.1f}"
                 for run in ordered]
        growths = []
        for a, b in pairs:
            growth = growth_over_linear((a.cld_rows, a.steps[step].cpu_seconds),
                                        (b.cld_rows, b.steps[step].cpu_seconds))
            flag = " **faster than linear**" if faster_than_linear(growth) else ""
            growths.append(f"{growth:.2f}x{flag}")
        print(f"| {step} | " + " | ".join(costs + growths) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="0.25,1",
                        help="comma-separated sample scales (1 = Kent/Medway size)")
    parser.add_argument("--councils", action="append",
                        help="820,821 (default), a list of CASSR codes, N, or all; repeatable")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--from-step", choices=STEPS, default=STEPS[0],
                        help="rerun from this step in the workdir's night: from load, its "
                             "landing files into a fresh warehouse; from a later step, on the "
                             "warehouse the earlier steps made (e.g. after a failed step)")
    parser.add_argument("--step", choices=STEPS, help=argparse.SUPPRESS)
    parser.add_argument("--state", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.step:
        run_step(arguments.step, arguments.state, float(arguments.scales),
                 arguments.councils[0])
        return
    from asc_warehouse.sample_data.profiles import DEFAULT_SAMPLE_COUNCILS

    seed_codes = sizeable_council_codes()
    selections = [council_selection(text, seed_codes)
                  for text in arguments.councils or [",".join(DEFAULT_SAMPLE_COUNCILS)]]
    scales = [float(scale) for scale in arguments.scales.split(",")]
    workdir = arguments.workdir or Path(tempfile.mkdtemp(prefix="asc-scale-"))
    print(f"{machine_line()}, workdir {workdir}", flush=True)
    runs = []
    for councils in selections:
        for scale in scales:
            label = f"scale {scale:g}, {council_count(councils)} councils"
            folder = workdir / run_folder_name(scale, councils)
            runs.append(run_night(label, folder, scale, councils, arguments.from_step))
    print_tables(runs)
    print(f"\nload average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
