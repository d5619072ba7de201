"""Alerts: an append-only JSON-lines log in the warehouse folder, plus the outbound channels
configured per deployment (e-mail, Teams, Slack, JSON webhook: ``asc_warehouse.alerts.channels``).

Every alert names what broke, for which council and file or table, the check, what was observed
against what was expected, how badly, the run, what to do and a link, so the person receiving
it can act the same night.

Channels
--------
The log ``<warehouse>/alerts.jsonl`` is always written; the other channels are added by
environment variables (``ASC_ALERT_*``). A channel that fails is recorded and never raised: a
mail server being down must not fail the run or stop the other channels. Nor does the log: when
it cannot be written (a full or read-only warehouse volume) every channel is still tried, and a
blocking alert ``alert log written`` goes out with the others and to the task log. No task fails
for it, and the alerts sent are not on record: until the log can be written again, a retried
task or the next intraday run sends them again (they cannot be told apart from new ones). If
only the delivery lines could not be written, the alert names the channels that failed to
deliver: with no ``channel_error`` line on record, those alerts would otherwise count as
delivered and never be sent again.

Log lines
---------
``{"record": "alert", ...Alert fields, "repeat", "occurrences", "first_seen"}`` for each alert
(older lines without ``record`` are alerts too); for each channel tried,
``{"record": "delivery", "channel", "status": "delivered", "run_id", "raised_at", "alerts"}``
or, when it failed, ``{"record": "channel_error", "status": "failed", "error", ...,
"undelivered": [[run_id, *identity], ...]}``; ``{"record": "run", "run_id", "raised_at"}`` from
``note_run``. ``read_deliveries`` reads the attempts back (published as ``ops.alert_delivery``).

Grouping rule
-------------
An alert's identity is (severity, source, check, council_code, about): ``about`` says what it
is about (the file of a file fault, the report date and level of an OPEL change), so the same
fault in another file, or a new rise on another day, is a new alert. Message and observed value
may change from night to night without making it new.

An *event* (``kind="event"``, an OPEL change) is sent once, ever: if its identity is anywhere in
the log it is logged as a repeat and not sent, unless that line was left undelivered by a
channel error (then it is sent again). A *condition* (the default, a data-quality fault) is
grouped into streaks:

1. If the same identity was already logged in the same run (a retried task, a duplicate), it
   continues that line's streak unchanged.
2. Otherwise the previous run is the run id of the last line in the log (in file order) whose
   run id differs from this one: any alert, run marker (``note_run``) or failure
   callback counts. If that run logged the same identity, the streak goes on:
   ``occurrences`` = its occurrences + 1, ``first_seen`` = its ``first_seen``.
3. An alert continuing a streak is logged with ``"repeat": true`` and not sent, unless the
   earlier line was left undelivered by a channel error (then it is sent again, on every
   channel, with ``"repeat": false`` and the streak count).
4. Anything else starts a streak: ``occurrences`` 1, ``first_seen`` = its ``raised_at``, sent.

So a failure present on nights r1 and r2 is sent once; a night r3 that records anything
without it (another alert, or ``note_run``) breaks the streak, and r4 sends it again. A night
that records nothing at all does not break it: call ``note_run`` once per run to make clean
nights count. Conditions without a run id are never grouped.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from asc_warehouse.alerts.channels import SENDERS, ChannelConfig
from asc_warehouse.alerts.messages import airflow_run_link

try:  # Airflow only runs on POSIX; the import guard keeps the module importable elsewhere.
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

ALERT_LOG_NAME = "alerts.jsonl"
LOG_WRITE_CHECK = "alert log written"
# How a log-write failure is named among the channel errors of a ``RecordResult``.
LOG_CHANNEL = "alert log"
EXCEPTION_TEXT_LIMIT = 1000

logger = logging.getLogger(__name__)

Identity = tuple[str, str, str, str | None, str | None]
CONDITION = "condition"
EVENT = "event"
SEVERITIES = ("blocking", "warning", "escalation", "de-escalation")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Alert:
    severity: str
    """One of ``SEVERITIES`` (defined in the README): blocking, warning, escalation,
    de-escalation."""
    source: str
    """The council's file, the feed or the mart the alert is about."""
    check: str
    message: str
    council_code: str | None = None
    run_id: str | None = None
    raised_at: str = field(default_factory=_now)
    observed: Any = None
    """What the check saw (a count, a share, a value); JSON-serialisable or shown as text."""
    expected: Any = None
    """What the check wanted, in the reader's terms (the code list, the threshold)."""
    details: str | None = None
    """A link the reader can open (Airflow UI, scorecard or data-quality page); the alert log
    path when not given."""
    about: str | None = None
    """What this occurrence is about, part of the identity: the report date of an OPEL change,
    the file of a file fault. Two faults about different things are two alerts."""
    kind: str = CONDITION
    """``condition`` (a state that persists night to night: sent when it starts) or ``event``
    (a change such as an OPEL escalation: sent once, ever)."""
    council_name: str | None = None
    rows: str | None = None
    """Which rows, or how many, and where to see them."""
    unexpected_values: list[tuple[str, int]] | None = None
    """Distinct unexpected code values with their counts (never a person-level value)."""
    what_to_do: str | None = None

    @property
    def identity(self) -> Identity:
        return (self.severity, self.source, self.check, self.council_code, self.about)


@dataclass(frozen=True)
class ChannelError:
    channel: str
    error: str


@dataclass
class RecordResult:
    """What ``record_alerts`` did, for callers and tests."""

    logged: list[Alert] = field(default_factory=list)
    """Every alert of the batch (with ``details`` filled in): in the log unless
    ``log_failed``."""
    log_failed: bool = False
    """The log could not be written; an alert saying so was sent on the channels."""
    repeats: list[Alert] = field(default_factory=list)
    """Logged as part of a streak and not sent again."""
    sent: dict[str, list[Alert]] = field(default_factory=dict)
    """Channel name to the alerts it delivered."""
    errors: list[ChannelError] = field(default_factory=list)


def alert_log_path(warehouse_dir: Path) -> Path:
    return warehouse_dir / ALERT_LOG_NAME


# --- the log ----------------------------------------------------------------------------------


def _parse(text: str) -> list[dict[str, Any]]:
    # A torn last line (a killed process) must not stop tonight's alerts: skip what won't parse.
    records = []
    for line in text.splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict):
            records.append(record)
    return records


def _line(record: Mapping[str, Any]) -> str:
    return json.dumps(record, sort_keys=True, default=str) + "\n"


@contextmanager
def _locked_log(path: Path) -> Iterator[tuple[TextIO, str]]:
    """The log opened for append, exclusively locked, with its current text.

    The lock makes read-decide-append atomic when a failure callback and a task write at once.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+", encoding="utf-8") as log:
        if fcntl is not None:
            fcntl.flock(log.fileno(), fcntl.LOCK_EX)  # released when the file closes
        log.seek(0)
        text = log.read()
        if text and not text.endswith("\n"):
            log.write("\n")  # so a torn line does not swallow the next record
        yield log, text


def _is_alert(record: Mapping[str, Any]) -> bool:
    return record.get("record", "alert") == "alert"


def read_alerts(warehouse_dir: Path) -> list[dict[str, Any]]:
    """The alert lines of the log, oldest first (channel errors and run markers left out)."""
    path = alert_log_path(warehouse_dir)
    if not path.exists():
        return []
    return [r for r in _parse(path.read_text(encoding="utf-8")) if _is_alert(r)]


def read_records(warehouse_dir: Path) -> list[dict[str, Any]]:
    """Every line of the log (alerts, deliveries, channel errors, run markers), oldest first."""
    path = alert_log_path(warehouse_dir)
    if not path.exists():
        return []
    return _parse(path.read_text(encoding="utf-8"))


def read_channel_errors(warehouse_dir: Path) -> list[dict[str, Any]]:
    path = alert_log_path(warehouse_dir)
    if not path.exists():
        return []
    records = _parse(path.read_text(encoding="utf-8"))
    return [r for r in records if r.get("record") == "channel_error"]


def note_run(warehouse_dir: Path, run_id: str) -> None:
    """Mark that a run happened, so a night without a failure breaks that failure's streak."""
    with _locked_log(alert_log_path(warehouse_dir)) as (log, _):
        log.write(_line({"record": "run", "run_id": run_id, "raised_at": _now()}))


# --- grouping ---------------------------------------------------------------------------------


def _record_identity(record: Mapping[str, Any]) -> Identity:
    return (
        record["severity"], record["source"], record["check"], record.get("council_code"),
        record.get("about"),
    )


def _last_alert(
    records: list[dict[str, Any]], run_id: str | None, identity: Identity
) -> dict[str, Any] | None:
    """The latest alert line with this identity, in ``run_id`` (or in any run when None)."""
    for record in reversed(records):
        if (_is_alert(record) and (run_id is None or record.get("run_id") == run_id)
                and _record_identity(record) == identity):
            return record
    return None


def _previous_run(records: list[dict[str, Any]], run_id: str) -> str | None:
    for record in reversed(records):
        other = record.get("run_id")
        if other is not None and other != run_id:
            return str(other)
    return None


def undelivered(records: list[dict[str, Any]], alert_record: Mapping[str, Any]) -> bool:
    """Whether a channel failed to deliver this logged alert (so it is to be sent again)."""
    return _undelivered(records, alert_record.get("run_id"), _record_identity(alert_record))


def _undelivered(
    records: list[dict[str, Any]], run_id: str | None, identity: Identity
) -> bool:
    key = [run_id, *identity]
    return any(
        key in record.get("undelivered", [])
        for record in records if record.get("record") == "channel_error"
    )


def _streak(alert: Alert, records: list[dict[str, Any]]) -> dict[str, Any]:
    """``repeat``, ``occurrences`` and ``first_seen`` by the rule in the module docstring."""
    fresh = {"repeat": False, "occurrences": 1, "first_seen": alert.raised_at}
    if alert.kind == EVENT:
        # An event is about one thing that happened (an OPEL change on a report date): once it
        # is on record it is never news again, whatever the runs around it did.
        earlier = _last_alert(records, None, alert.identity)
        if earlier is None:
            return fresh
        return {
            "repeat": not _undelivered(records, earlier["run_id"], alert.identity),
            "occurrences": int(earlier.get("occurrences") or 1) + 1,
            "first_seen": earlier.get("first_seen") or alert.raised_at,
        }
    if alert.run_id is None:
        return fresh
    earlier = _last_alert(records, alert.run_id, alert.identity)
    step = 0
    if earlier is None:
        previous = _previous_run(records, alert.run_id)
        earlier = _last_alert(records, previous, alert.identity) if previous else None
        step = 1
    if earlier is None:
        return fresh
    return {
        "repeat": not _undelivered(records, earlier["run_id"], alert.identity),
        "occurrences": int(earlier.get("occurrences") or 1) + step,
        "first_seen": earlier.get("first_seen") or earlier.get("raised_at") or alert.raised_at,
    }


# --- recording and sending --------------------------------------------------------------------


def _send(
    channel: str, to_send: list[tuple[Alert, dict[str, Any]]], config: ChannelConfig
) -> ChannelError | None:
    try:
        SENDERS[channel]([record for _, record in to_send], config)
    except Exception as error:  # any failure of a channel is reported, never raised
        logger.warning("alert channel %s failed: %s", channel, error)
        return ChannelError(channel, f"{type(error).__name__}: {error}")
    return None


def _plan(
    path: Path, alerts: list[Alert], records: list[dict[str, Any]]
) -> list[tuple[Alert, dict[str, Any]]]:
    """Each alert (``details`` filled in) with its log line, grouped against ``records``."""
    planned = []
    for raw in alerts:
        alert = raw if raw.details else replace(raw, details=str(path))
        record = {"record": "alert", **asdict(alert), **_streak(alert, records)}
        records.append(record)  # later alerts in this batch see this one
        planned.append((alert, record))
    return planned


def _readable_records(path: Path) -> list[dict[str, Any]]:
    """What can still be read of a log that cannot be written (nothing if it cannot be read)."""
    try:
        return _parse(path.read_text(encoding="utf-8"))
    except OSError:
        return []


def _log_write_failed(
    path: Path, error: OSError, run_id: str | None, failed_channels: list[str] | None = None,
) -> Alert:
    """The alert that says the log failed: sent on every channel, never only logged.

    ``failed_channels``: the channels that could not deliver tonight's alerts, when the lines
    saying so could not be written (named here, or nothing would say they were not delivered).
    """
    cause = error.strerror or type(error).__name__
    logger.error("%s: the alert log %s could not be written (%s); the alerts are still sent",
                 LOG_WRITE_CHECK, path, cause)
    undelivered = (
        f" These channels failed to deliver them and it is not on record: "
        f"{', '.join(failed_channels)}; they will not be sent again." if failed_channels else "")
    return Alert(
        severity="blocking", source=str(path), check=LOG_WRITE_CHECK,
        message=f"The alert log {path} could not be written ({cause}). Tonight's alerts are "
                "sent but not on record, so a retry or the next run may send them again."
                + undelivered,
        run_id=run_id, observed=cause, expected="the alert log appended to",
        details=str(path),
        what_to_do="Free space on, or make writable, the warehouse volume. This alone fails no "
                   "task: until the log can be written, retries and intraday runs send their "
                   "alerts again."
                   + (" Pass tonight's alerts on from a channel that delivered them to the "
                      "readers of the failed ones." if failed_channels else ""),
    )


def _unlogged(alert: Alert) -> tuple[Alert, dict[str, Any]]:
    return alert, {"record": "alert", **asdict(alert), "repeat": False, "occurrences": 1,
                   "first_seen": alert.raised_at}


def record_alerts(
    warehouse_dir: Path, alerts: list[Alert], channels: ChannelConfig | None = None
) -> RecordResult:
    """Log every alert, send the new ones on the configured channels, then log the delivery.

    ``channels`` defaults to ``ChannelConfig.from_env()``. The log is written first, so an
    alert is on record even if sending hangs until its timeout; but sending never depends on
    the log. If the log cannot be written (a full or read-only volume), repeats are still told
    apart by what can be read of it, every channel is tried, and an alert saying the log failed
    goes out with the others (and to the task log).
    """
    result = RecordResult()
    if not alerts:
        return result
    config = ChannelConfig.from_env() if channels is None else channels
    path = alert_log_path(warehouse_dir)
    run_id = next((alert.run_id for alert in alerts if alert.run_id), None)
    planned: list[tuple[Alert, dict[str, Any]]] | None = None
    log_failure: Alert | None = None
    try:
        with _locked_log(path) as (log, text):
            planned = _plan(path, alerts, _parse(text))
            log.writelines(_line(record) for _, record in planned)
    except OSError as error:
        log_failure = _log_write_failed(path, error, run_id)
        result.errors.append(ChannelError(LOG_CHANNEL, log_failure.message))
        if planned is None:
            planned = _plan(path, alerts, _readable_records(path))
    result.logged = [alert for alert, _ in planned]
    result.log_failed = log_failure is not None
    result.repeats = [alert for alert, record in planned if record["repeat"]]
    to_send = [(alert, record) for alert, record in planned if not record["repeat"]]
    if log_failure is not None:
        to_send.insert(0, _unlogged(log_failure))
    if not to_send:
        return result
    delivery_lines = _deliver(to_send, config, result)
    if log_failure is not None or not delivery_lines:
        return result
    try:
        _write_deliveries(path, delivery_lines)
    except OSError as error:
        # The alerts went out; the log's failure still has to reach someone.
        failed_channels = [line["channel"] for line in delivery_lines
                           if line["status"] == "failed"]
        late_failure = _log_write_failed(path, error, run_id, failed_channels)
        result.errors.append(ChannelError(LOG_CHANNEL, late_failure.message))
        result.log_failed = True
        _deliver([_unlogged(late_failure)], config, result)
    return result


def _deliver(
    to_send: list[tuple[Alert, dict[str, Any]]], config: ChannelConfig, result: RecordResult
) -> list[dict[str, Any]]:
    """Send on every channel; the delivery or channel-error line of each attempt."""
    delivery_lines = []
    alerts_sent = [alert for alert, _ in to_send]
    for channel in config.channels:
        error = _send(channel, to_send, config)
        line: dict[str, Any] = {
            "record": "delivery", "channel": channel, "status": "delivered", "error": None,
            "raised_at": _now(),
            "run_id": ", ".join(sorted({a.run_id or "unknown" for a in alerts_sent})),
            "alerts": [_delivery_label(alert) for alert in alerts_sent],
        }
        if error is None:
            result.sent.setdefault(channel, []).extend(alerts_sent)
        else:
            result.errors.append(error)
            line |= {
                "record": "channel_error", "status": "failed", "error": error.error,
                "undelivered": [[alert.run_id, *alert.identity] for alert in alerts_sent],
            }
        delivery_lines.append(line)
    return delivery_lines


def _write_deliveries(path: Path, delivery_lines: list[dict[str, Any]]) -> None:
    with _locked_log(path) as (log, _):
        log.writelines(_line(line) for line in delivery_lines)


def _delivery_label(alert: Alert) -> str:
    council = f" [{alert.council_code}]" if alert.council_code else ""
    about = f" ({alert.about})" if alert.about else ""
    return f"{alert.severity}: {alert.check}{council} {alert.source}{about}"


def read_deliveries(warehouse_dir: Path, run_id: str | None = None) -> list[dict[str, Any]]:
    """Every channel attempt (delivered or failed), oldest first; only ``run_id``'s if given."""
    path = alert_log_path(warehouse_dir)
    if not path.exists():
        return []
    records = _parse(path.read_text(encoding="utf-8"))
    return [
        record for record in records
        if record.get("record") in {"delivery", "channel_error"}
        and (run_id is None or run_id in str(record.get("run_id") or "").split(", "))
    ]


# --- Airflow task-failure callback ------------------------------------------------------------


def _attribute(obj: Any, name: str) -> Any:
    # Properties such as ti.log_url read Airflow config and may raise outside a worker.
    try:
        return getattr(obj, name, None)
    except Exception:
        return None


def task_failure_alert(context: Mapping[str, Any]) -> Alert:
    """A blocking alert from an Airflow 3 task context (``ti``, ``run_id``, ``exception``)."""
    ti = context.get("ti") or context.get("task_instance")
    dag_id = _attribute(ti, "dag_id") or _attribute(context.get("dag"), "dag_id") or "unknown dag"
    task_id = (_attribute(ti, "task_id") or _attribute(context.get("task"), "task_id")
               or "unknown task")
    run_id = context.get("run_id") or _attribute(ti, "run_id")
    exception = context.get("exception")
    reason = f"{type(exception).__name__}: {exception}" if exception else "no exception given"
    try_number = _attribute(ti, "try_number")
    return Alert(
        severity="blocking",
        source=f"{dag_id}.{task_id}",
        check="Airflow task succeeded",
        message=f"Task {task_id} of DAG {dag_id} failed: {reason[:EXCEPTION_TEXT_LIMIT]}",
        run_id=str(run_id) if run_id else None,
        observed=f"failed (try {try_number})" if try_number else "failed",
        expected="success",
        # Airflow's own log_url uses its api base_url, often http://localhost:8080 on a
        # server; the link readers can open is configured (ASC_ALERT_AIRFLOW_URL).
        details=airflow_run_link(dag_id, str(run_id) if run_id else None)
        or _attribute(ti, "log_url") or None,
        what_to_do="Open the task's log in Airflow, fix the cause, then clear the task to run "
                   "it again; the published warehouse is unchanged until a run succeeds.",
    )


def on_task_failure(context: Mapping[str, Any]) -> RecordResult | None:
    """``on_failure_callback`` for the nightly DAG: log and send through the same channels."""
    from asc_warehouse.config import load_settings

    try:
        return record_alerts(load_settings().warehouse_dir, [task_failure_alert(context)])
    except Exception:
        # A raising callback only adds noise to a task that has already failed.
        logger.exception("could not record the task-failure alert")
        return None
