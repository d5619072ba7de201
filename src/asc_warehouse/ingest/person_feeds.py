"""The three person-level feeds as data: hospital discharges, safeguarding concerns, DoLS.

Each feed is a ``PersonFeed``: its header, what kind of value each field holds (a record id or a
person identifier to hash, a date of birth to reduce to its month, a date, a code checked against
the feed's code-list seed, free text) and its cross-field rules. ``person`` turns a spec
into quarantine rules and one insert; this module also derives the raw tables from the specs, so
that the header, the table and the checks cannot drift apart. The raw tables are created before
anything loads, so dbt can read them as sources in a build file that never received such a file.

Identifiers only reach the build file as keyed hashes (the NHS number only when it passes its
check digit, as for CLD, so a person's token equals their CLD person_id) and dates of birth only
as birth months. ``nhs_number_check`` ('valid', 'blank' or 'invalid', judged before hashing)
keeps the share of unlinkable rows measurable, as CLD's check columns do.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from types import MappingProxyType

import duckdb

from asc_warehouse.config import SEEDS_DIR, dbt_var_strings
from asc_warehouse.ingest.landing import DOLS_FEED, HOSPITAL_FEED, SAFEGUARDING_FEED
from asc_warehouse.ingest.ops_schema import ensure_ops_schema
from asc_warehouse.ingest.quarantine_rules import (
    QuarantineRule,
    as_date,
    blank_to_null,
    quoted,
    reportable_code,
)


class Kind(StrEnum):
    RECORD_ID = "record id"
    """The council's or provider's id of the record: required, keyed-hashed."""
    NHS_NUMBER = "NHS number"
    """Keyed-hashed when valid; ``nhs_number_check`` says whether it was."""
    LA_PERSON_ID = "LA person id"
    """The council's person id: keyed-hashed; the person key when the NHS number is not valid."""
    BIRTH_MONTH = "date of birth"
    """Kept only as the first day of its month."""
    DATE = "date"
    CODE = "code"
    """Checked against the feed's code-list seed (columns field, code)."""
    TEXT = "text"


@dataclass(frozen=True)
class Field:
    name: str
    """As in the file's header."""
    kind: Kind
    column: str = ""
    """Raw column; NHS numbers always go to nhs_number_check and nhs_number_pseudo."""
    required: bool = False
    pattern: str = ""
    """TEXT only: a regular expression the trimmed value must match in full."""
    pattern_description: str = ""


@dataclass(frozen=True)
class PersonFeed:
    feed: str
    """Feed name in the landing contract and ops.load_audit."""
    label: str
    """File-name prefix, used in messages."""
    raw_table: str
    code_list_seed: str
    fields: tuple[Field, ...]
    rules: tuple[QuarantineRule, ...]
    """Cross-field rules, as SQL over the file's text fields."""
    discharge_period_field: str = ""
    """A date that must lie in the file's period (the hospital file is a list of discharges)."""
    adult_on_field: str = ""
    """The person must be 18 or over (full date of birth) on this date."""

    @property
    def header(self) -> tuple[str, ...]:
        return tuple(field.name for field in self.fields)

    def field(self, name: str) -> Field:
        return next(field for field in self.fields if field.name == name)

    def fields_of(self, *kinds: Kind) -> tuple[Field, ...]:
        return tuple(field for field in self.fields if field.kind in kinds)


NHS_NUMBER_COLUMNS = ("nhs_number_check", "nhs_number_pseudo")
ADULT_AGE = 18


def _value_is(field: str, *values: str) -> str:
    listed = ", ".join("'" + value.replace("'", "''") + "'" for value in values)
    return f"coalesce(trim({quoted(field)}) in ({listed}), false)"


def _given(field: str) -> str:
    return f"{blank_to_null(field)} is not null"


def before(later: str, earlier: str) -> QuarantineRule:
    """``later`` may not be before ``earlier`` (either blank: nothing to compare)."""
    return QuarantineRule(
        later, f"{later} is before {earlier}", f"{as_date(later)} < {as_date(earlier)}"
    )


def only_when(field: str, condition: str, description: str, *, show: bool = True) -> QuarantineRule:
    """``field`` may be given only when ``condition`` holds; ``description`` says when."""
    return QuarantineRule(
        field,
        f"{field} is given but {description}",
        f"{_given(field)} and not coalesce(({condition}), false)",
        reportable_code(field) if show else "null",
    )


def required_when(field: str, condition: str, description: str) -> QuarantineRule:
    """``field`` must be given whenever ``condition`` holds; ``description`` says when."""
    return QuarantineRule(
        field,
        f"{field} is blank but {description}",
        f"{blank_to_null(field)} is null and coalesce(({condition}), false)",
    )


HOSPITAL = PersonFeed(
    feed=HOSPITAL_FEED,
    label="HOSP",
    raw_table="raw.hospital_discharges",
    code_list_seed="hospital_code_list.csv",
    fields=(
        Field("Spell ID", Kind.RECORD_ID, "spell_id_pseudo", required=True),
        Field("NHS Number", Kind.NHS_NUMBER),
        Field("Date of Birth", Kind.BIRTH_MONTH, "birth_month"),
        Field("Admission Date", Kind.DATE, "admission_date", required=True),
        Field("Admission Method", Kind.CODE, "admission_method", required=True),
        Field("Discharge Date", Kind.DATE, "discharge_date", required=True),
        Field("Discharge Method", Kind.CODE, "discharge_method", required=True),
        Field("Discharge Destination", Kind.CODE, "discharge_destination", required=True),
        Field("Treatment Function Code", Kind.TEXT, "treatment_function_code", required=True,
              pattern="[A-Za-z0-9]{3}", pattern_description="is not 3 letters or digits"),
        Field("Management Type", Kind.CODE, "management_type", required=True),
        Field("Discharge Ready Date", Kind.DATE, "discharge_ready_date"),
        Field("Delay Responsibility", Kind.CODE, "delay_responsibility"),
    ),
    rules=(
        before("Discharge Date", "Admission Date"),
        before("Discharge Ready Date", "Admission Date"),
        required_when(
            "Delay Responsibility",
            f"{as_date('Discharge Ready Date')} < {as_date('Discharge Date')}",
            "Discharge Ready Date is before Discharge Date (a delayed discharge)",
        ),
    ),
    discharge_period_field="Discharge Date",
    adult_on_field="Discharge Date",
)

_CONCLUDED = _given("Enquiry End Date")
# Concern outcomes that open an enquiry; any other outcome closes the concern at once. The models
# count enquiries by the same var, so loading and the KPIs cannot disagree on what one is.
ENQUIRY_OUTCOMES = dbt_var_strings("safeguarding_enquiry_outcomes")
SAFEGUARDING = PersonFeed(
    feed=SAFEGUARDING_FEED,
    label="SG",
    raw_table="raw.safeguarding_concerns",
    code_list_seed="safeguarding_code_list.csv",
    fields=(
        Field("Concern ID", Kind.RECORD_ID, "concern_id_pseudo", required=True),
        Field("LA Person Unique Identifier", Kind.LA_PERSON_ID, "la_person_id_pseudo"),
        Field("NHS Number", Kind.NHS_NUMBER),
        Field("Date of Birth", Kind.BIRTH_MONTH, "birth_month"),
        Field("Concern Received Date", Kind.DATE, "concern_received_date", required=True),
        Field("Concern Outcome", Kind.CODE, "concern_outcome"),
        Field("Enquiry Start Date", Kind.DATE, "enquiry_start_date"),
        Field("Enquiry End Date", Kind.DATE, "enquiry_end_date"),
        Field("Risk Identified", Kind.CODE, "risk_identified"),
        Field("Risk Outcome", Kind.CODE, "risk_outcome"),
        Field("Outcomes Expressed", Kind.CODE, "outcomes_expressed"),
        Field("Outcomes Achieved", Kind.CODE, "outcomes_achieved"),
    ),
    rules=(
        before("Enquiry Start Date", "Concern Received Date"),
        before("Enquiry End Date", "Enquiry Start Date"),
        only_when(
            "Enquiry Start Date",
            _value_is("Concern Outcome", *ENQUIRY_OUTCOMES),
            "Concern Outcome is not an enquiry",
            show=False,
        ),
        only_when("Enquiry End Date", _given("Enquiry Start Date"),
                  "Enquiry Start Date is blank", show=False),
        only_when("Risk Identified", _CONCLUDED, "the enquiry has not concluded (no Enquiry End "
                  "Date)"),
        only_when("Risk Outcome", _value_is("Risk Identified", "Yes"),
                  "Risk Identified is not Yes"),
        required_when("Risk Outcome", _value_is("Risk Identified", "Yes"),
                      "Risk Identified is Yes"),
        only_when("Outcomes Expressed", _given("Enquiry Start Date"),
                  "there is no enquiry (Enquiry Start Date is blank)"),
        only_when("Outcomes Achieved", _value_is("Outcomes Expressed", "Yes"),
                  "Outcomes Expressed is not Yes"),
    ),
)

DOLS = PersonFeed(
    feed=DOLS_FEED,
    label="DOLS",
    raw_table="raw.dols_applications",
    code_list_seed="dols_code_list.csv",
    fields=(
        Field("Application ID", Kind.RECORD_ID, "application_id_pseudo", required=True),
        Field("LA Person Unique Identifier", Kind.LA_PERSON_ID, "la_person_id_pseudo"),
        Field("NHS Number", Kind.NHS_NUMBER),
        Field("Date of Birth", Kind.BIRTH_MONTH, "birth_month"),
        Field("Application Received Date", Kind.DATE, "received_date", required=True),
        Field("Application Type", Kind.CODE, "application_type", required=True),
        Field("Care Setting", Kind.CODE, "care_setting", required=True),
        Field("Completed Date", Kind.DATE, "completed_date"),
        Field("Outcome", Kind.CODE, "outcome"),
    ),
    rules=(
        before("Completed Date", "Application Received Date"),
        only_when("Outcome", _given("Completed Date"), "Completed Date is blank"),
        required_when("Outcome", _given("Completed Date"), "Completed Date is given"),
    ),
)

PERSON_FEEDS: Mapping[str, PersonFeed] = MappingProxyType(
    {spec.feed: spec for spec in (HOSPITAL, SAFEGUARDING, DOLS)}
)


@cache
def code_list(seed: str) -> Mapping[str, tuple[str, ...]]:
    """Header field -> its codes, in seed order, from ``seeds/<feed>_code_list.csv``."""
    codes: dict[str, list[str]] = {}
    with (SEEDS_DIR / seed).open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            codes.setdefault(row["field"], []).append(row["code"])
    return MappingProxyType({field: tuple(values) for field, values in codes.items()})


def feed_code_list(feed: str, column: str) -> tuple[str, ...]:
    """The codes of the feed's field loaded into raw ``column``; unknown names raise."""
    spec = PERSON_FEEDS.get(feed)
    fields = [f for f in spec.fields_of(Kind.CODE) if f.column == column] if spec else []
    codes = code_list(spec.code_list_seed).get(fields[0].name, ()) if spec and fields else ()
    if not codes:
        raise ValueError(f"no code list for feed {feed!r} column {column!r}")
    return codes


def raw_columns(spec: PersonFeed) -> tuple[tuple[str, str], ...]:
    """(column, DuckDB type and constraint) of the feed's raw table, after the lineage."""
    columns: list[tuple[str, str]] = []
    for field in spec.fields:
        if field.kind is Kind.NHS_NUMBER:
            columns += [(NHS_NUMBER_COLUMNS[0], "varchar not null"),
                        (NHS_NUMBER_COLUMNS[1], "varchar")]
            continue
        kind = "date" if field.kind in (Kind.DATE, Kind.BIRTH_MONTH) else "varchar"
        columns.append((field.column, f"{kind} not null" if field.required else kind))
    return tuple(columns)


LINEAGE_COLUMNS = (
    ("council_code", "varchar not null"),
    ("load_id", "varchar not null"),
    ("source_file", "varchar not null"),
    ("source_row_number", "bigint not null"),
    ("loaded_at", "timestamp not null"),
)


def raw_ddl(spec: PersonFeed) -> str:
    columns = ",\n    ".join(
        f"{name} {definition}" for name, definition in LINEAGE_COLUMNS + raw_columns(spec)
    )
    return f"create table if not exists {spec.raw_table} (\n    {columns}\n)"


def ensure_person_feed_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists raw")
    ensure_ops_schema(con)
    for spec in PERSON_FEEDS.values():
        con.execute(raw_ddl(spec))
