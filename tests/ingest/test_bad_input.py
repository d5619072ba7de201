"""Every class of bad input: the exact reason recorded, and rows in = loaded + quarantined."""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

import duckdb
import pytest

from asc_warehouse.ingest.extracts import load_extracts
from asc_warehouse.ingest.landing import LandingContractError, parse_extract_name
from tests.cld_files import cld_row, write_cld_file

NAME = "CLD_820_20240401_20260331_R2.csv"


def _load_one(tmp_path: Path, path: Path):
    [result] = load_extracts(tmp_path / "build.duckdb", [parse_extract_name(path)], "key")
    return result


def _quarantine(tmp_path: Path) -> list[tuple]:
    with duckdb.connect(str(tmp_path / "build.duckdb"), read_only=True) as con:
        return con.execute(
            "select source_row_number, field, reason, submitted_value from ops.quarantine "
            "order by source_row_number, field"
        ).fetchall()


ROW_FAULTS = [
    ("no identifier", {"NHS Number": "", "LA Person Unique Identifier": ""},
     "NHS Number / LA Person Unique Identifier",
     "no person identifier: LA Person Unique Identifier is blank and NHS Number is blank or "
     "fails its check digit"),
    ("bad check digit, no local id",
     {"NHS Number": "9434765918", "LA Person Unique Identifier": ""},
     "NHS Number / LA Person Unique Identifier",
     "no person identifier: LA Person Unique Identifier is blank and NHS Number is blank or "
     "fails its check digit"),
    ("unknown event type", {"Event Type": "Visit"}, "Event Type",
     "Event Type is blank or not a CLD event type"),
    ("blank start", {"Event Start Date": ""}, "Event Start Date", "Event Start Date is blank"),
    ("unparseable start", {"Event Start Date": "06/01/2025"}, "Event Start Date",
     "Event Start Date is not a date in YYYY-MM-DD form"),
    ("impossible end", {"Event End Date": "2025-02-30"}, "Event End Date",
     "Event End Date is not a date in YYYY-MM-DD form"),
    ("unparseable birth", {"Date of Birth": "19 July 1941"}, "Date of Birth",
     "Date of Birth is not a date in YYYY-MM-DD form"),
    ("unparseable death", {"Date of Death": "2025-13-01"}, "Date of Death",
     "Date of Death is not a date in YYYY-MM-DD form"),
    ("ancient start", {"Event Start Date": "1899-12-31"}, "Event Start Date",
     "Event Start Date is before 1900-01-01: impossible"),
    ("future birth", {"Date of Birth": "2026-04-01"}, "Date of Birth",
     "Date of Birth is after the period end in the file name: it cannot have happened yet"),
    ("end before start", {"Event Start Date": "2025-03-01", "Event End Date": "2025-02-28"},
     "Event End Date", "Event End Date is before Event Start Date"),
    ("death before birth", {"Date of Death": "1940-01-01"}, "Date of Death",
     "Date of Death is before Date of Birth"),
]


@pytest.mark.parametrize(("fault", "fields", "field", "reason"), ROW_FAULTS,
                         ids=[fault for fault, *_ in ROW_FAULTS])
def test_unusable_row_is_quarantined_with_its_reason(
    tmp_path: Path, fault: str, fields: dict[str, str], field: str, reason: str
) -> None:
    rows = [cld_row(), cld_row(**{"Event Reference": "BAD", **fields}), cld_row()]
    result = _load_one(tmp_path, write_cld_file(tmp_path / NAME, rows))
    assert (result.status, result.rows_in, result.rows_loaded, result.rows_quarantined) == (
        "loaded", 3, 2, 1,
    )
    assert [(row[0], row[1], row[2]) for row in _quarantine(tmp_path)] == [(3, field, reason)]


def test_unknown_event_type_value_is_shown_but_identifiers_never_are(tmp_path: Path) -> None:
    rows = [cld_row(**{"Event Type": "Visit"}), cld_row(**{"NHS Number": "",
                                                         "LA Person Unique Identifier": ""})]
    _load_one(tmp_path, write_cld_file(tmp_path / NAME, rows))
    assert [row[3] for row in _quarantine(tmp_path)] == ["Visit", None]


def _write_lines(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def _csv_lines(rows: list[dict[str, str]]) -> list[bytes]:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return [line.encode("utf-8") for line in buffer.getvalue().splitlines()]


def test_row_that_is_not_utf8_is_quarantined_with_its_line(tmp_path: Path) -> None:
    lines = _csv_lines([cld_row(), cld_row(**{"Last Name": "MARKER"}), cld_row()])
    lines[2] = lines[2].replace(b"MARKER", b"Ash\xe9down")  # Latin-1 e-acute
    result = _load_one(tmp_path, _write_lines(tmp_path / NAME, lines))
    assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (3, 2, 1)
    [(line, _, reason, value)] = _quarantine(tmp_path)
    assert line == 3 and value is None
    assert reason.startswith("unreadable row: invalid encoding")


def test_row_with_missing_fields_is_quarantined_and_later_rows_keep_their_line(
    tmp_path: Path,
) -> None:
    lines = _csv_lines([cld_row(), cld_row(), cld_row(**{"Event Reference": "LAST"})])
    lines[2] = b",".join(lines[2].split(b",")[:5])
    result = _load_one(tmp_path, _write_lines(tmp_path / NAME, lines))
    assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (3, 2, 1)
    [(line, _, reason, _)] = _quarantine(tmp_path)
    assert line == 3 and reason.startswith("unreadable row: missing columns")
    with duckdb.connect(str(tmp_path / "build.duckdb"), read_only=True) as con:
        assert con.execute("select source_row_number from raw.cld_events "
                           "where event_reference = 'LAST'").fetchall() == [(4,)]


def _good_file(tmp_path: Path) -> Path:
    return write_cld_file(tmp_path / NAME, [cld_row(), cld_row()])


def _semicolons(tmp_path: Path) -> Path:
    lines = _csv_lines([cld_row()])
    return _write_lines(tmp_path / NAME, [line.replace(b",", b";") for line in lines])


def _no_header(tmp_path: Path) -> Path:
    return _write_lines(tmp_path / NAME, _csv_lines([cld_row(), cld_row()])[1:])


def _truncated(tmp_path: Path) -> Path:
    path = _good_file(tmp_path)
    path.write_bytes(path.read_bytes()[:-40])
    return path


def _wrong_manifest(tmp_path: Path) -> Path:
    path = _good_file(tmp_path)
    (tmp_path / (NAME + ".sha256")).write_text("0" * 64 + "  " + NAME + "\n")
    return path


def _empty(tmp_path: Path) -> Path:
    path = tmp_path / NAME
    path.write_bytes(b"")
    return path


def _header_only(tmp_path: Path) -> Path:
    return _write_lines(tmp_path / NAME, _csv_lines([cld_row()])[:1])


FILE_FAULTS = [
    (_semicolons, "wrong delimiter: the header is separated by ';', not ','"),
    (_no_header, "missing header: the first row holds none of the CLD field names"),
    (_truncated, "truncated: the last row has"),
    (_wrong_manifest, "checksum does not match " + NAME + ".sha256"),
    (_empty, "file is empty (no header row)"),
    (_header_only, "has a header but no data rows"),
]


@pytest.mark.parametrize(("make", "message"), FILE_FAULTS, ids=[m.__name__ for m, _ in FILE_FAULTS])
def test_whole_file_fault_rejects_the_file_and_loads_nothing(
    tmp_path: Path, make, message: str
) -> None:
    result = _load_one(tmp_path, make(tmp_path))
    assert result.status == "rejected"
    assert result.message.startswith(NAME + ": ")
    assert message in result.message
    with duckdb.connect(str(tmp_path / "build.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from raw.cld_events").fetchone() == (0,)
        assert con.execute("select status, message from ops.load_audit").fetchall() == [
            ("rejected", result.message)
        ]


def test_matching_manifest_is_accepted(tmp_path: Path) -> None:
    path = _good_file(tmp_path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    (tmp_path / (NAME + ".sha256")).write_text(f"{digest}  {NAME}\n")
    assert _load_one(tmp_path, path).status == "loaded"


def test_file_for_an_unknown_council_is_refused_by_name(tmp_path: Path) -> None:
    path = write_cld_file(tmp_path / "CLD_123_20240401_20260331_R2.csv", [cld_row()])
    with pytest.raises(LandingContractError, match="council 123 is not in seeds/ref_councils"):
        parse_extract_name(path)
