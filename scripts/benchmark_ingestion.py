"""Benchmark CLD ingestion at Kent scale: prints throughput and peak memory, asserts nothing.

    .venv/bin/python scripts/benchmark_ingestion.py [--scale 4.2] [--workdir DIR] [--file CSV]
    .venv/bin/python scripts/benchmark_ingestion.py --councils 30 --scale 0.02 [--workdir DIR]

Generates sample extracts (scale 4.2 gives Kent about 1.03 million event rows), or takes
``--file``, then times on that one Kent file:
  * DuckDB's own ``read_csv`` of the file (every column VARCHAR, columns given, no sniffing)
    into a TEMP table (with DuckDB's default threads, and on one thread), and into a table of a
    database file with its checkpoint: the floors any loader of this file stands on (the last
    pays for writing the rows, as the load does);
  * reading the file by its contract alone (``csv_contract``: the block scan that finds the
    lines DuckDB may read as they stand);
  * reading the file into the load's TEMP tables (values hashed and checked once per distinct
    value), then looking for each row's own identifiers in its kept free-text fields
    (``own_identifiers``) on them;
  * the whole load: contract read, distinct values hashed and checked, quarantine rules,
    field-shape guards and the insert into raw.cld_events, in one transaction, on a connection
    with the default memory limit and no temp directory (nothing spills);
  * the raw GX suites, as the nightly run executes them (one pass per suite);
and reports the load against ``read_csv``, and peak resident memory of this process.

With ``--councils N`` it times instead the fixed cost per file: every feed's sample for Kent,
Medway and the first N - 2 other councils the generator can size (``all`` for every one), at
``--scale`` (0.02 gives files of a few hundred rows), loaded in one ``load_extracts`` call as the
night loads them (CLD files in batches, ``extracts.BATCH_FILES`` and ``BATCH_BYTES``), and
reports CPU seconds per file.

Everything it writes (the generated sample unless ``--workdir`` is given, the stored floor's
database file and the build file, all holding or derived from raw identifiers) lives in one
temporary folder that is removed when the run ends, however it ends.

Each step shows wall seconds and CPU seconds of this process (all its threads). On a shared
machine the wall clock measures the other jobs too; CPU seconds are the comparable figure.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from asc_warehouse.ingest.cld import column_values, register_functions
from asc_warehouse.ingest.csv_contract import read_by_contract
from asc_warehouse.ingest.extracts import LOAD_THREADS, load_extracts
from asc_warehouse.ingest.file_checks import read_header
from asc_warehouse.ingest.landing import parse_extract_name, scan_landing
from asc_warehouse.ingest.loading import LoadResult, read_into_temp_tables
from asc_warehouse.ingest.own_identifiers import withhold_own_identifiers
from asc_warehouse.quality import validation
from asc_warehouse.sample_data import generate_sample_extracts, generate_sample_landing_files
from asc_warehouse.sample_data.profiles import DEFAULT_SAMPLE_COUNCILS, load_councils

KEY = "benchmark-key"


def _peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(label: str, rows: int, action: Callable[[], object]) -> tuple[float, float]:
    began, began_cpu = time.perf_counter(), time.process_time()
    action()
    seconds, cpu = time.perf_counter() - began, time.process_time() - began_cpu
    print(f"{label:<40} {seconds:7.2f} s wall {cpu:7.2f} s CPU  "
          f"{rows / seconds:>10,.0f} rows/s wall  {rows / cpu:>10,.0f} rows/CPU s")
    return seconds, cpu


def _kent_file(args: argparse.Namespace, scratch: Path) -> Path:
    if args.file:
        return args.file
    workdir = args.workdir or scratch
    began = time.perf_counter()
    paths = generate_sample_extracts(workdir / "landing", scale=args.scale, with_faults=True)
    print(f"generated the sample in {time.perf_counter() - began:.1f} s (not timed below)")
    # Kent's largest submission (the sample is a history of rolling 12-month files).
    return max((path for path in paths if path.name.startswith("CLD_820_")),
               key=lambda path: path.stat().st_size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=4.2)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--file", type=Path, default=None, help="a Kent CLD file to time")
    parser.add_argument("--councils", default=None,
                        help="N or all: time many small files of that many councils instead")
    parser.add_argument("--threads", type=int, default=LOAD_THREADS,
                        help="DuckDB threads of the loading connection")
    args = parser.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, duckdb {duckdb.__version__}, "
          f"load average {os.getloadavg()[0]:.1f}")
    # Everything the run writes (sample, stored floor, build file) goes in one folder that is
    # removed however the run ends: the stored floor holds the file's raw identifiers.
    with tempfile.TemporaryDirectory(prefix="asc-bench-") as scratch:
        _run(args, Path(scratch))


def _data_rows(path: Path) -> int:
    with path.open("rb") as handle:
        return max(sum(1 for _ in handle) - 1, 0)


def _council_codes(selection: str) -> list[str] | None:
    """Kent, Medway and the first N - 2 other councils the generator can size; None for all."""
    if selection == "all":
        return None
    first = list(DEFAULT_SAMPLE_COUNCILS)
    others = [council.code for council in load_councils(None) if council.code not in first]
    return (first + others)[: int(selection)]


def _run_many_files(args: argparse.Namespace, scratch: Path) -> None:
    landing = (args.workdir or scratch) / "landing"
    if not landing.exists():
        began = time.perf_counter()
        generate_sample_landing_files(landing, scale=args.scale,
                                      councils=_council_codes(args.councils))
        print(f"generated the sample in {time.perf_counter() - began:.1f} s (not timed below)")
    extracts = scan_landing(landing, 0).extracts
    rows = sum(_data_rows(extract.path) for extract in extracts)
    print(f"{len(extracts):,} files, {rows:,} rows")
    results: list[LoadResult] = []
    _, cpu = _timed("load every file, one connection", rows, lambda: results.extend(
        load_extracts(scratch / "build.duckdb", extracts, KEY, threads=args.threads)))
    statuses = {status: sum(result.status == status for result in results)
                for status in sorted({result.status for result in results})}
    print(f"files: {statuses}; rows loaded {sum(result.rows_loaded for result in results):,}, "
          f"quarantined {sum(result.rows_quarantined for result in results):,}")
    print(f"CPU seconds per file: {cpu / len(extracts):.3f}")
    print(f"peak resident memory: {_peak_memory_mb():,.0f} MB")


def _run(args: argparse.Namespace, scratch: Path) -> None:
    if args.councils:
        _run_many_files(args, scratch)
        return
    kent = _kent_file(args, scratch)
    with kent.open("rb") as handle:
        rows = sum(1 for _ in handle) - 1
    print(f"{kent.name}: {rows:,} event rows ({kent.stat().st_size / 1e6:.0f} MB)")

    header = read_header(kent)
    columns = "{" + ", ".join(
        "'" + name.replace("'", "''") + "': 'VARCHAR'" for name in header) + "}"
    read_csv = ("select * from read_csv(?, header = true, auto_detect = false, delim = ',', "
                f"quote = '\"', escape = '\"', columns = {columns})")
    with duckdb.connect(config={"temp_directory": ""}) as con:
        _, read_csv_cpu = _timed("DuckDB read_csv into a TEMP table", rows, lambda: (
            con.execute(f"create temp table extract as {read_csv}", [str(kent)])))
    with duckdb.connect(config={"temp_directory": "", "threads": 1}) as con:
        _timed("  ... on one thread", rows, lambda: (
            con.execute(f"create temp table extract as {read_csv}", [str(kent)])))
    # The raw file's names and NHS numbers: only in the scratch folder, removed on exit.
    stored = scratch / "stored.duckdb"
    with duckdb.connect(str(stored), config={"temp_directory": ""}) as con:
        _timed("  ... into a table of a file, checkpointed", rows, lambda: (
            con.execute(f"create table extract as {read_csv}", [str(kent)]),
            con.execute("checkpoint")))

    _timed("contract read alone (block scan)", rows, lambda: read_by_contract(kent, header))
    with duckdb.connect(config={"temp_directory": "", "threads": args.threads}) as con:
        register_functions(con, KEY)
        _timed("read into TEMP tables, values derived", rows,
               lambda: read_into_temp_tables(con, parse_extract_name(kent), column_values()))
        _timed("own identifiers in kept free text", rows, lambda: withhold_own_identifiers(con))

    build = scratch / "build.duckdb"
    _, load_cpu = _timed("load (read, hash, quarantine, insert)", rows,
                         lambda: load_extracts(build, [parse_extract_name(kent)], KEY,
                                               threads=args.threads))
    _timed("raw GX suites (one pass per suite)", rows,
           lambda: validation.validate_schema(build, "raw", "ops"))
    print(f"load / read_csv, CPU seconds: {load_cpu / read_csv_cpu:.2f}x")
    print(f"peak resident memory: {_peak_memory_mb():,.0f} MB")


if __name__ == "__main__":
    main()
