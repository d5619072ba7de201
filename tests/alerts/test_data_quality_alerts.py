"""Data-quality alerts through GX on a small build file: one alert per council's file with the
file, row numbers, distinct code values with counts (personal-looking values withheld), what
was expected and what to do."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from asc_warehouse.alerts.data_quality import check_alerts
from asc_warehouse.ingest.cld import ensure_schema
from asc_warehouse.quality import validation

KENT_FILE = "CLD_820_20240401_20260331_R2.csv"
MEDWAY_FILE = "CLD_821_20240401_20260331_R2.csv"
# Kent's loaded rows by row number (the header is row 1): two misspelt codes, an NHS number
# typed into the event type, and one more misspelling; rows 4 and 8 were quarantined.
KENT_EVENT_TYPES = {2: "Service", 3: "Referal", 5: "Referal", 6: "Service", 7: "9434765919",
                    9: "Assesment", 10: "Service", 11: "Service"}
SUITES = {
    "raw_test_events": {
        "meta": {"asc": {"table": "raw.test_events", "severity": "warning",
                         "description": "Event types must be CLD event types."}},
        "expectations": [{"type": "expect_column_values_to_be_in_set", "kwargs": {
            "column": "event_type",
            "value_set": ["Request", "Assessment", "Service", "Review"]}}],
    },
    "ops_latest_load_quality": json.loads(
        (Path(validation.EXPECTATIONS_DIR) / "ops_latest_load_quality.json").read_text()),
}


@pytest.fixture
def build(tmp_path: Path) -> tuple[Path, Path]:
    suites = tmp_path / "expectations"
    suites.mkdir()
    for name, body in SUITES.items():
        (suites / f"{name}.json").write_text(json.dumps({"name": name, **body}))
    path = tmp_path / "build.duckdb"
    with duckdb.connect(str(path)) as con:
        ensure_schema(con)
        con.execute("create table raw.test_events (council_code varchar, source_file varchar, "
                    "source_row_number bigint, event_type varchar)")
        con.executemany("insert into raw.test_events values ('820', ?, ?, ?)",
                        [[KENT_FILE, row, value] for row, value in KENT_EVENT_TYPES.items()])
        con.executemany("insert into raw.test_events values ('821', ?, ?, 'Review')",
                        [[MEDWAY_FILE, row] for row in range(2, 6)])
        for council, file_name, rows_in, quarantined in (("820", KENT_FILE, 10, 2),
                                                         ("821", MEDWAY_FILE, 4, 0)):
            con.execute(
                "insert into ops.load_audit values (?, 'cld', ?, 'x', ?, 'R2', '2024-04-01', "
                "'2026-03-31', 'loaded', ?, ?, ?, null, now(), now())",
                [f"{council}-load", file_name, council, rows_in, rows_in - quarantined,
                 quarantined])
    return path, suites


def test_one_alert_per_file_names_rows_values_expectation_and_what_to_do(
    build: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch,
) -> None:
    path, suites = build
    monkeypatch.setenv("ASC_ALERT_AIRFLOW_URL", "https://airflow.council.example/")
    results = validation.validate_schema(path, "raw", "ops", directory=suites)
    assert sum(len(result.failed) for result in results) == 2  # GX: two checks on Kent

    [alert] = check_alerts(path, results, "scheduled__2026-04-01T01:00:00+00:00",
                           dag_id="asc_nightly", directory=suites)

    assert (alert.severity, alert.council_code, alert.council_name) == ("blocking", "820", "Kent")
    assert (alert.source, alert.about) == (KENT_FILE, KENT_FILE)
    assert alert.observed == "20.0% of rows quarantined (2 of 10); event_type: 4 rows"
    assert alert.unexpected_values == [("Referal", 2), ("(value not shown)", 1),
                                       ("Assesment", 1)]
    assert alert.rows == (
        f"2 rows in ops.quarantine where file_name = '{KENT_FILE}'; "
        "event_type: rows 3, 5, 7, 9 (see raw.test_events by source_row_number)"
    )
    assert alert.expected == (
        "not more than 5% of rows quarantined; "
        "event_type: one of its 4 code-list values (Request, Assessment, Service, Review)"
    )
    assert alert.what_to_do is not None
    assert alert.what_to_do.startswith("Correct the extract at source and land a new file")
    assert "Event types must be CLD event types." in alert.what_to_do
    assert alert.details == ("https://airflow.council.example/dags/asc_nightly/runs/"
                             "scheduled__2026-04-01T01%3A00%3A00%2B00%3A00")
    assert "9434765919" not in json.dumps(alert.__dict__)


def test_a_fault_in_describing_failed_checks_still_gives_one_alert_and_never_raises(
    settings, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from asc_warehouse.pipeline import nightly

    def broken(*args: object, **kwargs: object) -> list:
        raise RuntimeError("no such table")

    monkeypatch.setattr(nightly, "check_alerts", broken)
    failed = validation.CheckResult("s", "raw.t", "820", "blocking", "expect_x", "c", False,
                                    None, 3, 0)
    passed = validation.CheckResult("s", "raw.t", "820", "warning", "expect_y", "c", True,
                                     None, 0, 1)
    results = [validation.SuiteResult("s", "raw.t", "820", "blocking", False, [failed, passed])]
    [alert] = nightly._check_alerts(results, "r1")
    assert (alert.severity, alert.source) == ("blocking", "ops.data_quality_result")
    assert "1 check(s) failed; their description failed too: no such table" in alert.message
    assert nightly._check_alerts([], "r1") == []


def test_the_alert_describes_the_expectation_that_failed_when_two_share_type_and_column(
    tmp_path: Path,
) -> None:
    # Column-pair expectations have no column: two in one suite (as in the benchmark mart's)
    # look alike by type and column; the second failing must not be described as the first.
    suites = tmp_path / "expectations"
    suites.mkdir()
    pair = "expect_column_pair_values_a_to_be_greater_than_b"
    (suites / "marts_test_ranks.json").write_text(json.dumps({
        "name": "marts_test_ranks",
        "meta": {"asc": {"table": "marts.test_ranks", "severity": "warning",
                         "per_council": False}},
        "expectations": [
            {"type": pair, "kwargs": {"column_A": "councils_ranked",
                                      "column_B": "rank_among_councils", "or_equal": True}},
            {"type": pair, "kwargs": {"column_A": "group_ranked",
                                      "column_B": "rank_in_group", "or_equal": True}},
        ],
    }))
    path = tmp_path / "build.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.test_ranks as select 150 as councils_ranked, "
                    "3 as rank_among_councils, 10 as group_ranked, 12 as rank_in_group")
    results = validation.validate_schema(path, "marts", directory=suites)
    assert [check.success for result in results for check in result.checks] == [True, False]

    [alert] = check_alerts(path, results, "r1", dag_id="asc_nightly", directory=suites)

    assert alert.expected == "group_ranked at least rank_in_group on every row"
