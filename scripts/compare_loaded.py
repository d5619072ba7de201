"""Load a planted-fault sample and print a digest of every raw and ops table it wrote.

    PYTHONPATH=src .venv/bin/python scripts/compare_loaded.py WORKDIR [--scale 0.03]

Run it with two versions of the loader (``PYTHONPATH`` pointing at each one's ``src``) on the
same WORKDIR: the landing folder is written once (the first run) and reused, and each run loads
it into a new build file of its own and prints one line per table: its rows and a digest of
them as a multiset (every column but the load and arrival times, tokens included). Equal lines
mean the two loaders wrote the same rows. Asserts nothing; prints figures only.

The landing folder is every feed's sample for Kent and Medway with the generator's planted
faults, plus CLD files that exercise what only the loader sees: one with a hostile line of a
different kind every 7th line (stray and unbalanced quotes, text after a closing quote, an
over-long line, bytes that are not UTF-8, NUL, a carriage return inside a value, too many or too
few fields, a blank line, quoted commas and doubled quotes, the person's own identifiers in
free text), one with CRLF line ends, one with a header but no data rows, and one whose header
repeats a column (both rejected whole). The WORKDIR holds raw identifiers of generated people
only; remove it when done.
"""

from __future__ import annotations

import argparse
import hashlib
import time
from pathlib import Path

import duckdb

from asc_warehouse.ingest.extracts import load_extracts
from asc_warehouse.ingest.landing import scan_landing
from asc_warehouse.sample_data import generate_sample_landing_files

KEY = "compare-loaded-key"
# Times of the run, not of the data: different in any two loads.
RUN_TIME_COLUMNS = frozenset({"loaded_at", "arrived_at", "first_used_at", "quarantined_at"})
HOSTILE_EVERY = 7
MAX_LINE = 64 * 1024


def _spoilers() -> list[tuple[str, object]]:
    """(name, line -> line) for every kind of hostile line, taken in turn."""
    return [
        ("stray quote", lambda line: line.replace(b",", b',x"y', 1)),
        ("opening quote", lambda line: line.replace(b",", b',"', 1)),
        ("text after a closing quote", lambda line: line.replace(b",", b',"a"b', 1)),
        ("over-long", lambda line: line + b"x" * (MAX_LINE + 10)),
        ("not UTF-8", lambda line: line.replace(b",", b",\xff\xfe", 1)),
        ("NUL", lambda line: line.replace(b",", b",a\x00b", 1)),
        ("carriage return inside", lambda line: line.replace(b",", b",a\rb", 1)),
        ("extra field", lambda line: line + b",extra"),
        ("missing field", lambda line: line.rsplit(b",", 1)[0]),
        ("blank line", lambda line: b""),
        ("spaces only", lambda line: b"   "),
        ("quoted comma", lambda line: _quote_first_empty(line, b'"a, b"')),
        ("doubled quotes", lambda line: _quote_first_empty(line, b'"say ""hi"""')),
        ("quoted whole line values", lambda line: b",".join(
            b'"' + value + b'"' for value in line.split(b","))),
        ("CRLF in one line", lambda line: line + b"\r"),
        ("unchanged", lambda line: line),
    ]


def _quote_first_empty(line: bytes, text: bytes) -> bytes:
    return line.replace(b",,", b"," + text + b",", 1)


def _write_hostile_files(landing: Path) -> None:
    # Medway's latest submission, copied under names of the same period end (so its dates fit).
    source = (landing / "CLD_821_20250401_20260331_R2.csv").read_bytes().split(b"\n")
    header, body = source[0], [line for line in source[1:] if line]
    spoilers = _spoilers()
    hostile = [header] + [
        spoilers[(number // HOSTILE_EVERY) % len(spoilers)][1](line)  # type: ignore[operator]
        if number % HOSTILE_EVERY == 0 else line
        for number, line in enumerate(body)
    ]
    (landing / "CLD_821_20250402_20260331_R2.csv").write_bytes(b"\n".join(hostile) + b"\n")
    crlf = [header, *body[: len(body) // 2]]
    (landing / "CLD_821_20250403_20260331_R2.csv").write_bytes(b"\r\n".join(crlf) + b"\r\n")
    (landing / "CLD_821_20250404_20260331_R2.csv").write_bytes(header + b"\n")
    repeated = header.replace(b"Gender", b"Ethnicity", 1)
    (landing / "CLD_821_20250405_20260331_R2.csv").write_bytes(
        b"\n".join([repeated, *body[:5]]) + b"\n")


def _landing(workdir: Path, scale: float) -> Path:
    landing = workdir / "landing"
    if not landing.exists():
        generate_sample_landing_files(landing, scale=scale)
        _write_hostile_files(landing)
    return landing


def digests(build: Path) -> list[tuple[str, int, str]]:
    """(table, rows, digest of its rows as a multiset) for every raw and ops table."""
    with duckdb.connect(str(build), read_only=True) as con:
        names = con.execute(
            "select schema_name || '.' || table_name from duckdb_tables() "
            "where schema_name in ('raw', 'ops') order by 1").fetchall()
        out = []
        for (table,) in names:
            schema, name = table.split(".")
            columns = [row[0] for row in con.execute(
                "select column_name from duckdb_columns() where schema_name = ? "
                "and table_name = ? order by column_index", [schema, name]).fetchall()
                if row[0] not in RUN_TIME_COLUMNS]
            row = ", ".join(f'"{column}"' for column in columns)
            # Sorted rows' text, hashed: a digest of the multiset independent of load order.
            texts = con.execute(
                f"select cast(row({row}) as varchar) as text from {table} order by text"
            ).fetchall()
            digest = hashlib.sha256("\n".join(text for (text,) in texts).encode()).hexdigest()
            out.append((table, len(texts), digest[:16]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workdir", type=Path)
    parser.add_argument("--scale", type=float, default=0.03)
    arguments = parser.parse_args()
    landing = _landing(arguments.workdir, arguments.scale)
    build = arguments.workdir / f"build-{time.time_ns()}.duckdb"
    extracts = scan_landing(landing, 0).extracts
    results = load_extracts(build, extracts, KEY)
    statuses = {status: sum(result.status == status for result in results)
                for status in sorted({result.status for result in results})}
    print(f"{len(extracts)} files: {statuses}; rows loaded "
          f"{sum(result.rows_loaded for result in results):,}, quarantined "
          f"{sum(result.rows_quarantined for result in results):,}")
    for table, rows, digest in digests(build):
        print(f"{table:<32} {rows:>9,} rows  {digest}")
    build.unlink()


if __name__ == "__main__":
    main()
