"""The CLD field list, read from ``seeds/cld_fields.csv`` so that Python, dbt and GX share it."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache

from asc_warehouse.config import SEEDS_DIR


@dataclass(frozen=True)
class CldField:
    name: str
    """The header exactly as submitted, e.g. ``Event Start Date``."""
    raw_column: str | None
    """The column in ``raw.cld_events``; None when the field is dropped at ingestion."""
    data_type: str
    privacy_handling: str
    """keep, drop, keyed_hash, birth_month or postcode_district."""
    value_check: str
    """code_list, date, number, text, nhs_number or postcode."""
    check_column: str | None
    """For an identifying field: the raw column holding its check status, made before hashing."""


@cache
def cld_fields() -> tuple[CldField, ...]:
    with (SEEDS_DIR / "cld_fields.csv").open(newline="", encoding="utf-8") as handle:
        return tuple(
            CldField(
                name=row["cld_field_name"],
                raw_column=row["raw_column"] or None,
                data_type=row["data_type"],
                privacy_handling=row["privacy_handling"],
                value_check=row["value_check"],
                check_column=row["check_column"] or None,
            )
            for row in csv.DictReader(handle)
        )


def expected_header() -> list[str]:
    return [field.name for field in cld_fields()]


@cache
def mandatory_header() -> frozenset[str]:
    """CLD fields mandatory for every event type (``seeds/cld_field_rules.csv``).

    A file without one of these columns cannot be loaded; any other missing column is read as
    blank.
    """
    requirements: dict[str, set[str]] = {}
    with (SEEDS_DIR / "cld_field_rules.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            requirements.setdefault(row["cld_field_name"], set()).add(row["requirement"])
    return frozenset(name for name, kinds in requirements.items() if kinds == {"mandatory"})
