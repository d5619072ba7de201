"""Run ``dbt build`` against the build file, as one process per build.

DuckDB allows one writer; one dbt process with its own threads is the only writer during the
build, and nothing else holds the build file while it runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from asc_warehouse.config import DBT_PROJECT_DIR, Settings
from asc_warehouse.pipeline.failed_checks import failing_checks

# run_results.json statuses of a node that did not succeed.
FAILED_STATUSES = frozenset({"error", "fail", "runtime error"})
# How DuckDB names the error when a query needs more than its memory limit and cannot spill.
OUT_OF_MEMORY = "Out of Memory Error"
# The operating system's text when a write finds the disk full (DuckDB quotes it in an IO Error).
DISK_FULL = "No space left on device"
# Each run's spill folder is named dbt_spill_<pid of the process running dbt>_<random>.
SPILL_PREFIX = "dbt_spill_"
# DuckDB reaches that folder through a link named after the build file, the same every run:
# dbt parses the whole project again whenever its profile differs from the last run's, and
# temp_directory is part of the profile.
SPILL_LINK_PREFIX = f"{SPILL_PREFIX}of_"


class DbtBuildError(RuntimeError):
    """dbt reported a failed model, seed or test."""


def dbt_executable() -> Path:
    # The dbt installed beside this interpreter, whatever PATH the scheduler happens to have.
    return Path(sys.executable).with_name("dbt")


def dbt_environment(
    settings: Settings, build_path: Path | None = None, work_dir: Path | None = None,
    spill_dir: Path | None = None,
) -> dict[str, str]:
    """dbt's environment: the file it writes, its memory limit, threads and spill folder, and
    its own target and log folders, so two dbt processes on different build files (nightly and
    OPEL intraday) never share state."""
    folder = settings.build_dir if work_dir is None else work_dir
    environment = dict(os.environ)
    environment["ASC_BUILD_PATH"] = str(settings.build_path if build_path is None else build_path)
    environment["ASC_DBT_MEMORY_LIMIT"] = settings.dbt_memory_limit
    environment["ASC_DBT_THREADS"] = str(settings.dbt_threads)
    # DuckDB's temp_directory itself (profiles.yml), only ever this run's private folder; the
    # deployment's ASC_DBT_TEMP_DIR is the folder that holds such folders.
    environment.pop("ASC_DBT_SPILL_DIR", None)
    if spill_dir is not None:
        environment["ASC_DBT_SPILL_DIR"] = str(spill_dir)
    if work_dir is not None:
        # A second build file needs its own dbt state, whatever the deployment sets.
        environment["DBT_TARGET_PATH"] = str(folder / "dbt_target")
        environment["DBT_LOG_PATH"] = str(folder / "dbt_logs")
    # A deployment's own DBT_TARGET_PATH and DBT_LOG_PATH win (the Compose file sets them).
    environment.setdefault("DBT_TARGET_PATH", str(folder / "dbt_target"))
    environment.setdefault("DBT_LOG_PATH", str(folder / "dbt_logs"))
    environment.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    return environment


def run_dbt(
    settings: Settings, *arguments: str, build_path: Path | None = None,
    work_dir: Path | None = None,
) -> str:
    """Run one dbt command in the project; return its output, or raise naming the failed nodes."""
    command = [
        str(dbt_executable()), *arguments,
        "--project-dir", str(DBT_PROJECT_DIR),
        "--profiles-dir", str(DBT_PROJECT_DIR),
    ]
    build_file = settings.build_path if build_path is None else build_path
    spill_parent = settings.dbt_temp_parent or build_file.parent
    spill_parent.mkdir(parents=True, exist_ok=True)
    remove_stale_spill_folders(spill_parent)
    # A private (0700) folder for this process only, removed whatever happens: what DuckDB
    # spills is pseudonymised, but still person-level.
    spill_dir = Path(tempfile.mkdtemp(prefix=f"{SPILL_PREFIX}{os.getpid()}_", dir=spill_parent))
    spill_link = spill_link_for(build_file, spill_parent)
    try:
        spill_link.unlink(missing_ok=True)
        spill_link.symlink_to(spill_dir, target_is_directory=True)
        environment = dbt_environment(settings, build_path, work_dir, spill_link)
        run_results = Path(environment["DBT_TARGET_PATH"]) / "run_results.json"
        run_results.unlink(missing_ok=True)
        completed = subprocess.run(
            command, env=environment, capture_output=True, text=True, check=False,
        )
        # While the spill folder still exists: naming the failed checks runs queries again.
        failure = (_failure_message(arguments, run_results, environment)
                   if completed.returncode != 0 else None)
    finally:
        spill_link.unlink(missing_ok=True)
        shutil.rmtree(spill_dir, ignore_errors=True)
    if failure is not None:
        raise DbtBuildError(failure)
    return completed.stdout + completed.stderr


def spill_link_for(build_file: Path, spill_parent: Path) -> Path:
    """The link to a run's spill folder: one name per build file (by its full path, so the
    nightly and OPEL builds never share one), whatever the process."""
    path_digest = hashlib.sha256(str(build_file.resolve()).encode("utf-8")).hexdigest()[:12]
    return spill_parent / f"{SPILL_LINK_PREFIX}{build_file.stem}_{path_digest}"


def remove_stale_spill_folders(spill_parent: Path) -> None:
    """Remove the spill folders of runs whose process no longer runs: one killed outright (kill
    -9, the OOM killer) never reached its own clean-up. A live run's folder stays: the OPEL
    intraday build may be running beside the night's."""
    for folder in spill_parent.glob(f"{SPILL_PREFIX}*"):
        pid = folder.name.removeprefix(SPILL_PREFIX).split("_", 1)[0]
        if folder.is_dir() and pid.isdigit() and not _is_running(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # running, as another user
        return True
    return True


def _failure_message(
    arguments: tuple[str, ...], run_results: Path, environment: dict[str, str]
) -> str:
    """Which nodes failed, by name only: dbt's own text can quote a submitted value (a cast
    error names the value it could not convert), and this message reaches alerts and logs.
    A failed row_checks test also names its failed checks, which its failure rows hold without
    any value (failed_checks)."""
    where = f"dbt's log in {environment['DBT_LOG_PATH']} has the details"
    if not run_results.exists():
        return f"dbt {' '.join(arguments)} failed before running any node; {where}"
    results = json.loads(run_results.read_text(encoding="utf-8")).get("results", [])
    failed_results = [result for result in results if result.get("status") in FAILED_STATUSES]
    failed = sorted(f"{result['unique_id']} ({result['status']})" for result in failed_results)
    message = (f"dbt {' '.join(arguments)} failed: {len(failed)} node(s): "
               f"{'; '.join(failed) or 'none recorded'}; {where}")
    if "ASC_BUILD_PATH" in environment:
        checks = failing_checks(
            failed_results, Path(environment["ASC_BUILD_PATH"]),
            environment["ASC_DBT_MEMORY_LIMIT"],
            Path(environment["ASC_DBT_SPILL_DIR"]) if "ASC_DBT_SPILL_DIR" in environment else None)
        if checks:
            message += f". Failed checks: {'; '.join(checks)}"
    # DuckDB's own out-of-memory text quotes sizes only, but it is recognised, not repeated.
    if any(OUT_OF_MEMORY in (result.get("message") or "") for result in failed_results):
        message += (f". DuckDB ran out of memory within ASC_DBT_MEMORY_LIMIT "
                    f"({environment['ASC_DBT_MEMORY_LIMIT']}) even after spilling to disk: "
                    "raise the limit, or free space where ASC_DBT_TEMP_DIR points")
    if any(DISK_FULL in (result.get("message") or "") for result in failed_results):
        message += (". The disk filled up while DuckDB wrote the build file or spilled "
                    "beyond ASC_DBT_MEMORY_LIMIT "
                    f"({environment['ASC_DBT_MEMORY_LIMIT']}): free space on the warehouse "
                    "volume, point ASC_DBT_TEMP_DIR at a disk with room, or raise the limit "
                    "so that less spills")
    return message


def build(
    settings: Settings, *, include_unit_tests: bool = False, full_refresh: bool = True
) -> str:
    """Seeds, models and data tests; unit tests run in the test suite, not every night.

    A full refresh by default: the build file outlives releases of this project, and a seed
    whose columns changed cannot be reloaded into its old table otherwise. Without it the
    per-file models (materialized incremental, keyed by load) add only the loads they lack;
    every other model is a view or a table rebuilt anyway. Only a night whose sole new input is
    new loads may skip the full refresh (fingerprint.only_new_loads).
    """
    arguments = ["build", "--full-refresh"] if full_refresh else ["build"]
    if not include_unit_tests:
        arguments += ["--exclude-resource-type", "unit_test"]
    return run_dbt(settings, *arguments)


def refresh(settings: Settings, selector: str) -> str:
    """Rebuild only the selected models and their data tests, over an otherwise complete build."""
    return run_dbt(settings, "build", "--select", *selector.split(),
                   "--exclude-resource-type", "unit_test")


@dataclass(frozen=True)
class BuildReport:
    """What the last dbt command did, from its ``run_results.json``."""

    models_built: list[str]
    seeds_loaded: int
    tests_passed: int
    tests_failed: int
    tests_warned: int

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def last_build_report(settings: Settings) -> BuildReport:
    path = Path(dbt_environment(settings)["DBT_TARGET_PATH"]) / "run_results.json"
    results = json.loads(path.read_text(encoding="utf-8"))["results"]

    def of(kind: str) -> list[dict]:
        return [r for r in results if r["unique_id"].split(".")[0] == kind]

    tests = of("test")
    return BuildReport(
        models_built=sorted(r["unique_id"].split(".")[-1] for r in of("model")
                            if r["status"] == "success"),
        seeds_loaded=sum(1 for r in of("seed") if r["status"] == "success"),
        tests_passed=sum(1 for r in tests if r["status"] == "pass"),
        tests_failed=sum(1 for r in tests if r["status"] in {"fail", "error"}),
        tests_warned=sum(1 for r in tests if r["status"] == "warn"),
    )
