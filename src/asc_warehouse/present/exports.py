"""Nightly exports into ``<warehouse>/exports/`` from the published file.

Files meant to leave the council (``exports/`` itself) are built only from
``marts.fct_ascof_measure_published``: where a numerator or denominator is below 5, both are
written ``[c]`` (the outcome stays, as note 10 of the publication says). They are:

- ``ascof_nhse_long_<year>.csv``: NHS England's long CSV layout ("Measures from the ASCOF"),
  one file per financial year, as that layout has no year column;
- ``ascof_dhsc_dashboard.csv``: DHSC's LA dashboard table (``LA_PBI_ASCOF``): financial years and
  rolling 12 months to each quarter end;
- ``ascof_publication.xlsx``: the ASCOF publication workbook layout, one sheet per measure.

``exports/internal/`` holds a CSV and a Parquet file of every published mart and ``ops`` table,
with ``data_dictionary.csv``: for Excel and Power BI inside the council, never to send out.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
from openpyxl import Workbook
from openpyxl.styles import Font

EXPORTS_DIR_NAME = "exports"
INTERNAL_DIR_NAME = "internal"
SUPPRESSED = "[c]"
FINANCIAL_YEAR = "Financial year"
DASHBOARD_PERIOD_TYPES = (FINANCIAL_YEAR, "Rolling 12 months to quarter end")
BENCHMARK_TABLE = "fct_ascof_benchmark"

NHSE_LONG_HEADER = (
    "Geographical Code", "Geographical Description", "Geographical Level", "ONS Code",
    "ASCOF Measure Code", "Disaggregation Level", "Measure Group", "Measure Group Description",
    "Measure Type", "Measure_Value",
)
DHSC_DASHBOARD_HEADER = (
    "Reporting_Period", "LA_Code", "LA_Name", "Measure", "Description", "Group", "Numerator",
    "Denominator", "Outcome",
)
WORKBOOK_AREA_HEADER = ("Local authority code", "Local authority", "ONS area code")
# NHS England's disaggregation suffixes (reference 1.7); the total has none.
NHSE_SUFFIXES = {"18 to 64": "1864", "65 and above": "65OV", "65 to 74": "6574",
                 "75 to 84": "7584", "85 and above": "85OV", "65 to 84": "6584",
                 "Female": "F", "Male": "M", "Total": ""}
DATA_DICTIONARY_HEADER = ("table", "column", "data_type", "description")


def exports_dir(warehouse_dir: Path) -> Path:
    return Path(warehouse_dir) / EXPORTS_DIR_NAME


def measure_group(measure_code: str) -> str:
    """``3D(2a)`` -> ``3D2A``: NHS England's measure group codes have no brackets."""
    return re.sub(r"[^0-9A-Za-z]", "", measure_code).upper()


def nhse_measure_code(measure_code: str, breakdown: str) -> str:
    suffix = NHSE_SUFFIXES.get(breakdown)
    if suffix is None:
        suffix = re.sub(r"[^0-9A-Za-z]", "", breakdown).upper()
    return measure_group(measure_code) + suffix


def dhsc_reporting_period(start: date, end: date) -> str:
    """DHSC's ``FORMAT(date, 'd MMM yy')`` pair: ``1 Apr 24 - 31 Mar 25``."""
    return f"{start.day} {start:%b %y} - {end.day} {end:%b %y}"


def financial_year(end: date) -> str:
    return f"{end.year - 1}-{end.year % 100:02d}"


def _figure(value: Any) -> Any:
    """A published figure, or ``[c]`` where the published mart withheld it."""
    if value is None:
        return SUPPRESSED
    return float(value) if not isinstance(value, int) else value


def _csv_value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}" if abs(value) < 1e15 else str(value)
    return str(value)


def _write_csv(path: Path, header: tuple[str, ...], rows: list[list[Any]]) -> None:
    staging = path.with_name(path.name + ".new")
    with staging.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows([[_csv_value(value) for value in row] for row in rows])
    os.replace(staging, path)


def _published_measures(con: duckdb.DuckDBPyConnection, period_types: tuple[str, ...]) -> list:
    placeholders = ", ".join("?" for _ in period_types)
    return con.execute(
        f"""
        select m.council_code, c.council_name, c.ons_code, m.period_type, m.period_start,
            m.period_end, m.measure_code, m.breakdown, m.numerator, m.denominator, m.outcome,
            coalesce(d.measure_name, m.measure_code)
        from marts.fct_ascof_measure_published as m
        join marts.dim_council as c using (council_code)
        left join (select measure_code, measure_name from reference.ascof_measures) as d
            using (measure_code)
        where m.period_type in ({placeholders})
        order by m.period_end, m.council_code, m.measure_code, m.breakdown
        """, list(period_types)).fetchall()


def write_nhse_long(con: duckdb.DuckDBPyConnection, target: Path) -> list[Path]:
    by_year: dict[str, list[list[Any]]] = defaultdict(list)
    for (council, name, ons, _, _, end, measure, breakdown, numerator, denominator, outcome,
         measure_name) in _published_measures(con, (FINANCIAL_YEAR,)):
        code = nhse_measure_code(measure, breakdown)
        for kind, value in (("Numerator", numerator), ("Denominator", denominator),
                            ("Outcome", outcome)):
            by_year[financial_year(end)].append([
                council, name, "Council", ons, code, breakdown, measure_group(measure),
                measure_name, kind, _figure(value),
            ])
    written = []
    for year, rows in sorted(by_year.items()):
        path = target / f"ascof_nhse_long_{year}.csv"
        _write_csv(path, NHSE_LONG_HEADER, rows)
        written.append(path)
    return written


def write_dhsc_dashboard(con: duckdb.DuckDBPyConnection, target: Path) -> Path:
    rows, seen = [], set()
    for (council, name, _, _, start, end, measure, breakdown, numerator, denominator, outcome,
         measure_name) in _published_measures(con, DASHBOARD_PERIOD_TYPES):
        # A financial year is also the rolling 12 months to its March quarter end: once only.
        key = (council, start, end, measure, breakdown)
        if key in seen:
            continue
        seen.add(key)
        rows.append([dhsc_reporting_period(start, end), council, name, f"ASCOF {measure}",
                     measure_name, breakdown, _figure(numerator), _figure(denominator),
                     _figure(outcome)])
    path = target / "ascof_dhsc_dashboard.csv"
    _write_csv(path, DHSC_DASHBOARD_HEADER, rows)
    return path


def _sheet_name(measure: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", "", measure)[:31]


def write_workbook(con: duckdb.DuckDBPyConnection, target: Path) -> Path:
    """One sheet per measure: area columns, then ``<year> - numerator|denominator|outcome``."""
    measures = _published_measures(con, (FINANCIAL_YEAR,))
    years = sorted({financial_year(row[5]) for row in measures})
    cells: dict[str, dict[tuple[str, str, str, str], dict[str, Any]]] = defaultdict(dict)
    names: dict[str, str] = {}
    for (council, name, ons, _, _, end, measure, breakdown, numerator, denominator, outcome,
         measure_name) in measures:
        names[measure] = measure_name
        row = cells[measure].setdefault((council, name, ons or "", breakdown), {})
        row[financial_year(end)] = (numerator, denominator, outcome)
    has_benchmarks = bool(con.execute(
        "select count(*) from information_schema.tables where table_schema = 'marts' "
        "and table_name = ?", [BENCHMARK_TABLE]).fetchone()[0])
    workbook = Workbook()
    workbook.remove(workbook.active)
    for measure in sorted(cells):
        sheet = workbook.create_sheet(_sheet_name(measure))
        sheet.append([f"{measure}: {names[measure]}"])
        sheet["A1"].font = Font(bold=True)
        sheet.append([f"Suppressed values are shown as {SUPPRESSED}. Source: "
                      "marts.fct_ascof_measure_published."])
        header = list(WORKBOOK_AREA_HEADER) + ["Breakdown"] + [
            f"{year} - {kind}" for year in years
            for kind in ("numerator", "denominator", "outcome")]
        sheet.append(header)
        for cell in sheet[3]:
            cell.font = Font(bold=True)
        for (council, name, ons, breakdown), by_year in sorted(cells[measure].items()):
            line: list[Any] = [council, name, ons, breakdown]
            for year in years:
                figures = by_year.get(year)
                line += ([_figure(value) for value in figures] if figures
                         else ["[x]", "[x]", "[x]"])
            sheet.append(line)
        if has_benchmarks:
            _append_benchmarks(con, sheet, measure,
                               sorted({key[0] for key in cells[measure]}), years)
    path = target / "ascof_publication.xlsx"
    staging = path.with_name(path.name + ".new")
    workbook.save(staging)
    os.replace(staging, path)
    return path


def _official(value: Any, marker: str | None) -> Any:
    if value is not None:
        return float(value)
    return marker or "[x]"


def _append_benchmarks(con: duckdb.DuckDBPyConnection, sheet: Any, measure: str,
                       councils: list[str], years: list[str]) -> None:
    """Below the councils' rows: England, each council's region and its comparators, from the
    official series in ``marts.fct_ascof_benchmark`` (official figures, markers kept)."""
    placeholders = ", ".join("?" for _ in councils)
    rows = con.execute(
        f"""
        select b.council_code, b.council_name, b.financial_year, b.official_numerator,
            b.official_numerator_marker, b.official_denominator, b.official_denominator_marker,
            b.official_outcome, b.official_outcome_marker
        from marts.{BENCHMARK_TABLE} as b
        where b.measure_code = ? and b.council_code in (
            select comparator_council_code from marts.dim_ascof_comparator_group
            where council_code in ({placeholders}))
        """, [measure, *councils]).fetchall()
    areas = con.execute(
        f"""
        select distinct financial_year, region_name, region_outcome, region_outcome_marker,
            england_outcome, england_outcome_marker
        from marts.{BENCHMARK_TABLE}
        where measure_code = ? and council_code in ({placeholders})
        """, [measure, *councils]).fetchall()
    sheet.append([])
    sheet.append(["Official figures: England, region and comparators "
                  "(marts.fct_ascof_benchmark; England and region outcomes only)"])
    england: dict[str, Any] = {}
    regions: dict[str, dict[str, Any]] = defaultdict(dict)
    for year, region, region_outcome, region_marker, england_outcome, england_marker in areas:
        england[year] = _official(england_outcome, england_marker)
        if region:
            regions[region][year] = _official(region_outcome, region_marker)
    sheet.append(["England", "England", "E92000001", "Total"] + [
        value for year in years for value in ("[x]", "[x]", england.get(year, "[x]"))])
    for region, by_year in sorted(regions.items()):
        sheet.append(["", region, "", "Total"] + [
            value for year in years for value in ("[x]", "[x]", by_year.get(year, "[x]"))])
    comparators: dict[tuple[str, str], dict[str, list[Any]]] = defaultdict(dict)
    for (code, name, year, numerator, numerator_marker, denominator, denominator_marker,
         outcome, outcome_marker) in rows:
        comparators[(code, name)][year] = [_official(numerator, numerator_marker),
                                           _official(denominator, denominator_marker),
                                           _official(outcome, outcome_marker)]
    for (code, name), by_year in sorted(comparators.items()):
        sheet.append([code, name, "", "Total"] + [
            value for year in years for value in by_year.get(year, ["[x]", "[x]", "[x]"])])


def write_internal(con: duckdb.DuckDBPyConnection, target: Path) -> list[Path]:
    """CSV and Parquet of every published table, and the data dictionary from its comments."""
    target.mkdir(parents=True, exist_ok=True)
    tables = con.execute(
        "select schema_name, table_name, comment from duckdb_tables() "
        "where schema_name in ('marts', 'ops', 'reference') order by 1, 2").fetchall()
    written, dictionary = [], []
    for schema, table, comment in tables:
        stem = target / f"{schema}.{table}"
        for suffix, options in ((".csv", "format csv, header"), (".parquet", "format parquet")):
            path = stem.with_suffix(stem.suffix + suffix)
            staging = path.with_name(path.name + ".new")
            con.execute(f"copy {schema}.\"{table}\" to '{staging}' ({options})")
            os.replace(staging, path)
            written.append(path)
        dictionary.append([f"{schema}.{table}", "", "table", comment or ""])
        dictionary += [
            [f"{schema}.{table}", column, data_type, column_comment or ""]
            for column, data_type, column_comment in con.execute(
                "select column_name, data_type, comment from duckdb_columns() "
                "where schema_name = ? and table_name = ? order by column_index",
                [schema, table]).fetchall()
        ]
    path = target / "data_dictionary.csv"
    _write_csv(path, DATA_DICTIONARY_HEADER, dictionary)
    written.append(path)
    return written


def write_exports(published_path: Path, warehouse_dir: Path) -> list[Path]:
    """Write every export from the published file; returns the files written."""
    target = exports_dir(warehouse_dir)
    target.mkdir(parents=True, exist_ok=True)
    internal = target / INTERNAL_DIR_NAME
    with duckdb.connect(str(published_path), read_only=True) as con:
        written = write_nhse_long(con, target)
        written.append(write_dhsc_dashboard(con, target))
        written.append(write_workbook(con, target))
        if internal.exists():
            shutil.rmtree(internal)  # a mart no longer published must not linger
        written += write_internal(con, internal)
    return written
