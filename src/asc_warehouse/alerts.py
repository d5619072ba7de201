"""Data-quality alerts: an append-only JSON-lines log in the warehouse folder.

Every alert names what broke, for which council and file or table, how badly, and where to read
more, so the person receiving it can act the same night.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ALERT_LOG_NAME = "alerts.jsonl"


@dataclass(frozen=True)
class Alert:
    severity: str
    """blocking: nothing from the source is published; warning: published, but look."""
    source: str
    """The file, feed or table the alert is about."""
    check: str
    message: str
    council_code: str | None = None
    run_id: str | None = None
    raised_at: str = field(
        default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds")
    )


def alert_log_path(warehouse_dir: Path) -> Path:
    return warehouse_dir / ALERT_LOG_NAME


def record_alerts(warehouse_dir: Path, alerts: list[Alert]) -> None:
    if not alerts:
        return
    warehouse_dir.mkdir(parents=True, exist_ok=True)
    with alert_log_path(warehouse_dir).open("a", encoding="utf-8") as log:
        for alert in alerts:
            log.write(json.dumps(asdict(alert), sort_keys=True) + "\n")


def read_alerts(warehouse_dir: Path) -> list[dict[str, str]]:
    path = alert_log_path(warehouse_dir)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
