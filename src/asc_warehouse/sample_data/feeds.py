"""Deterministic synthetic person-level extracts: ``HOSP_``, ``SG_`` and ``DOLS_`` files.

They are built from the same simulated people as the CLD sample (same seed, scale and period
rebuild the same population), so that a person's discharges, safeguarding concerns and DoLS
applications link to their CLD records once identifiers are hashed. One file per feed and
council covers the CLD sample's period. Headers come from ``asc_warehouse.ingest.person_feeds``, the
loader's own specs.
"""

from __future__ import annotations

import csv
import random
import zlib
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path

from asc_warehouse.ingest.landing import PERSON_FEED_PREFIXES
from asc_warehouse.ingest.person_feeds import DOLS, HOSPITAL, SAFEGUARDING, PersonFeed
from asc_warehouse.sample_data.codes import CodeLists
from asc_warehouse.sample_data.feed_people import FeedPerson, OutsideCld, from_cld
from asc_warehouse.sample_data.histories import DAYS_PER_YEAR, Period
from asc_warehouse.sample_data.hospital import (
    DISCHARGES_PER_RESIDENT_18_TO_64,
    DISCHARGES_PER_RESIDENT_65_PLUS,
    TRUSTS,
    HospitalSpells,
    Spell,
)
from asc_warehouse.sample_data.marker import mark_as_generated
from asc_warehouse.sample_data.population import build_population
from asc_warehouse.sample_data.profiles import (
    DEFAULT_SAMPLE_COUNCILS,
    HISTORY_END,
    HISTORY_START,
    Council,
    adult_population,
    load_councils,
    per_kent_adult,
)
from asc_warehouse.sample_data.safeguarding import (
    KENT_CONCERNS_PER_YEAR,
    KENT_DOLS_APPLICATIONS_PER_YEAR,
    Application,
    Concern,
    dols_applications,
    safeguarding_concerns,
)
from asc_warehouse.sample_data.vocabulary import Vocabulary, build_vocabulary

Row = dict[str, str]
# Even the smallest sample holds enough records to exercise every branch downstream.
MINIMUM_RECORDS = 40
# Rows per file given a planted fault when faults are asked for: a few, and never more than
# FAULT_SHARE of a file, far below the 5% quarantined share that blocks publication
# (expectations/ops_latest_load_quality.json).
MAX_FAULTS_PER_FILE = 3
FAULT_SHARE = 0.01


def _iso(day: int | None) -> str:
    return "" if day is None else date.fromordinal(day).isoformat()


def _spell_rows(spells: list[Spell], council: Council, rng: random.Random) -> list[Row]:
    spells = sorted(spells, key=lambda spell: (spell.discharge, spell.admission))
    trusts = TRUSTS[council.code]
    first = rng.randint(10_000_000, 40_000_000)
    return [
        {
            "Spell ID": f"{rng.choice(trusts)}{first + index * 7:09d}",
            "NHS Number": spell.person.nhs_number,
            "Date of Birth": _iso(spell.person.birth),
            "Admission Date": _iso(spell.admission),
            "Admission Method": spell.admission_method,
            "Discharge Date": _iso(spell.discharge),
            "Discharge Method": spell.discharge_method,
            "Discharge Destination": spell.destination,
            "Treatment Function Code": spell.treatment_function,
            "Management Type": spell.management_type,
            "Discharge Ready Date": _iso(spell.ready),
            "Delay Responsibility": spell.delay_responsibility,
        }
        for index, spell in enumerate(spells)
    ]


def _person_fields(person: FeedPerson) -> Row:
    return {
        "LA Person Unique Identifier": person.la_id,
        "NHS Number": person.nhs_number,
        "Date of Birth": _iso(person.birth),
    }


def _concern_rows(concerns: list[Concern]) -> list[Row]:
    concerns = sorted(concerns, key=lambda concern: concern.received)
    return [
        {
            "Concern ID": f"SC{index + 1:07d}",
            **_person_fields(concern.person),
            "Concern Received Date": _iso(concern.received),
            "Concern Outcome": concern.outcome,
            "Enquiry Start Date": _iso(concern.enquiry_start),
            "Enquiry End Date": _iso(concern.enquiry_end),
            "Risk Identified": concern.risk_identified,
            "Risk Outcome": concern.risk_outcome,
            "Outcomes Expressed": concern.outcomes_expressed,
            "Outcomes Achieved": concern.outcomes_achieved,
        }
        for index, concern in enumerate(concerns)
    ]


def _application_rows(applications: list[Application]) -> list[Row]:
    applications = sorted(applications, key=lambda application: application.received)
    return [
        {
            "Application ID": f"DL{index + 1:07d}",
            **_person_fields(application.person),
            "Application Received Date": _iso(application.received),
            "Application Type": application.application_type,
            "Care Setting": application.care_setting,
            "Completed Date": _iso(application.completed),
            "Outcome": application.outcome,
        }
        for index, application in enumerate(applications)
    ]


def _uk_date(field: str) -> Callable[[Row], None]:
    def fault(row: Row) -> None:
        row[field] = date.fromisoformat(row[field]).strftime("%d/%m/%Y")
    return fault


def _set(field: str, value: str) -> Callable[[Row], None]:
    def fault(row: Row) -> None:
        row[field] = value
    return fault


def _no_person(row: Row) -> None:
    row["LA Person Unique Identifier"] = row["NHS Number"] = ""


# Faults real extracts carry, one kind per planted row in turn; each makes the row unusable.
PLANTED_FAULTS: dict[str, tuple[Callable[[Row], None], ...]] = {
    HOSPITAL.feed: (_set("Admission Method", "99"), _uk_date("Discharge Date"),
                    _set("Delay Responsibility", "Council")),
    SAFEGUARDING.feed: (_set("Concern Outcome", "S42"), _uk_date("Concern Received Date"),
                        _no_person),
    DOLS.feed: (_set("Care Setting", "Community"), _set("Application Type", "Emergency"),
                _uk_date("Application Received Date")),
}


def faults_to_plant(rows: int) -> int:
    return min(MAX_FAULTS_PER_FILE, max(1, int(rows * FAULT_SHARE)), rows)


def _plant_faults(rng: random.Random, feed: str, rows: list[Row]) -> None:
    faults = PLANTED_FAULTS[feed]
    for index, line in enumerate(rng.sample(range(len(rows)), faults_to_plant(len(rows)))):
        faults[index % len(faults)](rows[line])


def _write(path: Path, spec: PersonFeed, rows: Iterable[Row]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=spec.header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def person_feed_file_name(spec: PersonFeed, council_code: str, start: date, end: date) -> str:
    return f"{PERSON_FEED_PREFIXES[spec.feed]}_{council_code}_{start:%Y%m%d}_{end:%Y%m%d}.csv"


def _council_rows(
    council: Council, people: list[FeedPerson], period: Period, scale: float,
    rng: random.Random, vocab: Vocabulary,
) -> dict[str, list[Row]]:
    years = (period.end - period.start + 1) / DAYS_PER_YEAR
    outside = OutsideCld(rng, council.nhs_numbers, people)
    working_age, older = adult_population(council.code)
    spells = HospitalSpells(rng, vocab, period)
    spells.add_cld_histories(people)
    linked = len(spells.spells)
    for is_older, residents, rate in ((True, older, DISCHARGES_PER_RESIDENT_65_PLUS),
                                      (False, working_age, DISCHARGES_PER_RESIDENT_18_TO_64)):
        expected = round(residents * rate * years * scale)
        # Linked spells are mostly of older people; they count towards the 65+ total.
        count = max(MINIMUM_RECORDS, expected - (linked if is_older else 0))
        spells.add_other_residents(count, older=is_older, cld=people, outside=outside)
    concerns = safeguarding_concerns(
        rng, max(MINIMUM_RECORDS, round(per_kent_adult(council.code, KENT_CONCERNS_PER_YEAR)
                                        * years * scale)),
        period, people, outside,
    )
    applications = dols_applications(
        rng, max(MINIMUM_RECORDS, round(
            per_kent_adult(council.code, KENT_DOLS_APPLICATIONS_PER_YEAR) * years * scale)),
        period, people, outside, vocab,
    )
    return {
        HOSPITAL.feed: _spell_rows(spells.spells, council, rng),
        SAFEGUARDING.feed: _concern_rows(concerns),
        DOLS.feed: _application_rows(applications),
    }


def generate_person_feed_extracts(
    landing_dir: Path,
    *,
    scale: float = 1.0,
    seed: int = 20260331,
    period_start: date = HISTORY_START,
    period_end: date = HISTORY_END,
    with_faults: bool = False,
    councils: Sequence[str] | None = DEFAULT_SAMPLE_COUNCILS,
) -> list[Path]:
    """Write a HOSP_, SG_ and DOLS_ file per council that sends them; return the paths written.

    Arguments as for ``generate_sample_extracts``, whose people these records are about: the
    same arguments always give byte-identical files. Only Kent sends them among the profiled
    councils; a council with a national profile sends CLD only.
    """
    if scale <= 0:
        raise ValueError("scale must be positive")
    if period_end < period_start:
        raise ValueError("period_end is before period_start")
    vocab = build_vocabulary(CodeLists.load())
    period = Period(period_start.toordinal(), period_end.toordinal())
    landing_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for council in load_councils(councils):
        if not council.profile.sends_person_feeds:
            continue
        people = from_cld(build_population(council, vocab, period, scale=scale, seed=seed), vocab)
        # Its own stream per council, apart from the CLD generator's.
        rng = random.Random(seed + zlib.crc32(f"{council.code}:person feeds".encode()))
        rows = _council_rows(council, people, period, scale, rng, vocab)
        for spec in (HOSPITAL, SAFEGUARDING, DOLS):
            if with_faults:
                _plant_faults(rng, spec.feed, rows[spec.feed])
            path = landing_dir / person_feed_file_name(spec, council.code, period_start,
                                                       period_end)
            _write(path, spec, rows[spec.feed])
            paths.append(path)
    mark_as_generated(landing_dir, paths)
    return paths
