"""A night that only adds files builds incrementally, only what its new files reach, and equals
a full rebuild.

Night 1 loads the sample's files of every feed but Kent's newest CLD and hospital files and
builds in full. Night 2 (CLD only) lands Kent's newest CLD file and a corrected copy of an old
Medway file under the same name (superseding its first load), and builds incrementally. Night 3
lands only Kent's newest hospital file, night 4 only Kent's newest OPEL file. After each
incremental night the same build file rebuilt with ``--full-refresh`` must publish exactly the
same marts, in the aggregate and the restricted file.
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


def _differences(left: Path, right: Path) -> dict[str, tuple[int, int]]:
    """Rows of each mart found on one side only (EXCEPT ALL both ways)."""
    tables = set(_marts(left)) | set(_marts(right))
    with duckdb.connect() as con:
        con.execute(f"attach '{left}' as left_file (read_only)")
        con.execute(f"attach '{right}' as right_file (read_only)")
        return {
            table: counts for table in sorted(tables)
            if (counts := tuple(con.execute(
                f"select count(*) from (select * from {a}.marts.{table} "
                f"except all select * from {b}.marts.{table})").fetchone()[0]
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
    incremental_published = folder / "incremental" / "asc.duckdb"
    rebuilt_published = folder / "rebuilt" / "asc.duckdb"
    publish.publish(settings.build_path, incremental_published, run_id)
    publish.publish(rebuilt, rebuilt_published, run_id)
    return {"incremental": incremental_published, "rebuilt": rebuilt_published}


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
        return _four_nights(load_settings(), tmp_path)


def _four_nights(settings: Settings, tmp_path: Path) -> dict[str, object]:
    pool = tmp_path / "pool"
    generated = [path for path in generate_sample_landing_files(pool, scale=0.02)
                 if path.suffix == ".csv"]
    cld = sorted(path for path in generated if path.name.startswith("CLD_"))
    newest_kent = max(path for path in cld if path.name.startswith("CLD_820_"))
    newest_hospital = max(path for path in generated if path.name.startswith("HOSP_820_"))
    newest_opel = max(path for path in generated if path.name.startswith("OPEL_820_"))
    corrected = max(path for path in cld if path.name.startswith("CLD_821_")
                    and path.name < "CLD_821_2025")
    landing = settings.landing_dir

    def land(path: Path) -> Path:
        target = landing / path.relative_to(pool)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
        return target

    for path in generated:
        if path not in (newest_kent, newest_hospital, newest_opel):
            land(path)
    first = _night("night-1")
    land(newest_kent)
    # Arrives after every generated file, and not in the future (it would wait to settle).
    arrival = max(path.stat().st_mtime for path in generated) + 1
    time.sleep(max(0.0, arrival - time.time()))
    _correct(landing / corrected.relative_to(pool), arrival)
    second = _night("night-2")
    # What night 2's incremental run of the failure mart read, before anything else runs dbt.
    failure_sql = (Path(dbt_build.dbt_environment(settings)["DBT_TARGET_PATH"]) / "compiled"
                       / "asc_warehouse" / "models" / "marts" / "data_quality"
                       / "fct_cld_field_quality_failure.sql").read_text(encoding="utf-8")
    after_cld = _compared_with_a_full_rebuild(settings, tmp_path / "night-2", "night-2")
    land(newest_hospital)
    third = _night("night-3")
    after_hospital = _compared_with_a_full_rebuild(settings, tmp_path / "night-3", "night-3")
    land(newest_opel)
    fourth = _night("night-4")
    after_opel = _compared_with_a_full_rebuild(settings, tmp_path / "night-4", "night-4")
    return {"first": first, "second": second, "third": third, "fourth": fourth,
            "corrected": corrected.name, "failure_sql": failure_sql,
            "build": settings.build_path, "after_cld": after_cld,
            "after_hospital": after_hospital, "after_opel": after_opel}


def _assert_equal_to_a_full_rebuild(published: dict[str, Path]) -> None:
    for side in ("incremental", "rebuilt"):
        assert _marts(published[side]) and _marts(publish.restricted_path_for(published[side]))
    assert _marts(published["incremental"]) == _marts(published["rebuilt"])
    assert _differences(published["incremental"], published["rebuilt"]) == {}
    restricted = publish.restricted_path_for(published["incremental"])
    assert _marts(restricted) == _marts(publish.restricted_path_for(published["rebuilt"]))
    assert _differences(restricted, publish.restricted_path_for(published["rebuilt"])) == {}


def test_a_night_adding_files_builds_incrementally_and_equals_a_full_rebuild(
    nights: dict,
) -> None:
    assert (nights["first"]["mode"], nights["second"]["mode"]) == ("full", "incremental")
    assert nights["second"]["changed"] == ["loads"]
    _assert_equal_to_a_full_rebuild(nights["after_cld"])
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
    filters = re.findall(r"where load_id in \(([^)]*)\)", nights["failure_sql"])
    assert len(filters) == 1
    read = set(re.findall(r"'([^']+)'", filters[0]))
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
    assert (nights["third"]["mode"], nights["third"]["changed"]) == ("incremental", ["loads"])
    _assert_equal_to_a_full_rebuild(nights["after_hospital"])


def test_a_night_with_only_an_opel_file_equals_a_full_rebuild(nights: dict) -> None:
    assert (nights["fourth"]["mode"], nights["fourth"]["changed"]) == ("incremental", ["loads"])
    _assert_equal_to_a_full_rebuild(nights["after_opel"])


def test_an_incremental_night_builds_only_what_its_new_files_reach(nights: dict) -> None:
    """No seed is reloaded, and what no changed input reaches is not rebuilt; the report counts
    what ran."""
    first, cld_night, hospital_night, opel_night = (
        nights["first"], nights["second"], nights["third"], nights["fourth"])
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
    assert cld_chain <= set(nights["second"]["models_built"])
    for night in (nights["third"], nights["fourth"]):
        assert not cld_chain & set(night["models_built"])
    # Every measure's people: a hospital night rebuilds them for 2D(1) and 2D(2), OPEL never.
    assert "fct_ascof_measure_person" in nights["third"]["models_built"]
    assert "fct_ascof_measure_person" not in nights["fourth"]["models_built"]
