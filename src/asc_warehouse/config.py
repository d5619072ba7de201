"""Deployment configuration, read from the environment.

Every path the pipeline touches is derived here so that the DAG, the CLI and the tests agree.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SEEDS_DIR = PROJECT_ROOT / "seeds"
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"

PUBLISHED_FILE_NAME = "asc.duckdb"
BUILD_FILE_NAME = "asc_build.duckdb"


@dataclass(frozen=True)
class Settings:
    """Where extracts land, where the warehouse lives and how identifiers are keyed."""

    landing_dir: Path
    warehouse_dir: Path
    pseudonymisation_key: str | None
    sample_mode: bool

    @property
    def build_dir(self) -> Path:
        return self.warehouse_dir / "build"

    @property
    def build_path(self) -> Path:
        """The file dbt writes into. Analysts never open it."""
        return self.build_dir / BUILD_FILE_NAME

    @property
    def published_path(self) -> Path:
        """The file analysts open read-only; replaced atomically by each good run."""
        return self.warehouse_dir / PUBLISHED_FILE_NAME


def _resolve(path_text: str) -> Path:
    # Relative to the project, never to wherever a scheduler or a shell happened to start.
    path = Path(path_text)
    return path if path.is_absolute() else (PROJECT_ROOT / path).resolve()


def load_settings() -> Settings:
    """Read settings from ``ASC_*`` environment variables, with the embedded defaults."""
    return Settings(
        landing_dir=_resolve(os.environ.get("ASC_LANDING_DIR", "landing")),
        warehouse_dir=_resolve(os.environ.get("ASC_WAREHOUSE_DIR", "warehouse")),
        pseudonymisation_key=os.environ.get("ASC_PSEUDONYMISATION_KEY") or None,
        sample_mode=os.environ.get("ASC_SAMPLE_MODE", "").lower() in {"1", "true", "yes"},
    )
