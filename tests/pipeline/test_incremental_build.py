"""A night that only adds files builds incrementally, only what its new files reach, and equals
a full rebuild.

Night 1 loads the sample's files of every feed but those held back below and builds in full.
Each later night lands some of them and builds incrementally; after each, the same build file
rebuilt with ``--full-refresh`` must publish exactly the same marts, in the aggregate and the
restricted file, and hold the same rows in every model built by selection slice or council.

- night 2: Kent's newest CLD file alone, a quarterly file overlapping the previous one;
- night 3: Kent's newest hospital file alone; night 4: Kent's newest OPEL file alone;
- night 5: Medway's newest CLD file alone (the smaller council only);
- night 6: Kent's resubmission of an old period alone (the generator's late resubmission);
- night 7: two councils on one night: a corrected copy of an old Medway file and of an old
  Kent file, each under its original name (superseding its first load).
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import time
from pathlib import Path

import duckdb
import pytest

from asc_warehouse.config import Settings, load_settings
from asc_warehouse.pipeline import dbt_build, nightly, publish
from asc_warehouse.sample_data import generate_sample_landing_files
from tests.conftest import TEST_KEY

# Reads the clock (tag date_dependent) and is rebuilt every night whatever the build: two
# builds minutes apart may rightly differ on it.
CLOCK_DEPENDENT_MARTS = frozenset({"fct_feed_freshness"})
CORRECTED_GENDER = "Not a gender code"


def _night(run_id: str) -> dict:
    nightly.load_new_extracts(nightly.find_new_extracts(), run_id)
    return nightly.build_marts(run_id)


def _correct(path: Path, arrived: float) -> None:
    """The council's corrected file: its last five rows gone, three genders now invalid."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header, rows = reader.fieldnames, list(reader)
    for row in rows[:3]:
        row["Gender"] = CORRECTED_GENDER
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows[:-5])
    os.utime(path, (arrived, arrived))


def _marts(path: Path) -> dict[str, tuple[int, str]]:
    with duckdb.connect(str(path), read_only=True) as con:
        names = [row[0] for row in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()]
        return {name: con.execute(f"select count(*) from marts.{name}").fetchone()[0]
                for name in names if name not in CLOCK_DEPENDENT_MARTS}


def _differences(left: Path, right: Path, schema: str = "marts",
                 tables: tuple[str, ...] = ()) -> dict[str, tuple[int, int]]:
    """Rows of each table found on one side only (EXCEPT ALL both ways); every mart unless
    tables are named."""
    tables = tables or tuple(sorted(set(_marts(left)) | set(_marts(right))))
    with duckdb.connect() as con:
        con.execute(f"attach '{left}' as left_file (read_only)")
        con.execute(f"attach '{right}' as right_file (read_only)")
        return {
            table: counts for table in tables
            if (counts := tuple(con.execute(
                f"select count(*) from (select * from {a}.{schema}.{table} "
                f"except all select * from {b}.{schema}.{table})").fetchone()[0]
                for a, b in (("left_file", "right_file"), ("right_file", "left_file"))))
            != (0, 0)
        }


def _compared_with_a_full_rebuild(settings: Settings, folder: Path, run_id: str) -> dict:
    """Publish the build file as it is, and a copy of it rebuilt with ``--full-refresh``."""
    folder.mkdir()
    rebuilt = folder / "rebuilt.duckdb"
    shutil.copy2(settings.build_path, rebuilt)
    dbt_build.run_dbt(settings, "build", "--full-refresh", "--exclude-resource-type",
                      "unit_test", build_path=rebuilt, work_dir=folder / "rebuild")
    sliced = _differences(settings.build_path, rebuilt, "intermediate", SLICED_MODELS)
    incremental_published = folder / "incremental" / "asc.duckdb"
    rebuilt_published = folder / "rebuilt" / "asc.duckdb"
    publish.publish(settings.build_path, incremental_published, run_id)
    publish.publish(rebuilt, rebuilt_published, run_id)
    return {"incremental": incremental_published, "rebuilt": rebuilt_published,
            "sliced_models": sliced}


# The CLD models built by council after submission selection (macros/incremental_by_selection.sql),
# by their folder under models/intermediate: their tables after an incremental night must equal a
# full rebuild's, row for row, and each must rebuild only the councils whose files arrived.
COUNCIL_SLICED_MODELS = {
    "int_cld_events_deduplicated": "cld",
    "int_cld_person_details": "cld",
    "int_ascof_2a_events_prepared": "ascof",
    "int_ascof_2a_reablement_clustered": "ascof",
    "int_ascof_2a_clusters_screened": "ascof",
    "int_ascof_2a_sequels_assigned": "ascof",
    "int_ascof_2bc_admissions_classified": "ascof",
    "int_ascof_2bc_people": "ascof",
    "int_ascof_2e_client_details_selected": "ascof",
    "int_ascof_2e_accommodation_presumed": "ascof",
    "int_ascof_2e_clients_classified": "ascof",
    "int_ascof_2e_people": "ascof",
    "int_ascof_3d_clients_deduplicated": "ascof",
    "int_ascof_3d_measures_aggregated": "ascof",
    "int_salt_events_prepared": "salt",
    "int_salt_episodes_clustered": "salt",
    "int_salt_sts001_sequels_assigned": "salt",
    "int_salt_sts001_requests_classified": "salt",
    "int_salt_sts002a_sequels_assigned": "salt",
    "int_salt_lts_services_prepared": "salt",
    "int_salt_lts001_people_deduplicated": "salt",
    "int_salt_lts001c_people_selected": "salt",
    "int_salt_lts002_reviews_classified": "salt",
    "int_salt_lts004_people_classified": "salt",
    "int_salt_carers_deduplicated": "salt",
    "int_kpi_long_term_support_month_end": "kpi",
    "int_kpi_employment_monthly": "kpi",
    "int_kpi_enablement_monthly": "kpi",
    "int_kpi_enablement_bypass_monthly": "kpi",
    "int_kpi_reviews_monthly": "kpi",
    "int_kpi_home_care_monthly": "kpi",
}
# The same, with the model built by selection slice.
SLICED_MODELS = ("int_cld_events_selected", *COUNCIL_SLICED_MODELS)


@pytest.fixture(scope="module")
def nights(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    tmp_path = tmp_path_factory.mktemp("incremental")
    with pytest.MonkeyPatch.context() as environment:
        for name, value in {"ASC_LANDING_DIR": tmp_path / "landing",
                            "ASC_WAREHOUSE_DIR": tmp_path / "warehouse",
                            "ASC_LOG_DIR": tmp_path / "logs", "ASC_LANDING_SETTLE_MINUTES": "0",
                            "ASC_PSEUDONYMISATION_KEY": TEST_KEY}.items():
            environment.setenv(name, str(value))
        environment.delenv("ASC_SAMPLE_MODE", raising=False)
        return _seven_nights(load_settings(), tmp_path)


def _compiled_sql(settings: Settings, folder: str, model: str) -> str:
    """What the last dbt run of the build file compiled for a model."""
    return (Path(dbt_build.dbt_environment(settings)["DBT_TARGET_PATH"]) / "compiled"
            / "asc_warehouse" / "models" / folder / f"{model}.sql").read_text(encoding="utf-8")


def _councils_rebuilt(settings: Settings) -> dict[str, list[str] | None]:
    """Each council-sliced model's councils in its compiled filter, as the last run wrote it;
    None when the filter names none (a full build: every council)."""
    filters = {}
    for model, folder in COUNCIL_SLICED_MODELS.items():
        compiled = _compiled_sql(settings, f"intermediate/{folder}", model)
        listed = re.findall(r"council_code in \(('[^)]*')\)", compiled)
        filters[model] = sorted({code for found in listed
                                 for code in re.findall(r"'([^']*)'", found)}) or None
    return filters


def _seven_nights(settings: Settings, tmp_path: Path) -> dict[str, object]:
    pool = tmp_path / "pool"
    generated = [path for path in generate_sample_landing_files(pool, scale=0.02)
                 if path.suffix == ".csv"]
    cld = sorted(path for path in generated if path.name.startswith("CLD_"))
    newest_kent = max(path for path in cld if path.name.startswith("CLD_820_"))
    newest_medway = max(path for path in cld if path.name.startswith("CLD_821_"))
    # The generator's late resubmission of an old Kent period: it arrives after every file.
    resubmission = max(cld, key=lambda path: path.stat().st_mtime)
    newest_hospital = max(path for path in generated if path.name.startswith("HOSP_820_"))
    newest_opel = max(path for path in generated if path.name.startswith("OPEL_820_"))
    corrected_medway = max(path for path in cld if path.name.startswith("CLD_821_")
                           and path.name < "CLD_821_2025")
    corrected_kent = max(path for path in cld if path.name.startswith("CLD_820_")
                         and path.name < "CLD_820_2025" and path != resubmission)
    held_back = (newest_kent, newest_medway, resubmission, newest_hospital, newest_opel)
    assert resubmission.name.startswith("CLD_820_") and resubmission.name < "CLD_820_2025"
    landing = settings.landing_dir
    latest_arrival = max(path.stat().st_mtime for path in generated)

    def arrive_now() -> float:
        """A time after every earlier file's, and not in the future (it would wait to settle)."""
        nonlocal latest_arrival
        latest_arrival += 1
        time.sleep(max(0.0, latest_arrival - time.time()))
        return latest_arrival

    def land(path: Path, *, arriving: bool = True) -> Path:
        target = landing / path.relative_to(pool)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
        if arriving:
            arrival = arrive_now()
            os.utime(target, (arrival, arrival))
        return target

    def compared(night: str) -> dict[str, Path]:
        return _compared_with_a_full_rebuild(settings, tmp_path / night, night)

    for path in generated:
        if path not in held_back:
            land(path, arriving=False)
    result: dict[str, object] = {"first": _night("night-1"), "build": settings.build_path}
    land(newest_kent)
    result["kent_new"] = _night("night-kent-new")
    result["kent_new_councils"] = _councils_rebuilt(settings)
    result["kent_new_selected_sql"] = _compiled_sql(settings, "intermediate/cld",
                                                    "int_cld_events_selected")
    result["after_kent_new"] = compared("night-kent-new")
    land(newest_hospital)
    result["hospital"] = _night("night-hospital")
    result["after_hospital"] = compared("night-hospital")
    land(newest_opel)
    result["opel"] = _night("night-opel")
    result["after_opel"] = compared("night-opel")
    land(newest_medway)
    result["medway_new"] = _night("night-medway-new")
    result["medway_new_councils"] = _councils_rebuilt(settings)
    result["after_medway_new"] = compared("night-medway-new")
    land(resubmission)
    result["resubmission"] = _night("night-resubmission")
    result["resubmission_councils"] = _councils_rebuilt(settings)
    result["after_resubmission"] = compared("night-resubmission")
    arrival = arrive_now()
    for path in (corrected_medway, corrected_kent):
        _correct(landing / path.relative_to(pool), arrival)
    result["two_councils"] = _night("night-two-councils")
    result["two_councils_councils"] = _councils_rebuilt(settings)
    # What the incremental run of the failure mart read, before anything else runs dbt.
    result["failure_sql"] = _compiled_sql(settings, "marts/data_quality",
                                          "fct_cld_field_quality_failure")
    result["after_two_councils"] = compared("night-two-councils")
    result["corrected"] = corrected_medway.name
    return result


def _assert_equal_to_a_full_rebuild(published: dict) -> None:
    assert published["sliced_models"] == {}
    for side in ("incremental", "rebuilt"):
        assert _marts(published[side]) and _marts(publish.restricted_path_for(published[side]))
    assert _marts(published["incremental"]) == _marts(published["rebuilt"])
    assert _differences(published["incremental"], published["rebuilt"]) == {}
    restricted = publish.restricted_path_for(published["incremental"])
    assert _marts(restricted) == _marts(publish.restricted_path_for(published["rebuilt"]))
    assert _differences(restricted, publish.restricted_path_for(published["rebuilt"])) == {}


def test_a_new_quarterly_file_overlapping_the_last_equals_a_full_rebuild(nights: dict) -> None:
    assert (nights["first"]["mode"], nights["kent_new"]["mode"]) == ("full", "incremental")
    assert nights["kent_new"]["changed"] == ["loads"]
    _assert_equal_to_a_full_rebuild(nights["after_kent_new"])
    # Kent's slices only: Medway's are left as they were.
    assert all(councils == ["820"] for councils in nights["kent_new_councils"].values())


def test_a_new_file_selects_only_its_new_slices(nights: dict) -> None:
    """The events read are those of the files whose selected period changed: the new file and
    the one it replaces for some quarters, not every loaded file."""
    loads_read = re.findall(r"where load_id in \(([^)]*)\)", nights["kent_new_selected_sql"])
    assert len(loads_read) == 1
    read = set(re.findall(r"'([^']+)'", loads_read[0]))
    with duckdb.connect(str(nights["build"]), read_only=True) as con:
        loaded = {row[0] for row in con.execute(
            "select load_id from ops.load_audit where feed = 'cld' and status = 'loaded'"
        ).fetchall()}
    assert 1 <= len(read) <= 2
    assert read < loaded


def test_a_new_file_of_the_smaller_council_only_equals_a_full_rebuild(nights: dict) -> None:
    assert (nights["medway_new"]["mode"], nights["medway_new"]["changed"]) == (
        "incremental", ["loads"])
    _assert_equal_to_a_full_rebuild(nights["after_medway_new"])
    assert all(councils == ["821"] for councils in nights["medway_new_councils"].values())


def test_a_resubmission_of_an_old_period_equals_a_full_rebuild(nights: dict) -> None:
    assert (nights["resubmission"]["mode"], nights["resubmission"]["changed"]) == (
        "incremental", ["loads"])
    _assert_equal_to_a_full_rebuild(nights["after_resubmission"])
    assert all(councils == ["820"] for councils in nights["resubmission_councils"].values())


def test_two_councils_files_on_one_night_equal_a_full_rebuild(nights: dict) -> None:
    assert (nights["two_councils"]["mode"], nights["two_councils"]["changed"]) == (
        "incremental", ["loads"])
    _assert_equal_to_a_full_rebuild(nights["after_two_councils"])
    assert all(councils == ["820", "821"]
               for councils in nights["two_councils_councils"].values())
    # The superseded load of the corrected file is gone; its current load is counted.
    with duckdb.connect(str(nights["build"]), read_only=True) as con:
        loads = con.execute(
            "select load_id from ops.load_audit where file_name = ? and status = 'loaded' "
            "order by loaded_at", [nights["corrected"]]).fetchall()
        counted = con.execute(
            "select distinct load_id from marts.fct_cld_field_quality where file_name = ?",
            [nights["corrected"]]).fetchall()
        invalid_genders = con.execute(
            "select count(*) from marts.fct_cld_field_quality_failure where file_name = ? "
            "and cld_field_name = 'Gender' and validation_status = 'Invalid'",
            [nights["corrected"]]).fetchone()[0]
    assert len(loads) == 2
    assert counted == [loads[-1]]
    assert invalid_genders >= 3


def test_an_incremental_night_reads_only_new_loads_with_failing_fields(nights: dict) -> None:
    """A current load without a failing field has no rows in the failure mart; it must not be
    read again each incremental night as if it were new."""
    # The same filter in each submitted column's select.
    filters = set(re.findall(r"where load_id in \(([^)]*)\)", nights["failure_sql"]))
    assert len(filters) == 1
    read = set(re.findall(r"'([^']+)'", filters.pop()))
    with duckdb.connect(str(nights["build"]), read_only=True) as con:
        corrected_load = con.execute(
            "select load_id from ops.load_audit where file_name = ? and status = 'loaded' "
            "order by loaded_at desc limit 1", [nights["corrected"]]).fetchone()[0]
        with_failures = {row[0] for row in con.execute(
            "select distinct load_id from marts.fct_cld_field_quality_failure").fetchall()}
        without_failures = {row[0] for row in con.execute(
            "select load_id from marts.fct_cld_field_quality except "
            "select load_id from marts.fct_cld_field_quality_failure").fetchall()}
    assert without_failures, "every load has a failing field: the case is not exercised"
    assert corrected_load in read
    assert read <= with_failures


def test_a_night_with_only_a_hospital_file_equals_a_full_rebuild(nights: dict) -> None:
    assert (nights["hospital"]["mode"], nights["hospital"]["changed"]) == (
        "incremental", ["loads"])
    _assert_equal_to_a_full_rebuild(nights["after_hospital"])


def test_a_night_with_only_an_opel_file_equals_a_full_rebuild(nights: dict) -> None:
    assert (nights["opel"]["mode"], nights["opel"]["changed"]) == ("incremental", ["loads"])
    _assert_equal_to_a_full_rebuild(nights["after_opel"])


def test_an_incremental_night_builds_only_what_its_new_files_reach(nights: dict) -> None:
    """No seed is reloaded, and what no changed input reaches is not rebuilt; the report counts
    what ran."""
    first, cld_night, hospital_night, opel_night = (
        nights["first"], nights["kent_new"], nights["hospital"], nights["opel"])
    assert first["selected"] is None and first["seeds_loaded"] > 0
    for night in (cld_night, hospital_night, opel_night):
        assert night["seeds_loaded"] == 0
        assert night["tests_failed"] == 0
        assert 0 < night["tests_passed"] < first["tests_passed"]
        assert set(night["models_built"]) < set(first["models_built"])
        # Reads the clock: rebuilt every night.
        assert "fct_feed_freshness" in night["models_built"]
        # Reads the seeds only.
        assert "dim_ascof_measure" not in night["models_built"]
    # Reads the OPEL updates only.
    assert not {"fct_opel_status_daily"} & (
        set(cld_night["models_built"]) | set(hospital_night["models_built"]))
    assert {"stg_ops__opel_loads", "fct_opel_status_daily"} <= set(opel_night["models_built"])
    assert {"int_cld_events_mapped_to_r2", "fct_ascof_measure"} <= set(
        cld_night["models_built"])
    assert "stg_cld__events" in cld_night["models_built"]
    assert "stg_cld__events" not in hospital_night["models_built"]
    assert {"int_hospital_discharges_deduplicated", "stg_hospital__discharges"} <= set(
        hospital_night["models_built"])
    assert "stg_hospital__discharges" not in cld_night["models_built"]
    assert "stg_hospital__discharges" not in opel_night["models_built"]


def test_a_night_without_a_cld_file_does_not_rebuild_the_cld_chain(nights: dict) -> None:
    """The CLD chain reads the CLD loads only (stg_ops__cld_loads), not every feed's."""
    cld_chain = {"stg_ops__cld_loads", "int_cld_current_loads", "int_cld_events_selected",
                 "int_cld_submission_periods_derived", "fct_load_volume_check"}
    assert cld_chain <= set(nights["kent_new"]["models_built"])
    for night in (nights["hospital"], nights["opel"]):
        assert not cld_chain & set(night["models_built"])
    # Every measure's people: a hospital night rebuilds them for 2D(1) and 2D(2), OPEL never.
    assert "fct_ascof_measure_person" in nights["hospital"]["models_built"]
    assert "fct_ascof_measure_person" not in nights["opel"]["models_built"]
