"""One GX pass per suite over every council's rows, with each result told per council."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from asc_warehouse.alerts.data_quality import check_alerts
from asc_warehouse.ingest.cld import ensure_schema
from asc_warehouse.quality import validation
from asc_warehouse.quality.council_attribution import aggregate_sql, council_verdicts, resolved
from asc_warehouse.quality.validation import has_council_rows

KENT_FILE = "CLD_820_20240401_20260331_R2.csv"
MEDWAY_FILE = "CLD_821_20240401_20260331_R2.csv"


def _write_suites(folder: Path, suites: dict[str, dict]) -> Path:
    folder.mkdir(exist_ok=True)
    for name, body in suites.items():
        (folder / f"{name}.json").write_text(json.dumps({"name": name, **body}))
    return folder


def _events_build(tmp_path: Path) -> Path:
    """Kent's file is clean; Medway's has one event type that is no code (row 3)."""
    path = tmp_path / "build.duckdb"
    with duckdb.connect(str(path)) as con:
        ensure_schema(con)
        con.execute("create table raw.test_events (council_code varchar, source_file varchar, "
                    "source_row_number bigint, event_type varchar, n integer)")
        con.executemany("insert into raw.test_events values (?, ?, ?, ?, ?)", [
            ["820", KENT_FILE, 2, "Service", 1], ["820", KENT_FILE, 3, "Review", 2],
            ["821", MEDWAY_FILE, 2, "Service", 3], ["821", MEDWAY_FILE, 3, "Referal", 4],
        ])
    return path


EVENT_SUITES = {
    "raw_test_events": {
        "meta": {"asc": {"table": "raw.test_events", "severity": "warning"}},
        "expectations": [
            {"type": "expect_column_values_to_be_in_set", "kwargs": {
                "column": "event_type", "value_set": ["Request", "Assessment", "Service",
                                                      "Review"]}},
            {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}},
        ],
    },
    "raw_test_events_numbers": {
        "meta": {"asc": {"table": "raw.test_events", "severity": "warning"}},
        "expectations": [{"type": "expect_column_values_to_not_be_null",
                          "kwargs": {"column": "n"}}],
    },
}


def test_one_gx_run_per_suite_and_the_alert_names_only_the_failing_council(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    build = _events_build(tmp_path)
    suites = _write_suites(tmp_path / "expectations", EVENT_SUITES)
    queries: list[str] = []
    real = validation.validate_in_duckdb

    def counted(database_path: Path, query: str, *args: object, **kwargs: object):
        queries.append(query)
        return real(database_path, query, *args, **kwargs)

    monkeypatch.setattr(validation, "validate_in_duckdb", counted)
    results = validation.validate_schema(build, "raw", directory=suites)

    # Two suites, two councils: two GX runs, each over every council's rows.
    assert len(queries) == 2
    assert all("council_code" not in query for query in queries)
    by_council = {(r.suite, r.council_code): r for r in results}
    assert set(by_council) == {(suite, council) for suite in EVENT_SUITES
                               for council in ("820", "821")}
    assert by_council[("raw_test_events", "820")].success
    [failed] = by_council[("raw_test_events", "821")].failed
    assert (failed.expectation, failed.unexpected_count) == (
        "expect_column_values_to_be_in_set", 1)
    assert all(by_council[("raw_test_events_numbers", c)].success for c in ("820", "821"))
    # Each council's row count is its own: 2 rows each.
    row_counts = [check.observed_value for r in results for check in r.checks
                  if check.expectation == "expect_table_row_count_to_be_between"]
    assert row_counts == ["2", "2"]

    [alert] = check_alerts(build, results, "run-1", dag_id="asc_nightly", directory=suites)
    assert (alert.council_code, alert.council_name) == ("821", "Medway")
    assert (alert.source, alert.about) == (MEDWAY_FILE, MEDWAY_FILE)
    assert alert.rows == "event_type: rows 3 (see raw.test_events by source_row_number)"
    assert "820" not in alert.message and KENT_FILE not in json.dumps(alert.__dict__)


def test_each_expectation_type_is_judged_per_council(tmp_path: Path) -> None:
    """Hand-worked: Kent (820) breaks every row rule, Medway (821) none; each council's row
    count is its own (Kent 3, Medway 2)."""
    path = tmp_path / "t.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create table t (council_code varchar, code varchar, n integer, "
                    "word varchar, a integer, b integer)")
        con.executemany("insert into t values (?, ?, ?, ?, ?, ?)", [
            # Kent: code 'X' not in set; n null; n 99 above 10; word 'abc1' fails ^[a-z]+$ and
            # is longer than 3; a 1 not above b 2; code 'A' twice (unique).
            ["820", "A", 1, "abc", 5, 1],
            ["820", "X", None, "abc1", 1, 2],
            ["820", "A", 99, "ab", None, 3],
            ["821", "A", 2, "ab", 3, 1],
            ["821", "B", 3, "abc", 4, None],
        ])
    expectations = [
        {"type": "expect_column_values_to_be_in_set",
         "kwargs": {"column": "code", "value_set": ["A", "B"]}},
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "n"}},
        {"type": "expect_column_values_to_be_between",
         "kwargs": {"column": "n", "min_value": 0, "max_value": 10}},
        {"type": "expect_column_values_to_match_regex",
         "kwargs": {"column": "word", "regex": "^[a-z]+$"}},
        {"type": "expect_column_value_lengths_to_be_between",
         "kwargs": {"column": "word", "max_value": 3}},
        {"type": "expect_column_pair_values_a_to_be_greater_than_b",
         "kwargs": {"column_A": "a", "column_B": "b",
                    "ignore_row_if": "either_value_is_missing"}},
        {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "code"}},
        {"type": "expect_table_row_count_to_be_between",
         "kwargs": {"min_value": 3, "max_value": 3}},
        {"type": "expect_table_row_count_to_be_between", "kwargs": {"max_value": 2}},
    ]
    verdicts = council_verdicts(path, "t", "", expectations, {},
                                lambda value: value in {"A", "B"})
    kent = [(success, measured) for success, measured, _ in verdicts["820"]]
    medway = [(success, measured) for success, measured, _ in verdicts["821"]]
    assert kent == [(False, 1), (False, 1), (False, 1), (False, 1), (False, 1), (False, 1),
                    (False, 2), (True, 3), (False, 3)]
    assert medway == [(True, 0)] * 7 + [(False, 2), (True, 2)]
    # 'X' is no code, so it is not shown.
    assert verdicts["820"][0][2] == "values not shown (not known codes)"


def test_a_council_with_no_selected_rows_is_judged_on_none(tmp_path: Path) -> None:
    """A suite for Release 1 rows: Medway sent none, so its rows pass every row rule but fail
    a minimum row count, as a run on its selected rows alone would."""
    path = tmp_path / "t.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create table t as select * from (values ('820', 'R1', 'X'), "
                    "('821', 'R2', 'X')) v(council_code, release, code)")
    expectations = [
        {"type": "expect_column_values_to_be_in_set",
         "kwargs": {"column": "code", "value_set": ["A"]}},
        {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}},
    ]
    verdicts = council_verdicts(path, "t", "release = 'R1'", expectations, {},
                                lambda value: False)
    assert {council: [(ok, n) for ok, n, _ in verdict] for council, verdict in verdicts.items()
            } == {"820": [(False, 1), (True, 1)], "821": [(True, 0), (False, 0)]}


def test_a_failure_no_council_accounts_for_stays_a_failure_of_the_table(tmp_path: Path) -> None:
    """The same id in two councils: each council's ids are unique, the table's are not."""
    path = tmp_path / "build.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.ids as select * from (values ('820', 'x1'), "
                    "('821', 'x1')) t(council_code, id)")
    suites = _write_suites(tmp_path / "expectations", {"marts_ids": {
        "meta": {"asc": {"table": "marts.ids", "severity": "blocking"}},
        "expectations": [{"type": "expect_column_values_to_be_unique",
                          "kwargs": {"column": "id"}}],
    }})
    results = validation.validate_schema(path, "marts", directory=suites)
    assert [(r.council_code, r.success) for r in results] == [
        ("820", True), ("821", True), (None, False)]
    with pytest.raises(validation.DataQualityError, match=r"\[all\]"):
        validation.raise_for_blocking(results, "marts")


def test_an_empty_table_is_checked_whole(tmp_path: Path) -> None:
    path = tmp_path / "build.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create table t (council_code varchar)")
        con.execute("create table u (n integer)")
    assert not has_council_rows(path, "main.t")
    assert not has_council_rows(path, "main.u")


@pytest.mark.parametrize("path", sorted(validation.EXPECTATIONS_DIR.glob("*.json")),
                         ids=lambda path: path.stem)
def test_every_committed_expectation_has_a_per_council_rule(path: Path) -> None:
    """A suite checked per council must only hold expectation types judged per council, or
    its night would stop on the ValueError instead of reporting."""
    suite = validation.load_suite(path)
    arguments = [resolved(e.get("kwargs", {}), validation.resolve_parameters(suite))
                 for e in suite.expectations]
    for expectation, kwargs in zip(suite.expectations, arguments, strict=True):
        assert aggregate_sql(expectation["type"], kwargs)


def test_one_failing_column_pair_does_not_hide_another(tmp_path: Path) -> None:
    """Hand-worked: Kent's row breaks a > b; the row with no council breaks c > d, which no
    council's rows account for, so the table as a whole fails c > d (and only that)."""
    path = tmp_path / "build.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.pairs as select * from (values "
                    "('820', 1, 2, 5, 1), ('821', 3, 2, 5, 1), (null, 3, 2, 1, 5)) "
                    "t(council_code, a, b, c, d)")
    suites = _write_suites(tmp_path / "expectations", {"marts_pairs": {
        "meta": {"asc": {"table": "marts.pairs", "severity": "warning"}},
        "expectations": [
            {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}},
            {"type": "expect_column_pair_values_a_to_be_greater_than_b",
             "kwargs": {"column_A": "a", "column_B": "b"}},
            {"type": "expect_column_pair_values_a_to_be_greater_than_b",
             "kwargs": {"column_A": "c", "column_B": "d"}},
        ],
    }})
    results = validation.validate_schema(path, "marts", directory=suites)
    assert [(r.council_code, [c.success for c in r.checks]) for r in results] == [
        ("820", [True, False, True]), ("821", [True, True, True]), (None, [False])]
    assert results[-1].checks[0].unexpected_count == 1


def test_gx_results_are_kept_in_the_suite_order(tmp_path: Path) -> None:
    """GX reorders its results (pairs first); each check is the suite's expectation at its index."""
    path = _events_build(tmp_path)
    suite = validation.SuiteFile("s", "raw.test_events", "warning", {"expectations": [
        {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}},
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "n"}},
        {"type": "expect_column_pair_values_a_to_be_greater_than_b",
         "kwargs": {"column_A": "n", "column_B": "source_row_number"}},
        {"type": "expect_column_pair_values_a_to_be_greater_than_b",
         "kwargs": {"column_A": "source_row_number", "column_B": "n", "or_equal": True}},
    ]})
    whole = validation.run_suite(path, suite)
    # (n, source_row_number): Kent (1, 2), (2, 3); Medway (3, 2), (4, 3). n > row fails on
    # Kent's two rows, row >= n on Medway's two.
    assert [(c.expectation, c.success, c.unexpected_count) for c in whole.checks] == [
        ("expect_table_row_count_to_be_between", True, None),
        ("expect_column_values_to_not_be_null", True, 0),
        ("expect_column_pair_values_a_to_be_greater_than_b", False, 2),
        ("expect_column_pair_values_a_to_be_greater_than_b", False, 2),
    ]
