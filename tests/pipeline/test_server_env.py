"""The install without Docker: its environment comes from docker-compose.yml and .env, unchanged."""

from __future__ import annotations

import configparser
import subprocess
from pathlib import Path

import pytest
import yaml

from asc_warehouse.config import PROJECT_ROOT
from asc_warehouse.pipeline.server_env import (
    MissingSettingError,
    Server,
    bare_metal_environment,
    compose_environment,
    format_env_file,
    interpolate,
    read_env_file,
)

UNIT = PROJECT_ROOT / "deploy" / "systemd" / "asc-airflow@.service"
WRAPPER = PROJECT_ROOT / "deploy" / "asc-airflow"
DEPLOYMENT_DOC = PROJECT_ROOT / "docs" / "deployment.md"
# Set in .env.example's REQUIRED lines; any value will do for these tests.
SETTINGS = {
    "ASC_PSEUDONYMISATION_KEY": "k" * 64,
    "AIRFLOW_FERNET_KEY": "fernet-key",
    "AIRFLOW_JWT_SECRET": "jwt-secret",
    "AIRFLOW_API_SECRET_KEY": "api-secret",
    "AIRFLOW_ADMIN_PASSWORD": "admin-password",
    "AIRFLOW_BASE_URL": "https://airflow.asc.example.gov.uk",
}
SERVER = Server(
    project_root=Path("/srv/asc-warehouse"), state_dir=Path("/var/lib/asc-warehouse"),
    database_url="postgresql+psycopg2://airflow:pw@127.0.0.1:5432/airflow",
    api_url="http://127.0.0.1:8080",
)


def _compose() -> dict:
    return yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_interpolation_follows_compose() -> None:
    assert interpolate("${A:-x}/${B}", {"B": "b"}) == "x/b"
    assert interpolate("${A:-x}", {"A": "a"}) == "a"
    assert interpolate("$${HOSTNAME}", {}) == "${HOSTNAME}"
    with pytest.raises(MissingSettingError, match="A is required: set it"):
        interpolate("${A:?set it}", {"A": ""})


def test_a_required_setting_left_empty_is_refused() -> None:
    with pytest.raises(MissingSettingError, match="AIRFLOW_BASE_URL"):
        bare_metal_environment({**SETTINGS, "AIRFLOW_BASE_URL": ""}, SERVER)


def test_the_server_gets_every_compose_setting_with_only_docker_specifics_replaced() -> None:
    environment = bare_metal_environment(SETTINGS, SERVER)
    compose = compose_environment(SETTINGS)
    assert set(compose) <= set(environment)
    replaced = {key for key in compose if compose[key] != environment[key]}
    assert replaced == {
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "AIRFLOW__CORE__EXECUTION_API_SERVER_URL",
        "AIRFLOW__CORE__DAGS_FOLDER", "ASC_LANDING_DIR", "ASC_WAREHOUSE_DIR",
        "DBT_TARGET_PATH", "DBT_LOG_PATH",
    }
    assert environment["AIRFLOW__API__BASE_URL"] == "https://airflow.asc.example.gov.uk"
    assert environment["AIRFLOW__CORE__PARALLELISM"] == compose["AIRFLOW__CORE__PARALLELISM"]
    assert environment["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == \
        "http://127.0.0.1:8080/execution/"
    assert environment["AIRFLOW__CORE__DAGS_FOLDER"] == "/srv/asc-warehouse/dags"
    assert environment["ASC_LANDING_DIR"] == "/srv/asc-warehouse/landing"
    assert environment["ASC_WAREHOUSE_DIR"] == "/var/lib/asc-warehouse/warehouse"
    assert environment["DBT_TARGET_PATH"] == "/var/lib/asc-warehouse/dbt-state/target"
    assert environment["AIRFLOW_HOME"] == "/var/lib/asc-warehouse/airflow"
    assert (environment["AIRFLOW__API__HOST"], environment["AIRFLOW__API__PORT"]) == \
        ("127.0.0.1", "8080")
    for key, value in environment.items():
        assert "/opt/asc" not in value and "airflow-apiserver" not in value, key


def test_an_absolute_landing_folder_is_kept() -> None:
    environment = bare_metal_environment({**SETTINGS, "ASC_LANDING_HOST_DIR": "/srv/in"}, SERVER)
    assert environment["ASC_LANDING_DIR"] == "/srv/in"


def test_the_environment_file_reads_back_the_same_in_a_shell(tmp_path: Path) -> None:
    environment = {"PLAIN": "value", "SPACES": "a b  c", "DOLLAR": "pa$$word$HOME",
                   "SYMBOLS": 'x"y\\z;&|`'}
    path = tmp_path / "airflow.env"
    path.write_text(format_env_file(environment), encoding="utf-8")
    shell = subprocess.run(
        ["bash", "-c", f"set -a; . {path}; " + "; ".join(
            f'printf "%s\\0" "${key}"' for key in environment)],
        capture_output=True, text=True, check=True, env={"PATH": "/usr/bin:/bin"},
    )
    assert shell.stdout.split("\0")[:-1] == list(environment.values())
    assert read_env_file(path) == environment


def test_a_value_the_file_cannot_hold_is_refused() -> None:
    with pytest.raises(ValueError, match="PASSWORD"):
        format_env_file({"PASSWORD": "it's"})


def test_the_systemd_unit_starts_each_compose_component_through_the_wrapper() -> None:
    unit = configparser.ConfigParser(interpolation=None, strict=False)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(UNIT, encoding="utf-8")
    service = unit["Service"]
    assert service["ExecStart"] == "/srv/asc-warehouse/deploy/asc-airflow %i"
    assert service["Environment"] == "ASC_AIRFLOW_ENV=/etc/asc-warehouse/airflow.env"
    assert service["User"] == "asc" and service["Restart"] == "always"
    assert service["KillMode"] == "mixed"
    components = [s["command"] for name, s in _compose()["services"].items()
                  if name.startswith("airflow-") and isinstance(s.get("command"), str)
                  and s["command"] != "bash"]
    assert sorted(components) == ["api-server", "dag-processor", "scheduler", "triggerer"]
    guide = DEPLOYMENT_DOC.read_text(encoding="utf-8")
    enable = "systemctl enable --now " + " ".join(f"asc-airflow@{c}" for c in components)
    assert enable in " ".join(guide.replace("\\\n", " ").split())


def test_the_wrapper_refuses_a_missing_environment_file(tmp_path: Path) -> None:
    completed = subprocess.run(
        [str(WRAPPER), "version"], capture_output=True, text=True, check=False,
        env={"PATH": "/usr/bin:/bin", "ASC_AIRFLOW_ENV": str(tmp_path / "missing.env")},
    )
    assert completed.returncode == 1
    assert "missing.env" in completed.stderr
