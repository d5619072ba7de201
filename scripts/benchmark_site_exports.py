"""How long the site, the exports and the dbt docs add to a night, against the night itself.

    .venv/bin/python scripts/benchmark_site_exports.py [--scale 1.0] [--workdir DIR]

Prints figures and asserts nothing. Generates sample extracts (scale 1.0 is the Kent and
Medway default sample, with the person-level feeds and 28 days of OPEL), then times the
night's own steps as the DAG runs them: load, dbt build, publish (validation with GX is left
out, so the night is understated and the share printed is an upper bound); then the steps
this adds at publication: the site (every page), the exports (national layouts, workbook,
CSV and Parquet of every table) and dbt's static docs. Target: under 10% of the night.
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from asc_warehouse.config import Settings
from asc_warehouse.ingest.extracts import load_extracts
from asc_warehouse.ingest.landing import scan_landing
from asc_warehouse.ingest.pseudonymise import SAMPLE_DATA_KEY
from asc_warehouse.pipeline import dbt_build, dbt_docs
from asc_warehouse.pipeline.publish import publish
from asc_warehouse.present import check_report, exports, site
from asc_warehouse.sample_data import (
    generate_opel_extracts,
    generate_person_feed_extracts,
    generate_sample_extracts,
)


def _timed(label: str, step: Callable[[], Any], timings: dict[str, float]) -> Any:
    started = time.perf_counter()
    result = step()
    timings[label] = time.perf_counter() - started
    print(f"  {label:<28} {timings[label]:8.1f} s", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--workdir", type=Path, default=None)
    arguments = parser.parse_args()
    root = arguments.workdir or Path(tempfile.mkdtemp(prefix="asc-bench-site-"))
    settings = Settings(root / "landing", root / "warehouse", None, sample_mode=True)
    print(f"Machine: {platform.processor() or platform.machine()}, Python "
          f"{platform.python_version()}; scale {arguments.scale}; workdir {root}")
    generate_sample_extracts(settings.landing_dir, scale=arguments.scale)
    generate_person_feed_extracts(settings.landing_dir, scale=arguments.scale)
    generate_opel_extracts(settings.landing_dir)
    night: dict[str, float] = {}
    print("The night:")
    _timed("load", lambda: load_extracts(
        settings.build_path, scan_landing(settings.landing_dir).extracts, SAMPLE_DATA_KEY), night)
    _timed("dbt build", lambda: dbt_build.build(settings), night)
    counts = _timed("publish", lambda: publish(
        settings.build_path, settings.published_path, "benchmark"), night)
    added: dict[str, float] = {}
    print("Added at publication:")
    _timed("check report", lambda: check_report.build_check_report(
        settings.build_path, settings.warehouse_dir), added)
    _timed("site (all pages)", lambda: site.build_site(
        settings.published_path, settings.warehouse_dir), added)
    _timed("OPEL page only", lambda: site.build_opel_page(
        settings.published_path, settings.warehouse_dir), {})
    _timed("exports", lambda: exports.write_exports(
        settings.published_path, settings.warehouse_dir), added)
    _timed("dbt docs (--no-compile)", lambda: dbt_docs.generate(settings), added)
    night_total, added_total = sum(night.values()), sum(added.values())
    rows = sum(count for name, count in counts.items() if name.startswith("marts."))
    print(f"Published mart rows: {rows:,}")
    print(f"Night (load + dbt build + publish): {night_total:.1f} s")
    print(f"Added (check report + site + exports + dbt docs): {added_total:.1f} s = "
          f"{100 * added_total / night_total:.1f}% of the night (target under 10%)")
    print(f"  without dbt docs: {added_total - added['dbt docs (--no-compile)']:.1f} s = "
          f"{100 * (added_total - added['dbt docs (--no-compile)']) / night_total:.1f}%")


if __name__ == "__main__":
    main()
