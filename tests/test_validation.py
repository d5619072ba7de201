import json
from pathlib import Path

import duckdb
import pytest

from asc_warehouse.config import EXPECTATIONS_DIR
from asc_warehouse.validation import (
    DataQualityError,
    code_list_values,
    load_suite,
    resolve_parameters,
    run_suite,
    validate_schema,
)

SUITE_FILES = sorted(EXPECTATIONS_DIR.glob("*.json"))


@pytest.mark.parametrize("path", SUITE_FILES, ids=[path.stem for path in SUITE_FILES])
def test_every_expectation_in_every_suite_is_valid(path: Path) -> None:
    """GX silently drops an invalid expectation; count them in and out of GX."""
    import great_expectations as gx

    suite = load_suite(path)
    resolve_parameters(suite)  # every parameter names a real code list
    loaded = gx.ExpectationSuite(name=suite.name, expectations=suite.expectations)
    assert len(loaded.expectations) == len(json.loads(path.read_text())["expectations"]) > 0


def test_code_list_parameters_come_from_the_seed() -> None:
    assert set(code_list_values("event_type", "r2")) == {
        "Request", "Assessment", "Service", "Review",
    }


def _database(tmp_path: Path, event_types: list[str]) -> Path:
    path = tmp_path / "check.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema raw")
        con.execute("create table raw.events (event_type varchar, n integer)")
        con.executemany("insert into raw.events values (?, 1)", [[t] for t in event_types])
    return path


def _suite_file(folder: Path, severity: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / f"raw_events_{severity}.json"
    path.write_text(json.dumps({
        "name": f"raw_events_{severity}",
        "meta": {"asc": {"table": "raw.events", "severity": severity}},
        "expectations": [{
            "type": "expect_column_values_to_be_in_set",
            "kwargs": {"column": "event_type",
                       "value_set": {"$PARAMETER": "code_list__event_type__r2"}},
        }],
    }))
    return path


def test_a_value_outside_the_code_list_fails_and_is_reported(tmp_path: Path) -> None:
    database = _database(tmp_path, ["Service", "Review", "Banana"])
    result = run_suite(database, load_suite(_suite_file(tmp_path / "suites", "blocking")))
    assert not result.success
    [check] = result.failed
    assert (check.column, check.unexpected_count) == ("event_type", 1)
    assert "Banana" in (check.observed_value or "")


def test_a_failing_blocking_suite_raises(tmp_path: Path) -> None:
    database = _database(tmp_path, ["Banana"])
    suites = tmp_path / "suites"
    _suite_file(suites, "blocking")
    with pytest.raises(DataQualityError, match="raw_events_blocking"):
        validate_schema(database, "raw", suites)


def test_a_failing_warning_suite_does_not_raise(tmp_path: Path) -> None:
    database = _database(tmp_path, ["Banana"])
    suites = tmp_path / "suites"
    _suite_file(suites, "warning")
    [result] = validate_schema(database, "raw", suites)
    assert not result.success and result.severity == "warning"
