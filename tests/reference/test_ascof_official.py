"""The official ASCOF series seeds: hand-typed workbook figures, markers, the loader's checks."""

from __future__ import annotations

import csv
import filecmp
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from asc_warehouse.config import SEEDS_DIR
from asc_warehouse.reference import ascof_official, comparator_groups

SHARED_SOURCE = Path("/work/shared/reference/ascof-official")
SEEDS_WRITTEN = (
    "ascof_official_values.csv", "ascof_official_areas.csv", "ascof_official_measures.csv",
    "ascof_official_notes.csv", "ascof_comparator_groups.csv",
)

# Typed by hand from the rows of ../shared/reference/ascof-official/ascof_official_values.csv
# for la_code 820 and 821, year 2024-25 (headline rows). CLD and other count measures:
# (outcome, numerator, denominator); survey measures: (outcome, respondents, margin of error);
# 6A: outcome only. A marker string stands for the whole cell group.
KENT_2024_25: dict[str, object] = {
    "1A": ("19.4", "295", "0.5"), "1B": ("0.404", "130", "0.036"), "1C": "[z]",
    "1D": ("66.8", "320", "5.5"), "1E": "[z]",
    "2A": ("79.3", "5970", "7529"), "2B": ("14.5", "137", "947675"),
    "2C": ("514.6", "1729", "335964"), "2D(1)": "[c]", "2D(2)": "[c]",
    "2E(1)": ("83.1", "3300", "3969"), "2E(2a)": ("82.9", "6709", "8093"),
    "2E(2b)": ("66.9", "8475", "12663"),
    "3A": ("77.6", "325", "4.7"), "3B": "[z]", "3C(1)": ("68.9", "200", "6.9"), "3C(2)": "[z]",
    "3D(1a)": ("99.9", "11055", "11062"), "3D(2a)": ("24.0", "2652", "11062"),
    "4A": ("70.5", "320", "5.2"), "4B": ("88.7", "5500", "6205"),
    "5A(1)": ("49.1", "325", "5.6"), "5A(2)": "[z]", "6A": ("22.6",), "6B": ("80.6", "379", "470"),
}
MEDWAY_2024_25: dict[str, object] = {
    "1A": ("18.8", "190", "0.5"), "1B": ("0.406", "95", "0.037"), "1C": "[z]",
    "1D": ("66.6", "215", "6"), "1E": "[z]",
    "2A": ("78.3", "805", "1028"), "2B": ("19.9", "35", "175812"),
    "2C": ("576.3", "277", "48069"), "2D(1)": ("61.2", "650", "1062"),
    "2D(2)": ("11.8", "1062", "9034"),
    "2E(1)": ("83.1", "557", "670"), "2E(2a)": ("79.6", "1207", "1517"),
    "2E(2b)": ("54.7", "1265", "2312"),
    "3A": ("76.6", "220", "5.2"), "3B": "[z]", "3C(1)": ("60.3", "125", "9.2"), "3C(2)": "[z]",
    "3D(1a)": ("99.9", "2085", "2087"), "3D(2a)": ("23.4", "488", "2087"),
    "4A": ("69.5", "220", "5.4"), "4B": ("96.3", "520", "540"),
    "5A(1)": ("45.6", "215", "6.4"), "5A(2)": "[z]", "6A": ("12.5",), "6B": ("73.8", "48", "65"),
}
SURVEY_MEASURES = {"1A", "1B", "1C", "1D", "1E", "3A", "3B", "3C(1)", "3C(2)", "4A", "5A(1)",
                   "5A(2)"}


def _seed_rows(council_code: str, year: str) -> dict[str, dict[str, str]]:
    with (SEEDS_DIR / "ascof_official_values.csv").open(newline="", encoding="utf-8") as handle:
        return {
            row["measure_code"]: row for row in csv.DictReader(handle)
            if row["area_level"] == "council" and row["area_code"] == council_code
            and row["financial_year"] == year and row["breakdown"] == "Total"
        }


@pytest.mark.parametrize(("council_code", "expected"),
                         [("820", KENT_2024_25), ("821", MEDWAY_2024_25)])
def test_2024_25_official_values_match_the_workbook_for_every_measure(
    council_code: str, expected: dict[str, object],
) -> None:
    rows = _seed_rows(council_code, "2024-25")
    assert set(rows) == set(expected)
    for measure, figures in expected.items():
        row = rows[measure]
        if isinstance(figures, str):
            assert (row["outcome"], row["outcome_marker"]) == ("", figures), measure
            continue
        assert Decimal(row["outcome"]) == Decimal(figures[0]), measure  # type: ignore[index]
        assert row["outcome_marker"] == "", measure
        if len(figures) == 1:  # type: ignore[arg-type]
            continue
        kinds = ("respondents", "margin_of_error") if measure in SURVEY_MEASURES else (
            "numerator", "denominator")
        for kind, figure in zip(kinds, figures[1:], strict=True):  # type: ignore[index]
            assert Decimal(row[kind]) == Decimal(figure), (measure, kind)


def test_kent_2d_stays_suppressed_not_zero() -> None:
    row = _seed_rows("820", "2024-25")["2D(1)"]
    for kind in ("numerator", "denominator", "outcome"):
        assert row[kind] == ""
        assert row[f"{kind}_marker"] == "[c]"


def test_2d_keeps_the_stored_two_place_outcome() -> None:
    row = _seed_rows("821", "2024-25")["2D(1)"]
    assert (row["outcome"], row["outcome_stored"]) == ("61.2", "61.21")


def test_kent_and_medway_comparator_groups() -> None:
    with (SEEDS_DIR / "ascof_comparator_groups.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    kent = {row["comparator_council_code"] for row in rows if row["council_code"] == "820"}
    assert kent == {"620", "904", "812", "323", "609", "807"}
    assert {row["group_basis"] for row in rows if row["council_code"] == "820"} == {"council plan"}
    medway = [row for row in rows if row["council_code"] == "821"]
    assert len(medway) == comparator_groups.NEIGHBOURS
    assert {row["group_basis"] for row in medway} == {comparator_groups.FALLBACK_BASIS}


@pytest.mark.skipif(not SHARED_SOURCE.is_dir(), reason="shared workbook extract not present")
def test_refresh_from_the_workbook_reproduces_the_committed_seeds(tmp_path: Path) -> None:
    shutil.copy(SEEDS_DIR / comparator_groups.PLAN_LISTS_FILE, tmp_path)
    ascof_official.refresh(SHARED_SOURCE, tmp_path)
    for name in SEEDS_WRITTEN:
        assert filecmp.cmp(tmp_path / name, SEEDS_DIR / name, shallow=False), name


# --- the loader on a small hand-made workbook extract -------------------------------------

VALUES_HEADER = ",".join(ascof_official.VALUE_COLUMNS)


def _value(area_level: str, code: str, ons: str, name: str, kind: str, value: str = "",
           marker: str = "", measure: str = "2A", year: str = "2024-25") -> str:
    return (f"Table_{measure},{measure},,,{area_level},{code},{ons},{name},{year},{kind},"
            f"{value},{marker},,")


def _source(tmp_path: Path, value_lines: list[str]) -> Path:
    source = tmp_path / "source"
    source.mkdir()
    (source / ascof_official.VALUES_FILE).write_text(
        "\n".join([VALUES_HEADER, *value_lines]) + "\n", encoding="utf-8")
    (source / ascof_official.MEASURES_FILE).write_text(
        ",".join(ascof_official.SEED_MEASURE_COLUMNS) + "\n2A,2D,2D,Reablement,CLD,2024-25,"
        "Table 2a,n,d,o\n", encoding="utf-8")
    (source / ascof_official.COUNCILS_FILE).write_text(
        "cassr_code,ons_code,name,region,in_2024_25_cld_tables,first_year_with_data,"
        "last_year_with_data,n_tables,note\n"
        "820,E10000016,Kent,,yes,2015-16,2024-25,25,\n"
        "821,E06000035,Medway Towns,,yes,2015-16,2024-25,25,\n"
        "809,E10000009,Dorset County,,no,2015-16,2024-25,15,\n"
        "809,E06000059,Dorset,,yes,2019-20,2024-25,25,\n", encoding="utf-8")
    (source / ascof_official.NOTES_FILE).write_text(
        ",".join(ascof_official.SEED_NOTE_COLUMNS) + "\n", encoding="utf-8")
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / comparator_groups.PLAN_LISTS_FILE).write_text(
        ",".join(comparator_groups.PLAN_LIST_COLUMNS) + "\n", encoding="utf-8")
    return source


def _written(tmp_path: Path, name: str) -> list[dict[str, str]]:
    with (tmp_path / "seeds" / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_markers_stay_markers_and_dorset_is_one_council(tmp_path: Path) -> None:
    source = _source(tmp_path, [
        _value("council", "820", "E10000016", "Kent", "numerator", marker="[c]"),
        _value("council", "820", "E10000016", "Kent", "outcome", marker="[c]"),
        _value("council", "809", "E10000009", "Dorset County", "outcome", marker="[x]"),
        _value("council", "809", "E06000059", "Dorset", "outcome", value="80.5"),
    ])
    ascof_official.refresh(source, tmp_path / "seeds")
    rows = {row["area_code"]: row for row in _written(tmp_path, "ascof_official_values.csv")}
    assert (rows["820"]["numerator"], rows["820"]["numerator_marker"]) == ("", "[c]")
    assert (rows["820"]["outcome"], rows["820"]["outcome_marker"]) == ("", "[c]")
    assert (rows["809"]["outcome"], rows["809"]["outcome_marker"]) == ("80.5", "")
    areas = [row for row in _written(tmp_path, "ascof_official_areas.csv")
             if row["area_code"] == "809"]
    assert [(row["ons_code"], row["first_year_with_data"]) for row in areas] == [
        ("E06000059", "2015-16")]


def test_two_different_values_for_one_cell_name_file_row_and_field(tmp_path: Path) -> None:
    source = _source(tmp_path, [
        _value("council", "809", "E10000009", "Dorset County", "outcome", value="80.5"),
        _value("council", "809", "E06000059", "Dorset", "outcome", value="80.6"),
    ])
    with pytest.raises(ascof_official.OfficialSeriesError,
                       match=r"ascof_official_values.csv, row 3, field value: area 809"):
        ascof_official.refresh(source, tmp_path / "seeds")


@pytest.mark.parametrize(("line", "message"), [
    (_value("council", "820", "E10000016", "Kent", "outcome", value="1", marker="[c]"),
     "row 2, fields value/marker"),
    (_value("council", "820", "E10000016", "Kent", "outcome", marker="[u]"),
     "row 2, field marker"),
    (_value("council", "820", "E10000016", "Kent", "outcome", value="n/a"),
     "row 2, field value: not a number"),
])
def test_bad_cells_are_refused_with_row_and_field(
    tmp_path: Path, line: str, message: str,
) -> None:
    with pytest.raises(ascof_official.OfficialSeriesError, match=message):
        ascof_official.refresh(_source(tmp_path, [line]), tmp_path / "seeds")


def test_a_missing_column_is_named(tmp_path: Path) -> None:
    source = _source(tmp_path, [])
    (source / ascof_official.VALUES_FILE).write_text("table,measure_code\n", encoding="utf-8")
    with pytest.raises(ascof_official.OfficialSeriesError, match="header lacks legacy_code"):
        ascof_official.refresh(source, tmp_path / "seeds")


@pytest.mark.parametrize(("region_numerator", "passes"), [("100", True), ("110", False)])
def test_region_totals_must_add_up_from_the_councils(
    tmp_path: Path, region_numerator: str, passes: bool,
) -> None:
    """Kent (60) and Medway (40) are South East: the region's published 100 must be their sum."""
    source = _source(tmp_path, [
        _value("region", "SE", "E12000008", "South East", "numerator", value=region_numerator),
        _value("council", "820", "E10000016", "Kent", "numerator", value="60"),
        _value("council", "821", "E06000035", "Medway Towns", "numerator", value="40"),
    ])
    if passes:
        ascof_official.refresh(source, tmp_path / "seeds")
    else:
        with pytest.raises(ascof_official.OfficialSeriesError,
                           match="region SE 2A 2024-25 numerator: published 110"):
            ascof_official.refresh(source, tmp_path / "seeds")


def test_fallback_comparators_are_the_nearest_in_adult_population_of_the_same_type() -> None:
    """Medway 300 adults; unitaries at 290, 310 (tie: lower code first), 320, 250, 400, 500,
    900; a shire county at 301 is never chosen. Nearest six: 290 (10), 310 (10), 320 (20),
    250 (50), 400 (100), 500 (200)."""
    populations = {"821": 300, "101": 290, "102": 310, "103": 320, "104": 250, "105": 400,
                   "106": 500, "107": 900, "820": 301}
    groups = []
    for code, adults in populations.items():
        for measure, share in (("2B", adults - 100), ("2C", 100)):
            groups.append({"area_level": "council", "breakdown": "Total", "measure_code": measure,
                           "financial_year": "2024-25", "area_code": code,
                           "denominator": str(share)})
    areas = [{"area_level": "council", "area_code": code,
              "council_type_code": "S" if code == "820" else "U"} for code in populations]
    rows = comparator_groups.build(groups, areas, plan_lists=[])
    medway = [(row["comparator_rank"], row["comparator_council_code"])
              for row in rows if row["council_code"] == "821"]
    assert medway == [("1", "101"), ("2", "102"), ("3", "103"), ("4", "104"), ("5", "105"),
                      ("6", "106")]
