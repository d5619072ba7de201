"""Raw records and landed files older than the retention period are purged, with an audit row
every night; open records stay. Cutoffs are worked by hand: 84 months before 6 Dec 2026 is
6 Dec 2019, so a record that ended on 5 Dec 2019 goes and one that ended on 6 Dec 2019 stays."""

from __future__ import annotations

import errno
import hashlib
from datetime import date
from pathlib import Path

import duckdb
import pytest

from asc_warehouse.config import Settings
from asc_warehouse.ingest import retention
from asc_warehouse.ingest.extracts import load_extracts
from asc_warehouse.ingest.landing import parse_extract_name
from asc_warehouse.ingest.person_feeds import DOLS, HOSPITAL, SAFEGUARDING, PersonFeed
from asc_warehouse.ingest.retention import (
    purge_expired_events,
    purge_expired_files,
    retention_cutoff,
)
from asc_warehouse.pipeline import nightly
from tests.cld_files import cld_row, write_cld_file
from tests.ingest.test_ingest_person import APPLICATION, CONCERN, SPELL, _csv_text

NAME = "CLD_820_20180401_20260331_R2.csv"
TODAY = date(2026, 12, 6)
MONTHS = 84
CUTOFF = date(2019, 12, 6)
BEFORE, ON = "2019-12-05", "2019-12-06"


def test_cutoff_is_the_same_day_months_earlier_or_the_month_end() -> None:
    assert retention_cutoff(TODAY, MONTHS) == CUTOFF
    assert retention_cutoff(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert retention_cutoff(date(2026, 1, 15), 13) == date(2024, 12, 15)


def _load_feed(tmp_path: Path, spec: PersonFeed, name: str, rows: list[dict[str, str]]) -> None:
    path = tmp_path / name
    path.write_text(_csv_text(spec, rows), encoding="utf-8")
    [result] = load_extracts(tmp_path / "build.duckdb", [parse_extract_name(path)], "key")
    assert (result.status, result.rows_loaded) == ("loaded", len(rows))


def _kept_rows(tmp_path: Path, table: str) -> list[int]:
    with duckdb.connect(str(tmp_path / "build.duckdb"), read_only=True) as con:
        return [row for (row,) in con.execute(
            f"select source_row_number from {table} order by 1").fetchall()]


def _audit(tmp_path: Path) -> list[tuple]:
    with duckdb.connect(str(tmp_path / "build.duckdb"), read_only=True) as con:
        return con.execute("select table_name, retention_months, cutoff, rows_purged "
                           "from ops.retention_audit order by table_name, run_at").fetchall()


def test_events_that_ended_before_the_cutoff_are_purged_and_audited(tmp_path: Path) -> None:
    build = tmp_path / "build.duckdb"
    rows = [
        cld_row(**{"Event Reference": "OLD", "Event Start Date": "2018-05-01",
                   "Event End Date": BEFORE}),
        cld_row(**{"Event Reference": "EDGE", "Event Start Date": "2018-05-01",
                   "Event End Date": ON}),
        cld_row(**{"Event Reference": "OPEN", "Event Start Date": "2018-05-01"}),
    ]
    load_extracts(build, [parse_extract_name(write_cld_file(tmp_path / NAME, rows))], "key")
    assert purge_expired_events(build, MONTHS, today=TODAY) == 1
    assert purge_expired_events(build, MONTHS, today=TODAY) == 0
    with duckdb.connect(str(build), read_only=True) as con:
        kept = con.execute("select event_reference from raw.cld_events order by 1").fetchall()
    assert kept == [("EDGE",), ("OPEN",)]
    cld_audit = [row for row in _audit(tmp_path) if row[0] == "raw.cld_events"]
    assert cld_audit == [("raw.cld_events", MONTHS, CUTOFF, 1),
                         ("raw.cld_events", MONTHS, CUTOFF, 0)]


def test_open_copies_in_a_file_a_later_file_restates_are_purged(tmp_path: Path) -> None:
    # Kent's overlapping files: the event is open in A1 and A2 (periods ended before the cutoff),
    # and B (a later period) gives its end, after the cutoff; B2, later again, restates it, but
    # B's period ended after the cutoff: B is kept. Medway's only file still holds an open
    # event: no later CLD file restates it (a later DoLS file is another feed).
    build = tmp_path / "build.duckdb"
    open_event = {"Event Reference": "OPEN", "Event Start Date": "2018-05-01"}
    files = {
        "CLD_820_20180401_20190331_R2.csv": [
            cld_row(**{"Event Reference": "OLD", "Event Start Date": "2018-05-01",
                       "Event End Date": "2019-01-31"}),
            cld_row(**open_event),
        ],
        "CLD_820_20180701_20190630_R2.csv": [cld_row(**open_event)],
        "CLD_820_20190401_20200331_R2.csv": [
            cld_row(**open_event, **{"Event End Date": "2020-01-31"})],
        "CLD_820_20190701_20200630_R2.csv": [
            cld_row(**open_event, **{"Event End Date": "2020-01-31",
                                     "Reporting Period End Date": "2020-06-30"})],
        "CLD_821_20180401_20190331_R2.csv": [
            cld_row(**{"Event Reference": "ONLY", "Event Start Date": "2018-05-01"})],
    }
    for name, rows in files.items():
        load_extracts(build, [parse_extract_name(write_cld_file(tmp_path / name, rows))], "key")
    application = {**APPLICATION, "Application Received Date": "2018-06-01"}
    _load_feed(tmp_path, DOLS, "DOLS_820_20180101_20181231.csv",
               [{**application, "Completed Date": "", "Outcome": ""}])
    _load_feed(tmp_path, DOLS, "DOLS_820_20180101_20201231.csv",
               [{**application, "Completed Date": "2020-06-01"}])
    _load_feed(tmp_path, DOLS, "DOLS_821_20190101_20201231.csv", [
        {**APPLICATION, "Application Received Date": "2020-01-05",
         "Completed Date": "2020-01-20"}])

    # CLD: OLD (ended before the cutoff) and the two open copies; DoLS: the open copy.
    assert purge_expired_events(build, MONTHS, today=TODAY) == 4
    assert purge_expired_events(build, MONTHS, today=TODAY) == 0

    with duckdb.connect(str(build), read_only=True) as con:
        kept = con.execute("select source_file, event_reference, event_end_date "
                           "from raw.cld_events order by 1").fetchall()
        kept_applications = con.execute(
            "select source_file, completed_date from raw.dols_applications order by 1").fetchall()
    assert kept == [("CLD_820_20190401_20200331_R2.csv", "OPEN", "2020-01-31"),
                    ("CLD_820_20190701_20200630_R2.csv", "OPEN", "2020-01-31"),
                    ("CLD_821_20180401_20190331_R2.csv", "ONLY", None)]
    assert kept_applications == [("DOLS_820_20180101_20201231.csv", date(2020, 6, 1)),
                                 ("DOLS_821_20190101_20201231.csv", date(2020, 1, 20))]
    audit = [row for row in _audit(tmp_path)
             if row[0] in ("raw.cld_events", "raw.dols_applications")]
    assert audit == [("raw.cld_events", MONTHS, CUTOFF, 3), ("raw.cld_events", MONTHS, CUTOFF, 0),
                     ("raw.dols_applications", MONTHS, CUTOFF, 1),
                     ("raw.dols_applications", MONTHS, CUTOFF, 0)]


def _spell(discharged: str) -> dict[str, str]:
    return {**SPELL, "Admission Date": "2019-11-20", "Discharge Date": discharged,
            "Discharge Ready Date": "", "Delay Responsibility": ""}


def _concern(**fields: str) -> dict[str, str]:
    return {**CONCERN, "Concern Received Date": "2019-01-05", "Enquiry Start Date": "2019-01-07",
            **fields}


NO_ENQUIRY = {"Enquiry Start Date": "", "Enquiry End Date": "", "Risk Identified": "",
              "Risk Outcome": "", "Outcomes Expressed": "", "Outcomes Achieved": ""}
STILL_OPEN = {"Enquiry End Date": "", "Risk Identified": "", "Risk Outcome": ""}


def test_person_feeds_are_purged_by_the_date_their_record_ended(tmp_path: Path) -> None:
    _load_feed(tmp_path, HOSPITAL, "HOSP_820_20190101_20191231.csv",
               [_spell(BEFORE), _spell(ON), _spell("2019-12-31")])
    _load_feed(tmp_path, SAFEGUARDING, "SG_820_20190101_20191231.csv", [
        _concern(**{"Enquiry End Date": BEFORE}),                          # row 2: ended, purged
        _concern(**{"Enquiry End Date": ON}),                              # row 3: on the cutoff
        _concern(**STILL_OPEN),                                            # row 4: enquiry open
        _concern(**NO_ENQUIRY, **{"Concern Outcome": "No further safeguarding action",
                                  "Concern Received Date": BEFORE}),       # row 5: closed, purged
        _concern(**NO_ENQUIRY, **{"Concern Outcome": "No further safeguarding action",
                                  "Concern Received Date": ON}),           # row 6: on the cutoff
        _concern(**NO_ENQUIRY, **{"Concern Outcome": ""}),                 # row 7: no outcome yet
        _concern(**NO_ENQUIRY),                                            # row 8: enquiry to come
    ])
    _load_feed(tmp_path, DOLS, "DOLS_820_20190101_20191231.csv", [
        {**APPLICATION, "Application Received Date": "2019-11-01", "Completed Date": BEFORE},
        {**APPLICATION, "Application Received Date": "2019-11-01", "Completed Date": ON},
        {**APPLICATION, "Application Received Date": "2019-01-01", "Completed Date": "",
         "Outcome": ""},
    ])

    assert purge_expired_events(tmp_path / "build.duckdb", MONTHS, today=TODAY) == 4

    assert _kept_rows(tmp_path, HOSPITAL.raw_table) == [3, 4]
    assert _kept_rows(tmp_path, SAFEGUARDING.raw_table) == [3, 4, 6, 7, 8]
    assert _kept_rows(tmp_path, DOLS.raw_table) == [3, 4]
    assert _audit(tmp_path) == [
        ("raw.cld_events", MONTHS, CUTOFF, 0),
        ("raw.dols_applications", MONTHS, CUTOFF, 1),
        ("raw.hospital_discharges", MONTHS, CUTOFF, 1),
        ("raw.safeguarding_concerns", MONTHS, CUTOFF, 2),
    ]


def _land(landing: Path, name: str) -> Path:
    landing.mkdir(parents=True, exist_ok=True)
    path = landing / name
    path.write_text("header\n", encoding="utf-8")
    return path


def _file_audit(build: Path) -> list[tuple]:
    with duckdb.connect(str(build), read_only=True) as con:
        return con.execute("select file_name, period_end, retention_months, cutoff, outcome "
                           "from ops.retention_file_audit order by file_name").fetchall()


def test_landed_person_level_files_past_retention_are_deleted_and_audited(
    tmp_path: Path,
) -> None:
    landing, build = tmp_path / "landing", tmp_path / "build.duckdb"
    expired = _land(landing, "CLD_820_20180401_20191205_R2.csv")
    manifest = _land(landing, expired.name + ".sha256")
    _land(landing, "HOSP_821_20190101_20191130.csv")
    kept = ["CLD_820_20180401_20191206_R2.csv", "OPEL_820_20190101.csv", "notes.txt",
            "SG_820_20190101_20191231.csv"]
    for name in kept:
        _land(landing, name)
    (landing / "DOLS_820_20180101_20181231.csv").symlink_to(tmp_path / "elsewhere.csv")

    deleted = purge_expired_files(landing, build, MONTHS, today=TODAY)

    assert deleted == ["CLD_820_20180401_20191205_R2.csv", "HOSP_821_20190101_20191130.csv"]
    assert not expired.exists() and not manifest.exists()
    assert sorted(path.name for path in landing.iterdir()) == sorted(
        [*kept, "DOLS_820_20180101_20181231.csv"])
    assert _file_audit(build) == [
        ("CLD_820_20180401_20191205_R2.csv", date(2019, 12, 5), MONTHS, CUTOFF, "deleted"),
        ("HOSP_821_20190101_20191130.csv", date(2019, 11, 30), MONTHS, CUTOFF, "deleted"),
    ]


def test_a_landed_file_that_cannot_be_deleted_is_audited_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    landing, build = tmp_path / "landing", tmp_path / "build.duckdb"
    stuck = _land(landing, "DOLS_820_20180101_20181231.csv")
    real_unlink = Path.unlink

    def read_only_landing(self: Path, missing_ok: bool = False) -> None:
        if self == stuck:
            raise OSError(errno.EROFS, "Read-only file system")
        real_unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", read_only_landing)
    assert purge_expired_files(landing, build, MONTHS, today=TODAY) == []
    assert stuck.exists()
    assert _file_audit(build) == [("DOLS_820_20180101_20181231.csv", date(2018, 12, 31), MONTHS,
                                   CUTOFF, "not deleted: Read-only file system")]


def test_the_night_purges_old_records_and_files_and_keeps_no_staged_copy(
    settings: Settings, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ASC_RETENTION_MONTHS", "12")
    # The night reads the clock: pinned, so the cutoff cannot move at midnight mid-test.
    monkeypatch.setattr(retention, "_today", lambda: TODAY)
    old = write_cld_file(settings.landing_dir / "CLD_820_20180401_20190331_R2.csv", [
        cld_row(**{"Event Start Date": "2018-05-01", "Event End Date": "2019-01-31"}),
        cld_row(**{"Event Reference": "OPEN", "Event Start Date": "2018-05-01"}),
    ])
    results = nightly.load_new_extracts(nightly.find_new_extracts(), "run-1")
    assert [(r["status"], r["rows_in"], r["rows_loaded"]) for r in results] == [
        ("loaded", 2, 2)]
    assert not old.exists()
    assert not any(settings.staging_dir.iterdir())
    with duckdb.connect(str(settings.build_path), read_only=True) as con:
        assert con.execute("select event_reference from raw.cld_events").fetchall() == [
            ("OPEN",)]
        [(outcome, cutoff)] = con.execute(
            "select outcome, cutoff from ops.retention_file_audit").fetchall()
    assert outcome == "deleted"
    assert cutoff == date(2025, 12, 6)


def test_staged_copies_are_removed_when_the_load_fails(
    settings: Settings, monkeypatch: pytest.MonkeyPatch,
) -> None:
    landed = write_cld_file(settings.landing_dir / NAME, [cld_row()])
    found = nightly.find_new_extracts()
    staged: list[bytes] = []

    def fail_after_staging(_settings, extracts, *args):
        staged.extend(hashlib.sha256(e.path.read_bytes()).digest() for e in extracts)
        raise MemoryError("load failed")

    monkeypatch.setattr(nightly, "_load_staged", fail_after_staging)
    with pytest.raises(MemoryError):
        nightly.load_new_extracts(found, "run-1")
    assert staged == [hashlib.sha256(landed.read_bytes()).digest()]
    assert not any(settings.staging_dir.iterdir())
