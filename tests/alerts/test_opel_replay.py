"""Replay the sample's 28 OPEL days night by night, and intraday, through the project's own OPEL
alert functions, with a webhook on 127.0.0.1 counting what is actually sent.

The sample (``generate_opel_extracts``, 4 to 31 March 2026) is built twice with the OPEL models:
as the files stood at 10:45 each day (updates up to 10:45) and as they stood at the end of the
day. No sample update is later than 15:30, so the 15:45 run sees the whole day.

Levels per day (council, East Kent, Medway and Swale, North Kent, West Kent), read from the
built marts and written out by hand; where the 10:45 view differs it is given after "am":

    04: 2 2 2 1 3 (am East Kent 1)   18: 2 2 2 2 2 (am West Kent 1)
    05: 2 2 3 1 2                    19: 2 1 2 2 2
    06: 2 1 3 2 2                    20: 2 2 2 2 2 (am East Kent 3)
    07: 2 2 2 1 2                    21: 2 1 1 2 2
    08: 2 2 2 1 2                    22: 4 2 1 4 3
    09: 2 2 1 2 2                    23: 2 1 2 2 2
    10: 4 2 1 4 2                    24: 2 2 1 2 2
    11: 2 2 2 2 2                    25: 2 2 2 1 2
    12: 2 2 3 1 2                    26: 2 1 2 2 2
    13: 2 2 1 3 2 (am East Kent 1)   27: 2 2 3 2 2 (am East Kent 3)
    14: 2 2 1 2 2                    28: 2 3 2 2 2
    15: 2 2 2 1 3                    29: 2 2 1 1 2
    16: 2 1 2 2 2                    30: 2 2 2 1 3 (am East Kent 3)
    17: 2 1 2 2 2                    31: 4 4 4 4 4
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from asc_warehouse.alerts.channels import ChannelConfig
from asc_warehouse.alerts.log import note_run, record_alerts
from asc_warehouse.alerts.opel_escalation import (
    announced_levels,
    latest_statuses,
    transition_alerts,
)
from asc_warehouse.config import Settings
from asc_warehouse.pipeline.opel_intraday import (
    build_opel_models,
    load_new_opel_files,
    opel_build_path,
)
from asc_warehouse.sample_data.opel import generate_opel_extracts
from tests.alerts.conftest import Receiver

FIRST_DAY = date(2026, 3, 4)
LAST_DAY = date(2026, 3, 31)
MORNING_CUT = "10:45"
AFTERNOON_CUT = "15:45"

C, EK, MS, NK, WK = (
    "OPEL council-wide", "OPEL East Kent area", "OPEL Medway and Swale area",
    "OPEL North Kent area", "OPEL West Kent area",
)
UP, DOWN = "escalation", "de-escalation"

Sent = tuple[str, str, int, str]
"""(report date, scope, level, severity) of one alert the webhook received."""


def _days() -> list[date]:
    return [FIRST_DAY + timedelta(days=n) for n in range((LAST_DAY - FIRST_DAY).days + 1)]


def _build(landing: Path, warehouse: Path) -> Path:
    (landing / ".asc-sample-data").touch()
    settings = Settings(landing, warehouse, None, True)
    load_new_opel_files(settings)
    build_opel_models(settings)
    return opel_build_path(settings)


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The OPEL marts as the files stood at 10:45 each day, and at the end of each day."""
    root = tmp_path_factory.mktemp("opel-replay")
    full = root / "landing-full"
    paths = generate_opel_extracts(full)
    assert len(paths) == 28
    morning = root / "landing-morning"
    morning.mkdir()
    latest_update = ""
    for path in paths:
        with path.open(newline="", encoding="utf-8") as handle:
            header, *rows = list(csv.reader(handle))
        latest_update = max([latest_update, *(row[0][11:] for row in rows)])
        with (morning / path.name).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(row for row in rows if row[0][11:] <= MORNING_CUT)
    # The 15:45 run sees every update of the day: the end-of-day build stands for it.
    assert latest_update <= AFTERNOON_CUT
    return {
        "end_of_day": _build(full, root / "wh-full"),
        "morning": _build(morning, root / "wh-am"),
    }


class Replay:
    """Runs evaluation points in order against one alert log and one webhook."""

    def __init__(self, builds: dict[str, Path], warehouse: Path, receiver: Receiver) -> None:
        self._con = duckdb.connect()
        for name, path in builds.items():
            self._con.execute(f"attach '{path}' as {name} (read_only)")
        self._warehouse = warehouse
        self._receiver = receiver
        self._channels = ChannelConfig(webhook_url=receiver.url)

    def run(self, day: date, view: str, run_id: str) -> None:
        """One run on ``day`` seeing the days before it in full and ``day`` as ``view``."""
        note_run(self._warehouse, run_id)
        self._con.execute(
            f"""
            create or replace temp view seen as
            select * from end_of_day.marts.fct_opel_status_daily where report_date < '{day}'
            union all
            select * from {view}.marts.fct_opel_status_daily where report_date = '{day}'
            """
        )
        alerts = transition_alerts(
            latest_statuses(self._con, "seen"), announced_levels(self._warehouse), run_id,
            dag_id="replay",
        )
        record_alerts(self._warehouse, alerts, self._channels)

    def nightly(self, day: date) -> None:
        """The 02:00 run after ``day``: every file of ``day`` is in."""
        self.run(day, "end_of_day", f"scheduled__{day + timedelta(days=1)}T02:00")

    def intraday(self, day: date, at: str) -> None:
        self.run(day, "morning" if at == MORNING_CUT else "end_of_day", f"scheduled__{day}T{at}")

    def sent(self) -> list[Sent]:
        return [
            (alert["about"][:10], alert["source"], int(alert["about"][-1]), alert["severity"])
            for body in self._receiver.bodies() for alert in body["alerts"]
        ]


@pytest.fixture
def replay(
    builds: dict[str, Path], tmp_path: Path, webhook: Callable[..., Receiver]
) -> Iterator[Replay]:
    yield Replay(builds, tmp_path / "warehouse", webhook())


# Night by night, the night after 29 March failing before its alerts, the night after
# 31 March run twice (a retry) and two more nights with no new file (the last one after a
# failed night): every rise and fall once, the fall of East Kent on 29 March announced
# the next good night, dated by the day it saw (30 March).
NIGHTLY: list[Sent] = [
    ("2026-03-04", WK, 3, UP),
    ("2026-03-05", MS, 3, UP), ("2026-03-05", WK, 2, DOWN),
    ("2026-03-07", MS, 2, DOWN),
    ("2026-03-10", C, 4, UP), ("2026-03-10", NK, 4, UP),
    ("2026-03-11", C, 2, DOWN), ("2026-03-11", NK, 2, DOWN),
    ("2026-03-12", MS, 3, UP),
    ("2026-03-13", MS, 1, DOWN), ("2026-03-13", NK, 3, UP),
    ("2026-03-14", NK, 2, DOWN),
    ("2026-03-15", WK, 3, UP),
    ("2026-03-16", WK, 2, DOWN),
    ("2026-03-22", C, 4, UP), ("2026-03-22", NK, 4, UP), ("2026-03-22", WK, 3, UP),
    ("2026-03-23", C, 2, DOWN), ("2026-03-23", NK, 2, DOWN), ("2026-03-23", WK, 2, DOWN),
    ("2026-03-27", MS, 3, UP),
    ("2026-03-28", EK, 3, UP), ("2026-03-28", MS, 2, DOWN),
    ("2026-03-30", EK, 2, DOWN), ("2026-03-30", WK, 3, UP),
    ("2026-03-31", C, 4, UP), ("2026-03-31", EK, 4, UP), ("2026-03-31", MS, 4, UP),
    ("2026-03-31", NK, 4, UP), ("2026-03-31", WK, 4, UP),
]


def test_night_by_night_every_rise_and_fall_is_sent_once_across_a_failed_night(
    replay: Replay,
) -> None:
    failed_night = date(2026, 3, 29)
    for day in _days():
        if day == failed_night:
            note_run(replay._warehouse, f"scheduled__{day + timedelta(days=1)}T02:00")
            continue  # dbt failed: no OPEL alert step that night
        replay.nightly(day)
    replay.nightly(LAST_DAY)  # the retry of the last night
    note_run(replay._warehouse, "scheduled__2026-04-02T02:00")  # a failed night, no new file
    replay.run(LAST_DAY, "end_of_day", "scheduled__2026-04-03T02:00")  # no new file either
    assert replay.sent() == NIGHTLY


# 10:45 and 15:45 each day and every night; the 10:45 run of 30 March and the night after
# 29 March fail. Intraday runs announce first; the nights add nothing. A rise seen at 10:45
# and gone by 15:45 (East Kent on 20, 27 and 30 March) is announced and so is its fall.
INTRADAY: list[Sent] = [
    ("2026-03-04", WK, 3, UP),
    ("2026-03-05", MS, 3, UP), ("2026-03-05", WK, 2, DOWN),
    ("2026-03-07", MS, 2, DOWN),
    ("2026-03-10", C, 4, UP), ("2026-03-10", NK, 4, UP),
    ("2026-03-11", C, 2, DOWN), ("2026-03-11", NK, 2, DOWN),
    ("2026-03-12", MS, 3, UP),
    ("2026-03-13", MS, 1, DOWN), ("2026-03-13", NK, 3, UP),
    ("2026-03-14", NK, 2, DOWN),
    ("2026-03-15", WK, 3, UP),
    ("2026-03-16", WK, 2, DOWN),
    ("2026-03-20", EK, 3, UP), ("2026-03-20", EK, 2, DOWN),
    ("2026-03-22", C, 4, UP), ("2026-03-22", NK, 4, UP), ("2026-03-22", WK, 3, UP),
    ("2026-03-23", C, 2, DOWN), ("2026-03-23", NK, 2, DOWN), ("2026-03-23", WK, 2, DOWN),
    ("2026-03-27", EK, 3, UP), ("2026-03-27", MS, 3, UP), ("2026-03-27", EK, 2, DOWN),
    ("2026-03-28", EK, 3, UP), ("2026-03-28", MS, 2, DOWN),
    ("2026-03-29", EK, 2, DOWN),
    ("2026-03-30", WK, 3, UP),
    ("2026-03-31", C, 4, UP), ("2026-03-31", EK, 4, UP), ("2026-03-31", MS, 4, UP),
    ("2026-03-31", NK, 4, UP), ("2026-03-31", WK, 4, UP),
]


def test_intraday_and_nightly_together_send_every_rise_and_fall_once(replay: Replay) -> None:
    for day in _days():
        if day != date(2026, 3, 30):
            replay.intraday(day, MORNING_CUT)
        replay.intraday(day, AFTERNOON_CUT)
        if day == date(2026, 3, 29):
            note_run(replay._warehouse, f"scheduled__{day + timedelta(days=1)}T02:00")
            continue
        replay.nightly(day)
    replay.nightly(LAST_DAY)
    assert replay.sent() == INTRADAY
