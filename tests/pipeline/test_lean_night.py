"""Which build a night chooses: full when an input changed, lean when nothing did, and
incremental, of only what the changes reach, when nothing but loads and other feeds' purges did.

dbt itself is replaced here by a recorder, so that each night's choice is seen in milliseconds;
the real builds of both kinds run in tests/production/test_production.py.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from asc_warehouse.config import Settings
from asc_warehouse.ingest.ops_schema import ensure_ops_schema
from asc_warehouse.pipeline import dbt_build, fingerprint, nightly
from asc_warehouse.pipeline.build_selection import incremental_selector


class DbtRecorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, ...]] = []

    def build(self, settings: Settings, *, full_refresh: bool = True) -> str:
        self.calls.append(("build",) if full_refresh else ("build", "incremental"))
        return "Completed successfully"

    def refresh(self, settings: Settings, selector: str) -> str:
        self.calls.append(("refresh", selector))
        return "Completed successfully"


@pytest.fixture
def dbt(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> DbtRecorder:
    recorder = DbtRecorder()
    monkeypatch.setattr(dbt_build, "build", recorder.build)
    monkeypatch.setattr(dbt_build, "refresh", recorder.refresh)
    monkeypatch.setattr(dbt_build, "last_build_report", lambda _: dbt_build.BuildReport(
        models_built=["fct_feed_freshness"], seeds_loaded=0, tests_passed=3, tests_failed=0,
        tests_warned=0))
    settings.build_dir.mkdir(parents=True)
    with duckdb.connect(str(settings.build_path)) as con:
        ensure_ops_schema(con)
    return recorder


def _load(settings: Settings, load_id: str, feed: str = "cld") -> None:
    with duckdb.connect(str(settings.build_path)) as con:
        con.execute(
            "insert into ops.load_audit values (?, ?, 'f.csv', ?, '820', 'R2', "
            "'2024-04-01', '2026-03-31', 'loaded', 1, 1, 0, null, ?, ?)",
            [load_id, feed, load_id * 8, datetime(2026, 4, 1), datetime(2026, 4, 1)],
        )


def test_first_night_full_then_lean_until_a_new_file_loads(
    settings: Settings, dbt: DbtRecorder
) -> None:
    _load(settings, "820-a")
    first = nightly.build_marts("night-1")
    second = nightly.build_marts("night-2")
    _load(settings, "820-b")
    third = nightly.build_marts("night-3")
    cld_night = incremental_selector(["loads"], frozenset({"cld"}))
    assert dbt.calls == [("build",), ("refresh", nightly.LEAN_SELECTOR), ("refresh", cld_night)]
    assert (first["mode"], first["changed"][:1], first["selected"]) == ("full", ["loads"], None)
    assert (second["mode"], second["changed"]) == ("lean", [])
    assert (third["mode"], third["changed"], third["selected"]) == (
        "incremental", ["loads"], cld_night)
    assert "source:cld.cld_events+" in cld_night.split()


def test_a_night_with_only_a_hospital_file_selects_the_hospital_feed(
    settings: Settings, dbt: DbtRecorder
) -> None:
    _load(settings, "820-a")
    nightly.build_marts("night-1")
    _load(settings, "820-h", "hospital")
    second = nightly.build_marts("night-2")
    assert dbt.calls[-1] == ("refresh", second["selected"])
    assert "source:hospital.hospital_discharges+" in second["selected"].split()
    assert "source:cld.cld_events+" not in second["selected"].split()


def test_a_build_stored_before_feed_digests_builds_the_whole_project(
    settings: Settings, dbt: DbtRecorder
) -> None:
    _load(settings, "820-a")
    nightly.build_marts("night-1")
    with duckdb.connect(str(settings.build_path)) as con:
        con.execute(f"delete from {fingerprint.FINGERPRINT_TABLE} where component like 'loads.%'")
    _load(settings, "820-b")
    second = nightly.build_marts("night-2")
    assert dbt.calls[-1] == ("build", "incremental")
    assert (second["mode"], second["selected"]) == ("incremental", None)
    assert fingerprint.current(settings.build_path).changed_feeds(
        fingerprint.stored(settings.build_path)) == frozenset()


def test_new_loads_with_a_changed_seed_build_in_full(
    settings: Settings, dbt: DbtRecorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    _load(settings, "820-a")
    nightly.build_marts("night-1")
    _load(settings, "820-b")
    real_current = fingerprint.current

    def with_a_changed_seed(build_path: Path) -> fingerprint.Fingerprint:
        return replace(real_current(build_path), seeds="changed")

    monkeypatch.setattr(fingerprint, "current", with_a_changed_seed)
    second = nightly.build_marts("night-2")
    assert dbt.calls == [("build",), ("build",)]
    assert (second["mode"], second["changed"]) == ("full", ["loads", "seeds"])


def test_a_full_build_that_fails_is_followed_by_another_full_build(
    settings: Settings, dbt: DbtRecorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    _load(settings, "820-a")
    nightly.build_marts("night-1")

    def failing(_: Settings, *selector: str, **options: bool) -> str:
        raise dbt_build.DbtBuildError("a dbt test failed")

    _load(settings, "820-b")
    monkeypatch.setattr(dbt_build, "build", failing)
    monkeypatch.setattr(dbt_build, "refresh", failing)
    with pytest.raises(dbt_build.DbtBuildError):
        nightly.build_marts("night-2")
    assert fingerprint.stored(settings.build_path) == {}
    monkeypatch.setattr(dbt_build, "build", dbt.build)
    assert nightly.build_marts("night-3")["mode"] == "full"


def test_the_summary_says_a_night_was_lean() -> None:
    summary = {
        "run_id": "night-2", "finished_at": "2026-04-02T02:10:00+00:00", "files": [],
        "checks_passed": 10, "checks_failed": 0, "failed_checks": [],
        "build": {"mode": "lean", "changed": [], "models_built": ["fct_feed_freshness"],
                  "seeds_loaded": 0, "tests_passed": 3, "tests_warned": 0, "tests_failed": 0},
        "opel_escalations": [], "headline_measures": [], "kpi_scorecard": [],
    }
    text = nightly.format_summary(summary)
    assert "Build: lean, no new or changed input" in text
    assert "fct_feed_freshness" in text


def test_a_missing_build_file_means_a_full_build(tmp_path: Path) -> None:
    missing = tmp_path / "none.duckdb"
    assert fingerprint.stored(missing) == {}
    assert fingerprint.current(missing).changed_since({})[0] == "loads"


@pytest.mark.parametrize(("purged_table", "changed", "mode", "call"), [
    ("raw.cld_events", ["cld_purges"], "full", ("build",)),
    ("raw.hospital_discharges", ["other_purges"], "incremental",
     ("refresh", incremental_selector(["other_purges"], None))),
    ("raw.safeguarding_concerns", ["other_purges"], "incremental",
     ("refresh", incremental_selector(["other_purges"], None))),
    ("raw.dols_applications", ["other_purges"], "incremental",
     ("refresh", incremental_selector(["other_purges"], None))),
])
def test_only_a_cld_purge_forces_a_full_build(
    settings: Settings, dbt: DbtRecorder, purged_table: str, changed: list[str], mode: str,
    call: tuple[str, ...],
) -> None:
    """Per-file (incremental) models read CLD only; the models reading the other feeds are
    tables and views that every build rebuilds, so their purge needs a build, not a full one."""
    _load(settings, "820-a")
    nightly.build_marts("night-1")
    with duckdb.connect(str(settings.build_path)) as con:
        con.execute("create table ops.retention_audit (run_at timestamp, table_name varchar, "
                    "retention_months integer, cutoff date, rows_purged bigint)")
        con.execute("insert into ops.retention_audit values "
                    "('2026-04-02 02:00', ?, 84, '2019-04-02', 5)", [purged_table])
    second = nightly.build_marts("night-2")
    assert dbt.calls == [("build",), call]
    assert (second["mode"], second["changed"]) == (mode, changed)


def test_the_summary_names_what_an_incremental_night_selected() -> None:
    selected = incremental_selector(["loads"], frozenset({"cld"}))
    summary = {
        "run_id": "night-3", "finished_at": "2026-04-03T02:10:00+00:00", "files": [],
        "checks_passed": 10, "checks_failed": 0, "failed_checks": [],
        "build": {"mode": "incremental", "changed": ["loads"], "selected": selected,
                  "models_built": ["fct_ascof_measure", "fct_feed_freshness"],
                  "seeds_loaded": 0, "tests_passed": 3, "tests_warned": 0, "tests_failed": 0},
        "opel_escalations": [], "headline_measures": [], "kpi_scorecard": [],
    }
    text = nightly.format_summary(summary)
    assert (f"Build: incremental (loads changed): 2 models, 0 seeds; only what the changes "
            f"reach: {selected}") in text
    summary["build"]["selected"] = None
    assert "Build: incremental (loads changed): 2 models, 0 seeds\n" in nightly.format_summary(
        summary)
