"""Refresh ``seeds/ons_population_estimates.csv`` (the ASCOF 2B/2C denominators) from an ONS file.

Usage::

    python -m asc_warehouse.reference.ons_population INPUT.csv --year 2024 \
        --source "URL or citation"

The input holds ONS mid-year population estimates by single year of age. Two CSV layouts are
read, recognised by their header row (any title lines above it are skipped):

1. Nomis dataset NM_2002_1, "Population estimates - local authority based by single year of
   age", as downloaded from Nomis or its API (``.../NM_2002_1.data.csv?...``): one row per area,
   year, sex and age. Required columns: ``GEOGRAPHY_CODE``, ``C_AGE_NAME`` and ``OBS_VALUE``.
   Used when present: ``GEOGRAPHY_NAME``; ``DATE_NAME`` (rows of other years are ignored);
   ``GENDER_NAME`` (only ``Total`` or ``All persons`` rows are used) or else ``GENDER`` (only
   ``0``); ``MEASURES_NAME`` (only ``Value`` rows). Ages are ``C_AGE_NAME`` values
   ``Age 0`` ... ``Age 89`` and ``Aged 90+``; other values (``All Ages``, age groups) are ignored.
2. The ONS "MYE2 - Persons" table of the mid-year estimates workbook (for example
   ``mye24tablesew.xlsx``) saved as CSV: a header row ``Code,Name,Geography,All ages,0,1,...,90``,
   where column ``90`` is 90 and over, then one row per area, for the year given with ``--year``.

Areas are matched on their ONS code to the councils in ``seeds/ref_councils.csv`` (or
``--councils``, a CSV with ``ons_code,council_code,council_name``); other areas are skipped. The
single years are summed into the bands of ``seeds/ref_age_bands.csv``, 90 and over counting as
90; every single year of a band must be present. Rows already in the seed for the same year and
council are replaced, others are kept, so several years and councils can be held at once.
"""

from __future__ import annotations

import argparse
import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import astuple, dataclass
from pathlib import Path

from asc_warehouse.config import SEEDS_DIR

SEED_PATH = SEEDS_DIR / "ons_population_estimates.csv"
COUNCILS_PATH = SEEDS_DIR / "ref_councils.csv"
AGE_BANDS_PATH = SEEDS_DIR / "ref_age_bands.csv"
SEED_COLUMNS = (
    "source", "estimate_year", "ons_code", "council_code", "council_name", "age_band", "population",
)

# ONS publishes single years to 89 and one open-ended group "90 and over".
OLDEST_SINGLE_AGE = 90
NOMIS_PERSONS = {"total", "all persons", "persons"}
NOMIS_AGE = re.compile(r"^Age (\d+)$")
NOMIS_OPEN_AGE = re.compile(rf"^Aged? {OLDEST_SINGLE_AGE}\+$")


class PopulationFileError(ValueError):
    """The input file is not a supported layout or does not give complete counts."""


@dataclass(frozen=True)
class PopulationEstimate:
    """One row of the seed."""

    source: str
    estimate_year: int
    ons_code: str
    council_code: str
    council_name: str
    age_band: str
    population: int


@dataclass(frozen=True)
class AgeBand:
    name: str
    min_age: int
    max_age: int | None

    def ages(self) -> range:
        return range(self.min_age, (self.max_age or OLDEST_SINGLE_AGE) + 1)


def read_age_bands(path: Path = AGE_BANDS_PATH) -> list[AgeBand]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [
            AgeBand(row["age_band"], int(row["min_age"]),
                    int(row["max_age"]) if row["max_age"] else None)
            for row in csv.DictReader(handle)
        ]


def read_councils(path: Path = COUNCILS_PATH) -> dict[str, tuple[str, str]]:
    """ONS code -> (CASSR council code, council name)."""
    with path.open(newline="", encoding="utf-8") as handle:
        return {
            row["ons_code"]: (row["council_code"], row["council_name"])
            for row in csv.DictReader(handle)
        }


def _count(text: str, where: str) -> int:
    cleaned = text.replace(",", "").strip()
    if not cleaned.isdigit():
        raise PopulationFileError(f"{where}: {text!r} is not a whole number of people")
    return int(cleaned)


def _nomis_age(label: str) -> int | None:
    if match := NOMIS_AGE.match(label.strip()):
        return int(match.group(1))
    if NOMIS_OPEN_AGE.match(label.strip()):
        return OLDEST_SINGLE_AGE
    return None


class SingleYearCounts:
    """Single-year counts per area, refusing the same area and age twice."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.by_age: dict[str, dict[int, int]] = {}

    def add(self, code: str, name: str, age: int, count: int, where: str) -> None:
        ages = self.by_age.setdefault(code, {})
        if age in ages:
            raise PopulationFileError(f"{where}: a second count for {code} at age {age}")
        self.names.setdefault(code, name)
        ages[age] = count


def _rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        yield from enumerate(csv.reader(handle), start=1)


def _read_nomis(rows: Iterable[tuple[int, list[str]]], header: list[str], year: int,
                path: Path) -> SingleYearCounts:
    column = {name.strip().upper(): index for index, name in enumerate(header)}
    missing = {"GEOGRAPHY_CODE", "C_AGE_NAME", "OBS_VALUE"} - column.keys()
    if missing:
        raise PopulationFileError(f"{path.name}: Nomis file without {', '.join(sorted(missing))}")

    def cell(row: list[str], name: str) -> str | None:
        return row[column[name]].strip() if name in column else None

    counts = SingleYearCounts()
    for number, row in rows:
        if not any(row):
            continue
        date = cell(row, "DATE_NAME")
        gender = cell(row, "GENDER_NAME")
        measure = cell(row, "MEASURES_NAME")
        age = _nomis_age(cell(row, "C_AGE_NAME") or "")
        if (
            age is None
            or (date is not None and str(year) not in date)
            or (gender is not None and gender.lower() not in NOMIS_PERSONS)
            or (gender is None and cell(row, "GENDER") not in (None, "0"))
            or (measure is not None and measure.lower() != "value")
        ):
            continue
        code = cell(row, "GEOGRAPHY_CODE") or ""
        counts.add(code, cell(row, "GEOGRAPHY_NAME") or code, age,
                   _count(cell(row, "OBS_VALUE") or "", f"{path.name} row {number}"),
                   f"{path.name} row {number}")
    return counts


def _read_mye2(rows: Iterable[tuple[int, list[str]]], header: list[str],
               path: Path) -> SingleYearCounts:
    age_columns = {
        index: int(name) for index, name in enumerate(header) if name.strip().isdigit()
    }
    width = max(age_columns) + 1
    counts = SingleYearCounts()
    for number, row in rows:
        # Blank lines and notes below the table do not fill a row.
        if len(row) < width or not row[0].strip():
            continue
        where = f"{path.name} row {number}"
        for index, age in age_columns.items():
            counts.add(row[0].strip(), row[1].strip(), age, _count(row[index], where), where)
    return counts


def read_single_year_counts(path: Path, year: int) -> SingleYearCounts:
    """Read single-year-of-age counts for persons in ``year``, by ONS area code."""
    rows = _rows(path)
    for _, header in rows:
        names = [name.strip() for name in header]
        if "GEOGRAPHY_CODE" in (name.upper() for name in names):
            return _read_nomis(rows, header, year, path)
        if names[:1] == ["Code"] and "All ages" in names:
            return _read_mye2(rows, header, path)
    raise PopulationFileError(
        f"{path.name}: no header row of a Nomis NM_2002_1 file (GEOGRAPHY_CODE, C_AGE_NAME, "
        "OBS_VALUE) or an ONS MYE2 table (Code, Name, Geography, All ages, 0 ... 90)"
    )


def population_estimates(
    path: Path,
    year: int,
    source: str,
    councils: dict[str, tuple[str, str]],
    age_bands: list[AgeBand],
) -> list[PopulationEstimate]:
    """The seed rows for every council of ``councils`` found in the file."""
    counts = read_single_year_counts(path, year)
    estimates = []
    for ons_code, (council_code, council_name) in sorted(councils.items()):
        ages = counts.by_age.get(ons_code)
        if ages is None:
            continue
        for band in age_bands:
            missing = [age for age in band.ages() if age not in ages]
            if missing:
                raise PopulationFileError(
                    f"{path.name}: {council_name} ({ons_code}) has no count for age "
                    f"{', '.join(map(str, missing))} of band {band.name} in {year}"
                )
            estimates.append(PopulationEstimate(
                source, year, ons_code, council_code, council_name, band.name,
                sum(ages[age] for age in band.ages()),
            ))
    if not estimates:
        raise PopulationFileError(
            f"{path.name}: no persons counts for {year} for any council of "
            f"{', '.join(sorted(councils))}"
        )
    return estimates


def write_seed(estimates: list[PopulationEstimate], seed_path: Path = SEED_PATH) -> None:
    """Write the seed, replacing rows of the same year and council and keeping the others."""
    replaced = {(estimate.estimate_year, estimate.council_code) for estimate in estimates}
    kept = []
    if seed_path.exists():
        with seed_path.open(newline="", encoding="utf-8") as handle:
            kept = [
                PopulationEstimate(**{**row, "estimate_year": int(row["estimate_year"]),
                                      "population": int(row["population"])})
                for row in csv.DictReader(handle)
                if (int(row["estimate_year"]), row["council_code"]) not in replaced
            ]
    rows = sorted(kept + estimates,
                  key=lambda estimate: (estimate.estimate_year, estimate.council_code,
                                        estimate.age_band))
    with seed_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(SEED_COLUMNS)
        writer.writerows(astuple(row) for row in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m asc_warehouse.reference.ons_population",
        description="Refresh seeds/ons_population_estimates.csv from an ONS mid-year estimate "
                    "CSV (Nomis NM_2002_1 or the ONS MYE2 persons table).",
    )
    parser.add_argument("input", type=Path, help="the ONS or Nomis CSV file")
    parser.add_argument("--year", type=int, required=True,
                        help="the estimate year (population at 30 June of that year)")
    parser.add_argument("--source", required=True,
                        help="where the file came from (URL, or repository@commit:path)")
    parser.add_argument("--output", type=Path, default=SEED_PATH, help="the seed to write")
    parser.add_argument("--councils", type=Path, default=COUNCILS_PATH,
                        help="CSV of ons_code,council_code,council_name (default: the councils "
                             "in seeds/ref_councils.csv)")
    arguments = parser.parse_args(argv)
    try:
        estimates = population_estimates(
            arguments.input, arguments.year, arguments.source,
            read_councils(arguments.councils), read_age_bands(),
        )
    except PopulationFileError as error:
        parser.exit(1, f"error: {error}\n")
    write_seed(estimates, arguments.output)
    for estimate in estimates:
        print(f"mid-{estimate.estimate_year} {estimate.council_name} ({estimate.council_code}) "
              f"{estimate.age_band}: {estimate.population:,}")
    print(f"wrote {arguments.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
