"""dbt's static docs site, written beside the scorecard site at publication.

``dbt docs generate --static`` writes one self-contained ``static_index.html`` (manifest and
catalog inlined), which opens from ``file://``; it is copied to ``<warehouse>/dbt_docs/``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from asc_warehouse.config import Settings
from asc_warehouse.pipeline.dbt_build import run_dbt

DBT_DOCS_DIR_NAME = "dbt_docs"
STATIC_INDEX = "static_index.html"


def dbt_docs_dir(warehouse_dir: Path) -> Path:
    return Path(warehouse_dir) / DBT_DOCS_DIR_NAME


def generate(settings: Settings) -> Path:
    """Generate the docs from the build file (read only by dbt here) and copy them beside."""
    target_path = settings.build_dir / "dbt_target"
    arguments = ["docs", "generate", "--static"]
    if (target_path / "manifest.json").exists():
        # The nightly build has just compiled every model: reuse its manifest (4x faster).
        arguments.append("--no-compile")
    run_dbt(settings, *arguments)
    source = target_path / STATIC_INDEX
    target = dbt_docs_dir(settings.warehouse_dir)
    target.mkdir(parents=True, exist_ok=True)
    staging = target / "index.html.new"
    shutil.copyfile(source, staging)
    os.replace(staging, target / "index.html")
    return target / "index.html"
