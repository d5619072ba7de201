"""GX suites of the person-level raw tables: code lists come from the feeds' seeds, empty tables
pass (a council may not send a feed), and a row the loader should have stopped blocks."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from asc_warehouse.config import EXPECTATIONS_DIR
from asc_warehouse.ingest.person_feeds import ensure_person_feed_schema, feed_code_list
from asc_warehouse.quality.validation import (
    DataQualityError,
    load_suite,
    raise_for_blocking,
    resolve_parameters,
    run_suite,
)

SUITES = {
    "raw.hospital_discharges": "raw_hospital_discharges.json",
    "raw.safeguarding_concerns": "raw_safeguarding_concerns.json",
    "raw.dols_applications": "raw_dols_applications.json",
}


def test_feed_code_list_parameters_come_from_the_seed() -> None:
    suite = load_suite(EXPECTATIONS_DIR / SUITES["raw.dols_applications"])
    parameters = resolve_parameters(suite)
    assert parameters["feed_code_list__dols__outcome"] == ["Granted", "Not granted", "Withdrawn"]
    assert feed_code_list("hospital", "delay_responsibility") == ("NHS", "Social Care", "Both")
    with pytest.raises(ValueError, match="no code list for feed 'dols' column 'care_home'"):
        feed_code_list("dols", "care_home")
    with pytest.raises(ValueError, match="no code list for feed 'opel'"):
        feed_code_list("opel", "value")


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "build.duckdb"
    with duckdb.connect(str(path)) as con:
        ensure_person_feed_schema(con)
    return path


@pytest.mark.parametrize("table", list(SUITES))
def test_an_empty_feed_table_passes(database: Path, table: str) -> None:
    result = run_suite(database, load_suite(EXPECTATIONS_DIR / SUITES[table]))
    assert result.success and result.checks


def test_a_row_the_loader_should_have_stopped_blocks_publication(database: Path) -> None:
    with duckdb.connect(str(database)) as con:
        con.execute(
            "insert into raw.dols_applications (council_code, load_id, source_file, "
            "source_row_number, loaded_at, application_id_pseudo, nhs_number_check, "
            "received_date, application_type, care_setting, completed_date, outcome) values "
            "('820', 'L', 'f.csv', 2, now(), 'a', 'blank', date '2025-01-10', 'Standard', "
            "'Community', date '2025-01-09', 'Granted')"
        )
    result = run_suite(database, load_suite(EXPECTATIONS_DIR / SUITES["raw.dols_applications"]),
                       "820")
    failed = {(check.expectation, check.column) for check in result.failed}
    assert failed == {
        ("expect_column_values_to_be_in_set", "care_setting"),
        ("expect_column_pair_values_a_to_be_greater_than_b", None),
    }
    with pytest.raises(DataQualityError, match="raw_dols_applications"):
        raise_for_blocking([result], "raw")
