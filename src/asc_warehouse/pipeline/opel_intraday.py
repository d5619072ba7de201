"""The OPEL intraday run: new OPEL files to published OPEL status and alerts within minutes.

Design (docs/architecture.md, "OPEL intraday"): DuckDB has one writer per file, so the intraday
run never opens the nightly build file or the analysts' ``asc.duckdb``. It keeps its own build
file, ``warehouse/build/opel/opel_build.duckdb`` (OPEL raw data, seeds and the OPEL models only),
and publishes ``warehouse/opel.duckdb`` by writing a new file and renaming it over the old one,
as the nightly publication does. The nightly run and an intraday run therefore share only
read-only inputs (landing files, seeds, the dbt project) and the alert log, whose writes are
serialised by an exclusive file lock. Two intraday runs are kept apart by a lock file
(``opel_intraday.lock``): a second run that finds it held stops at once with nothing changed.
dbt gets its own target and log folders, so its partial-parse state is never shared with a
nightly dbt process.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb

from asc_warehouse.alerts.log import Alert, note_run, read_deliveries, record_alerts
from asc_warehouse.alerts.opel_escalation import opel_alerts
from asc_warehouse.config import Settings, load_settings
from asc_warehouse.ingest.file_checks import ExtractRejectedError
from asc_warehouse.ingest.landing import OPEL_FEED, scan_landing
from asc_warehouse.ingest.loading import LoadResult, already_loaded, record_rejection
from asc_warehouse.ingest.opel import ensure_opel_schema, load_opel_extract
from asc_warehouse.pipeline import dbt_build
from asc_warehouse.pipeline.publish import write_alert_delivery

try:
    import fcntl
except ImportError:  # pragma: no cover - Airflow only runs on POSIX
    fcntl = None  # type: ignore[assignment]

DAG_ID = "asc_opel_intraday"
OPEL_PUBLISHED_FILE_NAME = "opel.duckdb"
OPEL_BUILD_FOLDER = "opel"
OPEL_BUILD_FILE_NAME = "opel_build.duckdb"
LOCK_FILE_NAME = "opel_intraday.lock"
SUMMARY_FILE_NAME = "opel_intraday_summary.json"
OPEL_FILE_PATTERN = "OPEL_*.csv"
# The OPEL models and everything they are built from (seeds, staging), and the councils' names
# for whoever reads opel.duckdb on its own; nothing else.
OPEL_SELECTORS = ("+path:models/marts/opel", "+dim_council")
OPEL_MARTS = (
    "fct_opel_indicator_daily", "fct_opel_status_daily", "fct_opel_update_compliance",
    "dim_council",
)
# The site (engineer ``site``) rewrites its OPEL page from a published file with this function.
SITE_MODULE = "asc_warehouse.present.site"
SITE_OPEL_PAGE_FUNCTION = "build_opel_page"
UK_TIME_ZONE = ZoneInfo("Europe/London")

# The Pressures Plan's update deadlines are 10:30 and 15:30; each run starts 15 minutes after.
DEFAULT_RUN_TIMES = "10:45,15:45"
RUN_TIMES_VARIABLE = "ASC_OPEL_INTRADAY_TIMES"
_TIME = re.compile(r"^([01]?[0-9]|2[0-3]):([0-5][0-9])$")

OpelPageRenderer = Callable[[Path, Path], None]
"""``renderer(opel_duckdb_path, warehouse_dir)``: rebuilds the site's OPEL page from the file."""
_page_renderers: list[OpelPageRenderer] = []


class IntradayRunInProgress(RuntimeError):
    """Another intraday run holds the lock; this one changes nothing."""


def schedule_crons(environ: Mapping[str, str] | None = None) -> list[str]:
    """Cron expressions (Europe/London) for ``ASC_OPEL_INTRADAY_TIMES``, e.g. ``10:45,15:45``."""
    env = os.environ if environ is None else environ
    text = env.get(RUN_TIMES_VARIABLE) or DEFAULT_RUN_TIMES
    crons = []
    for item in text.split(","):
        match = _TIME.fullmatch(item.strip())
        if match is None:
            raise ValueError(f"{RUN_TIMES_VARIABLE}: {item.strip()!r} is not a HH:MM time")
        crons.append(f"{int(match[2])} {int(match[1])} * * *")
    return crons


def register_opel_page_renderer(renderer: OpelPageRenderer) -> None:
    """Let the site rebuild its OPEL page after each OPEL publication (engineer ``site``)."""
    if renderer not in _page_renderers:
        _page_renderers.append(renderer)


def opel_build_dir(settings: Settings) -> Path:
    return settings.build_dir / OPEL_BUILD_FOLDER


def opel_build_path(settings: Settings) -> Path:
    return opel_build_dir(settings) / OPEL_BUILD_FILE_NAME


def opel_published_path(settings: Settings) -> Path:
    return settings.warehouse_dir / OPEL_PUBLISHED_FILE_NAME


@contextmanager
def intraday_lock(settings: Settings) -> Iterator[None]:
    folder = opel_build_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / LOCK_FILE_NAME).open("a") as handle:
        if fcntl is not None:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise IntradayRunInProgress("another OPEL intraday run is in progress") from None
        yield


def load_new_opel_files(settings: Settings) -> list[LoadResult]:
    """Load the OPEL files not loaded into the OPEL build before (by checksum)."""
    scan = scan_landing(settings.landing_dir, OPEL_FILE_PATTERN)
    extracts = [extract for extract in scan.extracts if extract.feed == OPEL_FEED]
    results = []
    opel_build_dir(settings).mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(opel_build_path(settings))) as con:
        ensure_opel_schema(con)
        for extract in extracts:
            if already_loaded(con, extract.checksum):
                continue
            try:
                results.append(load_opel_extract(con, extract))
            except ExtractRejectedError as error:
                results.append(record_rejection(con, extract, str(error)))
    return results


def build_opel_models(settings: Settings) -> str:
    output = dbt_build.run_dbt(
        settings, "build", "--full-refresh", "--select", *OPEL_SELECTORS,
        # Only tests whose every parent is built here: the relationships from the nightly
        # models to dim_council and its seed stay with the nightly run.
        "--indirect-selection", "cautious", "--exclude-resource-type", "unit_test",
        build_path=opel_build_path(settings), work_dir=opel_build_dir(settings),
    )
    return output.strip().splitlines()[-1] if output.strip() else ""


def publish_opel(settings: Settings, run_id: str) -> dict[str, int]:
    """Copy the OPEL marts and OPEL load audit into a new ``opel.duckdb`` and swap it in."""
    published = opel_published_path(settings)
    staging = published.with_name(published.name + ".new")
    staging.unlink(missing_ok=True)
    counts: dict[str, int] = {}
    with duckdb.connect(str(staging)) as con:
        con.execute(f"attach '{opel_build_path(settings)}' as build (read_only)")
        con.execute("create schema marts")
        con.execute("create schema ops")
        for table in OPEL_MARTS:
            con.execute(f"create table marts.{table} as select * from build.marts.{table}")
        con.execute(
            "create table ops.load_audit as select * from build.ops.load_audit "
            "where feed = 'opel'"
        )
        now = datetime.now(UTC)
        con.execute(
            "create table ops.publication as select ?::varchar as run_id, "
            "?::timestamp as published_at, ?::timestamp as published_at_utc, "
            "?::timestamp as published_at_uk",
            [run_id, now.replace(tzinfo=None), now.replace(tzinfo=None),
             now.astimezone(UK_TIME_ZONE).replace(tzinfo=None)],
        )
        con.execute("detach build")
        write_alert_delivery(con, settings.warehouse_dir)
        for schema, table in (("marts", t) for t in OPEL_MARTS):
            row = con.execute(f"select count(*) from {schema}.{table}").fetchone()
            counts[f"{schema}.{table}"] = int(row[0]) if row else 0
        con.execute("checkpoint")
    with staging.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(staging, published)
    for renderer in page_renderers():
        renderer(published, settings.warehouse_dir)
    return counts


def page_renderers() -> list[OpelPageRenderer]:
    """The registered renderers, and the site's OPEL page builder when the site is installed."""
    renderers = list(_page_renderers)
    try:
        site = importlib.import_module(SITE_MODULE)
    except ModuleNotFoundError:
        return renderers
    builder = getattr(site, SITE_OPEL_PAGE_FUNCTION, None)
    if callable(builder) and builder not in renderers:
        renderers.append(builder)
    return renderers


def run_intraday(run_id: str) -> dict[str, Any]:
    """Load, build, alert, publish; return and write the intraday summary.

    Alerts go out before publication, so a failing publication never delays an escalation.
    """
    settings = load_settings()
    started = time.monotonic()
    seconds: dict[str, float] = {}

    def lap(step: str) -> None:
        seconds[step] = round(time.monotonic() - started - sum(seconds.values()), 1)

    with intraday_lock(settings):
        note_run(settings.warehouse_dir, run_id)
        loads = load_new_opel_files(settings)
        rejected = [load for load in loads if load.status == "rejected"]
        record_alerts(settings.warehouse_dir, [
            Alert(
                severity="warning", source=load.file_name, check="OPEL file accepted",
                message=f"{load.message}. Nothing from this file was loaded.",
                council_code=load.council_code or None, run_id=run_id, about=load.file_name,
                what_to_do="Ask the resilience system's administrator to send the file "
                           "again in the landing contract's shape.",
            )
            for load in rejected
        ])
        lap("load")
        dbt = build_opel_models(settings)
        lap("build")
        alerts = opel_alerts(
            opel_build_path(settings), settings.warehouse_dir, run_id, dag_id=DAG_ID
        )
        recorded = record_alerts(settings.warehouse_dir, alerts)
        lap("alerts")
        published = publish_opel(settings, run_id)
        lap("publish")
    summary = {
        "run_id": run_id,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "files": [load.as_dict() for load in loads],
        "dbt": dbt,
        "alerts": [asdict(alert) for alert in recorded.logged],
        "alerts_sent": [alert.message for alert in recorded.logged
                        if alert not in recorded.repeats],
        "alert_delivery_failures": [
            f"{line['channel']}: {line['error']}"
            for line in read_deliveries(settings.warehouse_dir, run_id)
            if line.get("status") == "failed"
        ],
        "published_tables": published,
        "seconds": seconds,
    }
    path = settings.warehouse_dir / SUMMARY_FILE_NAME
    path.write_text(json.dumps(summary, indent=2, default=str), encoding="utf-8")
    return summary


def format_summary(summary: Mapping[str, Any]) -> str:
    lines = [f"OPEL intraday run {summary['run_id']} finished {summary['finished_at']}"]
    for load in summary["files"]:
        lines.append(
            f"  {load['status']:<8} {load['file_name']}: {load['rows_in']} rows in, "
            f"{load['rows_loaded']} loaded, {load['rows_quarantined']} quarantined"
        )
    if not summary["files"]:
        lines.append("  no new OPEL files")
    lines += [f"Alert sent: {message}" for message in summary["alerts_sent"]]
    lines += [f"ALERT CHANNEL FAILED: {failure}"
              for failure in summary["alert_delivery_failures"]]
    lines += [f"Published {table}: {rows} rows"
              for table, rows in summary["published_tables"].items()]
    lines.append("Seconds: " + ", ".join(f"{step} {value}"
                                         for step, value in summary["seconds"].items()))
    return "\n".join(lines)
