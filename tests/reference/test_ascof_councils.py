"""Every English council and its mid-2024 population from the ASCOF 2024-25 workbook extract."""

from __future__ import annotations

import csv
from pathlib import Path

from asc_warehouse.reference import ascof_councils
from asc_warehouse.reference.ascof_councils import council_rows, population_rows

COUNCILS = """\
cassr_code,ons_code,name,region,in_2024_25_cld_tables,first_year_with_data,\
last_year_with_data,n_tables,note
102,E10000006,Cumbria,,no,2015-16,2022-23,13,split
106,E08000037,Gateshead,,yes,2015-16,2024-25,25,
820,E10000016,Kent,,yes,2015-16,2024-25,25,
906,E06000053,Isles of Scilly,,yes,2015-16,2024-25,25,
609,E10000029,Suffolk,,yes,2015-16,2024-25,25,
"""
VALUES_HEADER = (
    "table,measure_code,legacy_code,breakdown,area_level,la_code,ons_code,area_name,year,"
    "value_kind,value,marker,value_bracketed,value_stored"
)
VALUES = [
    "Table_2b,2B,2A(1),,council,820,E10000016,Kent,2024-25,denominator,947675,,,",
    "Table_2c,2C,2A(2),,council,820,E10000016,Kent,2024-25,denominator,335964,,,",
    "Table_2b,2B,2A(1),,council,820,E10000016,Kent,2024-25,numerator,137,,,",
    "Table_2b,2B,2A(1),,region,SE,E12000008,South East,2024-25,denominator,5708360,,,",
    "Table_2b,2B,2A(1),,council,906,E06000053,Isles of Scilly,2024-25,denominator,,[c],,",
    "Table_2c,2C,2A(2),,council,906,E06000053,Isles of Scilly,2024-25,denominator,493,,,",
    "Table_2b,2B,2A(1),,council,102,E10000006,Cumbria,2024-25,denominator,300000,,,",
    "Table_1a,1A,1A,,council,106,E08000037,Gateshead,2024-25,outcome,19.1,,,",
]
EXISTING = """council_code,dfe_la_code,ons_code,council_name,council_type,region,source_status
820,886,E10000016,Kent,Shire County,South East,DfE list
"""


def _reference(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "ascof-official"
    folder.mkdir()
    (folder / "councils.csv").write_text(COUNCILS, encoding="utf-8")
    (folder / "ascof_official_values.csv").write_text(
        "\n".join([VALUES_HEADER, *VALUES]) + "\n", encoding="utf-8")
    existing = tmp_path / "ref_councils.csv"
    existing.write_text(EXISTING, encoding="utf-8")
    return folder, existing


def test_councils_of_the_2024_25_tables_keep_sourced_attributes_and_infer_none(
    tmp_path: Path,
) -> None:
    folder, existing = _reference(tmp_path)
    councils = {council.council_code: council for council in council_rows(folder, existing)}
    # Cumbria (not in the 2024-25 tables) is out.
    assert sorted(councils) == ["106", "609", "820", "906"]
    kent = councils["820"]
    assert (kent.dfe_la_code, kent.council_type, kent.region) == (
        "886", "Shire County", "South East")
    # 1xx is the North East and E08 a Metropolitan District; 6xx the East of England and E10 a
    # Shire County (council_geography, proved against the workbook's totals); no DfE code
    # without a source.
    gateshead = councils["106"]
    assert (gateshead.region, gateshead.council_type, gateshead.dfe_la_code) == (
        "North East", "Metropolitan District", "")
    suffolk = councils["609"]
    assert (suffolk.region, suffolk.council_type, suffolk.dfe_la_code) == (
        "East of England", "Shire County", "")


def test_mid_2024_populations_are_the_2b_2c_denominators_and_suppressed_ones_are_left_out(
    tmp_path: Path,
) -> None:
    folder, existing = _reference(tmp_path)
    estimates = population_rows(folder, council_rows(folder, existing))
    assert sorted((e.council_code, e.age_band, e.population, e.estimate_year)
                  for e in estimates) == [
        ("820", "18 to 64", 947_675, 2024),
        ("820", "65 and above", 335_964, 2024),
        ("906", "65 and above", 493, 2024),
    ]


def test_the_seed_holds_every_council_of_the_workbook_once() -> None:
    with ascof_councils.COUNCILS_PATH.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    codes = [row["council_code"] for row in rows]
    assert len(codes) == len(set(codes)) == 153
    assert len({row["ons_code"] for row in rows}) == 153
    by_code = {row["council_code"]: row for row in rows}
    assert (by_code["820"]["council_name"], by_code["820"]["dfe_la_code"]) == ("Kent", "886")
    assert (by_code["821"]["council_name"], by_code["821"]["dfe_la_code"]) == ("Medway", "887")
    with ascof_councils.SEED_PATH.open(newline="", encoding="utf-8") as handle:
        populations = [row for row in csv.DictReader(handle) if row["estimate_year"] == "2024"]
    # 153 councils x 2 bands, less the 4 denominators the workbook suppresses.
    assert len(populations) == 302
    assert {row["council_code"] for row in populations} <= set(codes)
