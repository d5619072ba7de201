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

# Only these reach analysts: marts, the load audit and the check history (no person-level data).
PUBLISHED_SCHEMAS = ("marts",)
PUBLISHED_OPS_TABLES = ("load_audit", "data_quality_result")
# Marts with one row per person or per submitted row: published only to the restricted file.
PERSON_LEVEL_TABLES = frozenset({"fct_ascof_measure_person", "fct_cld_field_quality_failure"})
RESTRICTED_FILE_NAME = "asc_restricted.duckdb"
PUBLISHING_DIR_NAME = ".publishing"


def _tables(con: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables "
        "where table_catalog = 'build' and table_schema = ? order by table_name",
        [schema],
    ).fetchall()
    return [row[0] for row in rows]


def _write_atomically(
    build_path: Path, target: Path, tables: list[tuple[str, str]], run_id: str, mode: int
) -> dict[str, int]:
    """Copy ``tables`` into a fresh file with ``mode``, then rename it over ``target``."""
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
        con.execute("checkpoint")
    os.chmod(staging_path, mode)
    with staging_path.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(staging_path, target)
    return counts


def restricted_path_for(published_path: Path) -> Path:
    return published_path.with_name(RESTRICTED_FILE_NAME)


def publish(
    build_path: Path, published_path: Path, run_id: str, restricted_mode: int = 0o600
) -> dict[str, int]:
    """Copy marts into a fresh file, then swap it in. Returns row counts per published table.

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
    counts = _write_atomically(build_path, published_path, aggregate, run_id, 0o640)
    counts.update({f"restricted.{name}": rows for name, rows in restricted.items()})
    return counts
