"""The block scan reads every line as Python's csv module reads it alone, and gives its line.

Plain lines go to DuckDB's CSV reader; every other line is judged by Python. The file below
spans many scan blocks and DuckDB batches (both made tiny), with a hostile line of every kind
between plain ones, so a mistake in the scan, in the stand-in records or in the line
numbering shows as a row with the wrong values or number.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from asc_warehouse.ingest import csv_contract
from asc_warehouse.ingest.csv_contract import MAX_LINE_BYTES, read_by_contract
from asc_warehouse.ingest.landing import parse_extract_name
from asc_warehouse.ingest.loading import drop_temp_tables, read_into_temp_tables
from asc_warehouse.ingest.row_values import ColumnValues, Derived

HEADER = ["Id", "Name", "Code"]
LINES = [
    b"1,Ann,A",  # plain
    b'2,"Smith, Bob",B',  # quoted with a comma: plain
    b'3,"He said ""hi""",C',  # doubled quotes: plain
    b'"4","",D',  # quoted first field, quoted empty value: plain
    b"5,Cat,E\r",  # CRLF line end: plain
    b'6,Wini"fr"ed,F',  # quotes inside an unquoted value: not plain, Python reads it
    b'7,"Ash,G',  # unbalanced quote: rejected
    b'8,"Ash"x,H',  # text after a closing quote: rejected
    b"9,too,many,fields",  # rejected
    b"",  # blank: no record
    b"   ",  # blank: no record
    b"10,caf\xc3\xa9,I",  # UTF-8: plain
    b"11,\xff\xfe,J",  # not UTF-8: rejected
    b"12,a\rb,K",  # a carriage return inside: rejected
    b"13,N\x00UL,L",  # NUL: never given to DuckDB; Python reads it
    b"14," + b"x" * (MAX_LINE_BYTES + 10) + b",M",  # over-long: rejected
    b",,",  # all empty: plain, a row of blanks
    b'15," spaced ",N',  # spaces inside quotes kept: plain
    b'16,a"b,c"d,O',  # quotes inside unquoted values, a comma between: four fields, rejected
]


def _expected(lines: list[bytes]) -> tuple[dict[int, list[str]], dict[int, str]]:
    """What Python's csv module makes of each line alone (the rules of ``_judge``)."""
    rows: dict[int, list[str]] = {}
    rejected: dict[int, str] = {}
    for number, raw in enumerate(lines, start=2):
        raw = raw.removesuffix(b"\r")
        if len(raw) > MAX_LINE_BYTES:
            rejected[number] = "longer"
            continue
        if not raw.strip():
            continue
        try:
            text = raw.decode("utf-8")
            values = next(csv.reader([text], strict=True))
        except (UnicodeDecodeError, csv.Error):
            rejected[number] = "unreadable"
            continue
        if text.count('"') % 2 or len(values) != len(HEADER):
            rejected[number] = "unreadable"
            continue
        rows[number] = values
    return rows, rejected


@pytest.fixture
def hostile_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, list[bytes]]:
    monkeypatch.setattr(csv_contract, "SCAN_BYTES", 64)
    monkeypatch.setattr(csv_contract, "BATCH_BYTES", 256)
    lines = LINES * 40
    path = tmp_path / "DOLS_820_20240401_20260331.csv"
    path.write_bytes(b",".join(name.encode() for name in HEADER) + b"\n"
                     + b"\n".join(lines) + b"\n")
    return path, lines


def test_the_scan_rejects_and_keeps_what_python_would(hostile_file) -> None:
    path, lines = hostile_file
    _, rejected = _expected(lines)
    read = read_by_contract(path, HEADER)
    assert {line.line for line in read.rejected} == set(rejected)
    assert all(line.reason.startswith("unreadable row: ") for line in read.rejected)
    assert len(read.batches) > 1
    # Python read only the lines that are not plain; every other row is DuckDB's.
    read_by_python = {2 + index + len(LINES) * copy for copy in range(40)
                      for index in (5, 14)}  # Wini"fr"ed, NUL
    assert {number for number, _ in read.parsed_rows} == read_by_python
    assert read.not_plain == sorted(read_by_python | set(rejected) | {
        2 + index + len(LINES) * copy for copy in range(40) for index in (9, 10)})  # blank


def test_loaded_rows_have_python_s_values_and_their_own_line(hostile_file) -> None:
    path, lines = hostile_file
    rows, rejected = _expected(lines)
    with duckdb.connect(config={"temp_directory": ""}) as con:
        con.create_function("asc_is_known_code", lambda value: value in {"A", "B"},
                            ["VARCHAR"], "BOOLEAN", null_handling="special")
        read_into_temp_tables(con, parse_extract_name(path),
                              {"Code": ColumnValues(derived=(Derived.KNOWN_CODE,))})
        loaded = con.execute(
            'select source_row_number, "Id", "Name", "Code", "Code (known code)" '
            "from extract_rows order by 1").fetchall()
        rejects = con.execute("select line from extract_rejects order by 1").fetchall()
        drop_temp_tables(con)
    assert [row[0] for row in loaded] == sorted(rows)
    # An empty value is NULL, quoted or not, as before.
    assert [[value or "" for value in row[1:4]] for row in loaded] == [
        rows[number] for number in sorted(rows)]
    assert [line for (line,) in rejects] == sorted(rejected)
    assert {row[3]: row[4] for row in loaded if row[3]} == {
        "A": True, "B": True, "C": False, "D": False, "E": False, "F": False, "I": False,
        "L": False, "N": False}


PLAIN_LINES = [b"1,Ann,A", b'2,"Smith, Bob",B', b'3,"He said ""hi""",C', b'"4","",D',
               b"10,caf\xc3\xa9,I", b",,", b'15," spaced ",N']


def _write(path: Path, header: bytes, lines: list[bytes]) -> Path:
    path.write_bytes(header + b"\n" + b"\n".join(lines) + b"\n")
    return path


def _loaded(path: Path) -> list[tuple]:
    with duckdb.connect(config={"temp_directory": ""}) as con:
        read_into_temp_tables(con, parse_extract_name(path))
        loaded = con.execute('select source_row_number, "Id", "Name", "Code" '
                             "from extract_rows order by 1").fetchall()
        drop_temp_tables(con)
    return loaded


def test_a_file_of_plain_lines_is_read_by_duckdb_from_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(csv_contract, "SCAN_BYTES", 64)
    lines = PLAIN_LINES * 40
    path = _write(tmp_path / "DOLS_820_20240401_20260331.csv", b"Id,Name,Code", lines)
    read = read_by_contract(path, HEADER)
    assert read.whole_file == path
    assert read.batches == []
    rows, _ = _expected(lines)
    assert [(number, *[value or "" for value in values]) for number, *values in _loaded(path)] \
        == [(number, *rows[number]) for number in sorted(rows)]


@pytest.mark.parametrize(
    ("header", "spoiler"),
    [
        (b"Id,Name,Code", b"5,Cat,E\r"),  # a CRLF line end: plain, but DuckDB is given LF
        (b"Id,Name,Code", b'6,Wini"fr"ed,F'),  # not plain: Python reads it
        (b"Id,Name,Code", b""),  # blank: no record, the next line keeps its number
        (b'"Id",Name,Code', b"5,Cat,E"),  # a quoted header: DuckDB might read it otherwise
    ],
)
def test_a_file_with_any_other_line_is_read_from_its_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, header: bytes, spoiler: bytes
) -> None:
    monkeypatch.setattr(csv_contract, "SCAN_BYTES", 64)
    lines = [*PLAIN_LINES * 20, spoiler, *PLAIN_LINES * 20]
    path = _write(tmp_path / "DOLS_820_20240401_20260331.csv", header, lines)
    read = read_by_contract(path, HEADER)
    assert read.whole_file is None
    assert read.batches
    rows, _ = _expected(lines)
    assert [(number, *[value or "" for value in values]) for number, *values in _loaded(path)] \
        == [(number, *rows[number]) for number in sorted(rows)]
