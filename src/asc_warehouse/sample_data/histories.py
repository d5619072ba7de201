"""Time-ordered event histories: requests, assessments, services and reviews.

Each history is simulated forward from its first day with competing waiting times (death, moving
into a care home, leaving support, unplanned reviews) and then cut to the reporting period: the
extract is taken on the period end, so anything later is unknown and ends beyond it are blank.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from asc_warehouse.sample_data.codes import BLANK, Choice
from asc_warehouse.sample_data.model import Event, Person, Service
from asc_warehouse.sample_data.services import PACKAGE_KINDS, ServiceFactory
from asc_warehouse.sample_data.vocabulary import Vocabulary

DAYS_PER_YEAR = 365.25

# Pathways of one episode that starts with a request.
REQUEST_NFA = "request_nfa"
ASSESSMENT_NFA = "assessment_nfa"
ASSESSMENT_LTS = "assessment_lts"
REABLEMENT_NFA = "reablement_nfa"
REABLEMENT_LTS = "reablement_lts"
SHORT_TERM_BED = "short_term_bed"
HOSPITAL_LED = (REABLEMENT_NFA, REABLEMENT_LTS, SHORT_TERM_BED)

# Long-term settings.
COMMUNITY = "community"
RESIDENTIAL = "residential"
NURSING = "nursing"
PRISON = "prison"

# Annual rates. Death rates are rough shapes for people already frail enough to need care.
DEATH_AT_CONTACT = {False: 0.05, True: 0.005}  # keyed by working age
DEATH_IN_COMMUNITY = {False: 0.13, True: 0.025}
DEATH_VERY_OLD_IN_COMMUNITY = 0.2
DEATH_IN_SETTING = {RESIDENTIAL: 0.33, NURSING: 0.45, PRISON: 0.01}
DEATH_OF_CARER = {False: 0.04, True: 0.004}
MOVE_TO_CARE_HOME = {False: 0.07, True: 0.01}
LEAVE_LONG_TERM_SUPPORT = 0.05
LEAVE_PRISON = 0.6
UNPLANNED_REVIEW = 0.2
REPEAT_CONTACT = 0.15  # people turned away come back
# Share of new long-term support that comes after reablement rather than straight from assessment.
LTS_AFTER_REABLEMENT = 0.35


@dataclass(frozen=True, slots=True)
class Period:
    start: int
    end: int


def pathway_mix(lts_share: float, reablement_share: float) -> Choice:
    """Pathways for a request, sized so the right shares end in reablement and long-term support."""
    after_reablement = LTS_AFTER_REABLEMENT * lts_share
    weights = {
        REABLEMENT_LTS: after_reablement,
        ASSESSMENT_LTS: lts_share - after_reablement,
        REABLEMENT_NFA: max(reablement_share - after_reablement, 0.0),
        SHORT_TERM_BED: 0.02,
        ASSESSMENT_NFA: 0.28,
    }
    weights[REQUEST_NFA] = max(1.0 - sum(weights.values()), 0.0)
    return Choice.of(weights)


class HistoryBuilder:
    """Simulates the histories of one council's people from one random stream."""

    def __init__(
        self, rng: random.Random, vocab: Vocabulary, services: ServiceFactory, period: Period
    ) -> None:
        self._rng = rng
        self._vocab = vocab
        self._events = vocab.events
        self._outcomes = vocab.outcomes
        self._activity = vocab.activity
        self._services = services
        self._period = period
        self._new_setting = Choice.of({COMMUNITY: 82, RESIDENTIAL: 11, NURSING: 7})
        self._death_outcome = Choice.of(
            {vocab.outcomes.deceased: 75, vocab.outcomes.ended_other: 25}
        )
        # Equipment after reablement is rare; the first reablement gets it so that even a tiny
        # sample holds an "Ongoing low level" service.
        self._equipment_shown = False

    # People already in long-term support when the period opens.

    def existing_long_term(self, person: Person, setting: str, package: str) -> None:
        rng, start_of_period = self._rng, self._period.start
        adult_from = person.birth + int(18 * DAYS_PER_YEAR) + 1
        years_in_support = min(rng.expovariate(1 / 2.5), 15.0)
        start = max(start_of_period - 1 - int(years_in_support * DAYS_PER_YEAR), adult_from)
        start = min(start, start_of_period - 1)
        person.registered = start - rng.randint(0, 365)
        if start_of_period - start < 120:
            first_review = start + rng.randint(42, 84)
        else:
            # Reviews fall on anniversaries of the start; take the first one near the period.
            years = -(-(start_of_period - 60 - start) // 365)
            first_review = start + 365 * years + rng.randint(-20, 20)
        self._long_term(
            person,
            setting,
            start,
            package,
            first_review=first_review,
            simulate_from=start_of_period,
        )

    # People who contact the council during the period.

    def new_contact(self, person: Person, day: int, pathway: str) -> None:
        rng = self._rng
        person.registered = day
        self._hazard(person, day, DEATH_AT_CONTACT[person.age_on(day) < 65])
        while True:
            ended = self._episode(person, day, pathway)
            if ended is None or rng.random() >= REPEAT_CONTACT:
                return
            day = ended + rng.randint(30, 365)
            if day > self._period.end or day >= latent_death(person):
                return
            pathway = REQUEST_NFA if rng.random() < 0.5 else ASSESSMENT_NFA

    # Unpaid carers, each linked to the people they care for.

    def unpaid_carer(
        self,
        carer: Person,
        cared_for: tuple[Person, ...],
        day: int,
        *,
        existing: bool,
        first_support: bool | None = None,
    ) -> None:
        """``first_support`` forces a new carer with services of that kind (involving the
        cared-for or not), so that small samples still hold both carer service types."""
        rng, ev, out, period = self._rng, self._events, self._outcomes, self._period
        carer.cared_for = cared_for
        carer.hours_caring = str(rng.choice((5, 10, 15, 20, 25, 30, 35, 40, 50, 60, 70, 80, 100)))
        carer.registered = day - (rng.randint(100, 2000) if existing else 0)
        self._hazard(carer, day, DEATH_OF_CARER[carer.age_on(day) < 65])
        if existing:
            if rng.random() < 0.25:
                self._carer_service(carer, day - rng.randint(30, 900), involving_cared_for=True)
            next_review = day + rng.randint(0, 364)
        else:
            request = self._add(
                carer,
                ev.request,
                day,
                day + rng.randint(0, 7),
                route_of_access=self._activity.route_community_only,
                outcome=out.to_assessment,
            )
            start = _end(request) + rng.randint(0, 14)
            assessment = self._add(
                carer,
                ev.assessment,
                start,
                start + rng.randint(7, 28),
                assessment_type=self._activity.long_term_assessment,
                method=self._activity.method.pick(rng),
            )
            if first_support is None and rng.random() < 0.35:
                assessment.outcome = out.information_and_advice
                return
            assessment.outcome = out.to_services
            involving = rng.random() < 0.35 if first_support is None else first_support
            self._carer_service(carer, _end(assessment) + rng.randint(0, 14), involving)
            next_review = _end(assessment) + rng.randint(330, 400)
        while next_review <= period.end:
            review = self._add(
                carer,
                ev.review,
                next_review,
                next_review + rng.randint(0, 14),
                review_reason=self._activity.planned_review,
                method=self._activity.method.pick(rng),
            )
            if rng.random() < 0.1:
                review.outcome = out.ended_as_planned
                break
            review.outcome = out.continuation
            if rng.random() < 0.5:
                self._carer_service(carer, _end(review) + rng.randint(0, 14), rng.random() < 0.35)
            next_review = _end(review) + rng.randint(330, 400)
        # Support for a carer stops a few weeks after the person they care for dies.
        until = min(latent_death(person) for person in cared_for) + rng.randint(0, 42)
        if until < latent_death(carer) and until <= period.end:
            _truncate(carer, until, lambda _event: out.ended_as_planned)

    def finalise(self, person: Person) -> None:
        """Apply the death, cut the history to the period and order it."""
        death, period, out = person.death, self._period, self._outcomes
        if death is not None and death <= period.end:
            _truncate(person, death, self._outcome_at_death)
        else:
            person.death = None
        kept = []
        for event in person.events:
            if event.start > period.end or (event.end is not None and event.end < period.start):
                continue
            if event.end is not None and event.end > period.end:
                event.end = None
                event.outcome = BLANK
            if event.end is None and event.service is not None:
                event.outcome = self._rng.choice((BLANK, out.continuation))
            kept.append(event)
        kept.sort(key=lambda event: event.start)
        person.events = kept

    def _outcome_at_death(self, event: Event) -> str:
        if event.service is None:
            return self._outcomes.deceased
        return self._death_outcome.pick(self._rng)

    # Episodes and services.

    def _episode(self, person: Person, day: int, pathway: str) -> int | None:
        """Run one request onwards; return its last day if no service followed, else None."""
        rng, ev, out, act = self._rng, self._events, self._outcomes, self._activity
        hospital_led = pathway in HOSPITAL_LED
        if person.primary_support_reason == self._vocab.people.learning_disability and (
            person.age_on(day) < 26
        ):
            route = act.route_transition
        else:
            route = (act.route_hospital_led if hospital_led else act.route_community).pick(rng)
        if hospital_led:
            request_end = day + rng.randint(0, 2)
        else:
            request_end = day if rng.random() < 0.4 else day + rng.randint(1, 14)
        request = self._add(person, ev.request, day, request_end, route_of_access=route)
        if pathway == REQUEST_NFA:
            request.outcome = out.request_nfa.pick(rng)
            return request_end
        to_long_term = pathway == REABLEMENT_LTS
        if pathway in (REABLEMENT_NFA, REABLEMENT_LTS) and rng.random() < 0.5:
            request.outcome = out.to_reablement
            self._reablement(person, request_end + rng.randint(0, 3), to_long_term=to_long_term)
            return None
        request.outcome = out.to_assessment
        start = request_end + rng.randint(0, 3 if hospital_led else 21)
        short_term = hospital_led
        assessment = self._add(
            person,
            ev.assessment,
            start,
            start + (rng.randint(1, 10) if short_term else rng.randint(7, 42)),
            assessment_type=act.short_term_assessment if short_term else act.long_term_assessment,
            method=act.method.pick(rng),
        )
        after = _end(assessment)
        if pathway == ASSESSMENT_NFA:
            assessment.outcome = out.assessment_nfa.pick(rng)
            return after
        if pathway == ASSESSMENT_LTS:
            assessment.outcome = out.to_services
            self._new_long_term(person, after + rng.randint(0, 14), self._new_setting.pick(rng))
        elif pathway == SHORT_TERM_BED:
            assessment.outcome = out.to_services
            self._short_term_bed(person, after + rng.randint(0, 3))
        else:
            assessment.outcome = out.to_reablement
            self._reablement(person, after + rng.randint(0, 3), to_long_term=to_long_term)
        return None

    def _reablement(self, person: Person, start: int, *, to_long_term: bool) -> None:
        rng, out = self._rng, self._outcomes
        end = start + int(rng.triangular(5, 49, 30))
        service = self._add(
            person, self._events.service, start, end, service=self._services.reablement()
        )
        if not self._equipment_shown or rng.random() < 0.15:
            self._equipment_shown = True
            day = start + rng.randint(0, min(10, end - start))
            self._add(
                person,
                self._events.service,
                day,
                day,
                outcome=out.ended_as_planned,
                service=self._services.equipment(self._vocab.services.ongoing_low_level),
            )
        if to_long_term:
            service.outcome = out.to_services
            setting = rng.choices((COMMUNITY, RESIDENTIAL, NURSING), (85, 10, 5))[0]
            self._new_long_term(person, end + rng.randint(0, 5), setting)
        else:
            service.outcome = out.reablement_end.pick(rng)
        if rng.random() < 0.3:
            self._add(
                person,
                self._events.review,
                max(start, end - rng.randint(0, 5)),
                end,
                review_reason=self._activity.short_term_review,
                method=self._activity.method.pick(rng),
                outcome=service.outcome,
            )

    def _short_term_bed(self, person: Person, start: int) -> None:
        rng, out = self._rng, self._outcomes
        end = start + rng.randint(14, 42)
        stay = self._add(
            person, self._events.service, start, end, service=self._services.short_term_bed()
        )
        if rng.random() < 0.4:
            stay.outcome = out.to_services
            setting = NURSING if rng.random() < 0.35 else RESIDENTIAL
            self._new_long_term(person, end + rng.randint(0, 2), setting)
        else:
            stay.outcome = out.ended_as_planned

    def _new_long_term(self, person: Person, start: int, setting: str) -> None:
        self._long_term(
            person,
            setting,
            start,
            PACKAGE_KINDS.pick(self._rng),
            first_review=start + self._rng.randint(42, 84),
            simulate_from=start,
        )

    def _long_term(
        self,
        person: Person,
        setting: str,
        start: int,
        package: str,
        *,
        first_review: int,
        simulate_from: int,
    ) -> None:
        if start > self._period.end:
            return
        rng, ev, out, act = self._rng, self._events, self._outcomes, self._activity
        self._enter(person, setting, simulate_from)
        main = self._add(
            person, ev.service, start, None, service=self._main_service(person, setting, package)
        )
        extras = []
        if setting == COMMUNITY:
            extra = self._services.community_extra(package) if rng.random() < 0.2 else None
            if extra is not None:
                extras.append(self._add(person, ev.service, start, None, service=extra))
            if start >= simulate_from and rng.random() < 0.15:
                self._add(
                    person,
                    ev.service,
                    start,
                    start,
                    outcome=out.continuation,
                    service=self._services.equipment(self._vocab.services.community),
                )
        day, next_review = simulate_from, first_review
        while True:
            working_age = person.age_on(day) < 65
            leave_rate = LEAVE_PRISON if setting == PRISON else LEAVE_LONG_TERM_SUPPORT
            leave = day + self._wait(leave_rate)
            move = (
                day + self._wait(MOVE_TO_CARE_HOME[working_age])
                if setting == COMMUNITY
                else self._period.end + 1
            )
            unplanned = day + self._wait(UNPLANNED_REVIEW)
            when = min(next_review, leave, unplanned, move)
            if when > self._period.end or when >= latent_death(person):
                return
            if when == leave:
                outcome = out.ended_other if setting == PRISON else out.long_term_exit.pick(rng)
                for service in (main, *extras):
                    _close(service, when, outcome)
                return
            review_end = when + rng.randint(0, 7 if when == move else 21)
            if when == move:
                self._add(
                    person,
                    ev.review,
                    when,
                    review_end,
                    outcome=out.to_services,
                    review_reason=act.unplanned_hospital_review,
                    method=act.method.pick(rng),
                )
                for service in (main, *extras):
                    _close(service, review_end, out.to_services)
                setting = NURSING if rng.random() < 0.35 else RESIDENTIAL
                day = review_end + rng.randint(0, 2)
                self._enter(person, setting, day)
                main = self._add(
                    person,
                    ev.service,
                    day,
                    None,
                    service=self._main_service(person, setting, package),
                )
                extras = []
                next_review = day + rng.randint(42, 84)
                continue
            planned = when == next_review
            change = rng.random() < (0.15 if planned else 0.35)
            reason = act.planned_review if planned else act.unplanned_review.pick(rng)
            self._add(
                person,
                ev.review,
                when,
                review_end,
                review_reason=reason,
                method=act.method.pick(rng),
                outcome=out.to_services if change else out.continuation,
            )
            if change:
                _close(main, review_end, out.continuation)
                if rng.random() < 0.15:
                    package = PACKAGE_KINDS.pick(rng)
                main = self._add(
                    person,
                    ev.service,
                    review_end + 1,
                    None,
                    service=self._main_service(person, setting, package),
                )
            if planned:
                next_review = when + rng.randint(330, 400)
            day = review_end

    def _main_service(self, person: Person, setting: str, package: str) -> Service:
        if setting == COMMUNITY:
            learning_disability = (
                person.primary_support_reason == self._vocab.people.learning_disability
            )
            return self._services.community(package, learning_disability=learning_disability)
        if setting == PRISON:
            return self._services.prison()
        return self._services.care_home(nursing=setting == NURSING)

    def _enter(self, person: Person, setting: str, day: int) -> None:
        """Update the person's circumstances and death risk for a new long-term setting."""
        mixes, rng = self._vocab.people, self._rng
        working_age = person.age_on(day) < 65
        if setting == COMMUNITY:
            rate = DEATH_IN_COMMUNITY[working_age]
            if person.age_on(day) >= 85:
                rate = DEATH_VERY_OLD_IN_COMMUNITY
        else:
            rate = DEATH_IN_SETTING[setting]
        if setting == RESIDENTIAL:
            person.accommodation = mixes.accommodation_care_home.pick(rng)
            person.funding_status = mixes.funding_care_home.pick(rng)
        elif setting == NURSING:
            person.accommodation = mixes.accommodation_nursing_home.pick(rng)
            person.funding_status = mixes.funding_care_home.pick(rng)
        elif setting == PRISON:
            person.accommodation = mixes.prison_accommodation
        self._hazard(person, day, rate)

    def _carer_service(self, carer: Person, start: int, involving_cared_for: bool) -> None:
        rng, components = self._rng, self._vocab.components
        service = self._services.carer_support(involving_cared_for=involving_cared_for)
        if service.component == components.carer_sitting:
            end = None
        elif service.component == components.carer_respite:
            end = start + rng.randint(3, 14)
        else:
            end = start
        self._add(
            carer,
            self._events.service,
            start,
            end,
            service=service,
            outcome=BLANK if end is None else self._outcomes.ended_as_planned,
        )

    def _hazard(self, person: Person, day: int, annual_rate: float) -> None:
        # Waiting times are memoryless, so a new rate can simply redraw the death date.
        if person.death is None or day < person.death:
            person.death = day + self._wait(annual_rate)

    def _wait(self, annual_rate: float) -> int:
        return 1 + int(self._rng.expovariate(annual_rate / DAYS_PER_YEAR))

    def _add(
        self,
        person: Person,
        event_type: str,
        start: int,
        end: int | None,
        *,
        outcome: str = BLANK,
        route_of_access: str = BLANK,
        assessment_type: str = BLANK,
        method: str = BLANK,
        review_reason: str = BLANK,
        service: Service | None = None,
    ) -> Event:
        event = Event(
            event_type,
            start,
            end,
            outcome,
            route_of_access,
            assessment_type,
            method,
            review_reason,
            service,
        )
        person.events.append(event)
        return event


def _end(event: Event) -> int:
    if event.end is None:
        raise ValueError("this event has no end date yet")
    return event.end


def latent_death(person: Person) -> int:
    """The drawn death date, which may lie beyond the period."""
    if person.death is None:
        raise ValueError("the death date has not been drawn")
    return person.death


def _close(event: Event, day: int, outcome: str) -> None:
    if event.end is None:
        event.end = day
        event.outcome = outcome


def _truncate(person: Person, day: int, outcome: Callable[[Event], str]) -> None:
    """Drop what starts after ``day`` and end on ``day`` whatever was still going."""
    kept = []
    for event in person.events:
        if event.start > day:
            continue
        if event.end is None or event.end > day:
            event.end = day
            event.outcome = outcome(event)
        kept.append(event)
    person.events = kept
