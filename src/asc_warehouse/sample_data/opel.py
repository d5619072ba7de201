"""Deterministic synthetic OPEL files: each council's daily indicator updates, one file a day.

Every reporting unit in ``seeds/opel_reporting_units.csv`` updates its indicator each morning, as
teams do on the resilience system: a team enters all its indicators within a few minutes, mostly
between 08:30 and 10:30, now and then later, and a unit occasionally forgets a day. On a day an
area is under pressure some of its teams post a second update in the afternoon. One chosen day
is a clear OPEL 4 day across the council, updated twice by everybody as the plan asks at OPEL 3
and above. Indicator codes and KEaH categories come from the seeds.
"""

from __future__ import annotations

import csv
import math
import random
import zlib
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import Enum
from pathlib import Path

from asc_warehouse.ingest.opel import (
    OPEL_HEADER,
    UPDATED_AT_FORMAT,
    ReportingUnit,
    indicator_categories,
    reporting_units,
)
from asc_warehouse.sample_data.marker import mark_as_generated

# Morning updates: on time from 08:30 to 10:30 (the plan's deadline), a few late until noon.
MORNING_FROM = time(8, 30)
ON_TIME_BY = time(10, 30)
LATE_FROM = time(10, 31)
LATE_UNTIL = time(12, 0)
# The plan's afternoon window for the second update at OPEL 3 and above.
AFTERNOON_FROM = time(14, 0)
AFTERNOON_UNTIL = time(15, 30)
# A team enters its indicators one after another: each up to this many minutes after the first.
ENTRY_SPREAD_MINUTES = 3
LATE_RATE = 0.05
MISSING_RATE = 0.02
# Share of area-days under planned pressure (staffing below 50%, KEaH stretched).
PRESSURE_DAY_RATE = 0.07
# Share of an area's teams posting a second update on a day it is under pressure.
SECOND_UPDATE_RATE = 0.5
# An area is under pressure when a team is staffed below this or a KEaH patch is at this OPEL
# level (very limited capacity) or worse: the plan's Red triggers.
PRESSURE_STAFFING_PCT = 50.0
PRESSURE_KEAH_LEVEL = 3
KEAH_CODE = "keah_capacity"
# Weights of KEaH categories, OPEL 1 first: mostly good or limited capacity on an ordinary day.
KEAH_WEIGHTS_NORMAL = (0.60, 0.36, 0.04, 0.0)
KEAH_WEIGHTS_PRESSURE = (0.10, 0.45, 0.45, 0.0)
D2A_WEEKLY_CAPACITY = 42
D2A_WEEKLY_FLOOR = 10


class Mode(Enum):
    """How an area's day goes."""

    NORMAL = "normal"
    PRESSURE = "pressure"
    ESCALATION = "escalation"


@dataclass(frozen=True)
class Reading:
    """What a unit enters: ``value``, or the two bed counts for a beds indicator."""

    value: str = ""
    total_beds: str = ""
    occupied_beds: str = ""


@dataclass(frozen=True)
class Update:
    at: datetime
    order: int
    """The unit's position in the seed: keeps rows entered in the same minute in a fixed order."""
    unit: ReportingUnit
    reading: Reading

    def row(self) -> list[str]:
        return [
            self.at.strftime(UPDATED_AT_FORMAT),
            self.unit.area,
            self.unit.team_or_location,
            self.unit.indicator_code,
            self.reading.value,
            self.reading.total_beds,
            self.reading.occupied_beds,
        ]


def opel_file_name(council_code: str, day: date) -> str:
    return f"OPEL_{council_code}_{day:%Y%m%d}.csv"


def _percent(part: int, whole: int) -> str:
    # One decimal, as a team's staffed share of its establishment is usually shown: "83.3".
    return f"{100 * part / whole:.1f}".removesuffix(".0")


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


def _minutes(start: time, end: time) -> int:
    return (end.hour - start.hour) * 60 + end.minute - start.minute


class CouncilSimulation:
    """One council's teams over the days: establishments, bed stock and drifting caseloads."""

    def __init__(self, rng: random.Random, units: list[ReportingUnit]) -> None:
        self._rng = rng
        self._units = units
        self._categories = indicator_categories(KEAH_CODE)
        makers: dict[str, Callable[[ReportingUnit, Mode, date], Reading]] = {
            "staffing_pct": self._staffing,
            "caseload": self._caseload,
            "referrals": self._referrals,
            "assessment_beds_available": self._beds,
            KEAH_CODE: self._keah,
            "d2a_discharged_yesterday": self._discharged,
            "d2a_weekly_capacity_remaining": self._capacity_remaining,
        }
        missing = sorted({unit.indicator_code for unit in units} - set(makers))
        if missing:
            raise KeyError(f"indicators {missing} have no sample-data model")
        self._makers = makers
        # Fixed per unit: a team's establishment, a location's beds, a caseload's starting level.
        self._establishment = {unit: rng.randint(12, 24) for unit in units}
        self._beds_total = {unit: rng.randint(10, 30) for unit in units}
        self._level = {
            unit: rng.randint(60, 380) if unit.indicator_code == "caseload" else rng.randint(12, 60)
            for unit in units
        }
        # Units pushed to OPEL 4 on an escalation day; chosen when that day comes.
        self._escalated: set[ReportingUnit] = set()

    def reading(self, unit: ReportingUnit, mode: Mode, day: date) -> Reading:
        return self._makers[unit.indicator_code](unit, mode, day)

    def second_reading(
        self, unit: ReportingUnit, morning: Reading, mode: Mode, day: date
    ) -> Reading:
        """The afternoon update: yesterday's discharges cannot change, capacity only falls."""
        if unit.indicator_code == "d2a_discharged_yesterday":
            return morning
        if unit.indicator_code == "d2a_weekly_capacity_remaining":
            floor = 0 if mode is Mode.ESCALATION else D2A_WEEKLY_FLOOR
            return Reading(str(max(floor, int(morning.value) - self._rng.randint(0, 2))))
        return self.reading(unit, mode, day)

    def escalate(self) -> None:
        """Pick the several staffing teams and KEaH patches that reach OPEL 4 today."""
        self._escalated = set()
        for code in ("staffing_pct", KEAH_CODE):
            candidates = [unit for unit in self._units if unit.indicator_code == code]
            self._escalated.update(self._rng.sample(candidates, len(candidates) // 2 + 1))

    def _staffing(self, unit: ReportingUnit, mode: Mode, day: date) -> Reading:
        establishment = self._establishment[unit]
        if mode is Mode.ESCALATION and unit in self._escalated:
            # Rounded down, so the share stays strictly below the plan's 35% Black trigger.
            available = math.floor(establishment * self._rng.uniform(0.20, 0.34))
        elif mode is Mode.NORMAL:
            available = round(establishment * self._rng.uniform(0.66, 0.96))
        else:
            # Rounded down, so the share stays strictly below 50%: the area is under pressure.
            available = math.floor(establishment * self._rng.uniform(0.36, 0.49))
        return Reading(_percent(available, establishment))

    def _drift(self, unit: ReportingUnit, step: int, low: int, high: int) -> int:
        self._level[unit] = _clamp(self._level[unit] + self._rng.randint(-step, step), low, high)
        return self._level[unit]

    def _caseload(self, unit: ReportingUnit, mode: Mode, day: date) -> Reading:
        level = self._drift(unit, 12, 40, 600)
        return Reading(str(round(level * 1.25) if mode is Mode.ESCALATION else level))

    def _referrals(self, unit: ReportingUnit, mode: Mode, day: date) -> Reading:
        level = self._drift(unit, 4, 5, 120)
        return Reading(str(round(level * 1.6) if mode is Mode.ESCALATION else level))

    def _beds(self, unit: ReportingUnit, mode: Mode, day: date) -> Reading:
        total = self._beds_total[unit]
        if mode is Mode.ESCALATION:
            free = 0
        elif mode is Mode.PRESSURE:
            free = self._rng.choices((0, 1), weights=(60, 40))[0]
        else:
            # Assessment beds run full: usually none to two free.
            free = self._rng.choices((0, 1, 2, 3, 4), weights=(25, 30, 25, 15, 5))[0]
        return Reading("", str(total), str(total - free))

    def _keah(self, unit: ReportingUnit, mode: Mode, day: date) -> Reading:
        if mode is Mode.ESCALATION:
            worst, very_limited = self._categories[-1], self._categories[PRESSURE_KEAH_LEVEL - 1]
            return Reading(worst if unit in self._escalated else very_limited)
        weights = KEAH_WEIGHTS_PRESSURE if mode is Mode.PRESSURE else KEAH_WEIGHTS_NORMAL
        return Reading(self._rng.choices(self._categories, weights=weights)[0])

    def _discharged(self, unit: ReportingUnit, mode: Mode, day: date) -> Reading:
        if mode is Mode.ESCALATION:
            return Reading("0")
        return Reading(str(self._rng.randint(3, 5 if mode is Mode.PRESSURE else 7)))

    def _capacity_remaining(self, unit: ReportingUnit, mode: Mode, day: date) -> Reading:
        if mode is Mode.ESCALATION:
            return Reading(str(self._rng.randint(0, 5)))
        # The week's slots are used up from Monday: full early in the week, low by Sunday.
        used = day.weekday() * self._rng.randint(3, 5) + self._rng.randint(0, 2)
        return Reading(str(max(D2A_WEEKLY_FLOOR, D2A_WEEKLY_CAPACITY - used)))

    def under_pressure(self, readings: list[tuple[ReportingUnit, Reading]]) -> bool:
        """The brief's rule of thumb for an area: a team below 50% staffed or KEaH stretched."""
        stretched = set(self._categories[PRESSURE_KEAH_LEVEL - 1 :])
        return any(
            (unit.indicator_code == "staffing_pct" and float(read.value) < PRESSURE_STAFFING_PCT)
            or (unit.indicator_code == KEAH_CODE and read.value in stretched)
            for unit, read in readings
        )


def _teams(units: list[ReportingUnit]) -> dict[tuple[str, str], list[ReportingUnit]]:
    """Units grouped by the team or location that enters them, in seed order."""
    teams: dict[tuple[str, str], list[ReportingUnit]] = {}
    for unit in units:
        teams.setdefault((unit.area, unit.team_or_location), []).append(unit)
    return teams


class DayPlanner:
    """Lays out one council's updates for one day."""

    def __init__(self, rng: random.Random, units: list[ReportingUnit]) -> None:
        self._rng = rng
        self._order = {unit: index for index, unit in enumerate(units)}
        self._teams = _teams(units)
        self._areas = list(dict.fromkeys(unit.area for unit in units))
        self._simulation = CouncilSimulation(rng, units)

    def _entry_times(self, day: date, start: time, end: time, count: int) -> list[datetime]:
        """A team's entries: a first minute in [start, end - spread] and each a little after."""
        span = _minutes(start, end) - ENTRY_SPREAD_MINUTES
        first = datetime.combine(day, start) + timedelta(minutes=self._rng.randint(0, span))
        return [
            first + timedelta(minutes=self._rng.randint(0, ENTRY_SPREAD_MINUTES))
            for _ in range(count)
        ]

    def _morning_window(self, escalated: bool) -> tuple[time, time]:
        # On an escalation day everybody is on time; otherwise a few teams are late.
        if not escalated and self._rng.random() < LATE_RATE:
            return LATE_FROM, LATE_UNTIL
        return MORNING_FROM, time(ON_TIME_BY.hour, ON_TIME_BY.minute - 1)

    def _modes(self, day: date, escalated: bool) -> dict[str, Mode]:
        if escalated:
            self._simulation.escalate()
            return dict.fromkeys(self._areas, Mode.ESCALATION)
        return {
            area: Mode.PRESSURE if self._rng.random() < PRESSURE_DAY_RATE else Mode.NORMAL
            for area in self._areas
        }

    def plan(self, day: date, escalated: bool) -> list[Update]:
        modes = self._modes(day, escalated)
        mornings: dict[tuple[str, str], list[tuple[ReportingUnit, Reading]]] = {}
        updates: list[Update] = []
        for team, units in self._teams.items():
            # Deliberate gaps for missing-update detection; never on the escalation day.
            present = [u for u in units if escalated or self._rng.random() >= MISSING_RATE]
            start, end = self._morning_window(escalated)
            times = self._entry_times(day, start, end, len(present))
            readings = [(u, self._simulation.reading(u, modes[u.area], day)) for u in present]
            mornings[team] = readings
            updates += [
                Update(at, self._order[u], u, r) for at, (u, r) in zip(times, readings, strict=True)
            ]
        updates += self._afternoon(day, modes, mornings, escalated)
        return sorted(updates, key=lambda update: (update.at, update.order))

    def _afternoon(
        self,
        day: date,
        modes: dict[str, Mode],
        mornings: dict[tuple[str, str], list[tuple[ReportingUnit, Reading]]],
        escalated: bool,
    ) -> list[Update]:
        by_area: dict[str, list[tuple[ReportingUnit, Reading]]] = {}
        for (area, _), readings in mornings.items():
            by_area.setdefault(area, []).extend(readings)
        pressured = {
            area for area, pairs in by_area.items() if self._simulation.under_pressure(pairs)
        }
        updates: list[Update] = []
        for (area, _), readings in mornings.items():
            if not readings or area not in pressured:
                continue
            if not escalated and self._rng.random() >= SECOND_UPDATE_RATE:
                continue
            until = time(AFTERNOON_UNTIL.hour, AFTERNOON_UNTIL.minute - 1)
            times = self._entry_times(day, AFTERNOON_FROM, until, len(readings))
            for at, (unit, morning) in zip(times, readings, strict=True):
                reading = self._simulation.second_reading(unit, morning, modes[area], day)
                updates.append(Update(at, self._order[unit], unit, reading))
        return updates


def _write(path: Path, updates: list[Update]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(OPEL_HEADER)
        writer.writerows(update.row() for update in updates)


def _units_by_council() -> dict[str, list[ReportingUnit]]:
    councils: dict[str, list[ReportingUnit]] = {}
    for unit in reporting_units():
        councils.setdefault(unit.council_code, []).append(unit)
    return councils


def generate_opel_extracts(
    landing_dir: Path,
    *,
    end_date: date = date(2026, 3, 31),
    days: int = 28,
    seed: int = 20260331,
    escalate_on: date | None = date(2026, 3, 31),
    councils: Collection[str] | None = None,
) -> list[Path]:
    """Write one OPEL file a day for ``days`` days to ``end_date``, per council with reporting
    units (of ``councils`` only, when given); return the paths written, by council then day.

    ``escalate_on`` (if within the days) is a council-wide OPEL 4 day. The same arguments always
    give byte-identical files.
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    landing_dir.mkdir(parents=True, exist_ok=True)
    first_day = end_date - timedelta(days=days - 1)
    paths = []
    for council_code, units in _units_by_council().items():
        if councils is not None and council_code not in councils:
            continue
        # One stream per council, so adding a council does not change another's files.
        planner = DayPlanner(random.Random(seed + zlib.crc32(council_code.encode())), units)
        for offset in range(days):
            day = first_day + timedelta(days=offset)
            path = landing_dir / opel_file_name(council_code, day)
            _write(path, planner.plan(day, escalated=day == escalate_on))
            paths.append(path)
    mark_as_generated(landing_dir, paths)
    return paths
