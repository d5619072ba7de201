"""Static checks of the server deployment files.

The files are docker-compose.yml, Dockerfile, .env.example, .dockerignore and docs/deployment.md.

There is no Docker engine on the development machines or in CI, so these tests read the files
themselves. ``docker compose config`` is run only where the Compose v2 CLI is installed, and the
test skips cleanly elsewhere.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from asc_warehouse import config

REPO_ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
DOCKERFILE = REPO_ROOT / "Dockerfile"
DOCKERIGNORE = REPO_ROOT / ".dockerignore"
ENV_EXAMPLE = REPO_ROOT / ".env.example"
PYPROJECT = REPO_ROOT / "pyproject.toml"
DEPLOYMENT_DOC = REPO_ROOT / "docs" / "deployment.md"

# The package is installed in editable mode from here, so config.PROJECT_ROOT is this folder.
CONTAINER_PROJECT_ROOT = PurePosixPath("/opt/asc")
IMAGE = "asc-warehouse-airflow:latest"
BASE_IMAGE = "apache/airflow:3.3.2-python3.11"
POSTGRES_CONN = "postgresql+psycopg2://airflow:airflow@postgres/airflow"

COMMANDS = {
    "airflow-apiserver": "api-server",
    "airflow-scheduler": "scheduler",
    "airflow-dag-processor": "dag-processor",
    "airflow-triggerer": "triggerer",
}
JOB_TYPES = {
    "airflow-scheduler": "SchedulerJob",
    "airflow-dag-processor": "DagProcessorJob",
    "airflow-triggerer": "TriggererJob",
}
LONG_RUNNING = {"postgres", *COMMANDS}
ON_DEMAND = {"airflow-cli"}
AIRFLOW_SERVICES = {*COMMANDS, "airflow-init", "airflow-cli"}
ALL_SERVICES = {*LONG_RUNNING, "airflow-init", *ON_DEMAND}

# Secrets: the file must demand them (${VAR:?...}) and never carry a default.
REQUIRED_VARS = {
    "ASC_PSEUDONYMISATION_KEY",
    "AIRFLOW_FERNET_KEY",
    "AIRFLOW_JWT_SECRET",
    "AIRFLOW_API_SECRET_KEY",
    "AIRFLOW_ADMIN_PASSWORD",
    "AIRFLOW_BASE_URL",
}
SECRET_ENV = {
    "ASC_PSEUDONYMISATION_KEY": "ASC_PSEUDONYMISATION_KEY",
    "AIRFLOW__CORE__FERNET_KEY": "AIRFLOW_FERNET_KEY",
    "AIRFLOW__API_AUTH__JWT_SECRET": "AIRFLOW_JWT_SECRET",
    "AIRFLOW__API__SECRET_KEY": "AIRFLOW_API_SECRET_KEY",
}

# Repository folders that are bind-mounted, and the asc_warehouse.config path each must serve
# (None: not read through config).
PROJECT_FOLDERS: dict[str, Path | None] = {
    "dags": None,
    "dbt_project": config.DBT_PROJECT_DIR,
    "expectations": config.EXPECTATIONS_DIR,
    "seeds": config.SEEDS_DIR,
}

VAR_REF = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)")
VAR_DEFAULT = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*):-([^}]*)\}")


@pytest.fixture(scope="module")
def compose_text() -> str:
    return COMPOSE_FILE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def compose(compose_text: str) -> dict[str, Any]:
    data = yaml.safe_load(compose_text)
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


def _env(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    assert isinstance(env, dict), "use the mapping form of environment"
    return {key: str(value) for key, value in env.items()}


def _mounts(service: dict[str, Any]) -> list[dict[str, Any]]:
    mounts = service.get("volumes", [])
    for mount in mounts:
        assert isinstance(mount, dict), f"use the long volume syntax, got {mount!r}"
    return mounts


def _mount_at(service: dict[str, Any], target: str) -> dict[str, Any]:
    matches = [m for m in _mounts(service) if m.get("target") == target]
    assert len(matches) == 1, f"expected one mount at {target}, found {matches}"
    return matches[0]


def _env_example() -> dict[str, str]:
    values: dict[str, str] = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        name, sep, value = stripped.partition("=")
        assert sep, f".env.example line is not NAME=value: {line!r}"
        assert name not in values, f"{name} appears twice in .env.example"
        values[name] = value
    return values


def _dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with comments dropped and continuation lines joined."""
    instructions: list[tuple[str, str]] = []
    current = ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not current and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        current += line
        keyword, _, args = current.partition(" ")
        instructions.append((keyword.upper(), args.strip()))
        current = ""
    return instructions


# --- services -----------------------------------------------------------------------------------


def test_services_are_the_local_executor_stack(services: dict[str, dict[str, Any]]) -> None:
    assert set(services) == ALL_SERVICES
    started_by_up = {name for name, svc in services.items() if not svc.get("profiles")}
    assert started_by_up == ALL_SERVICES - ON_DEMAND
    assert services["airflow-cli"]["profiles"] == ["debug"]


def test_no_redis_celery_or_flower(compose: dict[str, Any]) -> None:
    # Checked on the parsed file, so comments explaining their absence do not count.
    dumped = yaml.safe_dump(compose).lower()
    for word in ("redis", "celery", "flower", "airflow-worker"):
        assert word not in dumped


@pytest.mark.parametrize("name", sorted(AIRFLOW_SERVICES))
def test_airflow_services_share_the_common_definition(
    name: str, compose: dict[str, Any], services: dict[str, dict[str, Any]]
) -> None:
    common = compose["x-airflow-common"]
    service = services[name]
    assert common["build"] == "."
    assert common["image"] == IMAGE
    assert service["build"] == common["build"]
    assert service["image"] == common["image"]
    env = _env(service)
    for key, value in _env(common).items():
        assert env.get(key) == value, f"{name} overrides or lacks {key}"
    assert env["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == POSTGRES_CONN
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == (
        "http://airflow-apiserver:8080/execution/"
    )
    assert env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "false"
    assert env["AIRFLOW__CORE__DEFAULT_TIMEZONE"] == "Europe/London"
    assert _mounts(service) == _mounts(common)


def test_postgres_is_16_and_matches_the_connection_string(
    services: dict[str, dict[str, Any]],
) -> None:
    postgres = services["postgres"]
    assert postgres["image"].split(":")[1].split(".")[0] == "16"
    assert "ports" not in postgres, "the metadata database must not be published on the host"
    url = urlsplit(POSTGRES_CONN)
    env = _env(postgres)
    assert url.hostname == "postgres"
    assert url.username == env["POSTGRES_USER"]
    assert url.password == env["POSTGRES_PASSWORD"]
    assert url.path.lstrip("/") == env["POSTGRES_DB"]
    assert "pg_isready" in postgres["healthcheck"]["test"]
    data = _mount_at(postgres, "/var/lib/postgresql/data")
    assert data["type"] == "volume"


@pytest.mark.parametrize(("name", "command"), sorted(COMMANDS.items()))
def test_service_commands(name: str, command: str, services: dict[str, dict[str, Any]]) -> None:
    assert services[name]["command"] == command


def test_init_migrates_and_creates_the_admin_user(services: dict[str, dict[str, Any]]) -> None:
    init = services["airflow-init"]
    env = _env(init)
    assert env["_AIRFLOW_DB_MIGRATE"] == "true"
    assert env["_AIRFLOW_WWW_USER_CREATE"] == "true"
    assert re.fullmatch(r"\$\{AIRFLOW_ADMIN_PASSWORD:\?[^}]+\}", env["_AIRFLOW_WWW_USER_PASSWORD"])
    # The official image's entrypoint performs both steps before running this command.
    assert "/entrypoint airflow version" in init["command"][-1]
    assert init["user"] == "0:0"
    assert "restart" not in init


def test_restart_policies(services: dict[str, dict[str, Any]]) -> None:
    for name in LONG_RUNNING:
        assert services[name].get("restart") == "always", name
    for name in ("airflow-init", *ON_DEMAND):
        assert services[name].get("restart", "no") == "no", name


def test_depends_on_conditions(services: dict[str, dict[str, Any]]) -> None:
    for name in AIRFLOW_SERVICES:
        depends = services[name]["depends_on"]
        assert depends["postgres"] == {"condition": "service_healthy"}, name
        assert "airflow-init" not in depends or name in COMMANDS
    for name in COMMANDS:
        depends = services[name]["depends_on"]
        assert depends["airflow-init"] == {"condition": "service_completed_successfully"}, name
    # LocalExecutor tasks run in the scheduler and report to the Execution API.
    scheduler = services["airflow-scheduler"]["depends_on"]
    assert scheduler["airflow-apiserver"] == {"condition": "service_healthy"}


def test_apiserver_healthcheck_and_port(services: dict[str, dict[str, Any]]) -> None:
    apiserver = services["airflow-apiserver"]
    test = apiserver["healthcheck"]["test"]
    assert test[0] == "CMD"
    assert "http://localhost:8080/api/v2/version" in test
    (port,) = apiserver["ports"]
    assert port.endswith(":8080")
    assert port.startswith("${AIRFLOW_UI_BIND_ADDRESS:-127.0.0.1}:")


@pytest.mark.parametrize(("name", "job_type"), sorted(JOB_TYPES.items()))
def test_job_healthchecks(name: str, job_type: str, services: dict[str, dict[str, Any]]) -> None:
    kind, command = services[name]["healthcheck"]["test"]
    assert kind == "CMD-SHELL"
    assert f"airflow jobs check --job-type {job_type}" in command
    # $$ escapes Compose interpolation: the container's HOSTNAME, not the host's.
    assert '--hostname "$${HOSTNAME}"' in command


# --- volumes and paths --------------------------------------------------------------------------


def test_named_volumes_are_declared(compose: dict[str, Any]) -> None:
    declared = set(compose["volumes"])
    assert {"asc-warehouse", "postgres-db-volume"} <= declared
    used = {
        mount["source"]
        for service in compose["services"].values()
        for mount in _mounts(service)
        if mount["type"] == "volume"
    }
    assert used == declared


@pytest.mark.parametrize("name", sorted(AIRFLOW_SERVICES))
def test_warehouse_volume_is_at_asc_warehouse_dir(
    name: str, services: dict[str, dict[str, Any]]
) -> None:
    service = services[name]
    warehouse_dir = _env(service)["ASC_WAREHOUSE_DIR"]
    assert warehouse_dir == "/opt/asc/warehouse"
    mount = _mount_at(service, warehouse_dir)
    assert mount["type"] == "volume"
    assert mount["source"] == "asc-warehouse"
    assert not mount.get("read_only", False)


@pytest.mark.parametrize("name", sorted(AIRFLOW_SERVICES))
def test_landing_mount_is_at_asc_landing_dir(
    name: str, services: dict[str, dict[str, Any]]
) -> None:
    service = services[name]
    mount = _mount_at(service, _env(service)["ASC_LANDING_DIR"])
    assert mount["type"] == "bind"
    assert mount["source"] == "${ASC_LANDING_HOST_DIR:-./landing}"
    assert mount["bind"] == {"create_host_path": False}


def test_default_landing_folder_is_gitignored() -> None:
    # Client-level extracts must never be committed.
    gitignore = (REPO_ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert any(line.strip() in {"/landing/", "landing/", "/landing"} for line in gitignore)


@pytest.mark.parametrize("folder", sorted(PROJECT_FOLDERS))
def test_project_folders_are_mounted_where_the_package_looks(
    folder: str, services: dict[str, dict[str, Any]]
) -> None:
    assert (REPO_ROOT / folder).is_dir(), f"{folder}/ is missing from the repository"
    config_path = PROJECT_FOLDERS[folder]
    if config_path is None:
        expected_target = CONTAINER_PROJECT_ROOT / folder
    else:
        expected_target = CONTAINER_PROJECT_ROOT / config_path.relative_to(config.PROJECT_ROOT)
    for name in AIRFLOW_SERVICES:
        service = services[name]
        (mount,) = [m for m in _mounts(service) if m.get("source") == f"./{folder}"]
        assert mount["type"] == "bind"
        assert mount["target"] == str(expected_target)
        assert mount["read_only"] is True
    assert _env(services["airflow-scheduler"])["AIRFLOW__CORE__DAGS_FOLDER"] == str(
        CONTAINER_PROJECT_ROOT / "dags"
    )


def test_every_literal_bind_source_exists(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        for mount in _mounts(service):
            source = mount.get("source", "")
            if mount["type"] == "bind" and "${" not in source:
                assert (REPO_ROOT / source).resolve().is_dir(), f"{name}: {source}"


def test_container_project_root_is_where_the_image_installs_the_package() -> None:
    # config.PROJECT_ROOT is parents[2] of config.py; in the image config.py sits under /opt/asc.
    config_relative = Path(config.__file__).resolve().relative_to(config.PROJECT_ROOT)
    assert config_relative.as_posix() == "src/asc_warehouse/config.py"
    assert (CONTAINER_PROJECT_ROOT / config_relative.as_posix()).parents[2] == (
        CONTAINER_PROJECT_ROOT
    )
    instructions = _dockerfile_instructions()
    copies = [args for keyword, args in instructions if keyword == "COPY"]
    assert any(re.search(r"\bpyproject\.toml /opt/asc/pyproject\.toml$", a) for a in copies)
    assert any(re.search(r"\bsrc/? /opt/asc/src/?$", a) for a in copies)


# --- environment and secrets --------------------------------------------------------------------


@pytest.mark.parametrize(("env_key", "var"), sorted(SECRET_ENV.items()))
def test_secrets_are_required_from_the_environment(
    env_key: str, var: str, compose: dict[str, Any]
) -> None:
    value = _env(compose["x-airflow-common"])[env_key]
    assert re.fullmatch(rf"\$\{{{var}:\?[^}}]+\}}", value), value


def test_required_variables_never_have_defaults(compose_text: str) -> None:
    for var in REQUIRED_VARS:
        references = re.findall(rf"(?<!\$)\$\{{{var}([^A-Za-z0-9_][^}}]*)?\}}", compose_text)
        assert references, f"{var} is not used"
        for modifier in references:
            assert modifier.startswith(":?"), f"${{{var}{modifier}}} must use the :? form"


def test_max_active_runs_per_dag_is_one(compose: dict[str, Any]) -> None:
    assert _env(compose["x-airflow-common"])["AIRFLOW__CORE__MAX_ACTIVE_RUNS_PER_DAG"] == "1"


def test_dbt_writes_outside_the_read_only_project(compose: dict[str, Any]) -> None:
    common = compose["x-airflow-common"]
    env = _env(common)
    state = _mount_at(common, "/opt/asc/dbt-state")
    assert state["type"] == "volume"
    for key in ("DBT_TARGET_PATH", "DBT_LOG_PATH"):
        assert PurePosixPath(env[key]).is_relative_to("/opt/asc/dbt-state"), key


def test_airflow_environment_names_real_config_options(compose: dict[str, Any]) -> None:
    spec = importlib.util.find_spec("airflow")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("apache-airflow is not installed")
    template = Path(next(iter(spec.submodule_search_locations))) / "config_templates/config.yml"
    sections = yaml.safe_load(template.read_text(encoding="utf-8"))
    for name, service in compose["services"].items():
        for key in _env(service):
            if not key.startswith("AIRFLOW__"):
                continue
            section, _, option = key.removeprefix("AIRFLOW__").lower().partition("__")
            options = sections.get(section, {}).get("options", {})
            assert option in options, f"{name}: {key} is not an Airflow config option"


def test_compose_dollars_are_escaped_or_interpolations(compose_text: str) -> None:
    # A bare $NAME would be interpolated by Compose from the host: use ${NAME} or escape as $$.
    for match in re.finditer(r"\$+", compose_text):
        if len(match.group()) % 2:
            following = compose_text[match.end() : match.end() + 1]
            line = compose_text.count("\n", 0, match.start()) + 1
            assert following == "{", f"line {line}: unescaped $ in docker-compose.yml"


# --- .env.example, Dockerfile, .dockerignore, docs ----------------------------------------------


def test_env_example_lists_exactly_the_compose_variables(compose_text: str) -> None:
    example = _env_example()
    used = set(VAR_REF.findall(compose_text))
    assert set(example) == used
    for var in REQUIRED_VARS:
        assert example[var] == "", f"{var} must be left empty so Compose refuses to start"
    for var, default in VAR_DEFAULT.findall(compose_text):
        assert example[var] == default, f"{var}: .env.example and docker-compose.yml disagree"


def test_dockerfile_base_image_matches_pyproject_pins() -> None:
    froms = [args for keyword, args in _dockerfile_instructions() if keyword == "FROM"]
    assert froms == [BASE_IMAGE]
    tag = re.fullmatch(
        r"apache/airflow:(?P<airflow>[0-9.]+)-python(?P<python>[0-9]+\.[0-9]+)", froms[0]
    )
    assert tag is not None

    pyproject = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    requirements = [Requirement(dep) for dep in pyproject["dependencies"]]
    (airflow,) = [r for r in requirements if r.name == "apache-airflow"]
    (pin,) = list(airflow.specifier)
    assert pin.operator == "=="
    assert Version(pin.version) == Version(tag["airflow"])
    assert Version(tag["python"]) in SpecifierSet(pyproject["requires-python"])


def test_dockerfile_installs_the_package_editable_as_airflow() -> None:
    instructions = _dockerfile_instructions()
    pip_runs = [
        i for i, (kw, args) in enumerate(instructions) if kw == "RUN" and "pip install" in args
    ]
    assert len(pip_runs) == 1
    index = pip_runs[0]
    pip_args = instructions[index][1]
    assert "--no-cache-dir" in pip_args
    assert re.search(r"pip install\b[^&|;]*\s-e /opt/asc(\s|$)", pip_args)
    users = [args for keyword, args in instructions[:index] if keyword == "USER"]
    assert users and users[-1] == "airflow", "pip must run as the airflow user"
    # Only code goes into the image: project data folders are mounted, never copied.
    for keyword, args in instructions:
        if keyword in {"COPY", "ADD"}:
            sources = args.split()[:-1]
            sources = [s for s in sources if not s.startswith("--")]
            assert set(sources) <= {"pyproject.toml", "src/", "src"}, args


def test_dockerignore_sends_only_the_package() -> None:
    patterns = [
        line.strip()
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    assert patterns[0] == "*"
    included = {p.removeprefix("!").rstrip("/") for p in patterns if p.startswith("!")}
    assert included == {"pyproject.toml", "src"}


def test_deployment_doc_covers_the_secrets() -> None:
    text = DEPLOYMENT_DOC.read_text(encoding="utf-8")
    for var in REQUIRED_VARS:
        assert var in text, f"docs/deployment.md does not mention {var}"
    for phrase in ("cp .env.example .env", "docker compose up -d --build", "asc.duckdb"):
        assert phrase in text
    assert "never commit" in text.lower()


# --- docker compose config (only where the Compose v2 CLI exists) -------------------------------


def _compose_cli_env() -> dict[str, str]:
    """The caller's environment without anything Compose would interpolate from it."""
    names = set(VAR_REF.findall(COMPOSE_FILE.read_text(encoding="utf-8")))
    return {
        key: value
        for key, value in os.environ.items()
        if key not in names and not key.startswith("COMPOSE_")
    }


def _run_compose_config(env_file: Path) -> subprocess.CompletedProcess[str]:
    docker = shutil.which("docker")
    if docker is None:
        pytest.skip("docker CLI not installed")
    version = subprocess.run(
        [docker, "compose", "version"], capture_output=True, text=True, timeout=60, check=False
    )
    if version.returncode != 0:
        reason = (version.stderr or version.stdout).strip().splitlines()
        pytest.skip(f"docker compose v2 unavailable: {reason[0] if reason else 'no output'}")
    return subprocess.run(
        [
            docker,
            "compose",
            "--env-file",
            str(env_file),
            "-f",
            str(COMPOSE_FILE),
            "config",
            "--quiet",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=REPO_ROOT,
        env=_compose_cli_env(),
    )


def _write_env_file(path: Path, landing: Path, **overrides: str) -> Path:
    values = {**_env_example(), "ASC_LANDING_HOST_DIR": str(landing)}
    values.update({var: "dummy-value-for-tests" for var in REQUIRED_VARS})
    values.update(overrides)
    path.write_text("".join(f"{k}={v}\n" for k, v in values.items()), encoding="utf-8")
    return path


def test_docker_compose_config_accepts_the_file(tmp_path: Path) -> None:
    env_file = _write_env_file(tmp_path / "test.env", tmp_path)
    result = _run_compose_config(env_file)
    assert result.returncode == 0, result.stderr


def test_docker_compose_config_refuses_a_missing_key(tmp_path: Path) -> None:
    env_file = _write_env_file(tmp_path / "test.env", tmp_path, ASC_PSEUDONYMISATION_KEY="")
    result = _run_compose_config(env_file)
    assert result.returncode != 0
    assert "ASC_PSEUDONYMISATION_KEY" in result.stderr
