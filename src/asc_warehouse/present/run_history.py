"""Every night's outcome, kept beside the warehouse so a failed night is visible at once.

A failed night must never touch ``asc.duckdb`` (it is only ever replaced whole by a good night),
so its outcome is written to ``run_history.json``, a small file replaced atomically. The site's
banner reads it straight away; the next publication copies it into ``ops.run_history``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

RUN_HISTORY_FILE_NAME = "run_history.json"
UK_TIME = ZoneInfo("Europe/London")
KEEP_RUNS = 400  # over a year of nights


@dataclass(frozen=True)
class RunOutcome:
    run_id: str
    outcome: str  # "published" or "failed"
    finished_at_utc: str
    finished_at_uk: str
    failed_task: str | None = None
    message: str | None = None


def uk_local(moment: datetime) -> datetime:
    """Wall-clock time in the UK (GMT or BST), without a zone, as analysts read it."""
    return moment.astimezone(UK_TIME).replace(tzinfo=None)


def new_outcome(run_id: str, outcome: str, failed_task: str | None = None,
                message: str | None = None, now: datetime | None = None) -> RunOutcome:
    moment = now or datetime.now(UTC)
    return RunOutcome(
        run_id=run_id, outcome=outcome,
        finished_at_utc=moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds"),
        finished_at_uk=uk_local(moment).isoformat(timespec="seconds"),
        failed_task=failed_task, message=message,
    )


def history_path(warehouse_dir: Path) -> Path:
    return Path(warehouse_dir) / RUN_HISTORY_FILE_NAME


def read_history(warehouse_dir: Path) -> list[RunOutcome]:
    path = history_path(warehouse_dir)
    if not path.is_file():
        return []
    return [RunOutcome(**row) for row in json.loads(path.read_text(encoding="utf-8"))]


def latest_outcome(warehouse_dir: Path) -> RunOutcome | None:
    history = read_history(warehouse_dir)
    return history[-1] if history else None


def record_outcome(warehouse_dir: Path, outcome: RunOutcome) -> None:
    """Append (a run recorded twice keeps its latest outcome), then replace the file whole."""
    history = [run for run in read_history(warehouse_dir) if run.run_id != outcome.run_id]
    history = ([*history, outcome])[-KEEP_RUNS:]
    path = history_path(warehouse_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(path.name + ".new")
    staging.write_text(json.dumps([asdict(run) for run in history], indent=1), encoding="utf-8")
    os.replace(staging, path)


def failed_run_from_context(context: Mapping[str, Any]) -> RunOutcome:
    """The outcome of an Airflow task failure; the message names the task, never data values."""
    task_instance = context.get("task_instance") or context.get("ti")
    task_id = getattr(task_instance, "task_id", None) or "unknown task"
    run_id = str(context.get("run_id") or "manual")
    error = context.get("exception")
    kind = type(error).__name__ if error is not None else "failure"
    return new_outcome(run_id, "failed", failed_task=task_id,
                       message=f"task {task_id} failed ({kind}); the published warehouse was "
                               "left as it was")
