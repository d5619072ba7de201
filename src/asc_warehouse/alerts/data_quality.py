"""Data-quality alerts a reader can act on: one per fault, naming the file, rows and values.

A fault is one council's file (for the raw tables and the load audit) or one council's rows of
a mart. All the checks that failed on it in a validation pass go into one alert, so a broken
file gives one message, not one per check. For a raw table each failed column check is worked
out again in SQL inside DuckDB to give, per file, how many rows break it, the first row numbers
(the header is row 1) and, for code-list checks, the distinct unexpected values with counts.
Values are shown only when they look like a code-list entry (``messages.shown_value``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from asc_warehouse.alerts.log import Alert
from asc_warehouse.alerts.messages import (
    DATA_QUALITY_PAGE,
    airflow_run_link,
    council_name,
    distinct_value_counts,
    link_or,
    site_link,
)
from asc_warehouse.config import EXPECTATIONS_DIR
from asc_warehouse.quality.council_attribution import (
    quote_literal,
    resolved,
    unexpected_condition,
)
from asc_warehouse.quality.validation import (
    BLOCKING,
    CheckResult,
    SuiteFile,
    SuiteResult,
    load_suite,
    resolve_parameters,
)

ROW_NUMBERS_SHOWN = 10
VALUES_SHOWN = 10
LOAD_QUALITY_TABLE = "ops.latest_load_quality"
FIELD_FAILURE_MART = "marts.fct_cld_field_quality_failure"
CHECK_NAME = "data-quality checks"


@dataclass(frozen=True)
class ColumnFault:
    """What one failed column check found in one file."""

    file_name: str
    rows: int
    first_rows: list[int]
    values: list[tuple[str, int]]


def _expectation(suite: SuiteFile, check: CheckResult) -> dict[str, Any]:
    return dict(suite.expectations[check.expectation_index].get("kwargs", {}))


def _share(column: str, value: Any) -> str:
    # Shares are stored as fractions; readers think in percentages.
    if column.endswith("_share") and isinstance(value, int | float):
        return f"{value * 100:g}% of rows quarantined"
    return str(value)


def describe_expectation(expectation: str, kwargs: Mapping[str, Any]) -> str:
    """What the check wanted, in the reader's words."""
    column = str(kwargs.get("column") or "")
    match expectation:
        case "expect_column_values_to_be_in_set":
            values = list(kwargs.get("value_set") or [])
            shown = ", ".join(str(v) for v in values[:8]) + (" ..." if len(values) > 8 else "")
            return f"{column}: one of its {len(values)} code-list values ({shown})"
        case "expect_column_values_to_not_be_null":
            return f"{column}: filled in on every row"
        case "expect_column_values_to_be_between":
            low, high = kwargs.get("min_value"), kwargs.get("max_value")
            if column.endswith("_share") and high is not None:
                return f"not more than {_share(column, high)}"
            bounds = [f"at least {low}" if low is not None else "",
                      f"at most {high}" if high is not None else ""]
            return f"{column}: " + " and ".join(b for b in bounds if b)
        case "expect_table_row_count_to_be_between":
            return f"between {kwargs.get('min_value', 0)} and {kwargs.get('max_value', 'any')} rows"
        case "expect_column_pair_values_a_to_be_greater_than_b":
            relation = "at least" if kwargs.get("or_equal") else "more than"
            return f"{kwargs.get('column_A')} {relation} {kwargs.get('column_B')} on every row"
        case "expect_column_values_to_be_unique":
            return f"{column}: no value repeated"
        case "expect_column_values_to_match_regex":
            return f"{column}: in the form {kwargs.get('regex')}"
        case _:
            return f"{expectation.removeprefix('expect_').replace('_', ' ')} ({column})"


def column_faults(
    con: duckdb.DuckDBPyConnection, suite: SuiteFile, council_code: str | None,
    expectation: str, kwargs: Mapping[str, Any],
) -> list[ColumnFault]:
    """Per file of a raw table: rows breaking the check, first row numbers, distinct values."""
    condition = unexpected_condition(expectation, kwargs) if kwargs.get("column") else None
    if condition is None or not suite.table.startswith("raw."):
        return []
    filters = [f"({condition})"]
    if suite.where:
        filters.append(f"({suite.where})")
    if council_code is not None:
        filters.append(f"council_code = {quote_literal(council_code)}")
    where = " and ".join(filters)
    files = con.execute(
        f"""
        select source_file, count(*),
            list(source_row_number order by source_row_number)[1:{ROW_NUMBERS_SHOWN}]
        from {suite.table} where {where}
        group by source_file order by source_file
        """
    ).fetchall()
    faults = []
    for file_name, rows, first_rows in files:
        values: list[tuple[str, int]] = []
        if expectation == "expect_column_values_to_be_in_set":
            pairs = con.execute(
                f'select "{kwargs["column"]}", count(*) from {suite.table} '
                f"where {where} and source_file = ? group by 1",
                [file_name],
            ).fetchall()
            values = distinct_value_counts(pairs)[:VALUES_SHOWN]
        faults.append(ColumnFault(file_name, int(rows), [int(r) for r in first_rows], values))
    return faults


def _load_quality_row(
    con: duckdb.DuckDBPyConnection, council_code: str | None, threshold: float
) -> tuple[str, int, int] | None:
    row = con.execute(
        f"select file_name, rows_quarantined, rows_in from {LOAD_QUALITY_TABLE} "
        "where quarantined_share > ? and (? is null or council_code = ?) "
        "order by quarantined_share desc limit 1",
        [threshold, council_code, council_code],
    ).fetchone()
    return (str(row[0]), int(row[1]), int(row[2])) if row else None


@dataclass
class _Fault:
    council_code: str | None
    source: str
    severity: str
    checks: list[str]
    observed: list[str]
    expected: list[str]
    rows: list[str]
    values: list[tuple[str, int]]
    why: list[str]
    is_file: bool


def _what_to_do(fault: _Fault) -> str:
    if fault.severity == BLOCKING:
        action = ("Correct the extract at source and land a new file; nothing from it is "
                  "published until then and the previous warehouse stays.")
    else:
        action = "Check the rows with the system team; the data is published meanwhile."
    return " ".join([action, *dict.fromkeys(fault.why)])


def check_alerts(
    build_path: Path,
    results: list[SuiteResult],
    run_id: str,
    *,
    dag_id: str,
    directory: Path = EXPECTATIONS_DIR,
) -> list[Alert]:
    """One alert per council and file (or mart) with every check that failed on it."""
    faults: dict[tuple[str | None, str], _Fault] = {}
    with duckdb.connect(str(build_path), read_only=True) as con:
        for result in results:
            if not result.failed:
                continue
            suite = load_suite(directory / f"{result.suite}.json")
            parameters = resolve_parameters(suite)
            description = str(suite.body.get("meta", {}).get("asc", {}).get("description", ""))
            for check in result.failed:
                kwargs = resolved(_expectation(suite, check), parameters)
                _add_check(con, faults, suite, result, check, kwargs, description)
    return [_alert(fault, run_id, dag_id) for fault in faults.values()]


def _add_check(
    con: duckdb.DuckDBPyConnection,
    faults: dict[tuple[str | None, str], _Fault],
    suite: SuiteFile,
    result: SuiteResult,
    check: CheckResult,
    kwargs: Mapping[str, Any],
    description: str,
) -> None:
    expected = describe_expectation(check.expectation, kwargs)
    found: list[tuple[str, str, list[str], list[tuple[str, int]]]] = []
    # (source, observed, rows, values) per file, or one entry for the table as a whole
    if suite.table == LOAD_QUALITY_TABLE and kwargs.get("max_value") is not None:
        row = _load_quality_row(con, result.council_code, float(kwargs["max_value"]))
        if row:
            file_name, quarantined, rows_in = row
            share = 100 * quarantined / rows_in if rows_in else 0.0
            found.append((file_name, f"{share:.1f}% of rows quarantined ({quarantined:,} of "
                          f"{rows_in:,})", [f"{quarantined:,} rows in ops.quarantine where "
                                            f"file_name = '{file_name}'"], []))
    for fault in column_faults(con, suite, result.council_code, check.expectation, kwargs):
        shown = ", ".join(str(n) for n in fault.first_rows)
        more = " ..." if fault.rows > len(fault.first_rows) else ""
        where = (f"{FIELD_FAILURE_MART} where file_name = '{fault.file_name}'"
                 if suite.table == "raw.cld_events" else f"{suite.table} by source_row_number")
        found.append((
            fault.file_name, f"{check.column}: {fault.rows:,} rows",
            [f"{check.column}: rows {shown}{more} (see {where})"], fault.values,
        ))
    if not found:
        count = f"{check.unexpected_count:,} rows" if check.unexpected_count else "failed"
        observed = f"{check.column + ': ' if check.column else ''}{count}"
        found.append((suite.table, observed,
                      [f"{suite.table} where council_code = '{result.council_code}'"]
                      if result.council_code else [], []))
    for source, observed, rows, values in found:
        key = (result.council_code, source)
        fault = faults.setdefault(key, _Fault(
            result.council_code, source, suite.severity, [], [], [], [], [], [],
            is_file=source != suite.table,
        ))
        if suite.severity == BLOCKING:
            fault.severity = BLOCKING
        fault.checks.append(f"{suite.name}: {check.expectation}({check.column or ''})")
        fault.observed.append(observed)
        fault.expected.append(expected)
        fault.rows += rows
        fault.values += values
        if description:
            fault.why.append(description)


def _alert(fault: _Fault, run_id: str, dag_id: str) -> Alert:
    checks = "; ".join(dict.fromkeys(fault.checks))
    return Alert(
        severity=fault.severity,
        source=fault.source,
        check=CHECK_NAME,
        message=f"{fault.source}: {len(fault.checks)} check(s) failed: {checks}.",
        council_code=fault.council_code,
        council_name=council_name(fault.council_code),
        run_id=run_id,
        observed="; ".join(fault.observed),
        expected="; ".join(dict.fromkeys(fault.expected)),
        details=link_or(
            f"ops.data_quality_result where run_id = '{run_id}'",
            site_link(DATA_QUALITY_PAGE), airflow_run_link(dag_id, run_id),
        ),
        about=fault.source if fault.is_file else None,
        rows="; ".join(fault.rows) or None,
        unexpected_values=fault.values or None,
        what_to_do=_what_to_do(fault),
    )

