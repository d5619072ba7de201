"""A dbt build under a memory limit too small for it fails saying which limit to raise, and
leaves no spill folder behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from asc_warehouse.config import Settings
from asc_warehouse.ingest.extracts import load_extracts
from asc_warehouse.ingest.landing import parse_extract_name
from asc_warehouse.pipeline import dbt_build
from asc_warehouse.sample_data import generate_sample_extracts

CLD_FILE = "CLD_820_20240401_20250331_R2.csv"


def test_a_build_beyond_its_memory_limit_fails_naming_the_limit(tmp_path: Path) -> None:
    extract = {path.name: path for path in
               generate_sample_extracts(tmp_path / "generated", scale=0.02)}[CLD_FILE]
    settings = Settings(tmp_path / "landing", tmp_path / "warehouse", None, sample_mode=True,
                        dbt_memory_limit="8MB", dbt_threads=1)
    [loaded] = load_extracts(settings.build_path, [parse_extract_name(extract)], "same-key")
    assert loaded.status == "loaded"
    with pytest.raises(dbt_build.DbtBuildError) as failure:
        dbt_build.run_dbt(settings, "build", "--select", "+int_cld_events_mapped_to_r2",
                          "--indirect-selection", "cautious",
                          "--exclude-resource-type", "unit_test")
    assert "DuckDB ran out of memory within ASC_DBT_MEMORY_LIMIT (8MB)" in str(failure.value)
    assert not list(settings.build_dir.glob("dbt_spill_*"))
