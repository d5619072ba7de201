"""Synthetic hospital provider spells (SUS APC-style) of a council's adult residents.

Spells of CLD sample people follow their social care histories: a discharge a few days before
(sometimes just after) each reablement that began with a hospital-discharge request, a discharge
into a short-term care home bed, an admission before each unplanned hospital review, and for
some of those who die, a death in hospital. Some reablement patients are readmitted as
emergencies within 12 weeks. The rest are residents admitted without a social care sequel, at
rates that give plausible volumes; they carry the codes ASCOF 2D excludes (maternity, transfers,
hospices, mental health and therapy treatment functions, deaths) at plausible rates.

Rates and mixes are rough shapes [INT] unless a source is named.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from asc_warehouse.sample_data.codes import Choice
from asc_warehouse.sample_data.feed_people import FeedPerson, OutsideCld
from asc_warehouse.sample_data.histories import Period
from asc_warehouse.sample_data.vocabulary import Vocabulary

# England 2024-25: 2,092,425 discharges of people aged 65+ in the ASCOF 2D(2) denominator
# (reference, [C]) for a 65+ population of about 11 million (ONS mid-2024 [OUT], approximate).
DISCHARGES_PER_RESIDENT_65_PLUS = 0.19
# Adults under 65 are admitted far less often [INT].
DISCHARGES_PER_RESIDENT_18_TO_64 = 0.08
# Share of other residents' spells that are of people the council's CLD knows [INT].
CLD_SHARE_OF_OTHER_SPELLS = {False: 0.03, True: 0.12}  # keyed by 65+
DIES_IN_HOSPITAL = 0.45  # share of deaths in hospital in England, roughly [OUT]
READMITTED_AFTER_REABLEMENT = 0.15
READMITTED_OTHERWISE = 0.12
READMISSION_WINDOW_DAYS = 84  # ASCOF 2D follow-up (var ascof_2d_followup_days)
READY_DATE_RECORDED = 0.35
DELAYED_WHEN_RECORDED = 0.5
# Trusts serving each council's residents (NHS ODS codes [OUT]); only shapes the Spell ID.
TRUSTS = {"820": ("RVV", "RWF", "RN7"), "821": ("RPA",)}
DISCHARGE_ROUTE = "Discharge from Hospital"

# Discharge date minus reablement start, in days. Mostly a discharge on the day or a few days
# before; tails on both sides reach a week either way and beyond, so that a linking window of
# 7 days before to 3 days after (reference 1.4 2D, discharge relative to the reablement start)
# or its mirror image is exercised at both edges.
REABLEMENT_OFFSETS = Choice.of({
    "0": 30, "-1": 25, "-2": 14, "-3": 10, "-4": 3, "-5": 2, "-6": 2, "-7": 2, "-8": 1,
    "-10": 1, "1": 3, "2": 2, "3": 2, "4": 2, "5": 2, "6": 2, "7": 2, "8": 1, "10": 1,
})
EMERGENCY_METHODS = Choice.of({"21": 62, "22": 15, "23": 2, "24": 6, "25": 1, "2A": 4, "2B": 4,
                               "2D": 5, "28": 1})
ELECTIVE_METHODS = Choice.of({"11": 60, "12": 25, "13": 15})
EMERGENCY_FUNCTIONS = Choice.of({"300": 30, "180": 10, "430": 14, "110": 10, "100": 10,
                                 "320": 8, "340": 8, "301": 5, "710": 2, "199": 1, "840": 1})
ELECTIVE_FUNCTIONS = Choice.of({"100": 15, "110": 15, "130": 12, "101": 10, "330": 5, "502": 6,
                                "320": 8, "800": 10, "301": 9, "650": 2, "661": 1, "560": 1,
                                "3A0": 1})
ROUTINE_DESTINATIONS = Choice.of({"19": 90, "29": 3, "51": 2, "87": 1, "88": 1, "65": 1,
                                  "54": 1, "85": 1})
OLDER_DESTINATIONS = Choice.of({"19": 82, "29": 3, "85": 6, "54": 1, "51": 3, "87": 1, "88": 2,
                                "65": 1, "53": 1})
DELAY_RESPONSIBILITY = Choice.of({"NHS": 55, "Social Care": 35, "Both": 10})
# Kinds of other residents' spells; the first spells of a file take each in turn so that even
# a tiny sample holds every kind.
OTHER_KINDS = Choice.of({"emergency": 48, "elective": 24, "day case": 22, "maternity": 3,
                         "transfer in": 1, "died": 2})


@dataclass(slots=True)
class Spell:
    person: FeedPerson
    admission: int
    admission_method: str
    discharge: int
    discharge_method: str
    destination: str
    treatment_function: str
    management_type: str
    ready: int | None = None
    delay_responsibility: str = ""


class SpellMaker:
    def __init__(self, rng: random.Random, period: Period) -> None:
        self._rng = rng
        self._period = period

    def emergency(self, person: FeedPerson, discharge: int, *, destination: str = "") -> Spell:
        rng = self._rng
        older = person.age_on(discharge) >= 65
        stay = int(rng.triangular(0, 40 if older else 20, 6 if older else 2))
        spell = Spell(
            person, discharge - stay, EMERGENCY_METHODS.pick(rng), discharge,
            "2" if rng.random() < 0.02 else "1",
            destination or (OLDER_DESTINATIONS if older else ROUTINE_DESTINATIONS).pick(rng),
            EMERGENCY_FUNCTIONS.pick(rng), "EM" if rng.random() < 0.85 else "NE",
        )
        self._maybe_delay(spell)
        return spell

    def planned(self, person: FeedPerson, discharge: int, *, day_case: bool) -> Spell:
        rng = self._rng
        stay = 0 if day_case else rng.randint(1, 8)
        management = ("RD" if rng.random() < 0.05 else "DC") if day_case else "EL"
        return Spell(person, discharge - stay, ELECTIVE_METHODS.pick(rng), discharge, "1", "19",
                     ELECTIVE_FUNCTIONS.pick(rng), management)

    def maternity(self, person: FeedPerson, discharge: int) -> Spell:
        rng = self._rng
        return Spell(person, discharge - rng.randint(0, 4), "31" if rng.random() < 0.7 else "32",
                     discharge, "1", "19", "501" if rng.random() < 0.8 else "560", "NE")

    def transfer_in(self, person: FeedPerson, discharge: int) -> Spell:
        spell = self.emergency(person, discharge)
        spell.admission_method, spell.management_type = "81", "NE"
        return spell

    def death(self, person: FeedPerson, day: int) -> Spell:
        rng = self._rng
        return Spell(person, day - int(rng.triangular(0, 30, 5)), EMERGENCY_METHODS.pick(rng),
                     day, "4", "79", EMERGENCY_FUNCTIONS.pick(rng), "EM")

    def _maybe_delay(self, spell: Spell) -> None:
        rng = self._rng
        stay = spell.discharge - spell.admission
        if stay < 2 or rng.random() >= READY_DATE_RECORDED:
            return
        if rng.random() < DELAYED_WHEN_RECORDED:
            spell.ready = spell.discharge - rng.randint(1, min(stay, 21))
            spell.delay_responsibility = DELAY_RESPONSIBILITY.pick(rng)
        else:
            spell.ready = spell.discharge


class HospitalSpells:
    """All spells of one council's file: those of CLD people first, then everybody else's."""

    def __init__(self, rng: random.Random, vocab: Vocabulary, period: Period) -> None:
        self._rng = rng
        self._vocab = vocab
        self._period = period
        self._make = SpellMaker(rng, period)
        self.spells: list[Spell] = []

    def _keep(self, spell: Spell) -> Spell | None:
        """A spell belongs in the file if an adult was discharged in the period, alive or not."""
        period, person = self._period, spell.person
        if not period.start <= spell.discharge <= period.end or person.age_on(spell.discharge) < 18:
            return None
        if person.death is not None and spell.discharge > person.death:
            return None
        self.spells.append(spell)
        return spell

    def _readmit(self, spell: Spell, share: float) -> None:
        rng = self._rng
        if rng.random() >= share:
            return
        admission = spell.discharge + int(rng.triangular(1, READMISSION_WINDOW_DAYS, 10))
        stay = int(rng.triangular(0, 20, 3))
        readmission = self._make.emergency(spell.person, admission + stay)
        readmission.admission = admission
        readmission.ready, readmission.delay_responsibility = None, ""
        self._keep(readmission)

    def add_cld_histories(self, people: list[FeedPerson]) -> None:
        vocab, rng = self._vocab, self._rng
        events, services, components = vocab.events, vocab.services, vocab.components
        short_term_beds = (components.short_term_residential, components.short_term_nursing)
        hospital_review = vocab.activity.unplanned_hospital_review
        for person in people:
            if person.cld is None:
                continue
            route = ""
            for event in person.cld.events:
                if event.event_type == events.request:
                    route = event.route_of_access
                    continue
                if event.event_type == events.review and event.review_reason == hospital_review:
                    self._keep(self._make.emergency(person, event.start - rng.randint(0, 7)))
                    continue
                service = event.service
                if route != DISCHARGE_ROUTE or service is None:
                    continue
                if (service.service_type == services.st_max
                        and service.component == components.reablement):
                    offset = int(REABLEMENT_OFFSETS.pick(rng))
                    spell = self._keep(self._make.emergency(person, event.start + offset))
                    if spell is not None:
                        self._readmit(spell, READMITTED_AFTER_REABLEMENT)
                    route = ""  # one discharge per request
                elif service.component in short_term_beds:
                    self._keep(self._make.emergency(person, event.start - rng.randint(0, 2),
                                                    destination="85"))
                    route = ""
            if person.death is not None and rng.random() < DIES_IN_HOSPITAL:
                self._keep(self._make.death(person, person.death))

    def add_other_residents(
        self, count: int, *, older: bool, cld: list[FeedPerson], outside: OutsideCld
    ) -> None:
        rng, period = self._rng, self._period
        known = [person for person in cld if (person.age_on(period.start) >= 65) == older]
        kinds = OTHER_KINDS.values
        for index in range(count):
            day = rng.randint(period.start, period.end)
            kind = kinds[index] if index < len(kinds) else OTHER_KINDS.pick(rng)
            person = None
            if known and kind != "died" and rng.random() < CLD_SHARE_OF_OTHER_SPELLS[older]:
                person = rng.choice(known)
            if person is None:
                age = rng.triangular(65, 101, 80) if older else rng.triangular(18, 65, 45)
                if kind == "maternity":
                    age = rng.uniform(18, 45)
                person = outside.person(day, age, la_id=False)
            if kind == "maternity" and not (person.female and person.age_on(day) < 50):
                kind = "emergency"
            spell = self._other_spell(kind, person, day)
            if self._keep(spell) is not None and kind == "emergency":
                self._readmit(spell, READMITTED_OTHERWISE)

    def _other_spell(self, kind: str, person: FeedPerson, day: int) -> Spell:
        make = self._make
        match kind:
            case "elective" | "day case":
                return make.planned(person, day, day_case=kind == "day case")
            case "maternity":
                return make.maternity(person, day)
            case "transfer in":
                return make.transfer_in(person, day)
            case "died":
                return make.death(person, day)
        return make.emergency(person, day)
