"""Load landed CLD extracts into the build DuckDB file.

Files load in batches, each batch in one transaction (``extracts`` groups them, and loads a
failing batch's files again one by one): each file's usable rows go to ``raw.cld_events``
(pseudonymised), its unusable rows to ``ops.quarantine`` with the reason, and one row to
``ops.load_audit`` with rows in = rows loaded + rows quarantined. Lines that cannot be read
(wrong number of fields, bytes that are not UTF-8, broken quoting) are found by
``csv_contract`` and quarantined with their line.
Identifiers are hashed and checked once per distinct value (``row_values``). Raw identifiers only
ever live in TEMP tables of the loading connection, which DuckDB keeps in memory, never in the
database file.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import duckdb

from asc_warehouse.ingest.cld_schema import CldField, cld_fields, expected_header
from asc_warehouse.ingest.file_checks import ExtractRejectedError, check_file
from asc_warehouse.ingest.landing import ExtractFile
from asc_warehouse.ingest.loading import (
    FileRead,
    LoadResult,
    combine_files,
    drop_temp_tables,
    forget_file,
    quarantine_rows,
    read_file,
    record_loads,
    rows_kept,
)
from asc_warehouse.ingest.nhs_number import is_valid_nhs_number, valid_nhs_number_sql
from asc_warehouse.ingest.ops_schema import ensure_ops_schema
from asc_warehouse.ingest.own_identifiers import withheld_warning, withhold_own_identifiers
from asc_warehouse.ingest.pseudonymise import (
    keyed_hash_macro,
    keyed_hasher,
    postcode_district,
    postcode_district_macro,
)
from asc_warehouse.ingest.quarantine_rules import (
    DATE_FORMAT,
    EVENT_TYPE,
    POSTCODE_PATTERN,
    blank_to_null,
    is_known_code,
    quarantine_rules,
    quoted,
)
from asc_warehouse.ingest.row_values import (
    DERIVED_FUNCTIONS,
    GUARD_FUNCTION,
    ColumnValues,
    Derived,
    derived,
)

# Free text once stored verbatim, now dropped at ingestion: removed from older build files.
FORMERLY_STORED_COLUMNS = ("event_description",)
# Text shaped like an NHS number (not part of a longer id such as a CQC location's), a postcode
# or a date: an identifier keyed into the wrong field.
IDENTIFIER_SHAPES = (
    r"(^|[^0-9-])[0-9]{3} ?[0-9]{3} ?[0-9]{4}([^0-9]|$)"
    r"|(^|[^A-Za-z])[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2}([^A-Za-z]|$)"
    r"|[0-9]{1,4}[-/.][0-9]{1,2}[-/.][0-9]{1,4}"
)
# Stored instead of a value without its field's shape; field quality classes it Invalid.
NOT_STORED = "(value not stored: wrong shape for the field)"


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
        "nhs_number": derived(field.name, Derived.VALID_NHS_NUMBER),
        "date": f"try_strptime({blank_to_null(field.name)}, '{DATE_FORMAT}') is not null",
        "postcode": f"regexp_full_match(upper(trim({source})), '{POSTCODE_PATTERN}')",
        "text": "true",
    }[field.value_check]
    return (
        f"case when {blank_to_null(field.name)} is null then 'blank' "
        f"when {valid} then 'valid' else 'invalid' end as {field.check_column}"
    )


def _kept_value(field: CldField) -> str:
    """The value if it has the field's shape, else a marker: a misplaced identifier is not kept.

    A code must be a code of some list, a date a date, a number a number not shaped like an NHS
    number; a text field may hold anything but something shaped like an NHS number, postcode or
    date.
    """
    value = blank_to_null(field.name)
    if field.value_check == "code_list":
        # Guarded once per distinct value as the file was read (``code_guard``).
        return value
    shaped = {
        "date": f"try_strptime({value}, '{DATE_FORMAT}') is not null",
        "number": f"try_cast({value} as double) is not null "
        f"and not regexp_matches({value}, '{IDENTIFIER_SHAPES}')",
        "text": f"not regexp_matches({value}, '{IDENTIFIER_SHAPES}')",
    }[field.value_check]
    return f"case when {value} is null or {shaped} then {value} else '{NOT_STORED}' end"


def code_guard(value: str | None) -> str | None:
    """A coded field keeps only values that are known codes (or blank)."""
    if value is None or not value.strip() or is_known_code(value):
        return value
    return NOT_STORED


def column_values() -> dict[str, ColumnValues]:
    """For ``read_into_temp_tables``: guarded coded fields and what the SQL below derives."""
    wanted: dict[str, ColumnValues] = {}
    for field in cld_fields():
        kinds: list[Derived] = []
        if field.privacy_handling == "keyed_hash":
            kinds.append(Derived.TOKEN)
        if field.value_check == "nhs_number":
            kinds.append(Derived.VALID_NHS_NUMBER)
        if field.privacy_handling == "postcode_district":
            kinds.append(Derived.POSTCODE_DISTRICT)
        if field.name == EVENT_TYPE:
            kinds.append(Derived.KNOWN_CODE)  # its quarantine rule shows a known code
        guarded = field.privacy_handling == "keep" and field.value_check == "code_list"
        if guarded or kinds:
            wanted[field.name] = ColumnValues(guarded=guarded, derived=tuple(kinds))
    return wanted


def _select_expression(field: CldField) -> str:
    match field.privacy_handling:
        case "keep":
            return f"{_kept_value(field)} as {field.raw_column}"
        case "keyed_hash" if field.name == "NHS Number":
            # Only a valid NHS number may link records (national rule: traced NHS number).
            return (
                f"case when {derived(field.name, Derived.VALID_NHS_NUMBER)} "
                f"then {derived(field.name, Derived.TOKEN)} end as {field.raw_column}"
            )
        case "keyed_hash":
            return f"{derived(field.name, Derived.TOKEN)} as {field.raw_column}"
        case "postcode_district":
            return f"{derived(field.name, Derived.POSTCODE_DISTRICT)} as {field.raw_column}"
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
    for field in cld_fields():
        if field.check_column:
            con.execute(
                f"alter table raw.cld_events add column if not exists {field.check_column} varchar"
            )
    for column in FORMERLY_STORED_COLUMNS:
        con.execute(f"alter table raw.cld_events drop column if exists {column}")
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


# The Python function behind a macro of the same name: called only for values SQL cannot
# normalise as Python does (``pseudonymise.PLAIN_ASCII_PATTERN``).
PYTHON_FALLBACK_SUFFIX = "_python"


def register_functions(con: duckdb.DuckDBPyConnection, key: str) -> None:
    """The hashing and checking functions of a loading connection (``row_values`` calls them
    once per distinct value).

    Tokens, NHS number checks and postcode districts are worked out by DuckDB itself, a whole
    column at once; the Python functions stay as the fallback for values outside printable
    ASCII, so that every answer is the Python function's.
    """
    token, valid_nhs_number, district = (DERIVED_FUNCTIONS[Derived.TOKEN],
                                         DERIVED_FUNCTIONS[Derived.VALID_NHS_NUMBER],
                                         DERIVED_FUNCTIONS[Derived.POSTCODE_DISTRICT])
    # "special": a value of spaces only becomes NULL, which DuckDB's default handling refuses.
    for name, function, returns in (
        (token + PYTHON_FALLBACK_SUFFIX, keyed_hasher(key), "VARCHAR"),
        (district + PYTHON_FALLBACK_SUFFIX, postcode_district, "VARCHAR"),
        (valid_nhs_number + PYTHON_FALLBACK_SUFFIX, _is_valid_nhs_number, "BOOLEAN"),
        (DERIVED_FUNCTIONS[Derived.KNOWN_CODE], is_known_code, "BOOLEAN"),
        (GUARD_FUNCTION, code_guard, "VARCHAR"),
    ):
        con.create_function(name, function, ["VARCHAR"], returns, null_handling="special")
    con.execute(keyed_hash_macro(token, token + PYTHON_FALLBACK_SUFFIX, key))
    con.execute(postcode_district_macro(district, district + PYTHON_FALLBACK_SUFFIX))
    con.execute(
        f"create or replace temp macro {valid_nhs_number}(value) as "
        + valid_nhs_number_sql("value", valid_nhs_number + PYTHON_FALLBACK_SUFFIX)
    )


def read_cld_file(
    con: duckdb.DuckDBPyConnection, extract: ExtractFile, number: int
) -> FileRead:
    """Check one CLD file whole and read it into the batch as file ``number``
    (``loading.start_batch`` first). Raises ``ExtractRejectedError`` naming the file when it is
    unusable as a whole, and ``duckdb.Error`` when DuckDB cannot read it; either way nothing of
    it is left in the batch."""
    try:
        header = check_file(extract.path, extract.checksum)
        return read_file(con, extract, number, expected_header(), header.warning)
    except (duckdb.Error, ExtractRejectedError):
        forget_file(con, number)
        raise


def load_cld_files(con: duckdb.DuckDBPyConnection, files: Sequence[FileRead]) -> list[LoadResult]:
    """Load the files ``read_cld_file`` read, all in one transaction: every file's usable rows
    into ``raw.cld_events``, its unusable rows into ``ops.quarantine`` and its audit row. If
    anything fails, nothing of any of them is loaded and the error is raised (the caller loads
    them again one by one, so that only the failing file fails). ``register_functions`` must
    have been called.
    """
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    try:
        combine_files(con, files, expected_header(), column_values())
        withheld = withhold_own_identifiers(con)
        warnings = [
            "; ".join(part for part in (file.warning,
                                        withheld_warning(withheld.get(file.number, {}))) if part)
            or None
            for file in files
        ]
        con.execute("begin transaction")
        try:
            unusable = quarantine_rows(con, quarantine_rules(), loaded_at)
            raw_columns = [field.raw_column for field in cld_fields() if field.raw_column]
            selects = [_select_expression(field) for field in cld_fields() if field.raw_column]
            checked = [field for field in cld_fields() if field.check_column]
            checks = [_check_expression(field) for field in checked]
            check_columns = [str(field.check_column) for field in checked]
            inserted = con.execute(
                "insert into raw.cld_events (council_code, release, load_id, source_file, "
                f"source_row_number, loaded_at, {', '.join(check_columns)}, "
                f"{', '.join(raw_columns)}) "
                "select files.council_code, files.release, files.load_id, files.file_name, "
                f"source_row_number, ?, {', '.join(checks)}, {', '.join(selects)} "
                "from extract_rows join extract_files as files using (file_number) "
                f"where not ({unusable})",
                [loaded_at],
            ).fetchone()
            # A file alone (the big ones) takes its count from the insert, without a pass.
            rows_loaded = ([int(inserted[0]) if inserted else 0] if len(files) == 1
                           else rows_kept(con, files, unusable))
            results = record_loads(con, files, rows_loaded, loaded_at, warnings)
            con.execute("commit")
        except duckdb.Error:
            con.execute("rollback")
            raise
    finally:
        drop_temp_tables(con)
    return results
