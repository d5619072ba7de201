"""A warehouse disk that is full or read-only must not silence the night: the channels are tried
whatever happens to the alert log, and the log's failure is itself announced."""

from __future__ import annotations

import errno
import logging
import pathlib
from collections.abc import Callable
from typing import Any

import pytest

from asc_warehouse.alerts.log import (
    LOG_WRITE_CHECK,
    Alert,
    alert_log_path,
    read_alerts,
    read_deliveries,
    record_alerts,
)
from asc_warehouse.alerts.log import (
    _write_deliveries as write_deliveries,
)
from tests.alerts.conftest import Receiver, SMTPServer, received, use_email

RUN = "scheduled__2026-03-02T02:00:00+00:00"


def _alert(source: str = "CLD_820_20240401_20260331_R2.csv") -> Alert:
    return Alert(
        severity="blocking", source=source, check="extract file accepted",
        message=f"{source}: header repeats ['Ethnicity']", council_code="820", run_id=RUN,
        about=source,
    )


class _FullDisk:
    """The alert log on a full disk: it opens and reads, every write raises ENOSPC."""

    def __init__(self, handle: Any) -> None:
        self._handle = handle

    def __getattr__(self, name: str) -> Any:
        return getattr(self._handle, name)

    def __enter__(self) -> _FullDisk:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._handle.close()

    def write(self, text: str) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    def writelines(self, lines: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")


def _fill_the_log_disk(monkeypatch: pytest.MonkeyPatch, log: pathlib.Path) -> None:
    real_open = pathlib.Path.open

    def open_on_full_disk(self: pathlib.Path, mode: str = "r", *args: Any, **kwargs: Any):
        handle = real_open(self, mode, *args, **kwargs)
        return _FullDisk(handle) if self == log and mode != "r" else handle

    monkeypatch.setattr(pathlib.Path, "open", open_on_full_disk)


def _channels(monkeypatch: pytest.MonkeyPatch, smtp: SMTPServer, hook: Receiver) -> None:
    use_email(monkeypatch, smtp)
    monkeypatch.setenv("ASC_ALERT_WEBHOOK_URL", hook.url)


def _webhook_checks(hook: Receiver) -> list[str]:
    return [alert["check"] for body in hook.bodies() for alert in body["alerts"]]


def test_a_full_alert_log_disk_still_reaches_email_and_webhook(
    settings, smtp_server: SMTPServer, webhook: Callable[..., Receiver],
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    hook = webhook()
    _channels(monkeypatch, smtp_server, hook)
    log = alert_log_path(settings.warehouse_dir)
    log.parent.mkdir(parents=True)
    log.write_text("", encoding="utf-8")
    _fill_the_log_disk(monkeypatch, log)

    with caplog.at_level(logging.ERROR, logger="asc_warehouse.alerts.log"):
        result = record_alerts(settings.warehouse_dir, [_alert()])

    assert set(result.sent) == {"email", "webhook"}
    assert _webhook_checks(hook) == [LOG_WRITE_CHECK, "extract file accepted"]
    [mail] = received(smtp_server)
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert "CLD_820_20240401_20260331_R2.csv" in body and "No space left on device" in body
    [failure] = [alert for body in hook.bodies() for alert in body["alerts"]
                 if alert["check"] == LOG_WRITE_CHECK]
    assert failure["source"] == str(log) and "No space left on device" in failure["message"]
    assert [error.channel for error in result.errors] == ["alert log"]
    assert any("No space left on device" in record.getMessage() for record in caplog.records)
    assert log.read_text(encoding="utf-8") == ""


def test_a_warehouse_folder_that_cannot_be_written_still_reaches_the_channels(
    settings, smtp_server: SMTPServer, webhook: Callable[..., Receiver],
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    # The warehouse path is a file, so neither the folder nor the log in it can be created:
    # every write fails as on a read-only volume (the tests run as root, so modes would not).
    hook = webhook()
    _channels(monkeypatch, smtp_server, hook)
    settings.warehouse_dir.parent.mkdir(parents=True, exist_ok=True)
    settings.warehouse_dir.write_text("not a folder", encoding="utf-8")

    with caplog.at_level(logging.ERROR, logger="asc_warehouse.alerts.log"):
        result = record_alerts(settings.warehouse_dir, [_alert(), _alert("other.csv")])

    assert set(result.sent) == {"email", "webhook"}
    assert sorted(_webhook_checks(hook)) == sorted(
        [LOG_WRITE_CHECK, "extract file accepted", "extract file accepted"])
    assert len(smtp_server.messages) == 1
    assert [error.channel for error in result.errors] == ["alert log"]
    assert any(LOG_WRITE_CHECK in record.getMessage() for record in caplog.records)


def test_a_log_that_filled_up_after_the_alerts_were_written_is_announced_too(
    settings, webhook: Callable[..., Receiver], monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The alert lines fit; the disk fills before the delivery lines can follow.
    hook = webhook()
    monkeypatch.setenv("ASC_ALERT_WEBHOOK_URL", hook.url)
    log = alert_log_path(settings.warehouse_dir)

    def fill_then_write(*args: Any, **kwargs: Any) -> None:
        _fill_the_log_disk(monkeypatch, log)
        write_deliveries(*args, **kwargs)

    monkeypatch.setattr("asc_warehouse.alerts.log._write_deliveries", fill_then_write)
    result = record_alerts(settings.warehouse_dir, [_alert()])

    assert [alert["check"] for alert in read_alerts(settings.warehouse_dir)] == [
        "extract file accepted"]
    assert read_deliveries(settings.warehouse_dir) == []
    assert _webhook_checks(hook) == ["extract file accepted", LOG_WRITE_CHECK]
    assert [error.channel for error in result.errors] == ["alert log"]


def test_a_readable_log_still_groups_repeats_when_it_cannot_be_written(
    settings, webhook: Callable[..., Receiver], monkeypatch: pytest.MonkeyPatch,
) -> None:
    hook = webhook()
    monkeypatch.setenv("ASC_ALERT_WEBHOOK_URL", hook.url)
    record_alerts(settings.warehouse_dir, [_alert()])
    _fill_the_log_disk(monkeypatch, alert_log_path(settings.warehouse_dir))

    result = record_alerts(settings.warehouse_dir, [_alert(), _alert("other.csv")])

    # The known fault is a repeat of this run's line; only the new one and the log fault go out.
    assert [alert.source for alert in result.repeats] == ["CLD_820_20240401_20260331_R2.csv"]
    assert [alert["source"] for alert in hook.bodies()[1]["alerts"]] == [
        str(alert_log_path(settings.warehouse_dir)), "other.csv"]


def test_a_late_log_failure_names_the_channels_that_failed_to_deliver(
    settings, smtp_server: SMTPServer, webhook: Callable[..., Receiver],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The delivery lines (the only record of the webhook's failure) cannot be written, so
    the late alert, sent by e-mail, names the webhook; e-mail delivered and is not named."""
    hook = webhook(status=500)
    _channels(monkeypatch, smtp_server, hook)
    log = alert_log_path(settings.warehouse_dir)

    def fill_then_write(*args: Any, **kwargs: Any) -> None:
        _fill_the_log_disk(monkeypatch, log)
        write_deliveries(*args, **kwargs)

    monkeypatch.setattr("asc_warehouse.alerts.log._write_deliveries", fill_then_write)
    result = record_alerts(settings.warehouse_dir, [_alert()])
    night, late = [mail.get_body(preferencelist=("plain",)).get_content()
                   for mail in received(smtp_server)]

    assert read_deliveries(settings.warehouse_dir) == []
    assert "extract file accepted" in night
    assert "These channels failed to deliver them and it is not on record: webhook;" in late
    assert "clear the failed task" not in late
    assert sorted(error.channel for error in result.errors) == ["alert log", "webhook", "webhook"]
