"""GX Data Docs of the nightly checks, built into ``<warehouse>/data_docs/``.

``gx_duckdb.validate_in_duckdb`` validates in a throwaway Ephemeral context, which keeps nothing.
Data Docs are rendered from stores, so this module keeps a GX File context at
``<warehouse>/gx/`` (GX's own layout, scaffolded by ``gx.get_context(mode="file")``) holding only:

* ``expectations/<suite>.json``: the suites that were validated, replaced by name on every run
  (``suites.add_or_update``), so a re-run never duplicates or fails on an existing name;
* ``uncommitted/validations/<suite>/<run name>/<run time>/<batch>.json``: every validation result,
  stored as it comes back from DuckDB (``DataDocsRun.record``), keyed by the run's name (the
  Airflow run id), the time of that validation and a batch label (the council code).

No datasource, validation definition or checkpoint is ever stored there: the validation itself
still runs in DuckDB through the read-only dialect of ``gx_duckdb``, and no connection string is
written to disk. GX renders a result page from the result alone.

``build_data_docs`` keeps the results of the last ``KEEP_RUNS`` run names (a run's results are
removed together; suites no kept result refers to are removed too), then renders GX's own
``SiteBuilder`` site into ``<warehouse>/data_docs/``. GX's index builder deletes the pages of
removed results, so the site holds exactly the kept history.

Failures: a docs problem never hides or changes a validation result. ``DataDocsRun.record``
never raises: it logs and keeps the message in ``DataDocsRun.errors``. ``build_data_docs`` and
``DataDocsRun.build`` raise ``DataDocsError`` (and only that), which the nightly run catches and
turns into a warning alert.

Viewing: the pages are GX's, which load Bootstrap, jQuery and Vega from public CDNs in the
browser. The result pages' content is static HTML, but the index's list of validation results
is drawn by JavaScript, so it needs a browser that can reach those CDNs. GX's navbar logo, a
beacon carrying the data context's id, is replaced by text after every build. Offline, read the
project's own check report instead (``asc_warehouse.present.check_report``, the site's
``checks.html``), written from ``ops.data_quality_result``.
"""

from __future__ import annotations

import logging
import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from great_expectations.core import ExpectationSuiteValidationResult
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context import FileDataContext

logger = logging.getLogger(__name__)

SITE_NAME = "asc_data_docs"
DATA_DOCS_DIR_NAME = "data_docs"
GX_DIR_NAME = "gx"  # GX's own name for a File context's folder under its project root
KEEP_RUNS = 30
DEFAULT_BATCH = "all"
# Characters kept in the run name and batch label, which become folder names and page URLs.
_UNSAFE = re.compile(r"[^A-Za-z0-9._:+-]")


class DataDocsError(RuntimeError):
    """Recording results for, or building, the Data Docs failed. Validation results are intact."""


def data_docs_dir(warehouse_dir: Path) -> Path:
    return Path(warehouse_dir) / DATA_DOCS_DIR_NAME


def gx_project_dir(warehouse_dir: Path) -> Path:
    return Path(warehouse_dir) / GX_DIR_NAME


def _safe(text: str | None, fallback: str) -> str:
    cleaned = _UNSAFE.sub("_", text or "").strip("._")
    return cleaned or fallback


def _site_config(warehouse_dir: Path) -> dict[str, Any]:
    return {
        "class_name": "SiteBuilder",
        "show_how_to_buttons": False,
        "store_backend": {
            "class_name": "TupleFilesystemStoreBackend",
            "base_directory": str(data_docs_dir(warehouse_dir).resolve()),
        },
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        # GX hides validation runs whose name includes "profiling" by default; show every run.
        "site_section_builders": {
            "validations": {"run_name_filter": {"matches_regex": ".*"}},
            "profiling": "None",
        },
    }


def open_context(warehouse_dir: Path) -> FileDataContext:
    """The File context under ``<warehouse>/gx``, created on first use, with only our site.

    The site's absolute path is written on every open, so a moved warehouse folder still builds
    into its own ``data_docs``. Analytics are switched off in the project file too, so opening it
    by hand, without ``GX_ANALYTICS_ENABLED=false``, sends nothing either.

    ``gx.get_context`` also makes the context GX's "current project". That is put back as it was:
    this context is only ever used through the object returned here. (Leaving the File context
    current after a validation also makes DuckDB's nanobind print "leaked instances" at exit.)
    """
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.data_context.context_factory import project_manager
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.exceptions import DataContextRequiredError

    warehouse_dir = Path(warehouse_dir)
    warehouse_dir.mkdir(parents=True, exist_ok=True)
    try:
        current = project_manager.get_current_project()
    except DataContextRequiredError:
        current = None
    context = gx.get_context(mode="file", project_root_dir=str(warehouse_dir))
    if current is not None:
        project_manager.set_project(current)
    sites = {SITE_NAME: _site_config(warehouse_dir)}
    variables = context.variables
    if (
        variables.data_docs_sites != sites
        or variables.analytics_enabled is not False
        or not isinstance(variables.progress_bars, ProgressBarsConfig)
        or variables.progress_bars.globally is not False
    ):
        # GX's default "local_site" is dropped, so nothing builds a second copy under gx/.
        variables.data_docs_sites = sites
        variables.analytics_enabled = False
        variables.progress_bars = ProgressBarsConfig(globally=False)
        variables.save()
    return context  # type: ignore[return-value]  # mode="file" returns a FileDataContext


class DataDocsRun:
    """Collects one nightly run's validation results for the Data Docs.

    Pass it to ``validate_in_duckdb(..., data_docs=run, data_docs_batch=council_code)``; every
    validation is then stored under ``run_name``. Then call ``build()`` once the checks are done.
    The File context is opened on the first result, once per instance.
    """

    def __init__(self, warehouse_dir: Path, run_name: str, keep_runs: int = KEEP_RUNS) -> None:
        self.warehouse_dir = Path(warehouse_dir)
        self.run_name = _safe(run_name, "manual")
        self.keep_runs = keep_runs
        self.errors: list[str] = []
        self.recorded = 0
        self._context: FileDataContext | None = None

    def new_run_id(self) -> RunIdentifier:
        """A run identifier for one validation: this run's name, the time now."""
        from great_expectations.core.run_identifier import RunIdentifier

        return RunIdentifier(run_name=self.run_name, run_time=datetime.now(UTC))

    def record(
        self,
        suite_name: str,
        expectations: list[dict[str, Any]],
        outcome: ExpectationSuiteValidationResult,
        batch: str | None = None,
    ) -> None:
        """Store the suite and its result in the File context. Never raises: logs instead."""
        try:
            self._record(suite_name, expectations, outcome, batch)
        except Exception as error:  # docs must never cost a validation result
            message = f"{suite_name} [{batch or DEFAULT_BATCH}]: {type(error).__name__}: {error}"
            logger.warning("Data Docs: result not recorded: %s", message, exc_info=True)
            self.errors.append(message)
        else:
            self.recorded += 1

    def _record(
        self,
        suite_name: str,
        expectations: list[dict[str, Any]],
        outcome: ExpectationSuiteValidationResult,
        batch: str | None,
    ) -> None:
        import great_expectations as gx
        from great_expectations.core.run_identifier import RunIdentifier
        from great_expectations.data_context.types.resource_identifiers import (
            ExpectationSuiteIdentifier,
            ValidationResultIdentifier,
        )

        if self._context is None:
            self._context = open_context(self.warehouse_dir)
        context = self._context
        # A copy the File context may own: add_or_update re-stamps ids on the suite it is given.
        context.suites.add_or_update(
            gx.ExpectationSuite(name=suite_name, expectations=expectations)
        )
        run_id = outcome.meta.get("run_id")
        if not isinstance(run_id, RunIdentifier) or run_id.run_name != self.run_name:
            run_id = self.new_run_id()  # validated without this run's identifier
        key = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=suite_name),
            run_id=run_id,
            batch_identifier=_safe(batch, DEFAULT_BATCH),
        )
        context.validation_results_store.set(key, outcome)

    def build(self) -> Path:
        """Build the site; raise ``DataDocsError`` if that failed or any result was not recorded.

        The site is built first either way, so results that were recorded are published.
        """
        index = build_data_docs(self.warehouse_dir, keep_runs=self.keep_runs)
        if self.errors:
            raise DataDocsError(
                f"Data Docs built at {index}, but {len(self.errors)} validation result(s) of run "
                f"{self.run_name} could not be recorded: " + "; ".join(self.errors)
            )
        return index


def _prune(context: FileDataContext, keep_runs: int) -> None:
    """Keep the results of the ``keep_runs`` run names validated last, and their suites."""
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
    )

    store = context.validation_results_store
    keys = store.list_keys()
    latest: dict[str | None, datetime] = {}
    for key in keys:
        run_id = key.run_id
        if run_id.run_name not in latest or run_id.run_time > latest[run_id.run_name]:
            latest[run_id.run_name] = run_id.run_time
    kept_runs = set(sorted(latest, key=lambda name: latest[name], reverse=True)[:keep_runs])
    kept_suites: set[str] = set()
    for key in keys:
        if key.run_id.run_name in kept_runs:
            kept_suites.add(key.expectation_suite_identifier.name)
        else:
            store.remove_key(key)
    for suite_key in context.expectations_store.list_keys():
        if isinstance(suite_key, ExpectationSuiteIdentifier) and suite_key.name not in kept_suites:
            context.suites.delete(suite_key.name)
    _remove_empty_folders(Path(str(context.root_directory)) / "uncommitted" / "validations")


def _remove_empty_folders(top: Path) -> None:
    # Deepest first, so a folder emptied by removing its children goes too.
    for folder, _, _ in sorted(os.walk(top), key=lambda item: len(item[0]), reverse=True):
        if Path(folder) != top and not any(Path(folder).iterdir()):
            Path(folder).rmdir()


# GX's navbar logo is fetched from GX's web-assets bucket with the data context's id and the
# build time in its query string: a beacon. It becomes the plain text of its alt attribute.
_LOGO_BEACON = re.compile(r"<img\b[^>]*great-expectations-web-assets[^>]*>", re.S)
# The dark-theme logo is a CSS background from the same bucket.
_LOGO_BACKGROUND = re.compile(r"url\(\s*['\"]?https://great-expectations-web-assets[^)]*\)")


def _remove_logo_beacon(site: Path) -> None:
    for page in site.rglob("*.html"):
        content = page.read_text(encoding="utf-8")
        cleaned = _LOGO_BEACON.sub("<strong>Great Expectations</strong>", content)
        cleaned = _LOGO_BACKGROUND.sub("none", cleaned)
        if cleaned != content:
            page.write_text(cleaned, encoding="utf-8")


def build_data_docs(warehouse_dir: Path, keep_runs: int = KEEP_RUNS) -> Path:
    """Render GX's Data Docs site into ``<warehouse>/data_docs`` and return its ``index.html``.

    Results of older runs than the last ``keep_runs`` run names are removed first. Raises
    ``DataDocsError`` (only) if anything fails; validation results are never affected.
    """
    if keep_runs < 1:
        raise ValueError("keep_runs must be at least 1")
    try:
        context = open_context(warehouse_dir)
        _prune(context, keep_runs)
        context.build_data_docs(site_names=[SITE_NAME])
        # GX deletes the pages of removed results, not the folders that held them.
        _remove_empty_folders(data_docs_dir(warehouse_dir) / "validations")
        _remove_logo_beacon(data_docs_dir(warehouse_dir))
    except Exception as error:
        logger.warning("Data Docs: build failed", exc_info=True)
        raise DataDocsError(
            f"GX Data Docs could not be built: {type(error).__name__}: {error}"
        ) from error
    index = data_docs_dir(warehouse_dir) / "index.html"
    if not index.is_file():
        raise DataDocsError(f"GX reported no error, but wrote no {index}")
    return index
