"""Synthetic safeguarding concerns and DoLS applications of one council.

Volumes at scale 1 are Kent's 2017-18 baselines from the 2018-19 business plan (AH S21 10,319
concerns, AH S22 5,812 enquiries, AH S25 4,834 DoLS applications a year [DOC]) per adult
resident, so Medway's follow from its population [INT]. Most subjects are CLD sample people,
so concerns and applications link to their care records. Mixes are rough shapes [INT] except the
share of concluded enquiries with an identified risk that was reduced or removed, set near
England's 2024-25 ASCOF 4B of 91.2% (reference [C]).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from asc_warehouse.sample_data.codes import Choice
from asc_warehouse.sample_data.feed_people import FeedPerson, OutsideCld
from asc_warehouse.sample_data.histories import Period
from asc_warehouse.sample_data.vocabulary import Vocabulary

KENT_CONCERNS_PER_YEAR = 10_319
KENT_ENQUIRIES_PER_YEAR = 5_812
KENT_DOLS_APPLICATIONS_PER_YEAR = 4_834
ENQUIRY_SHARE = KENT_ENQUIRIES_PER_YEAR / KENT_CONCERNS_PER_YEAR
CLD_SHARE_OF_CONCERNS = 0.65
# Records opened this long before the period are listed when still open in it.
LOOK_BACK_DAYS = 120
ENQUIRY_KIND = Choice.of({"Section 42 enquiry": 85, "Other safeguarding enquiry": 15})
RISK_IDENTIFIED = Choice.of({"Yes": 76, "No": 19, "Don't know": 5})
RISK_OUTCOME = Choice.of({"Risk removed": 24, "Risk reduced": 67, "Risk remains": 9})
OUTCOMES_EXPRESSED = Choice.of({"Yes": 68, "No": 12, "Don't know": 5, "Not recorded": 15})
OUTCOMES_ACHIEVED = Choice.of({"Fully achieved": 65, "Partially achieved": 29,
                               "Not achieved": 6})
APPLICATION_TYPE = Choice.of({"Standard": 60, "Urgent": 40})
CARE_SETTING = Choice.of({"Care home": 82, "Hospital": 18})
OUTCOME = Choice.of({"Granted": 60, "Not granted": 28, "Withdrawn": 12})
# Most applications take months; a minority are decided within the statutory limit [INT].
ON_TIME_SHARE = {"Standard": 0.2, "Urgent": 0.1}
STATUTORY_DAYS = {"Standard": 21, "Urgent": 7}  # dbt vars dols_standard_days, dols_urgent_days


@dataclass(slots=True)
class Concern:
    person: FeedPerson
    received: int
    outcome: str = ""
    enquiry_start: int | None = None
    enquiry_end: int | None = None
    risk_identified: str = ""
    risk_outcome: str = ""
    outcomes_expressed: str = ""
    outcomes_achieved: str = ""


@dataclass(slots=True)
class Application:
    person: FeedPerson
    received: int
    application_type: str
    care_setting: str
    completed: int | None = None
    outcome: str = ""


def _received_days(rng: random.Random, count: int, period: Period) -> list[int]:
    """``count`` days in the period, plus as many again per day of the look-back before it."""
    look_back = round(count * LOOK_BACK_DAYS / (period.end - period.start + 1))
    return [rng.randint(period.start, period.end) for _ in range(count)] + [
        rng.randint(period.start - LOOK_BACK_DAYS, period.start - 1) for _ in range(look_back)
    ]


def _subject(
    rng: random.Random, candidates: list[FeedPerson], day: int, share_known: float,
    outside: OutsideCld, age: tuple[float, float, float],
) -> FeedPerson:
    """A CLD person alive on the day (with the given chance), else a resident outside CLD."""
    if candidates and rng.random() < share_known:
        for _ in range(5):
            person = rng.choice(candidates)
            if person.death is None or person.death > day:
                return person
    return outside.person(day, rng.triangular(*age), la_id=True)


def safeguarding_concerns(
    rng: random.Random, count: int, period: Period, people: list[FeedPerson],
    outside: OutsideCld,
) -> list[Concern]:
    concerns = []
    for received in _received_days(rng, count, period):
        person = _subject(rng, people, received, CLD_SHARE_OF_CONCERNS, outside, (18, 101, 75))
        concern = Concern(person, received)
        decided = received + rng.randint(0, 10)
        if decided <= period.end:
            _decide(rng, concern, decided, period)
        open_in_period = concern.enquiry_end is None or concern.enquiry_end >= period.start
        if received >= period.start or (concern.enquiry_start is not None and open_in_period):
            concerns.append(concern)
    return concerns


def _decide(rng: random.Random, concern: Concern, day: int, period: Period) -> None:
    if rng.random() >= ENQUIRY_SHARE:
        concern.outcome = "No further safeguarding action"
        return
    concern.outcome = ENQUIRY_KIND.pick(rng)
    concern.enquiry_start = day
    if rng.random() < 0.6:
        concern.outcomes_expressed = OUTCOMES_EXPRESSED.pick(rng)
    end = day + int(rng.triangular(3, 220, 40))
    if end > period.end:
        return
    concern.enquiry_end = end
    concern.outcomes_expressed = concern.outcomes_expressed or OUTCOMES_EXPRESSED.pick(rng)
    if concern.outcomes_expressed == "Yes":
        concern.outcomes_achieved = OUTCOMES_ACHIEVED.pick(rng)
    concern.risk_identified = RISK_IDENTIFIED.pick(rng)
    if concern.risk_identified == "Yes":
        concern.risk_outcome = RISK_OUTCOME.pick(rng)


def dols_applications(
    rng: random.Random, count: int, period: Period, people: list[FeedPerson],
    outside: OutsideCld, vocab: Vocabulary,
) -> list[Application]:
    in_care_homes = [person for person in people if _in_care_home(person, vocab)]
    older = [person for person in people if person.age_on(period.start) >= 65]
    applications = []
    for received in _received_days(rng, count, period):
        setting = CARE_SETTING.pick(rng)
        candidates = in_care_homes if setting == "Care home" else older
        person = _subject(rng, candidates, received, 0.8, outside, (60, 102, 86))
        application = Application(person, received, APPLICATION_TYPE.pick(rng), setting)
        _complete(rng, application, period)
        if received >= period.start or application.completed is None or (
            application.completed >= period.start
        ):
            applications.append(application)
    return applications


def _complete(rng: random.Random, application: Application, period: Period) -> None:
    limit = STATUTORY_DAYS[application.application_type]
    if rng.random() < ON_TIME_SHARE[application.application_type]:
        days = rng.randint(0, limit)
    else:
        days = int(rng.triangular(limit + 1, 420, 90))
    completed, outcome = application.received + days, OUTCOME.pick(rng)
    death = application.person.death
    if death is not None and death < completed:
        # The person died first: the application is closed without a decision [INT].
        completed, outcome = death + rng.randint(0, 14), "Withdrawn"
    if completed <= period.end:
        application.completed, application.outcome = completed, outcome


def _in_care_home(person: FeedPerson, vocab: Vocabulary) -> bool:
    settings = (vocab.services.residential, vocab.services.nursing)
    return person.cld is not None and any(
        event.service is not None and event.service.service_type in settings
        for event in person.cld.events
    )
