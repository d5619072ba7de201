"""dbt builds, with its data tests and unit tests, on a small generated dataset."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from asc_warehouse import dbt_build
from asc_warehouse.config import Settings
from asc_warehouse.ingest import load_extracts
from asc_warehouse.landing import scan_landing
from asc_warehouse.pseudonymise import SAMPLE_DATA_KEY
from asc_warehouse.sample_data import generate_person_feed_extracts, generate_sample_extracts


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("dbt")
    settings = Settings(root / "landing", root / "warehouse", None, sample_mode=True)
    generate_sample_extracts(settings.landing_dir, scale=0.02)
    generate_person_feed_extracts(settings.landing_dir, scale=0.02)
    results = load_extracts(settings.build_path, scan_landing(settings.landing_dir).extracts,
                            SAMPLE_DATA_KEY)
    assert {result.status for result in results} == {"loaded"}
    dbt_build.build(settings, include_unit_tests=True)
    return settings


def _query(settings: Settings, sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.build_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_build_passes_with_unit_tests_and_fills_the_mart(built: Settings) -> None:
    [(councils, measures)] = _query(
        built, "select count(distinct council_code), count(distinct measure_code) "
        "from marts.fct_ascof_measure",
    )
    [(seeded,)] = _query(built, "select count(*) from reference.ascof_measures")
    assert (councils, measures) == (2, seeded)


def test_numerator_people_are_a_subset_of_denominator_people(built: Settings) -> None:
    [(outside,)] = _query(
        built,
        "select count(*) from intermediate.int_ascof_3d_clients_deduplicated "
        "where (is_self_directed or is_direct_payment) and setting <> 'Community'",
    )
    assert outside == 0
    [(above,)] = _query(built, "select count(*) from marts.fct_ascof_measure "
                               "where numerator > denominator")
    assert above == 0


def test_age_bands_add_up_to_at_most_the_total(built: Settings) -> None:
    """Unknown ages count only in the total, so the bands sum to the total or less.

    2B and 2C have no total and the 2E measures no bands (each is one age cohort).
    """
    rows = _query(
        built,
        "select council_code, measure_code, period_type, period_end, "
        "sum(denominator) filter (where breakdown = 'Total'), "
        "sum(denominator) filter (where breakdown <> 'Total') "
        "from marts.fct_ascof_measure where measure_code not in ('2B', '2C') group by all",
    )
    with_bands = [(total, bands) for *_, total, bands in rows if bands is not None]
    assert {row[1] for row in rows if row[-1] is not None} >= {"2A", "3D(1a)", "3D(2b)"}
    for total, bands in with_bands:
        assert bands <= total


def test_a_failing_dbt_test_stops_the_build(built: Settings, tmp_path: Path) -> None:
    """A mart row breaking a data test (numerator above denominator) fails dbt, loudly."""
    broken = Settings(built.landing_dir, tmp_path / "warehouse", None, sample_mode=True)
    broken.build_dir.mkdir(parents=True)
    shutil.copy(built.build_path, broken.build_path)
    with duckdb.connect(str(broken.build_path)) as con:
        con.execute(
            "insert into marts.fct_ascof_measure select * replace (denominator - 1 as "
            "denominator, denominator as numerator) from marts.fct_ascof_measure limit 1"
        )
    with pytest.raises(dbt_build.DbtBuildError, match="numerator_denominator"):
        dbt_build.run_dbt(broken, "test", "--select", "fct_ascof_measure")
