"""Who an unpaid carer cares for: never somebody dead before the period opens."""

from __future__ import annotations

import random
from datetime import date

from asc_warehouse.sample_data.histories import Period
from asc_warehouse.sample_data.model import Person
from asc_warehouse.sample_data.population import choose_cared_for

PERIOD = Period(date(2023, 4, 1).toordinal(), date(2026, 3, 31).toordinal())


def _person(la_id: int, death: int) -> Person:
    return Person(la_id, "9000000000", "A", "B", "Female", date(1940, 1, 1).toordinal(),
                  "Service User", "Physical Support", "CT1 1AA", "", "", "White", death=death)


def test_a_person_dead_before_the_period_opens_is_never_cared_for() -> None:
    # A history simulated from before the period can end before it: a planned review before
    # 1 April 2023 moves the person into a care home, whose higher death rate draws a death in
    # March 2023 (the scale-16 crash: the carer's first day was drawn between the period start
    # and the day before that death, an empty range).
    dead_before = _person(1, PERIOD.start - 29)
    dies_on_day_one = _person(2, PERIOD.start)
    alive = _person(3, PERIOD.start + 1)
    in_community = [dead_before, dies_on_day_one, alive]
    chosen = [choose_cared_for(random.Random(seed), in_community, PERIOD) for seed in range(200)]
    assert all(cared_for == [alive] for cared_for in chosen)
