"""Alert channels against real servers on 127.0.0.1: an SMTP receiver and HTTP webhooks (Teams
Workflows, Slack, generic JSON), and the alert log's grouping and delivery record."""

from __future__ import annotations

import json
import smtplib
import urllib.request
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest

from asc_warehouse.alerts.channels import ChannelConfig, smtp_security
from asc_warehouse.alerts.log import (
    EVENT,
    Alert,
    alert_log_path,
    note_run,
    on_task_failure,
    read_alerts,
    read_channel_errors,
    read_deliveries,
    record_alerts,
)
from asc_warehouse.alerts.messages import distinct_value_counts, shown_value
from tests.alerts.conftest import (
    RECIPIENTS,
    SENDER,
    Receiver,
    SMTPServer,
    received,
    unreachable_url,
    use_email,
)

LINK = "https://asc.council.example/quality.html"


def _alert(run_id: str = "scheduled__2026-03-02T02:00:00+00:00", **overrides: Any) -> Alert:
    fields: dict[str, Any] = {
        "severity": "blocking",
        "source": "CLD_820_20240401_20260331_R2.csv",
        "check": "data-quality checks",
        "message": "CLD_820_20240401_20260331_R2.csv: 1 check(s) failed: "
                   "raw_cld_events_code_lists_r2: expect_column_values_to_be_in_set(event_type).",
        "council_code": "820",
        "run_id": run_id,
        "observed": "event_type: 7 rows",
        "expected": "event_type: one of its 4 code-list values (Request, Assessment, Service, "
                    "Review)",
        "details": LINK,
        "about": "CLD_820_20240401_20260331_R2.csv",
        "rows": "event_type: rows 12, 40, 41 (see marts.fct_cld_field_quality_failure)",
        "unexpected_values": [("Referal", 5), ("Assesment", 2)],
        "what_to_do": "Correct the extract at source and land a new file.",
    }
    return Alert(**(fields | overrides))


# What a reader needs, in every channel's content.
READER_PARTS = (
    "Kent (820)", "CLD_820_20240401_20260331_R2.csv", "event_type: 7 rows",
    "rows 12, 40, 41", "marts.fct_cld_field_quality_failure", "Referal (5)", "Assesment (2)",
    "one of its 4 code-list values", "Correct the extract at source", LINK,
    "blocking: nothing from this source is published",
)


def _assert_reader_parts(text: str) -> None:
    for part in READER_PARTS:
        assert part in text, part


# --- e-mail -----------------------------------------------------------------------------------


def test_email_has_a_plain_text_and_an_html_part_naming_what_a_reader_acts_on(
    settings, smtp_server: SMTPServer, monkeypatch: pytest.MonkeyPatch,
) -> None:
    use_email(monkeypatch, smtp_server)
    alert = _alert()
    result = record_alerts(settings.warehouse_dir, [alert])

    assert result.errors == []
    assert result.sent == {"email": [alert]}
    [envelope] = smtp_server.messages
    assert (envelope["from"], envelope["to"]) == (SENDER, RECIPIENTS)
    [message] = received(smtp_server)
    assert message["Subject"] == (
        "[ASC warehouse] BLOCKING: 1 data-quality alert(s), Kent (820), "
        "run scheduled__2026-03-02T02:00:00+00:00"
    )
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    page = message.get_body(("html",)).get_content()
    _assert_reader_parts(text)
    _assert_reader_parts(page)
    assert f'<a href="{LINK}">' in page
    assert "not recorded" not in text


def test_smtp_security_is_starttls_on_587_and_ssl_on_465_unless_the_extras_say() -> None:
    assert smtp_security(587, {}) == ("starttls", 587)
    assert smtp_security(465, {}) == ("ssl", 465)
    assert smtp_security(None, {}) == ("starttls", 587)
    assert smtp_security(2525, {}) == ("starttls", 2525)
    assert smtp_security(587, {"disable_ssl": "true"}) == ("starttls", 587)
    assert smtp_security(25, {"disable_ssl": "true", "disable_tls": "true"}) == ("plain", 25)
    assert smtp_security(None, {"disable_ssl": "false"}) == ("ssl", 465)


def test_a_plain_smtp_url_on_587_insists_on_starttls_and_never_sends_in_clear(
    settings, smtp_server: SMTPServer, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The README's example: smtp://user:pass@host:587 with no extras. The test server offers no
    # STARTTLS, so the attempt is a channel error, not a plaintext send.
    use_email(monkeypatch, smtp_server, extras="")
    result = record_alerts(settings.warehouse_dir, [_alert()])
    [error] = result.errors
    assert error.channel == "email"
    assert "starttls" in error.error.lower()
    assert smtp_server.messages == []


# --- webhooks ---------------------------------------------------------------------------------


def test_teams_gets_an_adaptive_card_with_the_facts_and_a_link(
    settings, webhook: Callable[..., Receiver], monkeypatch: pytest.MonkeyPatch,
) -> None:
    receiver = webhook()
    monkeypatch.setenv("ASC_ALERT_TEAMS_WEBHOOK_URL", receiver.url)
    result = record_alerts(settings.warehouse_dir, [_alert()])

    assert list(result.sent) == ["teams"]
    [body] = receiver.bodies()
    assert body["type"] == "message"
    [attachment] = body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert (card["type"], card["version"]) == ("AdaptiveCard", "1.4")
    facts = {fact["title"]: fact["value"] for block in card["body"]
             if block["type"] == "FactSet" for fact in block["facts"]}
    assert facts["Council"] == "Kent (820)"
    assert facts["Unexpected values"] == "Referal (5), Assesment (2)"
    assert facts["Open"] == LINK
    assert card["actions"] == [
        {"type": "Action.OpenUrl", "title": "Open: data-quality checks", "url": LINK}
    ]
    _assert_reader_parts(json.dumps(card))


def test_slack_gets_text_and_blocks_with_a_clickable_link(
    settings, webhook: Callable[..., Receiver], monkeypatch: pytest.MonkeyPatch,
) -> None:
    receiver = webhook()
    monkeypatch.setenv("ASC_ALERT_SLACK_WEBHOOK_URL", receiver.url)
    record_alerts(settings.warehouse_dir, [_alert()])

    [body] = receiver.bodies()
    assert body["text"] == "ASC warehouse: 1 data-quality alert(s) (1 blocking)."
    header, divider, section = body["blocks"]
    assert (header["type"], divider["type"], section["type"]) == ("header", "divider", "section")
    text = section["text"]["text"]
    assert section["text"]["type"] == "mrkdwn"
    assert f"*Open:* <{LINK}|{LINK}>" in text
    _assert_reader_parts(text)


def test_generic_webhook_gets_the_text_and_every_structured_field(
    settings, webhook: Callable[..., Receiver], monkeypatch: pytest.MonkeyPatch,
) -> None:
    receiver = webhook()
    monkeypatch.setenv("ASC_ALERT_WEBHOOK_URL", receiver.url)
    alert = _alert()
    record_alerts(settings.warehouse_dir, [alert])

    [request] = receiver.requests
    assert request["path"] == "/hook/secret-token"
    assert request["content_type"] == "application/json; charset=utf-8"
    [body] = receiver.bodies()
    _assert_reader_parts(body["text"])
    [structured] = body["alerts"]
    assert {key: structured[key] for key in (
        "severity", "source", "council_code", "about", "unexpected_values", "rows",
        "what_to_do", "details", "kind", "repeat", "occurrences",
    )} == {
        "severity": "blocking", "source": alert.source, "council_code": "820",
        "about": alert.source, "unexpected_values": [["Referal", 5], ["Assesment", 2]],
        "rows": alert.rows, "what_to_do": alert.what_to_do, "details": LINK,
        "kind": "condition", "repeat": False, "occurrences": 1,
    }


def test_a_failing_channel_is_recorded_and_the_other_channels_still_deliver(
    settings, smtp_server: SMTPServer, webhook: Callable[..., Receiver],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    failing = webhook(status=500)
    slack = webhook()
    use_email(monkeypatch, smtp_server)
    monkeypatch.setenv("ASC_ALERT_WEBHOOK_URL", failing.url)
    monkeypatch.setenv("ASC_ALERT_SLACK_WEBHOOK_URL", slack.url)
    monkeypatch.setenv("ASC_ALERT_TEAMS_WEBHOOK_URL", unreachable_url())
    alert = _alert()
    result = record_alerts(settings.warehouse_dir, [alert])  # must not raise

    assert set(result.sent) == {"email", "slack"}
    assert {(e.channel, e.error.split(":")[1].strip()) for e in result.errors} == {
        ("teams", "Teams webhook unreachable"),
        ("webhook", "webhook answered HTTP 500 Internal Server Error"),
    }
    assert len(smtp_server.messages) == len(slack.requests) == len(failing.requests) == 1
    deliveries = read_deliveries(settings.warehouse_dir, alert.run_id)
    assert sorted((d["channel"], d["status"]) for d in deliveries) == [
        ("email", "delivered"), ("slack", "delivered"), ("teams", "failed"),
        ("webhook", "failed"),
    ]
    errors = read_channel_errors(settings.warehouse_dir)
    assert all("secret-token" not in error["error"] for error in errors)  # URLs are secrets
    assert [error["undelivered"] for error in errors] == [[[alert.run_id, *alert.identity]]] * 2


def test_channel_configuration_is_read_from_the_environment() -> None:
    config = ChannelConfig.from_env({
        "ASC_ALERT_EMAIL_TO": " a@council.example, ,b@council.example ",
        "ASC_ALERT_WEBHOOK_URL": "https://hooks.example/x",
        "ASC_ALERT_TEAMS_WEBHOOK_URL": "https://teams.example/x",
        "ASC_ALERT_SLACK_WEBHOOK_URL": " ",
    })
    assert config.email_to == ("a@council.example", "b@council.example")
    assert config.smtp_conn_id == "smtp_default"
    assert config.channels == ["email", "teams", "webhook"]
    assert ChannelConfig.from_env({}).channels == []


# --- values a message may show ----------------------------------------------------------------


def test_only_code_list_shaped_values_are_shown_and_the_rest_are_counted_together() -> None:
    assert shown_value("Long Term Support") == "Long Term Support"
    for personal in ("9434765919", "2001-04-23", "jo.bloggs@example.org", "ME4 4TR flat 3",
                     "x" * 70, "12345"):
        assert shown_value(personal) == "(value not shown)", personal
    assert distinct_value_counts([("Referal", 2), ("9434765919", 1), ("Referal", 3),
                                  ("2001-04-23", 4)]) == [
        ("(value not shown)", 5), ("Referal", 5),
    ]


# --- grouping ---------------------------------------------------------------------------------


def test_a_condition_on_consecutive_runs_is_sent_once_and_again_after_the_streak_breaks(
    settings, webhook: Callable[..., Receiver], monkeypatch: pytest.MonkeyPatch,
) -> None:
    receiver = webhook()
    monkeypatch.setenv("ASC_ALERT_WEBHOOK_URL", receiver.url)
    night = "2026-03-0{}T02:10:00+00:00".format
    r1 = record_alerts(settings.warehouse_dir, [_alert("r1", raised_at=night(1))])
    r2 = record_alerts(settings.warehouse_dir, [_alert("r2", raised_at=night(2),
                                                       observed="event_type: 9 rows")])
    note_run(settings.warehouse_dir, "r3")  # a clean night
    r4 = record_alerts(settings.warehouse_dir, [_alert("r4", raised_at=night(4))])

    assert (len(r1.sent["webhook"]), len(r2.repeats), len(r4.sent["webhook"])) == (1, 1, 1)
    assert [body["alerts"][0]["run_id"] for body in receiver.bodies()] == ["r1", "r4"]
    by_run = {a["run_id"]: a for a in read_alerts(settings.warehouse_dir)}
    assert (by_run["r2"]["occurrences"], by_run["r2"]["first_seen"]) == (2, night(1))
    assert (by_run["r4"]["occurrences"], by_run["r4"]["first_seen"]) == (1, night(4))


def test_the_same_fault_in_another_file_is_another_alert(
    settings, webhook: Callable[..., Receiver], monkeypatch: pytest.MonkeyPatch,
) -> None:
    receiver = webhook()
    monkeypatch.setenv("ASC_ALERT_WEBHOOK_URL", receiver.url)
    record_alerts(settings.warehouse_dir, [_alert("r1")])
    corrected_but_broken = "CLD_820_20240401_20260430_R2.csv"
    result = record_alerts(settings.warehouse_dir, [
        _alert("r2", source=corrected_but_broken, about=corrected_but_broken),
    ])
    assert result.repeats == []
    assert len(receiver.requests) == 2


def test_an_event_is_sent_once_whatever_the_runs_around_it_do(
    settings, webhook: Callable[..., Receiver], monkeypatch: pytest.MonkeyPatch,
) -> None:
    receiver = webhook()
    monkeypatch.setenv("ASC_ALERT_WEBHOOK_URL", receiver.url)
    black = _alert("n31", severity="escalation", source="OPEL council-wide",
                   check="OPEL level", about="2026-03-31: OPEL 4", kind=EVENT)
    record_alerts(settings.warehouse_dir, [black])
    note_run(settings.warehouse_dir, "n32")  # a failed night: nothing recorded after the marker
    note_run(settings.warehouse_dir, "n33")
    again = record_alerts(settings.warehouse_dir, [black.__class__(**{**black.__dict__,
                                                                     "run_id": "n34"})])
    assert len(again.repeats) == 1
    assert len(receiver.requests) == 1


def test_an_alert_undelivered_last_night_is_sent_again_with_its_streak(
    settings, webhook: Callable[..., Receiver], monkeypatch: pytest.MonkeyPatch,
) -> None:
    receiver = webhook(status=503)
    monkeypatch.setenv("ASC_ALERT_WEBHOOK_URL", receiver.url)
    assert record_alerts(settings.warehouse_dir, [_alert("r1")]).errors
    receiver.status = 200
    result = record_alerts(settings.warehouse_dir, [_alert("r2")])
    assert (result.repeats, result.errors) == ([], [])
    [_, delivered] = receiver.bodies()
    assert (delivered["alerts"][0]["occurrences"], delivered["alerts"][0]["repeat"]) == (2, False)
    assert "2 runs in a row" in delivered["text"]


# --- the Airflow failure callback -------------------------------------------------------------


def test_task_failure_callback_sends_a_blocking_alert_from_the_context(
    settings, smtp_server: SMTPServer, webhook: Callable[..., Receiver],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    receiver = webhook()
    use_email(monkeypatch, smtp_server)
    monkeypatch.setenv("ASC_ALERT_WEBHOOK_URL", receiver.url)
    log_url = "https://airflow.council.example/dags/asc_nightly/runs/scheduled__2026-03-02"
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
    [body] = receiver.bodies()
    for part in ("BLOCKING", "asc_nightly.dbt_build", "dbt test failed", log_url):
        assert part in body["text"]
    [message] = received(smtp_server)
    assert message["Subject"].startswith("[ASC warehouse] BLOCKING: 1 data-quality alert(s)")


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
    assert read_deliveries(settings.warehouse_dir) == []


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


def test_task_failure_links_to_the_configured_airflow_ui_not_airflows_own_base_url(
    settings, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ASC_ALERT_AIRFLOW_URL", "https://airflow.council.example")
    ti = SimpleNamespace(dag_id="asc_opel_intraday", task_id="refresh_opel", try_number=1,
                         log_url="http://localhost:8080/dags/asc_opel_intraday/runs/r")
    on_task_failure({"ti": ti, "run_id": "scheduled__2026-03-31T09:45:00+00:00"})
    [logged] = read_alerts(settings.warehouse_dir)
    assert logged["details"] == ("https://airflow.council.example/dags/asc_opel_intraday/runs/"
                                 "scheduled__2026-03-31T09%3A45%3A00%2B00%3A00")
    assert logged["what_to_do"].startswith("Open the task's log in Airflow")
