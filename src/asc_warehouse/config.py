"""Deployment configuration, read from the environment.

Every path the pipeline touches is derived here so that the DAG, the CLI and the tests agree.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SEEDS_DIR = PROJECT_ROOT / "seeds"
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"


@cache
def dbt_var(name: str) -> object:
    """A var of ``dbt_project.yml``: a business rule Python shares with the models."""
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    return project["vars"][name]


def dbt_var_strings(name: str) -> tuple[str, ...]:
    """A list var of ``dbt_project.yml`` (a code list), as strings."""
    values = dbt_var(name)
    if not isinstance(values, list):
        raise ValueError(f"dbt var {name!r} in dbt_project.yml is not a list")
    return tuple(str(value) for value in values)


PUBLISHED_FILE_NAME = "asc.duckdb"
BUILD_FILE_NAME = "asc_build.duckdb"
# The dbt build's defaults; dbt_project/profiles.yml repeats them for dbt run by hand (a test
# keeps the two equal). 1536MB keeps the whole build (DuckDB plus dbt's own Python, about
# 250 MB) under 2 GiB at Kent scale, leaving the scheduler room in a 4 GB container; it costs
# about 4% more CPU than 2GB there (docs/benchmarks.md).
DBT_MEMORY_LIMIT_DEFAULT = "1536MB"
DBT_THREADS_DEFAULT = 2


@dataclass(frozen=True)
class Settings:
    """Where extracts land, where the warehouse lives and how identifiers are keyed."""

    landing_dir: Path
    warehouse_dir: Path
    pseudonymisation_key: str | None
    sample_mode: bool
    log_dir: Path = Path("logs")
    """Run logs: outside the warehouse volume, so a full warehouse disk cannot cut them off."""
    landing_settle_minutes: float = 0
    """A file modified more recently waits for the next night unless its manifest matches."""
    load_memory_limit: str = "4GB"
    """DuckDB memory limit while loading; loading never spills (raw identifiers stay in RAM)."""
    dbt_memory_limit: str = DBT_MEMORY_LIMIT_DEFAULT
    """DuckDB memory limit of the dbt build; beyond it DuckDB spills to ``dbt_temp_parent``."""
    dbt_threads: int = DBT_THREADS_DEFAULT
    """dbt's model threads and DuckDB's worker threads during the build."""
    dbt_temp_parent: Path | None = None
    """Where the build's private spill folder is made (None: beside the build file). The build
    file holds pseudonymised data only, so what spills holds no raw identifier."""
    umask: int = 0o027
    """Files the pipeline creates: owner read-write, group read (0640), others nothing."""
    restricted_mode: int = 0o600
    """Mode of the person-level published file (0640 lets the folder's group read it)."""
    retention_months: int | None = None
    """Raw events that ended longer ago are purged each night (None: the policy is not set)."""
    staging_batch_bytes: int = 1024 * 1024 * 1024
    """The night's files are staged and loaded in groups of at most this many bytes (a bigger
    file is a group alone), so the staged copies never need room for every new file at once."""

    @property
    def build_dir(self) -> Path:
        return self.warehouse_dir / "build"

    @property
    def build_path(self) -> Path:
        """The file dbt writes into. Analysts never open it."""
        return self.build_dir / BUILD_FILE_NAME

    @property
    def staging_dir(self) -> Path:
        """Private copies of the night's files, each loaded exactly as it was checksummed."""
        return self.build_dir / "staging"

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
        log_dir=_resolve(os.environ.get("ASC_LOG_DIR", "logs")),
        landing_settle_minutes=float(os.environ.get("ASC_LANDING_SETTLE_MINUTES", "10")),
        load_memory_limit=os.environ.get("ASC_LOAD_MEMORY_LIMIT", "4GB"),
        dbt_memory_limit=os.environ.get("ASC_DBT_MEMORY_LIMIT", DBT_MEMORY_LIMIT_DEFAULT),
        dbt_threads=int(os.environ.get("ASC_DBT_THREADS", str(DBT_THREADS_DEFAULT))),
        dbt_temp_parent=_resolve(os.environ["ASC_DBT_TEMP_DIR"])
        if os.environ.get("ASC_DBT_TEMP_DIR") else None,
        umask=int(os.environ.get("ASC_UMASK", "027"), 8),
        restricted_mode=int(os.environ.get("ASC_RESTRICTED_MODE", "600"), 8),
        retention_months=int(os.environ["ASC_RETENTION_MONTHS"])
        if os.environ.get("ASC_RETENTION_MONTHS") else None,
        staging_batch_bytes=int(os.environ.get("ASC_STAGING_BATCH_MB", "1024")) * 1024 * 1024,
    )


def restrict_new_files(settings: Settings) -> None:
    """Apply the deployment's umask, so nothing the run writes is readable by other users."""
    os.umask(settings.umask)
