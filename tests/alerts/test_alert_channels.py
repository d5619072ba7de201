"""Alert channels against real servers on 127.0.0.1: an SMTP receiver and an HTTP webhook."""

from __future__ import annotations

import email
import email.policy
import json
import smtplib
import socket
import socketserver
import threading
import urllib.request
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from typing import Any

import pytest

from asc_warehouse.alerts.channels import ChannelConfig
from asc_warehouse.alerts.log import (
    Alert,
    alert_log_path,
    note_run,
    on_task_failure,
    read_alerts,
    read_channel_errors,
    record_alerts,
)

NETWORK_TIMEOUT = 5
SENDER = "asc-warehouse@council.example"
RECIPIENTS = ["duty-officer@council.example", "performance@council.example"]


# --- a minimal SMTP receiver ------------------------------------------------------------------


class _SMTPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _SMTPHandler)
        self.messages: list[dict[str, Any]] = []

    @property
    def port(self) -> int:
        return int(self.server_address[1])


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT."""

    timeout = NETWORK_TIMEOUT  # socket timeout: a stuck client cannot hang the test
    server: _SMTPServer

    def _reply(self, line: str) -> None:
        self.wfile.write(line.encode("ascii") + b"\r\n")

    def _read_data(self) -> bytes:
        lines = []
        while (line := self.rfile.readline()) not in (b".\r\n", b""):
            lines.append(line[1:] if line.startswith(b"..") else line)  # dot-unstuffing
        return b"".join(lines)

    def handle(self) -> None:
        self._reply("220 127.0.0.1 test SMTP")
        mail_from, rcpt_to = "", []
        while line := self.rfile.readline():
            command = line.decode("ascii", "replace").strip()
            verb, argument = command[:4].upper(), command[5:]
            if verb in {"EHLO", "HELO"}:
                self._reply("250 127.0.0.1")  # no extensions: no STARTTLS, no AUTH
            elif verb == "MAIL":
                mail_from = argument.partition(":")[2].strip(" <>")
                self._reply("250 OK")
            elif verb == "RCPT":
                rcpt_to.append(argument.partition(":")[2].strip(" <>"))
                self._reply("250 OK")
            elif verb == "DATA":
                self._reply("354 End data with <CR><LF>.<CR><LF>")
                data = self._read_data()
                self.server.messages.append({"from": mail_from, "to": rcpt_to, "data": data})
                self._reply("250 OK")
            elif verb in {"RSET", "NOOP"}:
                self._reply("250 OK")
            elif verb == "QUIT":
                self._reply("221 Bye")
                return
            else:
                self._reply("502 Command not implemented")


@pytest.fixture
def smtp_server() -> Iterator[_SMTPServer]:
    server = _SMTPServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=NETWORK_TIMEOUT)


def _received(server: _SMTPServer) -> list[EmailMessage]:
    return [
        email.message_from_bytes(item["data"], policy=email.policy.default)
        for item in server.messages
    ]


# --- an HTTP webhook receiver -----------------------------------------------------------------


class _Receiver(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, status: int) -> None:
        super().__init__(("127.0.0.1", 0), _WebhookHandler)
        self.status = status
        self.requests: list[dict[str, Any]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook/secret-token"

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(request["body"]) for request in self.requests]


class _WebhookHandler(BaseHTTPRequestHandler):
    timeout = NETWORK_TIMEOUT
    server: _Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.server.requests.append(
            {"path": self.path, "content_type": self.headers.get("Content-Type"), "body": body}
        )
        self.send_response(self.server.status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep pytest output for failures


@pytest.fixture
def webhook() -> Iterator[Callable[..., _Receiver]]:
    started: list[tuple[_Receiver, threading.Thread]] = []

    def start(status: int = 200) -> _Receiver:
        server = _Receiver(status)
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
        thread.start()
        started.append((server, thread))
        return server

    yield start
    for server, thread in started:
        server.shutdown()
        server.server_close()
        thread.join(timeout=NETWORK_TIMEOUT)


# --- configuration ----------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_channels_from_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Start every test with no channel configured, whatever the developer's shell has."""
    for name in ("ASC_ALERT_EMAIL_TO", "ASC_ALERT_EMAIL_FROM", "ASC_ALERT_SMTP_CONN_ID",
                 "ASC_ALERT_WEBHOOK_URL", "AIRFLOW_CONN_SMTP_DEFAULT"):
        monkeypatch.delenv(name, raising=False)


def _use_email(
    monkeypatch: pytest.MonkeyPatch,
    server: _SMTPServer,
    extras: str = "disable_ssl=true&disable_tls=true",  # plain SMTP, as for a local relay
) -> None:
    monkeypatch.setenv("ASC_ALERT_EMAIL_TO", " , ".join(RECIPIENTS))
    monkeypatch.setenv("ASC_ALERT_EMAIL_FROM", SENDER)
    monkeypatch.setenv("ASC_ALERT_SMTP_CONN_ID", "asc_test_smtp")
    monkeypatch.setenv(
        "AIRFLOW_CONN_ASC_TEST_SMTP",
        f"smtp://127.0.0.1:{server.port}?{extras}&timeout={NETWORK_TIMEOUT}",
    )


def _use_webhook(monkeypatch: pytest.MonkeyPatch, receiver: _Receiver) -> None:
    monkeypatch.setenv("ASC_ALERT_WEBHOOK_URL", receiver.url)


def _alert(run_id: str = "scheduled__2026-03-02T02:00:00+00:00", **overrides: Any) -> Alert:
    fields: dict[str, Any] = {
        "severity": "warning",
        "source": "CLD_886_20240401_20260331_R2.csv",
        "check": "unknown accommodation status share",
        "message": "Share of events with unknown accommodation status rose sharply.",
        "council_code": "820",
        "run_id": run_id,
        "observed": "23.5% of 41,200 rows",
        "expected": "at most 5%",
        "details": "ops.data_quality_result where run_id = 'scheduled__2026-03-02'",
    }
    return Alert(**(fields | overrides))


def _assert_names_everything(text: str, alert: Alert) -> None:
    for part in ("820", alert.source, alert.check, "23.5% of 41,200 rows", "at most 5%",
                 "warning", alert.run_id, alert.details):
        assert str(part) in text, part


# --- e-mail -----------------------------------------------------------------------------------


def test_email_names_council_source_check_observed_expected_severity_run_and_details(
    settings, smtp_server: _SMTPServer, monkeypatch: pytest.MonkeyPatch,
) -> None:
    _use_email(monkeypatch, smtp_server)
    alert = _alert()
    result = record_alerts(settings.warehouse_dir, [alert])

    assert result.errors == []
    assert result.sent == {"email": [alert]}
    [envelope] = smtp_server.messages
    assert (envelope["from"], envelope["to"]) == (SENDER, RECIPIENTS)
    [message] = _received(smtp_server)
    assert message["From"] == SENDER
    assert message["To"] == ", ".join(RECIPIENTS)
    assert message["Subject"] == (
        "[ASC warehouse] WARNING: 1 alert(s), run scheduled__2026-03-02T02:00:00+00:00: "
        "CLD_886_20240401_20260331_R2.csv"
    )
    body = message.get_content()
    _assert_names_everything(body, alert)
    assert "Council:   820" in body
    assert "Observed:  23.5% of 41,200 rows" in body
    assert "Expected:  at most 5%" in body
    [logged] = read_alerts(settings.warehouse_dir)
    assert logged["observed"] == "23.5% of 41,200 rows"
    assert (logged["repeat"], logged["occurrences"]) == (False, 1)


def test_without_details_the_alert_points_at_the_alert_log(
    settings, smtp_server: _SMTPServer, monkeypatch: pytest.MonkeyPatch,
) -> None:
    _use_email(monkeypatch, smtp_server)
    record_alerts(settings.warehouse_dir, [_alert(details=None, council_code=None)])
    [message] = _received(smtp_server)
    body = message.get_content()
    assert f"Read more: {alert_log_path(settings.warehouse_dir)}" in body
    assert "Council:   not council-specific" in body
    assert read_alerts(settings.warehouse_dir)[0]["details"] == str(
        alert_log_path(settings.warehouse_dir))


def test_starttls_is_used_when_the_connection_extra_asks_for_it(
    settings, smtp_server: _SMTPServer, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # disable_ssl without disable_tls means STARTTLS (as in Airflow's SMTP provider); the test
    # server does not offer it, so the attempt shows up as a channel error, not a plaintext send.
    _use_email(monkeypatch, smtp_server, extras="disable_ssl=true")
    result = record_alerts(settings.warehouse_dir, [_alert()])
    [error] = result.errors
    assert error.channel == "email"
    assert "STARTTLS" in error.error
    assert smtp_server.messages == []


# --- webhook ----------------------------------------------------------------------------------


def test_webhook_posts_slack_teams_text_and_structured_alerts(
    settings, webhook: Callable[..., _Receiver], monkeypatch: pytest.MonkeyPatch,
) -> None:
    receiver = webhook()
    _use_webhook(monkeypatch, receiver)
    alert = _alert()
    result = record_alerts(settings.warehouse_dir, [alert])

    assert result.sent == {"webhook": [alert]}
    [request] = receiver.requests
    assert request["path"] == "/hook/secret-token"
    assert request["content_type"] == "application/json; charset=utf-8"
    [body] = receiver.bodies()
    _assert_names_everything(body["text"], alert)
    [structured] = body["alerts"]
    assert {key: structured[key] for key in (
        "severity", "source", "check", "council_code", "run_id", "observed", "expected",
        "details", "occurrences", "repeat",
    )} == {
        "severity": "warning", "source": alert.source, "check": alert.check,
        "council_code": "820", "run_id": alert.run_id, "observed": "23.5% of 41,200 rows",
        "expected": "at most 5%", "details": alert.details, "occurrences": 1, "repeat": False,
    }


def test_a_webhook_answering_500_is_a_logged_channel_error_and_email_still_goes_out(
    settings, smtp_server: _SMTPServer, webhook: Callable[..., _Receiver],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    receiver = webhook(status=500)
    _use_email(monkeypatch, smtp_server)
    _use_webhook(monkeypatch, receiver)
    alert = _alert()
    result = record_alerts(settings.warehouse_dir, [alert])  # must not raise

    assert len(receiver.requests) == 1
    assert result.sent == {"email": [alert]}
    [error] = result.errors
    assert error.channel == "webhook"
    assert "HTTP 500" in error.error
    assert len(smtp_server.messages) == 1
    [logged_error] = read_channel_errors(settings.warehouse_dir)
    assert logged_error["channel"] == "webhook"
    assert "secret-token" not in logged_error["error"]  # the webhook URL is a credential
    assert logged_error["undelivered"] == [[alert.run_id, *alert.identity]]
    assert [a["source"] for a in read_alerts(settings.warehouse_dir)] == [alert.source]


def test_an_unreachable_webhook_is_a_channel_error(
    settings, monkeypatch: pytest.MonkeyPatch,
) -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on once closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("ASC_ALERT_WEBHOOK_URL", f"http://127.0.0.1:{port}/hook")
    result = record_alerts(settings.warehouse_dir, [_alert()])
    [error] = result.errors
    assert "unreachable" in error.error
    assert result.sent == {}


# --- grouping ---------------------------------------------------------------------------------


def test_a_failure_on_consecutive_runs_is_sent_once_and_again_after_the_streak_breaks(
    settings, webhook: Callable[..., _Receiver], monkeypatch: pytest.MonkeyPatch,
) -> None:
    receiver = webhook()
    _use_webhook(monkeypatch, receiver)
    other = {"source": "fct_ascof_measure", "check": "numerator <= denominator",
             "council_code": None}

    night = "2026-03-0{}T02:10:00+00:00".format
    r1 = record_alerts(settings.warehouse_dir, [_alert("r1", raised_at=night(1))])
    r2 = record_alerts(settings.warehouse_dir, [
        _alert("r2", raised_at=night(2), observed="24.0% of 41,900 rows"),
    ])
    r3 = record_alerts(settings.warehouse_dir, [_alert("r3", **other)])
    r4 = record_alerts(settings.warehouse_dir, [_alert("r4", raised_at=night(4))])

    assert (len(r1.sent["webhook"]), r1.repeats) == (1, [])
    assert (r2.sent, len(r2.repeats)) == ({}, 1)
    assert len(r3.sent["webhook"]) == 1
    assert (len(r4.sent["webhook"]), r4.repeats) == (1, [])
    assert [body["alerts"][0]["run_id"] for body in receiver.bodies()] == ["r1", "r3", "r4"]

    by_run = {a["run_id"]: a for a in read_alerts(settings.warehouse_dir)}
    assert {k: by_run["r2"][k] for k in ("repeat", "occurrences", "first_seen", "observed")} == {
        "repeat": True, "occurrences": 2, "first_seen": "2026-03-01T02:10:00+00:00",
        "observed": "24.0% of 41,900 rows",
    }
    assert {k: by_run["r4"][k] for k in ("repeat", "occurrences", "first_seen")} == {
        "repeat": False, "occurrences": 1, "first_seen": "2026-03-04T02:10:00+00:00",
    }


def test_a_clean_night_marked_with_note_run_breaks_the_streak(settings) -> None:
    record_alerts(settings.warehouse_dir, [_alert("r1")])
    note_run(settings.warehouse_dir, "r2")  # nothing failed on r2
    result = record_alerts(settings.warehouse_dir, [_alert("r3")])
    assert result.repeats == []
    assert [a["run_id"] for a in read_alerts(settings.warehouse_dir)] == ["r1", "r3"]


def test_a_streak_counts_every_night_and_a_retry_in_the_same_run_is_not_resent(
    settings, webhook: Callable[..., _Receiver], monkeypatch: pytest.MonkeyPatch,
) -> None:
    receiver = webhook()
    _use_webhook(monkeypatch, receiver)
    for run_id in ("r1", "r2", "r3", "r3"):  # r3 twice: a retried task
        record_alerts(settings.warehouse_dir, [_alert(run_id)])
    logged = read_alerts(settings.warehouse_dir)
    assert [(a["run_id"], a["repeat"], a["occurrences"]) for a in logged] == [
        ("r1", False, 1), ("r2", True, 2), ("r3", True, 3), ("r3", True, 3),
    ]
    assert len(set(a["first_seen"] for a in logged)) == 1
    assert len(receiver.requests) == 1


def test_an_alert_undelivered_last_night_is_sent_again_with_its_streak(
    settings, webhook: Callable[..., _Receiver], monkeypatch: pytest.MonkeyPatch,
) -> None:
    receiver = webhook(status=503)
    _use_webhook(monkeypatch, receiver)
    assert record_alerts(settings.warehouse_dir, [_alert("r1")]).errors
    receiver.status = 200
    result = record_alerts(settings.warehouse_dir, [_alert("r2")])
    assert (result.repeats, result.errors) == ([], [])
    [_, delivered] = receiver.bodies()
    assert (delivered["alerts"][0]["occurrences"], delivered["alerts"][0]["repeat"]) == (2, False)
    assert "2 runs in a row" in delivered["text"]


# --- the Airflow failure callback -------------------------------------------------------------


def test_task_failure_callback_sends_a_blocking_alert_from_the_context(
    settings, smtp_server: _SMTPServer, webhook: Callable[..., _Receiver],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    receiver = webhook()
    _use_email(monkeypatch, smtp_server)
    _use_webhook(monkeypatch, receiver)
    log_url = "http://localhost:8080/dags/asc_nightly/runs/scheduled__2026-03-02/tasks/dbt_build"
    ti = SimpleNamespace(dag_id="asc_nightly", task_id="dbt_build", try_number=3,
                         run_id="scheduled__2026-03-02", log_url=log_url)
    context = {"ti": ti, "run_id": "scheduled__2026-03-02",
               "exception": RuntimeError("dbt test failed: 2 of 41 tests")}

    result = on_task_failure(context)

    assert result is not None
    assert set(result.sent) == {"email", "webhook"}
    [logged] = read_alerts(settings.warehouse_dir)
    assert {k: logged[k] for k in ("severity", "source", "run_id", "observed", "expected",
                                   "details")} == {
        "severity": "blocking", "source": "asc_nightly.dbt_build",
        "run_id": "scheduled__2026-03-02", "observed": "failed (try 3)", "expected": "success",
        "details": log_url,
    }
    assert "RuntimeError: dbt test failed: 2 of 41 tests" in logged["message"]
    [body] = receiver.bodies()
    for part in ("BLOCKING", "asc_nightly.dbt_build", "dbt test failed", log_url,
                 "scheduled__2026-03-02"):
        assert part in body["text"]
    [message] = _received(smtp_server)
    assert message["Subject"].startswith("[ASC warehouse] BLOCKING: 1 alert(s)")
    assert log_url in message.get_content()


def test_task_failure_callback_copes_with_a_sparse_context_and_never_raises(settings) -> None:
    class BrokenTI:
        dag_id = "asc_nightly"
        task_id = "publish"

        @property
        def log_url(self) -> str:
            raise RuntimeError("no api base_url outside a worker")

    result = on_task_failure({"ti": BrokenTI(), "run_id": "manual__1"})
    assert result is not None
    [logged] = read_alerts(settings.warehouse_dir)
    assert logged["source"] == "asc_nightly.publish"
    assert logged["details"] == str(alert_log_path(settings.warehouse_dir))
    assert on_task_failure({}) is not None  # nothing known, still on record


# --- no configuration, and backward compatibility ---------------------------------------------


def test_without_configuration_only_the_log_is_written(
    settings, monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("no channel is configured: nothing may be attempted")

    monkeypatch.setattr(smtplib, "SMTP", refuse)
    monkeypatch.setattr(smtplib, "SMTP_SSL", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)

    assert ChannelConfig.from_env().channels == []
    result = record_alerts(settings.warehouse_dir, [_alert(), _alert(source="other.csv")])
    assert (result.sent, result.errors, len(result.logged)) == ({}, [], 2)
    assert [p.name for p in settings.warehouse_dir.iterdir()] == ["alerts.jsonl"]
    assert len(read_alerts(settings.warehouse_dir)) == 2
    assert read_channel_errors(settings.warehouse_dir) == []


def test_old_log_lines_and_positional_callers_still_work(settings) -> None:
    path = alert_log_path(settings.warehouse_dir)
    path.parent.mkdir(parents=True)
    old = {"severity": "blocking", "source": "extract.csv", "check": "extract file accepted",
           "message": "bad name", "council_code": None, "run_id": "r1",
           "raised_at": "2026-03-01T02:00:00+00:00"}
    path.write_text(json.dumps(old) + "\n" + '{"torn line', encoding="utf-8")

    result = record_alerts(settings.warehouse_dir, [
        Alert("blocking", "extract.csv", "extract file accepted", "bad name", None, "r2"),
    ])

    assert len(result.repeats) == 1
    first, second = read_alerts(settings.warehouse_dir)
    assert first == old
    assert (second["occurrences"], second["first_seen"]) == (2, old["raised_at"])
    assert record_alerts(settings.warehouse_dir, []).logged == []


def test_channel_configuration_is_read_from_the_environment() -> None:
    config = ChannelConfig.from_env({
        "ASC_ALERT_EMAIL_TO": " a@council.example, ,b@council.example ",
        "ASC_ALERT_WEBHOOK_URL": "https://hooks.example/x",
    })
    assert config.email_to == ("a@council.example", "b@council.example")
    assert config.smtp_conn_id == "smtp_default"
    assert config.email_from is None
    assert config.channels == ["email", "webhook"]
    assert ChannelConfig.from_env({}).channels == []


def test_alerts_still_go_out_when_the_alert_log_cannot_be_written(
    settings, webhook: Callable[..., _Receiver], monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A folder where the log should be: the write fails as on a full or read-only disk.
    alert_log_path(settings.warehouse_dir).mkdir(parents=True)
    receiver = webhook()
    _use_webhook(monkeypatch, receiver)
    result = record_alerts(settings.warehouse_dir, [_alert()])
    assert list(result.sent) == ["webhook"]
    [body] = receiver.bodies()
    [structured] = body["alerts"]
    assert "could not be written" in structured["details"]
    assert [error.channel for error in result.errors] == ["log"]
    assert result.logged == []
