"""Operational tables the pipeline writes: the load audit, the quarantine, the check history.

They live in the build file's ``ops`` schema and are created before anything writes to them,
so that dbt can read them as sources even on a warehouse's first night.
"""

from __future__ import annotations

import duckdb

OPS_DDL = """
create schema if not exists ops;
create table if not exists ops.load_audit (
    load_id varchar primary key,
    feed varchar not null,
    file_name varchar not null,
    checksum varchar not null,
    council_code varchar not null,
    release varchar not null,
    reporting_period_start date not null,
    reporting_period_end date not null,
    status varchar not null,
    rows_in bigint not null,
    rows_loaded bigint not null,
    rows_quarantined bigint not null,
    message varchar,
    loaded_at timestamp not null,
    arrived_at timestamp not null
);
create table if not exists ops.quarantine (
    load_id varchar not null,
    file_name varchar not null,
    source_row_number bigint not null,
    field varchar not null,
    reason varchar not null,
    submitted_value varchar,
    quarantined_at timestamp not null
);
create table if not exists ops.data_quality_result (
    run_id varchar not null,
    run_at timestamp not null,
    suite varchar not null,
    table_name varchar not null,
    expectation varchar not null,
    column_name varchar,
    council_code varchar,
    severity varchar not null,
    success boolean not null,
    observed_value varchar,
    unexpected_count bigint
);
"""


def ensure_ops_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(OPS_DDL)
