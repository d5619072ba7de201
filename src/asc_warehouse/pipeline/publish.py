"""Publish the analysts' warehouse from a validated build file by atomic replacement.

Analysts open ``asc.duckdb`` read-only. A new file is written beside it and renamed over it:
readers already connected keep the file they opened, new connections see the new one, and a run
that fails before this step leaves the published file exactly as it was.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from asc_warehouse.alerts.log import read_deliveries

# Only these reach analysts: marts, the load audit and the check history (no person-level data).
PUBLISHED_SCHEMAS = ("marts",)
PUBLISHED_OPS_TABLES = ("load_audit", "data_quality_result")
# Marts with one row per person or per submitted row: published only to the restricted file.
PERSON_LEVEL_TABLES = frozenset({"fct_ascof_measure_person", "fct_cld_field_quality_failure"})
RESTRICTED_FILE_NAME = "asc_restricted.duckdb"
PUBLISHING_DIR_NAME = ".publishing"


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


def _write_atomically(
    build_path: Path,
    target: Path,
    tables: list[tuple[str, str]],
    run_id: str,
    mode: int,
    warehouse_dir: Path | None = None,
) -> dict[str, int]:
    """Copy ``tables`` into a fresh file with ``mode``, then rename it over ``target``.

    With ``warehouse_dir``, the alert log's delivery record is added as ``ops.alert_delivery``.
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
            row = con.execute(f"select count(*) from {schema}.{table}").fetchone()
            counts[f"{schema}.{table}"] = int(row[0]) if row else 0
        con.execute("create schema if not exists ops")
        con.execute(
            "create table ops.publication as select ? as run_id, ? as published_at",
            [run_id, datetime.now(UTC).replace(tzinfo=None)],
        )
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
    restricted_mode: int = 0o600,
) -> dict[str, int]:
    """Copy marts into a fresh file, then swap it in. Returns row counts per published table.

    With ``warehouse_dir``, the alert log's delivery record is published as
    ``ops.alert_delivery`` (in the aggregate file).

    Person-level tables go to their own file beside it (``restricted_path_for``), created with
    ``restricted_mode`` (0600 unless the deployment names a group that may read it); the
    aggregate file never holds them. Counts of restricted tables are keyed ``restricted.*``.
    """
    with duckdb.connect(":memory:") as con:
        con.execute(f"attach '{build_path}' as build (read_only)")
        copies = [(schema, table) for schema in PUBLISHED_SCHEMAS for table in _tables(con, schema)]
        copies += [("ops", table) for table in _tables(con, "ops") if table in PUBLISHED_OPS_TABLES]
    aggregate = [(schema, table) for schema, table in copies if table not in PERSON_LEVEL_TABLES]
    person_level = [(schema, table) for schema, table in copies if table in PERSON_LEVEL_TABLES]
    restricted = _write_atomically(
        build_path, restricted_path_for(published_path), person_level, run_id, restricted_mode
    )
    counts = _write_atomically(
        build_path, published_path, aggregate, run_id, 0o640, warehouse_dir
    )
    counts.update({f"restricted.{name}": rows for name, rows in restricted.items()})
    return counts
