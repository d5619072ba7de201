"""One published warehouse from a small generated dataset, its site and exports, shared by the
presentation tests (load, dbt build and publication as a night does them, without Airflow)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from asc_warehouse.config import Settings
from asc_warehouse.ingest.extracts import load_extracts
from asc_warehouse.ingest.landing import scan_landing
from asc_warehouse.ingest.pseudonymise import SAMPLE_DATA_KEY
from asc_warehouse.pipeline import dbt_build
from asc_warehouse.pipeline.publish import publish
from asc_warehouse.present import run_history
from asc_warehouse.present.check_report import build_check_report
from asc_warehouse.present.exports import write_exports
from asc_warehouse.present.site import build_site
from asc_warehouse.sample_data import (
    generate_opel_extracts,
    generate_person_feed_extracts,
    generate_sample_extracts,
)

ARTIFACTS_DIR = Path(__file__).resolve().parents[1] / "artifacts"
# Check results of the night (a failing warning check, a passing blocking one).
CHECK_RESULTS = [
    ("night-1", datetime(2026, 4, 1, 2, 30), "marts_kpi", "marts.kpi_scorecard",
     "expect_column_values_to_be_between", "value", "820", "warning", False, "3", 3),
    ("night-1", datetime(2026, 4, 1, 2, 30), "raw_cld", "raw.cld_events",
     "expect_column_values_to_not_be_null", "event_type", "820", "blocking", True, None, 0),
]


@dataclass(frozen=True)
class Published:
    settings: Settings
    path: Path
    site: Path
    exports: Path


@pytest.fixture(scope="session")
def published(tmp_path_factory: pytest.TempPathFactory) -> Published:
    root = tmp_path_factory.mktemp("present")
    settings = Settings(root / "landing", root / "warehouse", None, sample_mode=True)
    generate_sample_extracts(settings.landing_dir, scale=0.02, with_faults=True)
    generate_person_feed_extracts(settings.landing_dir, scale=0.02)
    generate_opel_extracts(settings.landing_dir)
    load_extracts(settings.build_path, scan_landing(settings.landing_dir).extracts,
                  SAMPLE_DATA_KEY)
    dbt_build.build(settings)
    with duckdb.connect(str(settings.build_path)) as con:
        con.executemany("insert into ops.data_quality_result values "
                        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", CHECK_RESULTS)
    build_check_report(settings.build_path, settings.warehouse_dir)
    publish(settings.build_path, settings.published_path, "night-1",
            history=run_history.read_history(settings.warehouse_dir))
    run_history.record_outcome(settings.warehouse_dir,
                               run_history.new_outcome("night-1", "published"))
    build_site(settings.published_path, settings.warehouse_dir)
    write_exports(settings.published_path, settings.warehouse_dir)
    return Published(settings, settings.published_path, settings.warehouse_dir / "site",
                     settings.warehouse_dir / "exports")
