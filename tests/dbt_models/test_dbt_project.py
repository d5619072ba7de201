"""dbt builds, with its data tests and unit tests, on a small generated dataset."""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from asc_warehouse.config import Settings
from asc_warehouse.ingest.extracts import load_extracts
from asc_warehouse.ingest.landing import scan_landing
from asc_warehouse.ingest.pseudonymise import SAMPLE_DATA_KEY
from asc_warehouse.pipeline import dbt_build
from asc_warehouse.quality import validation
from asc_warehouse.sample_data import generate_person_feed_extracts, generate_sample_extracts
from tests.reference.test_ascof_official import KENT_2024_25, MEDWAY_2024_25


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
    """A mart row breaking a data test (numerator above denominator) fails dbt, loudly, and the
    message names the model's failed checks: the expression, and the key the copied row
    shares with its original."""
    broken = Settings(built.landing_dir, tmp_path / "warehouse", None, sample_mode=True)
    broken.build_dir.mkdir(parents=True)
    shutil.copy(built.build_path, broken.build_path)
    with duckdb.connect(str(broken.build_path)) as con:
        con.execute(
            "insert into marts.fct_ascof_measure select * replace (denominator - 1 as "
            "denominator, denominator as numerator) from marts.fct_ascof_measure "
            "where denominator > 0 limit 1"
        )
    with pytest.raises(dbt_build.DbtBuildError) as failure:
        dbt_build.run_dbt(broken, "test", "--select", "fct_ascof_measure")
    message = str(failure.value)
    failed_node = r"1 node\(s\): test\.asc_warehouse\.row_checks_fct_ascof_measure\.\w+ \(fail\)"
    assert re.search(failed_node, message)
    failed_checks = message.split(". Failed checks: ")[1].split("; ")
    assert sorted(failed_checks) == [
        "row_checks_fct_ascof_measure: expression numerator is null or denominator is null or "
        "numerator <= denominator (1 row)",
        "row_checks_fct_ascof_measure: unique council_code, period_type, period_start, "
        "period_end, measure_code, breakdown (2 rows)",
    ]


def _broken_copy(built: Settings, tmp_path: Path) -> Settings:
    broken = Settings(built.landing_dir, tmp_path / "warehouse", None, sample_mode=True)
    broken.build_dir.mkdir(parents=True)
    shutil.copy(built.build_path, broken.build_path)
    return broken


def test_every_derivable_kpi_has_monthly_values_and_a_scorecard_line(built: Settings) -> None:
    missing = _query(
        built,
        "select d.council_code, d.kpi_ref from reference.kpi_derivation d "
        "where d.derivation = 'derivable' and not exists (select 1 from marts.fct_kpi_monthly k "
        "where k.council_code = d.council_code and k.kpi_ref = d.kpi_ref)",
    )
    assert missing == []
    statuses = dict(_query(
        built, "select status, count(*) from marts.kpi_scorecard group by all"))
    [(derivable,)] = _query(
        built, "select count(*) from reference.kpi_derivation where derivation = 'derivable'")
    assert statuses["Value"] == derivable and statuses["Not derivable"] > 0


def test_mental_health_parts_check_compares_totals_once_parts_exist(
    built: Settings, tmp_path: Path
) -> None:
    """No feed carries the MH tier yet; rows for the parts switch the check on, and it bites."""
    broken = _broken_copy(built, tmp_path)
    check = "assert_kpi_mental_health_totals_equal_parts"
    with duckdb.connect(str(broken.build_path)) as con:
        for part, value in (("AH11", "value - 1"), ("AH12", "1")):
            con.execute(
                f"insert into marts.fct_kpi_monthly select * replace ('{part}' as kpi_ref, "
                f"{value} as value) from marts.fct_kpi_monthly where kpi_ref = 'AH10'"
            )
    dbt_build.run_dbt(broken, "test", "--select", check)
    with duckdb.connect(str(broken.build_path)) as con:
        con.execute("update marts.fct_kpi_monthly set value = 2 where kpi_ref = 'AH12'")
    with pytest.raises(dbt_build.DbtBuildError, match=check):
        dbt_build.run_dbt(broken, "test", "--select", check)


def test_front_door_split_check_fails_when_d01_and_d02_do_not_add_up(
    built: Settings, tmp_path: Path
) -> None:
    broken = _broken_copy(built, tmp_path)
    check = "assert_kpi_front_door_split_sums_to_100"
    dbt_build.run_dbt(broken, "test", "--select", check)
    with duckdb.connect(str(broken.build_path)) as con:
        con.execute(
            "update marts.fct_kpi_monthly set value = value + 0.5 "
            "where kpi_ref = 'AH D02' and value is not null"
        )
    with pytest.raises(dbt_build.DbtBuildError, match=check):
        dbt_build.run_dbt(broken, "test", "--select", check)


def test_kpi_bounds_check_blocks_publication(built: Settings, tmp_path: Path) -> None:
    """A percentage KPI above 100 or a negative count fails the blocking KPI suites."""
    broken = _broken_copy(built, tmp_path)
    kpi_suites = [s for s in validation.suites_for(("marts",)) if "kpi" in s.name]
    results = [result for suite in kpi_suites
               for result in validation.validate_suite(broken.build_path, suite)]
    assert all(result.success for result in results)
    with duckdb.connect(str(broken.build_path)) as con:
        con.execute("update marts.fct_kpi_monthly set value = 100.5 "
                    "where kpi_ref = 'AH O10' and council_code = '820'")
        con.execute("update marts.fct_kpi_monthly set value = -1 "
                    "where kpi_ref = 'AH05' and council_code = '820'")
    results = [result for suite in kpi_suites
               for result in validation.validate_suite(broken.build_path, suite)]
    failed = {(r.suite, r.council_code, check.column) for r in results for check in r.failed}
    assert failed == {("marts_fct_kpi_monthly_percent_bounds", "820", "value"),
                      ("marts_fct_kpi_monthly", "820", "value")}
    with pytest.raises(validation.DataQualityError, match="percent_bounds"):
        validation.raise_for_blocking(results, "marts")


def test_reconciliation_puts_the_sample_2024_25_beside_the_official_figures(
    built: Settings,
) -> None:
    """Kent's and Medway's official 2A (typed from the workbook: 79.3 = 5970 / 7529 and
    78.3 = 805 / 1028) beside the sample's computed 2024-25 figures, with the differences."""
    rows = _query(
        built,
        "select council_code, official_numerator, official_denominator, official_outcome, "
        "computed_outcome is not null, outcome_difference = computed_outcome - official_outcome "
        "from marts.fct_ascof_reconciliation "
        "where measure_code = '2A' and financial_year = '2024-25' order by council_code",
    )
    assert rows == [("820", 5970, 7529, Decimal("79.300"), True, True),
                    ("821", 805, 1028, Decimal("78.300"), True, True)]
    [(kent_2d,)] = _query(
        built,
        "select reconciliation_status from marts.fct_ascof_reconciliation "
        "where council_code = '820' and measure_code = '2D(1)' and financial_year = '2024-25'",
    )
    assert kent_2d == "official figure withheld [c]"
    measures = {row[0] for row in _query(
        built, "select distinct measure_code from marts.fct_ascof_reconciliation "
        "where financial_year = '2024-25'")}
    assert {"2A", "2B", "2C", "2E(1)", "3D(1a)", "3D(2a)", "4B"} <= measures


@pytest.mark.parametrize(("council_code", "expected"),
                         [("820", KENT_2024_25), ("821", MEDWAY_2024_25)])
def test_benchmark_carries_every_official_2024_25_figure(
    built: Settings, council_code: str, expected: dict[str, object],
) -> None:
    rows = {measure: (outcome, marker) for measure, outcome, marker in _query(
        built,
        "select measure_code, official_outcome, official_outcome_marker "
        f"from marts.fct_ascof_benchmark where council_code = '{council_code}' "
        "and financial_year = '2024-25' and official_outcome_marker is distinct from "
        "'not in the official series'",
    )}
    assert set(rows) == set(expected)
    for measure, figures in expected.items():
        if isinstance(figures, str):
            assert rows[measure] == (None, figures), measure
        else:
            assert rows[measure] == (Decimal(figures[0]), None), measure  # type: ignore[index]


def test_benchmark_row_reads_alone(built: Settings) -> None:
    """Kent 2C 2024-25: England 592.5 (workbook), lower is better, Kent's six comparators."""
    [row] = _query(
        built,
        "select measure_name, polarity, outcome_unit, england_outcome, comparator_group_basis, "
        "comparators_with_value, computed_status from marts.fct_ascof_benchmark "
        "where council_code = '820' and measure_code = '2C' and financial_year = '2024-25'",
    )
    assert row[1:] == ("lower", "per 100,000", Decimal("592.500"), "council plan", 6, "computed")
    assert row[0].startswith("The number of adults aged 65 and over")
    [(survey_status,)] = _query(
        built, "select computed_status from marts.fct_ascof_benchmark where council_code = '821' "
        "and measure_code = '1A' and financial_year = '2024-25'")
    assert survey_status == "not computed here: official figure only"


def test_change_since_last_year_reads_in_the_measure_polarity(built: Settings) -> None:
    """Workbook 2023-24 -> 2024-25: Kent 1A 19.5 -> 19.4 (higher is better: worse); 6A staff
    turnover (lower is better) Kent 20.4 -> 22.6 worse, Medway 15.5 -> 12.5 better."""
    rows = _query(
        built,
        "select council_code, measure_code, previous_year_outcome, change_since_last_year, "
        "change_direction from marts.fct_ascof_benchmark where financial_year = '2024-25' "
        "and ((council_code = '820' and measure_code in ('1A', '6A')) "
        "or (council_code = '821' and measure_code = '6A')) order by 1, 2",
    )
    assert rows == [
        ("820", "1A", Decimal("19.500"), Decimal("-0.100"), "worse"),
        ("820", "6A", Decimal("20.400"), Decimal("2.200"), "worse"),
        ("821", "6A", Decimal("15.500"), Decimal("-3.000"), "better"),
    ]
