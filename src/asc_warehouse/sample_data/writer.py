"""Write one council's people to a CLD extract in the landing contract."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from datetime import date
from functools import cache
from pathlib import Path

from asc_warehouse.config import SEEDS_DIR
from asc_warehouse.sample_data.model import Event, Person

FIELDS_PATH = SEEDS_DIR / "cld_fields.csv"

PERSON_FIELDS = (
    "NHS Number",
    "LA Person Unique Identifier",
    "First Name",
    "Last Name",
    "GP Practice Name",
    "GP Practice Code",
    "Gender",
    "Ethnicity",
    "Date of Birth",
    "Date of Death",
    "Client Type",
    "Primary Support Reason",
    "Postcode",
    "Accommodation Status",
    "Employment Status",
    "Has Unpaid Carer",
    "Client Funding Status",
    "Total Hrs Caring per week",
    "No. of adults being cared for",
    "Adult 1 Linked Person_ID",
    "Adult 2 Linked Person_ID",
    "Adult 3 Linked Person_ID",
)
EVENT_FIELDS = (
    "Event Type",
    "Event Reference",
    "Event Start Date",
    "Event End Date",
    "Event Outcome",
    "Request: Route of Access",
    "Assessment Type",
    "Method of Assessment",
    "Review Reason",
    "Method of Review",
    "Service Type",
    "Service Component",
    "Delivery Mechanism",
    "Provider CQC Location Name",
    "Provider CQC Location ID",
    "Unit Cost",
    "Cost Frequency (Unit Type)",
    "Planned units per week",
)
PERIOD_FIELDS = ("Reporting Period Start Date", "Reporting Period End Date")


def read_header(path: Path = FIELDS_PATH) -> list[str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [row["cld_field_name"] for row in csv.DictReader(handle)]


def extract_name(council_code: str, period_start: date, period_end: date) -> str:
    return f"CLD_{council_code}_{period_start:%Y%m%d}_{period_end:%Y%m%d}_R2.csv"


@cache
def _iso(day: int) -> str:
    return date.fromordinal(day).isoformat()


class ExtractWriter:
    """Lays people and events out in the header's column order."""

    def __init__(self, header: list[str], assessment_type: str, review_type: str) -> None:
        missing = [
            name for name in (*PERSON_FIELDS, *EVENT_FIELDS, *PERIOD_FIELDS) if name not in header
        ]
        if missing:
            raise KeyError(f"the CLD field list no longer has {missing}")
        self._header = header
        self._column = {name: index for index, name in enumerate(header)}
        self._assessment_type = assessment_type
        self._review_type = review_type

    def write(
        self,
        path: Path,
        people: Iterable[Person],
        period_start: date,
        period_end: date,
        fault: Callable[[list[str]], None] | None = None,
        leading_columns: dict[str, str] | None = None,
    ) -> int:
        """Write the extract; return the number of event rows.

        ``leading_columns`` (name -> value) go before the CLD fields on every row, as the DHSC
        portal adds ``LA Code``.
        """
        template = [""] * len(self._header)
        template[self._column[PERIOD_FIELDS[0]]] = period_start.isoformat()
        template[self._column[PERIOD_FIELDS[1]]] = period_end.isoformat()
        person_columns = [self._column[name] for name in PERSON_FIELDS]
        event_columns = [self._column[name] for name in EVENT_FIELDS]
        death_column = self._column["Date of Death"]
        leading = leading_columns or {}
        rows = 0
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow([*leading, *self._header])
            for person in people:
                base = template.copy()
                for column, value in zip(person_columns, _person_values(person), strict=True):
                    base[column] = value
                for event in person.events:
                    rows += 1
                    row = base.copy()
                    values = self._event_values(event, event.reference)
                    for column, value in zip(event_columns, values, strict=True):
                        row[column] = value
                    if person.death_recorded_on not in (None, event.reference):
                        row[death_column] = ""
                    if fault is not None:
                        fault(row)
                    writer.writerow([*leading.values(), *row])
        return rows

    def _event_values(self, event: Event, reference: str) -> tuple[str, ...]:
        is_assessment = event.event_type == self._assessment_type
        is_review = event.event_type == self._review_type
        service = event.service
        service_values: tuple[str, ...] = ("",) * 8
        if service is not None:
            service_values = (
                service.service_type,
                service.component,
                service.delivery_mechanism,
                service.provider_name,
                service.provider_id,
                service.unit_cost,
                service.cost_frequency,
                service.planned_units,
            )
        return (
            event.event_type,
            reference,
            _iso(event.start),
            "" if event.end is None else _iso(event.end),
            event.outcome,
            event.route_of_access,
            event.assessment_type,
            event.method if is_assessment else "",
            event.review_reason,
            event.method if is_review else "",
            *service_values,
        )


def _person_values(person: Person) -> tuple[str, ...]:
    linked = [str(other.la_id) for other in person.cared_for[:3]]
    linked += [""] * (3 - len(linked))
    return (
        person.nhs_number,
        str(person.la_id),
        person.first_name,
        person.last_name,
        person.gp_practice_name,
        person.gp_practice_code,
        person.gender,
        person.ethnicity,
        _iso(person.birth),
        "" if person.death is None else _iso(person.death),
        person.client_type,
        person.primary_support_reason,
        person.postcode,
        person.accommodation,
        person.employment,
        person.has_unpaid_carer,
        person.funding_status,
        person.hours_caring,
        str(len(person.cared_for)) if person.cared_for else "",
        *linked,
    )
