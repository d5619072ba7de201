"""Comparator councils for every council in the official ASCOF series.

Two sources, in order:

1. A council's own published list, from ``seeds/ref_comparator_councils.csv``: Kent's six
   comparators from its Adult Social Services operational plan 2008/9 (seed document 003).
2. For every other council (Medway among them: no source document names a comparator list for
   it, and none names a CIPFA nearest-neighbour group for either council), the
   ``NEIGHBOURS`` councils of the same council type nearest in adult population (aged 18 and
   over: the 2B plus 2C denominators, ONS mid-year estimates, of the latest year in the
   workbook with both). Ties in the population difference go to the lower CASSR code. Councils
   whose 2B or 2C denominator is suppressed have no population and so get no fallback group.
"""

from __future__ import annotations

from collections.abc import Iterable

PLAN_LISTS_FILE = "ref_comparator_councils.csv"
PLAN_LIST_COLUMNS = ("council_code", "council_name", "compared_with_council_code", "list_source")
SEED_COLUMNS = (
    "council_code", "comparator_council_code", "comparator_rank", "group_basis",
    "group_source", "population_year", "council_population_18_plus",
    "comparator_population_18_plus",
)
NEIGHBOURS = 6
POPULATION_MEASURES = ("2B", "2C")
PLAN_BASIS = "council plan"
FALLBACK_BASIS = "nearest adult population, same council type"
FALLBACK_SOURCE = (
    "Fallback (no published comparator list): the {n} councils of the same council type "
    "nearest in population aged 18+ (2B + 2C denominators, ASCOF {year})"
)


def adult_populations(groups: Iterable[dict[str, str]]) -> tuple[str, dict[str, int]]:
    """The latest year with 2B and 2C denominators, and each council's 18-64 plus 65+."""
    parts: dict[tuple[str, str], dict[str, int]] = {}
    for group in groups:
        if (group["area_level"] == "council" and group["breakdown"] == "Total"
                and group["measure_code"] in POPULATION_MEASURES and group["denominator"]):
            key = (group["financial_year"], group["area_code"])
            parts.setdefault(key, {})[group["measure_code"]] = int(float(group["denominator"]))
    years = {year for (year, _), measures in parts.items() if len(measures) == 2}
    if not years:
        return "", {}
    latest = max(years)
    return latest, {
        code: sum(measures.values()) for (year, code), measures in parts.items()
        if year == latest and len(measures) == len(POPULATION_MEASURES)
    }


def build(
    groups: Iterable[dict[str, str]],
    areas: Iterable[dict[str, str]],
    plan_lists: Iterable[dict[str, str]],
) -> list[dict[str, str]]:
    year, population = adult_populations(groups)
    councils = {area["area_code"]: area for area in areas if area["area_level"] == "council"}
    rows: list[dict[str, str]] = []
    planned: dict[str, list[dict[str, str]]] = {}
    for entry in plan_lists:
        planned.setdefault(entry["compared_with_council_code"], []).append(entry)
    for council_code, entries in sorted(planned.items()):
        for rank, entry in enumerate(sorted(entries, key=lambda e: e["council_code"]), start=1):
            rows.append(_row(council_code, entry["council_code"], rank, PLAN_BASIS,
                             entry["list_source"], year, population))
    for council_code in sorted(population):
        if council_code in planned or council_code not in councils:
            continue
        council_type = councils[council_code]["council_type_code"]
        candidates = sorted(
            (abs(population[other] - population[council_code]), other)
            for other in population
            if other != council_code and other in councils
            and councils[other]["council_type_code"] == council_type
        )
        source = FALLBACK_SOURCE.format(n=NEIGHBOURS, year=year)
        for rank, (_, other) in enumerate(candidates[:NEIGHBOURS], start=1):
            rows.append(_row(council_code, other, rank, FALLBACK_BASIS, source, year, population))
    return rows


def _row(
    council_code: str, comparator_code: str, rank: int, basis: str, source: str, year: str,
    population: dict[str, int],
) -> dict[str, str]:
    return {
        "council_code": council_code, "comparator_council_code": comparator_code,
        "comparator_rank": str(rank), "group_basis": basis, "group_source": source,
        "population_year": year,
        "council_population_18_plus": str(population.get(council_code, "")),
        "comparator_population_18_plus": str(population.get(comparator_code, "")),
    }
