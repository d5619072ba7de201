import json
from pathlib import Path

import duckdb
import pytest

from asc_warehouse.config import EXPECTATIONS_DIR
from asc_warehouse.quality.validation import (
    DataQualityError,
    code_list_values,
    load_suite,
    raise_for_blocking,
    record_results,
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
    results = validate_schema(database, "raw", directory=suites)
    with pytest.raises(DataQualityError, match=r"raw_events_blocking \[all\]"):
        raise_for_blocking(results, "raw")


def test_a_failing_warning_suite_does_not_raise(tmp_path: Path) -> None:
    database = _database(tmp_path, ["Banana"])
    suites = tmp_path / "suites"
    _suite_file(suites, "warning")
    results = validate_schema(database, "raw", directory=suites)
    raise_for_blocking(results, "raw")
    [result] = results
    assert not result.success and result.severity == "warning"


def test_committed_code_list_suites_match_the_seeds(tmp_path: Path) -> None:
    """The suites are generated from seeds/cld_fields.csv; regenerate them when it changes."""
    from asc_warehouse.quality.expectation_suites import RELEASES, render, suite_path

    for release in RELEASES:
        assert suite_path(release).read_text(encoding="utf-8") == render(release), release


def test_code_list_suite_covers_every_coded_field_for_its_release() -> None:
    from asc_warehouse.ingest.cld_schema import cld_fields
    from asc_warehouse.quality.expectation_suites import code_list_suite

    suite = code_list_suite("R1")
    coded = {f.raw_column for f in cld_fields() if f.value_check == "code_list" and f.raw_column}
    assert {e["kwargs"]["column"] for e in suite["expectations"]} == coded
    assert suite["meta"]["asc"]["where"] == "release = 'R1'"
    assert all(e["kwargs"]["value_set"]["$PARAMETER"].endswith("__r1")
               for e in suite["expectations"])


def test_a_suite_applies_only_to_the_rows_its_filter_selects(tmp_path: Path) -> None:
    database = tmp_path / "check.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute("create schema raw")
        con.execute("create table raw.events as select * from (values "
                    "('R1', 'Service User'), ('R2', 'Service user'), ('R2', 'Service User')) "
                    "t(release, client_type)")
    suites = tmp_path / "suites"
    suites.mkdir()
    for release in ("r1", "r2"):
        (suites / f"{release}.json").write_text(json.dumps({
            "name": f"client_type_{release}",
            "meta": {"asc": {"table": "raw.events", "severity": "warning",
                             "where": f"release = '{release.upper()}'"}},
            "expectations": [{"type": "expect_column_values_to_be_in_set", "kwargs": {
                "column": "client_type",
                "value_set": {"$PARAMETER": f"code_list__client_type__{release}"}}}],
        }))
    results = {r.suite: r for r in validate_schema(database, "raw", directory=suites)}
    assert results["client_type_r1"].success
    [failed] = results["client_type_r2"].failed
    assert failed.unexpected_count == 1 and "Service User" in (failed.observed_value or "")


def test_suites_run_per_council_and_results_are_kept_across_runs(tmp_path: Path) -> None:
    database = tmp_path / "check.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute("create schema raw")
        con.execute("create table raw.events as select * from (values "
                    "('820', 'Service'), ('820', 'Review'), ('821', 'Banana')) "
                    "t(council_code, event_type)")
    suites = tmp_path / "suites"
    _suite_file(suites, "blocking")
    first = validate_schema(database, "raw", directory=suites)
    assert {(r.council_code, r.success) for r in first} == {("820", True), ("821", False)}
    with pytest.raises(DataQualityError, match=r"\[821\]"):
        raise_for_blocking(first, "raw")
    record_results(database, "run-1", first)
    record_results(database, "run-2", validate_schema(database, "raw", directory=suites))
    with duckdb.connect(str(database), read_only=True) as con:
        history = con.execute(
            "select run_id, council_code, success, unexpected_count "
            "from ops.data_quality_result order by run_id, council_code").fetchall()
    assert history == [("run-1", "820", True, 0), ("run-1", "821", False, 1),
                       ("run-2", "820", True, 0), ("run-2", "821", False, 1)]


@pytest.mark.parametrize(("per_council", "batches"), [(True, ["820", "821"]), (False, [None])])
def test_a_suite_runs_per_council_unless_it_says_otherwise(
    tmp_path: Path, per_council: bool, batches: list[str | None],
) -> None:
    """Tables of every English council (the official ASCOF series) are checked whole."""
    database = tmp_path / "check.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.bench as "
                    "select * from (values ('820', 1), ('821', 2)) t(council_code, n)")
    suites = tmp_path / "suites"
    suites.mkdir()
    (suites / "marts_bench.json").write_text(json.dumps({
        "name": "marts_bench",
        "meta": {"asc": {"table": "marts.bench", "severity": "blocking",
                         "per_council": per_council}},
        "expectations": [{"type": "expect_column_values_to_not_be_null",
                          "kwargs": {"column": "n"}}],
    }))
    results = validate_schema(database, "marts", directory=suites)
    assert [result.council_code for result in results] == batches
    assert all(result.success for result in results)
