"""The published file explains itself: comments survive publication, the run is recorded in UK
time, and a failed night is visible at once on the site and, at the next publication, in the
file, without the failed night touching ``asc.duckdb``."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest
from openpyxl import load_workbook

from asc_warehouse.pipeline import nightly
from asc_warehouse.pipeline.publish import publish, restricted_path_for
from asc_warehouse.present import run_history
from asc_warehouse.present.site import build_opel_page, build_site
from tests.present.conftest import Published


def _comments(path: Path, schema: str) -> dict[tuple[str, str], str | None]:
    with duckdb.connect(str(path), read_only=True) as con:
        columns = con.execute(
            "select table_name, column_name, comment from duckdb_columns() "
            "where schema_name = ?", [schema]).fetchall()
        tables = con.execute(
            "select table_name, '', comment from duckdb_tables() where schema_name = ?",
            [schema]).fetchall()
    return {(table, column): comment for table, column, comment in columns + tables}


def test_mart_comments_in_the_published_file_equal_the_build_files(
    published: Published,
) -> None:
    build = _comments(published.settings.build_path, "marts")
    # Person-level marts are published to the restricted file beside the aggregate one.
    shipped = _comments(published.path, "marts") | _comments(
        restricted_path_for(published.path), "marts")
    assert shipped == build
    assert sum(1 for comment in shipped.values() if comment) > 200


def test_measure_and_kpi_names_units_and_polarity_are_published(published: Published) -> None:
    with duckdb.connect(str(published.path), read_only=True) as con:
        measure = con.execute(
            "select measure_name, outcome_unit from reference.ascof_measures "
            "where measure_code = '2C'").fetchone()
        kpi = con.execute(
            "select description, unit, polarity from marts.kpi_scorecard "
            "where council_code = '820' and kpi_ref = 'AH O10'").fetchone()
    assert measure is not None and measure[0].startswith("Long-term support needs of older")
    assert measure[1] == "per 100,000"
    assert kpi is not None and all(kpi)


def test_uk_local_time_follows_british_summer_time() -> None:
    summer = run_history.new_outcome("r", "published", now=datetime(2026, 7, 1, 12, 0, tzinfo=UTC))
    winter = run_history.new_outcome("r", "published", now=datetime(2026, 1, 15, 12, 0, tzinfo=UTC))
    assert (summer.finished_at_utc, summer.finished_at_uk) == ("2026-07-01T12:00:00",
                                                               "2026-07-01T13:00:00")
    assert (winter.finished_at_utc, winter.finished_at_uk) == ("2026-01-15T12:00:00",
                                                               "2026-01-15T12:00:00")


def test_publication_records_the_run_in_uk_time(published: Published) -> None:
    with duckdb.connect(str(published.path), read_only=True) as con:
        run_id, utc, uk = con.execute(
            "select run_id, published_at_utc, published_at_uk from ops.publication").fetchone()
    assert run_id == "night-1"
    assert uk == run_history.uk_local(utc.replace(tzinfo=UTC))


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def copy(published: Published, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    shutil.copy(published.path, warehouse / "asc.duckdb")
    shutil.copy(run_history.history_path(published.settings.warehouse_dir),
                run_history.history_path(warehouse))
    monkeypatch.setenv("ASC_WAREHOUSE_DIR", str(warehouse))
    build_site(warehouse / "asc.duckdb", warehouse)
    return warehouse


def test_a_failed_night_shows_at_once_and_never_touches_the_published_file(
    published: Published, copy: Path
) -> None:
    before = _digest(copy / "asc.duckdb")
    context = {"run_id": "night-2", "task_instance": SimpleNamespace(task_id="validate_marts"),
               "exception": ValueError("a value that must not travel: 9434765919")}
    nightly.record_failed_night(context)

    assert _digest(copy / "asc.duckdb") == before
    latest = json.loads(run_history.history_path(copy).read_text())[-1]
    assert latest["run_id"] == "night-2" and latest["outcome"] == "failed"
    assert latest["failed_task"] == "validate_marts"
    assert "9434765919" not in json.dumps(latest)
    for page in ("index.html", "quality.html", "kpi.html"):
        text = (copy / "site" / page).read_text(encoding="utf-8")
        assert 'data-latest-outcome="failed"' in text and "night-2" in text, page
        assert "9434765919" not in text

    # The next good night's file carries the failed one.
    publish(published.settings.build_path, copy / "asc.duckdb", "night-3",
            history=run_history.read_history(copy))
    with duckdb.connect(str(copy / "asc.duckdb"), read_only=True) as con:
        runs = con.execute("select run_id, outcome from ops.run_history").fetchall()
        publication = con.execute(
            "select run_id, previous_run_id, previous_run_outcome, "
            "failed_runs_since_last_publication from ops.publication").fetchone()
    assert runs == [("night-1", "published"), ("night-2", "failed"), ("night-3", "published")]
    assert publication == ("night-3", "night-2", "failed", 1)


def test_a_published_night_shows_no_failure(published: Published) -> None:
    text = (published.site / "index.html").read_text(encoding="utf-8")
    assert 'data-latest-outcome="published"' in text
    assert 'data-latest-outcome="failed"' not in text


def test_every_value_is_escaped_in_html(published: Published, copy: Path) -> None:
    hostile = '<script>alert("x")</script> & <b>'
    with duckdb.connect(str(copy / "asc.duckdb")) as con:
        con.execute("update marts.kpi_scorecard set description = ? "
                    "where council_code = '820' and kpi_ref = 'AH O10'", [hostile])
        con.execute("update marts.dim_council set council_name = ? where council_code = '820'",
                    [hostile])
    build_site(copy / "asc.duckdb", copy)
    for page in ("index.html", "kpi.html", "ascof.html", "opel.html"):
        text = (copy / "site" / page).read_text(encoding="utf-8")
        assert "<script>" not in text and "<b>" not in text, page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;" in (
        copy / "site" / "kpi.html").read_text(encoding="utf-8")


def test_quality_pages_show_failed_checks_and_uk_times(published: Published) -> None:
    quality = (published.site / "quality.html").read_text(encoding="utf-8")
    assert "expect_column_values_to_be_between" in quality
    checks = (published.site / "checks.html").read_text(encoding="utf-8")
    # 02:30 UTC on 1 April 2026 is 03:30 British Summer Time.
    assert "2026-04-01 03:30 UK time: 1 passed, 1 failed" in checks
    assert ">Failed</strong>" in checks and ">Passed</strong>" in checks


def test_alert_delivery_failures_show_once_the_table_is_published(copy: Path) -> None:
    assert "Alert delivery failures" not in (copy / "site" / "quality.html").read_text()
    with duckdb.connect(str(copy / "asc.duckdb")) as con:
        con.execute("create table ops.alert_delivery (attempted_at timestamp, run_id varchar, "
                    "channel varchar, status varchar, error varchar, alert_count integer, "
                    "alerts varchar)")
        con.execute("insert into ops.alert_delivery values "
                    "('2026-04-01 02:40', 'night-1', 'webhook', 'failed', 'HTTP 503', 2, null), "
                    "('2026-04-01 02:40', 'night-1', 'email', 'delivered', null, 2, null)")
    build_site(copy / "asc.duckdb", copy)
    quality = (copy / "site" / "quality.html").read_text(encoding="utf-8")
    section = quality.split("Alert delivery failures", 1)[1]
    assert "webhook" in section and "HTTP 503" in section and "email" not in section


def test_the_intraday_republish_rewrites_only_the_opel_page(copy: Path) -> None:
    pages = {path.name: path.read_bytes() for path in (copy / "site").glob("*.html")}
    with duckdb.connect(str(copy / "asc.duckdb")) as con:
        con.execute("update marts.fct_opel_status_daily set opel_level = 3, status = 'Red' "
                    "where scope = 'Council'")
        con.execute("update ops.publication set run_id = 'intraday-1'")
    assert build_opel_page(copy / "asc.duckdb", copy) == copy / "site" / "opel.html"
    after = {path.name: path.read_bytes() for path in (copy / "site").glob("*.html")}
    changed = {name for name in pages if after[name] != pages[name]}
    assert changed == {"opel.html"}
    assert b"OPEL 3 Red" in after["opel.html"] and b"intraday-1" in after["opel.html"]


def test_benchmarks_beside_the_council_on_the_page_and_in_the_workbook(
    published: Published,
) -> None:
    with duckdb.connect(str(published.path), read_only=True) as con:
        england = con.execute(
            "select financial_year, england_outcome from marts.fct_ascof_benchmark "
            "where council_code = '820' and measure_code = '2A' and england_outcome is not null "
            "order by financial_year desc limit 1").fetchone()
        comparators = {row[0] for row in con.execute(
            "select comparator_council_code from marts.dim_ascof_comparator_group "
            "where council_code = '820'").fetchall()}
    assert england is not None and comparators
    year, outcome = england
    page = (published.site / "ascof.html").read_text(encoding="utf-8")
    section = page.split('data-council="820" data-measure="2A"', 1)[1].split("</section>")[0]
    assert "Against comparators, region and England" in section
    assert f"<td>{year}</td>" in section and f">{float(outcome):g}<" in section
    sheet = load_workbook(published.exports / "ascof_publication.xlsx", read_only=True)["2A"]
    rows = [row for row in sheet.iter_rows(values_only=True) if row and row[0] is not None]
    header = next(row for row in rows if row[0] == "Local authority code")
    england_row = next(row for row in rows if row[0] == "England" and row[2] == "E92000001")
    assert england_row[header.index(f"{year} - outcome")] == float(outcome)
    assert comparators <= {row[0] for row in rows}
