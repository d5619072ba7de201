"""A person's own identifiers keyed into a kept free-text field are not stored.

Free-text fields CLD keeps (Event Reference, Provider CQC Location Name, the impairment and
review fields, ...) have no shape that tells a name from a reference or a provider's name. But
the loader still sees, on the same row, the person's first and last name, NHS number, date of
birth, postcode and local person identifier before it drops or reduces them. A kept text value
that contains any of them is replaced by ``NOT_STORED_OWN_IDENTIFIER``, and the load's warning
says how many values of which field were withheld, never what they held. Case is ignored and
values are trimmed; the NHS number and postcode are also looked for without their spaces.

Only what really identifies the person is looked for, since every false hit loses a value:

* the name only as the full name, first and last as adjacent whole words in either order
  ("Winifred Ashdown", "ASHDOWN, Winifred"), never a surname alone ("Oak Hall Care Home" is not
  Ms Hall's, nor "King's Lodge" Mr King's);
* the postcode only when it has a postcode's shape, the date of birth only when it is a date
  (a placeholder such as "UNKNOWN" or "not known" is not looked for);
* the local person identifier as whole words, when it has at least ``MIN_PERSON_ID_CHARACTERS``
  letters and digits: "MOSAIC-000123/ASM/1" holds MOSAIC-000123, "EVT0001234" does not hold
  000123.

It works on the loading connection's TEMP table ``extract_rows`` (header names as columns):
the rows holding an identifier are found in one pass (each row's identifiers and each field's
words normalised once) into ``extract_own_identifier_matches``, and only they are updated,
before the quarantine rules and the insert read the table.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

import duckdb

from asc_warehouse.ingest.cld_schema import cld_fields
from asc_warehouse.ingest.quarantine_rules import DATE_FORMAT, POSTCODE_PATTERN, quoted

NOT_STORED_OWN_IDENTIFIER = "(value not stored: holds the person's own identifier)"
FIRST_NAME_FIELD = "First Name"
LAST_NAME_FIELD = "Last Name"
NHS_NUMBER_FIELD = "NHS Number"
DATE_OF_BIRTH_FIELD = "Date of Birth"
POSTCODE_FIELD = "Postcode"
PERSON_ID_FIELD = "LA Person Unique Identifier"
NHS_NUMBER_DIGITS = 10
# Letters and digits a local person id needs before it is looked for: a shorter one (a sequence
# number, say) is a token of too much unrelated text.
MIN_PERSON_ID_CHARACTERS = 6
MATCHES_TABLE = "extract_own_identifier_matches"


@cache
def kept_text_fields() -> tuple[str, ...]:
    """The CLD fields stored as submitted free text."""
    return tuple(field.name for field in cld_fields()
                 if field.privacy_handling == "keep" and field.value_check == "text")


def _trimmed(field: str) -> str:
    return f"trim(coalesce({quoted(field)}, ''))"


def _word_run(expression: str) -> str:
    """Lower-case words (runs of letters and digits) joined by single spaces."""
    lowered = f"lower(coalesce({expression}, ''))"
    return f"trim(regexp_replace({lowered}, '[^a-z0-9]+', ' ', 'g'))"


def _words(expression: str) -> str:
    """The words with one space either side: whole words match whole words."""
    return f"(' ' || {_word_run(expression)} || ' ')"


def _without_spaces(expression: str) -> str:
    return f"upper(replace({expression}, ' ', ''))"


def _full_name(first_words: str, second_words: str) -> str:
    """Both names' words, adjacent in this order, as whole words; '' unless both are given."""
    return (f"case when {first_words} <> '' and {second_words} <> '' "
            f"then ' ' || {first_words} || ' ' || {second_words} || ' ' else '' end")


# Each name's words, worked out once for both orders of the full name.
_NAME_WORDS = {
    "own_first_words": _word_run(quoted(FIRST_NAME_FIELD)),
    "own_last_words": _word_run(quoted(LAST_NAME_FIELD)),
}


# Each row's identifiers, normalised once (not once per text field): name -> SQL over the row
# and its ``_NAME_WORDS``.
# Each is '' when the row's field does not hold a usable identifier: a postcode or date of birth
# that is not one ("UNKNOWN", "not known") is not looked for, and a name only as the full name
# (a surname alone is also a care home's, a street's or a provider's name).
_IDENTIFIERS = {
    "own_full_name": _full_name("own_first_words", "own_last_words"),
    "own_full_name_reversed": _full_name("own_last_words", "own_first_words"),
    "own_nhs_digits": f"regexp_replace({_trimmed(NHS_NUMBER_FIELD)}, '[^0-9]', '', 'g')",
    "own_date_of_birth": (
        f"case when try_strptime({_trimmed(DATE_OF_BIRTH_FIELD)}, '{DATE_FORMAT}') is not null "
        f"then {_trimmed(DATE_OF_BIRTH_FIELD)} else '' end"
    ),
    "own_postcode": (
        f"case when regexp_full_match(upper({_trimmed(POSTCODE_FIELD)}), '{POSTCODE_PATTERN}') "
        f"then {_without_spaces(_trimmed(POSTCODE_FIELD))} else '' end"
    ),
    # An event reference often embeds the person's id ("MOSAIC-000123/ASM/1").
    "own_person_id": (
        f"case when length(regexp_replace({_trimmed(PERSON_ID_FIELD)}, '[^A-Za-z0-9]', '', 'g'))"
        f" >= {MIN_PERSON_ID_CHARACTERS} then {_words(quoted(PERSON_ID_FIELD))} else '' end"
    ),
}


def _words_column(number: int) -> str:
    return f"own_words_{number}"


def holds_own_identifier(text_field: str, words: str) -> str:
    """SQL: whether ``text_field`` holds one of its row's own identifiers (the ``_IDENTIFIERS``
    columns beside it); ``words`` names the column holding the field's ``_words``."""
    value = quoted(text_field)
    full_name = (f"(own_full_name <> '' and (contains({words}, own_full_name) "
                 f"or contains({words}, own_full_name_reversed)))")
    nhs_number = (f"(length(own_nhs_digits) = {NHS_NUMBER_DIGITS} "
                  f"and contains(regexp_replace({value}, '[^0-9]', '', 'g'), own_nhs_digits))")
    date_of_birth = f"(own_date_of_birth <> '' and contains({value}, own_date_of_birth))"
    postcode = f"(own_postcode <> '' and contains({_without_spaces(value)}, own_postcode))"
    person_id = f"(own_person_id <> '' and contains({words}, own_person_id))"
    # CASE works out its THEN only for the rows it selects: most kept text fields are blank on
    # most rows, and those rows cost nothing more.
    return (f"(case when {value} is not null "
            f"then ({' or '.join([full_name, nhs_number, date_of_birth, postcode, person_id])}) "
            "else false end)")


def withhold_own_identifiers(con: duckdb.DuckDBPyConnection) -> dict[int, dict[str, int]]:
    """Replace, in ``extract_rows``, every kept text value holding its row's own identifier;
    return, per file number, how many were withheld per field (fields and files with none left
    out)."""
    fields = kept_text_fields()
    # Each field's words worked out once, whichever identifiers are then looked for in them.
    identified = (
        "select *, "
        + ", ".join(f"{sql} as {name}" for name, sql in _IDENTIFIERS.items()) + ", "
        + ", ".join(f"case when {quoted(field)} is not null then {_words(quoted(field))} end "
                    f"as {_words_column(number)}"
                    for number, field in enumerate(fields))
        + " from (select rowid as own_row, *, "
        + ", ".join(f"{sql} as {name}" for name, sql in _NAME_WORDS.items())
        + " from extract_rows)"
    )
    matches = ", ".join(
        f"{holds_own_identifier(field, _words_column(number))} as {quoted(field)}"
        for number, field in enumerate(fields)
    )
    # extract_*: ``loading.drop_temp_tables`` drops it even if this load fails half way.
    # MATERIALIZED: a filter pushed below the search would work every search out twice.
    con.execute(
        f"create or replace temp table {MATCHES_TABLE} as "
        f"with found as materialized (select own_row, file_number, {matches} "
        f"from ({identified})) "
        f"select * from found where {' or '.join(quoted(field) for field in fields)}"
    )
    counts = con.execute(
        "select file_number, " + ", ".join(f"count_if({quoted(field)})" for field in fields)
        + f" from {MATCHES_TABLE} group by file_number"
    ).fetchall()
    withheld = {
        int(number): {field: int(count) for field, count in zip(fields, found, strict=True)
                      if count}
        for number, *found in counts
    }
    fields_withheld = [field for field in fields
                       if any(field in per_field for per_field in withheld.values())]
    if fields_withheld:
        assignments = ", ".join(
            f"{quoted(field)} = case when matches.{quoted(field)} then ? "
            f"else extract_rows.{quoted(field)} end"
            for field in fields_withheld
        )
        con.execute(
            f"update extract_rows set {assignments} from {MATCHES_TABLE} as matches "
            "where extract_rows.rowid = matches.own_row",
            [NOT_STORED_OWN_IDENTIFIER] * len(fields_withheld),
        )
    con.execute(f"drop table {MATCHES_TABLE}")
    return withheld


def withheld_warning(withheld: Mapping[str, int]) -> str | None:
    """The load's warning for the withheld values: counts per field, never a value."""
    if not withheld:
        return None
    counts = ", ".join(f"{field} {count}" for field, count in withheld.items())
    return (f"{sum(withheld.values())} kept free-text value(s) held the person's own full name, "
            f"NHS number, date of birth, postcode or local person identifier and were not stored "
            f"({counts})")
