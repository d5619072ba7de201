"""Real receivers on 127.0.0.1 for the alert tests: an SMTP server and an HTTP webhook."""

from __future__ import annotations

import email
import email.policy
import json
import socketserver
import threading
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

NETWORK_TIMEOUT = 5


# --- a minimal SMTP receiver ------------------------------------------------------------------


class SMTPServer(socketserver.ThreadingTCPServer):
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
    server: SMTPServer

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
def smtp_server() -> Iterator[SMTPServer]:
    server = SMTPServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=NETWORK_TIMEOUT)


def received(server: SMTPServer) -> list[EmailMessage]:
    return [
        email.message_from_bytes(item["data"], policy=email.policy.default)
        for item in server.messages
    ]


# --- an HTTP webhook receiver -----------------------------------------------------------------


class Receiver(ThreadingHTTPServer):
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
    server: Receiver

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
def webhook() -> Iterator[Callable[..., Receiver]]:
    started: list[tuple[Receiver, threading.Thread]] = []

    def start(status: int = 200) -> Receiver:
        server = Receiver(status)
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
        thread.start()
        started.append((server, thread))
        return server

    yield start
    for server, thread in started:
        server.shutdown()
        server.server_close()
        thread.join(timeout=NETWORK_TIMEOUT)


SENDER = "asc-warehouse@council.example"
RECIPIENTS = ["duty-officer@council.example", "performance@council.example"]
CHANNEL_VARIABLES = (
    "ASC_ALERT_EMAIL_TO", "ASC_ALERT_EMAIL_FROM", "ASC_ALERT_SMTP_CONN_ID",
    "ASC_ALERT_WEBHOOK_URL", "ASC_ALERT_TEAMS_WEBHOOK_URL", "ASC_ALERT_SLACK_WEBHOOK_URL",
    "ASC_ALERT_AIRFLOW_URL", "ASC_ALERT_SITE_URL", "AIRFLOW_CONN_SMTP_DEFAULT",
)


@pytest.fixture(autouse=True)
def _no_channels_from_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Start every test with no channel configured, whatever the developer's shell has."""
    for name in CHANNEL_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def use_email(
    monkeypatch: pytest.MonkeyPatch,
    server: SMTPServer,
    extras: str = "disable_ssl=true&disable_tls=true",  # plain SMTP, as for a local relay
) -> None:
    monkeypatch.setenv("ASC_ALERT_EMAIL_TO", " , ".join(RECIPIENTS))
    monkeypatch.setenv("ASC_ALERT_EMAIL_FROM", SENDER)
    monkeypatch.setenv("ASC_ALERT_SMTP_CONN_ID", "asc_test_smtp")
    query = f"?{extras}&timeout={NETWORK_TIMEOUT}" if extras else f"?timeout={NETWORK_TIMEOUT}"
    monkeypatch.setenv(
        "AIRFLOW_CONN_ASC_TEST_SMTP", f"smtp://127.0.0.1:{server.port}{query}"
    )


def unreachable_url() -> str:
    import socket

    with socket.socket() as probe:  # a loopback port nobody listens on once closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"
