"""The production configuration, run: Airflow on PostgreSQL with the four components as processes.

This follows the install without Docker of docs/deployment.md where it can be automated: a
PostgreSQL metadata database; ``.env`` from ``.env.example``; the services' environment file from
``asc-warehouse server-env`` (docker-compose.yml plus ``.env``, so the two cannot drift); sample
extracts; ``deploy/asc-airflow db migrate`` and the admin user; the api-server, scheduler,
dag-processor and triggerer each started as ``deploy/asc-airflow <component>``, as the systemd
units do; and the first run by unpausing the DAG. Then, through the REST API on 127.0.0.1, a
night with no new file (lean: nothing rebuilt but what reads the clock) and a night with a
blocking fault, which must fail and leave the published file byte-identical. Everything started
here is stopped by its process id.

Skipped, with the reason printed, only where PostgreSQL's binaries are missing (.ci/run installs
Debian's ``postgresql`` when they are).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet

from asc_warehouse.alerts.log import read_alerts
from asc_warehouse.config import PROJECT_ROOT
from asc_warehouse.pipeline.server_env import read_env_file
from tests.cld_files import cld_row, write_cld_file
from tests.production.postgres import Cluster, free_port, make_cluster, postgres_bin_dir

pytestmark = pytest.mark.production

DAG_ID = "asc_nightly"
SAMPLE_SCALE = os.environ.get("ASC_PRODUCTION_TEST_SCALE", "0.05")
ASC_AIRFLOW = PROJECT_ROOT / "deploy" / "asc-airflow"
ADMIN, ADMIN_PASSWORD = "admin", "production-test-admin"
COMPONENTS = ("api-server", "scheduler", "dag-processor", "triggerer")
FINISHED = {"success", "failed"}


def _shell_environment(env_file: Path) -> dict[str, str]:
    """An administrator's shell: no Airflow or ASC settings of its own, this Python's tools."""
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith(("AIRFLOW", "ASC_", "DBT_", "GX_"))}
    environment["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{environment['PATH']}"
    environment["ASC_AIRFLOW_ENV"] = str(env_file)
    return environment


class Stack:
    """The processes started for the test, each stopped by its own process id."""

    def __init__(self, root: Path, environment: dict[str, str]) -> None:
        self.root, self.environment = root, environment
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.durations: dict[str, float] = {}
        self.task_durations: dict[str, str] = {}

    def timed(self, label: str, action: Callable[[], Any]) -> Any:
        began = time.monotonic()
        try:
            return action()
        finally:
            self.durations[label] = time.monotonic() - began

    def run(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        completed = subprocess.run([str(ASC_AIRFLOW), *arguments], env=self.environment,
                                   capture_output=True, text=True, check=False, timeout=300)
        assert completed.returncode == 0, (arguments, completed.stdout[-2000:],
                                           completed.stderr[-4000:])
        return completed

    def start(self, component: str) -> None:
        log = (self.root / f"{component}.log").open("wb")
        # A session of its own: stopping it by id also stops the workers it forked.
        self.processes[component] = subprocess.Popen(
            [str(ASC_AIRFLOW), component], env=self.environment, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True,
        )

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

    def log_tail(self, component: str, lines: int = 40) -> str:
        text = (self.root / f"{component}.log").read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])


class Api:
    """The REST API on 127.0.0.1, authenticated as the admin user."""

    def __init__(self, base_url: str) -> None:
        self.client = httpx.Client(base_url=base_url, timeout=30)

    def wait_until_up(self, stack: Stack, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.client.get("/api/v2/version").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            assert stack.processes["api-server"].poll() is None, stack.log_tail("api-server")
            time.sleep(2)
        raise AssertionError("api-server not up:\n" + stack.log_tail("api-server"))

    def log_in(self) -> None:
        response = self.client.post("/auth/token",
                                    json={"username": ADMIN, "password": ADMIN_PASSWORD})
        assert response.status_code == 201, response.text
        self.client.headers["Authorization"] = f"Bearer {response.json()['access_token']}"

    def get(self, path: str) -> Any:
        response = self.client.get(f"/api/v2{path}")
        response.raise_for_status()
        return response.json()

    def wait_for_dag(self, stack: Stack, timeout: float = 180) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            response = self.client.get(f"/api/v2/dags/{DAG_ID}")
            if response.status_code == 200:
                return response.json()
            time.sleep(2)
        raise AssertionError("DAG never parsed:\n" + stack.log_tail("dag-processor"))

    def runs(self) -> list[dict[str, Any]]:
        return self.get(f"/dags/{DAG_ID}/dagRuns?order_by=run_after")["dag_runs"]

    def wait_for_run(self, stack: Stack, run_id: str | None, timeout: float) -> dict[str, Any]:
        """The run (the first one if ``run_id`` is None) once it has finished."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            runs = [run for run in self.runs() if run_id in (None, run["dag_run_id"])]
            if runs and runs[0]["state"] in FINISHED:
                return runs[0]
            for component, process in stack.processes.items():
                assert process.poll() is None, f"{component} died:\n{stack.log_tail(component)}"
            time.sleep(5)
        raise AssertionError(f"run {run_id} not finished:\n{stack.log_tail('scheduler')}")

    def trigger(self) -> str:
        """A manual run now (no logical date, as the UI's trigger button does); its id."""
        response = self.client.post(f"/api/v2/dags/{DAG_ID}/dagRuns", json={"logical_date": None})
        assert response.status_code == 200, response.text
        return str(response.json()["dag_run_id"])

    def task_instances(self, run_id: str) -> list[dict[str, Any]]:
        return self.get(f"/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances")["task_instances"]

    def task_states(self, run_id: str) -> dict[str, str | None]:
        return {ti["task_id"]: ti["state"] for ti in self.task_instances(run_id)}

    def task_seconds(self, run_id: str) -> str:
        """``task 12 s`` for every task that ran, in the order they started."""
        ran = sorted((ti for ti in self.task_instances(run_id) if ti["duration"] is not None),
                     key=lambda ti: ti["start_date"])
        return ", ".join(f"{ti['task_id']} {ti['duration']:.0f} s" for ti in ran)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _write_dot_env(root: Path, base_url: str) -> Path:
    """The install's .env: the template, with its REQUIRED values filled in."""
    settings = read_env_file(PROJECT_ROOT / ".env.example")
    settings.update({
        "ASC_PSEUDONYMISATION_KEY": os.urandom(32).hex(),
        "AIRFLOW_FERNET_KEY": Fernet.generate_key().decode(),
        "AIRFLOW_JWT_SECRET": os.urandom(32).hex(),
        "AIRFLOW_API_SECRET_KEY": os.urandom(32).hex(),
        "AIRFLOW_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "AIRFLOW_BASE_URL": base_url,
        "ASC_LANDING_HOST_DIR": str(root / "landing"),
        "ASC_SAMPLE_MODE": "true",
    })
    path = root / ".env"
    path.write_text("".join(f"{key}={value}\n" for key, value in settings.items()),
                    encoding="utf-8")
    return path


def _write_server_env(root: Path, dot_env: Path, database_url: str, base_url: str) -> Path:
    """``asc-warehouse server-env``, as the guide runs it, into the services' environment file."""
    completed = subprocess.run(
        [sys.executable, "-m", "asc_warehouse.cli", "server-env", "--env-file", str(dot_env),
         "--state-dir", str(root / "state"), "--database-url", database_url,
         "--api-url", base_url],
        capture_output=True, text=True, check=True,
    )
    # Test-only: this machine may run other Airflows, so the log servers take free ports too.
    ports = (f"AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT='{free_port()}'\n"
             f"AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT='{free_port()}'\n")
    path = root / "airflow.env"
    path.write_text(completed.stdout + ports, encoding="utf-8")
    return path


def _report(request: pytest.FixtureRequest, stack: Stack) -> None:
    """Durations on the terminal whatever the capture mode, as capsys.disabled() does."""
    line = "production test durations: " + ", ".join(
        f"{label} {seconds:.0f} s" for label, seconds in stack.durations.items())
    line += f" (load average {os.getloadavg()[0]:.1f})"
    for night, tasks in stack.task_durations.items():
        line += f"\n  {night}: {tasks}"
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if capture is None:
        print(line)
        return
    with capture.global_and_fixture_disabled():
        print("\n" + line, flush=True)


@pytest.fixture(scope="module")
def production(request: pytest.FixtureRequest) -> Iterator[dict[str, Any]]:
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        pytest.skip("PostgreSQL is not installed (no initdb on PATH or in "
                    "/usr/lib/postgresql/*/bin): apt-get install postgresql, as .ci/run does")
    # Not under pytest's basetemp: other pytest sessions on the machine may prune it mid-run.
    root = Path(tempfile.mkdtemp(prefix="asc-production-"))
    base_url = f"http://127.0.0.1:{free_port()}"
    cluster: Cluster = make_cluster(bin_dir)
    env_file = _write_server_env(root, _write_dot_env(root, base_url), cluster.url, base_url)
    services = read_env_file(env_file)
    stack = Stack(root, _shell_environment(env_file))
    landing = Path(services["ASC_LANDING_DIR"])
    warehouse = Path(services["ASC_WAREHOUSE_DIR"])
    began = time.monotonic()
    try:
        stack.timed("PostgreSQL", cluster.start)
        # The guide's trial step: sample extracts of every feed, marked as sample data.
        stack.timed("sample data", lambda: subprocess.run(
            [sys.executable, "-m", "asc_warehouse.cli", "sample-data", "--scale", SAMPLE_SCALE],
            env={**stack.environment, **services}, check=True, capture_output=True))
        stack.timed("db migrate", lambda: stack.run("db", "migrate"))
        stack.run("users", "create", "--username", ADMIN, "--password", ADMIN_PASSWORD,
                  "--role", "Admin", "--firstname", "ASC", "--lastname", "Admin",
                  "--email", "admin@example.org")
        api = Api(base_url)

        def start_components() -> None:
            for component in COMPONENTS:
                stack.start(component)
            api.wait_until_up(stack)

        stack.timed("components up", start_components)
        api.log_in()
        dag = stack.timed("DAG parsed", lambda: api.wait_for_dag(stack))
        # The documented first run: unpause, and the scheduler starts the latest night at once.
        stack.run("dags", "unpause", DAG_ID)
        first = stack.timed("first night", lambda: api.wait_for_run(stack, None, timeout=900))
        time.sleep(10)  # long enough for the scheduler to have queued a second run, if it would
        runs_after_first = api.runs()
        first_tasks = api.task_states(first["dag_run_id"])
        first_summary = json.loads((warehouse / "last_run_summary.json").read_text())
        published = warehouse / "asc.duckdb"

        # The next night, nothing new has landed.
        lean = stack.timed("lean night", lambda: api.wait_for_run(
            stack, api.trigger(), timeout=600))
        lean_summary = json.loads((warehouse / "last_run_summary.json").read_text())
        before = _sha256(published) if published.exists() else None

        # A later Kent submission whose rows mostly cannot be used: a blocking check fails.
        rows = [cld_row()] + [cld_row(**{"Event Start Date": "31/12/2025"}) for _ in range(3)]
        faulty_file = write_cld_file(landing / "CLD_820_20240401_20260630_R2.csv", rows)
        # Just written, so the landing scan would hold it back for the settle window; its
        # manifest says it is complete (the landing contract's way to load a file at once).
        faulty_file.with_name(faulty_file.name + ".sha256").write_text(
            f"{_sha256(faulty_file)}  {faulty_file.name}\n", encoding="utf-8")
        faulty_id = api.trigger()
        faulty = stack.timed("blocked night",
                             lambda: api.wait_for_run(stack, faulty_id, timeout=600))
        for label, run in (("first night", first), ("lean night", lean),
                           ("blocked night", faulty)):
            stack.task_durations[label] = api.task_seconds(run["dag_run_id"])
        yield {
            "dag": dag, "first": first, "first_tasks": first_tasks,
            "runs_after_first": runs_after_first, "first_summary": first_summary,
            "lean": lean, "lean_summary": lean_summary, "before": before,
            "faulty": faulty, "faulty_tasks": api.task_states(faulty_id),
            "after": _sha256(published) if published.exists() else None,
            "warehouse": warehouse, "base_url": base_url, "stack": stack,
        }
    finally:
        stack.timed("stop", stack.stop)
        cluster.stop()
        stack.durations["total"] = time.monotonic() - began
        _report(request, stack)
        shutil.rmtree(cluster.root, ignore_errors=True)
        shutil.rmtree(root, ignore_errors=True)


def test_dag_starts_paused_and_the_first_run_is_one_scheduled_night_that_publishes(
    production: dict[str, Any],
) -> None:
    assert production["dag"]["is_paused"] is True
    first = production["first"]
    assert (first["run_type"], first["state"]) == ("scheduled", "success"), \
        production["stack"].log_tail("scheduler")
    assert set(production["first_tasks"].values()) == {"success"}
    assert [run["dag_run_id"] for run in production["runs_after_first"]] == [first["dag_run_id"]]
    summary = production["first_summary"]
    assert summary["run_id"] == first["dag_run_id"]
    assert summary["rows_loaded"] > 0
    assert summary["build"]["mode"] == "full"
    assert len(summary["build"]["models_built"]) > 50


def test_a_night_with_no_new_file_refreshes_only_what_reads_the_clock(
    production: dict[str, Any],
) -> None:
    assert production["lean"]["state"] == "success"
    summary = production["lean_summary"]
    assert summary["run_id"] == production["lean"]["dag_run_id"]
    assert summary["files"] == []
    build = summary["build"]
    assert (build["mode"], build["changed"], build["seeds_loaded"]) == ("lean", [], 0)
    assert "fct_feed_freshness" in build["models_built"]
    assert "fct_ascof_measure" not in build["models_built"]
    assert len(build["models_built"]) < len(production["first_summary"]["build"]["models_built"])
    assert production["before"] is not None


def test_a_blocking_fault_fails_the_night_and_the_published_file_is_byte_identical(
    production: dict[str, Any],
) -> None:
    faulty = production["faulty"]
    assert (faulty["run_type"], faulty["state"]) == ("manual", "failed")
    tasks = production["faulty_tasks"]
    assert tasks["validate_raw"] == "failed"
    assert tasks["publish"] == "upstream_failed"
    assert production["after"] == production["before"]


def test_alert_links_point_at_the_configured_address(production: dict[str, Any]) -> None:
    failed = [alert for alert in read_alerts(production["warehouse"])
              if alert["source"] == f"{DAG_ID}.validate_raw"]
    assert failed, "the failed task raised no alert"
    assert all(str(alert["details"]).startswith(production["base_url"] + "/")
               for alert in failed), [alert["details"] for alert in failed]
