"""Per-council volumes and geography for the synthetic extracts.

Kent and Medway have hand-made profiles (their own volumes, postcode districts and towns). Any
other council in the councils seed gets a national profile: Kent's volumes per adult resident
(``seeds/ons_population_estimates.csv``), made-up districts and towns, and CLD only.
"""

from __future__ import annotations

import csv
import random
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from pathlib import Path

from asc_warehouse.config import SEEDS_DIR

COUNCILS_PATH = SEEDS_DIR / "ref_councils.csv"
POPULATION_PATH = SEEDS_DIR / "ons_population_estimates.csv"
KENT = "820"
# The councils sampled unless asked otherwise; their files must not change with the national ones.
DEFAULT_SAMPLE_COUNCILS = ("820", "821")
ALL_COUNCILS = "all"
# The sample history: Client Level Data starts on 1 April 2023 (DHSC).
HISTORY_START = date(2023, 4, 1)
HISTORY_END = date(2026, 3, 31)


@dataclass(frozen=True, slots=True)
class CouncilProfile:
    """Volumes at scale 1.0 and the places residents live.

    ``requests_per_year`` and ``people_in_long_term_support`` are the targets the population is
    sized from; ``reablement_share`` is the share of requests that lead to ST-Max, which mostly
    sets how many people are supported in a year beyond those in long-term support.
    """

    council_code: str
    requests_per_year: int
    people_in_long_term_support: int
    reablement_share: float
    unpaid_carers: int
    postcode_districts: tuple[str, ...]
    towns: tuple[str, ...]
    sends_person_feeds: bool = True
    """False for a CLD-only council: no HOSP_, SG_ or DOLS_ files."""
    practice_code_prefix: str = "G82"
    """GP practice codes are this plus three digits (G82: shaped like Kent and Medway's)."""


# Kent's districts leave out ME1-ME5, ME7 and ME8 (Medway) and the DA districts that belong to
# Bexley; ME6 (Snodland) is in Kent. Medway takes ME1-ME8 less ME6.
PROFILES: dict[str, CouncilProfile] = {
    "820": CouncilProfile(
        council_code="820",
        requests_per_year=50_000,
        people_in_long_term_support=16_000,
        reablement_share=0.12,
        unpaid_carers=4_000,
        postcode_districts=(
            *(f"CT{n}" for n in range(1, 22)),
            *(f"TN{n}" for n in (1, 2, 3, 4, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18)),
            *(f"TN{n}" for n in range(23, 31)),
            *(f"ME{n}" for n in (6, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20)),
            *(f"DA{n}" for n in (1, 2, 3, 4, 9, 10, 11, 12, 13)),
        ),
        towns=(
            "Canterbury",
            "Ashford",
            "Maidstone",
            "Dover",
            "Folkestone",
            "Margate",
            "Ramsgate",
            "Tunbridge Wells",
            "Tonbridge",
            "Sevenoaks",
            "Dartford",
            "Gravesend",
            "Sittingbourne",
            "Faversham",
            "Whitstable",
            "Herne Bay",
            "Deal",
            "Sandwich",
            "Hythe",
            "Swanley",
        ),
    ),
    "821": CouncilProfile(
        council_code="821",
        requests_per_year=7_000,
        people_in_long_term_support=1_150,
        reablement_share=0.26,
        unpaid_carers=1_000,
        postcode_districts=("ME1", "ME2", "ME3", "ME4", "ME5", "ME7", "ME8"),
        towns=("Chatham", "Gillingham", "Rochester", "Strood", "Rainham", "Hoo", "Walderslade"),
        # Medway sends CLD only, as many councils do before their other feeds are set up.
        sends_person_feeds=False,
    ),
}


@dataclass(frozen=True, slots=True)
class NhsNumberRange:
    """The first nine digits a council's synthetic NHS numbers are drawn from: ``start`` to
    ``start + size - 1``. Every range starts with 9, outside the numbers issued to patients in
    England (4xx, 6xx, 7xx), and no two councils' ranges overlap."""

    start: int
    size: int


# Kent and Medway keep the ranges their files were first generated with: 90 and 91 followed by
# seven digits. The other councils share 920000000-999999999 in proportion to their adults.
FIXED_NHS_RANGES = {
    "820": NhsNumberRange(900_000_000, 10**7),
    "821": NhsNumberRange(910_000_000, 10**7),
}
NATIONAL_NHS_RANGE = NhsNumberRange(920_000_000, 80_000_000)


@dataclass(frozen=True, slots=True)
class Council:
    code: str
    name: str
    profile: CouncilProfile
    nhs_numbers: NhsNumberRange

    def random_stream(self, seed: int) -> random.Random:
        """The council's own stream for a generator seed, whatever else is sampled."""
        # Most CASSR codes are three digits; the councils formed since 2023 have letters in
        # theirs (Cumberland is H6X4G), so those are hashed instead.
        if self.code.isdigit():
            return random.Random(seed * 1000 + int(self.code))
        return random.Random(seed * 1000 + zlib.crc32(self.code.encode()))


WORKING_AGE, OLDER = "18 to 64", "65 and above"


def adult_population(council_code: str) -> tuple[int, int]:
    """(18 to 64, 65 and above) residents, latest estimate in seeds/ons_population_estimates.csv.

    Strict, unlike ``adults``: the person-level feeds apply a discharge rate per band, so a
    council sending them needs both bands measured, not one estimated from Kent's proportion.
    """
    bands = _adult_populations().get(council_code, {})
    if WORKING_AGE not in bands or OLDER not in bands:
        raise KeyError(f"{POPULATION_PATH.name} has no adult population for council {council_code}")
    return bands[WORKING_AGE], bands[OLDER]


def adults(council_code: str) -> float:
    """Residents aged 18 and over. Where the seed has one age band only (Rutland and the City of
    London have no 18 to 64 figure), the other is taken in Kent's proportion to it."""
    bands = _adult_populations().get(council_code, {})
    if not bands:
        raise KeyError(f"{POPULATION_PATH.name} has no adult population for council {council_code}")
    if len(bands) == 1:
        ((band, count),) = bands.items()
        kent = _adult_populations()[KENT]
        return count * (kent[WORKING_AGE] + kent[OLDER]) / kent[band]
    return bands[WORKING_AGE] + bands[OLDER]


@cache
def _adult_populations() -> dict[str, dict[str, int]]:
    """Residents by age band, latest estimate year of each council."""
    with POPULATION_PATH.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    latest: dict[str, int] = {}
    for row in rows:
        latest[row["council_code"]] = max(latest.get(row["council_code"], 0),
                                          int(row["estimate_year"]))
    bands: dict[str, dict[str, int]] = {}
    for row in rows:
        if int(row["estimate_year"]) == latest[row["council_code"]]:
            bands.setdefault(row["council_code"], {})[row["age_band"]] = int(row["population"])
    return bands


def per_kent_adult(council_code: str, kent_count: float) -> float:
    """A Kent count carried to another council by adult population."""
    return kent_count * adults(council_code) / adults(KENT)


def national_profile(council_code: str, council_name: str) -> CouncilProfile:
    """Kent's volumes per adult resident, CLD only, with made-up districts and towns.

    Postcode districts start with Q, a letter no UK postcode area uses, so a synthetic address
    can never be a real one; the districts' second letter varies with the council code.
    """
    kent = PROFILES[KENT]
    area = "Q" + "ABDEFGHJLNPRSTUWXYZ"[zlib.crc32(council_code.encode()) % 19]
    return replace(
        kent,
        council_code=council_code,
        requests_per_year=round(per_kent_adult(council_code, kent.requests_per_year)),
        people_in_long_term_support=round(
            per_kent_adult(council_code, kent.people_in_long_term_support)),
        unpaid_carers=round(per_kent_adult(council_code, kent.unpaid_carers)),
        postcode_districts=tuple(f"{area}{n}" for n in range(1, 21)),
        towns=tuple(f"{council_name} {part}" for part in ("North", "South", "East", "West")),
        sends_person_feeds=False,
        practice_code_prefix="Q99",
    )


@cache
def _national_nhs_ranges() -> dict[str, NhsNumberRange]:
    """Each council's share of the national range, fixed by the seed whatever is sampled."""
    sizes = {code: adults(code) for code in sorted(_adult_populations())
             if code not in FIXED_NHS_RANGES}
    total, before, ranges = sum(sizes.values()), 0.0, {}
    whole = NATIONAL_NHS_RANGE
    for code, count in sizes.items():
        start = whole.start + int(whole.size * before / total)
        before += count
        ranges[code] = NhsNumberRange(start, whole.start + int(whole.size * before / total) - start)
    return ranges


def parse_councils(text: str) -> tuple[str, ...] | None:
    """``820,821`` (CASSR codes) or ``all`` (None: every council the seeds can size)."""
    if text.strip().lower() == ALL_COUNCILS:
        return None
    codes = tuple(dict.fromkeys(code.strip() for code in text.split(",") if code.strip()))
    if not codes:
        raise ValueError("no council codes given: name CASSR codes (e.g. 820,821) or 'all'")
    return codes


def load_councils(
    codes: Sequence[str] | None = DEFAULT_SAMPLE_COUNCILS, path: Path = COUNCILS_PATH
) -> list[Council]:
    """The councils to sample, named as in the councils seed, in the order given.

    ``None`` means every council in the seed with an adult population estimate to size it by
    (all but the Isles of Scilly). A code the seed does not know, or a council it cannot size,
    is an error.
    """
    with path.open(newline="", encoding="utf-8") as handle:
        names = {row["council_code"]: row["council_name"] for row in csv.DictReader(handle)}
    if codes is None:
        codes = [code for code in names if code in _adult_populations() or code in PROFILES]
    unknown = [code for code in codes if code not in names]
    if unknown:
        raise KeyError(f"councils not in {path.name}: {unknown}")
    unsized = [code for code in codes if code not in PROFILES and code not in _adult_populations()]
    if unsized:
        raise KeyError(f"no adult population in {POPULATION_PATH.name} to size councils {unsized}")
    return [
        Council(
            code, names[code],
            PROFILES[code] if code in PROFILES else national_profile(code, names[code]),
            FIXED_NHS_RANGES.get(code) or _national_nhs_ranges()[code],
        )
        for code in codes
    ]
