"""Shared fixtures: isolated landing and warehouse folders."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from asc_warehouse.config import Settings, load_settings

# Airflow reads its home when first imported: keep test runs away from ~/airflow and the
# project's own .airflow folder.
os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="asc-airflow-"))
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Settings pointing at empty folders under tmp_path, in sample-data mode."""
    monkeypatch.setenv("ASC_LANDING_DIR", str(tmp_path / "landing"))
    monkeypatch.setenv("ASC_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    monkeypatch.setenv("ASC_SAMPLE_MODE", "1")
    monkeypatch.delenv("ASC_PSEUDONYMISATION_KEY", raising=False)
    yield load_settings()
