"""Publish the analysts' warehouse from a validated build file by atomic replacement.

Analysts open ``asc.duckdb`` read-only. A new file is written beside it and renamed over it:
readers already connected keep the file they opened, new connections see the new one, and a run
that fails before this step leaves the published file exactly as it was.

The copy keeps the build file's table and column comments (dbt's ``persist_docs``), so the
published file documents itself, and adds ``ops.publication`` (this run, in UTC and UK time)
and ``ops.run_history`` (every night's outcome, failed nights included, from
``run_history.json``).

Person-level marts (the drill-through and the field failures) go to a second file,
``asc_restricted.duckdb``, published the same way with its own mode; the aggregate file never
holds them.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import duckdb

from asc_warehouse.alerts.log import read_deliveries
from asc_warehouse.present.run_history import RunOutcome, new_outcome

# Only these reach analysts: marts, the load audit, the check history and measure metadata
# (no person-level data).
PUBLISHED_SCHEMAS = ("marts",)
PUBLISHED_OPS_TABLES = ("load_audit", "data_quality_result")
# Measure and KPI names, units and polarity, so that a published row reads alone.
PUBLISHED_REFERENCE_TABLES = ("ascof_measures", "kpi_catalogue")
# Marts with one row per person or per submitted row: published only to the restricted file.
PERSON_LEVEL_TABLES = frozenset({"fct_ascof_measure_person", "fct_cld_field_quality_failure"})
RESTRICTED_FILE_NAME = "asc_restricted.duckdb"
PUBLISHING_DIR_NAME = ".publishing"

PUBLICATION_COMMENTS = {
    "ops.publication": "The run that published this file: one row.",
    "ops.publication.run_id": "Airflow run id of the night that published this file.",
    "ops.publication.published_at": "When this file was published, UTC (kept for compatibility).",
    "ops.publication.published_at_utc": "When this file was published, UTC.",
    "ops.publication.published_at_uk": "When this file was published, UK local time (GMT or BST).",
    "ops.publication.previous_run_id": "The night recorded before this one (none: first run).",
    "ops.publication.previous_run_outcome": "That night's outcome: published or failed.",
    "ops.publication.failed_runs_since_last_publication": "Failed nights between the previous "
                                                          "publication and this one.",
    "ops.run_history": "Every recorded night's outcome, failed nights included (a failed night "
                       "never changes this file: it appears here at the next publication and at "
                       "once in warehouse/run_history.json and on the site's banner).",
    "ops.run_history.run_id": "Airflow run id.",
    "ops.run_history.outcome": "published, or failed (the published file was left as it was).",
    "ops.run_history.finished_at_utc": "When the run published or failed, UTC.",
    "ops.run_history.finished_at_uk": "When the run published or failed, UK local time.",
    "ops.run_history.failed_task": "The Airflow task that failed, if any.",
    "ops.run_history.message": "What failed, naming the task (never a data value).",
}
ALERT_DELIVERY_DDL = """
create table ops.alert_delivery (
    attempted_at timestamp,
    run_id varchar,
    channel varchar,
    status varchar,
    error varchar,
    alert_count integer,
    alerts varchar
)
"""


def write_alert_delivery(con: duckdb.DuckDBPyConnection, warehouse_dir: Path) -> int:
    """``ops.alert_delivery``: every channel attempt from the alert log, delivered or failed,
    so a broken channel is seen in the warehouse and on the site's data-quality page."""
    con.execute("create schema if not exists ops")
    con.execute(ALERT_DELIVERY_DDL)
    rows = [
        [
            datetime.fromisoformat(str(line["raised_at"])).replace(tzinfo=None),
            line.get("run_id"), line["channel"], line.get("status", "failed"), line.get("error"),
            len(line.get("alerts") or line.get("undelivered") or []),
            "; ".join(line.get("alerts") or []) or None,
        ]
        for line in read_deliveries(warehouse_dir)
    ]
    if rows:
        con.executemany("insert into ops.alert_delivery values (?, ?, ?, ?, ?, ?, ?)", rows)
    return len(rows)


def _tables(con: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables "
        "where table_catalog = 'build' and table_schema = ? order by table_name",
        [schema],
    ).fetchall()
    return [row[0] for row in rows]


QUARANTINE_COMMENTS = {
    "ops.quarantine_by_reason": "Quarantined rows counted by file, field and reason (no row "
                                "content; the rows themselves stay in the build file).",
    "ops.quarantine_by_reason.council_code": "CASSR code of the file's council.",
    "ops.quarantine_by_reason.file_name": "The landed file.",
    "ops.quarantine_by_reason.field": "The field the rule concerns.",
    "ops.quarantine_by_reason.reason": "The rule broken (detail after a colon left out).",
    "ops.quarantine_by_reason.rows": "Rows quarantined for it.",
}


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _copy_comments(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> None:
    """COMMENT ON the copy: ``create table as`` keeps neither table nor column comments."""
    row = con.execute(
        "select comment from duckdb_tables() "
        "where database_name = 'build' and schema_name = ? and table_name = ?",
        [schema, table],
    ).fetchone()
    if row and row[0] is not None:
        con.execute(f'comment on table {schema}."{table}" is {_sql_string(row[0])}')
    columns = con.execute(
        "select column_name, comment from duckdb_columns() where database_name = 'build' "
        "and schema_name = ? and table_name = ? and comment is not null",
        [schema, table],
    ).fetchall()
    for column, comment in columns:
        con.execute(
            f'comment on column {schema}."{table}"."{column}" is {_sql_string(comment)}'
        )


def _comment_all(con: duckdb.DuckDBPyConnection, comments: dict[str, str]) -> None:
    for target, comment in comments.items():
        kind = "column" if target.count(".") == 2 else "table"
        con.execute(f"comment on {kind} {target} is {_sql_string(comment)}")


def _summarise_quarantine(con: duckdb.DuckDBPyConnection) -> int:
    """Quarantined rows by file, field and reason: counts only, never a submitted value.

    A reason's detail after its first colon (e.g. what made a row unreadable) is dropped.
    """
    con.execute(
        """
        create table ops.quarantine_by_reason as
        select audit.council_code, quarantine.file_name, quarantine.field,
            trim(split_part(quarantine.reason, ':', 1)) as reason, count(*) as rows
        from build.ops.quarantine as quarantine
        left join build.ops.load_audit as audit using (load_id)
        group by all
        """
    )
    _comment_all(con, QUARANTINE_COMMENTS)
    row = con.execute("select count(*) from ops.quarantine_by_reason").fetchone()
    return int(row[0]) if row else 0


def _write_publication(
    con: duckdb.DuckDBPyConnection, run_id: str, history: list[RunOutcome]
) -> None:
    this_run = new_outcome(run_id, "published")
    earlier = [run for run in history if run.run_id != run_id]
    previous = earlier[-1] if earlier else None
    failed_since = 0
    for run in reversed(earlier):
        if run.outcome != "failed":
            break
        failed_since += 1
    history = [*earlier, this_run]
    con.execute(
        "create table ops.run_history (run_id varchar, outcome varchar, "
        "finished_at_utc timestamp, finished_at_uk timestamp, failed_task varchar, "
        "message varchar)"
    )
    con.executemany(
        "insert into ops.run_history values (?, ?, ?, ?, ?, ?)",
        [[run.run_id, run.outcome, run.finished_at_utc, run.finished_at_uk, run.failed_task,
          run.message] for run in history],
    )
    con.execute(
        "create table ops.publication as select ?::varchar as run_id, "
        "?::timestamp as published_at, ?::timestamp as published_at_utc, "
        "?::timestamp as published_at_uk, ?::varchar as previous_run_id, "
        "?::varchar as previous_run_outcome, ?::integer as failed_runs_since_last_publication",
        [run_id, this_run.finished_at_utc, this_run.finished_at_utc, this_run.finished_at_uk,
         previous.run_id if previous else None, previous.outcome if previous else None,
         failed_since],
    )
    _comment_all(con, PUBLICATION_COMMENTS)


def _write_atomically(
    build_path: Path,
    target: Path,
    tables: list[tuple[str, str]],
    run_id: str,
    mode: int,
    history: list[RunOutcome],
    warehouse_dir: Path | None = None,
) -> dict[str, int]:
    """Copy ``tables`` with their comments into a fresh file with ``mode``, then rename it over
    ``target``.

    With ``warehouse_dir`` (the aggregate file), the quarantine counts and the alert log's
    delivery record are added as ``ops.quarantine_by_reason`` and ``ops.alert_delivery``.
    """
    # Written inside a folder only the pipeline can enter, so nobody can open it half-made.
    private_dir = target.parent / PUBLISHING_DIR_NAME
    private_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    staging_path = private_dir / target.name
    staging_path.unlink(missing_ok=True)
    counts: dict[str, int] = {}
    with duckdb.connect(str(staging_path)) as con:
        con.execute(f"attach '{build_path}' as build (read_only)")
        for schema in {schema for schema, _ in tables}:
            con.execute(f"create schema if not exists {schema}")
        for schema, table in tables:
            con.execute(
                f"create table {schema}.{table} as select * from build.{schema}.{table}"
            )
            _copy_comments(con, schema, table)
            row = con.execute(f"select count(*) from {schema}.{table}").fetchone()
            counts[f"{schema}.{table}"] = int(row[0]) if row else 0
        con.execute("create schema if not exists ops")
        if warehouse_dir is not None and "quarantine" in _tables(con, "ops"):
            counts["ops.quarantine_by_reason"] = _summarise_quarantine(con)
        _write_publication(con, run_id, history)
        con.execute("detach build")
        if warehouse_dir is not None:
            counts["ops.alert_delivery"] = write_alert_delivery(con, warehouse_dir)
        con.execute("checkpoint")
    os.chmod(staging_path, mode)
    with staging_path.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(staging_path, target)
    return counts


def restricted_path_for(published_path: Path) -> Path:
    return published_path.with_name(RESTRICTED_FILE_NAME)


def publish(
    build_path: Path,
    published_path: Path,
    run_id: str,
    warehouse_dir: Path | None = None,
    history: list[RunOutcome] | None = None,
    restricted_mode: int = 0o600,
) -> dict[str, int]:
    """Copy marts into a fresh file, then swap it in. Returns row counts per published table.

    ``history`` is the nights recorded so far (``run_history.read_history``); this run is
    added to it as published. With ``warehouse_dir``, the quarantine counts and the alert log's
    delivery record are published in the aggregate file.

    Person-level tables go to their own file beside it (``restricted_path_for``), created with
    ``restricted_mode`` (0600 unless the deployment names a group that may read it); the
    aggregate file never holds them. Counts of restricted tables are keyed ``restricted.*``.
    """
    published_path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(":memory:") as con:
        con.execute(f"attach '{build_path}' as build (read_only)")
        copies = [(schema, table) for schema in PUBLISHED_SCHEMAS for table in _tables(con, schema)]
        copies += [("ops", table) for table in _tables(con, "ops") if table in PUBLISHED_OPS_TABLES]
        copies += [("reference", table) for table in _tables(con, "reference")
                   if table in PUBLISHED_REFERENCE_TABLES]
    aggregate = [(schema, table) for schema, table in copies if table not in PERSON_LEVEL_TABLES]
    person_level = [(schema, table) for schema, table in copies if table in PERSON_LEVEL_TABLES]
    restricted = _write_atomically(
        build_path, restricted_path_for(published_path), person_level, run_id, restricted_mode,
        history or [],
    )
    counts = _write_atomically(
        build_path, published_path, aggregate, run_id, 0o640, history or [], warehouse_dir
    )
    counts.update({f"restricted.{name}": rows for name, rows in restricted.items()})
    return counts
