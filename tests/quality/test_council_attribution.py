"""One GX pass per suite over every council's rows, with each result told per council."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest

from asc_warehouse.alerts.data_quality import check_alerts
from asc_warehouse.ingest.cld import ensure_schema
from asc_warehouse.quality import validation
from asc_warehouse.quality.council_attribution import ROW_COUNT, council_verdicts, resolved
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


def test_a_table_has_council_rows_when_one_row_names_a_council(tmp_path: Path) -> None:
    path = tmp_path / "build.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create table none_named as select null::varchar as council_code "
                    "from range(3)")
        con.execute("create table one_named as select * from (values (null), ('821')) "
                    "t(council_code)")
    assert not has_council_rows(path, "main.none_named")
    assert has_council_rows(path, "main.one_named")


COMMITTED_SUITES = sorted(validation.EXPECTATIONS_DIR.glob("*.json"))
BETWEEN = "expect_column_values_to_be_between"
LENGTHS = "expect_column_value_lengths_to_be_between"
PAIR = "expect_column_pair_values_a_to_be_greater_than_b"


def _columns(kwargs: dict) -> list[str]:
    return [kwargs[key] for key in ("column", "column_A", "column_B") if key in kwargs]


def _column_type(column: str, arguments: list[tuple[str, dict]]) -> str:
    """boolean for a set of booleans, double for a number, varchar for text."""
    for kind, kwargs in arguments:
        if column in _columns(kwargs) and kind == "expect_column_values_to_be_in_set":
            values = kwargs["value_set"]
            if values and isinstance(values[0], bool):
                return "boolean"
            if values and isinstance(values[0], str):
                return "varchar"
            return "double"
    numeric = any(column in _columns(kwargs) and kind in (BETWEEN, PAIR)
                  for kind, kwargs in arguments)
    return "double" if numeric else "varchar"


def _candidates(column: str, column_type: str, arguments: list[tuple[str, dict]]) -> list:
    """Values of the column that pass, then values that break, its expectations."""
    good, bad = [], []
    for kind, kwargs in arguments:
        if column not in _columns(kwargs):
            continue
        if kind == "expect_column_values_to_be_in_set":
            good.append(kwargs["value_set"][0])
            bad.append({"boolean": not kwargs["value_set"][0], "double": -999.0,
                        "varchar": "not a code"}[column_type])
        elif kind == "expect_column_values_to_not_be_null":
            bad.append(None)
        elif kind == BETWEEN:
            low, high = kwargs.get("min_value"), kwargs.get("max_value")
            good.append(low if low is not None else high)
            bad.append(low - 1 if low is not None else high + 1)
        elif kind == LENGTHS:
            low, high = kwargs.get("min_value"), kwargs.get("max_value")
            good.append("a" * (low if low is not None else high))
            bad.append("a" * (low - 1) if low else "a" * (high + 1))
        elif kind == "expect_column_values_to_match_regex":
            good.append("2024-04-01")
            bad.append("01/04/2024")
        elif kind == PAIR:
            good.append(2.0 if column == kwargs["column_A"] else 1.0)
            bad.append(0.0 if column == kwargs["column_A"] else 3.0)
    if column_type == "double":
        good = [float(v) for v in good if isinstance(v, int | float)]
        bad = [v if v is None else float(v) for v in bad if v is None or isinstance(v, int | float)]
    return (good or ["x"] if column_type == "varchar" else good or [1.0]) + bad


def _where_column(where: str | None) -> tuple[str, str, object] | None:
    """The column a committed suite's ``where`` names, its type and a value it selects."""
    if not where:
        return None
    if match := re.fullmatch(r"(\w+) = '([^']*)'", where):
        return match[1], "varchar", match[2]
    if match := re.fullmatch(r"(\w+) <> '([^']*)'", where):
        return match[1], "varchar", match[2] + " not"
    if re.fullmatch(r"\w+", where):
        return where, "boolean", True
    raise AssertionError(f"unforeseen where: {where}")


def _suite_table(path: Path, suite: validation.SuiteFile, councils: list[str]) -> None:
    """The suite's table, three rows per council: the first council's rows take each column's
    first (passing) value, the others a mix of passing and breaking values."""
    arguments = [(e["type"], resolved(e.get("kwargs", {}), validation.resolve_parameters(suite)))
                 for e in suite.expectations]
    columns = sorted({c for _, kwargs in arguments for c in _columns(kwargs)} - {"council_code"})
    types = {c: _column_type(c, arguments) for c in columns}
    pools = {c: _candidates(c, types[c], arguments) for c in columns}
    selected = _where_column(suite.where)
    schema, table = suite.table.split(".")
    with duckdb.connect(str(path)) as con:
        con.execute(f"create schema if not exists {schema}")
        definitions = ", ".join(f'"{c}" {types[c]}' for c in columns)
        extra = f', "{selected[0]}" {selected[1]}' if selected else ""
        con.execute(f"create table {schema}.{table} (council_code varchar, {definitions}{extra})")
        for number, council in enumerate(councils):
            for row in range(3):
                values = [council] + [
                    pools[c][0] if number == 0
                    else pools[c][(row * 7 + number * 3 + position) % len(pools[c])]
                    for position, c in enumerate(columns)
                ] + ([selected[2]] if selected else [])
                con.execute(f"insert into {schema}.{table} values "
                            f"({', '.join('?' for _ in values)})", values)


@pytest.mark.parametrize("path", [p for p in COMMITTED_SUITES
                                  if validation.load_suite(p).per_council],
                         ids=lambda path: path.stem)
def test_per_council_verdicts_agree_with_one_gx_run_per_council(
    tmp_path: Path, path: Path,
) -> None:
    """For each committed suite checked per council, on a three-council table: every council's
    verdicts from the one GX pass equal those of GX run on that council's rows alone."""
    suite = validation.load_suite(path)
    councils = ["820", "821", "822"]
    build = tmp_path / "build.duckdb"
    _suite_table(build, suite, councils)
    told = {r.council_code: [c.success for c in r.checks]
            for r in validation.validate_suite(build, suite) if r.council_code}
    alone = {council: [c.success for c in validation.run_suite(build, suite, council).checks]
             for council in councils}
    assert told == alone


def _breaking_rows(kind: str, kwargs: dict) -> tuple[str, list[list]]:
    """A table definition and rows that break one expectation."""
    columns = _columns(kwargs)
    arguments = [(kind, kwargs)]
    column_type = _column_type(columns[0], arguments) if columns else "varchar"
    if kind == "expect_column_values_to_be_unique":
        return f'"{columns[0]}" {column_type}', [["x"], ["x"]]
    if kind == PAIR:
        return f'"{columns[0]}" double, "{columns[1]}" double', [[0.0, 3.0]]
    return f'"{columns[0]}" {column_type}', [[_candidates(columns[0], column_type,
                                                           arguments)[-1]]]


@pytest.mark.parametrize("path", COMMITTED_SUITES, ids=lambda path: path.stem)
def test_every_committed_expectation_has_a_per_council_rule(path: Path, tmp_path: Path) -> None:
    """Each per-council rule of a committed suite, run on a council's rows built to break the
    expectation, fails that council and counts its breaking rows (a row count: no rows selected,
    so none counted)."""
    suite = validation.load_suite(path)
    parameters = validation.resolve_parameters(suite)
    build = tmp_path / "t.duckdb"
    for index, expectation in enumerate(suite.expectations):
        kind = expectation["type"]
        kwargs = resolved(expectation.get("kwargs", {}), parameters)
        table = f"t{index}"
        if "council_code" in _columns(kwargs):
            # A row breaking a rule on its council code belongs to no council: GX's failure
            # stays the table's (test_a_failure_no_council_accounts_for_stays_...).
            continue
        if kind == ROW_COUNT:
            definition, rows, where, expected = "n integer", [[1]], "false", 0
        else:
            definition, rows = _breaking_rows(kind, kwargs)
            where, expected = "", len(rows)
        with duckdb.connect(str(build)) as con:
            con.execute(f"create table {table} (council_code varchar, {definition})")
            for row in rows:
                con.execute(f"insert into {table} values ('820', {', '.join('?' for _ in row)})",
                            row)
        verdicts = council_verdicts(build, table, where, [expectation], parameters,
                                    lambda value: False)
        assert [(success, measured) for success, measured, _ in verdicts["820"]] == [
            (False, expected)], (kind, kwargs)


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


def test_an_expectation_gx_passed_passes_for_every_council(tmp_path: Path) -> None:
    """Hand-worked: a suite of Release 1 rows; only Kent sent any. GX passed the row count
    (1 row) over the table, so Medway passes it too, with its own figure (0 rows); Kent's
    'X' breaks the code list GX failed, and only Kent fails it."""
    path = tmp_path / "build.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.coded as select * from (values ('820', 'R1', 'X'), "
                    "('821', 'R2', 'A')) t(council_code, release, code)")
    suites = _write_suites(tmp_path / "expectations", {"marts_coded": {
        "meta": {"asc": {"table": "marts.coded", "severity": "blocking",
                         "where": "release = 'R1'"}},
        "expectations": [
            {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}},
            {"type": "expect_column_values_to_be_in_set",
             "kwargs": {"column": "code", "value_set": ["A"]}},
        ],
    }})
    results = validation.validate_schema(path, "marts", directory=suites)
    assert [(r.council_code, [(c.success, c.observed_value, c.unexpected_count)
                              for c in r.checks]) for r in results] == [
        ("820", [(True, "1", None), (False, "values not shown (not known codes)", 1)]),
        ("821", [(True, "0", None), (True, None, 0)]),
    ]


def test_the_values_shown_are_each_councils_own(tmp_path: Path) -> None:
    """Hand-worked, code list ['A']; known codes are single capitals. Kent (820): six known
    codes B..G break it, five shown. Medway (821): 'C' and the unknown 'zz', 'C' shown. Surrey
    (936): fifty unknown values '000'..'049' sort before its known 'B', so the fifty values
    examined hold no known code. Essex (881): passes, nothing shown."""
    path = tmp_path / "t.duckdb"
    rows = ([("820", code) for code in "BCDEFG"] + [("821", "C"), ("821", "zz")]
            + [("936", f"{n:03d}") for n in range(50)] + [("936", "B"), ("881", "A")])
    with duckdb.connect(str(path)) as con:
        con.execute("create table t (council_code varchar, code varchar)")
        con.executemany("insert into t values (?, ?)", rows)
    verdicts = council_verdicts(
        path, "t", "", [{"type": "expect_column_values_to_be_in_set",
                         "kwargs": {"column": "code", "value_set": ["A"]}}],
        {}, lambda value: isinstance(value, str) and len(value) == 1 and value.isupper())
    assert verdicts == {
        "820": [(False, 6, '["B", "C", "D", "E", "F"]')],
        "821": [(False, 2, '["C"]')],
        "881": [(True, 0, None)],
        "936": [(False, 51, "values not shown (not known codes)")],
    }
