"""The static scorecard site, written into ``<warehouse>/site/`` from the published file.

Every page is one self-contained HTML file (inline style, inline SVG charts, no script), so the
site opens from ``file://`` and from any static web server. Pages are written to a ``.new``
file and renamed, so a reader never sees half a page. ``build_site`` writes every page;
``build_opel_page`` rewrites only the OPEL page (the intraday OPEL republish).

The numbers a test compares with the marts carry ``data-*`` attributes naming what they are.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb

from asc_warehouse.present.charts import line_chart, sparkline
from asc_warehouse.present.html import opel_tag, page, rag_tag, table, tag, text
from asc_warehouse.present.run_history import (
    RunOutcome,
    latest_outcome,
    read_history,
    uk_local,
)

SITE_DIR_NAME = "site"
TREND_PERIOD_TYPE = "Rolling 12 months to month end"
SPARKLINE_MONTHS = 13
OPEL_DAYS = 28
BENCHMARK_TABLE = "fct_ascof_benchmark"
# Every channel attempt, delivered or not (engineer alerts' table; shown once it is published).
ALERT_DELIVERY_TABLE = "alert_delivery"


def site_dir(warehouse_dir: Path) -> Path:
    return Path(warehouse_dir) / SITE_DIR_NAME


def write_page(path: Path, content: str) -> None:
    """Replace a page whole, so a reader never sees half of one."""
    staging = path.with_name(path.name + ".new")
    staging.write_text(content, encoding="utf-8")
    os.replace(staging, path)


def _table_exists(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    row = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? "
        "and table_name = ?", [schema, name]).fetchone()
    return bool(row and row[0])


def _councils(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """The councils this deployment holds data for (dim_council lists every English council)."""
    loaded = "where is_loaded" if "is_loaded" in _columns(con, "marts", "dim_council") else ""
    return [(code, name) for code, name in con.execute(
        f"select council_code, council_name from marts.dim_council {loaded} order by council_code"
    ).fetchall()]


def _banner(con: duckdb.DuckDBPyConnection, latest: RunOutcome | None) -> str:
    row = con.execute("select run_id, published_at_uk from ops.publication").fetchone()
    run_id, published_uk = row if row else (None, None)
    published = (f"Figures published {text(published_uk)} UK time by run "
                 f"<code>{text(run_id)}</code>.")
    if latest is not None and latest.outcome == "failed":
        return (
            f'<div class="banner failed" role="alert" data-latest-outcome="failed">'
            f"<strong>The latest run failed</strong> ({text(_uk_minutes(latest.finished_at_utc))} "
            "UK time, "
            f"run <code>{text(latest.run_id)}</code>): {text(latest.message)}. "
            f"These pages still show the last good publication. {published}</div>"
        )
    return f'<div class="banner" data-latest-outcome="published">{published}</div>'


def _overview(con: duckdb.DuckDBPyConnection, councils: list[tuple[str, str]]) -> str:
    parts = ['<p>The ASC warehouse\'s published figures: ASCOF measures, the business-plan '
             "KPIs, today's OPEL status and the data-quality checks. Every number here comes "
             "from <code>warehouse/asc.duckdb</code>; the national-layout files are in "
             "<code>warehouse/exports/</code>.</p>"]
    rows = []
    for code, name in councils:
        rag_counts = dict(con.execute(
            "select coalesce(rag, 'No rating'), count(*) from marts.kpi_scorecard "
            "where council_code = ? and status = 'Value' group by all", [code]).fetchall())
        opel = con.execute(
            "select opel_level, status, report_date from marts.fct_opel_status_daily "
            "where council_code = ? and scope = 'Council' order by report_date desc limit 1",
            [code]).fetchone()
        rows.append([
            text(f"{name} ({code})"),
            opel_tag(opel[0], opel[1]) + f" on {text(opel[2])}" if opel else text(None),
            ", ".join(f"{text(rag)}: {count}" for rag, count in sorted(rag_counts.items()))
            or text(None),
        ])
    parts.append(table(["Council", "OPEL status (latest day)", "KPIs by RAG rating"], rows))
    return "".join(parts)


def _columns(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> set[str]:
    return {row[0] for row in con.execute(
        "select column_name from information_schema.columns where table_schema = ? "
        "and table_name = ?", [schema, name]).fetchall()}


def _measure_names(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, str]]:
    """Name (published reference) and polarity (``marts.dim_ascof_measure``, once built)."""
    names = dict(con.execute(
        "select measure_code, measure_name from reference.ascof_measures").fetchall()
        if _table_exists(con, "reference", "ascof_measures") else [])
    polarity: dict[str, str] = {}
    if {"measure_code", "polarity"} <= _columns(con, "marts", "dim_ascof_measure"):
        polarity = dict(con.execute(
            "select measure_code, polarity from marts.dim_ascof_measure").fetchall())
    return {code: (names.get(code, ""), polarity.get(code, ""))
            for code in set(names) | set(polarity)}


def _official(value: Any, marker: str | None) -> str:
    return text(_number(value)) if value is not None else text(marker)


def _benchmark_rows(con: duckdb.DuckDBPyConnection, council: str, measure: str) -> str:
    """Council beside its comparators, region and England (``marts.fct_ascof_benchmark``)."""
    rows = con.execute(
        f"""
        select financial_year, computed_outcome, official_outcome, official_outcome_marker,
            comparator_average_outcome, region_outcome, region_outcome_marker,
            england_outcome, england_outcome_marker,
            rank_in_comparator_group || ' of ' || comparator_group_ranked,
            quartile_among_councils
        from marts.{BENCHMARK_TABLE}
        where council_code = ? and measure_code = ?
        order by financial_year desc limit 5
        """, [council, measure]).fetchall()
    if not rows:
        return '<p class="hint">No benchmark for this measure.</p>'
    return "<h4>Against comparators, region and England</h4>" + table(
        ["Year", "Ours", "Official", "Comparator average", "Region", "England",
         "Rank in comparators", "Quartile (all councils)"],
        [[text(year), text(_number(ours)), _official(official, official_marker),
          text(_number(comparators)), _official(region, region_marker),
          _official(england, england_marker), text(rank), text(quartile)]
         for (year, ours, official, official_marker, comparators, region, region_marker,
              england, england_marker, rank, quartile) in rows],
        numeric=(1, 2, 3, 4, 5))


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _ascof(con: duckdb.DuckDBPyConnection, councils: list[tuple[str, str]]) -> str:
    names = _measure_names(con)
    benchmarks = _table_exists(con, "marts", BENCHMARK_TABLE)
    parts = ["<p>Each measure's outcome over rolling 12-month periods to each month end "
             "(<code>marts.fct_ascof_measure_published</code>: where a numerator or denominator "
             "is below 5 both are withheld, shown <code>[c]</code>; the outcome stays).</p>"]
    if not benchmarks:
        parts.append('<p class="hint">Benchmarks against England, region and comparators '
                     "appear here once <code>marts.fct_ascof_benchmark</code> is built.</p>")
    for code, name in councils:
        parts.append(f"<h2>{text(name)} ({text(code)})</h2>")
        measures = con.execute(
            """
            select measure_code, breakdown, outcome_unit,
                list(period_end order by period_end), list(outcome order by period_end),
                arg_max(numerator, period_end), arg_max(denominator, period_end),
                arg_max(outcome, period_end), max(period_end)
            from marts.fct_ascof_measure_published
            where council_code = ? and period_type = ?
            group by measure_code, breakdown, outcome_unit
            -- the total, or the one breakdown of a single-band measure such as 2B
            qualify breakdown = 'Total' or count(*) over (partition by measure_code) = 1
            order by measure_code
            """, [code, TREND_PERIOD_TYPE]).fetchall()
        for (measure, breakdown, unit, ends, outcomes, numerator, denominator, outcome,
             latest) in measures:
            measure_name, polarity = names.get(measure, ("", ""))
            labels = [str(end) for end in ends]
            figures = [None if value is None else float(value) for value in outcomes]
            parts.append(
                f'<section data-council="{text(code)}" data-measure="{text(measure)}">'
                f"<h3>{text(measure)} {text(measure_name)}</h3>"
                + (f'<p class="hint">{text(polarity)}; breakdown {text(breakdown)}</p>'
                   if polarity else f'<p class="hint">breakdown {text(breakdown)}</p>')
                + line_chart(labels, figures, f"{measure} {name}: outcome by period end",
                             unit or "")
                + table(
                    ["Latest period to", "Numerator", "Denominator", "Outcome"],
                    [[text(latest),
                      text("[c]" if numerator is None else numerator),
                      text("[c]" if denominator is None else denominator),
                      f'<span data-field="latest-outcome">{text(_number(outcome))}</span> '
                      f"{text(unit)}"]],
                    numeric=(1, 2, 3))
                + (_benchmark_rows(con, code, measure) if benchmarks else "")
                + "</section>"
            )
    return "".join(parts)


def _kpis(con: duckdb.DuckDBPyConnection, councils: list[tuple[str, str]]) -> str:
    parts = ["<p>Each plan KPI's latest month (<code>marts.kpi_scorecard</code>), with its "
             "target, RAG rating (the Amber band is this project's rule, to agree with the "
             "performance team), direction of travel against the same month a year earlier, "
             f"and the last {SPARKLINE_MONTHS} months (<code>marts.fct_kpi_monthly</code>).</p>"]
    for code, name in councils:
        history: dict[str, list[float | None]] = {}
        for kpi_ref, values in con.execute(
            f"""
            select kpi_ref, list(value order by month)
            from (select kpi_ref, month, value,
                      row_number() over (partition by kpi_ref order by month desc) as age
                  from marts.fct_kpi_monthly where council_code = ?)
            where age <= {SPARKLINE_MONTHS} group by kpi_ref
            """, [code]).fetchall():
            history[kpi_ref] = [None if value is None else float(value) for value in values]
        rows = []
        for (kpi_ref, description, status, month, value, unit, target, rag, direction, reason,
             polarity) in con.execute(
            """
            select kpi_ref, description, status, month, value_rounded, unit, target, rag,
                direction_of_travel, reason, polarity
            from marts.kpi_scorecard where council_code = ? order by kpi_ref
            """, [code]).fetchall():
            data = {"council": code, "kpi": kpi_ref}
            if status == "Value":
                shown = (f'<span data-field="value">{text(value)}</span> {text(unit)}')
            else:
                shown = f"{text(status)}: {text(reason)}"
            rows.append([
                f'<span data-kpi="{text(kpi_ref)}">{text(kpi_ref)}</span>',
                text(description) + f'<br><span class="hint">{text(polarity)}</span>',
                text(None if month is None else str(month)[:7]),
                shown,
                f'<span data-field="target">{text(target)}</span>',
                rag_tag(rag, **data) if status == "Value" else text(None),
                text(direction),
                sparkline(history.get(kpi_ref, []), f"{kpi_ref}, last {SPARKLINE_MONTHS} months"),
            ])
        parts.append(f"<h2>{text(name)} ({text(code)})</h2>")
        parts.append(f'<div data-council-kpis="{text(code)}">' + table(
            ["KPI", "Description (polarity)", "Month", "Value", "Target", "RAG", "Direction",
             f"Last {SPARKLINE_MONTHS} months"], rows) + "</div>")
    return "".join(parts)


def _opel(con: duckdb.DuckDBPyConnection, councils: list[tuple[str, str]]) -> str:
    parts = ["<p>Kent's Pressures Plan status from the teams' updates "
             "(<code>marts.fct_opel_status_daily</code>). The council rule is this project's, "
             "to confirm with the service.</p>"]
    for code, name in councils:
        latest = con.execute(
            "select max(report_date) from marts.fct_opel_status_daily where council_code = ?",
            [code]).fetchone()
        if not latest or latest[0] is None:
            continue
        day: date = latest[0]
        statuses = con.execute(
            """
            select scope, coalesce(area, 'Whole council'), opel_level, status,
                cast(triggering_indicators as varchar), rule
            from marts.fct_opel_status_daily where council_code = ? and report_date = ?
            order by scope = 'Council' desc, area
            """, [code, day]).fetchall()
        parts.append(f"<h2>{text(name)} ({text(code)}): {text(day)}</h2>")
        parts.append(table(["Scope", "Area", "Status", "Triggering indicators", "Rule"], [
            [text(scope), text(area),
             opel_tag(level, status, council=code, scope=scope, area=area,
                      field="opel-level", opel=level if level is not None else ""),
             text(triggers), text(rule)]
            for scope, area, level, status, triggers, rule in statuses
        ]))
        history = con.execute(
            f"""
            select report_date, coalesce(area, 'Whole council'), opel_level, status
            from marts.fct_opel_status_daily
            where council_code = ? and report_date > ? - interval {OPEL_DAYS} day
            order by report_date desc, scope = 'Council' desc, area
            """, [code, day]).fetchall()
        areas = list(dict.fromkeys(area for _, area, _, _ in history))
        by_day: dict[date, dict[str, str]] = {}
        for report_date, area, level, status in history:
            by_day.setdefault(report_date, {})[area] = opel_tag(level, status)
        parts.append(f"<h3>Last {OPEL_DAYS} days</h3>")
        parts.append(table(["Day", *areas], [
            [text(report_date), *(cells.get(area, text(None)) for area in areas)]
            for report_date, cells in by_day.items()
        ]))
        compliance = con.execute(
            """
            select area, count(*), count(*) filter (where is_missing),
                count(*) filter (where is_late),
                count(*) filter (where is_missing_second_update)
            from marts.fct_opel_update_compliance
            where council_code = ? and report_date = ? group by area order by area
            """, [code, day]).fetchall()
        parts.append(f"<h3>Update compliance on {text(day)}</h3>")
        parts.append(table(
            ["Area", "Expected updates", "Missing", "Late (after 10:30)",
             "Second update missing (OPEL 3 days)"],
            [[text(value) for value in row] for row in compliance], numeric=(1, 2, 3, 4)))
    return "".join(parts)


def _uk_minutes(moment: datetime | str) -> str:
    """A UTC time (naive, as ops tables keep it, or ISO text) as UK wall-clock minutes."""
    utc = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return uk_local(utc.replace(tzinfo=UTC)).strftime("%Y-%m-%d %H:%M")


def _quality(con: duckdb.DuckDBPyConnection, history: list[RunOutcome]) -> str:
    parts = []
    if history:
        latest = history[-1]
        outcome_tag = (tag("Failed", "red") if latest.outcome == "failed"
                       else tag("Published", "green"))
        parts.append(
            f'<p data-field="latest-run">Latest run <code>{text(latest.run_id)}</code>: '
            f"{outcome_tag} at {text(_uk_minutes(latest.finished_at_utc))} UK time"
            + (f" ({text(latest.message)})" if latest.message else "") + ".</p>")
        parts.append("<h2>Recent runs</h2>" + table(
            ["Run", "Outcome", "Finished (UK time)", "Failed task"],
            [[text(run.run_id), text(run.outcome), text(_uk_minutes(run.finished_at_utc)),
              text(run.failed_task)] for run in reversed(history[-14:])]))
    files = con.execute(
        """
        select status, count(*), sum(rows_in), sum(rows_loaded), sum(rows_quarantined)
        from ops.load_audit group by status order by status
        """).fetchall()
    parts.append("<h2>Files loaded and rejected</h2>" + table(
        ["Status", "Files", "Rows in", "Rows loaded", "Rows quarantined"],
        [[text(value) for value in row] for row in files], numeric=(1, 2, 3, 4)))
    rejected = con.execute(
        "select file_name, message from ops.load_audit where status = 'rejected' "
        "order by loaded_at desc limit 50").fetchall()
    if rejected:
        parts.append("<h3>Rejected files</h3>" + table(
            ["File", "Reason"], [[text(value) for value in row] for row in rejected]))
    if _table_exists(con, "ops", "quarantine_by_reason"):
        reasons = con.execute(
            "select reason, field, sum(rows) from ops.quarantine_by_reason "
            "group by all order by 3 desc, 1, 2").fetchall()
        parts.append("<h2>Quarantined rows by reason</h2>" + table(
            ["Reason", "Field", "Rows"], [[text(value) for value in row] for row in reasons],
            numeric=(2,)))
    failed = con.execute(
        """
        select severity, suite, coalesce(council_code, 'all'), expectation,
            coalesce(column_name, ''), unexpected_count, run_at
        from ops.data_quality_result
        where not success and run_id = (select arg_max(run_id, run_at)
                                        from ops.data_quality_result)
        order by severity, suite, 3
        """).fetchall()
    parts.append("<h2>Failed checks in the latest checked run</h2>")
    parts.append(table(["Severity", "Suite", "Council", "Check", "Column", "Unexpected",
                        "Checked at (UK time)"],
                       [[*(text(value) for value in row[:-1]), text(_uk_minutes(row[-1]))]
                        for row in failed])
                 if failed else "<p>No check failed.</p>")
    if {"status", "channel", "error"} <= _columns(con, "ops", ALERT_DELIVERY_TABLE):
        failures = con.execute(
            f"""
            select strftime(attempted_at, '%Y-%m-%d %H:%M'), run_id, channel, status, error
            from ops.{ALERT_DELIVERY_TABLE} where status <> 'delivered'
            order by attempted_at desc limit 50
            """).fetchall()
        parts.append("<h2>Alert delivery failures</h2>" + (table(
            ["Attempted at (UTC)", "Run", "Channel", "Status", "Error"],
            [[text(value) for value in row] for row in failures])
            if failures else "<p>Every alert was delivered.</p>"))
    parts.append('<p class="hint">Every check of every run is in '
                 "<code>ops.data_quality_result</code>; the GX Data Docs are in "
                 "<code>warehouse/data_docs/</code>.</p>")
    return "".join(parts)


PageBuilder = Callable[[duckdb.DuckDBPyConnection, list[tuple[str, str]], list[RunOutcome]], str]

PAGES: dict[str, tuple[str, PageBuilder]] = {
    "index.html": ("Overview", lambda con, councils, _: _overview(con, councils)),
    "ascof.html": ("ASCOF measures", lambda con, councils, _: _ascof(con, councils)),
    "kpi.html": ("Business-plan KPIs", lambda con, councils, _: _kpis(con, councils)),
    "opel.html": ("OPEL status", lambda con, councils, _: _opel(con, councils)),
    "quality.html": ("Data quality", lambda con, _, history: _quality(con, history)),
}


def _build(published_path: Path, warehouse_dir: Path, names: list[str]) -> list[Path]:
    target = site_dir(warehouse_dir)
    target.mkdir(parents=True, exist_ok=True)
    history = read_history(warehouse_dir)
    written = []
    with duckdb.connect(str(published_path), read_only=True) as con:
        councils = _councils(con)
        banner = _banner(con, latest_outcome(warehouse_dir))
        for name in names:
            title, builder = PAGES[name]
            path = target / name
            write_page(path, page(name, title, banner, builder(con, councils, history)))
            written.append(path)
    return written


def build_site(published_path: Path, warehouse_dir: Path) -> list[Path]:
    """Write every page from the published file; returns the pages written."""
    return _build(published_path, warehouse_dir, list(PAGES))


def build_opel_page(published_path: Path, warehouse_dir: Path) -> Path:
    """Rewrite only the OPEL page (after an intraday OPEL republish)."""
    return _build(published_path, warehouse_dir, ["opel.html"])[0]
