"""What every feed's loader shares: reading a file into TEMP tables, quarantine, the audit row.

A file is read by its contract (``csv_contract``) into TEMP tables of the loading connection
(kept in memory: the loading connection gives DuckDB no place to spill them); each loader then
quarantines its unusable rows, inserts the rest into its raw table and records rows in = rows
loaded + rows quarantined. Files are read as a *batch* (``start_batch``, ``read_file`` per
file, ``combine_files``): one set of TEMP tables for all of them, each row carrying its file's
number, so that the loader's statements run once per batch; a batch of one is how the feeds
other than CLD load.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

import duckdb
import pandas

from asc_warehouse.ingest.csv_contract import ROW_FIELD, read_by_contract
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


def load_id_of(extract: ExtractFile) -> str:
    """The id of a file's load; ``record_rejection`` uses it too: a file's audit rows share it."""
    return f"{extract.council_code}-{extract.checksum[:16]}"


@dataclass(frozen=True)
class FileRead:
    """One file of a batch read into TEMP tables of its own (``read_file``)."""

    extract: ExtractFile
    number: int
    """The file's ``file_number`` in the batch's tables."""
    rows_sql: str
    """SELECT of the file's good rows: file_number, source_row_number, file_period_end and the
    batch's columns."""
    tables: tuple[str, ...]
    warning: str | None = None
    """A tolerated header (``HeaderReport.warning``), kept as the audit message."""


def start_batch(con: duckdb.DuckDBPyConnection) -> None:
    """``extract_rejects``: the unreadable lines of every file of a batch, by file number."""
    con.execute(
        "create or replace temp table extract_rejects "
        "(file_number integer, line bigint, reason varchar)"
    )


def _file_tables(number: int) -> tuple[str, str, str]:
    return (f"extract_plain_{number}", f"extract_parsed_{number}",
            f"extract_not_plain_{number}")


def read_file(
    con: duckdb.DuckDBPyConnection,
    extract: ExtractFile,
    number: int,
    columns: Sequence[str],
    warning: str | None = None,
) -> FileRead:
    """Read one file of a batch by its contract (``csv_contract``) into TEMP tables of its own;
    its unreadable lines go to ``extract_rejects`` under ``number``.

    The file is read by its contract, never by DuckDB's sniffing reader, so a broken line costs
    only its own row and no message repeats what the line held. ``columns`` are the batch's
    columns: one the file lacks is read as empty, one the batch does not name is left out.
    DuckDB reads the plain lines in file order, so a record's position (its rowid) gives its
    line; the records standing in for other lines are left out, and the rows Python read from
    those lines are added with their own numbers.
    """
    read = read_by_contract(extract.path, read_header(extract.path))
    plain_table, parsed_table, not_plain_table = _file_tables(number)
    positional = {f"c{index}": "VARCHAR" for index in range(len(read.header))}
    # The columns and the dialect are given: nothing is sniffed.
    dialect = {"auto_detect": False, "delimiter": ",", "quotechar": '"', "escapechar": '"',
               "strict_mode": True, "columns": positional}
    if read.whole_file:
        # One statement, not a table and a relation: a small file's read costs 5 ms, not 8.
        columns_sql = ", ".join(f"'{name}': 'VARCHAR'" for name in positional)
        con.execute(
            f"create or replace temp table {plain_table} as select * from read_csv(?, "
            "header = true, auto_detect = false, delim = ',', quote = '\"', escape = '\"', "
            f"strict_mode = true, columns = {{{columns_sql}}})",
            [str(read.whole_file)],
        )
    else:
        con.execute(
            f"create or replace temp table {plain_table} ("
            + ", ".join(f"{name} varchar" for name in positional) + ")"
        )
    while read.batches:
        con.read_csv(io.BytesIO(read.batches.pop(0)), header=False, **dialect).insert_into(
            plain_table)
    # A stand-in record per line that is not plain; blank lines carry no row at all.
    [(plain_records,)] = con.execute(f"select count(*) from {plain_table}").fetchall()
    if not read.rejected and not read.parsed_rows and plain_records == len(read.not_plain):
        raise ExtractRejectedError(f"{extract.path.name}: has a header but no data rows")
    position = {column: index for index, column in enumerate(read.header)}
    named = ", ".join(
        f"c{position[column]} as {quoted(column)}" if column in position
        else f"cast(null as varchar) as {quoted(column)}"
        for column in columns
    )
    # The header is line 1, so the first record (rowid 0) is line 2.
    lineage = f"{number} as file_number, date '{extract.period_end.isoformat()}' as file_period_end"
    plain = f"select {lineage}, rowid + 2 as source_row_number, {named} from {plain_table}"
    if read.rejected:
        con.execute(
            "insert into extract_rejects "
            "select ?, unnest(?::bigint[]), unnest(?::varchar[])",
            [number, [line.line for line in read.rejected],
             [line.reason for line in read.rejected]],
        ).fetchall()  # DuckDB refuses ``register`` below while a result is unread
    if not read.not_plain:
        # Every line plain (most files): no stand-in records to leave out, no parsed rows.
        return FileRead(extract, number, plain, (plain_table,), warning)
    con.register("extract_parsed_frame", pandas.DataFrame(
        [[line, *values] for line, values in read.parsed_rows],
        columns=["source_row_number", *positional], dtype=object,
    ))
    con.execute(
        f"create or replace temp table {parsed_table} as "
        f"select cast(source_row_number as bigint) as source_row_number, "
        f"{', '.join(f'cast({name} as varchar) as {name}' for name in positional)} "
        "from extract_parsed_frame"
    )
    con.unregister("extract_parsed_frame")
    con.execute(
        f"create or replace temp table {not_plain_table} as "
        "select unnest(?::bigint[]) as line",
        [read.not_plain],
    )
    rows = (f"{plain} where rowid + 2 not in (select line from {not_plain_table}) "
            f"union all select {lineage}, source_row_number, {named} from {parsed_table}")
    return FileRead(extract, number, rows, (plain_table, parsed_table, not_plain_table), warning)


def forget_file(con: duckdb.DuckDBPyConnection, number: int) -> None:
    """Drop what ``read_file`` read of a file that could not be read to the end."""
    for table in _file_tables(number):
        con.execute(f"drop table if exists {table}")
    con.execute("delete from extract_rejects where file_number = ?", [number])


def combine_files(
    con: duckdb.DuckDBPyConnection,
    files: Sequence[FileRead],
    columns: Sequence[str],
    wanted: Mapping[str, ColumnValues] | None = None,
) -> None:
    """``extract_rows`` (every file's good rows, with file and line numbers) and
    ``extract_files`` (each file's load id and name), from the files ``read_file`` read.

    ``wanted`` says which columns are guarded and which derived values (``row_values``) the
    loader's SQL reads; each is worked out once per distinct value of the whole batch. Every
    statement from here on runs once per batch, not once per file: planning DuckDB's wide
    statements was most of a small file's cost.
    """
    con.execute(
        "create or replace temp table extract_files as select "
        "unnest(?::integer[]) as file_number, unnest(?::varchar[]) as load_id, "
        "unnest(?::varchar[]) as file_name, unnest(?::varchar[]) as council_code, "
        "unnest(?::varchar[]) as release",
        [[file.number for file in files], [load_id_of(file.extract) for file in files],
         [file.extract.path.name for file in files],
         [file.extract.council_code for file in files], [file.extract.release for file in files]],
    )
    con.execute("create or replace temp view extract_text as "
                + " union all ".join(f"({file.rows_sql})" for file in files))
    build_extract_rows(con, columns, wanted or {})
    con.execute("drop view extract_text")
    for file in files:
        for table in file.tables:
            con.execute(f"drop table {table}")


def read_into_temp_tables(
    con: duckdb.DuckDBPyConnection,
    extract: ExtractFile,
    wanted: Mapping[str, ColumnValues] | None = None,
    blank_columns: Sequence[str] = (),
    warning: str | None = None,
) -> FileRead:
    """One file as a batch of its own: ``extract_rows``, ``extract_files`` and
    ``extract_rejects``. ``blank_columns`` are optional columns the file lacks
    (``HeaderReport.blank``): they are added empty, so every loader reads the same columns
    whatever the file held."""
    start_batch(con)
    columns = [*read_header(extract.path), *blank_columns]
    file = read_file(con, extract, 0, columns, warning)
    combine_files(con, [file], columns, wanted)
    return file


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
    con: duckdb.DuckDBPyConnection, rules: tuple[QuarantineRule, ...], at: datetime
) -> str:
    """Record every unusable row of the batch; return the SQL condition that excludes them from
    the load.

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
            "insert into ops.quarantine select load_id, file_name, line, ?, reason, null, ? "
            "from extract_rejects join extract_files using (file_number)",
            [ROW_FIELD, at],
        )
    breaking = [rule for rule, count in zip(rules, found, strict=True) if count]
    for rule in breaking:
        con.execute(
            "insert into ops.quarantine select load_id, file_name, source_row_number, ?, ?, "
            f"{rule.value_sql}, ? from extract_rows join extract_files using (file_number) "
            f"where {rule.condition}",
            [rule.field, rule.reason, at],
        )
    return " or ".join(f"coalesce(({rule.condition}), false)" for rule in breaking) or "false"


def rows_kept(
    con: duckdb.DuckDBPyConnection, files: Sequence[FileRead], unusable: str
) -> list[int]:
    """Per file of the batch, how many of its rows the ``unusable`` condition keeps."""
    counts = dict(con.execute(
        f"select file_number, count(*) from extract_rows where not ({unusable}) group by 1"
    ).fetchall())
    return [int(counts.get(file.number, 0)) for file in files]


def record_loads(
    con: duckdb.DuckDBPyConnection,
    files: Sequence[FileRead],
    rows_loaded: Sequence[int],
    at: datetime,
    warnings: Sequence[str | None],
) -> list[LoadResult]:
    """Count each file's rows in and quarantined, and write its ``ops.load_audit`` row.

    ``rows_loaded`` are per file what the insert into the raw table kept (counting the raw
    table's rows of the load instead read a table that grows all night). ``warnings`` per file
    are kept as the audit message.
    """
    counts = {number: (int(rows_in), int(quarantined)) for number, rows_in, quarantined in
              con.execute(
        "select file_number, coalesce(good.rows, 0) + coalesce(rejected.lines, 0), "
        "coalesce(quarantined.rows, 0) from extract_files "
        "left join (select file_number, count(*) as rows from extract_rows group by 1) good "
        "using (file_number) "
        "left join (select file_number, count(distinct line) as lines from extract_rejects "
        "group by 1) rejected using (file_number) "
        "left join (select load_id, count(distinct source_row_number) as rows "
        "from ops.quarantine where load_id in (select load_id from extract_files) group by 1) "
        "quarantined using (load_id)"
    ).fetchall()}
    results: list[LoadResult] = []
    for file, loaded, warning in zip(files, rows_loaded, warnings, strict=True):
        extract = file.extract
        rows_in, rows_quarantined = counts[file.number]
        results.append(LoadResult(extract.path.name, extract.council_code, "loaded", rows_in,
                                  loaded, rows_quarantined, warning or ""))
    con.executemany(
        "insert into ops.load_audit (load_id, feed, file_name, checksum, council_code, release, "
        "reporting_period_start, reporting_period_end, status, rows_in, rows_loaded, "
        "rows_quarantined, message, loaded_at, arrived_at) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, 'loaded', ?, ?, ?, ?, ?, ?)",
        [[load_id_of(file.extract), file.extract.feed, result.file_name, file.extract.checksum,
          result.council_code, file.extract.release, file.extract.period_start,
          file.extract.period_end, result.rows_in, result.rows_loaded, result.rows_quarantined,
          warning, at, file.extract.arrived_at]
         for file, result, warning in zip(files, results, warnings, strict=True)],
    )
    return results


def record_rejection(
    con: duckdb.DuckDBPyConnection, extract: ExtractFile, message: str
) -> LoadResult:
    """Note a rejected file in the audit so that it is visible and is retried only if it changes."""
    con.execute(
        "insert or replace into ops.load_audit "
        "values (?, ?, ?, ?, ?, ?, ?, ?, 'rejected', 0, 0, 0, ?, ?, ?)",
        [
            load_id_of(extract), extract.feed, extract.path.name,
            extract.checksum,
            extract.council_code, extract.release, extract.period_start, extract.period_end,
            message, datetime.now(UTC).replace(tzinfo=None), extract.arrived_at,
        ],
    )
    return LoadResult(extract.path.name, extract.council_code, "rejected", 0, 0, 0, message)
