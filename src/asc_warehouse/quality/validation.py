"""Great Expectations checks over tables of the build file.

Suites live in ``expectations/<suite>.json`` in the GX 1.x suite shape, with a ``meta.asc`` block
naming the table they check and their severity. Code lists are never copied into a suite: an
expectation refers to ``{"$PARAMETER": "code_list__<raw column>__<release>"}`` and the value set
is read from ``seeds/cld_code_list.csv`` at run time. The person-level feeds' suites name
``{"$PARAMETER": "feed_code_list__<feed>__<raw column>"}``, read from
``seeds/<feed>_code_list.csv``.

GX computes every metric as SQL inside DuckDB (``gx_duckdb``), through read-only connections:
no table is copied into pandas and the build file is never locked for writing while it is
validated.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from asc_warehouse.config import EXPECTATIONS_DIR, SEEDS_DIR
from asc_warehouse.ingest.cld_schema import cld_fields
from asc_warehouse.ingest.ops_schema import ensure_ops_schema
from asc_warehouse.ingest.person_feeds import feed_code_list
from asc_warehouse.ingest.quarantine_rules import is_known_code
from asc_warehouse.quality.council_attribution import (
    ROW_COUNT,
    VALUES_NOT_SHOWN,
    council_verdicts,
    quote_literal,
    resolved,
)
from asc_warehouse.quality.data_docs import DataDocsRun
from asc_warehouse.quality.gx_duckdb import validate_in_duckdb

CODE_LIST_PARAMETER = re.compile(r"^code_list__(?P<column>[a-z0-9_]+)__(?P<release>r[12])$")
# The person-level feeds' code lists: seeds/<feed>_code_list.csv, by raw column.
FEED_CODE_LIST_PARAMETER = re.compile(r"^feed_code_list__(?P<feed>[a-z]+)__(?P<column>[a-z0-9_]+)$")
BLOCKING = "blocking"
SEVERITIES = frozenset({BLOCKING, "warning"})


class DataQualityError(RuntimeError):
    """A blocking check failed: the run must not publish."""


@dataclass(frozen=True)
class SuiteFile:
    name: str
    table: str
    severity: str
    body: dict[str, Any]
    where: str | None = None
    """SQL condition choosing the rows the suite applies to, e.g. ``release = 'R1'``."""
    per_council: bool = True
    """False for tables of every English council (the official ASCOF series): checked whole,
    as one batch, rather than once for each of 150 councils."""

    @property
    def expectations(self) -> list[dict[str, Any]]:
        return self.body["expectations"]


@dataclass
class CheckResult:
    suite: str
    table: str
    council_code: str | None
    severity: str
    expectation: str
    column: str | None
    success: bool
    observed_value: str | None
    unexpected_count: int | None
    expectation_index: int
    """Its expectation's position in the suite: two expectations may share type and column."""


@dataclass
class SuiteResult:
    suite: str
    table: str
    council_code: str | None
    severity: str
    success: bool
    checks: list[CheckResult] = field(default_factory=list)

    @property
    def failed(self) -> list[CheckResult]:
        return [check for check in self.checks if not check.success]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def load_suite(path: Path) -> SuiteFile:
    body = json.loads(path.read_text(encoding="utf-8"))
    settings = body.get("meta", {}).get("asc", {})
    table = settings.get("table")
    severity = settings.get("severity")
    if not table or severity not in SEVERITIES:
        raise ValueError(
            f"{path.name}: meta.asc must name a table and a severity in {sorted(SEVERITIES)}"
        )
    return SuiteFile(
        name=body["name"], table=table, severity=severity, body=body, where=settings.get("where"),
        per_council=settings.get("per_council", True),
    )


def suites_for(schemas: tuple[str, ...], directory: Path = EXPECTATIONS_DIR) -> list[SuiteFile]:
    """The suites whose table lives in one of the schemas, e.g. ``raw`` or ``marts``."""
    suites = [load_suite(path) for path in sorted(directory.glob("*.json"))]
    return [suite for suite in suites if suite.table.split(".")[0] in schemas]


def _parameter_names(value: Any) -> list[str]:
    if isinstance(value, dict):
        if "$PARAMETER" in value:
            return [value["$PARAMETER"]]
        return [name for item in value.values() for name in _parameter_names(item)]
    if isinstance(value, list):
        return [name for item in value for name in _parameter_names(item)]
    return []


def code_list_values(raw_column: str, release: str) -> list[str]:
    field_names = {f.raw_column: f.name for f in cld_fields() if f.raw_column}
    if raw_column not in field_names:
        raise ValueError(f"code list parameter names unknown column {raw_column!r}")
    wanted = (field_names[raw_column], release.upper())
    with (SEEDS_DIR / "cld_code_list.csv").open(newline="", encoding="utf-8") as handle:
        values = [
            row["code_value"]
            for row in csv.DictReader(handle)
            if (row["cld_field_name"], row["release"]) == wanted
        ]
    if not values:
        raise ValueError(f"seeds/cld_code_list.csv has no values for {wanted}")
    return values


def resolve_parameters(suite: SuiteFile) -> dict[str, list[str]]:
    parameters: dict[str, list[str]] = {}
    for name in _parameter_names(suite.expectations):
        if feed_match := FEED_CODE_LIST_PARAMETER.match(name):
            parameters[name] = list(feed_code_list(feed_match["feed"], feed_match["column"]))
            continue
        match = CODE_LIST_PARAMETER.match(name)
        if match is None:
            raise ValueError(f"{suite.name}: unknown suite parameter {name!r}")
        parameters[name] = code_list_values(match["column"], match["release"])
    return parameters


def _observed(result: dict[str, Any]) -> str | None:
    """The observed value, or up to five unexpected values that are known codes."""
    if "observed_value" in result:
        return json.dumps(result["observed_value"], default=str)
    if result.get("partial_unexpected_list"):
        return json.dumps(result["partial_unexpected_list"][:5], default=str)
    if result.get("unexpected_count"):
        return VALUES_NOT_SHOWN
    return None


def _where(suite: SuiteFile, council_code: str | None = None) -> str:
    conditions = [suite.where] if suite.where else []
    if council_code is not None:
        conditions.append(f"council_code = {quote_literal(council_code)}")
    return f" where {' and '.join(conditions)}" if conditions else ""


def run_suite(
    database_path: Path,
    suite: SuiteFile,
    council_code: str | None = None,
    data_docs: DataDocsRun | None = None,
) -> SuiteResult:
    """Validate with GX's SQL engine inside DuckDB: only aggregates come back to Python.

    With a council code, only that council's rows are checked; without, every row is.
    """
    parameters = resolve_parameters(suite)
    outcome = validate_in_duckdb(
        database_path,
        f"select * from {suite.table}{_where(suite, council_code)}",
        suite.name,
        suite.expectations,
        parameters,
        data_docs=data_docs,
        data_docs_batch=council_code,
        reportable=is_known_code,
    )
    checks = [
        CheckResult(
            suite=suite.name,
            table=suite.table,
            council_code=council_code,
            severity=suite.severity,
            expectation=result.expectation_config.type,
            column=result.expectation_config.kwargs.get("column"),
            success=bool(result.success),
            observed_value=_observed(result.result),
            unexpected_count=result.result.get("unexpected_count"),
            expectation_index=index,
        )
        for index, result in enumerate(_in_suite_order(suite, parameters, outcome.results))
    ]
    return SuiteResult(
        suite.name, suite.table, council_code, suite.severity, bool(outcome.success), checks
    )


def _in_suite_order(
    suite: SuiteFile, parameters: dict[str, list[str]], results: list[Any],
) -> list[Any]:
    """GX's results put back in the suite's order (GX reorders them), each matched on its type
    and full arguments: the i-th check is the suite's i-th expectation, also for expectations
    with no column (column pairs) that would otherwise look alike."""
    wanted = [(e["type"], resolved(e.get("kwargs", {}), parameters)) for e in suite.expectations]
    ordered: list[Any] = [None] * len(wanted)
    for result in results:
        config = result.expectation_config
        index = next(
            (i for i, (kind, kwargs) in enumerate(wanted) if ordered[i] is None
             and kind == config.type
             and all(config.kwargs.get(key) == value for key, value in kwargs.items())),
            None,
        )
        if index is None:
            raise ValueError(f"{suite.name}: GX returned a result for no expectation of the "
                             f"suite ({config.type})")
        ordered[index] = result
    if any(result is None for result in ordered):
        raise ValueError(f"{suite.name}: GX returned no result for some expectations")
    return ordered


def has_council_rows(database_path: Path, table: str) -> bool:
    """True when the table has a council column and rows: its results can name councils.
    Otherwise it is checked whole (an empty table must still fail its row-count expectation)."""
    schema, name = table.split(".")
    with duckdb.connect(str(database_path), read_only=True) as con:
        has_council = con.execute(
            "select count(*) from information_schema.columns "
            "where table_schema = ? and table_name = ? and column_name = 'council_code'",
            [schema, name],
        ).fetchone()
        if not has_council or not has_council[0]:
            return False
        # The first council row answers: no need to count them all.
        row = con.execute(
            f"select 1 from {table} where council_code is not null limit 1"
        ).fetchone()
    return row is not None


def by_council(database_path: Path, suite: SuiteFile, whole: SuiteResult) -> list[SuiteResult]:
    """The result of one pass over every council's rows, told per council.

    GX's pass decides what passed: an expectation it passed over every row passes for every
    council. Only the expectations it failed are judged again on each council's rows
    (``council_attribution``), to name the councils whose rows broke them, together with each
    council's row count (its figure). A failure GX found that no council's rows account for
    stays a failure of the table as a whole.
    """
    judged = [index for index, (expectation, check)
              in enumerate(zip(suite.expectations, whole.checks, strict=True))
              if not check.success or expectation["type"] == ROW_COUNT]
    verdicts = council_verdicts(
        database_path, suite.table, suite.where or "",
        [suite.expectations[index] for index in judged], resolve_parameters(suite),
        is_known_code,
    )
    results = []
    for council, verdict in verdicts.items():
        council_judged = dict(zip(judged, verdict, strict=True))
        checks = []
        for index, (expectation, gx_check) in enumerate(
                zip(suite.expectations, whole.checks, strict=True)):
            success, unexpected, observed = council_judged.get(index, (True, 0, None))
            checks.append(CheckResult(
                suite.name, suite.table, council, suite.severity, expectation["type"],
                gx_check.column, success or gx_check.success, observed,
                None if expectation["type"] == ROW_COUNT else unexpected, index,
            ))
        results.append(SuiteResult(suite.name, suite.table, council, suite.severity,
                                   all(check.success for check in checks), checks))
    # The checks of ``whole`` are in the suite's order (``run_suite``): matched by index.
    unexplained = [
        whole.checks[index] for position, index in enumerate(judged)
        if not whole.checks[index].success
        and all(verdict[position][0] for verdict in verdicts.values())
    ]
    if unexplained:
        results.append(SuiteResult(suite.name, suite.table, None, suite.severity, False,
                                   unexplained))
    return results


def validate_schema(
    database_path: Path,
    *schemas: str,
    directory: Path = EXPECTATIONS_DIR,
    data_docs: DataDocsRun | None = None,
) -> list[SuiteResult]:
    """Run every suite over the schemas: one GX pass per suite over all its rows, told per
    council present in the suite's table (unless the suite says ``per_council`` false, or the
    table has no council rows)."""
    return [
        result
        for suite in suites_for(schemas, directory)
        for result in validate_suite(database_path, suite, data_docs)
    ]


def validate_suite(
    database_path: Path, suite: SuiteFile, data_docs: DataDocsRun | None = None,
) -> list[SuiteResult]:
    """One GX pass over the suite's rows, told per council where the table has councils."""
    whole = run_suite(database_path, suite, data_docs=data_docs)
    if suite.per_council and has_council_rows(database_path, suite.table):
        return by_council(database_path, suite, whole)
    return [whole]


def raise_for_blocking(results: list[SuiteResult], what: str) -> None:
    """A failed blocking suite stops the run before anything is published."""
    failures = [r for r in results if r.severity == BLOCKING and not r.success]
    if failures:
        details = "; ".join(
            f"{check.suite} [{check.council_code or 'all'}] {check.expectation}"
            f"({check.column}) observed {check.observed_value}"
            for result in failures
            for check in result.failed
        )
        raise DataQualityError(f"blocking checks failed on {what}: {details}")




def record_results(database_path: Path, run_id: str, results: list[SuiteResult]) -> None:
    """Keep every check's result across runs: data quality is itself reported over time."""
    run_at = datetime.now(UTC).replace(tzinfo=None)
    rows = [
        [run_id, run_at, c.suite, c.table, c.expectation, c.column, c.council_code, c.severity,
         c.success, c.observed_value, c.unexpected_count]
        for result in results for c in result.checks
    ]
    with duckdb.connect(str(database_path)) as con:
        ensure_ops_schema(con)
        if rows:
            con.executemany(
                "insert into ops.data_quality_result values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
