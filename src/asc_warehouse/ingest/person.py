"""Load a landed person-level file (hospital discharges, safeguarding, DoLS) from its spec.

One loader serves the three feeds: ``person_feeds`` says what each field holds, and this module
turns that into the row-level rules and the insert. A file loads in one transaction, as CLD and
OPEL files do (with the reading helpers of ``loading.py``): usable rows go to the feed's raw
table with identifiers keyed-hashed and dates of birth cut to the month, unusable rows to
``ops.quarantine`` with file, line, field and reason, and one row to ``ops.load_audit`` with
rows in = rows loaded + rows quarantined. Quarantine shows a submitted value only when it is
a known code (``quarantine_rules.reportable_code``): nothing else is ever copied there.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import duckdb

from asc_warehouse.ingest.file_checks import ExtractRejectedError, check_file
from asc_warehouse.ingest.landing import ExtractFile
from asc_warehouse.ingest.loading import (
    FileRead,
    LoadResult,
    drop_temp_tables,
    load_id_of,
    quarantine_rows,
    read_into_temp_tables,
    record_loads,
)
from asc_warehouse.ingest.person_feeds import (
    ADULT_AGE,
    LINEAGE_COLUMNS,
    PERSON_FEEDS,
    Field,
    Kind,
    PersonFeed,
    code_list,
    raw_columns,
)
from asc_warehouse.ingest.quarantine_rules import (
    EARLIEST_POSSIBLE_DATE,
    QuarantineRule,
    as_date,
    blank_to_null,
    quoted,
    reportable_code,
    sql_list,
)
from asc_warehouse.ingest.row_values import ColumnValues, Derived, derived

NO_PERSON_FIELD = "NHS Number / LA Person Unique Identifier"
NO_PERSON_REASON = (
    "no person identifier: LA Person Unique Identifier is blank and NHS Number is blank or "
    "fails its check digit"
)


def _blank(field: Field) -> QuarantineRule:
    return QuarantineRule(
        field.name, f"{field.name} is blank", f"{blank_to_null(field.name)} is null"
    )


def _date_rules(field: Field) -> list[QuarantineRule]:
    name = field.name
    return [
        QuarantineRule(
            name,
            f"{name} is not a date in YYYY-MM-DD form",
            f"{blank_to_null(name)} is not null and {as_date(name)} is null",
        ),
        QuarantineRule(
            name,
            f"{name} is before {EARLIEST_POSSIBLE_DATE}: impossible",
            f"{as_date(name)} < date '{EARLIEST_POSSIBLE_DATE}'",
        ),
        QuarantineRule(
            name,
            f"{name} is after the period end in the file name: it cannot have happened yet",
            f"{as_date(name)} > file_period_end",
        ),
    ]


def _code_rule(field: Field, spec: PersonFeed) -> QuarantineRule:
    codes = code_list(spec.code_list_seed).get(field.name, ())
    known = f"trim({quoted(field.name)}) in ({sql_list(list(codes))})" if codes else "false"
    return QuarantineRule(
        field.name,
        f"{field.name} is not a code listed in seeds/{spec.code_list_seed}",
        f"{blank_to_null(field.name)} is not null and not ({known})",
        reportable_code(field.name),
    )


def _text_rule(field: Field) -> QuarantineRule:
    text = f"trim({quoted(field.name)})"
    return QuarantineRule(
        field.name,
        f"{field.name} {field.pattern_description}",
        f"{blank_to_null(field.name)} is not null "
        f"and not regexp_full_match({text}, '{field.pattern}')",
    )


def _field_rules(spec: PersonFeed) -> list[QuarantineRule]:
    rules: list[QuarantineRule] = []
    for field in spec.fields:
        if field.required:
            rules.append(_blank(field))
        if field.kind in (Kind.DATE, Kind.BIRTH_MONTH):
            rules += _date_rules(field)
        elif field.kind is Kind.CODE:
            rules.append(_code_rule(field, spec))
        elif field.kind is Kind.TEXT and field.pattern:
            rules.append(_text_rule(field))
    if spec.fields_of(Kind.LA_PERSON_ID):
        # The CLD person rule: a row must identify someone, by valid NHS number or local id.
        rules.append(QuarantineRule(
            NO_PERSON_FIELD,
            NO_PERSON_REASON,
            f"{blank_to_null('LA Person Unique Identifier')} is null "
            f"and not coalesce({derived('NHS Number', Derived.VALID_NHS_NUMBER)}, false)",
        ))
    return rules


def _period_rules(spec: PersonFeed, period_start: date) -> list[QuarantineRule]:
    rules: list[QuarantineRule] = []
    if spec.discharge_period_field:
        name = spec.discharge_period_field
        rules.append(QuarantineRule(
            name,
            f"{name} is before the period start in the file name: the file lists the period's "
            "discharges",
            f"{as_date(name)} < date '{period_start.isoformat()}'",
        ))
    if spec.adult_on_field:
        birth = spec.fields_of(Kind.BIRTH_MONTH)[0].name
        rules.append(QuarantineRule(
            birth,
            f"{birth} makes the person under {ADULT_AGE} on {spec.adult_on_field}: "
            "the feed is for adults",
            f"{as_date(birth)} + interval {ADULT_AGE} year > {as_date(spec.adult_on_field)}",
        ))
    return rules


def person_feed_rules(spec: PersonFeed, period_start: date) -> tuple[QuarantineRule, ...]:
    """Every row-level rule of one file of the feed (one rule depends on the file's period)."""
    return (*_field_rules(spec), *spec.rules, *_period_rules(spec, period_start))


def _select_expressions(field: Field) -> list[str]:
    valid = derived(field.name, Derived.VALID_NHS_NUMBER)
    token = derived(field.name, Derived.TOKEN)
    match field.kind:
        case Kind.NHS_NUMBER:
            # Only a valid NHS number may link records (national rule: traced NHS number).
            return [
                f"case when {blank_to_null(field.name)} is null then 'blank' "
                f"when {valid} then 'valid' else 'invalid' end",
                f"case when {valid} then {token} end",
            ]
        case Kind.RECORD_ID | Kind.LA_PERSON_ID:
            return [token]
        case Kind.BIRTH_MONTH:
            return [f"cast(date_trunc('month', {as_date(field.name)}) as date)"]
        case Kind.DATE:
            return [f"cast({as_date(field.name)} as date)"]
        case Kind.CODE | Kind.TEXT:
            return [blank_to_null(field.name)]
    raise ValueError(f"no ingestion rule for {field.kind} ({field.name})")


def column_values(spec: PersonFeed) -> dict[str, ColumnValues]:
    """What the feed's rules and insert read beyond each column's text (``row_values``)."""
    wanted = {
        Kind.NHS_NUMBER: ColumnValues(derived=(Derived.TOKEN, Derived.VALID_NHS_NUMBER)),
        Kind.RECORD_ID: ColumnValues(derived=(Derived.TOKEN,)),
        Kind.LA_PERSON_ID: ColumnValues(derived=(Derived.TOKEN,)),
        Kind.CODE: ColumnValues(derived=(Derived.KNOWN_CODE,)),
    }
    return {field.name: wanted[field.kind] for field in spec.fields if field.kind in wanted}


def _insert_usable_rows(
    con: duckdb.DuckDBPyConnection,
    spec: PersonFeed,
    extract: ExtractFile,
    load_id: str,
    at: datetime,
    unusable: str,
) -> int:
    """Insert the usable rows; return how many."""
    columns = [name for name, _ in LINEAGE_COLUMNS + raw_columns(spec)]
    selects = [expression for field in spec.fields for expression in _select_expressions(field)]
    inserted = con.execute(
        f"insert into {spec.raw_table} ({', '.join(columns)}) "
        f"select ?, ?, ?, source_row_number, ?, {', '.join(selects)} "
        f"from extract_rows where not ({unusable})",
        [extract.council_code, load_id, extract.path.name, at],
    ).fetchone()
    return int(inserted[0]) if inserted else 0


def _load_in_transaction(
    con: duckdb.DuckDBPyConnection,
    spec: PersonFeed,
    file: FileRead,
    load_id: str,
    at: datetime,
) -> LoadResult:
    extract = file.extract
    con.execute("begin transaction")
    try:
        rules = person_feed_rules(spec, extract.period_start)
        unusable = quarantine_rows(con, rules, at)
        inserted = _insert_usable_rows(con, spec, extract, load_id, at, unusable)
        [result] = record_loads(con, [file], [inserted], at, [file.warning])
        con.execute("commit")
    except (duckdb.Error, ExtractRejectedError):
        con.execute("rollback")
        raise
    return result


def load_person_extract(con: duckdb.DuckDBPyConnection, extract: ExtractFile) -> LoadResult:
    """Load one person-level file in one transaction.

    ``ensure_person_feed_schema`` and ``cld.register_functions`` must have been called.
    Raises ``ExtractRejectedError`` (naming the file) when the file as a whole is unusable.
    """
    spec = PERSON_FEEDS[extract.feed]
    load_id = load_id_of(extract)
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    header = check_file(extract.path, extract.checksum, spec.header, spec.label)
    try:
        file = read_into_temp_tables(con, extract, column_values(spec), warning=header.warning)
        return _load_in_transaction(con, spec, file, load_id, loaded_at)
    finally:
        drop_temp_tables(con)

