"""The DAG file imports cleanly and is wired as the nightly design says."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from asc_warehouse.config import PROJECT_ROOT


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(PROJECT_ROOT / "dags"))


@pytest.fixture(scope="module")
def dag(dagbag):
    return dagbag.dags["asc_nightly"]


def test_dag_files_import_without_errors(dagbag) -> None:
    assert dagbag.import_errors == {}
    assert {"asc_nightly", "asc_opel_intraday"} <= set(dagbag.dag_ids)


def test_opel_intraday_runs_after_each_update_deadline_one_run_at_a_time(dagbag) -> None:
    intraday = dagbag.dags["asc_opel_intraday"]
    assert intraday.timetable.summary == "45 10 * * *, 45 15 * * *"
    assert {str(t._timezone) for t in intraday.timetable._timetables} == {"Europe/London"}
    assert (intraday.catchup, intraday.max_active_runs) == (False, 1)
    assert [task.task_id for task in intraday.tasks] == ["refresh_opel"]


def test_nightly_schedule_in_london_without_catchup_and_one_run_at_a_time(dag) -> None:
    assert dag.timetable.expression == "0 2 * * *"
    assert str(dag.timetable.timezone) == "Europe/London"
    assert dag.catchup is False
    assert dag.max_active_runs == 1


def test_steps_run_in_order_and_publish_only_after_both_validations(dag) -> None:
    upstream = {task.task_id: set(task.upstream_task_ids) for task in dag.tasks}
    assert upstream["load_extracts"] == {"find_new_extracts"}
    assert upstream["validate_raw"] == {"load_extracts"}
    assert upstream["dbt_build"] == {"validate_raw"}
    assert upstream["validate_marts"] == {"dbt_build"}
    assert upstream["publish"] == {"validate_marts"}
    assert upstream["alert_opel_escalations"] == {"dbt_build"}
    assert upstream["summarise"] >= {"publish", "validate_raw", "validate_marts"}


def test_load_steps_retry_and_checks_do_not(dag) -> None:
    for task_id in ("find_new_extracts", "load_extracts"):
        task = dag.get_task(task_id)
        assert task.retries == 2
        assert task.retry_delay == timedelta(minutes=5)
    assert dag.get_task("validate_raw").retries == 0


def test_dag_folder_holds_only_thin_wiring() -> None:
    """Logic belongs in the package: the DAG file is short and calls asc_warehouse.nightly."""
    source = (Path(PROJECT_ROOT) / "dags" / "asc_nightly.py").read_text()
    assert "from asc_warehouse.pipeline import nightly" in source
    assert "duckdb" not in source and "great_expectations" not in source


def test_failed_tasks_alert_through_the_alert_channels(dag) -> None:
    from asc_warehouse.alerts.log import on_task_failure

    for task in dag.tasks:
        callbacks = task.on_failure_callback
        callbacks = callbacks if isinstance(callbacks, list) else [callbacks]
        assert on_task_failure in callbacks, task.task_id


def test_every_task_and_the_run_have_a_timeout(dag) -> None:
    """A FIFO, a stuck read or a locked file ends the night with an alert, never hangs it."""
    assert dag.dagrun_timeout is not None and dag.dagrun_timeout <= timedelta(hours=12)
    timeouts = {task.task_id: task.execution_timeout for task in dag.tasks}
    assert None not in timeouts.values(), timeouts


def test_failed_tasks_record_the_failed_night(dag) -> None:
    from asc_warehouse.pipeline.nightly import record_failed_night

    for task in dag.tasks:
        callbacks = task.on_failure_callback
        callbacks = callbacks if isinstance(callbacks, list) else [callbacks]
        assert record_failed_night in callbacks, task.task_id


def _width(dag) -> int:
    """The most tasks that can run at once: the largest set with no task upstream of another."""
    from itertools import combinations

    ancestors = {task.task_id: {t.task_id for t in task.get_flat_relatives(upstream=True)}
                 for task in dag.tasks}
    ids = sorted(ancestors)
    for size in range(len(ids), 0, -1):
        for group in combinations(ids, size):
            if all(a not in ancestors[b] for a in group for b in group):
                return size
    return 0


def test_server_parallelism_is_sized_to_the_dag(dag) -> None:
    """Enough LocalExecutor workers for the widest point of the night, not Airflow's idle 32."""
    import yaml

    compose = yaml.safe_load((Path(PROJECT_ROOT) / "docker-compose.yml").read_text())
    parallelism = int(compose["x-airflow-common"]["environment"]["AIRFLOW__CORE__PARALLELISM"])
    width = _width(dag)
    assert width >= 2  # OPEL alerts beside the mart checks
    assert width <= parallelism <= width + 1
