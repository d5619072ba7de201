"""The steps of the nightly run, as plain functions the Airflow DAG wraps one task each.

Every step takes and returns JSON-serialisable values (they travel between tasks as XComs) and
reads its paths from the environment, so the same functions run under Airflow, from the CLI and
in tests.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

import duckdb

from asc_warehouse.alerts.data_quality import check_alerts
from asc_warehouse.alerts.log import Alert, note_run, read_deliveries, record_alerts
from asc_warehouse.alerts.messages import (
    DATA_QUALITY_PAGE,
    airflow_run_link,
    council_name,
    link_or,
    site_link,
)
from asc_warehouse.alerts.opel_escalation import opel_alerts
from asc_warehouse.config import Settings, restrict_new_files
from asc_warehouse.config import load_settings as _read_settings
from asc_warehouse.ingest.extracts import load_extracts
from asc_warehouse.ingest.landing import (
    ExtractFile,
    LandingContractError,
    remove_staged,
    scan_landing,
    stage_copy,
)
from asc_warehouse.ingest.loading import LoadResult
from asc_warehouse.ingest.pseudonymise import (
    SAMPLE_DATA_KEY,
    generated_checksums,
    resolve_key,
)
from asc_warehouse.ingest.retention import purge_expired_events, purge_expired_files
from asc_warehouse.pipeline import dbt_build, dbt_docs, fingerprint, publish
from asc_warehouse.pipeline.build_selection import ALWAYS_REBUILT, incremental_selector
from asc_warehouse.pipeline.disk_space import remove_leftovers, require_free_space
from asc_warehouse.present import check_report, exports, run_history, site
from asc_warehouse.quality import validation
from asc_warehouse.quality.data_docs import DataDocsError, DataDocsRun

logger = logging.getLogger(__name__)

SUMMARY_FILE_NAME = "last_run_summary.json"
DATA_DOCS_INDEX = "data_docs/index.html"
DAG_ID = "asc_nightly"
# On a night with no new or changed input, only what reads the clock (tagged in dbt) or tonight's
# check results is rebuilt; every other table of the build file is still current.
LEAN_SELECTOR = ALWAYS_REBUILT
FULL, INCREMENTAL, LEAN = "full", "incremental", "lean"


def load_settings() -> Settings:
    """The settings, with the deployment's umask applied before the step writes anything."""
    settings = _read_settings()
    restrict_new_files(settings)
    return settings


def _loaded_checksums() -> set[str]:
    settings = load_settings()
    if not settings.build_path.exists():
        return set()
    with duckdb.connect(str(settings.build_path), read_only=True) as con:
        exists = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'ops' and table_name = 'load_audit'"
        ).fetchone()
        if not exists or not exists[0]:
            return set()
        rows = con.execute("select checksum from ops.load_audit where status = 'loaded'")
        return {row[0] for row in rows.fetchall()}


def find_new_extracts() -> dict[str, Any]:
    """Files in the landing folder not loaded before (by content checksum)."""
    settings = load_settings()
    scan = scan_landing(settings.landing_dir, settings.landing_settle_minutes)
    loaded = _loaded_checksums()
    found = {
        "new": [extract.as_dict() for extract in scan.extracts if extract.checksum not in loaded],
        "already_loaded": [e.path.name for e in scan.extracts if e.checksum in loaded],
        "rejected": scan.rejected,
        "waiting": scan.waiting,
    }
    logger.info("%s: %d new file(s), %d already loaded, %d not loadable by name",
                settings.landing_dir, len(found["new"]), len(found["already_loaded"]),
                len(scan.rejected))
    for extract in found["new"]:
        logger.info("new: %s (%s, council %s)", extract["path"].rsplit("/", 1)[-1],
                    extract["feed"], extract["council_code"])
    for name, reason in scan.rejected.items():
        logger.warning("not loadable: %s: %s", name, reason)
    return found


def load_new_extracts(found: dict[str, Any], run_id: str) -> list[dict[str, Any]]:
    """Load the new files; every rejected file raises a blocking alert naming the problem, and
    every file loaded with a warning (ignored or blank columns, values withheld because they
    held the person's own identifier) a warning alert saying so."""
    settings = load_settings()
    # Marks the night even if it raises nothing, so repeated alerts are grouped correctly.
    note_run(settings.warehouse_dir, run_id)
    key = resolve_key(settings)
    remove_leftovers(settings.staging_dir)
    extracts = [ExtractFile.from_dict(item) for item in found["new"]]
    groups = staging_groups(extracts, settings.staging_batch_bytes)
    incoming = sum(group_bytes(group) for group in groups)
    # Room for one group's staged copies and for the database's growth. A loaded file takes
    # about a fifth of its CSV's size (Kent scale 1: 830 MB of files, a 174 MB database); a
    # whole CSV's size leaves room for data that compresses worse than the sample's.
    require_free_space(settings.build_dir,
                       incoming + max((group_bytes(group) for group in groups), default=0),
                       "loading the night's files")
    loaded: list[LoadResult] = []
    for group in groups:
        loaded += _stage_and_load(settings, group, key)
    results = _report_loads(settings, loaded, found, run_id)
    if settings.retention_months is not None and settings.build_path.exists():
        purge_expired_events(settings.build_path, settings.retention_months)
        for name in purge_expired_files(settings.landing_dir, settings.build_path,
                                        settings.retention_months):
            logger.info("retention: deleted %s from the landing folder", name)
    return results


def staging_groups(extracts: list[ExtractFile], batch_bytes: int) -> list[list[ExtractFile]]:
    """The night's files in landing order, cut into groups of at most ``batch_bytes`` (a bigger
    file is a group alone)."""
    groups: list[list[ExtractFile]] = []
    size = 0
    for extract in extracts:
        extract_bytes = _size(extract)
        if not groups or size + extract_bytes > batch_bytes:
            groups.append([])
            size = 0
        groups[-1].append(extract)
        size += extract_bytes
    return groups


def group_bytes(group: list[ExtractFile]) -> int:
    return sum(_size(extract) for extract in group)


def _size(extract: ExtractFile) -> int:
    return extract.path.stat().st_size if extract.path.is_file() else 0


def _stage_and_load(settings: Settings, group: list[ExtractFile], key: str) -> list[LoadResult]:
    """Stage one group's copies, load them, and remove the copies whatever happens."""
    staged: list[ExtractFile] = []
    refused: list[LoadResult] = []
    for extract in group:
        try:
            staged.append(stage_copy(extract, settings.staging_dir))
        except (LandingContractError, OSError) as error:
            refused.append(LoadResult(extract.path.name, extract.council_code, "rejected",
                                      0, 0, 0, f"{extract.path.name}: could not be staged: "
                                      f"{getattr(error, 'strerror', None) or error}"))
    try:
        return _load_staged(settings, staged, key) + refused
    finally:
        for extract in staged:
            remove_staged(extract)


def _load_staged(settings: Settings, extracts: list[ExtractFile], key: str) -> list[LoadResult]:
    """Load the staged copies; the sample key is refused for files the generator did not write."""
    refused: list[LoadResult] = []
    if key == SAMPLE_DATA_KEY:
        # The public sample key may hash only the generator's own files.
        generated = generated_checksums(settings.landing_dir)
        refused += [
            LoadResult(extract.path.name, extract.council_code, "rejected", 0, 0, 0,
                       f"{extract.path.name}: the sample key is refused for this file: it is not "
                       "one the sample generator wrote; real extracts need "
                       "ASC_PSEUDONYMISATION_KEY")
            for extract in extracts if extract.checksum not in generated
        ]
        extracts = [extract for extract in extracts if extract.checksum in generated]
    return load_extracts(settings.build_path, extracts, key,
                         settings.load_memory_limit) + refused


def _report_loads(
    settings: Settings,
    results: list[LoadResult],
    found: dict[str, Any],
    run_id: str,
) -> list[dict[str, Any]]:
    """Log every file's outcome and raise the alerts; rejected and waiting files join the list."""
    rejected_names = [
        LoadResult(name, "", "rejected", 0, 0, 0, reason)
        for name, reason in found["rejected"].items()
    ]
    results += rejected_names
    results += [
        LoadResult(name, "", "waiting", 0, 0, 0, reason)
        for name, reason in found.get("waiting", {}).items()
    ]
    for result in results:
        logger.log(
            logging.WARNING if result.status == "rejected" else logging.INFO,
            "%s %s (council %s): %d rows in, %d loaded, %d quarantined%s",
            result.status, result.file_name, result.council_code or "?", result.rows_in,
            result.rows_loaded, result.rows_quarantined,
            f": {result.message}" if result.message else "",
        )
    logger.info("loaded %d file(s), %d rows; %d rows quarantined; %d file(s) rejected",
                sum(1 for r in results if r.status == "loaded"),
                sum(r.rows_loaded for r in results), sum(r.rows_quarantined for r in results),
                sum(1 for r in results if r.status == "rejected"))
    record_alerts(settings.warehouse_dir, [
        Alert(
            severity="blocking", source=result.file_name, check="extract file accepted",
            message=f"{result.message}. Nothing from this file was loaded; other files were.",
            council_code=result.council_code or None,
            council_name=council_name(result.council_code), run_id=run_id,
            observed=result.message, about=result.file_name,
            expected="a file in the landing contract (README, 'Where data lands')",
            rows="the whole file (ops.load_audit, status 'rejected')",
            what_to_do="Correct the file at source and land it again under the same name "
                       "pattern; the night's other files were loaded.",
            details=link_or(f"ops.load_audit where file_name = '{result.file_name}'",
                            site_link(DATA_QUALITY_PAGE), airflow_run_link(DAG_ID, run_id)),
        )
        for result in results if result.status == "rejected"
    ] + [
        Alert(
            severity="warning", source=result.file_name, check="extract loaded as specified",
            message=f"{result.message}. The file was loaded.",
            council_code=result.council_code,
            council_name=council_name(result.council_code), run_id=run_id,
            about=result.file_name, rows="the header row (row 1), or the fields named",
            expected="the CLD header (seeds/cld_fields.csv), extra columns ignored; no "
                     "person's own identifier in a kept free-text field",
            what_to_do="Nothing else is lost; ask the client-system team to send the CLD "
                       "header as specified and to keep names and identifiers out of "
                       "reference and free-text fields.",
        )
        for result in results if result.status == "loaded" and result.message
    ])
    return [result.as_dict() for result in results]


def _build_data_docs(docs: DataDocsRun, run_id: str) -> None:
    """A Data Docs problem is worth a warning, never a lost or hidden check result."""
    try:
        docs.build()
    except DataDocsError as error:
        record_alerts(docs.warehouse_dir, [Alert(
            severity="warning", source="data_docs", check="GX Data Docs built",
            message=str(error), run_id=run_id,
        )])


def _write_check_report(run_id: str) -> None:
    """The offline check report, before a blocking failure can stop the run."""
    settings = load_settings()
    try:
        check_report.build_check_report(settings.build_path, settings.warehouse_dir)
    except Exception as error:  # a report problem never costs a check result
        record_alerts(settings.warehouse_dir, [Alert(
            severity="warning", source="check_report", check="check report written",
            message=f"{type(error).__name__}: {error}", run_id=run_id,
        )])


def _check_alerts(results: list[validation.SuiteResult], run_id: str) -> list[Alert]:
    """The failed checks as alerts; a fault in describing them must not decide publication."""
    settings = load_settings()
    try:
        return check_alerts(settings.build_path, results, run_id, dag_id=DAG_ID)
    except Exception as error:
        logger.exception("could not describe the failed checks")
        failed = [check for result in results for check in result.failed]
        if not failed:
            return []
        return [Alert(
            severity=max((check.severity for check in failed), key=lambda s: s == "blocking"),
            source="ops.data_quality_result", check="data-quality checks",
            message=f"{len(failed)} check(s) failed; their description failed too: {error}",
            run_id=run_id, rows=f"ops.data_quality_result where run_id = '{run_id}'",
        )]


def _validate(run_id: str, *schemas: str) -> list[dict[str, Any]]:
    """Check, keep the results, alert on every failed check, then stop on a blocking one.

    GX Data Docs are rebuilt into ``warehouse/data_docs`` before a blocking failure stops the
    run, so a held-back night still shows why.
    """
    settings = load_settings()
    docs = DataDocsRun(settings.warehouse_dir, run_id)
    try:
        results = validation.validate_schema(settings.build_path, *schemas, data_docs=docs)
    finally:
        _build_data_docs(docs, run_id)
    validation.record_results(settings.build_path, run_id, results)
    _write_check_report(run_id)
    _log_checks(results, schemas)
    record_alerts(settings.warehouse_dir, _check_alerts(results, run_id))
    validation.raise_for_blocking(results, ", ".join(schemas))
    return [result.as_dict() for result in results]


def _log_checks(results: list[validation.SuiteResult], schemas: tuple[str, ...]) -> None:
    checks = [check for result in results for check in result.checks]
    failed = [check for check in checks if not check.success]
    logger.info("checks on %s: %d suite run(s), %d checks passed, %d failed",
                ", ".join(schemas), len(results), len(checks) - len(failed), len(failed))
    for check in failed:
        # Counts only: an observed value may be something a person submitted.
        logger.warning("failed (%s): %s [%s] %s(%s): %s unexpected",
                       check.severity, check.suite, check.council_code or "all",
                       check.expectation, check.column or "", check.unexpected_count or 0)


def validate_raw(run_id: str) -> list[dict[str, Any]]:
    return _validate(run_id, "raw", "ops")


def build_marts(run_id: str) -> dict[str, Any]:
    """Build incrementally when only new files were loaded since the last build, from scratch
    when any other input changed, else refresh lean.

    The inputs (files loaded, seeds, dbt project and vars, dbt version, key, retention purges)
    are fingerprinted and the fingerprint of each complete build is kept in the build file. An
    incremental build selects only what the changed loads and purges reach (build_selection).
    """
    settings = load_settings()
    inputs = fingerprint.current(settings.build_path)
    last_build = fingerprint.stored(settings.build_path)
    changed = inputs.changed_since(last_build)
    mode, selected = LEAN, None
    if changed:
        mode = INCREMENTAL if fingerprint.only_new_loads(changed, last_build) else FULL
        logger.info("%s build: %s", mode, "changed since the last build: " + ", ".join(changed)
                    if last_build else "no complete build before this one")
        if mode == INCREMENTAL:
            selected = incremental_selector(changed, inputs.changed_feeds(last_build))
            logger.info("incremental build of %s", selected or "the whole project (the feeds "
                        "that changed cannot be told apart)")
        fingerprint.forget(settings.build_path)
        output = (dbt_build.refresh(settings, selected) if selected
                  else dbt_build.build(settings, full_refresh=mode == FULL))
        fingerprint.store(settings.build_path, inputs, run_id)
    else:
        logger.info("lean build: no new or changed input (files, seeds, models, vars) since "
                    "the last build; refreshing only %s", LEAN_SELECTOR)
        output = dbt_build.refresh(settings, LEAN_SELECTOR)
    report = dbt_build.last_build_report(settings)
    logger.info("dbt: %d model(s) built, %d seed(s) loaded, tests %d passed, %d warned, "
                "%d failed", len(report.models_built), report.seeds_loaded, report.tests_passed,
                report.tests_warned, report.tests_failed)
    logger.info("models built: %s", ", ".join(report.models_built) or "none")
    return {
        "mode": mode, "changed": changed, "selected": selected, **report.as_dict(),
        "dbt": output.strip().splitlines()[-1] if output.strip() else "",
    }


def alert_opel_escalations(run_id: str) -> list[dict[str, Any]]:
    """Announce OPEL changes and missing updates on the latest reported day at once, whatever
    the data-quality checks then decide; changes already announced (by an intraday run or an
    earlier night) are not sent again."""
    settings = load_settings()
    alerts = opel_alerts(settings.build_path, settings.warehouse_dir, run_id, dag_id=DAG_ID)
    result = record_alerts(settings.warehouse_dir, alerts)
    logger.info("OPEL alerts: %d (%d new)", len(alerts), len(alerts) - len(result.repeats))
    for alert in alerts:
        logger.info("%s: %s", alert.severity, alert.message)
    return [asdict(alert) | {"repeat": alert in result.repeats} for alert in alerts]


def validate_marts(run_id: str) -> list[dict[str, Any]]:
    return _validate(run_id, "marts")


def publish_warehouse(run_id: str) -> dict[str, int]:
    """Publish, record the night as published, then write the site, exports and dbt docs."""
    settings = load_settings()
    remove_leftovers(settings.warehouse_dir / publish.PUBLISHING_DIR_NAME)
    require_free_space(settings.warehouse_dir, settings.build_path.stat().st_size, "publishing")
    counts = publish.publish(
        settings.build_path, settings.published_path, run_id,
        warehouse_dir=settings.warehouse_dir,
        history=run_history.read_history(settings.warehouse_dir),
        restricted_mode=settings.restricted_mode,
    )
    for table, rows in counts.items():
        logger.info("published %s: %d rows", table, rows)
    logger.info("published %d tables to %s", len(counts), settings.published_path)
    run_history.record_outcome(settings.warehouse_dir, run_history.new_outcome(run_id, "published"))
    present_warehouse(run_id)
    return counts


def present_warehouse(run_id: str) -> dict[str, float]:
    """The site, exports and dbt docs from the published file; seconds each took.

    They are derived from the published file and can be rewritten at any time, so a problem
    here is a warning alert, never a failed night.
    """
    settings = load_settings()
    steps = {
        "site": lambda: site.build_site(settings.published_path, settings.warehouse_dir),
        "exports": lambda: exports.write_exports(settings.published_path,
                                                 settings.warehouse_dir),
        "dbt_docs": lambda: dbt_docs.generate(settings),
    }
    timings: dict[str, float] = {}
    for name, step in steps.items():
        started = time.perf_counter()
        try:
            step()
        except Exception as error:  # derived output only: the published file is intact
            record_alerts(settings.warehouse_dir, [Alert(
                severity="warning", source=name, check=f"{name} written at publication",
                message=f"{type(error).__name__}: {error}", run_id=run_id,
            )])
        timings[name] = time.perf_counter() - started
    return timings


def record_failed_night(context: Mapping[str, Any]) -> None:
    """A failed task: record the night as failed and show it on the site's banner.

    ``asc.duckdb`` is not touched (the next publication copies the record into
    ``ops.run_history``); only ``run_history.json`` and the site's pages are rewritten.
    """
    settings = load_settings()
    try:
        run_history.record_outcome(settings.warehouse_dir,
                                   run_history.failed_run_from_context(context))
        if settings.published_path.exists():
            site.build_site(settings.published_path, settings.warehouse_dir)
    except Exception:
        # A raising callback only adds noise to a task that has already failed.
        logger.exception("could not record the failed night")


def headline_measures() -> list[dict[str, Any]]:
    """Every financial year's totals of each measure per council, from the published file."""
    settings = load_settings()
    with duckdb.connect(str(settings.published_path), read_only=True) as con:
        rows = con.execute(
            """
            select council_code, measure_code, breakdown, period_end, numerator, denominator,
                outcome, outcome_unit, status, reason
            from marts.fct_ascof_measure
            where period_type = 'Financial year'
            -- The total, or the one breakdown of a single-band measure such as 2B or 2C.
            qualify breakdown = 'Total'
                or count(*) over (partition by council_code, measure_code, period_end) = 1
            order by council_code, period_end, measure_code
            """
        ).fetchall()
    return [
        {
            "council_code": council, "measure_code": measure, "breakdown": breakdown,
            "period_end": str(period_end), "numerator": numerator, "denominator": denominator,
            "outcome": None if outcome is None else float(outcome), "unit": unit,
            "status": status, "reason": reason,
        }
        for (council, measure, breakdown, period_end, numerator, denominator, outcome, unit,
             status, reason) in rows
    ]


def completeness_gaps() -> list[dict[str, Any]]:
    """Why published measure and KPI rows have no value, per council and reason.

    Completeness never stops publication; it is reported in the summary and as warnings.
    """
    settings = load_settings()
    with duckdb.connect(str(settings.published_path), read_only=True) as con:
        rows = con.execute(
            """
            select 'marts.fct_ascof_measure' as source, council_code, reason, count(*)
            from marts.fct_ascof_measure where status = 'No value' group by all
            union all
            select 'marts.fct_kpi_monthly', council_code, reason, count(*)
            from marts.fct_kpi_monthly where status = 'No value' group by all
            order by 1, 2, 3
            """
        ).fetchall()
    return [
        {"source": source, "council_code": council, "reason": reason, "rows": count}
        for source, council, reason, count in rows
    ]


def kpi_scorecard() -> list[dict[str, Any]]:
    """Each plan KPI with a value: its latest month, value, target and RAG (marts.kpi_scorecard)."""
    settings = load_settings()
    with duckdb.connect(str(settings.published_path), read_only=True) as con:
        rows = con.execute(
            """
            select council_code, kpi_ref, month, value_rounded, unit, target, rag,
                direction_of_travel
            from marts.kpi_scorecard
            where status = 'Value'
            order by council_code, kpi_ref
            """
        ).fetchall()
    return [
        {
            "council_code": council, "kpi_ref": kpi_ref, "month": str(month), "value": value,
            "unit": unit, "target": target, "rag": rag, "direction_of_travel": direction,
        }
        for council, kpi_ref, month, value, unit, target, rag, direction in rows
    ]


def summarise(
    run_id: str,
    loads: list[dict[str, Any]],
    raw_checks: list[dict[str, Any]],
    build: dict[str, Any],
    mart_checks: list[dict[str, Any]],
    published: dict[str, int],
    escalations: list[dict[str, Any]],
) -> dict[str, Any]:
    """Write the run summary beside the published warehouse and return it."""
    checks = [check for suite in raw_checks + mart_checks for check in suite["checks"]]
    summary = {
        "run_id": run_id,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "files": loads,
        "rows_loaded": sum(int(load["rows_loaded"]) for load in loads),
        "rows_quarantined": sum(int(load["rows_quarantined"]) for load in loads),
        "checks_passed": sum(1 for check in checks if check["success"]),
        "checks_failed": sum(1 for check in checks if not check["success"]),
        "failed_checks": [
            f"{check['severity']}: {check['suite']} [{check['council_code'] or 'all'}] "
            f"{check['expectation']}"
            f"({check['column'] or ''}) {check['unexpected_count'] or 0} unexpected"
            for check in checks if not check["success"]
        ],
        "build": {key: build[key] for key in ("mode", "changed", "selected", "models_built",
                                               "seeds_loaded", "tests_passed", "tests_warned",
                                               "tests_failed")},
        "published_tables": published,
        "opel_escalations": [
            alert["message"] for alert in escalations
            if alert["severity"] in {"escalation", "de-escalation"} and not alert["repeat"]
        ],
        "alert_delivery_failures": [
            f"{line['channel']}: {line['error']} ({len(line.get('undelivered') or [])} alerts)"
            for line in read_deliveries(load_settings().warehouse_dir, run_id)
            if line.get("status") == "failed"
        ],
        "headline_measures": headline_measures(),
        "kpi_scorecard": kpi_scorecard(),
        "completeness": completeness_gaps(),
    }
    record_alerts(load_settings().warehouse_dir, [
        Alert(
            severity="warning", source=gap["source"], check="values present",
            message=f"{gap['rows']} rows without a value: {gap['reason']}. Published anyway.",
            council_code=gap["council_code"],
            council_name=council_name(gap["council_code"]), run_id=run_id,
            about=f"{gap['source']}: {gap['reason']}",
        )
        for gap in summary["completeness"]
    ])
    path = load_settings().warehouse_dir / SUMMARY_FILE_NAME
    path.write_text(json.dumps(summary, indent=2, default=str), encoding="utf-8")
    return summary


def format_summary(summary: dict[str, Any]) -> str:
    lines = [f"Run {summary['run_id']} finished {summary['finished_at']}"]
    for load in summary["files"]:
        lines.append(
            f"  {load['status']:<8} {load['file_name']}: {load['rows_in']} rows in, "
            f"{load['rows_loaded']} loaded, {load['rows_quarantined']} quarantined"
            + (f" ({load['message']})" if load.get("message") else "")
        )
    if not summary["files"]:
        lines.append("  no new extract files")
    lines.append(
        f"Checks: {summary['checks_passed']} passed, {summary['checks_failed']} failed"
    )
    lines.extend(f"  {failed}" for failed in summary["failed_checks"])
    build = summary["build"]
    if build["mode"] == LEAN:
        lines.append(
            "Build: lean, no new or changed input (files, seeds, models, vars); refreshed only "
            f"what depends on the date or tonight's checks: {', '.join(build['models_built'])}")
    else:
        lines.append(f"Build: {build['mode']} ({', '.join(build['changed'])} changed): "
                     f"{len(build['models_built'])} models, {build['seeds_loaded']} seeds"
                     + (f"; only what the changes reach: {build['selected']}"
                        if build.get("selected") else ""))
    lines.append(f"dbt tests: {build['tests_passed']} passed, {build['tests_warned']} warned, "
                 f"{build['tests_failed']} failed")
    for escalation in summary["opel_escalations"]:
        lines.append(f"OPEL change: {escalation}")
    for failure in summary.get("alert_delivery_failures", []):
        lines.append(f"ALERT CHANNEL FAILED: {failure}")
    lines.append("Headline measures (each financial year):")
    for measure in summary["headline_measures"]:
        value = (
            f"{measure['numerator']}/{measure['denominator']} = {measure['outcome']} "
            f"{measure['unit']}" if measure["outcome"] is not None else "no value"
        )
        note = f" ({measure['reason']})" if measure.get("reason") else ""
        lines.append(
            f"  {measure['council_code']} {measure['measure_code']:<7} {measure['breakdown']:<13} "
            f"to {measure['period_end']}: {value}{note}"
        )
    lines.append("Business-plan KPIs (latest month, marts.kpi_scorecard):")
    for kpi in summary.get("kpi_scorecard", []):
        value = "no value" if kpi["value"] is None else f"{kpi['value']:g} {kpi['unit']}"
        target = "no target" if kpi["target"] is None else f"target {kpi['target']:g}"
        lines.append(
            f"  {kpi['council_code']} {kpi['kpi_ref']:<15} {kpi['month'][:7]}: {value}, "
            f"{target}, {kpi['rag']}, {kpi['direction_of_travel']}"
        )
    lines.append("Completeness (published without a value; warnings, not failures):")
    for gap in summary.get("completeness", []):
        lines.append(
            f"  {gap['council_code']} {gap['source']}: {gap['rows']} rows, {gap['reason']}"
        )
    return "\n".join(lines)
