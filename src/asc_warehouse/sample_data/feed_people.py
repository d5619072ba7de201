"""Who the person-level sample feeds are about: the CLD sample's people, plus residents the
council's CLD never mentions (most hospital patients and some safeguarding subjects).

A CLD person keeps their NHS number, LA id, birth and death, so that their discharges, concerns
and applications link to their CLD records once hashed. People outside CLD get NHS numbers from
the same council range that no CLD person holds, and LA ids above every CLD id.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass

from asc_warehouse.sample_data.histories import DAYS_PER_YEAR, Period
from asc_warehouse.sample_data.model import Person
from asc_warehouse.sample_data.people import NhsNumberDraw
from asc_warehouse.sample_data.profiles import NhsNumberRange
from asc_warehouse.sample_data.vocabulary import Vocabulary


@dataclass(frozen=True, slots=True)
class FeedPerson:
    nhs_number: str
    la_id: str
    birth: int
    death: int | None
    """Within the period, or None."""
    female: bool
    cld: Person | None = None
    """The CLD sample person, when this is one."""

    def age_on(self, day: int) -> float:
        return (day - self.birth) / DAYS_PER_YEAR

    def alive_until(self, period: Period) -> int:
        """The last day anything can happen to the person within the period."""
        return period.end if self.death is None else min(period.end, self.death)


def from_cld(people: Iterable[Person], vocab: Vocabulary) -> list[FeedPerson]:
    female = vocab.people.female
    return [
        FeedPerson(person.nhs_number, str(person.la_id), person.birth, person.death,
                   person.gender == female, person)
        for person in people
    ]


class OutsideCld:
    """Makes residents who are not in the council's CLD sample."""

    def __init__(self, rng: random.Random, numbers: NhsNumberRange, cld: list[FeedPerson]) -> None:
        self._rng = rng
        # The CLD generator's own range (PeopleFactory), avoiding every CLD person's number.
        self._nhs_numbers = NhsNumberDraw(rng, numbers, {person.nhs_number for person in cld})
        self._next_la_id = max((int(person.la_id) for person in cld), default=100_000) + 1_000

    def person(self, on_day: int, age: float, *, la_id: bool) -> FeedPerson:
        rng = self._rng
        local = ""
        if la_id:
            self._next_la_id += rng.randint(1, 25)
            local = str(self._next_la_id)
        return FeedPerson(self._nhs_numbers.draw(), local, on_day - int(age * DAYS_PER_YEAR), None,
                          rng.random() < 0.5)
