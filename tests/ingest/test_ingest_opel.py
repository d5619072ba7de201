"""The OPEL loader: clean rows load, every unusable row is quarantined with its exact reason,
nothing is lost (rows in = loaded + quarantined), and whole-file faults reject the file."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from asc_warehouse.ingest.extracts import load_extracts
from asc_warehouse.ingest.landing import parse_extract_name
from asc_warehouse.ingest.loading import LoadResult
from asc_warehouse.ingest.opel import OPEL_HEADER
from tests.cld_files import cld_row, write_cld_file

NAME = "OPEL_820_20260331.csv"
STAFFING = {
    "Updated At": "2026-03-31 09:15",
    "Area": "East Kent",
    "Team or Location": "East Kent Short-term Pathway Team",
    "Indicator": "staffing_pct",
    "Value": "82.5",
    "Total Beds": "",
    "Occupied Beds": "",
}
CASELOAD = {**STAFFING, "Indicator": "caseload", "Value": "164"}
BEDS = {
    **STAFFING,
    "Team or Location": "East Kent assessment beds",
    "Indicator": "assessment_beds_available",
    "Value": "",
    "Total Beds": "12",
    "Occupied Beds": "10",
}
KEAH = {**STAFFING, "Team or Location": "KEaH patch 1", "Indicator": "keah_capacity",
        "Value": "limited capacity"}
D2A_DISCHARGED = {**STAFFING, "Area": "West Kent", "Team or Location": "D2A Pathway One",
                  "Indicator": "d2a_discharged_yesterday", "Value": "4"}


def _csv_text(rows: list[dict[str, str]], header: tuple[str, ...] = OPEL_HEADER) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def write_opel_file(path: Path, rows: list[dict[str, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_csv_text(rows), encoding="utf-8")
    return path


def _load(tmp_path: Path, *paths: Path) -> list[LoadResult]:
    extracts = [parse_extract_name(path) for path in paths]
    return load_extracts(tmp_path / "build.duckdb", extracts, "key")


def _query(tmp_path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(tmp_path / "build.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def _quarantine(tmp_path: Path) -> list[tuple]:
    return _query(
        tmp_path,
        "select source_row_number, field, reason, submitted_value from ops.quarantine "
        "order by source_row_number, field, reason",
    )


def test_a_clean_file_loads_every_row_with_its_lineage(tmp_path: Path) -> None:
    rows = [STAFFING, CASELOAD, BEDS, KEAH, D2A_DISCHARGED,
            {**STAFFING, "Value": " 47 ", "Updated At": "2026-03-31 14:05"}]
    [result] = _load(tmp_path, write_opel_file(tmp_path / NAME, rows))
    assert (result.status, result.rows_in, result.rows_loaded, result.rows_quarantined) == (
        "loaded", 6, 6, 0,
    )
    loaded = _query(
        tmp_path,
        "select source_row_number, council_code, source_file, report_date, updated_at, area, "
        "team_or_location, indicator_code, value, total_beds, occupied_beds "
        "from raw.opel_updates order by source_row_number",
    )
    assert loaded[0] == (
        2, "820", NAME, date(2026, 3, 31), datetime(2026, 3, 31, 9, 15), "East Kent",
        "East Kent Short-term Pathway Team", "staffing_pct", "82.5", None, None,
    )
    assert loaded[2][8:] == (None, 12, 10)  # beds: blank value, counts as integers
    assert loaded[5][4:] == (datetime(2026, 3, 31, 14, 5), "East Kent",
                             "East Kent Short-term Pathway Team", "staffing_pct", "47", None, None)
    assert _query(
        tmp_path,
        "select feed, release, status, reporting_period_start, reporting_period_end, rows_in, "
        "rows_loaded, rows_quarantined from ops.load_audit",
    ) == [("opel", "-", "loaded", date(2026, 3, 31), date(2026, 3, 31), 6, 6, 0)]


def test_raw_table_has_the_documented_columns(tmp_path: Path) -> None:
    _load(tmp_path, write_opel_file(tmp_path / NAME, [STAFFING]))
    columns = _query(
        tmp_path,
        "select column_name, data_type from information_schema.columns "
        "where table_schema = 'raw' and table_name = 'opel_updates' order by ordinal_position",
    )
    assert columns == [
        ("council_code", "VARCHAR"), ("load_id", "VARCHAR"), ("source_file", "VARCHAR"),
        ("source_row_number", "BIGINT"), ("loaded_at", "TIMESTAMP"), ("report_date", "DATE"),
        ("updated_at", "TIMESTAMP"), ("area", "VARCHAR"), ("team_or_location", "VARCHAR"),
        ("indicator_code", "VARCHAR"), ("value", "VARCHAR"), ("total_beds", "INTEGER"),
        ("occupied_beds", "INTEGER"),
    ]


NOT_A_TIME = "Updated At is not a time in YYYY-MM-DD HH:MM form"
NOT_A_NUMBER = "Value is not a number"
NOT_KEAH = "Value is blank or not a keah_capacity category in seeds/opel_thresholds.csv"

# (id, base row, overrides, [(field, reason, value shown)])
ROW_FAULTS = [
    ("blank updated at", STAFFING, {"Updated At": " "},
     [("Updated At", "Updated At is blank", None)]),
    ("uk date", STAFFING, {"Updated At": "31/03/2026 09:15"},
     [("Updated At", NOT_A_TIME, "31/03/2026 09:15")]),
    ("seconds", STAFFING, {"Updated At": "2026-03-31 09:15:00"},
     [("Updated At", NOT_A_TIME, "2026-03-31 09:15:00")]),
    ("one-digit hour", STAFFING, {"Updated At": "2026-03-31 9:15"},
     [("Updated At", NOT_A_TIME, "2026-03-31 9:15")]),
    ("impossible time", STAFFING, {"Updated At": "2026-03-31 24:10"},
     [("Updated At", NOT_A_TIME, "2026-03-31 24:10")]),
    ("another day", STAFFING, {"Updated At": "2026-03-30 16:45"},
     [("Updated At", "Updated At is not on the report date in the file name",
       "2026-03-30 16:45")]),
    ("unknown indicator", STAFFING, {"Indicator": "staffing"},
     [("Indicator", "Indicator is blank or not an indicator code in seeds/opel_indicators.csv",
       "staffing")]),
    ("blank indicator", STAFFING, {"Indicator": ""},
     [("Indicator", "Indicator is blank or not an indicator code in seeds/opel_indicators.csv",
       None)]),
    ("unknown area", STAFFING, {"Area": "Kent"},
     [("Area", "Area is blank or not an area of the council in seeds/opel_reporting_units.csv",
       "Kent")]),
    ("blank percent", STAFFING, {"Value": ""},
     [("Value", "Value is blank; the indicator needs a number", None)]),
    ("percent sign", STAFFING, {"Value": "85%"}, [("Value", NOT_A_NUMBER, "85%")]),
    ("negative percent", STAFFING, {"Value": "-5"}, [("Value", "Value is negative", "-5")]),
    ("blank count", CASELOAD, {"Value": ""},
     [("Value", "Value is blank; the indicator needs a number", None)]),
    ("words for a count", CASELOAD, {"Value": "twelve"}, [("Value", NOT_A_NUMBER, "twelve")]),
    ("negative count", CASELOAD, {"Value": "-3"}, [("Value", "Value is negative", "-3")]),
    ("fractional count", D2A_DISCHARGED, {"Value": "2.5"},
     [("Value", "Value is not a whole number; the indicator is a count", "2.5")]),
    ("unknown category", KEAH, {"Value": "full"}, [("Value", NOT_KEAH, "full")]),
    ("category in other case", KEAH, {"Value": "Good capacity"},
     [("Value", NOT_KEAH, "Good capacity")]),
    ("blank category", KEAH, {"Value": ""}, [("Value", NOT_KEAH, None)]),
    ("blank total beds", BEDS, {"Total Beds": ""},
     [("Total Beds", "Total Beds is blank", None)]),
    ("blank occupied beds", BEDS, {"Occupied Beds": ""},
     [("Occupied Beds", "Occupied Beds is blank", None)]),
    ("fractional total beds", BEDS, {"Total Beds": "12.5"},
     [("Total Beds", "Total Beds is not a whole number", "12.5")]),
    ("words for occupied beds", BEDS, {"Occupied Beds": "ten"},
     [("Occupied Beds", "Occupied Beds is not a whole number", "ten")]),
    ("negative occupied beds", BEDS, {"Occupied Beds": "-1"},
     [("Occupied Beds", "Occupied Beds is negative", "-1")]),
    # A negative total is also exceeded by any occupied count: both reasons are recorded.
    ("negative total beds", BEDS, {"Total Beds": "-1", "Occupied Beds": "0"},
     [("Occupied Beds", "Occupied Beds is more than Total Beds", "0"),
      ("Total Beds", "Total Beds is negative", "-1")]),
    ("more occupied than beds", BEDS, {"Occupied Beds": "13"},
     [("Occupied Beds", "Occupied Beds is more than Total Beds", "13")]),
]


@pytest.mark.parametrize(("fault", "base", "fields", "expected"), ROW_FAULTS,
                         ids=[fault for fault, *_ in ROW_FAULTS])
def test_unusable_row_is_quarantined_with_its_reason(
    tmp_path: Path, fault: str, base: dict[str, str], fields: dict[str, str],
    expected: list[tuple[str, str, str | None]],
) -> None:
    rows = [base, {**base, **fields}, base]
    [result] = _load(tmp_path, write_opel_file(tmp_path / NAME, rows))
    assert (result.status, result.rows_in, result.rows_loaded, result.rows_quarantined) == (
        "loaded", 3, 2, 1,
    )
    assert _quarantine(tmp_path) == [(3, *entry) for entry in expected]
    assert _query(tmp_path, "select source_row_number from raw.opel_updates "
                            "order by 1") == [(2,), (4,)]


def test_values_that_fit_their_kind_are_not_quarantined(tmp_path: Path) -> None:
    """Edges the rules must let through: overstaffing, zero, a full location, no discharges."""
    rows = [
        {**STAFFING, "Value": "104.2"},
        {**STAFFING, "Value": "0"},
        {**CASELOAD, "Value": "0"},
        {**BEDS, "Total Beds": "12", "Occupied Beds": "12"},
        {**D2A_DISCHARGED, "Value": "0"},
        {**KEAH, "Value": "no capacity"},
        {**STAFFING, "Updated At": "2026-03-31 00:00"},
        {**STAFFING, "Updated At": "2026-03-31 23:59"},
    ]
    [result] = _load(tmp_path, write_opel_file(tmp_path / NAME, rows))
    assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (8, 8, 0)


def test_a_row_breaking_several_rules_is_counted_once(tmp_path: Path) -> None:
    rows = [STAFFING, {**STAFFING, "Updated At": "", "Area": "Kent", "Value": "lots"}]
    [result] = _load(tmp_path, write_opel_file(tmp_path / NAME, rows))
    assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (2, 1, 1)
    assert [(row[0], row[1]) for row in _quarantine(tmp_path)] == [
        (3, "Area"), (3, "Updated At"), (3, "Value"),
    ]


def test_areas_are_checked_against_the_files_council(tmp_path: Path) -> None:
    """Medway (821) has no OPEL reporting units in the seed, so no area of it is known."""
    path = write_opel_file(tmp_path / "OPEL_821_20260331.csv", [STAFFING])
    [result] = _load(tmp_path, path)
    assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (1, 0, 1)
    assert [row[1] for row in _quarantine(tmp_path)] == ["Area"]


def _write_lines(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def _lines(rows: list[dict[str, str]]) -> list[bytes]:
    return [line.encode("utf-8") for line in _csv_text(rows).splitlines()]


def test_row_with_missing_fields_is_quarantined_and_later_rows_keep_their_line(
    tmp_path: Path,
) -> None:
    lines = _lines([STAFFING, CASELOAD, {**STAFFING, "Value": "71"}])
    lines[2] = b",".join(lines[2].split(b",")[:3])
    [result] = _load(tmp_path, _write_lines(tmp_path / NAME, lines))
    assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (3, 2, 1)
    [(line, _, reason, value)] = _quarantine(tmp_path)
    assert (line, value) == (3, None)
    assert reason.startswith("unreadable row: missing columns")
    assert _query(tmp_path, "select source_row_number from raw.opel_updates "
                            "where value = '71'") == [(4,)]


def test_row_that_is_not_utf8_is_quarantined(tmp_path: Path) -> None:
    lines = _lines([STAFFING, {**STAFFING, "Team or Location": "MARKER"}])
    lines[2] = lines[2].replace(b"MARKER", b"Ash\xe9ford team")  # Latin-1 e-acute
    [result] = _load(tmp_path, _write_lines(tmp_path / NAME, lines))
    assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (2, 1, 1)
    [(line, _, reason, _)] = _quarantine(tmp_path)
    assert line == 3 and reason.startswith("unreadable row: invalid encoding")


def _good_file(tmp_path: Path) -> Path:
    return write_opel_file(tmp_path / NAME, [BEDS, STAFFING])


def _semicolons(tmp_path: Path) -> Path:
    return _write_lines(tmp_path / NAME, [line.replace(b",", b";") for line in _lines([STAFFING])])


def _no_header(tmp_path: Path) -> Path:
    return _write_lines(tmp_path / NAME, _lines([STAFFING, CASELOAD])[1:])


def _renamed_column(tmp_path: Path) -> Path:
    header = (*OPEL_HEADER[:-1], "Beds Occupied")
    rows = [{**STAFFING, "Beds Occupied": ""}]
    (tmp_path / NAME).write_text(_csv_text(rows, header), encoding="utf-8")
    return tmp_path / NAME


def _cld_file_named_as_opel(tmp_path: Path) -> Path:
    return write_cld_file(tmp_path / NAME, [cld_row()])


def _truncated(tmp_path: Path) -> Path:
    path = _good_file(tmp_path)
    content = path.read_bytes()
    # Cut inside the last row's Team or Location: three of seven fields, no line end.
    path.write_bytes(content[: content.rindex(b"Short-term")])
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
    return _write_lines(tmp_path / NAME, _lines([STAFFING])[:1])


FILE_FAULTS = [
    (_semicolons, "wrong delimiter: the header is separated by ';', not ','"),
    (_no_header, "missing header: the first row holds none of the OPEL field names"),
    (_renamed_column, "header does not match the OPEL field list; missing ['Occupied Beds'], "
                      "unexpected ['Beds Occupied']"),
    (_cld_file_named_as_opel, "missing header: the first row holds none of the OPEL field names"),
    (_truncated, "truncated: the last row has 3 of 7 fields and no line end"),
    (_wrong_manifest, "checksum does not match " + NAME + ".sha256"),
    (_empty, "file is empty (no header row)"),
    (_header_only, "has a header but no data rows"),
]


@pytest.mark.parametrize(("make", "message"), FILE_FAULTS, ids=[m.__name__ for m, _ in FILE_FAULTS])
def test_whole_file_fault_rejects_the_file_and_loads_nothing(
    tmp_path: Path, make, message: str
) -> None:
    [result] = _load(tmp_path, make(tmp_path))
    assert result.status == "rejected"
    assert result.message.startswith(NAME + ": ")
    assert message in result.message
    assert _query(tmp_path, "select count(*) from raw.opel_updates") == [(0,)]
    assert _query(tmp_path, "select count(*) from ops.quarantine") == [(0,)]
    assert _query(tmp_path, "select feed, status, message from ops.load_audit") == [
        ("opel", "rejected", result.message)
    ]


def test_matching_manifest_is_accepted(tmp_path: Path) -> None:
    path = _good_file(tmp_path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    (tmp_path / (NAME + ".sha256")).write_text(f"{digest}  {NAME}\n")
    assert _load(tmp_path, path)[0].status == "loaded"


def test_both_feeds_load_together_each_into_its_own_table(tmp_path: Path) -> None:
    cld = write_cld_file(tmp_path / "CLD_820_20240401_20260331_R2.csv", [cld_row()])
    opel = write_opel_file(tmp_path / NAME, [STAFFING, KEAH])
    results = _load(tmp_path, cld, opel)
    assert [(r.file_name, r.status, r.rows_loaded) for r in results] == [
        (cld.name, "loaded", 1), (NAME, "loaded", 2),
    ]
    assert _query(tmp_path, "select count(*) from raw.cld_events") == [(1,)]
    assert _query(tmp_path, "select count(*) from raw.opel_updates") == [(2,)]
    assert _query(tmp_path, "select feed, release from ops.load_audit order by feed") == [
        ("cld", "R2"), ("opel", "-"),
    ]


def test_loading_the_same_opel_file_twice_changes_nothing(tmp_path: Path) -> None:
    path = write_opel_file(tmp_path / NAME, [STAFFING])
    _load(tmp_path, path)
    [again] = _load(tmp_path, path)
    assert again.status == "skipped"
    assert _query(tmp_path, "select count(*) from raw.opel_updates") == [(1,)]
    assert _query(tmp_path, "select count(*) from ops.load_audit") == [(1,)]


def test_a_rewritten_day_file_supersedes_the_rows_of_its_earlier_version(tmp_path: Path) -> None:
    """The resilience system rewrites the day's file as updates come in (10:45, then 15:45)."""
    morning = write_opel_file(tmp_path / "morning" / NAME, [STAFFING])
    afternoon_row = STAFFING | {"Updated At": "2026-03-31 14:20", "Value": "45.0"}
    afternoon = write_opel_file(tmp_path / "afternoon" / NAME, [STAFFING, afternoon_row])
    _load(tmp_path, morning)
    [result] = _load(tmp_path, afternoon)
    assert (result.status, result.rows_loaded) == ("loaded", 2)
    assert _query(tmp_path, "select updated_at, value from raw.opel_updates order by 1") == [
        (datetime(2026, 3, 31, 9, 15), "82.5"), (datetime(2026, 3, 31, 14, 20), "45.0")]
    assert _query(tmp_path, "select count(*) from ops.load_audit") == [(2,)]
