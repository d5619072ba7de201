"""Load landed OPEL files (daily operational pressures indicator updates) into the build file.

``OPEL_<council>_<YYYYMMDD>.csv`` holds one row per indicator update as a team entered it on the
resilience system that day. Each file loads in one transaction, as CLD files do (``ingest/cld.py``,
whose reading helpers this module reuses): usable rows go to ``raw.opel_updates``, unusable rows
to ``ops.quarantine`` with the reason, and one row to ``ops.load_audit`` (feed ``opel``) with
rows in = rows loaded + rows quarantined.

The loader only checks that each value is usable for its indicator's kind; statuses, bed
availability (total minus occupied) and missing updates are worked out in dbt. The indicator
codes, the areas and the categories come from the OPEL seeds, so that Python and dbt share them.
No field of this feed identifies a person, so quarantine entries show the submitted value.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from types import MappingProxyType

import duckdb

from asc_warehouse.config import SEEDS_DIR
from asc_warehouse.ingest.file_checks import ExtractRejectedError, check_file
from asc_warehouse.ingest.landing import ExtractFile
from asc_warehouse.ingest.loading import (
    FileRead,
    LoadResult,
    drop_temp_tables,
    load_id_of,
    quarantine_rows,
    read_into_temp_tables,
    record_loads,
)
from asc_warehouse.ingest.ops_schema import ensure_ops_schema
from asc_warehouse.ingest.quarantine_rules import QuarantineRule, blank_to_null, quoted, sql_list

# The landing contract's header, in order; the generator writes it and the loader checks it.
OPEL_HEADER = (
    "Updated At",
    "Area",
    "Team or Location",
    "Indicator",
    "Value",
    "Total Beds",
    "Occupied Beds",
)
FEED_LABEL = "OPEL"
# Local (Europe/London) wall-clock time, as the resilience system shows it; kept naive.
UPDATED_AT_FORMAT = "%Y-%m-%d %H:%M"
# strptime alone accepts "9:05" for "%H:%M"; the contract asks for two digits everywhere.
UPDATED_AT_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}$"
# Plain decimals only: a cast would also take "1e2", "inf" or "+5", which no team types.
NUMBER_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"
# A cast to integer rounds "3.5" to 4, so whole numbers are recognised by their digits.
WHOLE_NUMBER_PATTERN = r"^-?[0-9]+$"
VALUE_KINDS = ("percent", "count", "category", "beds")
BED_FIELDS = ("Total Beds", "Occupied Beds")

RAW_DDL = """
create table if not exists raw.opel_updates (
    council_code varchar not null,
    load_id varchar not null,
    source_file varchar not null,
    source_row_number bigint not null,
    loaded_at timestamp not null,
    report_date date not null,
    updated_at timestamp not null,
    area varchar not null,
    team_or_location varchar,
    indicator_code varchar not null,
    value varchar,
    total_beds integer,
    occupied_beds integer
)
"""


@dataclass(frozen=True)
class ReportingUnit:
    """One row of ``seeds/opel_reporting_units.csv``: an indicator a team updates every day."""

    council_code: str
    area: str
    team_or_location: str
    indicator_code: str


def _read_seed(name: str) -> list[dict[str, str]]:
    with (SEEDS_DIR / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@cache
def indicator_kinds() -> Mapping[str, str]:
    """Indicator code -> value kind (percent, count, category or beds), in seed order."""
    kinds = {row["indicator_code"]: row["value_kind"] for row in _read_seed("opel_indicators.csv")}
    unknown = sorted(set(kinds.values()) - set(VALUE_KINDS))
    if unknown:
        # A new kind needs its own value rules; loading it unchecked would let anything through.
        raise ValueError(f"seeds/opel_indicators.csv has value kinds with no rules: {unknown}")
    return MappingProxyType(kinds)


@cache
def reporting_units() -> tuple[ReportingUnit, ...]:
    return tuple(
        ReportingUnit(
            row["council_code"], row["area"], row["team_or_location"], row["indicator_code"]
        )
        for row in _read_seed("opel_reporting_units.csv")
    )


def council_areas(council_code: str) -> tuple[str, ...]:
    """The areas a council reports OPEL indicators for, in seed order."""
    areas = [unit.area for unit in reporting_units() if unit.council_code == council_code]
    return tuple(dict.fromkeys(areas))


@cache
def indicator_categories(indicator_code: str) -> tuple[str, ...]:
    """A categorical indicator's values in ``seeds/opel_thresholds.csv``, OPEL 1 first.

    Every threshold version's categories count: a file is checked against what the service may
    report, and the version in force on the day is dbt's concern.
    """
    levels: dict[str, int] = {}
    for row in _read_seed("opel_thresholds.csv"):
        if row["indicator_code"] == indicator_code and row["category_value"]:
            level = int(row["opel_level"])
            levels[row["category_value"]] = min(level, levels.get(row["category_value"], level))
    return tuple(sorted(levels, key=lambda category: (levels[category], category)))


def codes_of_kind(*kinds: str) -> tuple[str, ...]:
    return tuple(code for code, kind in indicator_kinds().items() if kind in kinds)


def ensure_opel_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists raw")
    ensure_ops_schema(con)
    con.execute(RAW_DDL)


def _in_list(expression: str, values: tuple[str, ...]) -> str:
    # "in ()" is a syntax error; an empty list matches nothing.
    return f"({expression} in ({sql_list(list(values))}))" if values else "false"


def _indicator_in(codes: tuple[str, ...]) -> str:
    return _in_list(f"trim({quoted('Indicator')})", codes)


def updated_at_sql() -> str:
    """``Updated At`` as a timestamp, or null when it is not exactly YYYY-MM-DD HH:MM."""
    text = blank_to_null("Updated At")
    return (
        f"case when regexp_full_match({text}, '{UPDATED_AT_PATTERN}') "
        f"then try_strptime({text}, '{UPDATED_AT_FORMAT}') end"
    )


def _is_number(field: str) -> str:
    return f"coalesce(regexp_full_match(trim({quoted(field)}), '{NUMBER_PATTERN}'), false)"


def whole_number_sql(field: str) -> str:
    """The field as an integer, or null when blank, not whole or too large for an integer."""
    text = f"trim({quoted(field)})"
    return (
        f"case when regexp_full_match({text}, '{WHOLE_NUMBER_PATTERN}') "
        f"then try_cast({text} as integer) end"
    )


def _updated_at_rules() -> list[QuarantineRule]:
    field = "Updated At"
    return [
        QuarantineRule(field, f"{field} is blank", f"{blank_to_null(field)} is null"),
        QuarantineRule(
            field,
            f"{field} is not a time in YYYY-MM-DD HH:MM form",
            f"{blank_to_null(field)} is not null and {updated_at_sql()} is null",
            quoted(field),
        ),
        QuarantineRule(
            field,
            f"{field} is not on the report date in the file name",
            f"cast({updated_at_sql()} as date) <> file_period_end",
            quoted(field),
        ),
    ]


def _unit_rules(council_code: str) -> list[QuarantineRule]:
    area = f"trim({quoted('Area')})"
    return [
        QuarantineRule(
            "Indicator",
            "Indicator is blank or not an indicator code in seeds/opel_indicators.csv",
            f"{blank_to_null('Indicator')} is null "
            f"or not {_indicator_in(tuple(indicator_kinds()))}",
            quoted("Indicator"),
        ),
        QuarantineRule(
            "Area",
            "Area is blank or not an area of the council in seeds/opel_reporting_units.csv",
            f"{blank_to_null('Area')} is null or not {_in_list(area, council_areas(council_code))}",
            quoted("Area"),
        ),
    ]


def _number_rules() -> list[QuarantineRule]:
    """Percent and count indicators carry their number in ``Value``."""
    numeric = _indicator_in(codes_of_kind("percent", "count"))
    value = quoted("Value")
    return [
        QuarantineRule(
            "Value",
            "Value is blank; the indicator needs a number",
            f"{numeric} and {blank_to_null('Value')} is null",
        ),
        QuarantineRule(
            "Value",
            "Value is not a number",
            f"{numeric} and {blank_to_null('Value')} is not null and not {_is_number('Value')}",
            value,
        ),
        QuarantineRule(
            "Value",
            "Value is negative",
            f"{numeric} and {_is_number('Value')} and try_cast(trim({value}) as double) < 0",
            value,
        ),
        QuarantineRule(
            "Value",
            "Value is not a whole number; the indicator is a count",
            f"{_indicator_in(codes_of_kind('count'))} and {_is_number('Value')} "
            f"and {whole_number_sql('Value')} is null",
            value,
        ),
    ]


def _category_rules() -> list[QuarantineRule]:
    """A categorical indicator's ``Value`` must be one of its threshold categories."""
    value = f"trim({quoted('Value')})"
    return [
        QuarantineRule(
            "Value",
            f"Value is blank or not a {code} category in seeds/opel_thresholds.csv",
            f"{_indicator_in((code,))} and ({blank_to_null('Value')} is null "
            f"or not {_in_list(value, indicator_categories(code))})",
            quoted("Value"),
        )
        for code in codes_of_kind("category")
    ]


def _bed_rules() -> list[QuarantineRule]:
    """Bed indicators carry total and occupied beds; availability is worked out in dbt."""
    beds = _indicator_in(codes_of_kind("beds"))
    rules: list[QuarantineRule] = []
    for field in BED_FIELDS:
        rules += [
            QuarantineRule(
                field, f"{field} is blank", f"{beds} and {blank_to_null(field)} is null"
            ),
            QuarantineRule(
                field,
                f"{field} is not a whole number",
                f"{beds} and {blank_to_null(field)} is not null "
                f"and {whole_number_sql(field)} is null",
                quoted(field),
            ),
            QuarantineRule(
                field,
                f"{field} is negative",
                f"{beds} and {whole_number_sql(field)} < 0",
                quoted(field),
            ),
        ]
    total, occupied = (whole_number_sql(field) for field in BED_FIELDS)
    rules.append(
        QuarantineRule(
            "Occupied Beds",
            "Occupied Beds is more than Total Beds",
            f"{beds} and {occupied} > {total}",
            quoted("Occupied Beds"),
        )
    )
    return rules


def opel_quarantine_rules(council_code: str) -> tuple[QuarantineRule, ...]:
    """Every row-level rule for one council's OPEL file (its areas differ from other councils')."""
    return (
        *_updated_at_rules(),
        *_unit_rules(council_code),
        *_number_rules(),
        *_category_rules(),
        *_bed_rules(),
    )


def _insert_usable_rows(
    con: duckdb.DuckDBPyConnection,
    extract: ExtractFile,
    load_id: str,
    at: datetime,
    unusable: str,
) -> int:
    """Insert the usable rows; return how many."""
    inserted = con.execute(
        "insert into raw.opel_updates (council_code, load_id, source_file, source_row_number, "
        "loaded_at, report_date, updated_at, area, team_or_location, indicator_code, value, "
        "total_beds, occupied_beds) "
        f"select ?, ?, ?, source_row_number, ?, ?, {updated_at_sql()}, trim({quoted('Area')}), "
        f"{blank_to_null('Team or Location')}, trim({quoted('Indicator')}), "
        f"{blank_to_null('Value')}, {whole_number_sql('Total Beds')}, "
        f"{whole_number_sql('Occupied Beds')} "
        f"from extract_rows where not ({unusable})",
        [extract.council_code, load_id, extract.path.name, at, extract.period_start],
    ).fetchone()
    return int(inserted[0]) if inserted else 0


def _load_in_transaction(
    con: duckdb.DuckDBPyConnection, file: FileRead, load_id: str, at: datetime
) -> LoadResult:
    extract = file.extract
    con.execute("begin transaction")
    try:
        # The resilience system rewrites the day's file as updates come in: a new version of a
        # file supersedes the rows of the versions loaded before it.
        con.execute(
            "delete from raw.opel_updates where council_code = ? and source_file = ?",
            [extract.council_code, extract.path.name],
        )
        rules = opel_quarantine_rules(extract.council_code)
        unusable = quarantine_rows(con, rules, at)
        inserted = _insert_usable_rows(con, extract, load_id, at, unusable)
        [result] = record_loads(con, [file], [inserted], at, [file.warning])
        con.execute("commit")
    except (duckdb.Error, ExtractRejectedError):
        con.execute("rollback")
        raise
    return result


def load_opel_extract(con: duckdb.DuckDBPyConnection, extract: ExtractFile) -> LoadResult:
    """Load one OPEL file in one transaction; ``ensure_opel_schema`` must have been called.

    Raises ``ExtractRejectedError`` (naming the file) when the file as a whole is unusable.
    """
    load_id = load_id_of(extract)
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    header = check_file(extract.path, extract.checksum, OPEL_HEADER, FEED_LABEL)
    try:
        file = read_into_temp_tables(con, extract, warning=header.warning)
        return _load_in_transaction(con, file, load_id, loaded_at)
    finally:
        drop_temp_tables(con)
