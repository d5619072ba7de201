"""Load landed CLD extracts into the build DuckDB file.

Each file loads in one transaction: its usable rows go to ``raw.cld_events`` (pseudonymised),
its unusable rows to ``ops.quarantine`` with the reason, and one row to ``ops.load_audit`` with
rows in = rows loaded + rows quarantined. Raw identifiers only ever live in a TEMP table of the
loading connection, which DuckDB keeps in memory, never in the database file.
"""

from __future__ import annotations

import codecs
import csv
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from asc_warehouse.cld_schema import CldField, cld_fields, expected_header
from asc_warehouse.landing import ExtractFile
from asc_warehouse.pseudonymise import keyed_hasher, postcode_district

DATE_FORMAT = "%Y-%m-%d"
# Row 1 of every file is the header, so the first data row (rowid 0) is row 2.
ROW_NUMBER = "rowid + 2"


class ExtractRejectedError(ValueError):
    """The whole file is unusable (for example its header is wrong); nothing from it is loaded."""


@dataclass(frozen=True)
class QuarantineRule:
    field: str
    reason: str
    condition: str
    """SQL over the TEMP extract table that is true for a row that must be quarantined."""


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _blank(name: str) -> str:
    return f"nullif(trim({_quoted(name)}), '')"


QUARANTINE_RULES: tuple[QuarantineRule, ...] = (
    QuarantineRule(
        field="NHS Number / LA Person Unique Identifier",
        reason="no person identifier: both NHS Number and LA Person Unique Identifier are blank",
        condition=(
            f"{_blank('NHS Number')} is null and {_blank('LA Person Unique Identifier')} is null"
        ),
    ),
    QuarantineRule(
        field="Event Start Date",
        reason="Event Start Date is blank or not a date in YYYY-MM-DD form",
        condition=f"try_strptime({_blank('Event Start Date')}, '{DATE_FORMAT}') is null",
    ),
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


DDL = """
create schema if not exists raw;
create schema if not exists ops;
create table if not exists ops.load_audit (
    load_id varchar primary key,
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
    loaded_at timestamp not null
);
create table if not exists ops.quarantine (
    load_id varchar not null,
    file_name varchar not null,
    source_row_number bigint not null,
    field varchar not null,
    reason varchar not null,
    quarantined_at timestamp not null
);
"""


def _raw_column_definitions(fields: tuple[CldField, ...]) -> str:
    columns = [
        f"{field.raw_column} {'date' if field.privacy_handling == 'birth_month' else 'varchar'}"
        for field in fields
        if field.raw_column
    ]
    lineage = [
        "council_code varchar not null",
        "load_id varchar not null",
        "source_file varchar not null",
        "source_row_number bigint not null",
        "loaded_at timestamp not null",
    ]
    return ",\n    ".join(lineage + columns)


def _select_expression(field: CldField) -> str:
    source = _quoted(field.name)
    match field.privacy_handling:
        case "keep":
            return f"{_blank(field.name)} as {field.raw_column}"
        case "keyed_hash":
            return f"asc_keyed_hash({source}) as {field.raw_column}"
        case "postcode_district":
            return f"asc_postcode_district({source}) as {field.raw_column}"
        case "birth_month":
            # DHSC holds only birth year and month and dates birth on the 1st of the month.
            return (
                f"cast(date_trunc('month', try_strptime({_blank(field.name)}, '{DATE_FORMAT}'))"
                f" as date) as {field.raw_column}"
            )
        case other:
            raise ValueError(f"no ingestion rule for privacy handling {other!r} ({field.name})")


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(DDL)
    columns = _raw_column_definitions(cld_fields())
    con.execute(f"create table if not exists raw.cld_events (\n    {columns}\n)")


def register_functions(con: duckdb.DuckDBPyConnection, key: str) -> None:
    con.create_function("asc_keyed_hash", keyed_hasher(key), ["VARCHAR"], "VARCHAR")
    con.create_function("asc_postcode_district", postcode_district, ["VARCHAR"], "VARCHAR")


def _read_header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle), [])


def check_header(path: Path) -> None:
    """Refuse a file whose header is not the CLD field list, naming what is wrong."""
    try:
        with path.open("rb") as handle:
            first_bytes = handle.read(4)
        if first_bytes.startswith(codecs.BOM_UTF8):
            raise ExtractRejectedError(f"{path.name}: starts with a byte-order mark; save as UTF-8")
        header = _read_header(path)
    except UnicodeDecodeError as error:
        raise ExtractRejectedError(f"{path.name}: header is not UTF-8 ({error.reason})") from error
    if not header:
        raise ExtractRejectedError(f"{path.name}: file is empty (no header row)")
    expected = expected_header()
    missing = [name for name in expected if name not in header]
    unexpected = [name for name in header if name not in expected]
    if missing or unexpected:
        raise ExtractRejectedError(
            f"{path.name}: header does not match the CLD field list; "
            f"missing {missing or 'none'}, unexpected {unexpected or 'none'}"
        )


def already_loaded(con: duckdb.DuckDBPyConnection, checksum: str) -> bool:
    found = con.execute(
        "select count(*) from ops.load_audit where checksum = ? and status = 'loaded'", [checksum]
    ).fetchone()
    return bool(found and found[0])


def load_extract(con: duckdb.DuckDBPyConnection, extract: ExtractFile) -> LoadResult:
    """Load one file in one transaction. ``register_functions`` must have been called."""
    load_id = f"{extract.council_code}-{extract.checksum[:16]}"
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    name = extract.path.name
    check_header(extract.path)

    # A committed table keeps the file's row order in its rowid (row ids of rows written inside
    # an open transaction are offset), so it is read before the load transaction starts.
    try:
        con.execute(
            "create or replace temp table extract_rows as select * from read_csv(?, "
            "header = true, all_varchar = true, delim = ',', quote = '\"', escape = '\"', "
            "strict_mode = true)",
            [str(extract.path)],
        )
    except duckdb.Error as error:
        raise ExtractRejectedError(f"{name}: could not be read as CLD CSV: {error}") from error

    con.execute("begin transaction")
    try:
        for rule in QUARANTINE_RULES:
            con.execute(
                f"insert into ops.quarantine select ?, ?, {ROW_NUMBER}, ?, ?, ? "
                f"from extract_rows where {rule.condition}",
                [load_id, name, rule.field, rule.reason, loaded_at],
            )
        any_rule = " or ".join(f"({rule.condition})" for rule in QUARANTINE_RULES)
        raw_columns = [field.raw_column for field in cld_fields() if field.raw_column]
        selects = [_select_expression(field) for field in cld_fields() if field.raw_column]
        con.execute(
            "insert into raw.cld_events (council_code, load_id, source_file, source_row_number, "
            f"loaded_at, {', '.join(raw_columns)}) "
            f"select ?, ?, ?, {ROW_NUMBER}, ?, {', '.join(selects)} "
            f"from extract_rows where not ({any_rule})",
            [extract.council_code, load_id, name, loaded_at],
        )
        counts = con.execute(
            "select (select count(*) from extract_rows), "
            "(select count(*) from raw.cld_events where load_id = ?), "
            "(select count(distinct source_row_number) from ops.quarantine where load_id = ?)",
            [load_id, load_id],
        ).fetchone()
        assert counts is not None
        rows_in, rows_loaded, rows_quarantined = (int(value) for value in counts)
        if rows_in == 0:
            raise ExtractRejectedError(f"{name}: has a header but no data rows")
        con.execute(
            "insert into ops.load_audit values (?, ?, ?, ?, ?, ?, ?, 'loaded', ?, ?, ?, null, ?)",
            [
                load_id, name, extract.checksum, extract.council_code, extract.release,
                extract.period_start, extract.period_end, rows_in, rows_loaded, rows_quarantined,
                loaded_at,
            ],
        )
        con.execute("commit")
    except (duckdb.Error, ExtractRejectedError):
        con.execute("rollback")
        raise
    finally:
        con.execute("drop table if exists extract_rows")
    return LoadResult(name, extract.council_code, "loaded", rows_in, rows_loaded, rows_quarantined)


def record_rejection(
    con: duckdb.DuckDBPyConnection, extract: ExtractFile, message: str
) -> LoadResult:
    """Note a rejected file in the audit so that it is visible and is retried only if it changes."""
    con.execute(
        "insert or replace into ops.load_audit "
        "values (?, ?, ?, ?, ?, ?, ?, 'rejected', 0, 0, 0, ?, ?)",
        [
            f"{extract.council_code}-{extract.checksum[:16]}", extract.path.name, extract.checksum,
            extract.council_code, extract.release, extract.period_start, extract.period_end,
            message, datetime.now(UTC).replace(tzinfo=None),
        ],
    )
    return LoadResult(extract.path.name, extract.council_code, "rejected", 0, 0, 0, message)


def load_extracts(
    build_path: Path, extracts: list[ExtractFile], key: str
) -> list[LoadResult]:
    """Load every new file; a rejected file is recorded and the others still load."""
    build_path.parent.mkdir(parents=True, exist_ok=True)
    results: list[LoadResult] = []
    with duckdb.connect(str(build_path)) as con:
        ensure_schema(con)
        register_functions(con, key)
        for extract in extracts:
            if already_loaded(con, extract.checksum):
                results.append(
                    LoadResult(extract.path.name, extract.council_code, "skipped", 0, 0, 0,
                               "already loaded (same checksum)")
                )
                continue
            try:
                results.append(load_extract(con, extract))
            except ExtractRejectedError as error:
                results.append(record_rejection(con, extract, str(error)))
    return results
