"""What every feed's loader shares: reading a file into TEMP tables, quarantine, the audit row.

A file is read with DuckDB's CSV reader into TEMP tables of the loading connection (which DuckDB
keeps in memory, never in the database file); each loader then quarantines its unusable rows,
inserts the rest into its raw table and records rows in = rows loaded + rows quarantined.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

import duckdb

from asc_warehouse.ingest.file_checks import ExtractRejectedError
from asc_warehouse.ingest.landing import ExtractFile
from asc_warehouse.ingest.quarantine_rules import QuarantineRule

CSV_OPTIONS = (
    "header = true, all_varchar = true, delim = ',', quote = '\"', escape = '\"', "
    "strict_mode = true, store_rejects = true, rejects_table = 'extract_rejects', "
    "rejects_scan = 'extract_reject_scans'"
)


@dataclass(frozen=True)
class LoadResult:
    file_name: str
    council_code: str
    status: str
    rows_in: int
    rows_loaded: int
    rows_quarantined: int
    message: str = ""

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def already_loaded(con: duckdb.DuckDBPyConnection, checksum: str) -> bool:
    found = con.execute(
        "select count(*) from ops.load_audit where checksum = ? and status = 'loaded'", [checksum]
    ).fetchone()
    return bool(found and found[0])


def read_into_temp_tables(
    con: duckdb.DuckDBPyConnection, extract: ExtractFile, blank_columns: Sequence[str] = ()
) -> None:
    """``extract_rows`` (good rows with their line numbers) and ``extract_rejects``.

    ``blank_columns`` are optional columns the file lacks (``HeaderReport.blank``): they are
    added empty, so every loader reads the same columns whatever the file held.
    """
    con.execute("drop table if exists extract_rejects")
    con.execute("drop table if exists extract_reject_scans")
    try:
        con.execute(
            "create or replace temp table extract_read as "
            f"select * from read_csv(?, {CSV_OPTIONS})",
            [str(extract.path)],
        )
    except duckdb.Error as error:
        raise ExtractRejectedError(
            f"{extract.path.name}: could not be read as {extract.feed.upper()} CSV: {error}"
        ) from error
    for column in blank_columns:
        con.execute(f'alter table extract_read add column "{column}" varchar')
    # Rows keep the file's order in rowid. Line numbers of good rows are the data lines left
    # once rejected lines are taken out (line 1 is the header).
    con.execute(
        """
        create or replace temp table extract_lines as
        with rejected as (select distinct line from extract_rejects),
        data_lines as (
            select unnest(generate_series(
                2, 1 + (select count(*) from extract_read) + (select count(*) from rejected)
            )) as line
        )
        select line, row_number() over (order by line) - 1 as read_rowid
        from data_lines where line not in (select line from rejected)
        """
    )
    con.execute(
        "create or replace temp table extract_rows as "
        "select extract_read.*, extract_lines.line as source_row_number, "
        "cast(? as date) as file_period_end "
        "from extract_read join extract_lines on extract_lines.read_rowid = extract_read.rowid",
        [extract.period_end],
    )


def drop_temp_tables(con: duckdb.DuckDBPyConnection) -> None:
    for table in ("extract_read", "extract_lines", "extract_rows", "extract_rejects",
                  "extract_reject_scans"):
        con.execute(f"drop table if exists {table}")


def quarantine_rows(
    con: duckdb.DuckDBPyConnection,
    rules: tuple[QuarantineRule, ...],
    load_id: str,
    name: str,
    at: datetime,
) -> str:
    """Record every unusable row; return the SQL condition that excludes them from the load."""
    # The raw line is never copied: it may hold identifiers.
    # One entry per unreadable line: a short row reports each missing column, the first says it.
    con.execute(
        "insert into ops.quarantine select distinct on (line) ?, ?, line, "
        "coalesce(column_name, '(row)'), "
        "'unreadable row: ' || lower(error_type) || ': ' || error_message, null, ? "
        "from extract_rejects order by line, column_idx",
        [load_id, name, at],
    )
    for rule in rules:
        con.execute(
            f"insert into ops.quarantine select ?, ?, source_row_number, ?, ?, {rule.value_sql}, ? "
            f"from extract_rows where {rule.condition}",
            [load_id, name, rule.field, rule.reason, at],
        )
    return " or ".join(f"coalesce(({rule.condition}), false)" for rule in rules)


def record_load(
    con: duckdb.DuckDBPyConnection,
    extract: ExtractFile,
    load_id: str,
    raw_table: str,
    at: datetime,
    warning: str | None = None,
) -> LoadResult:
    """Count the file's rows in, loaded and quarantined, and write its ``ops.load_audit`` row.

    ``warning`` (a tolerated header, ``HeaderReport.warning``) is kept as the audit message.
    """
    name = extract.path.name
    counts = con.execute(
        "select (select count(*) from extract_rows) "
        "+ (select count(distinct line) from extract_rejects), "
        f"(select count(*) from {raw_table} where load_id = $1), "
        "(select count(distinct source_row_number) from ops.quarantine where load_id = $1)",
        [load_id],
    ).fetchone()
    rows_in, rows_loaded, rows_quarantined = (int(value) for value in counts or (0, 0, 0))
    if rows_in == 0:
        raise ExtractRejectedError(f"{name}: has a header but no data rows")
    con.execute(
        "insert into ops.load_audit (load_id, feed, file_name, checksum, council_code, release, "
        "reporting_period_start, reporting_period_end, status, rows_in, rows_loaded, "
        "rows_quarantined, message, loaded_at, arrived_at) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, 'loaded', ?, ?, ?, ?, ?, ?)",
        [
            load_id, extract.feed, name, extract.checksum, extract.council_code, extract.release,
            extract.period_start, extract.period_end, rows_in, rows_loaded, rows_quarantined,
            warning, at, extract.arrived_at,
        ],
    )
    return LoadResult(name, extract.council_code, "loaded", rows_in, rows_loaded, rows_quarantined,
                      warning or "")


def record_rejection(
    con: duckdb.DuckDBPyConnection, extract: ExtractFile, message: str
) -> LoadResult:
    """Note a rejected file in the audit so that it is visible and is retried only if it changes."""
    con.execute(
        "insert or replace into ops.load_audit "
        "values (?, ?, ?, ?, ?, ?, ?, ?, 'rejected', 0, 0, 0, ?, ?, ?)",
        [
            f"{extract.council_code}-{extract.checksum[:16]}", extract.feed, extract.path.name,
            extract.checksum,
            extract.council_code, extract.release, extract.period_start, extract.period_end,
            message, datetime.now(UTC).replace(tzinfo=None), extract.arrived_at,
        ],
    )
    return LoadResult(extract.path.name, extract.council_code, "rejected", 0, 0, 0, message)
