"""Hand-written CLD files for tests: one known person whose identifiers must never be stored."""

from __future__ import annotations

import csv
from pathlib import Path

from asc_warehouse.ingest.cld_schema import expected_header

# A person as a council would submit them: these exact strings must never reach DuckDB.
PERSON = {
    "NHS Number": "943 476 5919",
    "LA Person Unique Identifier": "MOSAIC-000123",
    "First Name": "Winifred",
    "Last Name": "Ashdown",
    "GP Practice Name": "Rochester Riverside Surgery",
    "GP Practice Code": "G82001",
    "Gender": "Female",
    "Ethnicity": "White: English, Welsh, Scottish, Northern Irish or British",
    "Date of Birth": "1941-07-19",
    "Client Type": "Service user",
    "Primary Support Reason": "Physical Support: Personal care support",
    "Postcode": "ME4 4TR",
    "Accommodation Status": "Owner occupier or shared ownership scheme",
    "Reporting Period Start Date": "2024-04-01",
    "Reporting Period End Date": "2026-03-31",
}


def cld_row(**fields: str) -> dict[str, str]:
    """A valid long-term community service row for PERSON, with fields overridden by name."""
    row = dict.fromkeys(expected_header(), "")
    row.update(PERSON)
    row.update({
        "Event Type": "Service",
        "Event Reference": "EVT1",
        "Event Start Date": "2025-01-06",
        "Service Type": "Long term support: Community",
        "Service Component": "Home support or domiciliary care",
        "Delivery Mechanism": "Direct payment",
    })
    row.update(fields)
    return row


def write_cld_file(path: Path, rows: list[dict[str, str]], header: list[str] | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header or expected_header(),
                                extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path
