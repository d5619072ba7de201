"""Region and council type of each council in the official ASCOF series.

The workbook publishes region and council-type aggregates but does not say which councils make
them up. Each council is assigned here by two published coding schemes, and
``asc_warehouse.reference.ascof_official.check_geography`` proves the assignment against the
workbook: every region's and council type's published numerators and denominators of the
measures in ``CHECKED_MEASURES`` (2024-25) must equal the sum of its councils' to within the
aggregate rounding. A wrong assignment fails the refresh.

- Region: CASSR codes are numbered in regional blocks (1xx North East, 2xx Yorkshire and the
  Humber, 3xx North West, 4xx West Midlands, 5xx East Midlands, 6xx East of England, 7xx
  London, 8xx South East, 9xx South West). Councils numbered outside their region's block are
  listed in ``REGION_EXCEPTIONS``, with the four councils formed since 2019 whose codes are not
  numeric.
- Council type: the ONS code's entity prefix (E10 county: Shire Counties; E06 unitary: Unitary
  Authorities; E08 metropolitan district: Metropolitan Districts; E09 London borough: Inner or
  Outer London, Inner being the 13 boroughs of the London Government Act 1963 in
  ``INNER_LONDON``: Greenwich is Inner, Haringey and Newham Outer), except the two county
  councils that became unitary in April 2023, North Yorkshire and Somerset, which the workbook
  still counts among the Shire Counties (``COUNCIL_TYPE_EXCEPTIONS``; Buckinghamshire,
  unitary since 2020, and the Cumbrian and Northamptonshire successors are Unitary). Both
  choices are the ones the workbook's own council-type totals add up to.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

CHECKED_MEASURES = ("2A", "2B", "2C", "2E(1)", "2E(2a)", "2E(2b)", "3D(1a)", "3D(2a)")
# Regional, council-type and national counts are rounded to the nearest 5 (note 10).
AGGREGATE_ROUNDING = 5

REGION_BY_CODE_BLOCK = {
    "1": "NE", "2": "YH", "3": "NW", "4": "WM", "5": "EM", "6": "E", "7": "L", "8": "SE",
    "9": "SW",
}
REGION_EXCEPTIONS = {
    "102": "NW",  # Cumbria (to 2022-23)
    "608": "SE",  # Oxfordshire
    "613": "SE",  # Milton Keynes
    "614": "SE",  # Bracknell Forest
    "615": "SE",  # West Berkshire
    "616": "SE",  # Reading
    "617": "SE",  # Slough
    "618": "SE",  # Windsor and Maidenhead
    "619": "SE",  # Wokingham
    "738": "SW",  # Bournemouth, Christchurch and Poole
    "809": "SW",  # Dorset
    "810": "SW",  # Bournemouth (to 2018-19)
    "811": "SW",  # Poole (to 2018-19)
    "817": "SW",  # Wiltshire
    "819": "SW",  # Swindon
    "916": "SE",  # Buckinghamshire
    "H6X4G": "NW",  # Cumberland
    "W8X1Q": "NW",  # Westmorland and Furness
    "U6Q5Z": "EM",  # West Northamptonshire
    "Z9D4Z": "EM",  # North Northamptonshire
}
COUNCIL_TYPE_BY_ONS_PREFIX = {"E10": "S", "E06": "U", "E08": "M"}
COUNCIL_TYPE_EXCEPTIONS = {
    "218": "S",  # North Yorkshire (unitary E06000065 since April 2023)
    "905": "S",  # Somerset (unitary E06000066 since April 2023)
}
LONDON_BOROUGH_PREFIX = "E09"
INNER_LONDON = {
    "E09000001",  # City of London
    "E09000007",  # Camden
    "E09000011",  # Greenwich
    "E09000012",  # Hackney
    "E09000013",  # Hammersmith and Fulham
    "E09000019",  # Islington
    "E09000020",  # Kensington and Chelsea
    "E09000022",  # Lambeth
    "E09000023",  # Lewisham
    "E09000028",  # Southwark
    "E09000030",  # Tower Hamlets
    "E09000032",  # Wandsworth
    "E09000033",  # Westminster
}
# The workbook names region E "Eastern" in 24 tables and "East of England" in one (README
# item 4); one name is kept.
AREA_NAMES = {("region", "E"): "East of England"}
BASIS = (
    "region from the CASSR code block (or a listed exception), council type from the ONS code "
    "prefix (or a listed exception); checked against the workbook's 2024-25 region and "
    "council-type counts"
)


@dataclass(frozen=True)
class Geography:
    region_code: str
    council_type_code: str
    basis: str


def assign(cassr_code: str, ons_code: str) -> Geography:
    region = REGION_EXCEPTIONS.get(cassr_code) or REGION_BY_CODE_BLOCK.get(cassr_code[:1], "")
    if cassr_code in COUNCIL_TYPE_EXCEPTIONS:
        council_type = COUNCIL_TYPE_EXCEPTIONS[cassr_code]
    elif ons_code.startswith(LONDON_BOROUGH_PREFIX):
        council_type = "I" if ons_code in INNER_LONDON else "O"
    else:
        council_type = COUNCIL_TYPE_BY_ONS_PREFIX.get(ons_code[:3], "")
    return Geography(region, council_type, BASIS)


def area_name(area_level: str, area_code: str, written_name: str) -> str:
    return AREA_NAMES.get((area_level, area_code), written_name)


def current_identities(councils: Iterable[dict[str, str]]) -> list[dict[str, str]]:
    """One identity per CASSR code: the one in the 2024-25 CLD tables when a code has two.

    Code 809 is both "Dorset County" (E10000009) and "Dorset" (E06000059); the workbook writes
    the current Dorset Council under either. Its years span both identities.
    """
    by_code: dict[str, dict[str, str]] = {}
    for council in councils:
        code = council["cassr_code"].strip()
        if not code:
            continue  # the combined Cornwall and Isles of Scilly row has no code
        kept = by_code.get(code)
        if kept is None:
            by_code[code] = dict(council)
            continue
        current, other = ((council, kept) if council.get("in_2024_25_cld_tables") == "yes"
                          else (kept, council))
        merged = dict(current)
        merged["first_year_with_data"] = min(current["first_year_with_data"],
                                             other["first_year_with_data"])
        merged["last_year_with_data"] = max(current["last_year_with_data"],
                                            other["last_year_with_data"])
        merged["note"] = "; ".join(
            part for part in (current["note"], f"also written as {other['name']} "
                              f"({other['ons_code']})") if part
        )
        by_code[code] = merged
    return [by_code[code] for code in sorted(by_code)]
