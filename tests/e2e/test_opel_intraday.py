"""``asc_opel_intraday`` runs while the nightly run builds: both finish, the analysts' file is
never torn or blocked, and the OPEL status published matches the updates.

Through ``airflow dags test`` on a small sample: a first night publishes; the 31 March OPEL file
lands as it stood at 10:45; a second night starts, and once its dbt build is under way it is
held there (its process group stopped) while the intraday DAG runs, so that the runs overlap
however fast the night is; then the day's file is rewritten with the afternoon updates and the
intraday DAG runs again. An analyst's process opens ``asc.duckdb`` read-only over and over the
whole time.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest

from asc_warehouse.alerts.log import read_alerts
from asc_warehouse.cli import airflow_environment
from asc_warehouse.sample_data import (
    generate_opel_extracts,
    generate_person_feed_extracts,
    generate_sample_extracts,
)
from asc_warehouse.sample_data.opel import opel_file_name

pytestmark = pytest.mark.e2e

DAY = date(2026, 3, 31)
MORNING_CUT = "10:45"
WAIT_SECONDS = 2400

ANALYST = """
import json, sys, time, duckdb
path, stop = sys.argv[1], sys.argv[2]
import os
seen, errors, opens = [], [], 0
while not os.path.exists(stop):
    try:
        con = duckdb.connect(path, read_only=True)
        run = con.execute("select run_id from ops.publication").fetchone()[0]
        con.execute("select count(*) from marts.fct_opel_status_daily").fetchone()
        con.close()
        opens += 1
        if not seen or seen[-1] != run:
            seen.append(run)
    except Exception as error:
        errors.append(f"{type(error).__name__}: {error}")
    time.sleep(0.1)
print(json.dumps({"runs": seen, "errors": errors, "opens": opens}))
"""


def _airflow(environment: dict[str, str], *arguments: str) -> list[str]:
    return [str(Path(sys.executable).with_name("airflow")), *arguments]


def _environment(root: Path, name: str, landing: Path, warehouse: Path) -> dict[str, str]:
    environment = airflow_environment()
    environment.update({
        # Each DAG gets its own SQLite metadata database: SQLite takes one writer, which a
        # deployment's PostgreSQL does not limit. The warehouse files are what is shared.
        "AIRFLOW_HOME": str(root / f"airflow-{name}"),
        "ASC_LANDING_DIR": str(landing),
        "ASC_WAREHOUSE_DIR": str(warehouse),
        "ASC_SAMPLE_MODE": "1",
    })
    subprocess.run(_airflow(environment, "db", "migrate"), env=environment, check=True,
                   capture_output=True)
    return environment


def _dags_test(environment: dict[str, str], dag_id: str, log: Path) -> subprocess.Popen[str]:
    # Output to a file: a pipe nobody reads until the end fills up and stops Airflow mid-run.
    # A process group of its own, which can be held and let go with everything it started.
    with log.open("w", encoding="utf-8") as handle:
        return subprocess.Popen(_airflow(environment, "dags", "test", dag_id), env=environment,
                                stdout=handle, stderr=subprocess.STDOUT, text=True,
                                start_new_session=True)


def _finish(process: subprocess.Popen[str], log: Path) -> tuple[int, str]:
    process.wait(timeout=WAIT_SECONDS)
    return process.returncode, log.read_text(encoding="utf-8", errors="replace")


def _split_day(full_file: Path, morning_file: Path) -> int:
    """Write the day's file as it stood at 10:45; return the rows of the whole day."""
    with full_file.open(newline="", encoding="utf-8") as handle:
        header, *rows = list(csv.reader(handle))
    with morning_file.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(row for row in rows if row[0][11:] <= MORNING_CUT)
    return len(rows)


@pytest.fixture(scope="module")
def collision(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("intraday")
    landing, warehouse = root / "landing", root / "warehouse"
    # The nightly e2e test's scale: every KPI the dbt tests require has values.
    generate_sample_extracts(landing, scale=0.05)
    generate_person_feed_extracts(landing, scale=0.05)
    full_day = root / "full-day"
    for path in generate_opel_extracts(full_day, days=6, end_date=DAY, escalate_on=DAY):
        if path.name != opel_file_name("820", DAY):
            (landing / path.name).write_bytes(path.read_bytes())
    name = opel_file_name("820", DAY)
    nightly = _environment(root, "nightly", landing, warehouse)
    intraday = _environment(root, "intraday", landing, warehouse)

    logs = root / "logs"
    logs.mkdir()
    first_code, first_output = _finish(
        _dags_test(nightly, "asc_nightly", logs / "night-1.log"), logs / "night-1.log")
    assert first_code == 0, first_output[-3000:]
    day_rows = _split_day(full_day / name, landing / name)  # 31 March as it stood at 10:45

    stop = root / "stop-analyst"
    analyst = subprocess.Popen(  # an analyst querying the published file all along
        [sys.executable, "-c", ANALYST, str(warehouse / "asc.duckdb"), str(stop)],
        stdout=subprocess.PIPE, text=True,
    )
    dbt_log = warehouse / "build" / "dbt_logs" / "dbt.log"
    dbt_log.unlink()
    second = _dags_test(nightly, "asc_nightly", logs / "night-2.log")
    deadline = time.monotonic() + WAIT_SECONDS
    while not dbt_log.exists() and second.poll() is None and time.monotonic() < deadline:
        time.sleep(0.5)
    dbt_started = dbt_log.exists()
    # The night is held mid-build while the morning's run goes: an incremental night with only
    # an OPEL file is quick, and could otherwise finish before the intraday run and test nothing.
    os.killpg(second.pid, signal.SIGSTOP)
    try:
        morning_code, morning_output = _finish(
            _dags_test(intraday, "asc_opel_intraday", logs / "morning.log"),
            logs / "morning.log")
        nightly_running_after_morning = second.poll() is None
    finally:
        os.killpg(second.pid, signal.SIGCONT)
    with duckdb.connect(str(warehouse / "opel.duckdb"), read_only=True) as con:
        morning_updates = con.execute(
            "select sum(update_count) from marts.fct_opel_indicator_daily where report_date = ?",
            [DAY]).fetchone()
    (landing / name).write_bytes((full_day / name).read_bytes())  # the afternoon's version
    afternoon_code, afternoon_output = _finish(
        _dags_test(intraday, "asc_opel_intraday", logs / "afternoon.log"), logs / "afternoon.log")
    second_code, second_output = _finish(second, logs / "night-2.log")
    stop.touch()
    analyst_output, _ = analyst.communicate(timeout=60)
    return {
        "warehouse": warehouse, "day_rows": day_rows,
        "morning": (morning_code, morning_output), "afternoon": (afternoon_code, afternoon_output),
        "second": (second_code, second_output), "first_output": first_output,
        "overlapped": nightly_running_after_morning, "dbt_started": dbt_started,
        "morning_updates": morning_updates,
        "analyst": json.loads(analyst_output),
    }


def test_both_runs_finish_and_the_intraday_run_happened_during_the_nightly_build(
    collision: dict,
) -> None:
    for run in ("morning", "afternoon", "second"):
        code, output = collision[run]
        assert code == 0, output[-3000:]
    assert collision["dbt_started"], "the intraday run must start once the night's dbt builds"
    assert collision["overlapped"], "the intraday run must finish while the night still runs"


def test_the_analysts_file_was_never_torn_or_blocked(collision: dict) -> None:
    analyst = collision["analyst"]
    assert analyst["errors"] == []
    assert analyst["opens"] > 10
    assert len(analyst["runs"]) == 2  # the first night's file, then the second night's


def test_the_published_opel_status_matches_the_updates(collision: dict) -> None:
    warehouse = collision["warehouse"]
    morning = collision["morning_updates"]
    with duckdb.connect(str(warehouse / "opel.duckdb"), read_only=True) as con:
        updates = con.execute(
            "select sum(update_count) from marts.fct_opel_indicator_daily where report_date = ?",
            [DAY]).fetchone()
        council = con.execute(
            "select opel_level from marts.fct_opel_status_daily "
            "where report_date = ? and scope = 'Council'", [DAY]).fetchone()
        tables = {row[0] for row in con.execute(
            "select table_schema || '.' || table_name from information_schema.tables"
        ).fetchall()}
    # Every update of the rewritten file counted once: the 10:45 version was superseded.
    assert updates == (collision["day_rows"],)
    assert morning is not None and 0 < morning[0] < collision["day_rows"]
    assert council == (4,)
    assert {"marts.fct_opel_status_daily", "marts.fct_opel_update_compliance",
            "ops.alert_delivery", "ops.publication"} <= tables
    # The escalations of 31 March went out once each, whichever run saw them first.
    escalations = [a for a in read_alerts(warehouse)
                   if a["severity"] == "escalation" and a["about"] == "2026-03-31: OPEL 4"]
    sent = sorted(a["source"] for a in escalations if not a["repeat"])
    assert sent == sorted({a["source"] for a in escalations})
    assert "OPEL council-wide" in sent
    summary = json.loads((warehouse / "opel_intraday_summary.json").read_text())
    assert summary["alert_delivery_failures"] == []
