"""Row-level rules: a row breaking one cannot be used and goes to ``ops.quarantine``.

Each rule is a SQL condition over the TEMP table of one file's rows (all text, named as in the
CLD header), plus the field it concerns and the reason recorded. Code lists come from
``seeds/cld_code_list.csv``. ``value_sql`` shows the offending value only where the value cannot
identify a person: when it is a code of some code list (``reportable_code``), such as a Release 1
value or a value of the next column in a shifted row. Anything else (a name keyed into a coded
field, say) is never copied.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache

from asc_warehouse.config import SEEDS_DIR
from asc_warehouse.ingest.row_values import Derived, derived, quoted

DATE_FORMAT = "%Y-%m-%d"
# Outward code, optional space, inward code: the shape of every UK postcode.
POSTCODE_PATTERN = r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$"
EVENT_TYPE = "Event Type"
# Nobody in a current care record was born, or had an event, before this date.
EARLIEST_POSSIBLE_DATE = "1900-01-01"


@dataclass(frozen=True)
class QuarantineRule:
    field: str
    reason: str
    condition: str
    value_sql: str = "null"


def blank_to_null(name: str) -> str:
    return f"nullif(trim({quoted(name)}), '')"


def as_date(name: str) -> str:
    return f"try_strptime({blank_to_null(name)}, '{DATE_FORMAT}')"


def sql_list(values: list[str]) -> str:
    return ", ".join("'" + value.replace("'", "''") + "'" for value in values)


# Every seed holding code lists, with the column that holds the code.
CODE_LIST_SEEDS = {
    "cld_code_list.csv": "code_value",
    "hospital_code_list.csv": "code",
    "safeguarding_code_list.csv": "code",
    "dols_code_list.csv": "code",
}


@cache
def known_codes() -> frozenset[str]:
    """Every code of every code list, trimmed and lower case (a set: the loader asks it once
    per coded value of every row)."""
    codes: set[str] = set()
    for seed, column in CODE_LIST_SEEDS.items():
        with (SEEDS_DIR / seed).open(newline="", encoding="utf-8") as handle:
            codes.update(row[column].strip().lower() for row in csv.DictReader(handle))
    return frozenset(codes - {""})


def is_known_code(value: object) -> bool:
    """True for a code of some code list: a value that may be shown in a message or page."""
    return isinstance(value, str) and value.strip().lower() in known_codes()


def reportable_code(name: str) -> str:
    """SQL for the field's value if it is a known code of some code list, else NULL.

    The loader must want ``Derived.KNOWN_CODE`` of the column (``row_values``).
    """
    return (f"case when coalesce({derived(name, Derived.KNOWN_CODE)}, false) "
            f"then trim({quoted(name)}) end")


@cache
def event_types() -> tuple[str, ...]:
    with (SEEDS_DIR / "cld_code_list.csv").open(newline="", encoding="utf-8") as handle:
        return tuple(sorted({
            row["code_value"] for row in csv.DictReader(handle)
            if row["cld_field_name"] == "Event Type"
        }))


def _unparseable(field: str) -> QuarantineRule:
    return QuarantineRule(
        field=field,
        reason=f"{field} is not a date in YYYY-MM-DD form",
        condition=f"{blank_to_null(field)} is not null and {as_date(field)} is null",
    )


def _before_earliest(field: str) -> QuarantineRule:
    return QuarantineRule(
        field=field,
        reason=f"{field} is before {EARLIEST_POSSIBLE_DATE}: impossible",
        condition=f"{as_date(field)} < date '{EARLIEST_POSSIBLE_DATE}'",
    )


def _after_period_end(field: str) -> QuarantineRule:
    return QuarantineRule(
        field=field,
        reason=f"{field} is after the period end in the file name: it cannot have happened yet",
        condition=f"{as_date(field)} > file_period_end",
    )


def quarantine_rules() -> tuple[QuarantineRule, ...]:
    dates = ("Event Start Date", "Event End Date", "Date of Birth", "Date of Death")
    return (
        QuarantineRule(
            field="NHS Number / LA Person Unique Identifier",
            reason="no person identifier: LA Person Unique Identifier is blank and NHS Number "
            "is blank or fails its check digit",
            condition=f"{blank_to_null('LA Person Unique Identifier')} is null "
            f"and not coalesce({derived('NHS Number', Derived.VALID_NHS_NUMBER)}, false)",
        ),
        QuarantineRule(
            field=EVENT_TYPE,
            reason=f"{EVENT_TYPE} is blank or not a CLD event type",
            condition=f"{blank_to_null(EVENT_TYPE)} is null "
            f"or trim({quoted(EVENT_TYPE)}) not in ({sql_list(list(event_types()))})",
            value_sql=reportable_code(EVENT_TYPE),
        ),
        QuarantineRule(
            field="Event Start Date",
            reason="Event Start Date is blank",
            condition=f"{blank_to_null('Event Start Date')} is null",
        ),
        # The submission's own period dates too: anything else there cannot be read as a date.
        *(_unparseable(field) for field in (*dates, "Reporting Period Start Date",
                                            "Reporting Period End Date")),
        *(_before_earliest(field) for field in dates),
        *(_after_period_end(field) for field in ("Event Start Date", "Date of Birth",
                                                   "Date of Death")),
        QuarantineRule(
            field="Event End Date",
            reason="Event End Date is before Event Start Date",
            condition=f"{as_date('Event End Date')} < {as_date('Event Start Date')}",
        ),
        QuarantineRule(
            field="Date of Death",
            reason="Date of Death is before Date of Birth",
            condition=f"{as_date('Date of Death')} < {as_date('Date of Birth')}",
        ),
    )
