"""Outbound alert channels (e-mail through SMTP, HTTP webhook), configured from the environment.

The JSON-lines alert log (``asc_warehouse.alerts.log``) is always on; these channels are added when
their variables are set, so a laptop or CI run with none of them sends nothing anywhere.

Environment variables
---------------------
``ASC_ALERT_EMAIL_TO``
    Comma-separated recipients. E-mail is sent only when this is set.
``ASC_ALERT_EMAIL_FROM``
    Sender address. When unset, the ``from_email`` extra of the SMTP connection is used; with
    neither, the e-mail channel reports an error in the alert log instead of sending.
``ASC_ALERT_SMTP_CONN_ID``
    Airflow connection id of the SMTP server (default ``smtp_default``). It is read from the
    standard ``AIRFLOW_CONN_<ID>`` variable (URI such as ``smtp://user:pass@host:587?...`` or
    Airflow's JSON form) and otherwise from Airflow (``BaseHook.get_connection``), so the same
    connection serves Airflow's own SMTP provider. Its extras follow that provider:
    ``disable_ssl`` (default false: implicit TLS, SMTPS) and ``disable_tls`` (default false:
    STARTTLS when SSL is disabled); ``disable_ssl=true&disable_tls=true`` is plain SMTP, for a
    local relay or test server. ``timeout`` (seconds, default 10) and ``from_email`` are honoured.
``ASC_ALERT_WEBHOOK_URL``
    http(s) URL receiving a JSON POST: ``{"text": ..., "alerts": [...]}``. ``text`` is what Slack
    and Teams incoming webhooks display; ``alerts`` carries the structured fields.

A channel that fails (server down, non-2xx answer, bad configuration) raises here; the caller
turns that into a channel-error line in the alert log so the nightly run goes on.
"""

from __future__ import annotations

import json
import os
import smtplib
import ssl
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airflow.sdk import Connection

DEFAULT_SMTP_CONN_ID = "smtp_default"
DEFAULT_TIMEOUT_SECONDS = 10.0
SUBJECT_PREFIX = "[ASC warehouse]"
SEVERITY_MEANING = {
    "blocking": "nothing from the source is published; the previous warehouse stays",
    "warning": "published, but look",
}


class ChannelFailure(Exception):
    """A channel could not deliver; the message says why, without secrets."""


@dataclass(frozen=True)
class ChannelConfig:
    """Which channels this deployment uses, read once per ``record_alerts`` call."""

    email_to: tuple[str, ...] = ()
    email_from: str | None = None
    smtp_conn_id: str = DEFAULT_SMTP_CONN_ID
    webhook_url: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ChannelConfig:
        env = os.environ if environ is None else environ
        recipients = (env.get("ASC_ALERT_EMAIL_TO") or "").split(",")
        return cls(
            email_to=tuple(address.strip() for address in recipients if address.strip()),
            email_from=(env.get("ASC_ALERT_EMAIL_FROM") or "").strip() or None,
            smtp_conn_id=(env.get("ASC_ALERT_SMTP_CONN_ID") or "").strip()
            or DEFAULT_SMTP_CONN_ID,
            webhook_url=(env.get("ASC_ALERT_WEBHOOK_URL") or "").strip() or None,
        )

    @property
    def channels(self) -> list[str]:
        """Names of the configured outbound channels, in the order they are tried."""
        configured = (("email", bool(self.email_to)), ("webhook", bool(self.webhook_url)))
        return [name for name, on in configured if on]


# --- message text -----------------------------------------------------------------------------


def _describe(alert: Mapping[str, Any]) -> list[str]:
    def shown(value: Any, missing: str) -> str:
        return missing if value is None or value == "" else str(value)

    lines = [
        f"[{str(alert['severity']).upper()}] {alert['check']}",
        f"  Council:   {shown(alert.get('council_code'), 'not council-specific')}",
        f"  Source:    {alert['source']}",
        f"  Check:     {alert['check']}",
        f"  Observed:  {shown(alert.get('observed'), 'not recorded')}",
        f"  Expected:  {shown(alert.get('expected'), 'not recorded')}",
        f"  Message:   {alert['message']}",
        f"  Severity:  {alert['severity']} "
        f"({SEVERITY_MEANING.get(str(alert['severity']), 'see the alert log')})",
        f"  Run id:    {shown(alert.get('run_id'), 'unknown')}",
        f"  Raised at: {alert['raised_at']}",
        f"  Read more: {shown(alert.get('details'), 'the alert log')}",
    ]
    if int(alert.get("occurrences") or 1) > 1:
        lines.append(
            f"  Streak:    {alert['occurrences']} runs in a row, first seen {alert['first_seen']}"
        )
    return lines


def format_text(alerts: Sequence[Mapping[str, Any]]) -> str:
    """Plain text naming, for each alert, everything the reader needs to act on it."""
    counts = ", ".join(
        f"{sum(1 for a in alerts if a['severity'] == severity)} {severity}"
        for severity in sorted({str(a["severity"]) for a in alerts})
    )
    blocks = ["\n".join(_describe(alert)) for alert in alerts]
    header = f"ASC warehouse: {len(alerts)} data-quality alert(s) ({counts})."
    return "\n\n".join([header, *blocks])


def format_subject(alerts: Sequence[Mapping[str, Any]]) -> str:
    severities = {str(a["severity"]) for a in alerts}
    worst = "blocking" if "blocking" in severities else str(alerts[0]["severity"])
    runs = ", ".join(sorted({str(a.get("run_id") or "unknown") for a in alerts}))
    sources = sorted({str(a["source"]) for a in alerts})
    shown = ", ".join(sources[:3]) + (f" and {len(sources) - 3} more" if len(sources) > 3 else "")
    return f"{SUBJECT_PREFIX} {str(worst).upper()}: {len(alerts)} alert(s), run {runs}: {shown}"


# --- e-mail -----------------------------------------------------------------------------------


def _flag(extras: Mapping[str, Any], name: str) -> bool:
    # URI query extras arrive as strings, and bool("false") is True: read them as words.
    value = extras.get(name, False)
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)


def smtp_connection(conn_id: str) -> Connection:
    """The Airflow connection, from ``AIRFLOW_CONN_<ID>`` first so no metadata DB is needed."""
    from airflow.sdk import BaseHook, Connection

    value = os.environ.get(f"AIRFLOW_CONN_{conn_id.upper()}")
    if value:
        text = value.strip()
        if text.startswith("{"):
            return Connection.from_json(text, conn_id=conn_id)
        return Connection.from_uri(text, conn_id=conn_id)
    return BaseHook.get_connection(conn_id)


def send_email(alerts: Sequence[Mapping[str, Any]], config: ChannelConfig) -> None:
    try:
        conn = smtp_connection(config.smtp_conn_id)
    except Exception as error:
        raise ChannelFailure(
            f"SMTP connection {config.smtp_conn_id!r} unavailable: {error}"
        ) from error
    extras = conn.extra_dejson
    sender = config.email_from or extras.get("from_email")
    if not sender:
        raise ChannelFailure("no sender: set ASC_ALERT_EMAIL_FROM or the from_email extra")
    if not conn.host:
        raise ChannelFailure(f"SMTP connection {config.smtp_conn_id!r} has no host")

    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(config.email_to)
    message["Subject"] = format_subject(alerts)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="asc-warehouse")
    message.set_content(format_text(alerts))

    use_ssl = not _flag(extras, "disable_ssl")
    use_starttls = not use_ssl and not _flag(extras, "disable_tls")
    timeout = float(extras.get("timeout") or DEFAULT_TIMEOUT_SECONDS)
    port = conn.port or (465 if use_ssl else 587 if use_starttls else 25)
    context = ssl.create_default_context()
    client: smtplib.SMTP = (
        smtplib.SMTP_SSL(conn.host, port, timeout=timeout, context=context)
        if use_ssl else smtplib.SMTP(conn.host, port, timeout=timeout)
    )
    with client:
        if use_starttls:
            client.starttls(context=context)
        if conn.login:
            client.login(conn.login, conn.password or "")
        client.send_message(message)


# --- webhook ----------------------------------------------------------------------------------


def webhook_body(alerts: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    return {"text": format_text(alerts), "alerts": [dict(alert) for alert in alerts]}


def send_webhook(alerts: Sequence[Mapping[str, Any]], config: ChannelConfig) -> None:
    url = config.webhook_url or ""
    # urllib also opens file: and ftp: URLs; an alert must only ever be POSTed over HTTP(S).
    if not url.lower().startswith(("http://", "https://")):
        raise ChannelFailure("ASC_ALERT_WEBHOOK_URL must be an http(s) URL")
    request = urllib.request.Request(
        url,
        data=json.dumps(webhook_body(alerts), default=str).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8",
                 "User-Agent": "asc-warehouse-alerts"},
        method="POST",
    )
    # The URL is a secret for Slack and Teams: errors name the status, never the address.
    try:
        with urllib.request.urlopen(request, timeout=DEFAULT_TIMEOUT_SECONDS) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        raise ChannelFailure(f"webhook answered HTTP {error.code} {error.reason}") from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise ChannelFailure(f"webhook unreachable: {reason}") from None
    if not 200 <= status < 300:
        raise ChannelFailure(f"webhook answered HTTP {status}")


SENDERS = {"email": send_email, "webhook": send_webhook}
