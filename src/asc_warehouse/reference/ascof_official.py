"""Refresh the official ASCOF series seeds from DHSC's workbook in long form.

Usage::

    python -m asc_warehouse.reference.ascof_official SOURCE_DIR [--seeds DIR]

``SOURCE_DIR`` holds the workbook extracted to long form, as in
``../shared/reference/ascof-official/`` (its README describes the layout):
``ascof_official_values.csv``, ``measures.csv``, ``councils.csv`` and
``ascof_official_notes.csv``. Next year's workbook, extracted in the same layout, refreshes the
seeds by running this again: every year in the workbook is rewritten, since DHSC revises past
years in each release.

Written (all under ``seeds/``):

- ``ascof_official_values.csv``: one row per measure, breakdown, area and financial year, with
  each value kind (numerator, denominator, outcome, respondents, margin of error) in its own
  column beside a marker column. A cell marked ``[c]``, ``[x]`` or ``[z]`` keeps its marker and
  an empty value, never a zero.
- ``ascof_official_areas.csv``: England, regions, council types and councils with their CASSR and
  ONS codes, and each council's region and council type (see ``geography`` below).
- ``ascof_official_measures.csv`` and ``ascof_official_notes.csv``: the measure definitions and
  the workbook's notes.
- ``ascof_comparator_groups.csv``: each council's comparator councils (see
  ``asc_warehouse.reference.comparator_groups``).

The workbook gives no region or council type per council. They are assigned by
``asc_warehouse.reference.council_geography`` and checked here against the workbook itself:
the councils' counts must add up to their region's and council type's published counts.
"""

from __future__ import annotations

import argparse
import csv
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from asc_warehouse.config import SEEDS_DIR
from asc_warehouse.reference import comparator_groups, council_geography

VALUES_FILE = "ascof_official_values.csv"
MEASURES_FILE = "measures.csv"
COUNCILS_FILE = "councils.csv"
NOTES_FILE = "ascof_official_notes.csv"

VALUE_COLUMNS = (
    "table", "measure_code", "legacy_code", "breakdown", "area_level", "la_code", "ons_code",
    "area_name", "year", "value_kind", "value", "marker", "value_bracketed", "value_stored",
)
VALUE_KINDS = ("numerator", "denominator", "outcome", "respondents", "margin_of_error")
MARKERS = {"[c]", "[x]", "[z]"}
AREA_LEVELS = {"england", "region", "council_type", "council", "council_combined"}
HEADLINE_BREAKDOWN = "Total"
# The workbook marks an unavailable "original eligible population" figure with a colon.
NOT_AVAILABLE = ":"

SEED_VALUE_COLUMNS = (
    "measure_code", "breakdown", "area_level", "area_code", "financial_year",
    "numerator", "numerator_marker", "denominator", "denominator_marker",
    "outcome", "outcome_marker", "outcome_stored", "outcome_original_population",
    "respondents", "respondents_marker", "margin_of_error", "margin_of_error_marker",
)
SEED_AREA_COLUMNS = (
    "area_level", "area_code", "ons_code", "area_name", "region_code", "council_type_code",
    "first_year_with_data", "last_year_with_data", "geography_basis", "note",
)
SEED_MEASURE_COLUMNS = (
    "measure_code", "legacy_code", "legacy_code_contents", "measure_name", "data_source",
    "start_year", "table_title", "numerator_definition", "denominator_definition",
    "outcome_definition",
)
SEED_NOTE_COLUMNS = (
    "source_sheet", "note_number", "note_label", "measure_code", "legacy_code", "year_of_change",
    "text", "link_text",
)


class OfficialSeriesError(ValueError):
    """The source files are not in the expected long layout or contradict themselves."""


@dataclass
class CellGroup:
    """The value kinds of one measure, breakdown, area and year, filled as rows are read."""

    measure_code: str
    breakdown: str
    area_level: str
    area_code: str
    financial_year: str
    cells: dict[str, tuple[str, str]] = field(default_factory=dict)
    outcome_stored: str = ""
    outcome_original_population: str = ""

    def as_row(self) -> dict[str, str]:
        row = {
            "measure_code": self.measure_code, "breakdown": self.breakdown,
            "area_level": self.area_level, "area_code": self.area_code,
            "financial_year": self.financial_year,
            "outcome_stored": self.outcome_stored,
            "outcome_original_population": self.outcome_original_population,
        }
        for kind in VALUE_KINDS:
            value, marker = self.cells.get(kind, ("", ""))
            row[kind] = value
            row[f"{kind}_marker"] = marker
        return row


def read_csv(path: Path, required: Iterable[str]) -> list[dict[str, str]]:
    """Rows of a CSV whose header holds every required column (named in the error if not)."""
    if not path.is_file():
        raise OfficialSeriesError(f"{path}: file not found")
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [name for name in required if name not in (reader.fieldnames or [])]
        if missing:
            raise OfficialSeriesError(f"{path}: header lacks {', '.join(missing)}")
        return list(reader)


def _checked_cell(path: Path, line: int, row: dict[str, str]) -> tuple[str, str]:
    value, marker = row["value"].strip(), row["marker"].strip()
    if row["value_kind"] not in VALUE_KINDS:
        raise OfficialSeriesError(f"{path}, row {line}, field value_kind: unknown value kind")
    if row["area_level"] not in AREA_LEVELS:
        raise OfficialSeriesError(f"{path}, row {line}, field area_level: unknown area level")
    if marker and marker not in MARKERS:
        raise OfficialSeriesError(f"{path}, row {line}, field marker: not one of [c] [x] [z]")
    if bool(value) == bool(marker):
        raise OfficialSeriesError(
            f"{path}, row {line}, fields value/marker: exactly one of them must be filled"
        )
    if value:
        try:
            float(value)
        except ValueError:
            raise OfficialSeriesError(f"{path}, row {line}, field value: not a number") from None
    return value, marker


def _merge_cell(
    group: CellGroup, kind: str, cell: tuple[str, str], path: Path, line: int,
) -> None:
    """Keep one cell per value kind; a second row for the same cell must not contradict it.

    Dorset is written twice under CASSR code 809 (as "Dorset County" E10000009 and "Dorset"
    E06000059; README item 2): one row is numeric where the other is a marker, or both agree.
    """
    previous = group.cells.get(kind)
    if previous is None or (not previous[0] and cell[0]):
        group.cells[kind] = cell
    elif cell[0] and previous[0] != cell[0]:
        raise OfficialSeriesError(
            f"{path}, row {line}, field value: area {group.area_code} has two different "
            f"{kind} values for {group.measure_code} {group.financial_year}"
        )


def read_values(path: Path) -> list[CellGroup]:
    """The long values file folded to one group per measure, breakdown, area and year."""
    groups: dict[tuple[str, str, str, str, str], CellGroup] = {}
    for line, row in enumerate(read_csv(path, VALUE_COLUMNS), start=2):
        cell = _checked_cell(path, line, row)
        level = row["area_level"]
        # The one combined area (Cornwall and Isles of Scilly, Table 6a) has no code.
        code = row["la_code"].strip() or row["area_name"].strip()
        key = (row["measure_code"], row["breakdown"].strip() or HEADLINE_BREAKDOWN, level, code,
               row["year"])
        group = groups.setdefault(key, CellGroup(*key))
        _merge_cell(group, row["value_kind"], cell, path, line)
        if row["value_kind"] == "outcome":
            if row["value_stored"].strip():
                group.outcome_stored = row["value_stored"].strip()
            bracketed = row["value_bracketed"].strip()
            if bracketed and bracketed != NOT_AVAILABLE:
                group.outcome_original_population = bracketed
    return list(groups.values())


def area_rows(values_path: Path, councils_path: Path) -> list[dict[str, str]]:
    """Every area of the workbook, councils with their region and council type."""
    names: dict[tuple[str, str], tuple[str, str]] = {}
    for row in read_csv(values_path, VALUE_COLUMNS):
        if row["area_level"] != "council":
            code = row["la_code"].strip() or row["area_name"].strip()
            names.setdefault((row["area_level"], code), (row["ons_code"], row["area_name"]))
    rows = [
        {"area_level": level, "area_code": code, "ons_code": ons,
         "area_name": council_geography.area_name(level, code, name),
         "region_code": "", "council_type_code": "", "first_year_with_data": "",
         "last_year_with_data": "", "geography_basis": "", "note": ""}
        for (level, code), (ons, name) in sorted(names.items())
    ]
    councils = read_csv(councils_path, ("cassr_code", "ons_code", "name", "first_year_with_data",
                                        "last_year_with_data", "note"))
    for council in council_geography.current_identities(councils):
        geography = council_geography.assign(council["cassr_code"], council["ons_code"])
        rows.append({
            "area_level": "council", "area_code": council["cassr_code"],
            "ons_code": council["ons_code"], "area_name": council["name"],
            "region_code": geography.region_code,
            "council_type_code": geography.council_type_code,
            "first_year_with_data": council["first_year_with_data"],
            "last_year_with_data": council["last_year_with_data"],
            "geography_basis": geography.basis, "note": council["note"],
        })
    return rows


def check_geography(groups: list[CellGroup], areas: list[dict[str, str]]) -> None:
    """The councils' counts add up to each region's and council type's published counts.

    Aggregate counts are rounded to 5 (note 10) and suppressed councils ([c]) are missing from
    the sum, so a group passes when the aggregate is within 2.5 of the sum, or, if any council
    of the group is suppressed, at least the sum less 2.5.
    """
    membership = {
        area["area_code"]: {"region": area["region_code"],
                            "council_type": area["council_type_code"]}
        for area in areas if area["area_level"] == "council"
    }
    sums: dict[tuple[str, str, str, str, str], float] = defaultdict(float)
    suppressed: set[tuple[str, str, str, str, str]] = set()
    published: dict[tuple[str, str, str, str, str], float] = {}
    for group in groups:
        if group.breakdown != HEADLINE_BREAKDOWN or group.measure_code not in (
            council_geography.CHECKED_MEASURES
        ):
            continue
        for kind in ("numerator", "denominator"):
            value, marker = group.cells.get(kind, ("", ""))
            if group.area_level in ("region", "council_type") and value:
                published[(group.measure_code, group.financial_year, kind, group.area_level,
                           group.area_code)] = float(value)
            if group.area_level == "council" and group.area_code in membership:
                for level, code in membership[group.area_code].items():
                    key = (group.measure_code, group.financial_year, kind, level, code)
                    sums[key] += float(value) if value else 0.0
                    if marker == "[c]":
                        suppressed.add(key)
    failures = []
    for key, aggregate in sorted(published.items()):
        total = sums.get(key, 0.0)
        tolerance = council_geography.AGGREGATE_ROUNDING / 2
        within = (aggregate >= total - tolerance if key in suppressed
                  else abs(aggregate - total) <= tolerance)
        if not within:
            failures.append(f"{key[3]} {key[4]} {key[0]} {key[1]} {key[2]}: "
                            f"published {aggregate:g}, councils add up to {total:g}")
    if failures:
        raise OfficialSeriesError(
            "council region/type assignment disagrees with the workbook's aggregates: "
            + "; ".join(failures[:10])
        )


def _write(path: Path, columns: Iterable[str], rows: Iterable[dict[str, str]]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), extrasaction="ignore",
                                lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def _sorted_value_rows(groups: list[CellGroup]) -> Iterator[dict[str, str]]:
    for group in sorted(groups, key=lambda g: (g.measure_code, g.breakdown, g.area_level,
                                               g.area_code, g.financial_year)):
        yield group.as_row()


def refresh(source_dir: Path, seeds_dir: Path = SEEDS_DIR) -> dict[str, int]:
    """Rewrite the official-series seeds from source_dir; returns rows written per seed."""
    values_path = source_dir / VALUES_FILE
    groups = read_values(values_path)
    areas = area_rows(values_path, source_dir / COUNCILS_FILE)
    check_geography(groups, areas)
    measures = read_csv(source_dir / MEASURES_FILE, SEED_MEASURE_COLUMNS)
    notes = read_csv(source_dir / NOTES_FILE, SEED_NOTE_COLUMNS)
    comparators = comparator_groups.build(
        groups=[group.as_row() for group in groups], areas=areas,
        plan_lists=read_csv(seeds_dir / comparator_groups.PLAN_LISTS_FILE,
                            comparator_groups.PLAN_LIST_COLUMNS),
    )
    return {
        "ascof_official_values": _write(seeds_dir / "ascof_official_values.csv",
                                        SEED_VALUE_COLUMNS, _sorted_value_rows(groups)),
        "ascof_official_areas": _write(seeds_dir / "ascof_official_areas.csv",
                                       SEED_AREA_COLUMNS, areas),
        "ascof_official_measures": _write(seeds_dir / "ascof_official_measures.csv",
                                          SEED_MEASURE_COLUMNS, measures),
        "ascof_official_notes": _write(seeds_dir / "ascof_official_notes.csv",
                                       SEED_NOTE_COLUMNS, notes),
        "ascof_comparator_groups": _write(seeds_dir / "ascof_comparator_groups.csv",
                                          comparator_groups.SEED_COLUMNS, comparators),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source_dir", type=Path, help="folder holding the workbook in long form")
    parser.add_argument("--seeds", type=Path, default=SEEDS_DIR, help="seed folder to write")
    arguments = parser.parse_args(argv)
    for seed, rows in refresh(arguments.source_dir, arguments.seeds).items():
        print(f"{seed}: {rows} rows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
