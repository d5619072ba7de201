"""Compare two published warehouse files mart by mart: same tables, same rows (as multisets).

Usage::

    python scripts/compare_published.py BEFORE.duckdb AFTER.duckdb [--ignore-column NAME ...]

A refactoring that changes no behaviour must leave every published mart with the same rows from
the same sample. Columns that record when something ran (load, check and publication times, run
ids) differ between any two nights and are left out of the comparison; ``--ignore-column`` adds
more. Prints one line per table and exits 1 if any table differs or exists on one side only.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

# Columns that say when or in which run something happened, not what the data are.
RUN_TIME_COLUMNS = frozenset({
    "loaded_at", "arrived_at", "published_at", "checked_at", "run_id", "run_started_at",
    "built_at", "generated_at", "recorded_at", "load_id", "last_arrived_local",
})
# Tables that only describe a run: they differ between any two runs by design.
RUN_TABLES = frozenset(
    {"ops.publication", "ops.data_quality_result", "marts.fct_data_quality_trend"}
)


def tables(con: duckdb.DuckDBPyConnection, alias: str) -> set[str]:
    rows = con.execute(
        "select table_schema || '.' || table_name from information_schema.tables "
        "where table_catalog = ? and table_schema in ('marts', 'ops')",
        [alias],
    ).fetchall()
    return {row[0] for row in rows}


def columns(con: duckdb.DuckDBPyConnection, alias: str, table: str) -> list[str]:
    schema, name = table.split(".")
    rows = con.execute(
        "select column_name from information_schema.columns "
        "where table_catalog = ? and table_schema = ? and table_name = ? order by ordinal_position",
        [alias, schema, name],
    ).fetchall()
    return [row[0] for row in rows]


def differing_rows(con: duckdb.DuckDBPyConnection, table: str, kept: list[str]) -> tuple[int, int]:
    select = ", ".join(f'"{column}"' for column in kept)
    only_before, only_after = (
        con.execute(
            f"select count(*) from (select {select} from {left}.{table} "
            f"except all select {select} from {right}.{table})"
        ).fetchone()[0]
        for left, right in (("before", "after"), ("after", "before"))
    )
    return int(only_before), int(only_after)


def compare(before: Path, after: Path, ignored: frozenset[str]) -> int:
    con = duckdb.connect()
    con.execute(f"attach '{before}' as before (read_only)")
    con.execute(f"attach '{after}' as after (read_only)")
    before_tables, after_tables = tables(con, "before"), tables(con, "after")
    failures = 0
    for table in sorted(before_tables ^ after_tables):
        side = "before" if table in before_tables else "after"
        print(f"DIFFERS  {table}: only {side}")
        failures += 1
    for table in sorted((before_tables & after_tables) - RUN_TABLES):
        before_columns = columns(con, "before", table)
        if before_columns != columns(con, "after", table):
            print(f"DIFFERS  {table}: columns differ")
            failures += 1
            continue
        kept = [column for column in before_columns if column not in ignored]
        only_before, only_after = differing_rows(con, table, kept)
        rows = con.execute(f"select count(*) from after.{table}").fetchone()[0]
        verdict = "same   " if only_before == only_after == 0 else "DIFFERS"
        failures += verdict != "same   "
        print(f"{verdict}  {table}: {rows} rows; "
              f"{only_before} only before, {only_after} only after")
    print(f"{failures} table(s) differ" if failures else "every table holds the same rows")
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--ignore-column", action="append", default=[])
    arguments = parser.parse_args()
    return compare(arguments.before, arguments.after,
                   RUN_TIME_COLUMNS | frozenset(arguments.ignore_column))


if __name__ == "__main__":
    sys.exit(main())
