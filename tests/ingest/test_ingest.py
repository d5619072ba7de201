from pathlib import Path

import duckdb
import pytest

from asc_warehouse.ingest.extracts import load_extracts
from asc_warehouse.ingest.landing import parse_extract_name
from asc_warehouse.ingest.pseudonymise import keyed_hasher
from tests.cld_files import PERSON, cld_row, write_cld_file

KEY = "test-key"
NAME = "CLD_821_20240401_20260331_R2.csv"


def _load(tmp_path: Path, *files: Path):
    extracts = [parse_extract_name(path) for path in files]
    return load_extracts(tmp_path / "build.duckdb", extracts, KEY)


def _query(tmp_path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(tmp_path / "build.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_rows_are_loaded_pseudonymised_and_audited(tmp_path: Path) -> None:
    rows = [cld_row(), cld_row(**{"Event Reference": "EVT2"})]
    path = write_cld_file(tmp_path / "landing" / NAME, rows)
    [result] = _load(tmp_path, path)
    assert (result.status, result.rows_in, result.rows_loaded, result.rows_quarantined) == (
        "loaded", 2, 2, 0,
    )
    [(nhs, local, birth_month, district, row_number)] = _query(
        tmp_path,
        "select nhs_number_pseudo, la_person_id_pseudo, birth_month, postcode_district, "
        "source_row_number from raw.cld_events where event_reference = 'EVT1'",
    )
    assert nhs == keyed_hasher(KEY)(PERSON["NHS Number"])
    assert local == keyed_hasher(KEY)(PERSON["LA Person Unique Identifier"])
    assert str(birth_month) == "1941-07-01"
    assert district == "ME4"
    assert row_number == 2  # the header is row 1


def test_no_raw_identifier_is_stored(tmp_path: Path) -> None:
    path = write_cld_file(tmp_path / "landing" / NAME, [cld_row()])
    _load(tmp_path, path)
    columns = _query(
        tmp_path,
        "select table_schema, table_name, column_name from information_schema.columns "
        "where data_type = 'VARCHAR'",
    )
    forbidden = ["9434765919", "943 476 5919", "MOSAIC-000123", "Winifred", "Ashdown",
                 "ME4 4TR", "1941-07-19", "Rochester Riverside Surgery"]
    for schema, table, column in columns:
        values = {row[0] for row in _query(tmp_path, f'select "{column}" from {schema}.{table}')}
        for value in values:
            assert not any(secret in (value or "") for secret in forbidden), (table, column, value)


def test_unusable_rows_are_quarantined_and_nothing_is_lost(tmp_path: Path) -> None:
    rows = [
        cld_row(),
        cld_row(**{"Event Reference": "EVT2", "NHS Number": "", "LA Person Unique Identifier": ""}),
        cld_row(**{"Event Reference": "EVT3", "Event Start Date": "2025-02-30"}),
        cld_row(**{"Event Reference": "EVT4", "Event Start Date": ""}),
    ]
    path = write_cld_file(tmp_path / "landing" / NAME, rows)
    [result] = _load(tmp_path, path)
    assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (4, 1, 3)
    quarantined = _query(
        tmp_path, "select file_name, source_row_number, field, reason from ops.quarantine "
        "order by source_row_number",
    )
    assert [(row[0], row[1], row[2]) for row in quarantined] == [
        (NAME, 3, "NHS Number / LA Person Unique Identifier"),
        (NAME, 4, "Event Start Date"),
        (NAME, 5, "Event Start Date"),
    ]
    assert quarantined[0][3].startswith("no person identifier")
    [(rows_in, loaded, held)] = _query(
        tmp_path, "select rows_in, rows_loaded, rows_quarantined from ops.load_audit"
    )
    assert rows_in == loaded + held == 4


def test_loading_the_same_file_twice_changes_nothing(tmp_path: Path) -> None:
    path = write_cld_file(tmp_path / "landing" / NAME, [cld_row()])
    _load(tmp_path, path)
    [again] = _load(tmp_path, path)
    assert again.status == "skipped"
    assert _query(tmp_path, "select count(*) from raw.cld_events") == [(1,)]
    assert _query(tmp_path, "select count(*) from ops.load_audit") == [(1,)]


def test_a_file_with_a_wrong_header_is_rejected_and_others_still_load(tmp_path: Path) -> None:
    header = [name for name in cld_row() if name != "Event Type"] + ["Event Kind"]
    bad = write_cld_file(tmp_path / "landing" / "CLD_820_20240401_20260331_R2.csv",
                         [{**cld_row(), "Event Kind": "Service"}], header=header)
    good = write_cld_file(tmp_path / "landing" / NAME, [cld_row()])
    bad_result, good_result = _load(tmp_path, bad, good)
    assert bad_result.status == "rejected"
    assert "missing ['Event Type']" in bad_result.message
    assert "unexpected ['Event Kind']" in bad_result.message
    assert good_result.status == "loaded"
    assert _query(tmp_path, "select distinct council_code from raw.cld_events") == [("821",)]


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"", "file is empty"), (b"\xff\xfeN\x00", "not UTF-8")],
)
def test_empty_or_non_utf8_files_are_rejected(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "landing" / NAME
    path.parent.mkdir()
    path.write_bytes(content)
    [result] = _load(tmp_path, path)
    assert result.status == "rejected"
    assert reason in result.message


def test_a_rejected_file_raises_a_blocking_alert(settings) -> None:
    from asc_warehouse.alerts.log import read_alerts
    from asc_warehouse.pipeline import nightly

    settings.landing_dir.mkdir(parents=True)
    (settings.landing_dir / NAME).write_bytes(b"")
    write_cld_file(settings.landing_dir / "CLD_820_20240401_20260331_R2.csv", [cld_row()])
    (settings.landing_dir / "extract.csv").write_text("x")
    results = nightly.load_new_extracts(nightly.find_new_extracts(), "run-7")
    assert sorted(r["status"] for r in results) == ["loaded", "rejected", "rejected"]
    alerts = read_alerts(settings.warehouse_dir)
    assert {(a["source"], a["severity"], a["run_id"]) for a in alerts} == {
        (NAME, "blocking", "run-7"), ("extract.csv", "blocking", "run-7"),
    }
    [empty] = [a for a in alerts if a["source"] == NAME]
    assert empty["council_code"] == "821"
    assert "file is empty (no header row)" in empty["message"]


def test_the_portals_la_code_and_an_unknown_column_are_ignored_with_a_warning(
    tmp_path: Path,
) -> None:
    header = ["LA Code", *cld_row(), "Team Notes"]
    rows = [{**cld_row(), "LA Code": "821", "Team Notes": "x"},
            {**cld_row(**{"Event Reference": "EVT2"}), "LA Code": "821", "Team Notes": ""}]
    path = write_cld_file(tmp_path / "landing" / NAME, rows, header=header)
    [result] = _load(tmp_path, path)
    assert (result.status, result.rows_in, result.rows_loaded) == ("loaded", 2, 2)
    assert result.message == "ignored columns not in the field list: LA Code, Team Notes"
    assert _query(tmp_path, "select status, message from ops.load_audit") == [
        ("loaded", result.message)]


def test_a_missing_optional_column_is_read_as_blank_with_a_warning(tmp_path: Path) -> None:
    header = [name for name in cld_row() if name not in {"Event End Date", "NHS Number"}]
    path = write_cld_file(tmp_path / "landing" / NAME, [cld_row()], header=header)
    [result] = _load(tmp_path, path)
    assert (result.status, result.rows_loaded) == ("loaded", 1)
    assert result.message == (
        "missing optional columns read as blank: NHS Number, Event End Date")
    assert _query(tmp_path, "select nhs_number_pseudo, event_end_date, event_start_date "
                            "from raw.cld_events") == [(None, None, "2025-01-06")]


@pytest.mark.parametrize("mandatory", ["Postcode", "Event Start Date", "Reporting Period End Date"])
def test_a_file_without_a_column_mandatory_for_every_event_type_is_rejected(
    tmp_path: Path, mandatory: str
) -> None:
    header = [name for name in cld_row() if name != mandatory] + ["LA Code"]
    path = write_cld_file(tmp_path / "landing" / NAME, [cld_row()], header=header)
    [result] = _load(tmp_path, path)
    assert result.status == "rejected"
    assert f"missing ['{mandatory}'], unexpected ['LA Code']" in result.message
    assert _query(tmp_path, "select count(*) from raw.cld_events") == [(0,)]


def test_a_column_mandatory_for_some_event_types_only_is_optional_in_the_header(
    tmp_path: Path,
) -> None:
    """Service Type is mandatory for services only (seeds/cld_field_rules.csv): a file of
    requests may leave it out."""
    request = cld_row(**{"Event Type": "Request", "Service Type": "", "Service Component": "",
                         "Delivery Mechanism": "", "Request: Route of Access": "Community"})
    header = [name for name in request if name != "Service Type"]
    path = write_cld_file(tmp_path / "landing" / NAME, [request], header=header)
    [result] = _load(tmp_path, path)
    assert result.status == "loaded"
    assert "Service Type" in result.message
