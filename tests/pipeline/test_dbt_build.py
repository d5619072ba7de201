"""A failed dbt run is reported by the names of its failed nodes, never by dbt's own text; the
profile bounds the build's memory and threads and spills to a private folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from argparse import Namespace
from dataclasses import replace
from pathlib import Path
from subprocess import CompletedProcess

import duckdb
import pytest
from dbt.config.profile import Profile, read_profile
from dbt.config.renderer import ProfileRenderer
from dbt.flags import set_from_args
from dbt_common.context import set_invocation_context

from asc_warehouse.config import (
    DBT_MEMORY_LIMIT_DEFAULT,
    DBT_PROJECT_DIR,
    DBT_THREADS_DEFAULT,
    Settings,
    load_settings,
)
from asc_warehouse.pipeline import dbt_build
from asc_warehouse.pipeline.dbt_build import _failure_message, dbt_environment

# What a DuckDB cast error in a model looks like in run_results.json: it quotes the value.
RUN_RESULTS = {"results": [
    {"unique_id": "model.asc_warehouse.stg_cld__events", "status": "error",
     "message": "Conversion Error: Could not convert string 'Jo Bloggs 9434765919' to DATE"},
    {"unique_id": "test.asc_warehouse.assert_x", "status": "fail", "message": "Got 3 results"},
    {"unique_id": "model.asc_warehouse.dim_council", "status": "success", "message": "OK"},
]}


def test_the_message_names_failed_nodes_and_never_quotes_dbt(tmp_path: Path) -> None:
    run_results = tmp_path / "run_results.json"
    run_results.write_text(json.dumps(RUN_RESULTS), encoding="utf-8")
    message = _failure_message(("build",), run_results, {"DBT_LOG_PATH": "/var/log/dbt"})
    assert message == (
        "dbt build failed: 2 node(s): model.asc_warehouse.stg_cld__events (error); "
        "test.asc_warehouse.assert_x (fail); dbt's log in /var/log/dbt has the details"
    )
    assert "Bloggs" not in message and "9434765919" not in message


def test_a_failed_row_checks_test_names_its_failed_checks_without_values(
    tmp_path: Path
) -> None:
    """The failed row_checks test's query runs again on the build file (read only, after dbt);
    one that errored (its query did not run in dbt either) and any other failed test do not
    run; a query that fails again is not quoted (its text here holds a name)."""
    build_file = tmp_path / "asc_build.duckdb"
    with duckdb.connect(str(build_file)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.fct_x as select * from (values ('p1', null), "
                    "('p2', null), ('p3', 'Jo Bloggs')) as rows (person_id, band)")
    check_query = ("select 'not null' as check_kind, 'band' as checked, count(*) as failing_rows "
                   "from asc_build.marts.fct_x where band is null")
    never_run = "select 'expression' as check_kind, 'never run' as checked, 1 as failing_rows"
    run_results = tmp_path / "run_results.json"
    environment = {"DBT_LOG_PATH": "/var/log/dbt", "ASC_BUILD_PATH": str(build_file),
                   "ASC_DBT_MEMORY_LIMIT": "100MB"}

    def message_for(*results: dict[str, str]) -> str:
        run_results.write_text(json.dumps({"results": results}), encoding="utf-8")
        return _failure_message(("build",), run_results, environment)

    row_checks = {"unique_id": "test.asc_warehouse.row_checks_fct_x", "status": "fail",
                  "compiled_code": check_query}
    assert message_for(
        row_checks,
        {"unique_id": "test.asc_warehouse.row_checks_fct_y", "status": "error",
         "compiled_code": never_run},
        {"unique_id": "test.asc_warehouse.assert_x", "status": "fail", "compiled_code": never_run},
    ) == (
        "dbt build failed: 3 node(s): test.asc_warehouse.assert_x (fail); "
        "test.asc_warehouse.row_checks_fct_x (fail); test.asc_warehouse.row_checks_fct_y "
        "(error); dbt's log in /var/log/dbt has the details. "
        "Failed checks: row_checks_fct_x: not null band (2 rows)")
    failing_again = {**row_checks, "compiled_code":
                     "select cast(band as date), 'x', 1 from asc_build.marts.fct_x "
                     "where band is not null"}
    message = message_for(failing_again)
    assert message.endswith(
        "Failed checks: its failing checks could not be read again from the build file")
    assert "Bloggs" not in message


def test_a_run_that_failed_before_any_node_says_so(tmp_path: Path) -> None:
    message = _failure_message(("build", "--full-refresh"), tmp_path / "run_results.json",
                               {"DBT_LOG_PATH": "/var/log/dbt"})
    assert message == ("dbt build --full-refresh failed before running any node; "
                       "dbt's log in /var/log/dbt has the details")


def _rendered_profile(environment: dict[str, str]) -> Profile:
    """The profile as dbt itself renders it from ``environment``."""
    set_from_args(Namespace(), None)
    set_invocation_context(environment)
    return Profile.from_raw_profiles(
        read_profile(str(DBT_PROJECT_DIR)), "asc_warehouse", renderer=ProfileRenderer({}))


def test_the_settings_read_memory_limit_threads_and_spill_parent_from_the_environment(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASC_DBT_MEMORY_LIMIT", "123MB")
    monkeypatch.setenv("ASC_DBT_THREADS", "3")
    monkeypatch.setenv("ASC_DBT_TEMP_DIR", str(tmp_path / "spill"))
    configured = load_settings()
    assert (configured.dbt_memory_limit, configured.dbt_threads, configured.dbt_temp_parent) == (
        "123MB", 3, tmp_path / "spill")


def test_the_profile_takes_memory_limit_threads_and_spill_folder_from_the_settings(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("ASC_DBT_MEMORY_LIMIT", "ASC_DBT_THREADS", "ASC_DBT_TEMP_DIR"):
        monkeypatch.delenv(name, raising=False)
    configured = replace(settings, dbt_memory_limit="123MB", dbt_threads=3)
    spill = tmp_path / "spill"
    profile = _rendered_profile(dbt_environment(configured, spill_dir=spill))
    assert profile.threads == 3
    assert profile.credentials.config_options == {
        "memory_limit": "123MB", "threads": "3", "temp_directory": str(spill)}


def test_the_profile_defaults_are_the_settings_defaults(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # dbt run by hand (sqlfluff, a developer) has no ASC_DBT_* variables: same bounds as a night.
    environment = {"ASC_BUILD_PATH": str(settings.build_path)}
    profile = _rendered_profile(environment)
    assert profile.threads == DBT_THREADS_DEFAULT == settings.dbt_threads
    assert profile.credentials.config_options == {
        "memory_limit": DBT_MEMORY_LIMIT_DEFAULT, "threads": str(DBT_THREADS_DEFAULT),
        "temp_directory": f"{settings.build_path}.tmp"}
    assert settings.dbt_memory_limit == DBT_MEMORY_LIMIT_DEFAULT


def test_the_deployments_spill_parent_is_never_duckdbs_temp_directory(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # ASC_DBT_TEMP_DIR names the folder that holds each run's private folder; dbt run by hand
    # in the deployment's environment must not spill into that shared folder itself.
    parent = tmp_path / "spill-parent"
    monkeypatch.setenv("ASC_DBT_TEMP_DIR", str(parent))
    monkeypatch.setenv("ASC_DBT_SPILL_DIR", str(tmp_path / "a-previous-run"))
    by_hand = _rendered_profile({"ASC_BUILD_PATH": str(settings.build_path),
                                 "ASC_DBT_TEMP_DIR": str(parent)})
    assert by_hand.credentials.config_options["temp_directory"] == f"{settings.build_path}.tmp"
    private = parent / "dbt_spill_1_x"
    by_the_pipeline = _rendered_profile(dbt_environment(settings, spill_dir=private))
    assert by_the_pipeline.credentials.config_options["temp_directory"] == str(private)
    assert "ASC_DBT_SPILL_DIR" not in dbt_environment(settings)


def test_an_out_of_memory_failure_says_which_limit_to_raise(tmp_path: Path) -> None:
    run_results = tmp_path / "run_results.json"
    run_results.write_text(json.dumps({"results": [
        {"unique_id": "model.asc_warehouse.int_cld_events_deduplicated", "status": "error",
         "message": "Out of Memory Error: failed to allocate data of size 16.0 MiB "
                    "(95.3 MiB/95.3 MiB used)"},
    ]}), encoding="utf-8")
    message = _failure_message(("build",), run_results, {
        "DBT_LOG_PATH": "/var/log/dbt", "ASC_DBT_MEMORY_LIMIT": "100MB"})
    assert message == (
        "dbt build failed: 1 node(s): model.asc_warehouse.int_cld_events_deduplicated (error); "
        "dbt's log in /var/log/dbt has the details. DuckDB ran out of memory within "
        "ASC_DBT_MEMORY_LIMIT (100MB) even after spilling to disk: raise the limit, or free "
        "space where ASC_DBT_TEMP_DIR points")


def test_a_full_disk_says_where_to_make_room(tmp_path: Path) -> None:
    run_results = tmp_path / "run_results.json"
    run_results.write_text(json.dumps({"results": [
        {"unique_id": "model.asc_warehouse.int_cld_events_deduplicated", "status": "error",
         "message": "Runtime Error in model int_cld_events_deduplicated\n  IO Error: Could not "
                    "write file \"/w/build/dbt_spill_of_asc_build_x/duckdb_temp_1.tmp\": No "
                    "space left on device"},
        {"unique_id": "model.asc_warehouse.int_cld_person_details", "status": "skipped",
         "message": "skipped"},
    ]}), encoding="utf-8")
    message = _failure_message(("build",), run_results, {
        "DBT_LOG_PATH": "/var/log/dbt", "ASC_DBT_MEMORY_LIMIT": "1536MB"})
    assert message == (
        "dbt build failed: 1 node(s): model.asc_warehouse.int_cld_events_deduplicated (error); "
        "dbt's log in /var/log/dbt has the details. The disk filled up while DuckDB wrote the "
        "build file or spilled beyond ASC_DBT_MEMORY_LIMIT (1536MB): free space on the "
        "warehouse volume, point ASC_DBT_TEMP_DIR at a disk with room, or raise the limit so "
        "that less spills")


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_run_removes_spill_folders_of_killed_runs_and_never_a_live_ones(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parent = tmp_path / "spill-parent"
    killed = parent / f"dbt_spill_{_dead_pid()}_abc123"
    live = parent / f"dbt_spill_{os.getpid()}_def456"
    for folder in (killed, live):
        folder.mkdir(parents=True)
        (folder / "duckdb_temp_block-1.block").write_bytes(b"spilled")
    seen: list[Path] = []

    def dbt(command: list[str], env: dict[str, str], **_: object) -> CompletedProcess[str]:
        spill = Path(env["ASC_DBT_SPILL_DIR"])
        assert spill.is_dir() and not killed.exists() and live.is_dir()
        seen.append(spill.resolve())
        return CompletedProcess(command, 0, "Completed successfully", "")

    monkeypatch.setattr(dbt_build.subprocess, "run", dbt)
    dbt_build.run_dbt(replace(settings, dbt_temp_parent=parent), "build")
    [spill] = seen
    assert spill.parent == parent.resolve()
    assert spill.name.startswith(f"dbt_spill_{os.getpid()}_")
    assert sorted(path.name for path in parent.iterdir()) == [live.name]


def test_each_run_spills_to_its_own_folder_under_the_same_name(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """dbt parses the whole project again when its profile changes, and DuckDB's temp_directory
    is part of the profile: two runs give DuckDB the same path, each reaching its own private
    (0700) folder, which is gone afterwards."""
    parent = tmp_path / "spill-parent"
    seen: list[tuple[str, Path, int]] = []

    def dbt(command: list[str], env: dict[str, str], **_: object) -> CompletedProcess[str]:
        spill = Path(env["ASC_DBT_SPILL_DIR"])
        seen.append((str(spill), spill.resolve(), spill.resolve().stat().st_mode & 0o777))
        return CompletedProcess(command, 0, "Completed successfully", "")

    monkeypatch.setattr(dbt_build.subprocess, "run", dbt)
    for _ in range(2):
        dbt_build.run_dbt(replace(settings, dbt_temp_parent=parent), "build")
    dbt_build.run_dbt(replace(settings, dbt_temp_parent=parent), "build",
                      build_path=tmp_path / "other" / "opel_build.duckdb")
    (first, first_folder, mode), (second, second_folder, _), (other, _, _) = seen
    assert first == second != other
    assert first_folder != second_folder and mode == 0o700
    assert list(parent.iterdir()) == []
