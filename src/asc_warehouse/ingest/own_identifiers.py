"""A person's own identifiers keyed into a kept free-text field are not stored.

Free-text fields CLD keeps (Event Reference, Provider CQC Location Name, the impairment and
review fields, ...) have no shape that tells a name from a reference or a provider's name. But
the loader still sees, on the same row, the person's first and last name, NHS number, date of
birth and postcode before it drops or reduces them. A kept text value that contains any of
them (case-insensitive, trimmed; a name of at least ``MIN_NAME_LETTERS`` letters as a whole
word, so that King is found in "seen by King" but not in "Kingsmead House"; the NHS number and
postcode also without their spaces) is replaced by ``NOT_STORED_OWN_IDENTIFIER``, and the load's
warning says how many values of which field were withheld, never what they held.

It works on the loading connection's TEMP table ``extract_rows`` (header names as columns):
the rows holding an identifier are found in one pass (each row's identifiers and each field's
words normalised once) into ``extract_own_identifier_matches``, and only they are updated,
before the quarantine rules and the insert read the table.
"""

from __future__ import annotations

from functools import cache

import duckdb

from asc_warehouse.ingest.cld_schema import cld_fields
from asc_warehouse.ingest.quarantine_rules import quoted

NOT_STORED_OWN_IDENTIFIER = "(value not stored: holds the person's own identifier)"
# A one-letter name (an initial) would match almost any text.
MIN_NAME_LETTERS = 2
NAME_FIELDS = ("First Name", "Last Name")
NHS_NUMBER_FIELD = "NHS Number"
DATE_OF_BIRTH_FIELD = "Date of Birth"
POSTCODE_FIELD = "Postcode"
# Shorter digit or postcode strings than these are not a whole identifier.
NHS_NUMBER_DIGITS = 10
MIN_POSTCODE_CHARACTERS = 5
MATCHES_TABLE = "extract_own_identifier_matches"


@cache
def kept_text_fields() -> tuple[str, ...]:
    """The CLD fields stored as submitted free text."""
    return tuple(field.name for field in cld_fields()
                 if field.privacy_handling == "keep" and field.value_check == "text")


def _trimmed(field: str) -> str:
    return f"trim(coalesce({quoted(field)}, ''))"


def _words(expression: str) -> str:
    """Lower-case words, each with one space either side: whole words match whole words."""
    lowered = f"lower(coalesce({expression}, ''))"
    return f"(' ' || regexp_replace({lowered}, '[^a-z0-9]+', ' ', 'g') || ' ')"


def _without_spaces(expression: str) -> str:
    return f"upper(replace({expression}, ' ', ''))"


# Each row's identifiers, normalised once (not once per text field): name -> SQL over the row.
_IDENTIFIERS = {
    **{f"own_name_{number}": _words(quoted(name)) for number, name in enumerate(NAME_FIELDS)},
    "own_nhs_digits": f"regexp_replace({_trimmed(NHS_NUMBER_FIELD)}, '[^0-9]', '', 'g')",
    "own_date_of_birth": _trimmed(DATE_OF_BIRTH_FIELD),
    "own_postcode": _without_spaces(_trimmed(POSTCODE_FIELD)),
}


def _words_column(number: int) -> str:
    return f"own_words_{number}"


def holds_own_identifier(text_field: str, words: str) -> str:
    """SQL: whether ``text_field`` holds one of its row's own identifiers (the ``_IDENTIFIERS``
    columns beside it); ``words`` names the column holding the field's ``_words``."""
    value = quoted(text_field)
    names = [
        f"(length(trim({name})) >= {MIN_NAME_LETTERS} and contains({words}, {name}))"
        for name in _IDENTIFIERS if name.startswith("own_name_")
    ]
    nhs_number = (f"(length(own_nhs_digits) = {NHS_NUMBER_DIGITS} "
                  f"and contains(regexp_replace({value}, '[^0-9]', '', 'g'), own_nhs_digits))")
    date_of_birth = f"(own_date_of_birth <> '' and contains({value}, own_date_of_birth))"
    postcode = (f"(length(own_postcode) >= {MIN_POSTCODE_CHARACTERS} "
                f"and contains({_without_spaces(value)}, own_postcode))")
    return (f"({value} is not null and "
            f"({' or '.join([*names, nhs_number, date_of_birth, postcode])}))")


def withhold_own_identifiers(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Replace, in ``extract_rows``, every kept text value holding its row's own identifier;
    return how many were withheld per field (fields with none left out)."""
    fields = kept_text_fields()
    # Each field's words worked out once, whichever identifiers are then looked for in them.
    identified = (
        "select rowid as own_row, *, "
        + ", ".join(f"{sql} as {name}" for name, sql in _IDENTIFIERS.items()) + ", "
        + ", ".join(f"{_words(quoted(field))} as {_words_column(number)}"
                    for number, field in enumerate(fields))
        + " from extract_rows"
    )
    matches = ", ".join(
        f"{holds_own_identifier(field, _words_column(number))} as {quoted(field)}"
        for number, field in enumerate(fields)
    )
    # extract_*: ``loading.drop_temp_tables`` drops it even if this load fails half way.
    con.execute(
        f"create or replace temp table {MATCHES_TABLE} as "
        f"select * from (select own_row, {matches} from ({identified})) "
        f"where {' or '.join(quoted(field) for field in fields)}"
    )
    counts = con.execute(
        "select " + ", ".join(f"count_if({quoted(field)})" for field in fields)
        + f" from {MATCHES_TABLE}"
    ).fetchone() or ()
    withheld = {field: int(count) for field, count in zip(fields, counts, strict=True) if count}
    if withheld:
        assignments = ", ".join(
            f"{quoted(field)} = case when matches.{quoted(field)} then ? "
            f"else extract_rows.{quoted(field)} end"
            for field in withheld
        )
        con.execute(
            f"update extract_rows set {assignments} from {MATCHES_TABLE} as matches "
            "where extract_rows.rowid = matches.own_row",
            [NOT_STORED_OWN_IDENTIFIER] * len(withheld),
        )
    con.execute(f"drop table {MATCHES_TABLE}")
    return withheld


def withheld_warning(withheld: dict[str, int]) -> str | None:
    """The load's warning for the withheld values: counts per field, never a value."""
    if not withheld:
        return None
    counts = ", ".join(f"{field} {count}" for field, count in withheld.items())
    return (f"{sum(withheld.values())} kept free-text value(s) held the person's own name, NHS "
            f"number, date of birth or postcode and were not stored ({counts})")
