"""Load landed CLD extracts into the build DuckDB file.

Each file loads in one transaction: its usable rows go to ``raw.cld_events`` (pseudonymised),
its unusable rows to ``ops.quarantine`` with the reason, and one row to ``ops.load_audit`` with
rows in = rows loaded + rows quarantined. Rows DuckDB cannot parse (wrong number of fields, bytes
that are not UTF-8) are caught by ``read_csv``'s reject store and quarantined with their line.
Raw identifiers only ever live in TEMP tables of the loading connection, which DuckDB keeps in
memory, never in the database file.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from asc_warehouse.cld_schema import CldField, cld_fields
from asc_warehouse.file_checks import ExtractRejectedError, check_file
from asc_warehouse.landing import ExtractFile
from asc_warehouse.nhs_number import is_valid_nhs_number
from asc_warehouse.ops_schema import ensure_ops_schema
from asc_warehouse.pseudonymise import keyed_hasher, postcode_district
from asc_warehouse.quarantine_rules import (
    DATE_FORMAT,
    QuarantineRule,
    blank_to_null,
    quarantine_rules,
    quoted,
)

# Outward code, optional space, inward code: the shape of every UK postcode.
POSTCODE_PATTERN = r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$"
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



def _raw_column_definitions(fields: tuple[CldField, ...]) -> str:
    lineage = [
        "council_code varchar not null",
        "release varchar not null",
        "load_id varchar not null",
        "source_file varchar not null",
        "source_row_number bigint not null",
        "loaded_at timestamp not null",
    ]
    checks = [f"{field.check_column} varchar not null" for field in fields if field.check_column]
    columns = [
        f"{field.raw_column} {'date' if field.privacy_handling == 'birth_month' else 'varchar'}"
        for field in fields
        if field.raw_column
    ]
    return ",\n    ".join(lineage + checks + columns)


def _check_expression(field: CldField) -> str:
    """'valid', 'blank' or 'invalid' for an identifying field, judged before it is hashed."""
    source = quoted(field.name)
    valid = {
        "nhs_number": f"asc_is_valid_nhs_number({source})",
        "date": f"try_strptime({blank_to_null(field.name)}, '{DATE_FORMAT}') is not null",
        "postcode": f"regexp_full_match(upper(trim({source})), '{POSTCODE_PATTERN}')",
        "text": "true",
    }[field.value_check]
    return (
        f"case when {blank_to_null(field.name)} is null then 'blank' "
        f"when {valid} then 'valid' else 'invalid' end as {field.check_column}"
    )


def _select_expression(field: CldField) -> str:
    source = quoted(field.name)
    match field.privacy_handling:
        case "keep":
            return f"{blank_to_null(field.name)} as {field.raw_column}"
        case "keyed_hash" if field.name == "NHS Number":
            # Only a valid NHS number may link records (national rule: traced NHS number).
            return (
                f"case when asc_is_valid_nhs_number({source}) then asc_keyed_hash({source}) end"
                f" as {field.raw_column}"
            )
        case "keyed_hash":
            return f"asc_keyed_hash({source}) as {field.raw_column}"
        case "postcode_district":
            return f"asc_postcode_district({source}) as {field.raw_column}"
        case "birth_month":
            # DHSC holds only birth year and month and dates birth on the 1st of the month.
            return (
                f"cast(date_trunc('month', try_strptime({blank_to_null(field.name)}, "
                f"'{DATE_FORMAT}')) as date) as {field.raw_column}"
            )
        case other:
            raise ValueError(f"no ingestion rule for privacy handling {other!r} ({field.name})")


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists raw")
    ensure_ops_schema(con)
    columns = _raw_column_definitions(cld_fields())
    con.execute(f"create table if not exists raw.cld_events (\n    {columns}\n)")
    # Each council's newest loaded file: the one its measures now depend on most.
    con.execute(
        """
        create or replace view ops.latest_load_quality as
        select load_id, feed, file_name, council_code, rows_in, rows_loaded, rows_quarantined,
            rows_quarantined / rows_in as quarantined_share
        from ops.load_audit
        where status = 'loaded'
        qualify row_number() over (
            partition by council_code, feed order by reporting_period_end desc, loaded_at desc
        ) = 1
        """
    )


def _is_valid_nhs_number(value: str | None) -> bool | None:
    return None if value is None else is_valid_nhs_number(value)


def register_functions(con: duckdb.DuckDBPyConnection, key: str) -> None:
    con.create_function("asc_keyed_hash", keyed_hasher(key), ["VARCHAR"], "VARCHAR")
    con.create_function("asc_postcode_district", postcode_district, ["VARCHAR"], "VARCHAR")
    con.create_function("asc_is_valid_nhs_number", _is_valid_nhs_number, ["VARCHAR"], "BOOLEAN")


def already_loaded(con: duckdb.DuckDBPyConnection, checksum: str) -> bool:
    found = con.execute(
        "select count(*) from ops.load_audit where checksum = ? and status = 'loaded'", [checksum]
    ).fetchone()
    return bool(found and found[0])


def read_into_temp_tables(con: duckdb.DuckDBPyConnection, extract: ExtractFile) -> None:
    """``extract_rows`` (good rows with their line numbers) and ``extract_rejects``."""
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
) -> LoadResult:
    """Count the file's rows in, loaded and quarantined, and write its ``ops.load_audit`` row."""
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
        "values (?, ?, ?, ?, ?, ?, ?, ?, 'loaded', ?, ?, ?, null, ?, ?)",
        [
            load_id, extract.feed, name, extract.checksum, extract.council_code, extract.release,
            extract.period_start, extract.period_end, rows_in, rows_loaded, rows_quarantined,
            at, extract.arrived_at,
        ],
    )
    return LoadResult(name, extract.council_code, "loaded", rows_in, rows_loaded, rows_quarantined)


def load_extract(con: duckdb.DuckDBPyConnection, extract: ExtractFile) -> LoadResult:
    """Load one file in one transaction. ``register_functions`` must have been called."""
    load_id = f"{extract.council_code}-{extract.checksum[:16]}"
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    name = extract.path.name
    check_file(extract.path, extract.checksum)
    read_into_temp_tables(con, extract)
    con.execute("begin transaction")
    try:
        unusable = quarantine_rows(con, quarantine_rules(), load_id, name, loaded_at)
        raw_columns = [field.raw_column for field in cld_fields() if field.raw_column]
        selects = [_select_expression(field) for field in cld_fields() if field.raw_column]
        checked = [field for field in cld_fields() if field.check_column]
        checks = [_check_expression(field) for field in checked]
        check_columns = [str(field.check_column) for field in checked]
        con.execute(
            "insert into raw.cld_events (council_code, release, load_id, source_file, "
            f"source_row_number, loaded_at, {', '.join(check_columns)}, "
            f"{', '.join(raw_columns)}) "
            f"select ?, ?, ?, ?, source_row_number, ?, {', '.join(checks)}, {', '.join(selects)} "
            f"from extract_rows where not ({unusable})",
            [extract.council_code, extract.release, load_id, name, loaded_at],
        )
        result = record_load(con, extract, load_id, "raw.cld_events", loaded_at)
        con.execute("commit")
    except (duckdb.Error, ExtractRejectedError):
        con.execute("rollback")
        raise
    finally:
        drop_temp_tables(con)
    return result


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


def load_extracts(build_path: Path, extracts: list[ExtractFile], key: str) -> list[LoadResult]:
    """Load every new file; a rejected file is recorded and the others still load."""
    # Imported here: ingest_opel and ingest_person build on this module's helpers, so a
    # top-level import would be circular.
    from asc_warehouse.ingest_opel import ensure_opel_schema, load_opel_extract
    from asc_warehouse.ingest_person import load_person_extract
    from asc_warehouse.landing import CLD_FEED, OPEL_FEED
    from asc_warehouse.person_feeds import PERSON_FEEDS, ensure_person_feed_schema

    loaders = {
        CLD_FEED: load_extract,
        OPEL_FEED: load_opel_extract,
        **dict.fromkeys(PERSON_FEEDS, load_person_extract),
    }
    build_path.parent.mkdir(parents=True, exist_ok=True)
    results: list[LoadResult] = []
    with duckdb.connect(str(build_path)) as con:
        ensure_schema(con)
        ensure_opel_schema(con)
        ensure_person_feed_schema(con)
        register_functions(con, key)
        for extract in extracts:
            if already_loaded(con, extract.checksum):
                results.append(
                    LoadResult(extract.path.name, extract.council_code, "skipped", 0, 0, 0,
                               "already loaded (same checksum)")
                )
                continue
            try:
                results.append(loaders[extract.feed](con, extract))
            except ExtractRejectedError as error:
                results.append(record_rejection(con, extract, str(error)))
    return results
