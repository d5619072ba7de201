"""Load landed CLD extracts into the build DuckDB file.

Each file loads in one transaction: its usable rows go to ``raw.cld_events`` (pseudonymised),
its unusable rows to ``ops.quarantine`` with the reason, and one row to ``ops.load_audit`` with
rows in = rows loaded + rows quarantined. Rows DuckDB cannot parse (wrong number of fields, bytes
that are not UTF-8) are caught by ``read_csv``'s reject store and quarantined with their line.
Raw identifiers only ever live in TEMP tables of the loading connection, which DuckDB keeps in
memory, never in the database file.
"""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb

from asc_warehouse.ingest.cld_schema import CldField, cld_fields
from asc_warehouse.ingest.file_checks import ExtractRejectedError, check_file
from asc_warehouse.ingest.landing import ExtractFile
from asc_warehouse.ingest.loading import (
    LoadResult,
    drop_temp_tables,
    quarantine_rows,
    read_into_temp_tables,
    record_load,
)
from asc_warehouse.ingest.nhs_number import is_valid_nhs_number
from asc_warehouse.ingest.ops_schema import ensure_ops_schema
from asc_warehouse.ingest.pseudonymise import keyed_hasher, postcode_district
from asc_warehouse.ingest.quarantine_rules import (
    DATE_FORMAT,
    blank_to_null,
    quarantine_rules,
    quoted,
)

# Outward code, optional space, inward code: the shape of every UK postcode.
POSTCODE_PATTERN = r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$"


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


def load_extract(con: duckdb.DuckDBPyConnection, extract: ExtractFile) -> LoadResult:
    """Load one file in one transaction. ``register_functions`` must have been called."""
    load_id = f"{extract.council_code}-{extract.checksum[:16]}"
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    name = extract.path.name
    header = check_file(extract.path, extract.checksum)
    read_into_temp_tables(con, extract, header.blank)
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
        result = record_load(con, extract, load_id, "raw.cld_events", loaded_at, header.warning)
        con.execute("commit")
    except (duckdb.Error, ExtractRejectedError):
        con.execute("rollback")
        raise
    finally:
        drop_temp_tables(con)
    return result
