"""Airflow DAG ``asc_opel_intraday``: OPEL status and alerts within the working day.

Runs after each update deadline of the Pressures Plan (10:45 and 15:45 Europe/London by default;
set ``ASC_OPEL_INTRADAY_TIMES``, e.g. ``10:40,15:50``). It loads only new OPEL files into its own
build file, builds only the OPEL models, raises escalations, de-escalations and missing-update
alerts, and republishes ``warehouse/opel.duckdb`` atomically. It never opens the nightly build
file or the analysts' ``asc.duckdb``, so it cannot block or corrupt the nightly run
(``asc_warehouse.pipeline.opel_intraday``).
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import dag, task
from airflow.timetables.trigger import MultipleCronTriggerTimetable

from asc_warehouse.alerts.log import on_task_failure
from asc_warehouse.pipeline import opel_intraday


@dag(
    dag_id=opel_intraday.DAG_ID,
    schedule=MultipleCronTriggerTimetable(
        *opel_intraday.schedule_crons(), timezone="Europe/London"
    ),
    start_date=pendulum.datetime(2026, 1, 1, tz="Europe/London"),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(minutes=30),
    tags=["asc", "opel", "intraday"],
    default_args={"on_failure_callback": on_task_failure},
    doc_md=__doc__,
)
def asc_opel_intraday() -> None:
    @task(retries=1, retry_delay=timedelta(minutes=2))
    def refresh_opel(run_id: str | None = None) -> dict:
        summary = opel_intraday.run_intraday(run_id or "manual")
        print(opel_intraday.format_summary(summary))
        return {key: summary[key] for key in ("run_id", "alerts_sent",
                                               "alert_delivery_failures", "published_tables")}

    refresh_opel()


asc_opel_intraday()
