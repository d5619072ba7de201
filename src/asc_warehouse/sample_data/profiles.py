"""Per-council volumes and geography for the synthetic extracts."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from asc_warehouse.config import SEEDS_DIR

COUNCILS_PATH = SEEDS_DIR / "ref_councils.csv"
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
class Council:
    code: str
    name: str
    index: int  # position among the sample councils; keeps NHS number ranges apart
    profile: CouncilProfile


def load_councils(path: Path = COUNCILS_PATH) -> list[Council]:
    """The councils with a sample-data profile (Kent, Medway), named as in the councils seed.

    The seed lists every English council; sample data is made only for the profiled ones, and a
    profile whose council the seed does not know is an error.
    """
    with path.open(newline="", encoding="utf-8") as handle:
        names = {row["council_code"]: row["council_name"] for row in csv.DictReader(handle)}
    unknown = [code for code in PROFILES if code not in names]
    if unknown:
        raise KeyError(f"sample-data profiles for councils not in {path.name}: {unknown}")
    return [
        Council(code, names[code], index, profile)
        for index, (code, profile) in enumerate(PROFILES.items())
    ]
