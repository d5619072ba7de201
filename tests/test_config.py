"""Settings resolve the same wherever a process starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from asc_warehouse.config import PROJECT_ROOT, load_settings
from asc_warehouse.pipeline.dbt_build import dbt_environment


def test_relative_paths_resolve_against_the_project_not_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASC_LANDING_DIR", "landing")
    monkeypatch.setenv("ASC_WAREHOUSE_DIR", "data/warehouse")
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings.landing_dir == PROJECT_ROOT / "landing"
    assert settings.warehouse_dir == PROJECT_ROOT / "data" / "warehouse"


def test_absolute_paths_are_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASC_WAREHOUSE_DIR", str(tmp_path / "w"))
    assert load_settings().warehouse_dir == tmp_path / "w"


def test_dbt_target_and_log_paths_of_the_deployment_are_honoured(
    settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "state" / "target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "state" / "logs"))
    environment = dbt_environment(settings)
    assert environment["DBT_TARGET_PATH"] == str(tmp_path / "state" / "target")
    assert environment["DBT_LOG_PATH"] == str(tmp_path / "state" / "logs")


def test_dbt_writes_beside_the_build_file_by_default(
    settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DBT_TARGET_PATH", raising=False)
    monkeypatch.delenv("DBT_LOG_PATH", raising=False)
    environment = dbt_environment(settings)
    assert Path(environment["DBT_TARGET_PATH"]).parent == settings.build_dir
    assert Path(environment["DBT_LOG_PATH"]).parent == settings.build_dir
