"""Exports against the national layouts, suppression in the files that leave the council, and
the Excel workbook read back with openpyxl."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from asc_warehouse.present.exports import (
    dhsc_reporting_period,
    financial_year,
    measure_group,
    nhse_measure_code,
)
from tests.present.conftest import Published

# Typed from the reference (ascof-cld-reference.md 1.7), not from the code.
NHSE_HEADER = ["Geographical Code", "Geographical Description", "Geographical Level",
               "ONS Code", "ASCOF Measure Code", "Disaggregation Level", "Measure Group",
               "Measure Group Description", "Measure Type", "Measure_Value"]
DHSC_HEADER = ["Reporting_Period", "LA_Code", "LA_Name", "Measure", "Description", "Group",
               "Numerator", "Denominator", "Outcome"]


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


def test_layout_codes_as_the_national_files_write_them() -> None:
    assert dhsc_reporting_period(date(2024, 4, 1), date(2025, 3, 31)) == "1 Apr 24 - 31 Mar 25"
    assert dhsc_reporting_period(date(2025, 1, 1), date(2025, 12, 31)) == "1 Jan 25 - 31 Dec 25"
    assert financial_year(date(2025, 3, 31)) == "2024-25"
    assert measure_group("3D(2a)") == "3D2A"
    assert nhse_measure_code("2A", "65 and above") == "2A65OV"
    assert nhse_measure_code("2A", "18 to 64") == "2A1864"
    assert nhse_measure_code("2E(1)", "Total") == "2E1"


@pytest.fixture(scope="module")
def published_rows(published: Published) -> dict[tuple, tuple]:
    with duckdb.connect(str(published.path), read_only=True) as con:
        rows = con.execute(
            "select council_code, period_start, period_end, measure_code, breakdown, "
            "numerator, denominator, outcome, is_suppressed, period_type "
            "from marts.fct_ascof_measure_published").fetchall()
    # A financial year is also the rolling 12 months to its March quarter: same figures, so
    # one entry per period, with every period type it stands for.
    by_period: dict[tuple, tuple] = {}
    for row in rows:
        types = by_period[row[:5]][4] if row[:5] in by_period else frozenset()
        by_period[row[:5]] = (*row[5:9], types | {row[9]})
    return by_period


def _expected(value: object) -> str:
    return "[c]" if value is None else f"{float(value):g}"  # type: ignore[arg-type]


def test_dhsc_dashboard_layout_and_values(published: Published, published_rows: dict) -> None:
    path = published.exports / "ascof_dhsc_dashboard.csv"
    assert _header(path) == DHSC_HEADER
    rows = _read(path)
    assert rows and {row["Measure"][:6] for row in rows} == {"ASCOF "}
    periods = {(start, end): dhsc_reporting_period(start, end)
               for _, start, end, *_ in published_rows}
    by_label = {label: key for key, label in periods.items()}
    for row in rows:
        start, end = by_label[row["Reporting_Period"]]
        numerator, denominator, outcome, _, _ = published_rows[
            (row["LA_Code"], start, end, row["Measure"].removeprefix("ASCOF "), row["Group"])]
        assert [row["Numerator"], row["Denominator"], row["Outcome"]] == [
            _expected(numerator), _expected(denominator), _expected(outcome)]
    # Financial years and rolling 12 months to quarter ends, each period once per breakdown.
    keys = [(r["Reporting_Period"], r["LA_Code"], r["Measure"], r["Group"]) for r in rows]
    assert len(keys) == len(set(keys))


def test_nhse_long_layout_one_file_per_year(published: Published, published_rows: dict) -> None:
    files = sorted(published.exports.glob("ascof_nhse_long_*.csv"))
    years = {financial_year(end) for (_, _, end, *_), (*_, period_type) in published_rows.items()
             if "Financial year" in period_type}
    assert [path.stem.removeprefix("ascof_nhse_long_") for path in files] == sorted(years)
    for path in files:
        assert _header(path) == NHSE_HEADER
        rows = _read(path)
        assert {row["Measure Type"] for row in rows} == {"Numerator", "Denominator", "Outcome"}
        assert {row["Geographical Level"] for row in rows} == {"Council"}
        # Each measure and breakdown has its three rows.
        assert len(rows) % 3 == 0


def test_no_unsuppressed_small_number_leaves_the_council(
    published: Published, published_rows: dict
) -> None:
    suppressed = [key for key, (_, _, _, is_suppressed, _) in published_rows.items()
                  if is_suppressed]
    assert suppressed, "the sample has small cells: the test needs one"
    for path in [*published.exports.glob("ascof_*.csv")]:
        rows = _read(path)
        counts = [row.get("Numerator") for row in rows] + [row.get("Denominator") for row in rows]
        counts += [row["Measure_Value"] for row in rows
                   if row.get("Measure Type") in {"Numerator", "Denominator"}]
        for value in counts:
            if value is None or value == "[c]":
                continue
            assert float(value) >= 5, (path.name, value)
    dashboard = _read(published.exports / "ascof_dhsc_dashboard.csv")
    assert any(row["Numerator"] == "[c]" for row in dashboard)


def test_workbook_round_trip(published: Published, published_rows: dict) -> None:
    workbook = load_workbook(published.exports / "ascof_publication.xlsx", read_only=True)
    measures = {key[3] for key, value in published_rows.items() if "Financial year" in value[4]}
    assert sorted(workbook.sheetnames) == sorted(measures)
    checked = 0
    for measure in measures:
        rows = list(workbook[measure].iter_rows(values_only=True))
        header = rows[2]
        assert list(header[:4]) == ["Local authority code", "Local authority", "ONS area code",
                                    "Breakdown"]
        years = [str(cell).split(" - ")[0] for cell in header[4::3]]
        assert [str(cell).split(" - ")[1] for cell in header[4:]] == [
            "numerator", "denominator", "outcome"] * len(years)
        for row in rows[3:]:
            if not row or row[0] is None:
                break
            council, _, _, breakdown, *figures = row
            for index, year in enumerate(years):
                key = next((key for key, value in published_rows.items()
                            if key[0] == council and key[3] == measure and key[4] == breakdown
                            and "Financial year" in value[4] and financial_year(key[2]) == year),
                           None)
                cells = figures[index * 3:index * 3 + 3]
                if key is None:
                    assert cells == ["[x]", "[x]", "[x]"]
                    continue
                numerator, denominator, outcome, is_suppressed, _ = published_rows[key]
                expected = ["[c]" if value is None else float(value)
                            for value in (numerator, denominator, outcome)]
                assert [cell if cell == "[c]" else float(cell) for cell in cells] == expected
                assert ("[c]" in cells) == bool(is_suppressed)
                checked += 1
    assert checked > 20


def test_internal_drops_hold_every_published_table_with_a_dictionary(
    published: Published,
) -> None:
    internal = published.exports / "internal"
    with duckdb.connect(str(published.path), read_only=True) as con:
        tables = con.execute(
            "select schema_name || '.' || table_name, estimated_size from duckdb_tables() "
            "order by 1").fetchall()
        counts = {name: con.execute(f"select count(*) from {name}").fetchone()[0]
                  for name, _ in tables}
        for name, count in counts.items():
            parquet = con.execute(
                f"select count(*) from read_parquet('{internal / (name + '.parquet')}')"
            ).fetchone()[0]
            csv_rows = con.execute(
                f"select count(*) from read_csv('{internal / (name + '.csv')}', header=true)"
            ).fetchone()[0] if count else 0
            assert parquet == count and csv_rows == count, name
        comments = con.execute(
            "select schema_name || '.' || table_name, column_name, coalesce(comment, '') "
            "from duckdb_columns() where not internal").fetchall()
    dictionary = _read(internal / "data_dictionary.csv")
    described = {(row["table"], row["column"]): row["description"] for row in dictionary}
    assert {(table, column): comment for table, column, comment in comments} == {
        key: value for key, value in described.items() if key[1]}
    assert described[("marts.kpi_scorecard", "rag")]
    assert {row["table"] for row in dictionary} == set(counts)
