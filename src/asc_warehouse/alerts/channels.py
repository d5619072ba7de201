"""Outbound alert channels: e-mail (HTML and plain text over SMTP), Microsoft Teams Workflows
(an Adaptive Card), Slack (text and blocks) and a generic JSON webhook, configured from the
environment.

The JSON-lines alert log (``asc_warehouse.alerts.log``) is always on; these channels are added when
their variables are set, so a laptop or CI run with none of them sends nothing anywhere.

Environment variables
---------------------
``ASC_ALERT_EMAIL_TO``
    Comma-separated recipients. E-mail is sent only when this is set.
``ASC_ALERT_EMAIL_FROM``
    Sender address. When unset, the ``from_email`` extra of the SMTP connection is used; with
    neither, the e-mail channel fails (and says so in the run summary and the delivery table).
``ASC_ALERT_SMTP_CONN_ID``
    Airflow connection id of the SMTP server (default ``smtp_default``), read from the standard
    ``AIRFLOW_CONN_<ID>`` variable (URI or Airflow's JSON form) and otherwise from Airflow.
    Transport security (``smtp_security``): port 587 (or any port but 465) uses STARTTLS, port
    465 implicit TLS (SMTPS). The extras ``disable_ssl`` and ``disable_tls`` of Airflow's SMTP
    provider, when given, decide instead: ``disable_ssl=true`` alone is STARTTLS,
    ``disable_ssl=true&disable_tls=true`` plain SMTP (a local relay or test server only).
    ``timeout`` (seconds, default 10) and ``from_email`` are honoured.
``ASC_ALERT_TEAMS_WEBHOOK_URL``
    A Teams Workflows webhook ("Post to a channel when a webhook request is received"): receives
    a message with one Adaptive Card attachment.
``ASC_ALERT_SLACK_WEBHOOK_URL``
    A Slack incoming webhook: receives ``text`` (the notification) and ``blocks``.
``ASC_ALERT_WEBHOOK_URL``
    Any HTTP(S) endpoint: receives ``{"text": ..., "alerts": [...]}`` with every alert field.

A channel that fails (server down, non-2xx answer, bad configuration) raises ``ChannelFailure``
here; the caller records it and goes on with the other channels.
"""

from __future__ import annotations

import html
import json
import os
import smtplib
import ssl
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import TYPE_CHECKING, Any

from asc_warehouse.alerts.messages import council_label

if TYPE_CHECKING:
    from airflow.sdk import Connection

DEFAULT_SMTP_CONN_ID = "smtp_default"
DEFAULT_TIMEOUT_SECONDS = 10.0
SMTPS_PORT = 465
STARTTLS_PORT = 587
SUBJECT_PREFIX = "[ASC warehouse]"
SEVERITY_MEANING = {
    "blocking": "nothing from this source is published until it is put right; "
                "the previous warehouse stays",
    "warning": "published, but check it",
    "escalation": "operational pressure rose to an escalation level: act now",
    "de-escalation": "operational pressure fell back: stand the escalation down",
}
SEVERITY_ORDER = ("blocking", "escalation", "warning", "de-escalation")
OPEL_SEVERITIES = frozenset({"escalation", "de-escalation"})
# Slack shows at most 50 blocks and 3,000 characters in a section.
SLACK_MAX_ALERT_BLOCKS = 45
SLACK_SECTION_LIMIT = 2900

Alerts = Sequence[Mapping[str, Any]]


class ChannelFailure(Exception):
    """A channel could not deliver; the message says why, without secrets."""


@dataclass(frozen=True)
class ChannelConfig:
    """Which channels this deployment uses, read once per ``record_alerts`` call."""

    email_to: tuple[str, ...] = ()
    email_from: str | None = None
    smtp_conn_id: str = DEFAULT_SMTP_CONN_ID
    teams_webhook_url: str | None = None
    slack_webhook_url: str | None = None
    webhook_url: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ChannelConfig:
        env = os.environ if environ is None else environ

        def setting(name: str) -> str | None:
            return (env.get(name) or "").strip() or None

        recipients = (env.get("ASC_ALERT_EMAIL_TO") or "").split(",")
        return cls(
            email_to=tuple(address.strip() for address in recipients if address.strip()),
            email_from=setting("ASC_ALERT_EMAIL_FROM"),
            smtp_conn_id=setting("ASC_ALERT_SMTP_CONN_ID") or DEFAULT_SMTP_CONN_ID,
            teams_webhook_url=setting("ASC_ALERT_TEAMS_WEBHOOK_URL"),
            slack_webhook_url=setting("ASC_ALERT_SLACK_WEBHOOK_URL"),
            webhook_url=setting("ASC_ALERT_WEBHOOK_URL"),
        )

    @property
    def channels(self) -> list[str]:
        """Names of the configured outbound channels, in the order they are tried."""
        configured = (
            ("email", bool(self.email_to)), ("teams", bool(self.teams_webhook_url)),
            ("slack", bool(self.slack_webhook_url)), ("webhook", bool(self.webhook_url)),
        )
        return [name for name, on in configured if on]


# --- message content --------------------------------------------------------------------------


def _given(value: Any) -> bool:
    return value is not None and value != "" and value != []


def alert_fields(alert: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The labelled lines of one alert, in reading order; empty fields are left out."""
    values = alert.get("unexpected_values") or []
    severity = str(alert["severity"])
    candidates: list[tuple[str, Any]] = [
        ("Council", council_label(alert.get("council_code"))),
        ("File or source", alert.get("source")),
        ("Check", alert.get("check")),
        ("Rows", alert.get("rows")),
        ("Observed", alert.get("observed")),
        ("Unexpected values",
         ", ".join(f"{value} ({count})" for value, count in values) if values else None),
        ("Expected", alert.get("expected")),
        ("What to do", alert.get("what_to_do")),
        ("Severity", f"{severity}: {SEVERITY_MEANING.get(severity, 'see the README')}"),
        ("Run", f"{alert.get('run_id') or 'unknown'}, raised {alert['raised_at']}"),
        ("Open", alert.get("details")),
    ]
    if int(alert.get("occurrences") or 1) > 1:
        candidates.append(
            ("Streak", f"{alert['occurrences']} runs in a row, first seen {alert['first_seen']}")
        )
    return [(label, str(value)) for label, value in candidates if _given(value)]


def alert_title(alert: Mapping[str, Any]) -> str:
    who = council_label(alert.get("council_code"))
    return f"{str(alert['severity']).upper()}: {alert['check']}, {who}"


def _kind_words(alerts: Alerts) -> str:
    severities = {str(a["severity"]) for a in alerts}
    if severities <= OPEL_SEVERITIES:
        return "OPEL status change(s)"
    if severities.isdisjoint(OPEL_SEVERITIES):
        return "data-quality alert(s)"
    return "alert(s)"


def _worst(alerts: Alerts) -> str:
    severities = {str(a["severity"]) for a in alerts}
    return next((s for s in SEVERITY_ORDER if s in severities), str(alerts[0]["severity"]))


def headline(alerts: Alerts) -> str:
    counts = ", ".join(
        f"{sum(1 for a in alerts if a['severity'] == severity)} {severity}"
        for severity in SEVERITY_ORDER if any(a["severity"] == severity for a in alerts)
    )
    return f"ASC warehouse: {len(alerts)} {_kind_words(alerts)} ({counts})."


def format_text(alerts: Alerts) -> str:
    """Plain text naming, for each alert, everything the reader needs to act on it."""
    blocks = []
    for alert in alerts:
        lines = [alert_title(alert), f"  {alert['message']}"]
        lines += [f"  {label + ':':<18} {value}" for label, value in alert_fields(alert)]
        blocks.append("\n".join(lines))
    return "\n\n".join([headline(alerts), *blocks])


def format_html(alerts: Alerts) -> str:
    """The e-mail's HTML part: one table per alert, links clickable."""

    def cell(label: str, value: str) -> str:
        shown = html.escape(value)
        if label == "Open" and value.startswith(("http://", "https://")):
            shown = f'<a href="{html.escape(value, quote=True)}">{shown}</a>'
        return f"<tr><th align=\"left\">{html.escape(label)}</th><td>{shown}</td></tr>"

    sections = [
        f"<h2>{html.escape(alert_title(alert))}</h2><p>{html.escape(str(alert['message']))}</p>"
        f"<table>{''.join(cell(label, value) for label, value in alert_fields(alert))}</table>"
        for alert in alerts
    ]
    return (
        "<!DOCTYPE html><html><body>"
        f"<p><strong>{html.escape(headline(alerts))}</strong></p>{''.join(sections)}"
        "</body></html>"
    )


def format_subject(alerts: Alerts) -> str:
    runs = ", ".join(sorted({str(a.get("run_id") or "unknown") for a in alerts}))
    councils = sorted({council_label(a.get("council_code")) for a in alerts})
    shown = ", ".join(councils[:3]) + (f" and {len(councils) - 3} more" if len(councils) > 3
                                       else "")
    return (
        f"{SUBJECT_PREFIX} {_worst(alerts).upper()}: {len(alerts)} {_kind_words(alerts)}, "
        f"{shown}, run {runs}"
    )


# --- e-mail -----------------------------------------------------------------------------------


def _flag(extras: Mapping[str, Any], name: str) -> bool:
    # URI query extras arrive as strings, and bool("false") is True: read them as words.
    value = extras.get(name, False)
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)


def smtp_security(port: int | None, extras: Mapping[str, Any]) -> tuple[str, int]:
    """(``ssl`` | ``starttls`` | ``plain``, port) for a connection's port and extras."""
    if "disable_ssl" in extras or "disable_tls" in extras:
        if not _flag(extras, "disable_ssl"):
            return "ssl", port or SMTPS_PORT
        return ("plain" if _flag(extras, "disable_tls") else "starttls"), port or STARTTLS_PORT
    if port == SMTPS_PORT:
        return "ssl", port
    return "starttls", port or STARTTLS_PORT


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


def email_message(alerts: Alerts, sender: str, recipients: Sequence[str]) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Subject"] = format_subject(alerts)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="asc-warehouse")
    message.set_content(format_text(alerts))
    message.add_alternative(format_html(alerts), subtype="html")
    return message


def send_email(alerts: Alerts, config: ChannelConfig) -> None:
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

    message = email_message(alerts, sender, config.email_to)
    security, port = smtp_security(conn.port, extras)
    timeout = float(extras.get("timeout") or DEFAULT_TIMEOUT_SECONDS)
    context = ssl.create_default_context()
    try:
        client: smtplib.SMTP = (
            smtplib.SMTP_SSL(conn.host, port, timeout=timeout, context=context)
            if security == "ssl" else smtplib.SMTP(conn.host, port, timeout=timeout)
        )
        with client:
            if security == "starttls":
                client.starttls(context=context)
            if conn.login:
                client.login(conn.login, conn.password or "")
            client.send_message(message)
    except (smtplib.SMTPException, OSError) as error:
        raise ChannelFailure(
            f"SMTP {security} to {conn.host}:{port} failed: {type(error).__name__}: {error}"
        ) from None


# --- webhooks ---------------------------------------------------------------------------------


def teams_body(alerts: Alerts) -> dict[str, Any]:
    """A Teams Workflows message: one Adaptive Card (schema 1.4) with a fact set per alert."""
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": headline(alerts), "weight": "Bolder", "size": "Medium",
         "wrap": True},
    ]
    actions = []
    for alert in alerts:
        attention = str(alert["severity"]) in {"blocking", "escalation"}
        body += [
            {"type": "TextBlock", "text": alert_title(alert), "weight": "Bolder", "wrap": True,
             "color": "Attention" if attention else "Default", "separator": True},
            {"type": "TextBlock", "text": str(alert["message"]), "wrap": True},
            {"type": "FactSet", "facts": [
                {"title": label, "value": value} for label, value in alert_fields(alert)
            ]},
        ]
        link = str(alert.get("details") or "")
        if link.startswith(("http://", "https://")) and len(actions) < 5:
            actions.append({"type": "Action.OpenUrl", "title": f"Open: {alert['check']}"[:60],
                            "url": link})
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard", "version": "1.4", "body": body,
    }
    if actions:
        card["actions"] = actions
    return {"type": "message", "attachments": [{
        "contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None,
        "content": card,
    }]}


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_body(alerts: Alerts) -> dict[str, Any]:
    """Slack incoming-webhook payload: ``text`` for notifications, ``blocks`` to read."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": headline(alerts)[:150]}},
    ]
    for alert in alerts[:SLACK_MAX_ALERT_BLOCKS]:
        lines = [f"*{_slack_escape(alert_title(alert))}*", _slack_escape(str(alert["message"]))]
        for label, value in alert_fields(alert):
            shown = (f"<{value}|{_slack_escape(value)}>"
                     if label == "Open" and value.startswith(("http://", "https://"))
                     else _slack_escape(value))
            lines.append(f"*{label}:* {shown}")
        blocks += [{"type": "divider"}, {"type": "section", "text": {
            "type": "mrkdwn", "text": "\n".join(lines)[:SLACK_SECTION_LIMIT]}}]
    if len(alerts) > SLACK_MAX_ALERT_BLOCKS:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": (
            f"and {len(alerts) - SLACK_MAX_ALERT_BLOCKS} more in the alert log")}]})
    return {"text": headline(alerts), "blocks": blocks}


def webhook_body(alerts: Alerts) -> dict[str, Any]:
    """The generic JSON webhook: the text and every structured field."""
    return {"text": format_text(alerts), "alerts": [dict(alert) for alert in alerts]}


def post_json(url: str | None, body: Mapping[str, Any], name: str) -> None:
    # urllib also opens file: and ftp: URLs; an alert must only ever be POSTed over HTTP(S).
    if not (url or "").lower().startswith(("http://", "https://")):
        raise ChannelFailure(f"the {name} URL must be an http(s) URL")
    request = urllib.request.Request(
        str(url),
        data=json.dumps(body, default=str).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8",
                 "User-Agent": "asc-warehouse-alerts"},
        method="POST",
    )
    # The URL is a secret for Slack and Teams: errors name the status, never the address.
    try:
        with urllib.request.urlopen(request, timeout=DEFAULT_TIMEOUT_SECONDS) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        raise ChannelFailure(f"{name} answered HTTP {error.code} {error.reason}") from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise ChannelFailure(f"{name} unreachable: {reason}") from None
    if not 200 <= status < 300:
        raise ChannelFailure(f"{name} answered HTTP {status}")


def send_teams(alerts: Alerts, config: ChannelConfig) -> None:
    post_json(config.teams_webhook_url, teams_body(alerts), "Teams webhook")


def send_slack(alerts: Alerts, config: ChannelConfig) -> None:
    post_json(config.slack_webhook_url, slack_body(alerts), "Slack webhook")


def send_webhook(alerts: Alerts, config: ChannelConfig) -> None:
    post_json(config.webhook_url, webhook_body(alerts), "webhook")


SENDERS: dict[str, Callable[[Alerts, ChannelConfig], None]] = {
    "email": send_email, "teams": send_teams, "slack": send_slack, "webhook": send_webhook,
}
