"""The ONS population loader that refreshes the ASCOF 2B/2C denominators seed.

The fixtures hold synthetic areas and counts (E99999901 Testshire, E99999902 Otherton), made so
the band totals can be worked by hand; they are not ONS figures.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from asc_warehouse.reference import ons_population
from asc_warehouse.reference.ons_population import PopulationEstimate, PopulationFileError

FIXTURES = Path(__file__).parent / "fixtures"
NOMIS = FIXTURES / "ons_nm_2002_1_sample.csv"
MYE2 = FIXTURES / "ons_mye2_persons_sample.csv"
TESTSHIRE = {"E99999901": ("901", "Testshire")}
COMPARATORS = ons_population.SEEDS_DIR / "ref_comparator_councils.csv"


def _bands(estimates: list[PopulationEstimate]) -> dict[tuple[str, str], int]:
    return {(e.council_code, e.age_band): e.population for e in estimates}


def test_nomis_single_years_of_persons_are_summed_into_the_seed_bands() -> None:
    """Persons aged a count 100 + a (90 and over: 500); male rows, 'All Ages', the 2023 rows
    and Otherton (not a council here) are ignored.
    18 to 64: 47 ages x 100 + (18 + ... + 64 = 1,927) = 6,627.
    65 and above: 25 ages x 100 + (65 + ... + 89 = 1,925) + 500 = 4,925."""
    estimates = ons_population.population_estimates(
        NOMIS, 2024, "nomis test", TESTSHIRE, ons_population.read_age_bands()
    )
    assert _bands(estimates) == {("901", "18 to 64"): 6627, ("901", "65 and above"): 4925}
    assert {(e.source, e.estimate_year, e.ons_code, e.council_name) for e in estimates} == {
        ("nomis test", 2024, "E99999901", "Testshire")
    }


def test_nomis_rows_of_the_requested_year_only() -> None:
    """The 2023 rows count 1 at every age: 47 and 26."""
    estimates = ons_population.population_estimates(
        NOMIS, 2023, "nomis test", TESTSHIRE, ons_population.read_age_bands()
    )
    assert _bands(estimates) == {("901", "18 to 64"): 47, ("901", "65 and above"): 26}


def test_mye2_persons_table_is_read_after_its_title_lines() -> None:
    """Testshire counts 10 at every single age and 7 aged 90 and over: 18 to 64 is 47 x 10 = 470,
    65 and above 25 x 10 + 7 = 257. Otherton's counts carry thousands separators:
    47 x 1,000 = 47,000 and 26 x 1,000 = 26,000. The note below the table is skipped."""
    councils = {**TESTSHIRE, "E99999902": ("902", "Otherton")}
    estimates = ons_population.population_estimates(
        MYE2, 2024, "mye2 test", councils, ons_population.read_age_bands()
    )
    assert _bands(estimates) == {
        ("901", "18 to 64"): 470, ("901", "65 and above"): 257,
        ("902", "18 to 64"): 47000, ("902", "65 and above"): 26000,
    }


def test_a_missing_single_year_of_age_is_refused(tmp_path: Path) -> None:
    lines = NOMIS.read_text().splitlines()
    broken = tmp_path / "broken.csv"
    broken.write_text("\n".join(
        line for line in lines if '"Testshire"' not in line or '"Total","Age 40"' not in line
    ) + "\n")
    with pytest.raises(PopulationFileError, match=r"Testshire \(E99999901\) has no count for "
                                                   r"age 40 of band 18 to 64"):
        ons_population.population_estimates(
            broken, 2024, "s", TESTSHIRE, ons_population.read_age_bands()
        )


def test_a_file_without_the_councils_or_the_year_is_refused() -> None:
    with pytest.raises(PopulationFileError, match="no persons counts for 2022"):
        ons_population.population_estimates(
            NOMIS, 2022, "s", TESTSHIRE, ons_population.read_age_bands()
        )
    with pytest.raises(PopulationFileError, match="no persons counts for 2024"):
        ons_population.population_estimates(
            NOMIS, 2024, "s", {"E99999999": ("999", "Nowhere")}, ons_population.read_age_bands()
        )


def test_an_unknown_layout_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.csv"
    other.write_text("area,age,people\nE99999901,40,10\n")
    with pytest.raises(PopulationFileError, match="no header row"):
        ons_population.read_single_year_counts(other, 2024)


def test_the_seed_keeps_other_years_and_councils_and_replaces_the_same(tmp_path: Path) -> None:
    seed = tmp_path / "ons_population_estimates.csv"
    old = [
        PopulationEstimate("old", 2023, "E99999901", "901", "Testshire", "18 to 64", 1),
        PopulationEstimate("old", 2024, "E99999901", "901", "Testshire", "18 to 64", 2),
        PopulationEstimate("old", 2024, "E99999902", "902", "Otherton", "18 to 64", 3),
    ]
    ons_population.write_seed(old, seed)
    new = [PopulationEstimate("new", 2024, "E99999901", "901", "Testshire", "18 to 64", 4)]
    ons_population.write_seed(new, seed)

    with seed.open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows == [
        list(ons_population.SEED_COLUMNS),
        ["old", "2023", "E99999901", "901", "Testshire", "18 to 64", "1"],
        ["new", "2024", "E99999901", "901", "Testshire", "18 to 64", "4"],
        ["old", "2024", "E99999902", "902", "Otherton", "18 to 64", "3"],
    ]


def test_command_line_writes_the_seed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    councils = tmp_path / "councils.csv"
    councils.write_text("ons_code,council_code,council_name\nE99999901,901,Testshire\n")
    seed = tmp_path / "seed.csv"
    assert ons_population.main([
        str(NOMIS), "--year", "2024", "--source", "https://example.test/nm_2002_1",
        "--councils", str(councils), "--output", str(seed),
    ]) == 0
    assert seed.read_text().splitlines() == [
        ",".join(ons_population.SEED_COLUMNS),
        "https://example.test/nm_2002_1,2024,E99999901,901,Testshire,18 to 64,6627",
        "https://example.test/nm_2002_1,2024,E99999901,901,Testshire,65 and above,4925",
    ]
    assert "mid-2024 Testshire (901) 65 and above: 4,925" in capsys.readouterr().out


def test_command_line_reports_a_bad_file_without_writing(tmp_path: Path) -> None:
    seed = tmp_path / "seed.csv"
    with pytest.raises(SystemExit) as stopped:
        ons_population.main([str(NOMIS), "--year", "2024", "--source", "s",
                             "--output", str(seed)])
    assert stopped.value.code == 1
    assert not seed.exists()


def test_the_committed_seed_cites_a_source_for_known_councils_and_bands() -> None:
    """Guards the provenance of the real denominators: every row names its source, and each
    council and band is one the warehouse knows (its own councils or their comparators)."""
    councils = ons_population.read_councils() | ons_population.read_councils(COMPARATORS)
    bands = {band.name for band in ons_population.read_age_bands()}
    with ons_population.SEED_PATH.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == ons_population.SEED_COLUMNS
        rows = list(reader)
    for row in rows:
        assert row["source"].strip()
        assert councils[row["ons_code"]] == (row["council_code"], row["council_name"])
        assert row["age_band"] in bands
        assert int(row["population"]) > 0


def test_comparator_councils_file_is_a_councils_file_and_every_comparator_has_both_bands() -> None:
    """seeds/ref_comparator_councils.csv doubles as ``--councils`` input, and Kent's six
    comparators (document 003) carry the mid-2024 figures typed from DHSC's CLD publication
    population column (the same source as Kent's)."""
    comparators = ons_population.read_councils(COMPARATORS)
    assert {name for _, name in comparators.values()} == {
        "Essex", "Gloucestershire", "Hampshire", "Lancashire", "Suffolk", "West Sussex",
    }
    with ons_population.SEED_PATH.open(newline="", encoding="utf-8") as handle:
        seed = {
            (row["council_code"], row["age_band"]): int(row["population"])
            for row in csv.DictReader(handle)
            if row["estimate_year"] == "2024"
        }
    typed = {
        "Essex": (908_307, 325_861), "Gloucestershire": (388_181, 148_036),
        "Hampshire": (833_712, 324_772), "Lancashire": (760_682, 272_840),
        "Suffolk": (443_436, 190_540), "West Sussex": (520_196, 212_898),
    }
    for council_code, name in comparators.values():
        bands = (seed[(council_code, "18 to 64")], seed[(council_code, "65 and above")])
        assert bands == typed[name]
