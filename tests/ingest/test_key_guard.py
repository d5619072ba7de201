"""The key cannot be got wrong: a changed key, a leftover marker or the sample key on real data."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from asc_warehouse import cli
from asc_warehouse.config import Settings
from asc_warehouse.ingest.extracts import load_extracts
from asc_warehouse.ingest.landing import parse_extract_name
from asc_warehouse.ingest.pseudonymise import (
    SAMPLE_DATA_MARKER,
    KeyMismatchError,
    MissingKeyError,
    key_fingerprint,
)
from asc_warehouse.pipeline import nightly
from asc_warehouse.pipeline.run_lock import RunInProgressError, run_lock
from asc_warehouse.sample_data import generate_opel_extracts
from tests.cld_files import cld_row, write_cld_file

NAME = "CLD_820_20240401_20260331_R2.csv"
LATER = "CLD_820_20240401_20260630_R2.csv"


def _count(build: Path, sql: str) -> int:
    with duckdb.connect(str(build), read_only=True) as con:
        found = con.execute(sql).fetchone()
    return int(found[0]) if found else 0


def test_a_different_key_on_a_later_night_is_refused_and_loads_nothing(tmp_path: Path) -> None:
    build = tmp_path / "build.duckdb"
    first = write_cld_file(tmp_path / NAME, [cld_row()])
    [loaded] = load_extracts(build, [parse_extract_name(first)], "the council's key")
    assert loaded.status == "loaded"
    later = write_cld_file(tmp_path / LATER, [cld_row(), cld_row()])
    council_key = "the council's key"
    with pytest.raises(KeyMismatchError, match=(
        f"fingerprint {key_fingerprint('a new key')}.* is not the key this warehouse was built "
        f"with \\(fingerprint {key_fingerprint(council_key)}"
    )):
        load_extracts(build, [parse_extract_name(later)], "a new key")
    assert _count(build, "select count(*) from raw.cld_events") == 1
    # The same key again is accepted.
    [again] = load_extracts(build, [parse_extract_name(later)], "the council's key")
    assert again.status == "loaded"


def test_the_fingerprint_does_not_reveal_the_key(tmp_path: Path) -> None:
    build = tmp_path / "build.duckdb"
    load_extracts(build, [parse_extract_name(write_cld_file(tmp_path / NAME, [cld_row()]))],
                  "secret-key-123")
    assert b"secret-key-123" not in build.read_bytes()
    assert key_fingerprint("secret-key-123") != key_fingerprint("secret-key-124")


def test_a_leftover_marker_without_a_key_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    landing = tmp_path / "landing"
    write_cld_file(landing / NAME, [cld_row()])
    (landing / SAMPLE_DATA_MARKER).write_text("Generated sample data: no real people.\n")
    monkeypatch.setenv("ASC_LANDING_DIR", str(landing))
    monkeypatch.setenv("ASC_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    monkeypatch.delenv("ASC_PSEUDONYMISATION_KEY", raising=False)
    monkeypatch.delenv("ASC_SAMPLE_MODE", raising=False)
    with pytest.raises(MissingKeyError, match="ASC_PSEUDONYMISATION_KEY is not set"):
        nightly.load_new_extracts(nightly.find_new_extracts(), "run-1")
    assert not (tmp_path / "warehouse" / "build").exists()


def test_the_sample_key_is_refused_for_a_file_the_generator_did_not_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    landing = tmp_path / "landing"
    [generated] = generate_opel_extracts(landing, days=1)
    write_cld_file(landing / NAME, [cld_row()])
    monkeypatch.setenv("ASC_LANDING_DIR", str(landing))
    monkeypatch.setenv("ASC_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    monkeypatch.setenv("ASC_SAMPLE_MODE", "1")
    monkeypatch.setenv("ASC_LANDING_SETTLE_MINUTES", "0")
    monkeypatch.delenv("ASC_PSEUDONYMISATION_KEY", raising=False)
    results = {r["file_name"]: r for r in nightly.load_new_extracts(
        nightly.find_new_extracts(), "run-1")}
    assert results[generated.name]["status"] == "loaded"
    assert results[NAME]["status"] == "rejected"
    assert "the sample key is refused for this file" in results[NAME]["message"]
    build = tmp_path / "warehouse" / "build" / "asc_build.duckdb"
    assert _count(build, "select count(*) from raw.cld_events") == 0


@pytest.mark.parametrize("leftover_marker", [False, True], ids=["empty landing", "marker"])
def test_run_without_a_key_or_sample_flag_refuses_and_generates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    leftover_marker: bool,
) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    if leftover_marker:
        write_cld_file(landing / NAME, [cld_row()])
        (landing / SAMPLE_DATA_MARKER).write_text("Generated sample data: no real people.\n")
    before = sorted(landing.iterdir())
    monkeypatch.setenv("ASC_LANDING_DIR", str(landing))
    monkeypatch.setenv("ASC_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    monkeypatch.delenv("ASC_PSEUDONYMISATION_KEY", raising=False)
    monkeypatch.setenv("ASC_SAMPLE_MODE", "1")  # only --sample means sample mode
    assert cli.main(["run"]) == 2
    assert "asc-warehouse run --sample" in capsys.readouterr().err
    assert sorted(landing.iterdir()) == before
    assert not (tmp_path / "warehouse").exists()


def test_a_second_run_is_told_another_run_is_in_progress(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    with run_lock(settings.warehouse_dir):
        with (pytest.raises(RunInProgressError, match="another run is in progress"),
              run_lock(settings.warehouse_dir)):
            pass
        assert cli.main(["run"]) == 3
    assert "another run is in progress" in capsys.readouterr().err
    with run_lock(settings.warehouse_dir):  # released when the first run ended
        pass
