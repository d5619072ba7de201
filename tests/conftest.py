"""Shared fixtures: isolated landing and warehouse folders."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from asc_warehouse.config import Settings, load_settings
from asc_warehouse.pipeline.dbt_build import run_dbt

TEST_KEY = "test-key-not-for-real-data"

# Airflow reads its home when first imported: keep test runs away from ~/airflow and the
# project's own .airflow folder. The folder is removed when the test process exits.
_AIRFLOW_HOME = tempfile.TemporaryDirectory(prefix="asc-airflow-")
os.environ.setdefault("AIRFLOW_HOME", _AIRFLOW_HOME.name)
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Settings pointing at empty folders under tmp_path, with a test key.

    Hand-written test files are not the sample generator's, so the sample key would refuse them.
    """
    monkeypatch.setenv("ASC_LANDING_DIR", str(tmp_path / "landing"))
    monkeypatch.setenv("ASC_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    monkeypatch.setenv("ASC_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setenv("ASC_LANDING_SETTLE_MINUTES", "0")
    monkeypatch.delenv("ASC_SAMPLE_MODE", raising=False)
    monkeypatch.setenv("ASC_PSEUDONYMISATION_KEY", TEST_KEY)
    yield load_settings()


@pytest.fixture(scope="session")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The manifest ``dbt parse`` writes for the project: what dbt itself sees of every node."""
    root = tmp_path_factory.mktemp("dbt-parse")
    parse_settings = Settings(landing_dir=root / "landing", warehouse_dir=root / "warehouse",
                              pseudonymisation_key=None, sample_mode=True)
    parse_settings.build_dir.mkdir(parents=True)
    run_dbt(parse_settings, "parse")
    return json.loads((parse_settings.build_dir / "dbt_target" / "manifest.json").read_text())
