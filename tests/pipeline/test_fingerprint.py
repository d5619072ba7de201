"""A build's fingerprint changes with every input a build reads, and with nothing else."""

from __future__ import annotations

import re
import shutil
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from asc_warehouse.config import DBT_PROJECT_DIR, SEEDS_DIR
from asc_warehouse.ingest.ops_schema import ensure_ops_schema
from asc_warehouse.pipeline import fingerprint

# SQL that reads the clock: such a model must be refreshed on nights with no new input.
CLOCK = re.compile(r"\b(now\s*\(|current_date|current_timestamp|get_current_timestamp|today\s*\(|"
                   r"run_started_at)", re.IGNORECASE)
DATE_DEPENDENT_TAG = re.compile(r"config\([^)]*tags\s*=\s*\[[^\]]*['\"]date_dependent['\"]")


def _audit_row(con: duckdb.DuckDBPyConnection, load_id: str, status: str, checksum: str,
               at: datetime, feed: str = "cld") -> None:
    con.execute(
        "insert or replace into ops.load_audit values "
        "(?, ?, 'CLD_820_20240401_20260331_R2.csv', ?, '820', 'R2', '2024-04-01', "
        "'2026-03-31', ?, 3, 3, 0, null, ?, ?)",
        [load_id, feed, checksum, status, at, at],
    )


@pytest.fixture
def inputs(tmp_path: Path) -> dict[str, Path]:
    """Copies of the seeds and the dbt project, and a build file with one loaded file."""
    seeds = shutil.copytree(SEEDS_DIR, tmp_path / "seeds")
    project = shutil.copytree(DBT_PROJECT_DIR, tmp_path / "dbt_project", symlinks=True,
                              ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    build = tmp_path / "build.duckdb"
    with duckdb.connect(str(build)) as con:
        ensure_ops_schema(con)
        _audit_row(con, "820-a", "loaded", "a" * 64, datetime(2026, 4, 1, 2))
    return {"seeds": seeds, "project": project, "build": build}


def _current(inputs: dict[str, Path]) -> fingerprint.Fingerprint:
    return fingerprint.current(inputs["build"], inputs["seeds"], inputs["project"])


def _stored_now(inputs: dict[str, Path]) -> dict[str, str]:
    fingerprint.store(inputs["build"], _current(inputs), "night-1")
    return fingerprint.stored(inputs["build"])


def test_nothing_stored_means_everything_changed(inputs: dict[str, Path]) -> None:
    assert fingerprint.stored(inputs["build"]) == {}
    assert _current(inputs).changed_since({}) == ["loads", "seeds", "models", "vars",
                                                  "dbt_version", "key", "cld_purges",
                                                  "other_purges"]


def test_the_same_inputs_give_the_same_fingerprint(inputs: dict[str, Path]) -> None:
    stored = _stored_now(inputs)
    assert _current(inputs).changed_since(stored) == []


def test_a_new_loaded_file_changes_the_loads(inputs: dict[str, Path]) -> None:
    stored = _stored_now(inputs)
    with duckdb.connect(str(inputs["build"])) as con:
        _audit_row(con, "820-b", "loaded", "b" * 64, datetime(2026, 4, 2, 2))
    assert _current(inputs).changed_since(stored) == ["loads"]


def test_a_file_rejected_again_changes_nothing(inputs: dict[str, Path]) -> None:
    with duckdb.connect(str(inputs["build"])) as con:
        _audit_row(con, "820-c", "rejected", "c" * 64, datetime(2026, 4, 1, 2))
    stored = _stored_now(inputs)
    with duckdb.connect(str(inputs["build"])) as con:  # the next night, the same bad file
        _audit_row(con, "820-c", "rejected", "c" * 64, datetime(2026, 4, 2, 2))
    assert _current(inputs).changed_since(stored) == []


def test_the_feeds_whose_loads_changed_are_named(inputs: dict[str, Path]) -> None:
    with duckdb.connect(str(inputs["build"])) as con:
        _audit_row(con, "820-c", "rejected", "c" * 64, datetime(2026, 4, 1, 2))
    stored = _stored_now(inputs)
    assert _current(inputs).changed_feeds(stored) == frozenset()
    with duckdb.connect(str(inputs["build"])) as con:
        _audit_row(con, "820-c", "rejected", "c" * 64, datetime(2026, 4, 2, 2))
        _audit_row(con, "820-h", "loaded", "h" * 64, datetime(2026, 4, 2, 2), "hospital")
    assert _current(inputs).changed_feeds(stored) == {"hospital"}
    with duckdb.connect(str(inputs["build"])) as con:
        _audit_row(con, "820-o", "rejected", "o" * 64, datetime(2026, 4, 2, 2), "opel")
        con.execute("delete from ops.load_audit where load_id = '820-a'")
    assert _current(inputs).changed_feeds(stored) == {"cld", "hospital", "opel"}


def test_a_build_stored_without_feed_digests_cannot_name_the_feeds(
    inputs: dict[str, Path],
) -> None:
    """A build file from before the per-feed digests: which feeds changed is unknown."""
    stored = _stored_now(inputs)
    assert {name for name in stored if name.startswith("loads.")} == {"loads.cld"}
    older = {name: digest for name, digest in stored.items() if not name.startswith("loads.")}
    assert _current(inputs).changed_since(older) == []
    assert _current(inputs).changed_feeds(older) is None


def test_a_changed_seed_changes_the_seeds(inputs: dict[str, Path]) -> None:
    stored = _stored_now(inputs)
    councils = inputs["seeds"] / "ref_councils.csv"
    councils.write_text(councils.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert _current(inputs).changed_since(stored) == ["seeds"]


def test_a_changed_model_changes_the_models(inputs: dict[str, Path]) -> None:
    stored = _stored_now(inputs)
    model = next((inputs["project"] / "models" / "marts").rglob("*.sql"))
    model.write_text(model.read_text(encoding="utf-8") + "\n-- edited\n", encoding="utf-8")
    assert _current(inputs).changed_since(stored) == ["models"]


def test_a_changed_var_changes_the_vars_and_the_project(inputs: dict[str, Path]) -> None:
    stored = _stored_now(inputs)
    project_file = inputs["project"] / "dbt_project.yml"
    text = project_file.read_text(encoding="utf-8")
    assert "financial_year_start_month: 4" in text
    project_file.write_text(text.replace("financial_year_start_month: 4",
                                         "financial_year_start_month: 1"), encoding="utf-8")
    assert _current(inputs).changed_since(stored) == ["models", "vars"]


def test_what_dbt_writes_into_the_project_changes_nothing(inputs: dict[str, Path]) -> None:
    stored = _stored_now(inputs)
    (inputs["project"] / "target").mkdir()
    (inputs["project"] / "target" / "manifest.json").write_text("{}", encoding="utf-8")
    (inputs["project"] / "logs").mkdir()
    (inputs["project"] / "logs" / "dbt.log").write_text("ran", encoding="utf-8")
    (inputs["project"] / ".user.yml").write_text("id: someone-else\n", encoding="utf-8")
    assert _current(inputs).changed_since(stored) == []


def test_forgetting_before_a_full_build_leaves_nothing_stored(inputs: dict[str, Path]) -> None:
    _stored_now(inputs)
    fingerprint.forget(inputs["build"])
    assert fingerprint.stored(inputs["build"]) == {}


def test_every_model_that_reads_the_clock_is_tagged_date_dependent() -> None:
    models = list((DBT_PROJECT_DIR / "models").rglob("*.sql"))
    reading_the_clock = [m for m in models if CLOCK.search(m.read_text(encoding="utf-8"))]
    assert reading_the_clock, "no model reads the clock: is the pattern still right?"
    untagged = [m.name for m in reading_the_clock
                if not DATE_DEPENDENT_TAG.search(m.read_text(encoding="utf-8"))]
    assert untagged == []


def _purge(inputs: dict[str, Path], table: str, day: int, rows_purged: int) -> None:
    with duckdb.connect(str(inputs["build"])) as con:
        con.execute("create table if not exists ops.retention_audit (run_at timestamp, "
                    "table_name varchar, retention_months integer, cutoff date, "
                    "rows_purged bigint)")
        con.execute("insert into ops.retention_audit values (?, ?, 84, ?, ?)",
                    [datetime(2026, 4, day, 2), table, datetime(2019, 4, day), rows_purged])


@pytest.mark.parametrize(("table", "component"), [
    ("raw.cld_events", "cld_purges"),
    ("raw.hospital_discharges", "other_purges"),
    ("raw.safeguarding_concerns", "other_purges"),
    ("raw.dols_applications", "other_purges"),
])
def test_a_purge_that_deleted_rows_changes_its_feeds_purges(
    inputs: dict[str, Path], table: str, component: str
) -> None:
    _purge(inputs, table, 1, 0)
    stored = _stored_now(inputs)
    _purge(inputs, table, 2, 0)  # nothing old enough: no change
    assert _current(inputs).changed_since(stored) == []
    _purge(inputs, table, 3, 12)
    assert _current(inputs).changed_since(stored) == [component]


@pytest.mark.parametrize("package", ["dbt-core", "dbt-duckdb", "duckdb"])
def test_a_new_release_of_the_build_engine_changes_the_dbt_version(
    inputs: dict[str, Path], package: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored = _stored_now(inputs)
    installed = fingerprint.version
    monkeypatch.setattr(fingerprint, "version", lambda name: "99.0.0" if name == package
                        else installed(name))
    assert _current(inputs).changed_since(stored) == ["dbt_version"]


def test_another_key_changes_the_key(inputs: dict[str, Path]) -> None:
    with duckdb.connect(str(inputs["build"])) as con:
        con.execute("create table ops.pseudonymisation_key (fingerprint varchar not null, "
                    "first_used_at timestamp not null)")
        con.execute("insert into ops.pseudonymisation_key values ('k1', '2026-04-01')")
    stored = _stored_now(inputs)
    with duckdb.connect(str(inputs["build"])) as con:
        con.execute("update ops.pseudonymisation_key set fingerprint = 'k2'")
    assert _current(inputs).changed_since(stored) == ["key"]


@pytest.mark.parametrize(("changed", "incremental"), [
    (["loads"], True),
    (["loads", "seeds"], False),
    (["models"], False),
    (["loads", "key"], False),
    (["loads", "cld_purges"], False),
    (["cld_purges"], False),
    (["loads", "other_purges"], True),
    (["other_purges"], True),
    (["other_purges", "seeds"], False),
    ([], False),
])
def test_only_new_loads_may_build_incrementally(changed: list[str], incremental: bool) -> None:
    assert fingerprint.only_new_loads(changed, {"loads": "x"}) is incremental


def test_loads_with_no_build_before_need_a_full_build() -> None:
    assert fingerprint.only_new_loads(["loads"], {}) is False
