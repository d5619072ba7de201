"""Great Expectations over DuckDB with GX's SQL execution engine.

``validation.run_suite`` copies the checked columns into pandas first. For a million-row extract
that copy costs more time and memory than the checks. Here GX computes every metric as SQL inside
DuckDB: the rows of a query become a GX query asset, and only aggregates come back to Python,
plus the few example values that ``result_format`` asks for.

Why GX 1.24.1 with duckdb-engine 0.17.0 fails out of the box ("IndexError: list index out of
range" in ``SqlAlchemyExecutionEngine.resolve_metric_bundle``; upstream issues #10738, #11579):

* ``SqlAlchemyExecutionEngine.execute_query`` (great_expectations/execution_engine/
  sqlalchemy_execution_engine.py) runs the query inside ``with self.get_connection()`` and
  returns the ``CursorResult``. Callers such as ``resolve_metric_bundle`` call ``.fetchall()``
  only after that block has returned the connection to the pool, which rolls back its
  transaction.
* duckdb-engine's ``CursorWrapper`` (duckdb_engine/__init__.py, ``ConnectionWrapper.cursor``)
  is not a cursor of its own. Every "cursor" of a connection reads the one pending result of the
  shared ``DuckDBPyConnection``, and the next statement on that connection discards it. The
  pool's ROLLBACK is such a statement. So the late ``fetchall()`` returns ``[]``, and ``res[0]``
  raises. The same sharing makes two results that are open on one connection return each
  other's rows, which is a silent wrong-answer hazard.

The fix is at the DB-API layer. A dialect subclass, registered as ``duckdb+asc_readonly``, gives
each SQLAlchemy cursor its own DuckDB connection (``duplicate()``: same database instance, its
own result set). Nothing that runs later on the parent connection, the pool's ROLLBACK included,
can discard that cursor's result. Results stay lazy: GX runs the query asset's whole SELECT once
just to read its column names, and eagerly fetching that into Python would cost as much as the
pandas copy. Statements on a duplicate run outside the parent's transaction. That is harmless
only because the dialect always opens the file ``read_only``: it can never write. That also
means validation never takes the write lock.

Schema-qualified tables are validated through a query asset (``select ... from raw.x where ...``)
rather than a table asset. GX then never has to reflect ``schema.table`` by name, and the query
may filter rows (``where release = 'R2'``).

Regex: GX chooses its regex and LIKE operators by inspecting ``execution_engine.dialect_module``.
It knows no DuckDB, so it raises "Regex is not supported for dialect duckdb". duckdb-engine's
dialect is PostgreSQL's, so GX is given the module it uses for PostgreSQL, and the regex becomes
``column ~ 'regex'``. In DuckDB 2.0 ``~`` is ``regexp_matches``, which searches anywhere in the
string. That is the pandas path's meaning too (``str.contains``). The regex engine differs: RE2
here, Python's ``re`` in pandas. Look-arounds and backreferences make DuckDB raise, which
surfaces as ``GxSqlEvaluationError``, and ``\\d`` is ASCII-only here but Unicode in pandas.

An expectation that GX could not evaluate raises ``GxSqlEvaluationError``, whatever the cause: a
metric that raised, or an expectation type whose SQL GX cannot build for this dialect. It is not
reported as an ordinary failed check, because an exception is not a verdict about the data.

What the SQL path refuses, rather than answer differently from the pandas path:

* Column-pair expectations (``expect_column_pair_values_a_to_be_greater_than_b``,
  ``..._to_be_equal``) on rows where exactly one value is NULL, or either value for
  ``ignore_row_if="neither"``. GX's SQL condition is ``NOT (a > b)``, which is NULL for such a
  row, so the row silently passes. The pandas path counts it as unexpected for float columns and
  raises for nullable integer columns. Before running GX, these rows are counted in DuckDB, and
  ``GxSqlEvaluationError`` is raised if there are any. ``ignore_row_if="either_value_is_missing"``
  has no such rows.
* Any expectation type outside ``SUPPORTED_EXPECTATION_TYPES``, the types whose results the tests
  compare with the pandas path. These raise ``UnsupportedExpectationError``, a ``ValueError``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import duckdb_engine
from sqlalchemy.dialects import registry
from sqlalchemy.engine import URL

from asc_warehouse.ingest.row_values import quoted as quote_column

if TYPE_CHECKING:
    from great_expectations.core import ExpectationSuiteValidationResult
    from great_expectations.core.run_identifier import RunIdentifier

    from asc_warehouse.quality.data_docs import DataDocsRun

DIALECT_NAME = "duckdb.asc_readonly"
DRIVER_NAME = "duckdb+asc_readonly"
RESULT_FORMATS = frozenset({"BOOLEAN_ONLY", "BASIC", "SUMMARY", "COMPLETE"})

# Types whose results here match GX's pandas path; tests/test_gx_duckdb.py runs every one of
# them through both paths. Add a type here only together with its case in that test.
SUPPORTED_EXPECTATION_TYPES = frozenset(
    {
        "expect_column_distinct_values_to_be_in_set",
        "expect_column_max_to_be_between",
        "expect_column_min_to_be_between",
        "expect_column_pair_values_a_to_be_greater_than_b",
        "expect_column_pair_values_to_be_equal",
        "expect_column_to_exist",
        "expect_column_value_lengths_to_be_between",
        "expect_column_values_to_be_between",
        "expect_column_values_to_be_in_set",
        "expect_column_values_to_be_null",
        "expect_column_values_to_be_unique",
        "expect_column_values_to_match_regex",
        "expect_column_values_to_not_be_in_set",
        "expect_column_values_to_not_be_null",
        "expect_column_values_to_not_match_regex",
        "expect_table_column_count_to_equal",
        "expect_table_columns_to_match_set",
        "expect_table_row_count_to_be_between",
    }
)
# GX compares a pair in SQL as ``a > b`` / ``a = b``. A row where one value is NULL makes that
# NULL, which GX's SQL does not count as unexpected, while its pandas path does (float) or
# raises (nullable integers). Rows GX keeps under each ``ignore_row_if`` and cannot judge:
PAIR_ROWS_GX_CANNOT_JUDGE = {
    "both_values_are_missing": "({a} is null) <> ({b} is null)",
    "neither": "{a} is null or {b} is null",
    "either_value_is_missing": None,  # GX drops every row with a NULL: nothing to judge
}


class GxSqlEvaluationError(RuntimeError):
    """GX raised while computing an expectation: the result says nothing about the data."""


class UnsupportedExpectationError(ValueError):
    """The SQL path cannot give this expectation the result the pandas path would."""


class IsolatedCursor(duckdb_engine.CursorWrapper):
    """duckdb-engine's cursor, run on a DuckDB connection of its own.

    The parent connection's later statements (the pool's ROLLBACK included) then cannot discard
    this cursor's pending result before GX fetches it.
    """

    def __init__(self, own: duckdb.DuckDBPyConnection, parent: ReadOnlyConnection) -> None:
        super().__init__(own, parent)  # type: ignore[arg-type]  # parent delegates to a wrapper
        self._own = own

    def close(self) -> None:
        # SQLAlchemy closes a cursor once its rows are read: free the duplicate connection then.
        self._own.close()


class ReadOnlyConnection:
    """duckdb-engine's connection wrapper, handing out ``IsolatedCursor``s.

    Closing it closes the DuckDB connection, and DuckDB then closes every duplicate made from
    it, so disposing of the pool leaves no handle on the file.
    """

    def __init__(self, wrapper: duckdb_engine.ConnectionWrapper) -> None:
        self._wrapper = wrapper

    def cursor(self) -> IsolatedCursor:
        return IsolatedCursor(self._wrapper.duplicate(), self)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._wrapper, name)


class ReadOnlyDuckDBDialect(duckdb_engine.Dialect):
    """duckdb-engine's dialect that opens files read-only and isolates each cursor."""

    # Repeated here because SQLAlchemy warns about a dialect class that does not set it itself.
    supports_statement_cache = False

    def connect(self, *cargs: Any, **cparams: Any) -> ReadOnlyConnection:
        # Forced, not defaulted: isolated cursors run outside the parent's transaction, which
        # is only safe on a connection that cannot write.
        cparams["read_only"] = True
        return ReadOnlyConnection(super().connect(*cargs, **cparams))


registry.register(DIALECT_NAME, __name__, ReadOnlyDuckDBDialect.__name__)


def _connection_string(database_path: Path) -> str:
    # URL.create escapes characters such as "%", "?" and "#" that a plain f-string would let
    # SQLAlchemy read as URL syntax.
    url = URL.create(DRIVER_NAME, database=str(Path(database_path).resolve()))
    return url.render_as_string(hide_password=False)


def _check_arguments(database_path: Path, query: str, result_format: str) -> None:
    if not Path(database_path).is_file():
        raise FileNotFoundError(f"no DuckDB file at {database_path}")
    if not query.strip():
        raise ValueError("query must be a SELECT over the DuckDB file")
    if result_format not in RESULT_FORMATS:
        raise ValueError(f"result_format must be one of {sorted(RESULT_FORMATS)}")


def _parameter_names(value: Any) -> set[str]:
    if isinstance(value, dict):
        if "$PARAMETER" in value:
            return {value["$PARAMETER"]}
        return {name for item in value.values() for name in _parameter_names(item)}
    if isinstance(value, list):
        return {name for item in value for name in _parameter_names(item)}
    return set()


def _check_parameters(
    expectations: list[dict[str, Any]], expectation_parameters: dict[str, Any]
) -> None:
    # GX would only notice mid-run, one metric at a time; name every missing value up front.
    missing = _parameter_names(expectations) - set(expectation_parameters)
    if missing:
        raise ValueError(f"no value given for $PARAMETER {sorted(missing)}")


def _check_supported(expectations: list[dict[str, Any]]) -> None:
    unsupported = sorted({str(e.get("type")) for e in expectations} - SUPPORTED_EXPECTATION_TYPES)
    if unsupported:
        raise UnsupportedExpectationError(
            f"not verified against the pandas path on DuckDB: {unsupported} "
            "(see SUPPORTED_EXPECTATION_TYPES in asc_warehouse.quality.gx_duckdb)"
        )


def _pair_rows_gx_cannot_judge(
    connection: duckdb.DuckDBPyConnection, query: str, kwargs: dict[str, Any]
) -> int:
    ignore_row_if = kwargs.get("ignore_row_if", "both_values_are_missing")
    template = PAIR_ROWS_GX_CANNOT_JUDGE.get(ignore_row_if)
    if template is None:
        return 0
    quoted = {key: quote_column(str(kwargs[f"column_{key.upper()}"])) for key in "ab"}
    condition = template.format(**quoted)
    # The newline keeps ")" out of a trailing "--" comment in the query.
    row = connection.execute(f"select count(*) from ({query}\n) as q where {condition}").fetchone()
    return int(row[0]) if row else 0


def _check_pair_nulls(database_path: Path, query: str, expectations: list[dict[str, Any]]) -> None:
    pairs = [e for e in expectations if "column_A" in e.get("kwargs", {})]
    if not pairs:
        return
    with duckdb.connect(str(database_path), read_only=True) as connection:
        counts = {
            f"{e['type']}({e['kwargs']['column_A']}, {e['kwargs']['column_B']})": count
            for e in pairs
            if (count := _pair_rows_gx_cannot_judge(connection, query, e["kwargs"]))
        }
    if counts:
        raise GxSqlEvaluationError(
            f"GX's SQL would pass, unjudged, pair rows holding a NULL: {counts}. Use "
            'ignore_row_if="either_value_is_missing", plus not-null expectations if NULLs matter.'
        )


def _treat_as_postgresql(datasource: Any) -> None:
    # See "Regex" in the module docstring. The datasource caches its execution engine, so this
    # is the instance that ``ValidationDefinition.run`` uses.
    from sqlalchemy.dialects import postgresql

    datasource.get_execution_engine().dialect_module = postgresql


def _close(datasource: Any) -> None:
    # GX builds two SQLAlchemy engines from the connection string: the datasource's, used for
    # asset checks, and the execution engine's, used for metrics. Close both pools now rather
    # than at garbage collection, so no DuckDB handle outlives the call.
    datasource.get_execution_engine().close()
    datasource.get_engine().dispose()


def _raised(exception_info: dict[str, Any]) -> bool:
    # GX reports either one {"raised_exception": ...} block or one block per failed metric.
    if "raised_exception" in exception_info:
        return bool(exception_info["raised_exception"])
    return any(_raised(block) for block in exception_info.values() if isinstance(block, dict))


def _exception_messages(exception_info: dict[str, Any]) -> str:
    if "raised_exception" in exception_info:
        return str(exception_info.get("exception_message"))
    return " | ".join(
        sorted(
            {
                _exception_messages(block)
                for block in exception_info.values()
                if isinstance(block, dict) and _raised(block)
            }
        )
    )


def _raise_for_exceptions(outcome: ExpectationSuiteValidationResult) -> None:
    broken = [
        f"{result.expectation_config.type}({result.expectation_config.kwargs}): "
        f"{_exception_messages(result.exception_info)}"
        for result in outcome.results
        if _raised(result.exception_info)
    ]
    if broken:
        raise GxSqlEvaluationError(
            "GX could not evaluate these expectations in DuckDB: " + "; ".join(broken)
        )


def _run(
    context: Any,
    datasource: Any,
    query: str,
    suite_name: str,
    expectations: list[dict[str, Any]],
    expectation_parameters: dict[str, Any],
    result_format: str,
    run_id: RunIdentifier | None = None,
) -> ExpectationSuiteValidationResult:
    import great_expectations as gx

    batch = datasource.add_query_asset(suite_name, query=query).add_batch_definition_whole_table(
        "all_rows"
    )
    suite = context.suites.add(gx.ExpectationSuite(name=suite_name, expectations=expectations))
    if len(suite.expectations) != len(expectations):
        raise ValueError(f"{suite_name}: GX dropped invalid expectations from the suite")
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=suite_name, data=batch, suite=suite)
    )
    _treat_as_postgresql(datasource)
    return definition.run(
        expectation_parameters=expectation_parameters, result_format=result_format, run_id=run_id
    )


# Result keys in which GX returns the values (or row indexes) that broke an expectation.
VALUE_LIST_KEYS = ("partial_unexpected_list", "unexpected_list")
INDEX_LIST_KEYS = ("partial_unexpected_index_list", "unexpected_index_list", "unexpected_rows")


def _withhold_values(
    outcome: ExpectationSuiteValidationResult, reportable: Callable[[object], bool]
) -> None:
    """Keep only the reportable values GX returned; rows are never pointed at."""
    for result in outcome.results:
        found = result.result
        for key in VALUE_LIST_KEYS:
            if key in found:
                found[key] = [value for value in found[key] if reportable(value)]
        if "partial_unexpected_counts" in found:
            found["partial_unexpected_counts"] = [
                item for item in found["partial_unexpected_counts"] if reportable(item["value"])
            ]
        for key in INDEX_LIST_KEYS:
            found.pop(key, None)
        if isinstance(found.get("observed_value"), list):
            found["observed_value"] = [v for v in found["observed_value"] if reportable(v)]


def validate_in_duckdb(
    database_path: Path,
    query: str,
    suite_name: str,
    expectations: list[dict[str, Any]],
    expectation_parameters: dict[str, Any],
    result_format: str = "SUMMARY",
    *,
    data_docs: DataDocsRun | None = None,
    data_docs_batch: str | None = None,
    reportable: Callable[[object], bool] | None = None,
) -> ExpectationSuiteValidationResult:
    """Validate the rows of ``query`` with GX metrics computed as SQL inside DuckDB.

    ``expectations`` are GX 1.x dicts; ``{"$PARAMETER": name}`` values are looked up in
    ``expectation_parameters``. The file is opened read-only and released before returning.

    Raises ``ValueError`` if an expectation is invalid (GX dropped or rejected it), a parameter
    has no value, or a type is not supported here (``UnsupportedExpectationError``). Raises
    ``GxSqlEvaluationError`` if GX raised while evaluating an expectation, or a column pair has
    NULL rows that GX's SQL would pass unjudged (see the module docstring).

    With ``data_docs`` (an ``asc_warehouse.data_docs.DataDocsRun``), the result carries that
    run's name in its ``run_id`` and is also stored, with the suite, for the Data Docs, under the
    batch label ``data_docs_batch`` (e.g. the council code; "all" if None). It is stored before
    any ``GxSqlEvaluationError`` is raised, so the page shows what GX raised. Storing never
    raises: a failure is logged and kept in ``data_docs.errors``.

    With ``reportable``, only the values it accepts stay in the result (and so in the Data
    Docs): the unexpected values of person-level tables may be anything a person submitted.
    """
    _check_arguments(database_path, query, result_format)
    _check_parameters(expectations, expectation_parameters)
    _check_supported(expectations)
    _check_pair_nulls(database_path, query, expectations)
    # GX otherwise tries to send usage statistics over the network on every context it creates.
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx  # heavy import, only paid by callers that validate
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    # Progress bars only add carriage-return noise to task logs.
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    datasource = context.data_sources.add_sql(
        f"duckdb_{uuid.uuid4().hex}",
        connection_string=_connection_string(database_path),
        # Temp tables would live on one DuckDB connection only; the isolated cursors use many.
        create_temp_table=False,
    )
    try:
        outcome = _run(
            context,
            datasource,
            query,
            suite_name,
            expectations,
            expectation_parameters,
            result_format,
            run_id=None if data_docs is None else data_docs.new_run_id(),
        )
    finally:
        _close(datasource)
    if reportable is not None:
        _withhold_values(outcome, reportable)
    if data_docs is not None:
        data_docs.record(suite_name, expectations, outcome, data_docs_batch)
    _raise_for_exceptions(outcome)
    return outcome
