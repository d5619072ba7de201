"""The project's own check report, ``<warehouse>/site/checks.html``: every check of the latest
run and the recent runs' counts, from ``ops.data_quality_result``, readable offline.

It is written right after each validation from the build file, so a night that a blocking check
held back shows why straight away (the published file still holds the previous night's). Only
counts are shown, never an observed value.
"""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

import duckdb

from asc_warehouse.present.html import page, table, tag, text
from asc_warehouse.present.run_history import uk_local
from asc_warehouse.present.site import site_dir, write_page

CHECKS_PAGE = "checks.html"
HISTORY_RUNS = 30


def build_check_report(database: Path, warehouse_dir: Path) -> Path:
    """Write the report from ``database``'s ``ops.data_quality_result``; returns the page."""
    with duckdb.connect(str(database), read_only=True) as con:
        latest = con.execute(
            "select arg_max(run_id, run_at), max(run_at) from ops.data_quality_result"
        ).fetchone()
        run_id, run_at = latest if latest else (None, None)
        checks = con.execute(
            """
            select success, severity, suite, table_name, coalesce(council_code, 'all'),
                expectation, coalesce(column_name, ''), unexpected_count
            from ops.data_quality_result where run_id = ?
            order by success, severity, suite, 5, expectation, 7
            """, [run_id]).fetchall()
        history = con.execute(
            f"""
            select run_id, strftime(max(run_at), '%Y-%m-%d %H:%M'), count(*) filter (where success),
                count(*) filter (where not success and severity = 'blocking'),
                count(*) filter (where not success and severity <> 'blocking')
            from ops.data_quality_result group by run_id
            order by max(run_at) desc limit {HISTORY_RUNS}
            """).fetchall()
    failed = sum(1 for check in checks if not check[0])
    if run_id is None:
        body = "<p>No check has run yet.</p>"
    else:
        # ops.data_quality_result keeps UTC; people read UK time.
        checked_uk = uk_local(run_at.replace(tzinfo=UTC)).isoformat(sep=" ", timespec="minutes")
        body = (
            f'<p data-field="checks-summary">Run <code>{text(run_id)}</code>, checked '
            f"{text(checked_uk)} UK time: {len(checks) - failed} passed, {failed} failed.</p>"
            + table(
                ["Result", "Severity", "Suite", "Table", "Council", "Check", "Column",
                 "Unexpected"],
                [[tag("Passed", "green") if success else tag("Failed", "red"),
                  *(text(value) for value in rest)]
                 for success, *rest in checks], numeric=(7,))
            + f"<h2>The last {HISTORY_RUNS} runs</h2>"
            + table(["Run", "Checked at (UTC)", "Passed", "Failed (blocking)",
                     "Failed (warning)"],
                    [[text(value) for value in row] for row in history], numeric=(2, 3, 4))
        )
    target = site_dir(warehouse_dir)
    target.mkdir(parents=True, exist_ok=True)
    path = target / CHECKS_PAGE
    write_page(path, page(CHECKS_PAGE, "Check report", "", body))
    return path
