"""Values worked out once per distinct submitted value, then joined back onto every row.

Hashing an identifier, checking an NHS number's check digit, cutting a postcode to its district
or asking whether a value is a known code are functions ``cld.register_functions`` registers on
the loading connection: Python functions, or for the first three SQL macros that fall back on
the Python function for values outside printable ASCII. Called once per row they cost most of a
load (the Python ones most). A file
holds far fewer distinct values than rows (a person has many events; a code list has a few
dozen codes), so each of these functions runs once per distinct value of its column, in one
batch, and the answers are joined back: ``derived(name, kind)`` is the column a loader's SQL
reads instead of calling the function on every row.

A *guarded* column has each distinct value replaced before any rule or insert sees it (a coded
field keeps only known codes, ``cld.code_guard``), and its derived values are worked out from
what the guard kept.

Everything here lives in TEMP tables of the loading connection, which never spill to disk.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

import duckdb


class Derived(StrEnum):
    TOKEN = "token"
    """The keyed hash (``pseudonymise.keyed_hasher``)."""
    VALID_NHS_NUMBER = "valid NHS number"
    """True when the value passes the NHS number check digit; NULL for NULL."""
    POSTCODE_DISTRICT = "postcode district"
    KNOWN_CODE = "known code"
    """True for a code of some code list (``quarantine_rules.is_known_code``)."""


# The registered function that works each kind out.
DERIVED_FUNCTIONS = {
    Derived.TOKEN: "asc_keyed_hash",
    Derived.VALID_NHS_NUMBER: "asc_is_valid_nhs_number",
    Derived.POSTCODE_DISTRICT: "asc_postcode_district",
    Derived.KNOWN_CODE: "asc_is_known_code",
}
GUARD_FUNCTION = "asc_code_guard"
# Every wanted column's distinct values, with what is kept and derived of each.
VALUES_TABLE = "extract_values"


@dataclass(frozen=True)
class ColumnValues:
    """What a loader needs of one column beyond its text."""

    guarded: bool = False
    derived: tuple[Derived, ...] = ()


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def derived(name: str, kind: Derived) -> str:
    """SQL: the column of ``extract_rows`` holding ``kind`` of the value of column ``name``."""
    return quoted(f"{name} ({kind})")


def _values_table(
    con: duckdb.DuckDBPyConnection, positions: Mapping[int, str], wanted: Mapping[str, ColumnValues]
) -> dict[int, tuple[int, int]]:
    """``extract_values``: every wanted column's distinct values (by the column's position),
    with what is kept and derived of each, in one statement for all the columns (a statement
    per column was most of a small file's cost); returns, per position, how many distinct
    values there are and how many of them the guard changed."""

    def at(some: list[int]) -> str:
        return ", ".join(str(position) for position in some)

    guarded = [position for position, name in positions.items() if wanted[name].guarded]
    kept = (f"case when position in ({at(guarded)}) then {GUARD_FUNCTION}(value) else value end"
            if guarded else "value")
    # Each function is called only for the columns that want its answer (CASE evaluates its
    # THEN only on the rows it selects), once per distinct value of each.
    answers = "".join(
        f", case when position in ({at(kind_positions)}) then {DERIVED_FUNCTIONS[kind]}(kept) "
        f"end as {quoted(kind)}"
        for kind in Derived
        if (kind_positions := [position for position, name in positions.items()
                               if kind in wanted[name].derived])
    )
    pairs = (f"unnest([{at(list(positions))}]) as position, "
             f"unnest([{', '.join(quoted(name) for name in positions.values())}]) as value")
    con.execute(
        f"create or replace temp table {VALUES_TABLE} as select position, value, kept{answers} "
        f"from (select position, value, nullif({kept}, '') as kept from ("
        f"select distinct {pairs} from extract_text))"
    )
    counts = con.execute(
        "select position, count(*), "
        "count(*) filter (where kept is distinct from nullif(value, '')) "
        f"from {VALUES_TABLE} group by position"
    ).fetchall()
    return {int(position): (int(values), int(changed)) for position, values, changed in counts}


def build_extract_rows(
    con: duckdb.DuckDBPyConnection,
    columns: Sequence[str],
    wanted: Mapping[str, ColumnValues],
) -> None:
    """``extract_rows`` from ``extract_text``: empty values NULL, guards applied, and every
    derived column of ``wanted``, each function called once per distinct value; each row keeps
    its file's number and period end and its line number.

    Each join holds a hash table, and a loading connection has a tight memory limit, so a
    column is joined only when it must be: a column with one distinct value (often all blank)
    takes it from a one-row cross join, and a guarded column the guard left alone needs none.
    """
    positions = {position: name for position, name in enumerate(columns) if name in wanted}
    # Named extract_*: ``loading.drop_temp_tables`` drops it if the load fails half way.
    counts = _values_table(con, positions, wanted) if positions else {}
    selects: list[str] = []
    joins: list[str] = []
    for position, name in enumerate(columns):
        column = quoted(name)
        unchanged = f"nullif(t.{column}, '') as {column}"
        if name not in wanted:
            selects.append(unchanged)
            continue
        distinct_values, guarded_values = counts.get(position, (0, 0))
        if not wanted[name].derived and not guarded_values:
            selects.append(unchanged)
            continue
        values = f"v{position}"
        selects.append(f"{values}.kept as {column}")
        selects += [f"{values}.{quoted(kind)} as {derived(name, kind)}"
                    for kind in wanted[name].derived]
        of_column = f"(select * from {VALUES_TABLE} where position = {position}) {values}"
        joins.append(
            f"cross join {of_column}" if distinct_values == 1
            else f"left join {of_column} on {values}.value is not distinct from t.{column}"
        )
    con.execute(
        f"create or replace temp table extract_rows as select {', '.join(selects)}, "
        f"t.file_number, t.source_row_number, t.file_period_end "
        f"from extract_text t {' '.join(joins)}"
    )
    if positions:
        con.execute(f"drop table {VALUES_TABLE}")
