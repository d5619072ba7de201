"""A night that only adds files builds incrementally by load, and equals a full rebuild.

Night 1 loads the sample's CLD files but Kent's newest and builds in full. Night 2 lands Kent's
newest file and a corrected copy of an old Medway file under the same name (superseding its
first load), and builds incrementally. The same build file rebuilt with ``--full-refresh`` must
publish exactly the same marts, in the aggregate and the restricted file.
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

from asc_warehouse.config import Settings
from asc_warehouse.pipeline import dbt_build, nightly, publish
from asc_warehouse.sample_data import generate_sample_extracts

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


@pytest.fixture
def nights(settings: Settings, tmp_path: Path) -> dict[str, object]:
    pool = tmp_path / "pool"
    generated = generate_sample_extracts(pool, scale=0.02, with_faults=True)
    cld = sorted(path for path in generated if path.name.startswith("CLD_"))
    newest_kent = max(path for path in cld if path.name.startswith("CLD_820_"))
    corrected = max(path for path in cld if path.name.startswith("CLD_821_")
                    and path.name < "CLD_821_2025")
    landing = settings.landing_dir
    for path in cld:
        if path != newest_kent:
            target = landing / path.relative_to(pool)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
    first = _night("night-1")
    shutil.copy2(newest_kent, landing / newest_kent.relative_to(pool))
    # Arrives after every generated file, and not in the future (it would wait to settle).
    arrival = max(path.stat().st_mtime for path in cld) + 1
    time.sleep(max(0.0, arrival - time.time()))
    _correct(landing / corrected.relative_to(pool), arrival)
    second = _night("night-2")
    # What night 2's incremental run of the failure mart read, before anything else runs dbt.
    failure_sql = (Path(dbt_build.dbt_environment(settings)["DBT_TARGET_PATH"]) / "compiled"
                       / "asc_warehouse" / "models" / "marts" / "data_quality"
                       / "fct_cld_field_quality_failure.sql").read_text(encoding="utf-8")

    rebuilt = tmp_path / "rebuilt.duckdb"
    shutil.copy2(settings.build_path, rebuilt)
    dbt_build.run_dbt(settings, "build", "--full-refresh", "--exclude-resource-type",
                      "unit_test", build_path=rebuilt, work_dir=tmp_path / "rebuild")
    incremental_published = tmp_path / "incremental" / "asc.duckdb"
    rebuilt_published = tmp_path / "rebuilt" / "asc.duckdb"
    publish.publish(settings.build_path, incremental_published, "night-2")
    publish.publish(rebuilt, rebuilt_published, "night-2")
    return {"first": first, "second": second, "corrected": corrected.name,
            "failure_sql": failure_sql,
            "build": settings.build_path, "incremental": incremental_published,
            "rebuilt": rebuilt_published}


def test_a_night_adding_files_builds_incrementally_and_equals_a_full_rebuild(
    nights: dict,
) -> None:
    assert (nights["first"]["mode"], nights["second"]["mode"]) == ("full", "incremental")
    assert nights["second"]["changed"] == ["loads"]
    for published in ("incremental", "rebuilt"):
        assert _marts(nights[published]) and _marts(publish.restricted_path_for(
            nights[published]))
    assert _marts(nights["incremental"]) == _marts(nights["rebuilt"])
    assert _differences(nights["incremental"], nights["rebuilt"]) == {}
    restricted = publish.restricted_path_for(nights["incremental"])
    assert _marts(restricted) == _marts(publish.restricted_path_for(nights["rebuilt"]))
    assert _differences(restricted, publish.restricted_path_for(nights["rebuilt"])) == {}
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
