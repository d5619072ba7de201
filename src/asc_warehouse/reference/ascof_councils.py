"""Refresh ``seeds/ref_councils.csv`` (every English council) and the mid-2024 rows of
``seeds/ons_population_estimates.csv`` from DHSC's ASCOF 2024-25 time series.

Usage::

    python -m asc_warehouse.reference.ascof_councils ../shared/reference/ascof-official

The folder holds the tidy extract of the workbook (its README describes it):

- ``councils.csv``: every council identity in the workbook. The councils of the 2024-25 CLD
  tables (``in_2024_25_cld_tables = yes``, 153) become the council seed, keyed by CASSR code,
  with their ONS code and name.
- ``ascof_official_values.csv``: Tables 2b and 2c hold, per council, the 2024-25 denominators of
  2B (aged 18 to 64) and 2C (65 and above), which are the ONS mid-2024 estimates. They become
  the seed's ``estimate_year = 2024`` rows. A denominator the workbook suppresses (``[c]``) is
  not held: that council's 2B or 2C falls back to another year or has no population.

The workbook gives no region or council type per council. Both come from
``asc_warehouse.reference.council_geography``: CASSR code blocks and ONS code prefixes, with
listed exceptions, an assignment that the official-series refresh proves against the
workbook's own region and council-type totals (a wrong one fails that refresh). The DfE LA
code, region and type already in the seed (Kent, Medway, from the DfE list) are kept.
"""

from __future__ import annotations

import argparse
import csv
from dataclasses import dataclass
from pathlib import Path

from asc_warehouse.reference.council_geography import assign
from asc_warehouse.reference.ons_population import (
    COUNCILS_PATH,
    SEED_PATH,
    PopulationEstimate,
    write_seed,
)

COUNCIL_SEED_COLUMNS = (
    "council_code", "dfe_la_code", "ons_code", "council_name", "council_type", "region",
    "source_status",
)
POPULATION_YEAR = 2024
WORKBOOK_YEAR = "2024-25"
# Table of the workbook -> the ASCOF age band of its denominator.
DENOMINATOR_TABLES = {"Table_2b": "18 to 64", "Table_2c": "65 and above"}
# Groupings the workbook's aggregates confirm (see the module docstring).
REGION_NAMES = {
    "NE": "North East", "YH": "Yorkshire and the Humber", "NW": "North West",
    "WM": "West Midlands", "EM": "East Midlands", "E": "East of England", "L": "London",
    "SE": "South East", "SW": "South West",
}
COUNCIL_TYPE_NAMES = {
    "S": "Shire County", "U": "Unitary", "M": "Metropolitan District", "I": "Inner London",
    "O": "Outer London",
}
WORKBOOK_SOURCE = (
    "DHSC ASCOF 2024-25 time series (ascof_2024_25.ods, sha256 e4b06416b2b5b31b…), "
    "shared/reference/ascof-official/councils.csv"
)
POPULATION_SOURCE = (
    "DHSC ASCOF 2024-25 time series (ascof_2024_25.ods, sha256 e4b06416b2b5b31b…) {table} "
    "denominator, 2024-25 (ONS mid-2024)"
)


@dataclass(frozen=True)
class CouncilRow:
    council_code: str
    dfe_la_code: str
    ons_code: str
    council_name: str
    council_type: str
    region: str
    source_status: str

    def as_row(self) -> tuple[str, ...]:
        return (self.council_code, self.dfe_la_code, self.ons_code, self.council_name,
                self.council_type, self.region, self.source_status)


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def council_rows(reference_dir: Path, existing_seed: Path = COUNCILS_PATH) -> list[CouncilRow]:
    """The 2024-25 councils of the workbook, keeping attributes the seed already sources."""
    kept = {row["council_code"]: row for row in _read(existing_seed)} if existing_seed.exists() \
        else {}
    councils = []
    for row in _read(reference_dir / "councils.csv"):
        if row["in_2024_25_cld_tables"] != "yes":
            continue
        code = row["cassr_code"]
        previous = kept.get(code)
        if previous is not None and previous["dfe_la_code"]:
            councils.append(CouncilRow(
                code, previous["dfe_la_code"], row["ons_code"], previous["council_name"],
                previous["council_type"], previous["region"], previous["source_status"],
            ))
            continue
        geography = assign(code, row["ons_code"])
        councils.append(CouncilRow(
            code, "", row["ons_code"], row["name"],
            COUNCIL_TYPE_NAMES.get(geography.council_type_code, ""),
            REGION_NAMES.get(geography.region_code, ""),
            WORKBOOK_SOURCE + "; region and type as proved against the workbook's totals "
            "(asc_warehouse.reference.council_geography); no DfE LA code source held",
        ))
    return sorted(councils, key=lambda council: council.council_code)


def population_rows(reference_dir: Path, councils: list[CouncilRow]) -> list[PopulationEstimate]:
    """The 2024-25 2B/2C denominators of every council, as mid-2024 seed rows."""
    names = {council.council_code: council.council_name for council in councils}
    estimates = []
    for row in _read(reference_dir / "ascof_official_values.csv"):
        band = DENOMINATOR_TABLES.get(row["table"])
        if (
            band is None
            or row["area_level"] != "council"
            or row["year"] != WORKBOOK_YEAR
            or row["value_kind"] != "denominator"
            or not row["value"]
            or row["la_code"] not in names
        ):
            continue
        estimates.append(PopulationEstimate(
            POPULATION_SOURCE.format(table=row["table"]), POPULATION_YEAR, row["ons_code"],
            row["la_code"], names[row["la_code"]], band, int(row["value"]),
        ))
    return estimates


def write_council_seed(councils: list[CouncilRow], seed_path: Path = COUNCILS_PATH) -> None:
    with seed_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COUNCIL_SEED_COLUMNS)
        writer.writerows(council.as_row() for council in councils)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m asc_warehouse.reference.ascof_councils",
        description="Refresh seeds/ref_councils.csv and the mid-2024 populations from the "
                    "tidy extract of DHSC's ASCOF 2024-25 time series.",
    )
    parser.add_argument("reference_dir", type=Path,
                        help="folder with councils.csv and ascof_official_values.csv")
    arguments = parser.parse_args(argv)
    councils = council_rows(arguments.reference_dir)
    estimates = population_rows(arguments.reference_dir, councils)
    write_council_seed(councils)
    write_seed(estimates, SEED_PATH)
    print(f"{len(councils)} councils, {len(estimates)} mid-{POPULATION_YEAR} population rows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
