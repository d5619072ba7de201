"""Invariants of the synthetic OPEL files, checked on the default four weeks."""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from asc_warehouse.config import SEEDS_DIR
from asc_warehouse.ingest.extracts import load_extracts
from asc_warehouse.ingest.landing import scan_landing
from asc_warehouse.sample_data import generate_opel_extracts

END = date(2026, 3, 31)
DAYS = 28
ESCALATION = END
HEADER_LINE = "Updated At,Area,Team or Location,Indicator,Value,Total Beds,Occupied Beds\n"
ON_TIME_BY = time(10, 30)
AFTERNOON = (time(14, 0), time(15, 30))

Row = dict[str, str]
Unit = tuple[str, str, str]


def _seed(name: str) -> list[Row]:
    with (SEEDS_DIR / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


KINDS = {row["indicator_code"]: row["value_kind"] for row in _seed("opel_indicators.csv")}
UNITS = {
    (row["area"], row["team_or_location"], row["indicator_code"])
    for row in _seed("opel_reporting_units.csv")
}
COUNCILS = sorted({row["council_code"] for row in _seed("opel_reporting_units.csv")})
# KEaH categories by OPEL level, from the thresholds seed.
KEAH_LEVEL = {
    row["category_value"]: int(row["opel_level"])
    for row in _seed("opel_thresholds.csv")
    if row["indicator_code"] == "keah_capacity"
}


def _unit(row: Row) -> Unit:
    return row["Area"], row["Team or Location"], row["Indicator"]


def _at(row: Row) -> datetime:
    return datetime.strptime(row["Updated At"], "%Y-%m-%d %H:%M")


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("opel")
    generate_opel_extracts(directory)
    return directory


@pytest.fixture(scope="module")
def days(landing: Path) -> dict[date, list[Row]]:
    """Rows of each day's file (Kent is the only council with reporting units)."""
    files = {}
    for path in sorted(landing.glob("OPEL_*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            files[datetime.strptime(path.stem.split("_")[2], "%Y%m%d").date()] = list(
                csv.DictReader(handle)
            )
    return files


def _updates_by_unit(rows: list[Row]) -> dict[Unit, list[Row]]:
    """Each unit's updates in time order: the first is the morning one."""
    units: dict[Unit, list[Row]] = defaultdict(list)
    for row in sorted(rows, key=_at):
        units[_unit(row)].append(row)
    return units


def _ordinary_days(days: dict[date, list[Row]]) -> dict[date, list[Row]]:
    return {day: rows for day, rows in days.items() if day != ESCALATION}


def test_one_file_per_day_per_council_with_the_contract_header(landing: Path) -> None:
    expected = {
        f"OPEL_{council}_{END - timedelta(days=offset):%Y%m%d}.csv"
        for council in COUNCILS
        for offset in range(DAYS)
    }
    assert {path.name for path in landing.glob("*.csv")} == expected
    for path in landing.glob("*.csv"):
        with path.open(encoding="utf-8", newline="") as handle:
            assert handle.readline() == HEADER_LINE


def test_every_update_is_on_its_report_day_and_for_an_expected_unit(
    days: dict[date, list[Row]],
) -> None:
    for day, rows in days.items():
        assert rows
        assert {_at(row).date() for row in rows} == {day}
        assert {_unit(row) for row in rows} <= UNITS


def test_a_few_units_miss_a_day_but_never_the_escalation_day(
    days: dict[date, list[Row]],
) -> None:
    assert {_unit(row) for row in days[ESCALATION]} == UNITS
    ordinary = _ordinary_days(days)
    missing = sum(len(UNITS - {_unit(row) for row in rows}) for rows in ordinary.values())
    assert 0.005 <= missing / (len(UNITS) * len(ordinary)) <= 0.05


def test_first_updates_are_mostly_on_time(days: dict[date, list[Row]]) -> None:
    firsts = [
        _at(updates[0]).time()
        for rows in _ordinary_days(days).values()
        for updates in _updates_by_unit(rows).values()
    ]
    assert all(time(8, 30) <= at <= time(12, 0) for at in firsts)
    late = sum(at > ON_TIME_BY for at in firsts)
    assert 0.01 <= late / len(firsts) <= 0.10


def _check_value(row: Row) -> None:
    kind, value = KINDS[row["Indicator"]], row["Value"]
    if kind == "beds":
        total, occupied = int(row["Total Beds"]), int(row["Occupied Beds"])
        assert value == "" and 10 <= total <= 30 and total - 4 <= occupied <= total, row
        return
    assert row["Total Beds"] == row["Occupied Beds"] == "", row
    if kind == "category":
        assert value in KEAH_LEVEL, row
    elif kind == "percent":
        assert 0 <= float(value) <= 100, row
    else:
        assert value.isdigit(), row


def test_values_are_valid_for_their_kind(days: dict[date, list[Row]]) -> None:
    for rows in days.values():
        for row in rows:
            _check_value(row)


def test_ordinary_days_have_realistic_values(days: dict[date, list[Row]]) -> None:
    values: dict[str, list[str]] = defaultdict(list)
    for rows in _ordinary_days(days).values():
        for row in rows:
            values[row["Indicator"]].append(row["Value"])
    staffing = [float(value) for value in values["staffing_pct"]]
    assert sum(65 <= pct <= 96 for pct in staffing) / len(staffing) >= 0.8
    assert all(10 <= int(value) <= 999 for value in values["caseload"])
    assert all(3 <= int(value) <= 7 for value in values["d2a_discharged_yesterday"])
    assert all(10 <= int(value) <= 42 for value in values["d2a_weekly_capacity_remaining"])
    keah = Counter(KEAH_LEVEL[value] for value in values["keah_capacity"])
    assert (keah[1] + keah[2]) / sum(keah.values()) >= 0.8


def _under_pressure(morning: list[Row]) -> bool:
    return any(
        (row["Indicator"] == "staffing_pct" and float(row["Value"]) < 50)
        or (row["Indicator"] == "keah_capacity" and KEAH_LEVEL[row["Value"]] >= 3)
        for row in morning
    )


def test_second_updates_come_in_the_afternoon_of_areas_under_pressure(
    days: dict[date, list[Row]],
) -> None:
    seconds = 0
    for rows in _ordinary_days(days).values():
        by_unit = _updates_by_unit(rows)
        mornings: dict[str, list[Row]] = defaultdict(list)
        for updates in by_unit.values():
            mornings[updates[0]["Area"]].append(updates[0])
        for updates in by_unit.values():
            assert len(updates) <= 2
            if len(updates) == 2:
                seconds += 1
                assert AFTERNOON[0] <= _at(updates[1]).time() <= AFTERNOON[1]
                assert _under_pressure(mornings[updates[0]["Area"]])
    assert seconds > 0


def test_escalation_day_is_a_clear_opel_4_day_updated_twice(
    days: dict[date, list[Row]],
) -> None:
    by_unit = _updates_by_unit(days[ESCALATION])
    assert set(by_unit) == UNITS
    for updates in by_unit.values():
        assert len(updates) == 2
        assert _at(updates[0]).time() <= ON_TIME_BY
        assert AFTERNOON[0] <= _at(updates[1]).time() <= AFTERNOON[1]
    for morning_or_afternoon in (0, 1):
        latest = {unit: updates[morning_or_afternoon] for unit, updates in by_unit.items()}
        by_indicator: dict[str, list[Row]] = defaultdict(list)
        for row in latest.values():
            by_indicator[row["Indicator"]].append(row)
        assert sum(float(row["Value"]) < 35 for row in by_indicator["staffing_pct"]) >= 2
        assert {row["Value"] for row in by_indicator["d2a_discharged_yesterday"]} == {"0"}
        assert all(int(row["Value"]) <= 5 for row in by_indicator["d2a_weekly_capacity_remaining"])
        keah_levels = [KEAH_LEVEL[row["Value"]] for row in by_indicator["keah_capacity"]]
        assert keah_levels.count(4) >= 2
        assert all(
            row["Total Beds"] == row["Occupied Beds"]
            for row in by_indicator["assessment_beds_available"]
        )


def test_no_escalation_day_when_none_is_asked_for(tmp_path: Path) -> None:
    [path] = generate_opel_extracts(tmp_path, days=1, escalate_on=None)
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert not any(row["Indicator"] == "d2a_discharged_yesterday" and row["Value"] == "0"
                   for row in rows)
    assert not any(row["Value"] in KEAH_LEVEL and KEAH_LEVEL[row["Value"]] == 4 for row in rows)


def test_generation_is_deterministic(landing: Path, tmp_path: Path) -> None:
    again = generate_opel_extracts(tmp_path / "again")
    assert [path.name for path in again] == sorted(path.name for path in landing.glob("*.csv"))
    for path in again:
        assert path.read_bytes() == (landing / path.name).read_bytes()
    other = generate_opel_extracts(tmp_path / "other", seed=7, days=1)
    assert other[0].read_bytes() != (landing / other[0].name).read_bytes()


def test_days_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="days must be at least 1"):
        generate_opel_extracts(tmp_path, days=0)


def test_generated_files_load_with_nothing_quarantined(landing: Path, tmp_path: Path) -> None:
    results = load_extracts(tmp_path / "build.duckdb", scan_landing(landing).extracts, "key")
    assert len(results) == len(COUNCILS) * DAYS
    for result in results:
        assert (result.status, result.rows_quarantined) == ("loaded", 0), result
        with (landing / result.file_name).open(encoding="utf-8") as handle:
            assert result.rows_in == result.rows_loaded == sum(1 for _ in handle) - 1
