"""Airflow DAG ``asc_nightly``: load CLD extracts, validate, build with dbt, validate, publish.

The logic lives in ``asc_warehouse.pipeline.nightly``; this file only wires the steps together.
A failed check or dbt test fails its task, so ``publish`` never runs and the analysts' file
stays as it was.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import dag, task

from asc_warehouse.alerts.log import on_task_failure
from asc_warehouse.pipeline import nightly


@dag(
    dag_id="asc_nightly",
    schedule="0 2 * * *",
    start_date=pendulum.datetime(2026, 1, 1, tz="Europe/London"),
    catchup=False,
    max_active_runs=1,
    # A hung night (a stuck read, a locked file) must end, alert and free the next night's slot.
    dagrun_timeout=timedelta(hours=8),
    tags=["asc", "ascof", "nightly"],
    # A failed task alerts through the deployment's channels (log, e-mail, webhook), and the
    # failed night is recorded in run_history.json and on the site's banner. No task runs
    # longer than an hour without its own longer timeout below.
    default_args={
        "on_failure_callback": [on_task_failure, nightly.record_failed_night],
        "execution_timeout": timedelta(hours=1),
    },
    doc_md=__doc__,
)
def asc_nightly() -> None:
    @task(retries=2, retry_delay=timedelta(minutes=5))
    def find_new_extracts() -> dict:
        return nightly.find_new_extracts()

    @task(retries=2, retry_delay=timedelta(minutes=5), execution_timeout=timedelta(hours=2))
    def load_extracts(found: dict, run_id: str | None = None) -> list[dict]:
        return nightly.load_new_extracts(found, run_id or "manual")

    @task
    def validate_raw(loads: list[dict], run_id: str | None = None) -> list[dict]:
        return nightly.validate_raw(run_id or "manual")

    @task(execution_timeout=timedelta(hours=3))
    def dbt_build(raw_checks: list[dict], run_id: str | None = None) -> dict:
        return nightly.build_marts(run_id or "manual")

    @task
    def alert_opel_escalations(build: dict, run_id: str | None = None) -> list[dict]:
        return nightly.alert_opel_escalations(run_id or "manual")

    @task
    def validate_marts(build: dict, run_id: str | None = None) -> list[dict]:
        return nightly.validate_marts(run_id or "manual")

    @task
    def publish(mart_checks: list[dict], run_id: str | None = None) -> dict:
        return nightly.publish_warehouse(run_id or "manual")

    @task
    def summarise(
        loads: list[dict], raw_checks: list[dict], build: dict, mart_checks: list[dict],
        published: dict, escalations: list[dict], run_id: str | None = None,
    ) -> dict:
        summary = nightly.summarise(
            run_id or "manual", loads, raw_checks, build, mart_checks, published, escalations
        )
        print(nightly.format_summary(summary))
        return summary

    loads = load_extracts(find_new_extracts())
    raw_checks = validate_raw(loads)
    build = dbt_build(raw_checks)
    escalations = alert_opel_escalations(build)
    mart_checks = validate_marts(build)
    summarise(loads, raw_checks, build, mart_checks, publish(mart_checks), escalations)


asc_nightly()
