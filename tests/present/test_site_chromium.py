"""The scorecard site in headless Chromium: every page loads from file:// with no console error
and no request anywhere else, a screenshot of each is kept, and the numbers shown are the marts'.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import duckdb
import pytest

from asc_warehouse.present.html import NAV
from tests.present.chromium import Browser, PageVisit, chromium_path
from tests.present.conftest import ARTIFACTS_DIR, Published

pytestmark = pytest.mark.skipif(
    chromium_path() is None, reason="chromium missing: .ci/run installs it")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with Browser() as opened:
        yield opened


@pytest.fixture(scope="module")
def visits(published: Published, browser: Browser) -> dict[str, PageVisit]:
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    opened = {}
    for file_name, _ in NAV:
        visit = browser.open((published.site / file_name).as_uri())
        (ARTIFACTS_DIR / f"site_{Path(file_name).stem}.png").write_bytes(visit.screenshot)
        opened[file_name] = visit
    return opened


def _outside(visit: PageVisit) -> list[str]:
    return [url for url in visit.requests if not url.startswith(("file://", "data:"))]


@pytest.mark.parametrize("file_name", [name for name, _ in NAV])
def test_every_page_loads_offline_without_errors(
    visits: dict[str, PageVisit], file_name: str
) -> None:
    visit = visits[file_name]
    assert visit.errors == []
    assert _outside(visit) == []
    assert "<h1>" in visit.dom
    assert (ARTIFACTS_DIR / f"site_{Path(file_name).stem}.png").stat().st_size > 1000


def test_the_harness_sees_an_outside_request_and_a_script_error(
    tmp_path: Path, browser: Browser
) -> None:
    """The checks above can fail: a page that reaches out or throws is caught."""
    page = tmp_path / "bad.html"
    page.write_text('<html><body><img src="http://192.0.2.1/beacon.png">'
                    "<script>undefinedFunction()</script></body></html>", encoding="utf-8")
    visit = browser.open(page.as_uri())
    assert _outside(visit) == ["http://192.0.2.1/beacon.png"]
    assert any("undefinedFunction" in error for error in visit.errors)


def _spans(dom: str, attributes: str) -> list[str]:
    """Texts of the elements whose opening tag carries all of ``attributes``, in order."""
    texts = []
    for match in re.finditer(r"<(span|strong)([^>]*)>(.*?)</\1>", dom, re.S):
        if all(attribute in match.group(2) for attribute in attributes.split()):
            texts.append(unescape(re.sub(r"<[^>]+>", "", match.group(3))).strip())
    return texts


def _kpi_cells(dom: str, council: str) -> dict[str, dict[str, str]]:
    section = dom.split(f'data-council-kpis="{council}"', 1)[1].split("</table>", 1)[0]
    cells: dict[str, dict[str, str]] = {}
    for row in section.split("<tr>")[2:]:
        kpi = _spans(row, "data-kpi=")[0]
        cells[kpi] = {
            "value": next(iter(_spans(row, 'data-field="value"')), ""),
            "target": next(iter(_spans(row, 'data-field="target"')), ""),
            "rag": next(iter(_spans(row, 'class="tag"')), ""),
        }
    return cells


def _shown(value: object) -> str:
    if value is None:
        return "\u2013"
    number = float(value)  # type: ignore[arg-type]
    return f"{number:,.1f}" if abs(number) >= 1000 else f"{number:g}"


def test_kpi_value_rag_and_target_on_the_page_equal_the_mart(
    visits: dict[str, PageVisit], published: Published
) -> None:
    with duckdb.connect(str(published.path), read_only=True) as con:
        rows = con.execute(
            "select kpi_ref, value_rounded, target, rag from marts.kpi_scorecard "
            "where council_code = '820' and status = 'Value' order by kpi_ref").fetchall()
    cells = _kpi_cells(visits["kpi.html"].dom, "820")
    assert len(rows) > 5
    for kpi_ref, value, target, rag in rows:
        assert cells[kpi_ref]["value"] == _shown(value), kpi_ref
        assert cells[kpi_ref]["target"] == _shown(target), kpi_ref
        # The RAG rating is written out, not only coloured.
        assert cells[kpi_ref]["rag"] == (rag or "No rating"), kpi_ref


def test_each_measures_latest_outcome_on_the_page_equals_the_mart(
    visits: dict[str, PageVisit], published: Published
) -> None:
    with duckdb.connect(str(published.path), read_only=True) as con:
        rows = con.execute(
            """
            select council_code, measure_code, arg_max(outcome, period_end)
            from marts.fct_ascof_measure_published
            where period_type = 'Rolling 12 months to month end' and breakdown = 'Total'
            group by all order by all
            """).fetchall()
    dom = visits["ascof.html"].dom
    assert rows
    for council, measure, outcome in rows:
        section = dom.split(f'data-council="{council}" data-measure="{measure}"', 1)[1]
        section = section.split("</section>", 1)[0]
        assert _spans(section, 'data-field="latest-outcome"') == [_shown(outcome)], measure


def test_todays_opel_level_on_the_page_equals_the_mart(
    visits: dict[str, PageVisit], published: Published
) -> None:
    with duckdb.connect(str(published.path), read_only=True) as con:
        rows = con.execute(
            """
            select council_code, opel_level, status from marts.fct_opel_status_daily
            where scope = 'Council'
            qualify report_date = max(report_date) over (partition by council_code)
            """).fetchall()
    dom = visits["opel.html"].dom
    assert rows
    for council, level, status in rows:
        shown = _spans(dom, f'data-council="{council}" data-scope="Council"')
        assert shown == [f"OPEL {level} {status}"]
