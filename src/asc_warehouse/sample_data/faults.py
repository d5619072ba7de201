"""Faults real extracts carry, planted at low rates so that the quarantine and the data-quality
report have something to show on sample data. Off unless asked for: the generator's own tests
check clean data.
"""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta

from asc_warehouse.config import SEEDS_DIR
from asc_warehouse.ingest.nhs_number import nhs_check_digit

# Share of rows given each fault. The quarantine-worthy ones are rare, as in real extracts:
# far below the share that blocks publication.
RELEASE_1_WORDING_RATE = 0.004
INVALID_COMPONENT_RATE = 0.002
BLANK_SUPPORT_REASON_RATE = 0.003
BAD_CHECK_DIGIT_RATE = 0.002
UK_DATE_FORMAT_RATE = 0.0005
END_BEFORE_START_RATE = 0.0005
# Not in any release's list: a council's own legacy code that the extract job failed to map.
LEGACY_COMPONENT = "Domiciliary care (legacy code)"


def _release_1_delivery_mechanisms() -> dict[str, str]:
    with (SEEDS_DIR / "cld_r1_to_r2_map.csv").open(newline="", encoding="utf-8") as handle:
        return {
            row["r2_value"]: row["r1_value"]
            for row in csv.DictReader(handle)
            if row["cld_field_name"] == "Delivery Mechanism"
        }


class FaultInjector:
    """Mutates rows in place, deterministically for a given seed."""

    def __init__(self, header: list[str], seed: int) -> None:
        self._rng = random.Random(seed)
        self._column = {name: index for index, name in enumerate(header)}
        self._release_1 = _release_1_delivery_mechanisms()

    def _value(self, row: list[str], field: str) -> str:
        return row[self._column[field]]

    def _set(self, row: list[str], field: str, value: str) -> None:
        row[self._column[field]] = value

    def __call__(self, row: list[str]) -> None:
        roll = self._rng.random
        is_service = self._value(row, "Event Type") == "Service"
        mechanism = self._value(row, "Delivery Mechanism")
        if is_service and mechanism in self._release_1 and roll() < RELEASE_1_WORDING_RATE:
            self._set(row, "Delivery Mechanism", self._release_1[mechanism])
        if is_service and roll() < INVALID_COMPONENT_RATE:
            self._set(row, "Service Component", LEGACY_COMPONENT)
        if roll() < BLANK_SUPPORT_REASON_RATE:
            self._set(row, "Primary Support Reason", "")
        nhs_number = self._value(row, "NHS Number")
        if nhs_number and roll() < BAD_CHECK_DIGIT_RATE:
            check = nhs_check_digit(nhs_number[:9])
            self._set(row, "NHS Number", nhs_number[:9] + str(((check or 0) + 1) % 10))
        start = self._value(row, "Event Start Date")
        if roll() < UK_DATE_FORMAT_RATE:
            self._set(row, "Event Start Date", date.fromisoformat(start).strftime("%d/%m/%Y"))
        elif self._value(row, "Event End Date") and roll() < END_BEFORE_START_RATE:
            earlier = date.fromisoformat(start) - timedelta(days=1)
            self._set(row, "Event End Date", earlier.isoformat())
