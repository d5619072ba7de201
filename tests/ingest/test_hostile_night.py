"""A night that cannot publish leaves the previous publication exactly as it was.

One real night (a 1% sample, every step through publication) is published once for the module;
each case copies it, lands a new Medway file with one unreadable row, breaks the night the way
the README's fault table says (a changed key, a leftover sample marker without a key, a run
already in progress, a full disk before loading or before publishing, a read-only warehouse
volume, a blocking data-quality fault), runs the night's steps until one stops it, and checks:

* ``asc.duckdb`` and ``asc_restricted.duckdb`` have the same SHA-256 as before the night;
* where the night got as far as loading, rows in = rows loaded + rows quarantined, and the
  quarantined row is named by file, row and field; where it stopped before, nothing of the file
  reached the build file;
* the error says what stopped the night.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest

from asc_warehouse import cli
from asc_warehouse.alerts.log import LOG_WRITE_CHECK, on_task_failure
from asc_warehouse.config import Settings, load_settings
from asc_warehouse.ingest.pseudonymise import SAMPLE_DATA_MARKER, KeyMismatchError, MissingKeyError
from asc_warehouse.pipeline import disk_space, nightly
from asc_warehouse.pipeline.publish import PUBLISHING_DIR_NAME, RESTRICTED_FILE_NAME
from asc_warehouse.pipeline.run_lock import run_lock
from asc_warehouse.quality.validation import DataQualityError
from asc_warehouse.sample_data import generate_sample_extracts
from tests.alerts.conftest import Receiver
from tests.cld_files import cld_row, write_cld_file
from tests.conftest import TEST_KEY

# An end date no generated file has, so the night's file is always new.
NIGHT_FILE = "CLD_821_20240401_20260415_R2.csv"
UNREADABLE_ROW = 3  # the second data row: its Event Start Date is not a date


def _point_at(monkeypatch: pytest.MonkeyPatch, root: Path) -> Settings:
    monkeypatch.setenv("ASC_LANDING_DIR", str(root / "landing"))
    monkeypatch.setenv("ASC_WAREHOUSE_DIR", str(root / "warehouse"))
    monkeypatch.setenv("ASC_LOG_DIR", str(root / "logs"))
    monkeypatch.setenv("ASC_LANDING_SETTLE_MINUTES", "0")
    monkeypatch.setenv("ASC_PSEUDONYMISATION_KEY", TEST_KEY)
    monkeypatch.delenv("ASC_SAMPLE_MODE", raising=False)
    monkeypatch.delenv("ASC_RETENTION_MONTHS", raising=False)
    for name in ("ASC_ALERT_EMAIL_TO", "ASC_ALERT_WEBHOOK_URL", "ASC_ALERT_TEAMS_WEBHOOK_URL",
                 "ASC_ALERT_SLACK_WEBHOOK_URL"):
        monkeypatch.delenv(name, raising=False)
    return load_settings()


def _run_night(run_id: str) -> list[dict[str, Any]]:
    """The DAG's steps in order, in this process; whichever raises stops the night."""
    loads = nightly.load_new_extracts(nightly.find_new_extracts(), run_id)
    nightly.validate_raw(run_id)
    nightly.build_marts(run_id)
    nightly.validate_marts(run_id)
    nightly.publish_warehouse(run_id)
    return loads


def _published_hashes(settings: Settings) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in (settings.published_path,
                     settings.published_path.with_name(RESTRICTED_FILE_NAME))
    }


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("published")
    with pytest.MonkeyPatch.context() as monkeypatch:
        settings = _point_at(monkeypatch, root)
        generate_sample_extracts(settings.landing_dir, scale=0.01)
        # The site, exports and dbt docs are derived from the published file afterwards and
        # never change it; the slowest part of a night, they are left out of the baseline.
        monkeypatch.setattr(nightly, "present_warehouse", lambda run_id: {})
        _run_night("night-1")
        assert len(_published_hashes(settings)) == 2
    return root


@dataclass
class Night:
    settings: Settings
    before: dict[str, str]

    def publication_intact(self) -> bool:
        return _published_hashes(self.settings) == self.before

    def audit(self) -> list[tuple[int, int, int, str]]:
        with duckdb.connect(str(self.settings.build_path), read_only=True) as con:
            return con.execute(
                "select rows_in, rows_loaded, rows_quarantined, status from ops.load_audit "
                "where file_name = ?", [NIGHT_FILE]).fetchall()

    def quarantined(self) -> list[tuple[str, int, str, str]]:
        with duckdb.connect(str(self.settings.build_path), read_only=True) as con:
            return con.execute(
                "select file_name, source_row_number, field, reason from ops.quarantine "
                "where file_name = ?", [NIGHT_FILE]).fetchall()

    def assert_loaded_with_its_bad_row_named(self, loads: list[dict[str, Any]]) -> None:
        [load] = [load for load in loads if load["file_name"] == NIGHT_FILE]
        assert (load["rows_in"], load["rows_loaded"], load["rows_quarantined"]) == (3, 2, 1)
        assert self.audit() == [(3, 2, 1, "loaded")]
        [(file_name, row, field, reason)] = self.quarantined()
        assert (file_name, row, field) == (NIGHT_FILE, UNREADABLE_ROW, "Event Start Date")
        assert "not a date" in reason

    def assert_nothing_of_the_file_loaded(self) -> None:
        assert self.audit() == [] and self.quarantined() == []
        assert not any(self.settings.staging_dir.glob("*.csv"))


@pytest.fixture
def night(baseline: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Night:
    root = tmp_path / "night"
    shutil.copytree(baseline, root, symlinks=True)
    settings = _point_at(monkeypatch, root)
    write_cld_file(settings.landing_dir / NIGHT_FILE, [
        cld_row(**{"Event Reference": "N1"}),
        cld_row(**{"Event Reference": "N2", "Event Start Date": "first of June"}),
        cld_row(**{"Event Reference": "N3"}),
    ])
    return Night(settings, _published_hashes(settings))


def test_a_changed_key_stops_the_night_before_anything_loads(
    night: Night, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASC_PSEUDONYMISATION_KEY", "a different key")
    with pytest.raises(KeyMismatchError, match="is not the key this warehouse was built with"):
        _run_night("night-2")
    night.assert_nothing_of_the_file_loaded()
    assert night.publication_intact()


def test_a_leftover_sample_marker_without_a_key_stops_the_night(
    night: Night, monkeypatch: pytest.MonkeyPatch
) -> None:
    (night.settings.landing_dir / SAMPLE_DATA_MARKER).write_text("left over\n")
    monkeypatch.delenv("ASC_PSEUDONYMISATION_KEY")
    assert cli.main(["run"]) == 2
    with pytest.raises(MissingKeyError, match="ASC_PSEUDONYMISATION_KEY is not set"):
        _run_night("night-2")
    night.assert_nothing_of_the_file_loaded()
    assert night.publication_intact()


def test_a_run_in_progress_stops_a_second_run(
    night: Night, capsys: pytest.CaptureFixture[str]
) -> None:
    with run_lock(night.settings.warehouse_dir):
        assert cli.main(["run"]) == 3
    assert "another run is in progress" in capsys.readouterr().err
    night.assert_nothing_of_the_file_loaded()
    assert night.publication_intact()


def _free_bytes(monkeypatch: pytest.MonkeyPatch, free: int) -> None:
    monkeypatch.setattr(disk_space.shutil, "disk_usage",
                        lambda _: shutil._ntuple_diskusage(10 << 30, 10 << 30, free))


def test_a_full_disk_stops_the_night_before_loading(
    night: Night, monkeypatch: pytest.MonkeyPatch
) -> None:
    _free_bytes(monkeypatch, 5 << 20)
    with pytest.raises(disk_space.InsufficientSpaceError, match="loading the night's files"):
        _run_night("night-2")
    night.assert_nothing_of_the_file_loaded()
    assert night.publication_intact()


def test_a_full_disk_stops_the_night_before_publishing(
    night: Night, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads = nightly.load_new_extracts(nightly.find_new_extracts(), "night-2")
    night.assert_loaded_with_its_bad_row_named(loads)
    leftover = night.settings.warehouse_dir / PUBLISHING_DIR_NAME / "asc.duckdb"
    leftover.parent.mkdir(exist_ok=True)
    leftover.write_bytes(b"half-written by a killed run")
    _free_bytes(monkeypatch, 5 << 20)
    with pytest.raises(disk_space.InsufficientSpaceError, match="publishing needs about"):
        nightly.publish_warehouse("night-2")
    assert not leftover.exists()
    assert night.publication_intact()


def test_a_blocking_data_quality_fault_stops_the_night_before_publishing(
    night: Night,
) -> None:
    # A new Kent file whose rows mostly cannot be used: a blocking raw check fails.
    write_cld_file(night.settings.landing_dir / "CLD_820_20240401_20260415_R2.csv", [
        cld_row(), *(cld_row(**{"Event Start Date": "31/12/2025"}) for _ in range(3))])
    loads = nightly.load_new_extracts(nightly.find_new_extracts(), "night-2")
    night.assert_loaded_with_its_bad_row_named(loads)
    with pytest.raises(DataQualityError, match="blocking checks failed on raw, ops"):
        nightly.validate_raw("night-2")
    assert night.publication_intact()


def _mount_read_only(folder: Path) -> Iterator[None]:
    """``folder`` bind-mounted read-only onto itself: a real read-only volume (root only)."""
    mounted = subprocess.run(["mount", "--bind", str(folder), str(folder)],
                             capture_output=True, check=False)
    if mounted.returncode != 0:
        pytest.skip("bind mounts need root: the read-only volume cannot be made here")
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(folder)], check=True,
                       capture_output=True)
        yield
    finally:
        subprocess.run(["umount", str(folder)], check=True, capture_output=True)


@pytest.fixture
def hook() -> Iterator[Receiver]:
    receiver = Receiver(200)
    thread = threading.Thread(target=receiver.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield receiver
    receiver.shutdown()
    receiver.server_close()
    thread.join(timeout=5)


def test_a_read_only_warehouse_volume_stops_the_night_and_still_alerts(
    night: Night, monkeypatch: pytest.MonkeyPatch, hook: Receiver
) -> None:
    monkeypatch.setenv("ASC_ALERT_WEBHOOK_URL", hook.url)
    for _ in _mount_read_only(night.settings.warehouse_dir):
        with pytest.raises(OSError, match="Read-only file system") as stopped:
            _run_night("night-2")
        # What Airflow's on_failure_callback does with the failed task.
        on_task_failure({"run_id": "night-2", "exception": stopped.value,
                         "dag": type("Dag", (), {"dag_id": nightly.DAG_ID})()})
    alerts = [alert for body in hook.bodies() for alert in body["alerts"]]
    assert [alert["check"] for alert in alerts] == [LOG_WRITE_CHECK, "Airflow task succeeded"]
    assert "Read-only file system" in alerts[1]["message"]
    night.assert_nothing_of_the_file_loaded()
    assert night.publication_intact()
