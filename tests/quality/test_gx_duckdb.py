"""GX validation computed as SQL inside DuckDB (asc_warehouse.quality.gx_duckdb).

Every test builds a small DuckDB file in tmp_path and asserts the values GX reports, not just
success. ``test_agrees_with_the_pandas_path`` runs the same expectations through GX's pandas
datasource, which ``validation.run_suite`` uses today, and compares the two.
"""

from __future__ import annotations

import copy
import hashlib
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest
import sqlalchemy as sa

from asc_warehouse.quality import gx_duckdb
from asc_warehouse.quality.gx_duckdb import (
    SUPPORTED_EXPECTATION_TYPES,
    GxSqlEvaluationError,
    UnsupportedExpectationError,
    validate_in_duckdb,
)

EVENTS_DDL = """
create schema raw;
create table raw.cld_events (
    event_id varchar, release varchar, event_type varchar, client_type varchar,
    event_start_date varchar, event_end_date varchar, planned_hours integer, delivered_hours integer
)
"""
# Eight rows: 2 R1 and 6 R2. Faults sit in known rows so the tests can assert exact counts.
EVENTS = [
    ("e1", "R1", "Request", "Service User", "2024-04-01", "2024-04-02", 10, 8),
    ("e2", "R1", "Contact", None, "2024-04-01", "2024-04-05", 5, 5),
    ("e3", "R2", "Request", "Service User", "2024-04-03", "2024-04-03", 4, 4),
    ("e4", "R2", "Assessment", "Carer", "2024-4-07", "2024-04-09", 6, 7),
    ("e5", "R2", "Referral", "Service User", "2024-04-10", "2024-04-12", 8, 2),
    ("e6", "R2", "Service", None, "2024-04-11", "2024-04-20", 3, 3),
    ("e7", "R2", "Enquiry", "Carer", "04/12/2024", "2024-04-15", 2, 1),
    ("e8", "R2", "Review", "Service User", "2024-04-13", None, None, 9),
]
R2_EVENT_TYPES = ["Request", "Assessment", "Service", "Review"]
ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"
ALL_ROWS = "select * from raw.cld_events"


def _database(path: Path, ddl: str, table: str, rows: list[tuple[Any, ...]]) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute(ddl)
        marks = ", ".join("?" for _ in rows[0])
        con.executemany(f"insert into {table} values ({marks})", [list(row) for row in rows])
    return path


@pytest.fixture
def events_db(tmp_path: Path) -> Path:
    return _database(tmp_path / "events.duckdb", EVENTS_DDL, "raw.cld_events", EVENTS)


def _by_type(outcome: Any) -> dict[str, Any]:
    return {result.expectation_config.type: result for result in outcome.results}


def _one(database: Path, query: str, expectation: dict[str, Any], **parameters: Any) -> Any:
    outcome = validate_in_duckdb(database, query, "one", [expectation], parameters)
    assert len(outcome.results) == 1
    return outcome.results[0]


# --- the dialect: the root cause and its fix, below GX ------------------------------------


def test_plain_duckdb_engine_loses_results_once_the_connection_is_returned(
    events_db: Path,
) -> None:
    """The upstream failure: GX fetches after the pool's ROLLBACK. If this test fails after an
    upgrade, duckdb-engine fixed it and the custom dialect may no longer be needed."""
    engine = sa.create_engine(f"duckdb:///{events_db}", connect_args={"read_only": True})
    try:
        with engine.connect() as connection:
            result = connection.execute(sa.text("select count(*) from raw.cld_events"))
        assert result.fetchall() == []
    finally:
        engine.dispose()


def test_readonly_dialect_keeps_each_result_until_it_is_fetched(events_db: Path) -> None:
    engine = sa.create_engine(f"duckdb+asc_readonly:///{events_db}")
    try:
        with engine.connect() as connection:
            late = connection.execute(sa.text("select count(*) from raw.cld_events"))
            first = connection.execute(sa.text("select 1"))
            second = connection.execute(sa.text("select 2"))
            # plain duckdb-engine gives first the rows of second, and second nothing
            assert (first.fetchall(), second.fetchall()) == ([(1,)], [(2,)])
        assert late.fetchall() == [(8,)]
    finally:
        engine.dispose()


def test_readonly_dialect_cannot_write(events_db: Path) -> None:
    engine = sa.create_engine(f"duckdb+asc_readonly:///{events_db}")
    try:
        with engine.connect() as connection, pytest.raises(sa.exc.DBAPIError, match="read-only"):
            connection.execute(sa.text("create table raw.other (x integer)"))
    finally:
        engine.dispose()


# --- validate_in_duckdb -------------------------------------------------------------------


def test_a_passing_suite(events_db: Path) -> None:
    outcome = validate_in_duckdb(
        events_db,
        ALL_ROWS,
        "passing",
        [
            {
                "type": "expect_table_row_count_to_be_between",
                "kwargs": {"min_value": 8, "max_value": 8},
            },
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "event_id"}},
            {
                "type": "expect_column_values_to_be_in_set",
                "kwargs": {"column": "release", "value_set": {"$PARAMETER": "releases"}},
            },
            {
                "type": "expect_column_values_to_match_regex",
                "kwargs": {"column": "event_id", "regex": r"^e\d$"},
            },
        ],
        {"releases": ["R1", "R2"]},
    )
    assert outcome.success is True
    assert outcome.statistics["evaluated_expectations"] == 4
    assert outcome.statistics["successful_expectations"] == 4


def test_in_set_from_a_parameter_reports_the_unexpected_values(events_db: Path) -> None:
    result = _one(
        events_db,
        ALL_ROWS,
        {
            "type": "expect_column_values_to_be_in_set",
            "kwargs": {"column": "event_type", "value_set": {"$PARAMETER": "code_list"}},
        },
        code_list=R2_EVENT_TYPES,
    )
    assert result.success is False
    assert result.result["element_count"] == 8
    assert result.result["unexpected_count"] == 3
    assert sorted(result.result["partial_unexpected_list"]) == ["Contact", "Enquiry", "Referral"]
    assert result.expectation_config.kwargs["value_set"] == R2_EVENT_TYPES


def test_not_null_reports_the_unexpected_count(events_db: Path) -> None:
    result = _one(
        events_db,
        ALL_ROWS,
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "client_type"}},
    )
    assert result.success is False
    assert result.result["unexpected_count"] == 2
    assert result.result["unexpected_percent"] == pytest.approx(25.0)


def test_column_pair_a_greater_than_b(events_db: Path) -> None:
    pair = {
        "column_A": "planned_hours",
        "column_B": "delivered_hours",
        "ignore_row_if": "either_value_is_missing",
    }
    strict = _one(
        events_db,
        ALL_ROWS,
        {"type": "expect_column_pair_values_a_to_be_greater_than_b", "kwargs": pair},
    )
    or_equal = _one(
        events_db,
        ALL_ROWS,
        {
            "type": "expect_column_pair_values_a_to_be_greater_than_b",
            "kwargs": {**pair, "or_equal": True},
        },
    )
    # e8 has no planned hours and is ignored. Of the other 7, e2, e3, e4 and e6 fail strictly.
    assert (strict.success, strict.result["unexpected_count"]) == (False, 4)
    assert sorted(strict.result["partial_unexpected_list"]) == [(3, 3), (4, 4), (5, 5), (6, 7)]
    # Or equal: only e4 (6 < 7) fails.
    assert (or_equal.success, or_equal.result["unexpected_count"]) == (False, 1)
    assert or_equal.result["partial_unexpected_list"] == [(6, 7)]


def test_column_pair_with_the_default_ignore_row_if_needs_rows_without_a_null(
    events_db: Path,
) -> None:
    expectation = {
        "type": "expect_column_pair_values_a_to_be_greater_than_b",
        "kwargs": {"column_A": "planned_hours", "column_B": "delivered_hours", "or_equal": True},
    }
    # e8 (planned NULL, delivered 9) would silently pass in GX's SQL: refuse to answer.
    with pytest.raises(GxSqlEvaluationError, match=r"planned_hours, delivered_hours\)': 1"):
        _one(events_db, ALL_ROWS, expectation)
    no_nulls = _one(
        events_db, "select * from raw.cld_events where planned_hours is not null", expectation
    )
    assert (no_nulls.success, no_nulls.result["unexpected_count"]) == (False, 1)


def test_row_count_observed_value(events_db: Path) -> None:
    result = _one(
        events_db,
        ALL_ROWS,
        {
            "type": "expect_table_row_count_to_be_between",
            "kwargs": {"min_value": 10, "max_value": 100},
        },
    )
    assert result.success is False
    assert result.result["observed_value"] == 8


def test_match_regex_runs_in_duckdb_with_search_semantics(events_db: Path) -> None:
    anchored = _one(
        events_db,
        ALL_ROWS,
        {
            "type": "expect_column_values_to_match_regex",
            "kwargs": {"column": "event_start_date", "regex": ISO_DATE},
        },
    )
    assert anchored.success is False
    assert anchored.result["unexpected_count"] == 2
    assert sorted(anchored.result["partial_unexpected_list"]) == ["04/12/2024", "2024-4-07"]
    # GX renders the regex as DuckDB's ``~``, which searches like re.search: an unanchored
    # pattern matches anywhere in the value, so "-04-" matches all but the two below.
    unanchored = _one(
        events_db,
        ALL_ROWS,
        {
            "type": "expect_column_values_to_match_regex",
            "kwargs": {"column": "event_start_date", "regex": "-04-"},
        },
    )
    assert unanchored.result["unexpected_count"] == 2
    assert sorted(unanchored.result["partial_unexpected_list"]) == ["04/12/2024", "2024-4-07"]


def test_a_regex_duckdb_cannot_run_raises_instead_of_failing_the_check(events_db: Path) -> None:
    # RE2, DuckDB's regex engine, has no look-ahead: this is an error, not a data fault.
    with pytest.raises(GxSqlEvaluationError, match="expect_column_values_to_match_regex"):
        _one(
            events_db,
            ALL_ROWS,
            {
                "type": "expect_column_values_to_match_regex",
                "kwargs": {"column": "event_start_date", "regex": r"^(?=2024)"},
            },
        )


def test_tables_in_non_default_schemas(tmp_path: Path) -> None:
    # Characters that mean something in a URL, to prove the path reaches DuckDB intact.
    folder = tmp_path / "odd %20 #dir"
    folder.mkdir()
    path = folder / "schemas.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema raw; create schema marts")
        con.execute("create table raw.x as select range as n from range(5)")
        con.execute("create table marts.y as select range as n from range(7)")
        # Same names in main with other row counts: a wrong lookup would show.
        con.execute("create table main.x as select 1 as n")
        con.execute("create table main.y as select 1 as n")
    row_count = {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}}
    assert _one(path, "select * from raw.x", row_count).result["observed_value"] == 5
    assert _one(path, "select * from marts.y", row_count).result["observed_value"] == 7


def test_a_where_filter_validates_only_the_filtered_rows(events_db: Path) -> None:
    outcome = validate_in_duckdb(
        events_db,
        "select * from raw.cld_events where release = 'R2'",
        "r2_only",
        [
            {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}},
            {
                "type": "expect_column_values_to_be_in_set",
                "kwargs": {"column": "event_type", "value_set": {"$PARAMETER": "code_list"}},
            },
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "client_type"}},
        ],
        {"code_list": R2_EVENT_TYPES},
    )
    results = _by_type(outcome)
    assert results["expect_table_row_count_to_be_between"].result["observed_value"] == 6
    in_set = results["expect_column_values_to_be_in_set"].result
    # e2's "Contact" is in R1 and so filtered out.
    assert sorted(in_set["partial_unexpected_list"]) == ["Enquiry", "Referral"]
    assert results["expect_column_values_to_not_be_null"].result["unexpected_count"] == 1


def test_only_aggregates_and_example_values_reach_python(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "big.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(
            "create table t as select i::varchar as code, "
            "case when i % 10 = 0 then 'bad' else 'ok' end as status from range(50000) t(i)"
        )
    fetched: list[int] = []

    class CountingConnection:
        """Stands between each isolated cursor and DuckDB, counting the rows handed out."""

        def __init__(self, own: duckdb.DuckDBPyConnection) -> None:
            self._own = own

        def __getattr__(self, name: str) -> Any:
            attribute = getattr(self._own, name)
            if not name.startswith("fetch"):
                return attribute

            def fetch(*args: Any) -> Any:
                rows = attribute(*args)
                fetched.append(1 if name == "fetchone" and rows else len(rows or []))
                return rows

            return fetch

    def counting_cursor(self: gx_duckdb.ReadOnlyConnection) -> gx_duckdb.IsolatedCursor:
        own = self._wrapper.duplicate()
        return gx_duckdb.IsolatedCursor(CountingConnection(own), self)  # type: ignore[arg-type]

    monkeypatch.setattr(gx_duckdb.ReadOnlyConnection, "cursor", counting_cursor)
    outcome = validate_in_duckdb(
        path,
        "select * from t",
        "big",
        [
            {
                "type": "expect_column_values_to_be_in_set",
                "kwargs": {"column": "status", "value_set": ["ok"]},
            },
            {
                "type": "expect_column_values_to_match_regex",
                "kwargs": {"column": "code", "regex": "^[0-9]+$"},
            },
            {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}},
        ],
        {},
    )
    assert _by_type(outcome)["expect_column_values_to_be_in_set"].result["unexpected_count"] == 5000
    # Counts come back as one row per bundled query; example values are capped at 20 by SUMMARY.
    assert 0 < sum(fetched) <= 100


def _fingerprint(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def test_validation_opens_read_only_and_leaves_no_lock(events_db: Path) -> None:
    before = _fingerprint(events_db)
    _one(
        events_db,
        ALL_ROWS,
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "event_id"}},
    )
    assert _fingerprint(events_db) == before  # the validation connection never wrote
    # Another process can take the write lock at once: no DuckDB handle outlived the call.
    writer = (
        "import duckdb, sys\n"
        "with duckdb.connect(sys.argv[1]) as con:\n"
        "    con.execute('create table raw.written as select 1 as n')\n"
    )
    subprocess.run([sys.executable, "-c", writer, str(events_db)], check=True, timeout=120)
    # And so can this process: DuckDB refuses a read-write open while a read-only instance
    # of the same file is still alive here.
    with duckdb.connect(str(events_db)) as con:
        assert con.execute("select count(*) from raw.written").fetchone() == (1,)


def _pandas_outcome(
    database: Path, query: str, expectations: list[dict[str, Any]], parameters: dict[str, Any]
) -> Any:
    """The same expectations through GX's pandas datasource, as validation.run_suite does."""
    import great_expectations as gx

    with duckdb.connect(str(database), read_only=True) as con:
        frame = con.execute(query).df()
    context = gx.get_context(mode="ephemeral")
    batch = (
        context.data_sources.add_pandas("frame")
        .add_dataframe_asset("rows")
        .add_batch_definition_whole_dataframe("all_rows")
    )
    suite = context.suites.add(gx.ExpectationSuite(name="pandas", expectations=expectations))
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name="pandas", data=batch, suite=suite)
    )
    return definition.run(
        batch_parameters={"dataframe": frame},
        expectation_parameters=parameters,
        result_format="SUMMARY",
    )


def _plain(value: Any) -> Any:
    """The pandas path's numpy scalars and NaN as the Python values the SQL path gives."""
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, float) and math.isnan(value):
        return None
    return value.item() if hasattr(value, "item") else value


def _verdicts(outcome: Any) -> dict[str, tuple[Any, ...]]:
    verdicts = {}
    for result in outcome.results:
        kwargs = result.expectation_config.kwargs
        key = f"{result.expectation_config.type}({kwargs.get('column', kwargs.get('column_A'))})"
        verdicts[key] = (
            result.success,
            result.result.get("unexpected_count"),
            _plain(result.result.get("observed_value")),
            sorted(map(str, _plain(result.result.get("partial_unexpected_list", [])))),
        )
    return verdicts


COMPARED = [
    {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}},
    {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "client_type"}},
    {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "event_end_date"}},
    {
        "type": "expect_column_values_to_be_in_set",
        "kwargs": {"column": "event_type", "value_set": {"$PARAMETER": "code_list"}},
    },
    {
        "type": "expect_column_values_to_be_in_set",
        "kwargs": {"column": "client_type", "value_set": ["Service User"]},
    },
    {
        "type": "expect_column_values_to_match_regex",
        "kwargs": {"column": "event_start_date", "regex": ISO_DATE},
    },
    {
        "type": "expect_column_values_to_match_regex",
        "kwargs": {"column": "event_end_date", "regex": "-04-1"},
    },
    {
        "type": "expect_column_values_to_be_between",
        "kwargs": {"column": "delivered_hours", "min_value": 2, "max_value": 8},
    },
    {
        "type": "expect_column_pair_values_a_to_be_greater_than_b",
        "kwargs": {
            "column_A": "planned_hours",
            "column_B": "delivered_hours",
            "or_equal": True,
            "ignore_row_if": "either_value_is_missing",
        },
    },
    {
        "type": "expect_column_pair_values_to_be_equal",
        "kwargs": {
            "column_A": "planned_hours",
            "column_B": "delivered_hours",
            "ignore_row_if": "either_value_is_missing",
        },
    },
    {
        "type": "expect_column_values_to_not_be_in_set",
        "kwargs": {"column": "event_type", "value_set": ["Contact", "Enquiry"]},
    },
    {
        "type": "expect_column_values_to_not_match_regex",
        "kwargs": {"column": "event_start_date", "regex": "/"},
    },
    {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "client_type"}},
    {"type": "expect_column_to_exist", "kwargs": {"column": "event_id"}},
    {
        "type": "expect_column_value_lengths_to_be_between",
        "kwargs": {"column": "event_start_date", "min_value": 10, "max_value": 10},
    },
    {
        "type": "expect_column_min_to_be_between",
        "kwargs": {"column": "delivered_hours", "min_value": 2},
    },
    {
        "type": "expect_column_max_to_be_between",
        "kwargs": {"column": "planned_hours", "max_value": 8},
    },
    {
        "type": "expect_column_distinct_values_to_be_in_set",
        "kwargs": {"column": "client_type", "value_set": ["Carer"]},
    },
    {"type": "expect_column_values_to_be_null", "kwargs": {"column": "event_end_date"}},
    {
        "type": "expect_table_columns_to_match_set",
        "kwargs": {"column_set": ["event_id", "release"], "exact_match": False},
    },
    {"type": "expect_table_column_count_to_equal", "kwargs": {"value": 8}},
]


def test_every_supported_type_is_compared_with_the_pandas_path() -> None:
    assert {expectation["type"] for expectation in COMPARED} == SUPPORTED_EXPECTATION_TYPES


@pytest.mark.parametrize(
    "query", [ALL_ROWS, "select * from raw.cld_events where release = 'R2'"], ids=["all", "r2"]
)
def test_agrees_with_the_pandas_path(events_db: Path, query: str) -> None:
    parameters = {"code_list": R2_EVENT_TYPES}
    in_duckdb = validate_in_duckdb(
        events_db, query, "compared", copy.deepcopy(COMPARED), parameters
    )
    in_pandas = _pandas_outcome(events_db, query, copy.deepcopy(COMPARED), parameters)
    sql_verdicts = _verdicts(in_duckdb)
    assert len(sql_verdicts) == len(COMPARED)
    assert sql_verdicts == _verdicts(in_pandas)
    # Not vacuous: most of these checks fail on this data.
    assert sum(1 for verdict in sql_verdicts.values() if verdict[0] is False) >= 12


def test_regex_digit_class_is_ascii_in_duckdb_but_unicode_in_pandas(tmp_path: Path) -> None:
    """The one known disagreement: RE2's \\d is ASCII, Python's is any Unicode digit."""
    path = _database(
        tmp_path / "digits.duckdb",
        "create table codes (code varchar)",
        "codes",
        [("12",), ("\u0661\u0662",)],  # "12" and Arabic-Indic "١٢"
    )
    digits = [
        {
            "type": "expect_column_values_to_match_regex",
            "kwargs": {"column": "code", "regex": r"^\d+$"},
        }
    ]
    in_duckdb = validate_in_duckdb(path, "select * from codes", "digits", digits, {})
    in_pandas = _pandas_outcome(path, "select * from codes", copy.deepcopy(digits), {})
    assert in_duckdb.results[0].result["unexpected_count"] == 1
    assert in_pandas.results[0].result["unexpected_count"] == 0


def test_an_unsupported_expectation_type_raises(events_db: Path) -> None:
    expectations = [
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "event_id"}},
        {
            "type": "expect_column_mean_to_be_between",
            "kwargs": {"column": "planned_hours", "min_value": 1},
        },
    ]
    with pytest.raises(UnsupportedExpectationError, match="expect_column_mean_to_be_between"):
        validate_in_duckdb(events_db, ALL_ROWS, "unsupported", expectations, {})


def test_an_expectation_gx_drops_or_rejects_raises_value_error(
    events_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GX drops an unknown type with only a log line; let one past the supported-types check
    # to prove the count comparison catches it.
    made_up = "expect_column_values_to_be_made_up"
    monkeypatch.setattr(
        gx_duckdb, "SUPPORTED_EXPECTATION_TYPES", gx_duckdb.SUPPORTED_EXPECTATION_TYPES | {made_up}
    )
    dropped = [
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "event_id"}},
        {"type": made_up, "kwargs": {"column": "event_id"}},
    ]
    with pytest.raises(ValueError, match="dropped"):
        validate_in_duckdb(events_db, ALL_ROWS, "unknown_type", dropped, {})
    missing_kwarg = [{"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "x"}}]
    with pytest.raises(ValueError, match="value_set"):
        validate_in_duckdb(events_db, ALL_ROWS, "missing_kwarg", missing_kwarg, {})


def test_a_parameter_without_a_value_raises_value_error(events_db: Path) -> None:
    expectation = {
        "type": "expect_column_values_to_be_in_set",
        "kwargs": {"column": "event_type", "value_set": {"$PARAMETER": "nowhere"}},
    }
    with pytest.raises(ValueError, match="nowhere"):
        validate_in_duckdb(events_db, ALL_ROWS, "no_value", [expectation], {})
