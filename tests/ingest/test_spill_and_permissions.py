"""Raw identifiers never spill to disk, and what the run writes is not world-readable."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import pytest

from asc_warehouse.config import Settings
from asc_warehouse.ingest.extracts import load_extracts
from asc_warehouse.ingest.landing import parse_extract_name
from asc_warehouse.pipeline import nightly
from tests.cld_files import cld_row, write_cld_file

BIG = "CLD_820_20240401_20260331_R2.csv"
SMALL = "CLD_821_20240401_20260331_R2.csv"


def test_a_file_too_big_for_the_memory_limit_is_rejected_and_nothing_spills(
    tmp_path: Path,
) -> None:
    big = write_cld_file(tmp_path / BIG, [cld_row(**{"Event Reference": f"E{n:07}"})
                                          for n in range(60_000)])
    small = write_cld_file(tmp_path / SMALL, [cld_row()])
    build = tmp_path / "build" / "build.duckdb"
    # With a temp directory, DuckDB would load this file at 48MB by spilling its raw rows to disk.
    results = load_extracts(build, [parse_extract_name(big), parse_extract_name(small)], "key",
                            memory_limit="48MB")
    by_name = {result.file_name: result for result in results}
    assert by_name[BIG].status == "rejected"
    assert "needs more memory than ASC_LOAD_MEMORY_LIMIT (48MB)" in by_name[BIG].message
    assert by_name[SMALL].status == "loaded"
    written = [path for path in build.parent.rglob("*")]
    assert not [path for path in written if path.is_dir()], written  # no spill folder
    assert b"Winifred" not in b"".join(path.read_bytes() for path in written)


def test_files_the_night_writes_are_not_readable_by_others(settings: Settings) -> None:
    write_cld_file(settings.landing_dir / SMALL, [cld_row()])
    nightly.load_new_extracts(nightly.find_new_extracts(), "run-1")
    written = [settings.build_path, *settings.warehouse_dir.rglob("*")]
    assert written
    for path in written:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & stat.S_IRWXO == 0, f"{path} is {oct(mode)}"
        assert mode & stat.S_IWGRP == 0, f"{path} is {oct(mode)}"


def test_a_full_disk_stops_loading_and_publishing_with_the_cause(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from asc_warehouse.pipeline import disk_space

    write_cld_file(settings.landing_dir / SMALL, [cld_row()])
    found = nightly.find_new_extracts()
    nightly.load_new_extracts(found, "run-1")
    published = settings.published_path
    published.write_bytes(b"yesterday's publication")
    leftover = settings.warehouse_dir / ".publishing" / "asc.duckdb"
    leftover.parent.mkdir()
    leftover.write_bytes(b"half-written")
    monkeypatch.setattr(disk_space.shutil, "disk_usage",
                        lambda _: shutil._ntuple_diskusage(10 << 30, 10 << 30, 5 << 20))
    with pytest.raises(disk_space.InsufficientSpaceError,
                       match=r"publishing needs about .* MB free .* but only 5 MB is free"):
        nightly.publish_warehouse("run-1")
    assert published.read_bytes() == b"yesterday's publication"
    assert not leftover.exists()
    write_cld_file(settings.landing_dir / BIG, [cld_row()])
    with pytest.raises(disk_space.InsufficientSpaceError, match="loading the night's files"):
        nightly.load_new_extracts(nightly.find_new_extracts(), "run-2")
