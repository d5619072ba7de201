"""A council's history of CLD submissions, as councils really make them.

One population is simulated over the whole history (from April 2023); each submission is then a
view of it as known on the day its extract was taken:

* quarterly rolling submissions: at every quarter end a file covering the 12 months to it (the
  first ones shorter, as the history starts in April 2023), so consecutive files overlap;
* events outside a file's window are left out; an end, outcome or death after the day the
  extract was taken is blank;
* the realistic faults of issue 12, each planted once and named by ``HistoryQuirks``:
  a resubmission of an old period carrying events recorded late; a file whose stated period
  overstates its data by two months; a long-term service that disappears from the next
  submission; a death recorded only on a later assessment; the DHSC portal's ``LA Code``
  column on the most recent files.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta

from asc_warehouse.sample_data.codes import BLANK
from asc_warehouse.sample_data.model import Event, Person
from asc_warehouse.sample_data.vocabulary import Vocabulary

# Which council carries which quirk (Kent 820, Medway 821), and when.
RESUBMITTING_COUNCIL = "820"
RESUBMITTED_PERIOD = (date(2023, 10, 1), date(2024, 3, 31))
# One review in this many of the resubmitted period was recorded late: absent from the files
# taken on or before the period end, present in the resubmission and the later files.
LATE_RECORDED_EVERY = 20
OVERSTATING_COUNCIL = "821"
OVERSTATED_PERIOD_END = date(2025, 12, 31)
OVERSTATED_MONTHS = 2
VANISHING_SERVICE_COUNCIL = "820"
# The service is in the file to this quarter end and in none after it.
VANISHING_SERVICE_LAST_FILE = date(2024, 9, 30)
DEATH_ON_ASSESSMENT_COUNCIL = "820"
DEATH_ON_ASSESSMENT_FROM = date(2024, 6, 1)
DEATH_ASSESSMENT_DAYS = 14
# Files ending on or after this date come through the DHSC portal, which adds ``LA Code``.
LA_CODE_COUNCIL = "820"
LA_CODE_FROM_PERIOD_END = date(2025, 6, 30)
LA_CODE_COLUMN = "LA Code"


@dataclass(frozen=True, slots=True)
class Submission:
    """One CLD file: its stated period, and the day its data were taken."""

    period_start: date
    period_end: date
    data_end: date
    """The extract date: nothing later is known. Before period_end only for the overstating file."""
    with_la_code: bool = False
    is_resubmission: bool = False


@dataclass(frozen=True, slots=True)
class HistoryQuirks:
    """Event references singled out by the quirks (empty for a council without them)."""

    late_recorded: frozenset[str] = frozenset()
    vanishing_service: str | None = None
    death_assessment: str | None = None


def _quarter_ends(first_day: date, last_day: date) -> list[date]:
    ends = []
    year, month = first_day.year, first_day.month
    while True:
        month += 3 - (month - 1) % 3
        year, month = (year + 1, month - 12) if month > 12 else (year, month)
        end = date(year, month, 1) - timedelta(days=1)
        if end > last_day:
            return ends
        ends.append(end)


def _months_before(day: date, months: int) -> date:
    """The month end ``months`` months before the month end ``day``."""
    first = date(day.year, day.month, 1)
    for _ in range(months):
        first = date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)
    return date(first.year + (first.month == 12), first.month % 12 + 1, 1) - timedelta(days=1)


def submission_plan(council_code: str, history_start: date, history_end: date) -> list[Submission]:
    """The council's files in the order it sent them."""
    plan = []
    for end in _quarter_ends(history_start, history_end):
        # 12 months to the quarter end: from the first day of the month after, a year before.
        start = max(history_start, _months_before(end, 12) + timedelta(days=1))
        data_end = end
        if council_code == OVERSTATING_COUNCIL and end == OVERSTATED_PERIOD_END:
            data_end = _months_before(end, OVERSTATED_MONTHS)
        plan.append(Submission(
            start, end, data_end,
            with_la_code=council_code == LA_CODE_COUNCIL and end >= LA_CODE_FROM_PERIOD_END,
        ))
    if council_code == RESUBMITTING_COUNCIL and RESUBMITTED_PERIOD[1] <= history_end:
        start, end = RESUBMITTED_PERIOD
        plan.append(Submission(start, end, end, is_resubmission=True))
    return plan


def assign_event_references(people: list[Person]) -> None:
    """A reference per event, the same in every file that carries it (as a client system's)."""
    number = 0
    for person in people:
        for event in person.events:
            number += 1
            event.reference = f"EVT{number:07d}"


def plant_quirks(council_code: str, people: list[Person], vocab: Vocabulary,
                 seed: int) -> HistoryQuirks:
    """Choose (and, for the death, add) the events the quirks apply to. Deterministic."""
    late: set[str] = set()
    if council_code == RESUBMITTING_COUNCIL:
        start, end = (day.toordinal() for day in RESUBMITTED_PERIOD)
        reviews = [
            event.reference for person in people for event in person.events
            if event.event_type == vocab.events.review and start <= event.start <= end
        ]
        late = set(reviews[::LATE_RECORDED_EVERY])
    vanishing = None
    if council_code == VANISHING_SERVICE_COUNCIL:
        vanishing = _vanishing_service(people, vocab)
    death_assessment = None
    if council_code == DEATH_ON_ASSESSMENT_COUNCIL:
        death_assessment = _death_on_a_later_assessment(people, vocab, random.Random(seed))
    return HistoryQuirks(frozenset(late), vanishing, death_assessment)


def _vanishing_service(people: list[Person], vocab: Vocabulary) -> str | None:
    """An open community service that the next file, and every later one, leaves out."""
    last_file = VANISHING_SERVICE_LAST_FILE.toordinal()
    for person in people:
        if person.death is not None:
            continue
        for event in person.events:
            if (
                event.service is not None
                and event.service.service_type == vocab.services.community
                and event.start < last_file - 90
                and event.end is None
            ):
                return event.reference
    return None


def _death_on_a_later_assessment(
    people: list[Person], vocab: Vocabulary, rng: random.Random
) -> str | None:
    """A person in long-term support whose death only an assessment ending on it records."""
    earliest = DEATH_ON_ASSESSMENT_FROM.toordinal()
    for person in people:
        services = [event for event in person.events if event.service is not None]
        if person.death is None or person.death < earliest or not services:
            continue
        assessment = Event(
            vocab.events.assessment,
            person.death - DEATH_ASSESSMENT_DAYS,
            person.death,
            outcome=vocab.outcomes.deceased,
            assessment_type=vocab.activity.long_term_assessment,
            method=vocab.activity.method.pick(rng),
            # After every other event's reference, never derived from the person.
            reference=f"EVT{sum(len(other.events) for other in people) + 1:07d}",
        )
        person.events.append(assessment)
        person.events.sort(key=lambda event: event.start)
        person.death_recorded_on = assessment.reference
        return assessment.reference
    return None


def people_in_submission(
    people: list[Person], submission: Submission, quirks: HistoryQuirks
) -> Iterator[Person]:
    """The people and events the file holds, as known on its extract date, one at a time (a
    list of them would copy the council's whole population once more for every file)."""
    start, data_end = submission.period_start.toordinal(), submission.data_end.toordinal()
    vanished = (
        quirks.vanishing_service
        if submission.data_end > VANISHING_SERVICE_LAST_FILE and not submission.is_resubmission
        else None
    )
    hides_late = not submission.is_resubmission and submission.data_end <= RESUBMITTED_PERIOD[1]
    for person in people:
        events = []
        for event in person.events:
            if event.start > data_end or (event.end is not None and event.end < start):
                continue
            if event.reference == vanished:
                continue
            if hides_late and event.reference in quirks.late_recorded:
                continue
            if event.end is not None and event.end > data_end:
                event = replace(event, end=None, outcome=BLANK)
            events.append(event)
        if events:
            death = person.death if person.death is not None and person.death <= data_end else None
            yield replace(person, events=events, death=death)
