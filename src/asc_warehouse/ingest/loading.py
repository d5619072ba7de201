"""What every feed's loader shares: reading a file into TEMP tables, quarantine, the audit row.

A file is read by its contract (``csv_contract``) into TEMP tables of the loading connection
(kept in memory: the loading connection gives DuckDB no place to spill them); each loader then
quarantines its unusable rows, inserts the rest into its raw table and records rows in = rows
loaded + rows quarantined.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

import duckdb
import pandas

from asc_warehouse.ingest.csv_contract import ROW_FIELD, ContractRead, read_by_contract
from asc_warehouse.ingest.file_checks import ExtractRejectedError, read_header
from asc_warehouse.ingest.landing import ExtractFile
from asc_warehouse.ingest.quarantine_rules import QuarantineRule, quoted
from asc_warehouse.ingest.row_values import ColumnValues, build_extract_rows


@dataclass(frozen=True)
class LoadResult:
    file_name: str
    council_code: str
    status: str
    rows_in: int
    rows_loaded: int
    rows_quarantined: int
    message: str = ""

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def already_loaded(con: duckdb.DuckDBPyConnection, checksum: str) -> bool:
    return bool(loaded_checksums(con, [checksum]))


def loaded_checksums(con: duckdb.DuckDBPyConnection, checksums: Sequence[str]) -> set[str]:
    """Which of ``checksums`` belong to files already loaded: one query for a whole night."""
    found = con.execute(
        "select distinct checksum from ops.load_audit "
        "where status = 'loaded' and checksum in (select unnest(?::varchar[]))",
        [list(checksums)],
    ).fetchall()
    return {checksum for (checksum,) in found}


def _read_text(con: duckdb.DuckDBPyConnection, read: ContractRead, columns: list[str]) -> None:
    """``extract_text``: every good row as text, with its line number.

    DuckDB reads the plain lines in file order, so a record's position (its rowid) gives its
    line; the records standing in for other lines are left out, and the rows Python read from
    those lines are added with their own numbers.
    """
    positional = {f"c{index}": "VARCHAR" for index in range(len(read.header))}
    con.execute(
        "create or replace temp table extract_plain ("
        + ", ".join(f"{name} varchar" for name in positional) + ")"
    )
    # The columns and the dialect are given: nothing is sniffed.
    dialect = {"auto_detect": False, "delimiter": ",", "quotechar": '"', "escapechar": '"',
               "strict_mode": True, "columns": positional}
    if read.whole_file:
        con.read_csv(str(read.whole_file), header=True, **dialect).insert_into("extract_plain")
    while read.batches:
        con.read_csv(io.BytesIO(read.batches.pop(0)), header=False, **dialect).insert_into(
            "extract_plain")
    named = ", ".join(
        [f"{name} as {quoted(column)}"
         for name, column in zip(positional, read.header, strict=True)]
        + [f"cast(null as varchar) as {quoted(column)}" for column in columns[len(read.header):]]
    )
    # The header is line 1, so the first record (rowid 0) is line 2.
    plain = f"select rowid + 2 as source_row_number, {named} from extract_plain"
    if not read.not_plain:
        # Every line plain (most files): no stand-in records to leave out, no parsed rows.
        con.execute(f"create or replace temp view extract_text as {plain}")
        return
    con.register("extract_parsed_frame", pandas.DataFrame(
        [[number, *values] for number, values in read.parsed_rows],
        columns=["source_row_number", *positional], dtype=object,
    ))
    con.execute(
        "create or replace temp table extract_parsed as "
        f"select cast(source_row_number as bigint) as source_row_number, "
        f"{', '.join(f'cast({name} as varchar) as {name}' for name in positional)} "
        "from extract_parsed_frame"
    )
    con.unregister("extract_parsed_frame")
    con.execute(
        "create or replace temp table extract_not_plain as select unnest(?::bigint[]) as line",
        [read.not_plain],
    )
    con.execute(
        f"create or replace temp view extract_text as {plain} "
        "where rowid + 2 not in (select line from extract_not_plain) "
        f"union all select source_row_number, {named} from extract_parsed"
    )


def read_into_temp_tables(
    con: duckdb.DuckDBPyConnection,
    extract: ExtractFile,
    wanted: Mapping[str, ColumnValues] | None = None,
    blank_columns: Sequence[str] = (),
) -> None:
    """``extract_rows`` (good rows with their line numbers) and ``extract_rejects``.

    The file is read by its contract (``csv_contract``), never by DuckDB's sniffing reader, so a
    broken line costs only its own row and no message repeats what the line held.
    ``wanted`` says which columns are guarded and which derived values (``row_values``) the
    loader's SQL reads; each is worked out once per distinct value. ``blank_columns`` are
    optional columns the file lacks (``HeaderReport.blank``): they are added empty, so every
    loader reads the same columns whatever the file held.
    """
    read = read_by_contract(extract.path, read_header(extract.path))
    columns = [*read.header, *blank_columns]
    rejected = read.rejected
    _read_text(con, read, columns)
    build_extract_rows(con, columns, wanted or {}, extract.period_end)
    con.execute("drop view extract_text")
    for table in ("extract_plain", "extract_parsed", "extract_not_plain"):
        con.execute(f"drop table if exists {table}")
    con.execute(
        "create or replace temp table extract_rejects as "
        "select unnest(?::bigint[]) as line, unnest(?::varchar[]) as reason",
        [[line.line for line in rejected], [line.reason for line in rejected]],
    )


def drop_temp_tables(con: duckdb.DuckDBPyConnection) -> None:
    # Every TEMP table and view of a load is named extract_*, those of ``row_values`` included.
    found = con.execute(
        "select 'view', view_name from duckdb_views() where temporary "
        "and starts_with(view_name, 'extract_') union all "
        "select 'table', table_name from duckdb_tables() where temporary "
        "and starts_with(table_name, 'extract_') order by 1 desc"
    ).fetchall()
    for kind, name in found:
        con.execute(f"drop {kind} if exists {quoted(name)}")


def quarantine_rows(
    con: duckdb.DuckDBPyConnection,
    rules: tuple[QuarantineRule, ...],
    load_id: str,
    name: str,
    at: datetime,
) -> str:
    """Record every unusable row; return the SQL condition that excludes them from the load.

    One pass counts the rows each rule finds; only the rules that find some are written (and
    excluded from the load): most files break few rules, and a statement per rule was a large
    part of a small file's cost.
    """
    counts = con.execute(
        "select (select count(*) from extract_rejects)"
        + "".join(f", count_if(coalesce(({rule.condition}), false))" for rule in rules)
        + " from extract_rows"
    ).fetchone() or ()
    rejected_lines, *found = counts
    if rejected_lines:
        # The raw line is never copied: it may hold identifiers.
        con.execute(
            "insert into ops.quarantine select ?, ?, line, ?, reason, null, ? from extract_rejects",
            [load_id, name, ROW_FIELD, at],
        )
    breaking = [rule for rule, count in zip(rules, found, strict=True) if count]
    for rule in breaking:
        con.execute(
            f"insert into ops.quarantine select ?, ?, source_row_number, ?, ?, {rule.value_sql}, ? "
            f"from extract_rows where {rule.condition}",
            [load_id, name, rule.field, rule.reason, at],
        )
    return " or ".join(f"coalesce(({rule.condition}), false)" for rule in breaking) or "false"


def record_load(
    con: duckdb.DuckDBPyConnection,
    extract: ExtractFile,
    load_id: str,
    rows_loaded: int,
    at: datetime,
    warning: str | None = None,
) -> LoadResult:
    """Count the file's rows in and quarantined, and write its ``ops.load_audit`` row.

    ``rows_loaded`` is the count the insert into the raw table returned (counting the raw
    table's rows of the load instead read a table that grows all night). ``warning`` (a
    tolerated header, ``HeaderReport.warning``) is kept as the audit message.
    """
    name = extract.path.name
    counts = con.execute(
        "select (select count(*) from extract_rows) "
        "+ (select count(distinct line) from extract_rejects), "
        "(select count(distinct source_row_number) from ops.quarantine where load_id = ?)",
        [load_id],
    ).fetchone()
    rows_in, rows_quarantined = (int(value) for value in counts or (0, 0))
    if rows_in == 0:
        raise ExtractRejectedError(f"{name}: has a header but no data rows")
    con.execute(
        "insert into ops.load_audit (load_id, feed, file_name, checksum, council_code, release, "
        "reporting_period_start, reporting_period_end, status, rows_in, rows_loaded, "
        "rows_quarantined, message, loaded_at, arrived_at) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, 'loaded', ?, ?, ?, ?, ?, ?)",
        [
            load_id, extract.feed, name, extract.checksum, extract.council_code, extract.release,
            extract.period_start, extract.period_end, rows_in, rows_loaded, rows_quarantined,
            warning, at, extract.arrived_at,
        ],
    )
    return LoadResult(name, extract.council_code, "loaded", rows_in, rows_loaded, rows_quarantined,
                      warning or "")


def record_rejection(
    con: duckdb.DuckDBPyConnection, extract: ExtractFile, message: str
) -> LoadResult:
    """Note a rejected file in the audit so that it is visible and is retried only if it changes."""
    con.execute(
        "insert or replace into ops.load_audit "
        "values (?, ?, ?, ?, ?, ?, ?, ?, 'rejected', 0, 0, 0, ?, ?, ?)",
        [
            f"{extract.council_code}-{extract.checksum[:16]}", extract.feed, extract.path.name,
            extract.checksum,
            extract.council_code, extract.release, extract.period_start, extract.period_end,
            message, datetime.now(UTC).replace(tzinfo=None), extract.arrived_at,
        ],
    )
    return LoadResult(extract.path.name, extract.council_code, "rejected", 0, 0, 0, message)
