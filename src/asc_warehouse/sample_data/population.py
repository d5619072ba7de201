"""One council's synthetic population: who exists, in what numbers, and their histories."""

from __future__ import annotations

import random
from dataclasses import dataclass

from asc_warehouse.sample_data.histories import (
    COMMUNITY,
    NURSING,
    PRISON,
    RESIDENTIAL,
    SHORT_TERM_BED,
    HistoryBuilder,
    Period,
    latent_death,
    pathway_mix,
)
from asc_warehouse.sample_data.model import Person
from asc_warehouse.sample_data.people import PeopleFactory
from asc_warehouse.sample_data.profiles import Council, CouncilProfile
from asc_warehouse.sample_data.services import (
    COMMISSIONED,
    DIRECT_PAYMENT,
    MANAGED_BUDGET,
    OVERRIDE,
    PACKAGE_KINDS,
    UNRECORDED,
    ServiceFactory,
)
from asc_warehouse.sample_data.vocabulary import Vocabulary

# Share of people in long-term support who leave it in a year, mostly by dying. New long-term
# support is sized to replace them so the number in support stays about level over the period.
LONG_TERM_TURNOVER = 0.23
# Turned-away people come back now and then, so there are a few more requests than people.
REQUESTS_PER_PERSON = 1.1
WORKING_AGE_SHARE = 0.3
SECOND_CARED_FOR_SHARE = 0.12
# Draws of a cared-for person before giving up: only people dead before the period are redrawn.
MAX_CARED_FOR_DRAWS = 1000

# The first people in long-term support cover every setting and every way a community package is
# paid for, so that even the smallest sample exercises each branch downstream.
COVERAGE = (
    (COMMUNITY, DIRECT_PAYMENT),
    (COMMUNITY, MANAGED_BUDGET),
    (COMMUNITY, COMMISSIONED),
    (COMMUNITY, UNRECORDED),
    (COMMUNITY, OVERRIDE),
    (RESIDENTIAL, COMMISSIONED),
    (NURSING, COMMISSIONED),
    (PRISON, COMMISSIONED),
)


@dataclass(frozen=True, slots=True)
class Volumes:
    """How many people of each kind to simulate."""

    in_long_term_support: int
    new_contacts: int
    unpaid_carers: int


MINIMUM = Volumes(in_long_term_support=30, new_contacts=40, unpaid_carers=12)


def volumes(profile: CouncilProfile, period: Period, scale: float) -> Volumes:
    years = (period.end - period.start + 1) / 365.25
    contacts = profile.requests_per_year * years / REQUESTS_PER_PERSON
    return Volumes(
        in_long_term_support=max(
            MINIMUM.in_long_term_support, round(profile.people_in_long_term_support * scale)
        ),
        new_contacts=max(MINIMUM.new_contacts, round(contacts * scale)),
        unpaid_carers=max(MINIMUM.unpaid_carers, round(profile.unpaid_carers * scale)),
    )


def build_population(
    council: Council, vocab: Vocabulary, period: Period, *, scale: float, seed: int
) -> list[Person]:
    """People with at least one event in the period, in LA Person Unique Identifier order."""
    rng = council.random_stream(seed)
    factory = PeopleFactory(rng, vocab, council)
    builder = HistoryBuilder(rng, vocab, ServiceFactory(rng, vocab, council), period)
    profile = council.profile
    counts = volumes(profile, period, scale)
    people: list[Person] = []

    in_community: list[Person] = []
    for index in range(counts.in_long_term_support):
        if index < len(COVERAGE):
            setting, package = COVERAGE[index]
            person = factory.service_user(
                period.start, working_age=setting == PRISON or rng.random() < WORKING_AGE_SHARE
            )
        else:
            person = factory.service_user(
                period.start, working_age=rng.random() < WORKING_AGE_SHARE
            )
            setting = _existing_setting(rng, person, vocab, period)
            package = PACKAGE_KINDS.pick(rng)
        builder.existing_long_term(person, setting, package)
        if setting == COMMUNITY:
            in_community.append(person)
        people.append(person)

    lts_share = LONG_TERM_TURNOVER * profile.people_in_long_term_support / profile.requests_per_year
    pathways = pathway_mix(lts_share, profile.reablement_share)
    days = sorted(rng.randint(period.start, period.end) for _ in range(counts.new_contacts))
    for index, day in enumerate(days):
        person = factory.service_user(day, working_age=rng.random() < WORKING_AGE_SHARE)
        # The first contact takes the rarest pathway so small samples still hold a short stay.
        builder.new_contact(person, day, SHORT_TERM_BED if index == 0 else pathways.pick(rng))
        people.append(person)

    for index in range(counts.unpaid_carers):
        cared_for = choose_cared_for(rng, in_community, period)
        # The first two carers cover both carer service types (not / involving the cared-for).
        forced = (False, True)[index] if index < 2 else None
        existing = forced is None and rng.random() < 0.5
        last_day = min(period.end, *(latent_death(person) - 1 for person in cared_for))
        day = period.start if existing else rng.randint(period.start, last_day)
        carer = factory.unpaid_carer(day)
        builder.unpaid_carer(carer, tuple(cared_for), day, existing=existing, first_support=forced)
        for person in cared_for:
            person.has_unpaid_carer = vocab.people.has_carer_yes
        people.append(carer)

    for person in people:
        builder.finalise(person)
    people = [person for person in people if person.events]
    _assign_la_ids(rng, people)
    return people


def choose_cared_for(rng: random.Random, in_community: list[Person], period: Period
                     ) -> list[Person]:
    """The people an unpaid carer cares for: one in community support, now and then two, all
    alive when the period opens.

    A history simulated from before the period can end before it (a review before the period
    moves the person into a care home, and the new death rate draws a death before it opens):
    such a person is drawn again, or left out as the second. Only those draws differ from a
    plain choice, so samples without such a person are unchanged.
    """
    for _ in range(MAX_CARED_FOR_DRAWS):
        first = rng.choice(in_community)
        if latent_death(first) > period.start:
            break
    else:
        raise ValueError(f"no one in community support alive on the period start among "
                         f"{MAX_CARED_FOR_DRAWS} drawn")
    cared_for = [first]
    if rng.random() < SECOND_CARED_FOR_SHARE:
        other = rng.choice(in_community)
        if other is not first and latent_death(other) > period.start:
            cared_for.append(other)
    return cared_for


def _existing_setting(rng: random.Random, person: Person, vocab: Vocabulary, period: Period) -> str:
    if person.primary_support_reason == vocab.people.learning_disability:
        weights = {COMMUNITY: 90, RESIDENTIAL: 10}
    elif person.age_on(period.start) < 65:
        weights = {COMMUNITY: 86, RESIDENTIAL: 7, NURSING: 4, PRISON: 3}
    else:
        weights = {COMMUNITY: 68, RESIDENTIAL: 20, NURSING: 12}
    return rng.choices(tuple(weights), tuple(weights.values()))[0]


def _assign_la_ids(rng: random.Random, people: list[Person]) -> None:
    """Mosaic-style ids: increasing with the date the council first recorded the person."""
    people.sort(key=lambda person: person.registered)
    next_id = rng.randint(100_000, 400_000)
    for person in people:
        next_id += rng.randint(1, 25)
        person.la_id = next_id
