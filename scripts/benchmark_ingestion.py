"""Benchmark CLD ingestion at Kent scale: prints throughput and peak memory, asserts nothing.

    .venv/bin/python scripts/benchmark_ingestion.py [--scale 4.2] [--workdir DIR]

Generates sample extracts (scale 4.2 gives Kent about 1.03 million event rows), then times, on
the Kent file alone:
  * pseudonymisation alone: the keyed hash of NHS numbers and LA identifiers inside DuckDB;
  * reading the file by its contract alone (``csv_contract``: line by line, no sniffing);
  * looking for each row's own identifiers in its kept free-text fields alone
    (``own_identifiers``), on the file already read into a TEMP table;
  * the whole load: contract read, quarantine rules, identifier checks, field-shape guards,
    pseudonymisation and the insert into raw.cld_events, in one transaction, on a connection
    with the default memory limit and no temp directory (nothing spills);
  * the raw GX suites, as the nightly run executes them;
and reports peak resident memory of this process.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import tempfile
import time
from pathlib import Path

import duckdb

from asc_warehouse.ingest.cld import code_guards, register_functions
from asc_warehouse.ingest.csv_contract import read_by_contract
from asc_warehouse.ingest.extracts import load_extracts
from asc_warehouse.ingest.file_checks import read_header
from asc_warehouse.ingest.landing import parse_extract_name
from asc_warehouse.ingest.loading import read_into_temp_tables
from asc_warehouse.ingest.own_identifiers import withhold_own_identifiers
from asc_warehouse.quality import validation
from asc_warehouse.sample_data import generate_sample_extracts

KEY = "benchmark-key"


def _peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(label: str, rows: int, action) -> float:
    began = time.perf_counter()
    action()
    seconds = time.perf_counter() - began
    print(f"{label:<38} {seconds:7.2f} s  {rows / seconds:>12,.0f} rows/s")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=4.2)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="asc-bench-"))
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, duckdb {duckdb.__version__}")

    began = time.perf_counter()
    paths = generate_sample_extracts(workdir / "landing", scale=args.scale, with_faults=True)
    # Kent's largest submission (the sample is a history of rolling 12-month files).
    kent = max((path for path in paths if path.name.startswith("CLD_820_")),
               key=lambda path: path.stat().st_size)
    with kent.open("rb") as handle:
        rows = sum(1 for _ in handle) - 1
    print(f"generated {rows:,} Kent event rows ({kent.stat().st_size / 1e6:.0f} MB) "
          f"in {time.perf_counter() - began:.1f} s (not timed below)")

    with duckdb.connect() as con:
        register_functions(con, KEY)
        _timed("pseudonymisation (2 keyed hashes/row)", rows, lambda: con.execute(
            "select count(asc_keyed_hash(\"NHS Number\")), "
            "count(asc_keyed_hash(\"LA Person Unique Identifier\")) "
            "from read_csv(?, all_varchar = true)", [str(kent)]).fetchall())

    _timed("contract read alone", rows,
           lambda: read_by_contract(kent, read_header(kent)))

    with duckdb.connect() as con:
        read_into_temp_tables(con, parse_extract_name(kent), code_guards())
        _timed("own identifiers in kept free text", rows,
               lambda: withhold_own_identifiers(con))

    build = workdir / "build.duckdb"
    build.unlink(missing_ok=True)
    load_seconds = _timed("load (read, quarantine, hash, insert)", rows,
                          lambda: load_extracts(build, [parse_extract_name(kent)], KEY))
    validate_seconds = _timed("raw GX suites", rows,
                              lambda: validation.validate_schema(build, "raw", "ops"))
    total = load_seconds + validate_seconds
    print(f"{'ingestion total (load + validation)':<38} {total:7.2f} s  "
          f"{rows / total:>12,.0f} rows/s")
    print(f"peak resident memory: {_peak_memory_mb():,.0f} MB")


if __name__ == "__main__":
    main()
