"""The night stages and loads its files in groups, so staged copies never need room for all."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from asc_warehouse.config import Settings
from asc_warehouse.ingest.landing import parse_extract_name
from asc_warehouse.pipeline import disk_space, nightly
from tests.cld_files import cld_row, write_cld_file

NAMES = [
    "CLD_820_20240401_20250331_R2.csv",
    "CLD_821_20240401_20250331_R2.csv",
    "CLD_820_20250401_20260331_R2.csv",
]


def _land(settings: Settings) -> list[Path]:
    return [
        write_cld_file(settings.landing_dir / name,
                       [cld_row(**{"Event Reference": f"E{index}{n:04}"}) for n in range(rows)])
        for index, (name, rows) in enumerate(zip(NAMES, (30, 10, 20), strict=True))
    ]


def test_groups_keep_landing_order_and_a_bigger_file_goes_alone(tmp_path: Path) -> None:
    paths = []
    for name, size in zip(NAMES, (600, 300, 2_000), strict=True):
        path = tmp_path / name
        path.write_bytes(b"x" * size)
        paths.append(path)
    extracts = [parse_extract_name(path) for path in paths]
    groups = nightly.staging_groups(extracts, batch_bytes=1_000)
    assert [[extract.path.name for extract in group] for group in groups] == [
        NAMES[:2], NAMES[2:]]
    assert [nightly.group_bytes(group) for group in groups] == [900, 2_000]
    assert [len(group) for group in nightly.staging_groups(extracts, batch_bytes=0)] == [1, 1, 1]


def test_each_group_is_staged_loaded_and_removed_before_the_next(
    settings: Settings, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ASC_STAGING_BATCH_MB", "0")  # every file a group of its own
    landed = _land(settings)
    staged_at_each_load: list[list[str]] = []
    load_extracts = nightly.load_extracts

    def watching_load(build_path, extracts, *args):
        staged_at_each_load.append(sorted(path.name for path in settings.staging_dir.iterdir()))
        return load_extracts(build_path, extracts, *args)

    monkeypatch.setattr(nightly, "load_extracts", watching_load)
    results = nightly.load_new_extracts(nightly.find_new_extracts(), "run-1")
    assert sorted(staged_at_each_load) == [[name] for name in sorted(NAMES)]
    assert sorted((r["file_name"], r["status"], r["rows_loaded"]) for r in results) == sorted(
        zip(NAMES, ["loaded"] * 3, (30, 10, 20), strict=True))
    assert not any(settings.staging_dir.iterdir())
    assert all(path.exists() for path in landed)


def test_free_space_needed_is_the_files_plus_the_largest_group(
    settings: Settings, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ASC_STAGING_BATCH_MB", "0")
    sizes = [path.stat().st_size for path in _land(settings)]
    needed = sum(sizes) + max(sizes) + disk_space.MARGIN_BYTES

    def free(bytes_free: int) -> None:
        monkeypatch.setattr(disk_space.shutil, "disk_usage",
                            lambda _: shutil._ntuple_diskusage(10 << 30, 10 << 30, bytes_free))

    free(needed - 1)
    with pytest.raises(disk_space.InsufficientSpaceError,
                       match=rf"loading the night's files needs about {needed >> 20} MB"):
        nightly.load_new_extracts(nightly.find_new_extracts(), "run-1")
    assert not settings.build_path.exists()
    free(needed)
    results = nightly.load_new_extracts(nightly.find_new_extracts(), "run-2")
    assert [r["status"] for r in results] == ["loaded"] * 3
