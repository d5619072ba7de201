"""Which council's rows broke which check: one validation pass per suite, results per council.

GX validates each suite once, over every council's rows: at 153 councils, one run per council
and suite cost about 15 minutes whatever the data's size. GX's pass decides what passed: an
expectation it passed passes for every council. Each expectation it failed (and each council's
row count) is then judged per council in one grouped SQL query over the suite's table
(``council_verdicts``), so results, alerts and pages still name the council whose extract broke
the rule.

The per-council verdicts follow GX's own rule for each expectation type
(tests/quality/test_council_attribution.py compares them with GX run on each council's rows).
GX's verdict over all the rows is not overruled: an expectation GX failed that no single council
fails (a value that repeats across councils, say) is kept as a failure of the table as a whole
(council None).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import duckdb

from asc_warehouse.ingest.row_values import quoted as quote_column

ROW_COUNT = "expect_table_row_count_to_be_between"
UNIQUE = "expect_column_values_to_be_unique"
# Distinct unexpected values looked at for a council's result; at most five known codes shown.
VALUES_EXAMINED = 50
VALUES_SHOWN = 5
# What a check result says when every value that broke it might identify someone.
VALUES_NOT_SHOWN = "values not shown (not known codes)"


def quote_literal(value: Any) -> str:
    """SQL literal of a value: text quoted (quotes doubled), numbers as written."""
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return str(value)


def resolved(kwargs: Mapping[str, Any], parameters: Mapping[str, list[str]]) -> dict[str, Any]:
    """The expectation's arguments with every ``$PARAMETER`` replaced by its values."""
    return {
        key: parameters[value["$PARAMETER"]]
        if isinstance(value, dict) and "$PARAMETER" in value else value
        for key, value in kwargs.items()
    }


def unexpected_condition(expectation: str, kwargs: Mapping[str, Any]) -> str | None:
    """SQL true for a row the expectation counts as unexpected; None for a table-level or
    uniqueness expectation (no row breaks those alone)."""
    column = kwargs.get("column")
    quoted = quote_column(str(column)) if column else ""
    match expectation:
        case "expect_column_values_to_be_in_set":
            values = ", ".join(quote_literal(v) for v in kwargs.get("value_set") or [])
            return f"{quoted} is not null and {quoted} not in ({values or 'null'})"
        case "expect_column_values_to_not_be_null":
            return f"{quoted} is null"
        case "expect_column_values_to_be_between" | "expect_column_value_lengths_to_be_between":
            measured = quoted if expectation.endswith("values_to_be_between") else (
                f"length({quoted})")
            parts = []
            if kwargs.get("min_value") is not None:
                parts.append(f"{measured} < {quote_literal(kwargs['min_value'])}")
            if kwargs.get("max_value") is not None:
                parts.append(f"{measured} > {quote_literal(kwargs['max_value'])}")
            return f"{quoted} is not null and ({' or '.join(parts)})" if parts else None
        case "expect_column_values_to_match_regex":
            regex = quote_literal(str(kwargs.get("regex")))
            return f"{quoted} is not null and not regexp_matches({quoted}, {regex})"
        case "expect_column_pair_values_a_to_be_greater_than_b":
            a, b = quote_column(kwargs["column_A"]), quote_column(kwargs["column_B"])
            relation = ">=" if kwargs.get("or_equal") else ">"
            # Rows with a NULL are ignored, or refused before GX runs (``gx_duckdb``).
            return f"{a} is not null and {b} is not null and not ({a} {relation} {b})"
        case _:
            return None


def aggregate_sql(expectation: str, kwargs: Mapping[str, Any]) -> str:
    """SQL aggregate per council: the unexpected rows (or the row count)."""
    if expectation == ROW_COUNT:
        return "count(*)"
    if expectation == UNIQUE:
        # Every row whose value another row of the same council shares, as GX counts them.
        return f"count(*) filter (where {_duplicates(kwargs['column'])} > 1)"
    condition = unexpected_condition(expectation, kwargs)
    if condition is None:
        raise ValueError(f"no per-council rule for {expectation}")
    return f"count(*) filter (where {condition})"


def _duplicates(column: str) -> str:
    return quote_column(f"asc duplicates of {column}")


def _succeeds(expectation: str, kwargs: Mapping[str, Any], measured: int) -> bool:
    if expectation == ROW_COUNT:
        low, high = kwargs.get("min_value"), kwargs.get("max_value")
        return (low is None or measured >= low) and (high is None or measured <= high)
    return measured == 0


def _shown_values(
    con: duckdb.DuckDBPyConnection, source: str, column: str, condition: str,
    reportable: Callable[[object], bool],
) -> dict[str, str]:
    """Council -> the unexpected values shown for it, from one scan over every council: the
    first ``VALUES_EXAMINED`` distinct unexpected values of each council, of which at most
    ``VALUES_SHOWN`` known codes are shown."""
    rows = con.execute(
        f"select council_code, value from (select distinct council_code, "
        f"{quote_column(column)} as value from {source} where council_code is not null "
        f"and ({condition})) qualify row_number() over (partition by council_code "
        f"order by value) <= {VALUES_EXAMINED} order by council_code, value"
    ).fetchall()
    examined: dict[str, list[object]] = {}
    for council, value in rows:
        examined.setdefault(str(council), []).append(value)
    shown = {council: [value for value in values if reportable(value)][:VALUES_SHOWN]
             for council, values in examined.items()}
    return {council: json.dumps(values, default=str) for council, values in shown.items()
            if values}


def council_verdicts(
    database_path: Path,
    table: str,
    where: str,
    expectations: list[dict[str, Any]],
    parameters: Mapping[str, list[str]],
    reportable: Callable[[object], bool],
) -> dict[str, list[tuple[bool, int, str | None]]]:
    """Council -> (success, unexpected rows or row count, observed value) per expectation,
    in the suite's order, from one grouped query over the rows of ``table`` that ``where``
    (SQL, or empty) selects. Every council with rows in the table gets a verdict, also one
    with no selected rows (judged on none, as a run on its rows alone would be)."""
    arguments = [resolved(e.get("kwargs", {}), parameters) for e in expectations]
    unique_columns = sorted({kw["column"] for e, kw in zip(expectations, arguments, strict=True)
                             if e["type"] == UNIQUE})
    windows = "".join(
        f", count({quote_column(c)}) over (partition by council_code, {quote_column(c)}) "
        f"as {_duplicates(c)}" for c in unique_columns
    )
    source = f"(select *{windows} from {table}{f' where {where}' if where else ''})"
    aggregates = ", ".join(
        f"{aggregate_sql(e['type'], kw)} as measured_{index}"
        for index, (e, kw) in enumerate(zip(expectations, arguments, strict=True))
    )
    measured_columns = ", ".join(
        f"coalesce(counted.measured_{index}, 0)" for index in range(len(expectations)))
    verdicts: dict[str, list[tuple[bool, int, str | None]]] = {}
    with duckdb.connect(str(database_path), read_only=True) as con:
        rows = con.execute(
            f"with counted as (select council_code, {aggregates} from {source} "
            "where council_code is not null group by council_code) "
            f"select councils.council_code, {measured_columns} "
            f"from (select distinct council_code from {table} where council_code is not null) "
            "councils left join counted using (council_code) order by 1"
        ).fetchall()
        measured_by_council = {str(council): [int(value) for value in measured]
                               for council, *measured in rows}
        succeeded = {council: [_succeeds(e["type"], kw, value) for e, kw, value
                               in zip(expectations, arguments, measured, strict=True)]
                     for council, measured in measured_by_council.items()}
        shown: dict[int, dict[str, str]] = {}
        for index, (expectation, kwargs) in enumerate(zip(expectations, arguments, strict=True)):
            condition = (unexpected_condition(expectation["type"], kwargs)
                         if kwargs.get("column") else None)
            if condition and not all(success[index] for success in succeeded.values()):
                shown[index] = _shown_values(con, source, kwargs["column"], condition,
                                             reportable)
    for council, measured in measured_by_council.items():
        council_verdict = []
        for index, (expectation, kwargs, value) in enumerate(
                zip(expectations, arguments, measured, strict=True)):
            success = succeeded[council][index]
            observed: str | None = None
            if expectation["type"] == ROW_COUNT:
                observed = json.dumps(value)
            elif not success and kwargs.get("column"):
                observed = shown.get(index, {}).get(council, VALUES_NOT_SHOWN)
            council_verdict.append((success, value, observed))
        verdicts[council] = council_verdict
    return verdicts
