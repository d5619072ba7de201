"""A landing scan that cannot be broken: each odd entry is that entry's rejection, never a hang."""

from __future__ import annotations

import hashlib
import os
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from asc_warehouse.config import Settings
from asc_warehouse.ingest.landing import scan_landing
from asc_warehouse.pipeline import nightly
from tests.cld_files import cld_row, write_cld_file

GOOD = "CLD_820_20240401_20260331_R2.csv"
OTHER = "CLD_821_20240401_20260331_R2.csv"


def test_odd_entries_are_each_rejected_and_the_good_file_is_found(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    write_cld_file(landing / GOOD, [cld_row()])
    outside = write_cld_file(tmp_path / "elsewhere.csv", [cld_row()])
    (landing / OTHER).symlink_to(outside)
    (landing / "CLD_821_20240401_20250331_R2.csv").symlink_to(tmp_path / "gone.csv")
    (landing / "CLD_821_20240401_20250630_R2.csv").mkdir()
    os.mkfifo(landing / "CLD_821_20240401_20250930_R2.csv")
    (landing / "CLD_821_20240401_20251231_R2.csv").symlink_to("/dev/zero")
    write_cld_file(landing / "CLD_821_20240401_20260331_R1.CSV", [cld_row()])
    scan = scan_landing(landing)
    assert [extract.path.name for extract in scan.extracts] == [GOOD]
    link = "is a symbolic link; links are not followed"
    assert {name: reason.split(": ", 1)[1] for name, reason in scan.rejected.items()} == {
        OTHER: f"{link}: deliver the file itself",
        "CLD_821_20240401_20250331_R2.csv": f"{link}: deliver the file itself",
        "CLD_821_20240401_20250630_R2.csv": "is not a regular file (a folder, pipe or device); "
        "not read",
        "CLD_821_20240401_20250930_R2.csv": "is not a regular file (a folder, pipe or device); "
        "not read",
        "CLD_821_20240401_20251231_R2.csv": f"{link}: deliver the file itself",
        "CLD_821_20240401_20260331_R1.CSV": "extension must be lower-case .csv; rename the file "
        "to load it",
    }


def test_a_file_still_being_written_waits_unless_its_manifest_matches(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    fresh = write_cld_file(landing / GOOD, [cld_row()])
    settled = write_cld_file(landing / OTHER, [cld_row()])
    an_hour_ago = (datetime.now() - timedelta(hours=1)).timestamp()
    os.utime(settled, (an_hour_ago, an_hour_ago))
    scan = scan_landing(landing, settle_minutes=10)
    assert [extract.path.name for extract in scan.extracts] == [OTHER]
    assert scan.waiting[GOOD].startswith(f"{GOOD}: modified less than 10 minutes ago")
    digest = hashlib.sha256(fresh.read_bytes()).hexdigest()
    (landing / f"{GOOD}.sha256").write_text(f"{digest}  {GOOD}\n")
    assert sorted(e.path.name for e in scan_landing(landing, settle_minutes=10).extracts) == [
        GOOD, OTHER,
    ]


def test_a_file_appended_after_the_scan_loads_exactly_the_copy_it_was_checksummed_as(
    settings: Settings,
) -> None:
    path = write_cld_file(settings.landing_dir / GOOD, [cld_row() for _ in range(100)])
    found = nightly.find_new_extracts()
    with path.open("a", encoding="utf-8", newline="") as handle:
        handle.write(path.read_text(encoding="utf-8").splitlines(keepends=True)[1] * 50)
    [result] = nightly.load_new_extracts(found, "run-1")
    with duckdb.connect(str(settings.build_path), read_only=True) as con:
        [(checksum, rows_in)] = con.execute(
            "select checksum, rows_in from ops.load_audit").fetchall()
    # The copy holds whatever the file held when it was staged, and its own checksum says so.
    assert (result["rows_in"], rows_in) == (150, 150)
    assert checksum == hashlib.sha256(path.read_bytes()).hexdigest()
    assert not any(settings.staging_dir.iterdir())


def test_a_night_with_every_odd_entry_still_loads_the_good_file(settings: Settings) -> None:
    landing = settings.landing_dir
    write_cld_file(landing / GOOD, [cld_row()])
    (landing / OTHER).mkdir()
    os.mkfifo(landing / "CLD_821_20240401_20250930_R2.csv")
    (landing / "CLD_821_20240401_20250331_R2.csv").symlink_to(landing / "gone.csv")
    results = {r["file_name"]: r["status"] for r in nightly.load_new_extracts(
        nightly.find_new_extracts(), "run-1")}
    assert results == {GOOD: "loaded", OTHER: "rejected",
                       "CLD_821_20240401_20250930_R2.csv": "rejected",
                       "CLD_821_20240401_20250331_R2.csv": "rejected"}
