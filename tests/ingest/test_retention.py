"""Raw events older than the retention period are purged, with an audit row every night."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from asc_warehouse.ingest.extracts import load_extracts
from asc_warehouse.ingest.landing import parse_extract_name
from asc_warehouse.ingest.retention import purge_expired_events, retention_cutoff
from tests.cld_files import cld_row, write_cld_file

NAME = "CLD_820_20180401_20260331_R2.csv"


def test_cutoff_is_the_same_day_months_earlier_or_the_month_end() -> None:
    assert retention_cutoff(date(2026, 12, 6), 84) == date(2019, 12, 6)
    assert retention_cutoff(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert retention_cutoff(date(2026, 1, 15), 13) == date(2024, 12, 15)


def test_events_that_ended_before_the_cutoff_are_purged_and_audited(tmp_path: Path) -> None:
    build = tmp_path / "build.duckdb"
    rows = [
        cld_row(**{"Event Reference": "OLD", "Event Start Date": "2018-05-01",
                   "Event End Date": "2019-12-05"}),
        cld_row(**{"Event Reference": "EDGE", "Event Start Date": "2018-05-01",
                   "Event End Date": "2019-12-06"}),
        cld_row(**{"Event Reference": "OPEN", "Event Start Date": "2018-05-01"}),
    ]
    load_extracts(build, [parse_extract_name(write_cld_file(tmp_path / NAME, rows))], "key")
    assert purge_expired_events(build, 84, today=date(2026, 12, 6)) == 1
    assert purge_expired_events(build, 84, today=date(2026, 12, 6)) == 0
    with duckdb.connect(str(build), read_only=True) as con:
        kept = con.execute("select event_reference from raw.cld_events order by 1").fetchall()
        audit = con.execute("select table_name, retention_months, cutoff, rows_purged "
                            "from ops.retention_audit order by run_at").fetchall()
    assert kept == [("EDGE",), ("OPEN",)]
    assert audit == [("raw.cld_events", 84, date(2019, 12, 6), 1),
                     ("raw.cld_events", 84, date(2019, 12, 6), 0)]
