"""The in-memory shape of a synthetic person and their events.

Dates are proleptic ordinals (``date.toordinal()``): the histories do a lot of day arithmetic and
ints keep it cheap; the writer turns them back into ISO dates.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Service:
    """The Service-module and Costs-module fields of one service row."""

    service_type: str
    component: str
    delivery_mechanism: str = ""
    provider_name: str = ""
    provider_id: str = ""
    unit_cost: str = ""
    cost_frequency: str = ""
    planned_units: str = ""


@dataclass(slots=True)
class Event:
    event_type: str
    start: int
    end: int | None
    outcome: str = ""
    route_of_access: str = ""
    assessment_type: str = ""
    method: str = ""  # Method of Assessment or Method of Review, by event type
    review_reason: str = ""
    service: Service | None = None
    reference: str = ""  # Event Reference: the same in every submission that carries the event


@dataclass(slots=True)
class Person:
    la_id: int
    nhs_number: str
    first_name: str
    last_name: str
    gender: str
    birth: int
    client_type: str
    primary_support_reason: str
    postcode: str
    gp_practice_name: str
    gp_practice_code: str
    ethnicity: str
    accommodation: str = ""
    employment: str = ""
    has_unpaid_carer: str = ""
    funding_status: str = ""
    death: int | None = None  # latent: written only if it falls on or before the period end
    # The one event whose rows carry the date of death (None: every row carries it).
    death_recorded_on: str | None = None
    hours_caring: str = ""
    cared_for: tuple[Person, ...] = ()
    registered: int = 0  # when the council first recorded the person; orders the LA ids
    events: list[Event] = field(default_factory=list)

    def age_on(self, day: int) -> int:
        return int((day - self.birth) / 365.25)
