"""seeds/kpi_catalogue.csv and seeds/kpi_lineage.csv against values typed from the documents.

The expected values below were typed by hand from the source documents (S001 section K Tables 7
and 8, lines 653-707; S003 lines 164-225; S002 lines 99 and 183-185), not copied from the seed.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from asc_warehouse.config import SEEDS_DIR

SOURCE_DOCUMENTS = Path("/work/shared/seed-documents")
SOURCE_FILES = {
    "S001": "001_1abb0598ca4abacc.txt",
    "S002": "002_6d9ca028eb4dbb17.txt",
    "S003": "003_334c6e019b84d592.txt",
}

# S001 Table 7: ref -> (2017-18 outturn, 2018-19 target or baseline, outturn marked "FY",
# row marked "*"). None = "Placeholder" (or a blank target beside a placeholder outturn).
KENT_KPI: dict[str, tuple[float | None, float | None, bool, bool]] = {
    "AH D01": (87, 80, False, False),
    "AH D02": (13, 20, False, False),
    "AH D03": (None, None, False, False),
    "AH D04": (11548, 11315, True, False),
    "AH D05": (60, 60, False, False),
    "AH O06": (25, 15, False, False),
    "AH O07": (126, 126, True, False),
    "AH O08": (None, None, False, False),
    "AH O09": (None, None, False, False),
    "AH O10": (57, 75, False, False),
    "AH O11": (68, 75, False, False),
    "AH O12": (None, None, False, False),
    "AH O13": (88, 75, False, False),
    "AH O14": (74, 75, False, False),
    "AH O15": (19.1, 17.0, False, False),
    "AH O16": (None, None, False, False),
    "AH H17": (53973, 41730, True, False),
    "AH H18": (29.8, 30.0, False, False),
    "AH H19": (None, None, False, False),
    "AH H20": (None, None, False, False),
    "AH S21": (10319, 10348, True, True),
    "AH S22": (5812, 5831, True, True),
    "AH S23": (None, None, False, False),
    "AH S24": (None, None, False, False),
    "AH S25": (4834, 5533, True, True),
}
# S001 Table 8, same layout.
KENT_ACTIVITY: dict[str, tuple[float | None, float | None, bool, bool]] = {
    "AH01": (47587, 40450, True, True),
    "AH02": (4208, 4434, False, False),
    "AH03": (10.44, 11.00, False, False),
    "AH04": (9.86, 10.00, False, False),
    "AH05": (2404, 2288, False, False),
    "AH06": (1065, 1052, False, False),
    "AH07": (7065, 7100, False, False),
    "AH08": (1036, 965, False, False),
    "AH09": (1512, 1607, False, False),
    "AH10": (813, 852, False, False),
    "AH11": (54, 56, False, False),
    "AH12": (759, 796, False, False),
    "AH13": (33, 33, False, False),
    "AH14": (304, 292, False, False),
    "AH15": (36, 36, False, False),
    "AH16": (268, 256, False, False),
    "AH17": (310, 298, False, False),
    "AH18": (13, 25, False, False),
    "AH19": (297, 273, False, False),
    "AH20": (146, 110, False, False),
    "AH21": (3, 3, False, False),
    "AH22": (143, 107, False, False),
    "AH23": (None, None, False, False),
    "AH24": (None, None, False, False),
}
# S003 L166-170: ref -> (Actual 2005/06, Actual 2006/07, Target 2007/08); Target 2009/10 is N/A.
PAF = {
    "PAF C72": (73, 72, 71),
    "PAF C28": (11, 11, 11),
    "PAF C32": (75, 75, 76),
    "PAF D40": (85, 86, 88),
    "PAF D39": (98, 98, 99),
}
# S003 L178-183: CSCI banding of the 21 comparable indicators, (2005/06, 2006/07).
BANDING = {
    "CSCI BAND 1": (0, 0),
    "CSCI BAND 2": (3, 2),
    "CSCI BAND 3": (4, 4),
    "CSCI BAND 4": (6, 6),
    "CSCI BAND 5": (7, 8),
    "CSCI NOT BANDED": (1, 1),
}
# S003 L223-224: Kent's comparator values, end March 07.
COMPARATORS = {"KASS-CMP-LD": 3.2, "KASS-CMP-PD": 5.4}
# S002 L99, L183, L185: the Medway figures (MED-F02, the £68m net spend, is finance, not a KPI).
MEDWAY_FIGURES = {
    "MED-F01": 3600, "MED-F03": 1135, "MED-F04": 300, "MED-F05": 30, "MED-F06": 232,
    "MED-F07": 470, "MED-F08": 1486, "MED-F09": 2619, "MED-F10": 1390, "MED-F11": 608,
    "MED-F12": 216, "MED-F13": 200, "MED-F14": 2500, "MED-F15": 1564, "MED-F16": 699,
}
# S003 L239-259: the National Indicators the plan lists (no values or targets given).
NATIONAL_INDICATORS = {125, 141, 127, 130, 132, 133, 136, 145, 146, 135, 139, 124, 131, 149,
                       150, 128, 142}


def _read(name: str) -> list[dict[str, str]]:
    with (SEEDS_DIR / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def catalogue() -> dict[str, dict[str, str]]:
    rows = _read("kpi_catalogue.csv")
    by_ref = {row["kpi_ref"]: row for row in rows}
    assert len(by_ref) == len(rows), "kpi_ref is not unique"
    return by_ref


def _number(cell: str) -> float | None:
    return None if cell == "" else float(cell)


def _regime(catalogue: dict[str, dict[str, str]], regime: str) -> dict[str, dict[str, str]]:
    return {ref: row for ref, row in catalogue.items() if row["regime"] == regime}


def test_the_kent_2018_19_regimes_hold_exactly_the_49_references(catalogue: dict) -> None:
    assert set(_regime(catalogue, "kent_2018_19_kpi")) == set(KENT_KPI)
    assert set(_regime(catalogue, "kent_2018_19_activity")) == set(KENT_ACTIVITY)
    assert (len(KENT_KPI), len(KENT_ACTIVITY)) == (25, 24)


@pytest.mark.parametrize("ref", [*KENT_KPI, *KENT_ACTIVITY])
def test_kent_2018_19_values_are_the_documents(catalogue: dict, ref: str) -> None:
    outturn, target, full_year, baseline = {**KENT_KPI, **KENT_ACTIVITY}[ref]
    row = catalogue[ref]
    assert _number(row["outturn_value"]) == outturn
    assert _number(row["target_value"]) == target
    assert row["status"] == ("placeholder" if outturn is None else "value")
    assert (row["frequency"] == "full_year") == full_year
    expected_kind = "none" if target is None else "baseline" if baseline else "target"
    assert row["target_kind"] == expected_kind
    assert row["outturn_period"] == ("" if outturn is None else "2017-18")
    assert row["target_period"] == ("" if target is None else "2018-19")
    assert row["council_code"] == "820" and row["source_document"] == "001"


def _pair(catalogue: dict, ref: str) -> tuple[float, float]:
    row = catalogue[ref]
    return float(row["outturn_value"]), float(row["target_value"])


def test_d01_and_d02_add_up_to_100_in_both_years(catalogue: dict) -> None:
    d01, d02 = _pair(catalogue, "AH D01"), _pair(catalogue, "AH D02")
    assert (d01[0] + d02[0], d01[1] + d02[1]) == (100, 100)


@pytest.mark.parametrize(("total", "primary", "secondary"), [
    ("AH10", "AH11", "AH12"), ("AH14", "AH15", "AH16"),
    ("AH17", "AH18", "AH19"), ("AH20", "AH21", "AH22"),
])
def test_mental_health_totals_are_primary_plus_secondary(
    catalogue: dict, total: str, primary: str, secondary: str
) -> None:
    for column in (0, 1):
        parts = _pair(catalogue, primary)[column] + _pair(catalogue, secondary)[column]
        assert _pair(catalogue, total)[column] == parts


def test_no_reference_loses_its_theme_letter(catalogue: dict) -> None:
    for letterless, themed in [("AH17", "AH H17"), ("AH04", "AH D04"), ("AH21", "AH S21")]:
        assert catalogue[letterless]["regime"] == "kent_2018_19_activity"
        assert catalogue[themed]["regime"] == "kent_2018_19_kpi"
        assert catalogue[letterless]["description"] != catalogue[themed]["description"]
    assert catalogue["AH H17"]["description"] == "Delayed transfers of care"
    themes = {"D": "DEMAND", "O": "ONGOING", "H": "HEALTH", "S": "SAFEGUARDING"}
    for ref in KENT_KPI:
        assert re.fullmatch(r"AH [DOHS]\d{2}", ref)
        assert catalogue[ref]["theme"] == themes[ref[3]]
    assert not any(re.search(r"\s{2}|AH \w \d", ref) for ref in catalogue)


def test_placeholders_in_either_spelling_carry_no_value(catalogue: dict) -> None:
    for ref in ("AH D03", "AH S24", "AH23", "AH24"):
        row = catalogue[ref]
        assert (row["status"], row["outturn_value"], row["target_value"]) == ("placeholder", "", "")
    assert "'Place holder'" in catalogue["AH23"]["notes"]
    assert "'AH S 24'" in catalogue["AH S24"]["notes"]


@pytest.mark.parametrize("ref", list(PAF))
def test_paf_values_and_targets_are_the_documents(catalogue: dict, ref: str) -> None:
    actual_0506, actual_0607, target_0708 = PAF[ref]
    row = catalogue[ref]
    assert row["regime"] == "kent_2008_09_paf_bvpi"
    assert (row["outturn_period"], _number(row["outturn_value"])) == ("2006-07", actual_0607)
    assert (row["target_period"], _number(row["target_value"])) == ("2007-08", target_0708)
    assert f"Actual 2005-06: {actual_0506}." in row["notes"]


def test_csci_banding_is_the_documents_and_totals_21_in_both_years(catalogue: dict) -> None:
    for ref, (year_0506, year_0607) in BANDING.items():
        row = catalogue[ref]
        assert _number(row["outturn_value"]) == year_0607
        assert f"2005-06: {year_0506}." in row["notes"]
    assert sum(pair[0] for pair in BANDING.values()) == 21
    assert sum(_number(catalogue[ref]["outturn_value"]) or 0 for ref in BANDING) == 21


def test_comparators_and_medway_figures_are_the_documents(catalogue: dict) -> None:
    for ref, value in {**COMPARATORS, **MEDWAY_FIGURES}.items():
        assert _number(catalogue[ref]["outturn_value"]) == value, ref
        assert catalogue[ref]["target_kind"] == "none"
    medway = _regime(catalogue, "medway_2021_25")
    assert {row["council_code"] for row in medway.values()} == {"821"}
    measures = {ref for ref in medway if ref.startswith("MED-M")}
    assert measures == {f"MED-M{number:02d}" for number in range(1, 20)}
    assert all(medway[ref]["status"] == "placeholder" for ref in measures)


def test_the_national_indicators_are_those_s003_lists(catalogue: dict) -> None:
    listed = _regime(catalogue, "national_indicator_2008")
    assert set(listed) == {f"NI {number}" for number in NATIONAL_INDICATORS}
    assert {row["status"] for row in listed.values()} == {"placeholder"}


def test_rag_tolerance_is_our_documented_default(catalogue: dict) -> None:
    """2 percentage points for percent KPIs, 5% of the target otherwise, wherever a target is."""
    for ref, row in catalogue.items():
        if row["target_value"] == "":
            assert row["rag_tolerance"] == "", ref
        else:
            expected = 2 if row["unit"] == "percent" else 0.05
            assert float(row["rag_tolerance"]) == expected, ref


def _source_text(source_lines: str) -> str:
    document, lines = source_lines.split(":L")
    first, _, last = lines.partition("-")
    path = SOURCE_DOCUMENTS / SOURCE_FILES[document]
    text = path.read_text(encoding="utf-8").splitlines()[int(first) - 1:int(last or first)]
    cleaned = re.sub(r"\*\*|</?[bi]>", "", " ".join(text)).replace("|", " ")
    return re.sub(r"\s+", " ", cleaned).replace(" )", ")")


@pytest.mark.skipif(not SOURCE_DOCUMENTS.is_dir(), reason="source documents not on this machine")
def test_descriptions_are_found_on_their_source_lines(catalogue: dict) -> None:
    """The description is on the lines source_lines points to (the banding's on its legend)."""
    legend = _source_text("S003:L174")
    for ref, row in catalogue.items():
        text = _source_text(row["source_lines"])
        if row["theme"] == "CSCI performance banding":
            text += " " + legend
        for part in row["description"].split(" … "):
            if "-" in row["source_lines"]:
                # A table row wrapped over several lines (NI 141): the words, in order.
                assert re.search(r"\b.*?".join(map(re.escape, part.split())), text), ref
            else:
                assert re.sub(r"\s+", " ", part) in text, ref
        if row["regime"].startswith("kent_2018_19"):
            assert text.startswith(ref.replace("AH S24", "AH S 24") + " "), ref


def test_lineage_references_exist_in_the_catalogue(catalogue: dict) -> None:
    catalogued = {(row["kpi_ref"], row["regime"]) for row in catalogue.values()}
    regimes = {regime for _, regime in catalogued}
    for link in _read("kpi_lineage.csv"):
        for ref, regime in ((link["from_ref"], link["from_regime"]),
                            (link["to_ref"], link["to_regime"])):
            assert regime not in regimes or (ref, regime) in catalogued, (ref, regime)


def test_lineage_renumbering_agrees_with_the_ascof_measures_seed() -> None:
    legacy = {row["measure_code"]: row["legacy_code"] for row in _read("ascof_measures.csv")}
    renumbered = {(link["to_ref"], link["from_ref"]) for link in _read("kpi_lineage.csv")
                  if link["from_regime"] == "ascof_legacy" and link["to_regime"] == "ascof_2023"}
    checked = [(new, old) for new, old in renumbered if legacy.get(new)]
    assert len(checked) >= 8
    for new, old in checked:
        assert legacy[new] == old, new
