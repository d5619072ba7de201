"""Command line: ``asc-warehouse run [--sample] | summary | sql | docs | site | sample-data |
server-env | refresh-ascof-official SOURCE_DIR``.

``run`` runs the ``asc_nightly`` DAG end to end in one process with ``airflow dags test``
(Airflow with SQLite metadata under ``.airflow/``) and prints the run summary. It loads the
landing folder with ``ASC_PSEUDONYMISATION_KEY`` and refuses to start without it.
``run --sample`` (what ``make run`` calls) instead generates sample extracts into a new folder
it creates for this run only, loads them with the built-in sample key, and removes the folder:
nothing is generated into, or trusted from, a folder the command did not create.
``sql`` runs a query (or a file of queries) read-only against the published file and prints
readable tables; ``docs`` writes dbt's static docs site into ``warehouse/dbt_docs/``; ``site``
rewrites the scorecard site and exports from the published file. ``refresh-ascof-official``
rewrites the official ASCOF series seeds (``asc_warehouse.reference.ascof_official``).
``sample-data`` writes sample extracts of every feed into a landing folder it creates (never into
one that exists and holds anything); ``server-env`` prints the environment file of the Airflow
services on a server without Docker (docs/deployment.md).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from asc_warehouse.config import PROJECT_ROOT, load_settings, restrict_new_files
from asc_warehouse.pipeline.nightly import SUMMARY_FILE_NAME, format_summary
from asc_warehouse.pipeline.publish import restricted_path_for
from asc_warehouse.pipeline.run_lock import RunInProgressError, run_lock
from asc_warehouse.pipeline.server_env import (
    Server,
    bare_metal_environment,
    format_env_file,
    read_env_file,
)
from asc_warehouse.reference import ascof_official

DAG_ID = "asc_nightly"


def airflow_environment() -> dict[str, str]:
    environment = dict(os.environ)
    environment.setdefault("AIRFLOW_HOME", str(PROJECT_ROOT / ".airflow"))
    environment.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(PROJECT_ROOT / "dags"))
    environment.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    environment.setdefault("AIRFLOW__CORE__DEFAULT_TIMEZONE", "Europe/London")
    environment.setdefault("GX_ANALYTICS_ENABLED", "false")
    return environment


def _generate_into(landing_dir: Path, scale: float, councils: str | None) -> None:
    """``councils`` as ``--councils`` gives it; None for the generator's default councils."""
    from asc_warehouse.sample_data import generate_sample_landing_files
    from asc_warehouse.sample_data.profiles import DEFAULT_SAMPLE_COUNCILS, parse_councils

    codes = DEFAULT_SAMPLE_COUNCILS if councils is None else parse_councils(councils)
    written = generate_sample_landing_files(landing_dir, scale=scale, councils=codes)
    print(f"Generated {len(written)} sample extracts in {landing_dir}")


def generate_sample_landing(scale: float, councils: str | None) -> Path:
    """A new folder holding this run's generated extracts (the caller removes it)."""
    landing_dir = Path(tempfile.mkdtemp(prefix="asc-sample-landing-"))
    try:
        _generate_into(landing_dir, scale, councils)
    except BaseException:
        shutil.rmtree(landing_dir, ignore_errors=True)
        raise
    return landing_dir


def run_dag(environment: dict[str, str], log_path: Path) -> int:
    """Run the DAG in-process; Airflow's own log goes to a file, shown only if the run fails."""
    airflow = str(Path(sys.executable).with_name("airflow"))
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w", encoding="utf-8") as log:
        subprocess.run([airflow, "db", "migrate"], env=environment, check=True,
                       stdout=log, stderr=subprocess.STDOUT)
        print(f"Running {DAG_ID} with airflow dags test (log: {log_path})", flush=True)
        completed = subprocess.run([airflow, "dags", "test", DAG_ID], env=environment,
                                   check=False, stdout=log, stderr=subprocess.STDOUT)
    if completed.returncode != 0:
        lines = log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        print("\n".join(lines[-40:]), file=sys.stderr)
    return completed.returncode


def print_summary() -> int:
    path = load_settings().warehouse_dir / SUMMARY_FILE_NAME
    if not path.exists():
        print(f"No run summary at {path}: the run did not publish.", file=sys.stderr)
        return 1
    print(format_summary(json.loads(path.read_text(encoding="utf-8"))))
    return 0


def _run_locked(environment: dict[str, str]) -> int:
    warehouse_dir = Path(environment["ASC_WAREHOUSE_DIR"])
    summary_path = warehouse_dir / SUMMARY_FILE_NAME
    summary_path.unlink(missing_ok=True)
    started = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    log_path = Path(environment["ASC_LOG_DIR"]) / f"{DAG_ID}-{started}-{os.getpid()}.log"
    status = run_dag(environment, log_path)
    if status != 0 or not summary_path.exists():
        print(f"{DAG_ID} failed: the published warehouse was left unchanged.", file=sys.stderr)
        return status or 1
    print()
    return print_summary()


def command_sql(arguments: argparse.Namespace) -> int:
    """Each statement's result as a table (DuckDB's own rendering), read-only."""
    import duckdb

    text = Path(arguments.file).read_text(encoding="utf-8") if arguments.file else arguments.query
    if not text:
        print("Give a query or --file", file=sys.stderr)
        return 2
    # DuckDB keeps a statement's trailing comment and semicolon in its text: drop whole-line
    # comments first, then the semicolon.
    text = "\n".join(line for line in text.splitlines() if not line.strip().startswith("--"))
    published = load_settings().published_path
    path = restricted_path_for(published) if arguments.restricted else published
    with duckdb.connect(str(path), read_only=True) as con:
        for statement in con.extract_statements(text):
            relation = con.sql(statement.query.strip().rstrip(";"))
            if relation is not None:
                relation.show(max_rows=arguments.max_rows, max_width=arguments.max_width)
    return 0


def command_docs(_: argparse.Namespace) -> int:
    from asc_warehouse.pipeline import dbt_docs

    print(f"dbt docs written to {dbt_docs.generate(load_settings())}")
    return 0


def command_site(_: argparse.Namespace) -> int:
    from asc_warehouse.present import exports, site

    settings = load_settings()
    pages = site.build_site(settings.published_path, settings.warehouse_dir)
    files = exports.write_exports(settings.published_path, settings.warehouse_dir)
    print(f"{len(pages)} pages in {site.site_dir(settings.warehouse_dir)}, "
          f"{len(files)} files in {exports.exports_dir(settings.warehouse_dir)}")


# The sample is a three-year history of overlapping quarterly submissions: at Kent's size (1)
# that is 1.5 million Kent rows in 13 files (793 MB, measured). A fifth of it holds about as
# many rows as the former single two-year Kent-sized file, so `make run` stays short.
DEFAULT_SAMPLE_SCALE = 0.2
# Without --councils or ASC_SAMPLE_COUNCILS, the generator's own default (Kent and Medway,
# profiles.DEFAULT_SAMPLE_COUNCILS); "all" is every council the seeds can size.
COUNCILS_HELP = ("councils to generate sample data for: CASSR codes (820,821, the default) or "
                 "'all' (every English council, sized by its adult population)")


def command_run(arguments: argparse.Namespace) -> int:
    settings = load_settings()
    environment = airflow_environment()
    environment.pop("ASC_SAMPLE_MODE", None)
    environment["ASC_WAREHOUSE_DIR"] = str(settings.warehouse_dir)
    environment["ASC_LOG_DIR"] = str(settings.log_dir)
    if not arguments.sample and not settings.pseudonymisation_key:
        print("ASC_PSEUDONYMISATION_KEY is not set: real extracts cannot be loaded without "
              "the council's key. For generated sample data, run `asc-warehouse run --sample`.",
              file=sys.stderr)
        return 2
    try:
        with run_lock(settings.warehouse_dir):
            if not arguments.sample:
                return _run_locked(environment)
            landing_dir = generate_sample_landing(arguments.scale, arguments.councils)
            try:
                environment["ASC_LANDING_DIR"] = str(landing_dir)
                environment["ASC_SAMPLE_MODE"] = "1"
                return _run_locked(environment)
            finally:
                shutil.rmtree(landing_dir, ignore_errors=True)
    except RunInProgressError as error:
        print(str(error), file=sys.stderr)
        return 3


def council_selection(text: str) -> str:
    """The ``--councils`` text, once every council it names is known and can be sized."""
    from asc_warehouse.sample_data.profiles import load_councils, parse_councils

    try:
        load_councils(parse_councils(text))
    except (KeyError, ValueError) as error:
        # args[0]: str() of a KeyError is the repr of its message, in quotes.
        raise argparse.ArgumentTypeError(error.args[0]) from error
    return text


def command_sample_data(arguments: argparse.Namespace) -> int:
    """Sample extracts of every feed for a trial install, into a landing folder this creates."""
    landing_dir = load_settings().landing_dir
    if landing_dir.exists() and any(landing_dir.iterdir()):
        print(f"{landing_dir} already holds files: sample data is only written into a new or "
              "empty folder, so nothing was written.", file=sys.stderr)
        return 1
    _generate_into(landing_dir, arguments.scale, arguments.councils)
    return 0


def command_server_env(arguments: argparse.Namespace) -> int:
    """Print the systemd EnvironmentFile of a bare-metal server (docs/deployment.md)."""
    server = Server(
        project_root=PROJECT_ROOT, state_dir=arguments.state_dir.resolve(),
        database_url=arguments.database_url, api_url=arguments.api_url,
    )
    environment = bare_metal_environment(read_env_file(arguments.env_file), server)
    print(format_env_file(environment), end="")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="asc-warehouse", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run the nightly DAG end to end in-process")
    run.add_argument("--sample", action="store_true",
                     help="generate sample extracts into a new folder and load only those, "
                          "with the built-in sample key")
    run.add_argument("--scale", type=float,
                     default=float(os.environ.get("ASC_SAMPLE_SCALE", DEFAULT_SAMPLE_SCALE)),
                     help="sample volume with --sample (1 = Kent/Medway size)")
    run.add_argument("--councils", type=council_selection,
                     default=os.environ.get("ASC_SAMPLE_COUNCILS"),
                     help=COUNCILS_HELP)
    run.set_defaults(handler=command_run)
    summary = commands.add_parser("summary", help="print the last run's summary")
    summary.set_defaults(handler=lambda _: print_summary())
    sql = commands.add_parser("sql", help="query the published warehouse (read-only)")
    sql.add_argument("query", nargs="?", help="SQL text; or use --file")
    sql.add_argument("--file", help="a file of SQL statements")
    sql.add_argument("--restricted", action="store_true",
                     help="query the person-level file (asc_restricted.duckdb) instead")
    sql.add_argument("--max-rows", type=int, default=40)
    sql.add_argument("--max-width", type=int, default=160)
    sql.set_defaults(handler=command_sql)
    docs = commands.add_parser("docs", help="write dbt's static docs into warehouse/dbt_docs/")
    docs.set_defaults(handler=command_docs)
    site_command = commands.add_parser("site", help="rewrite the site and exports")
    site_command.set_defaults(handler=command_site)
    sample = commands.add_parser(
        "sample-data", help="write sample extracts into an empty landing folder (trials only)")
    sample.add_argument("--scale", type=float,
                        default=float(os.environ.get("ASC_SAMPLE_SCALE", DEFAULT_SAMPLE_SCALE)),
                        help="sample volume (1 = Kent/Medway size)")
    sample.add_argument("--councils", type=council_selection,
                        default=os.environ.get("ASC_SAMPLE_COUNCILS"),
                        help=COUNCILS_HELP)
    sample.set_defaults(handler=command_sample_data)
    server_env = commands.add_parser(
        "server-env", help="print the bare-metal services' environment, from docker-compose.yml")
    server_env.add_argument("--env-file", type=Path, default=PROJECT_ROOT / ".env",
                            help="the settings, as for Compose (default: .env of the project)")
    server_env.add_argument("--state-dir", type=Path, required=True,
                            help="where the warehouse, dbt state and Airflow home live")
    server_env.add_argument("--database-url", required=True,
                            help="SQLAlchemy URL of the Airflow metadata database (PostgreSQL)")
    server_env.add_argument("--api-url", default="http://127.0.0.1:8080",
                            help="where the API server listens, as the other components reach it")
    server_env.set_defaults(handler=command_server_env)
    official = commands.add_parser(
        "refresh-ascof-official",
        help="rewrite the official ASCOF series seeds from DHSC's workbook in long form",
    )
    official.add_argument("source_dir", type=Path,
                          help="folder holding ascof_official_values.csv, measures.csv, ...")
    official.set_defaults(
        handler=lambda arguments: ascof_official.main([str(arguments.source_dir)])
    )
    arguments = parser.parse_args(argv)
    restrict_new_files(load_settings())
    return int(arguments.handler(arguments))


if __name__ == "__main__":
    sys.exit(main())
