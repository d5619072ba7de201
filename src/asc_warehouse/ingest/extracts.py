"""Load a night's new files, each with its feed's loader; one rejected file never stops the rest."""

from __future__ import annotations

from pathlib import Path

import duckdb

from asc_warehouse.ingest.cld import (
    ensure_schema,
    load_cld_files,
    read_cld_file,
    register_functions,
)
from asc_warehouse.ingest.file_checks import ExtractRejectedError
from asc_warehouse.ingest.landing import CLD_FEED, OPEL_FEED, ExtractFile
from asc_warehouse.ingest.loading import (
    FileRead,
    LoadResult,
    drop_temp_tables,
    loaded_checksums,
    record_rejection,
    start_batch,
)
from asc_warehouse.ingest.opel import ensure_opel_schema, load_opel_extract
from asc_warehouse.ingest.person import load_person_extract
from asc_warehouse.ingest.person_feeds import PERSON_FEEDS, ensure_person_feed_schema
from asc_warehouse.ingest.pseudonymise import check_key_fingerprint

# DuckDB threads of the loading connection. One thread spends less CPU on a whole file than two
# (docs/benchmarks.md, "Loading in fewer passes"): the statements are short, and a second
# thread mostly waits and hands work over.
LOAD_THREADS = 1
# CLD files load in batches, each batch's statements planned and committed once: most of a
# small file's cost was DuckDB planning the loader's wide statements, once per file whatever
# its size (docs/benchmarks.md, "Loading in batches"). A batch holds at most this many files
# and this many bytes of them (its rows sit in memory, as a big file's do); a bigger file
# loads alone.
BATCH_FILES = 64
BATCH_BYTES = 16 << 20


def _rejection(
    con: duckdb.DuckDBPyConnection, extract: ExtractFile, error: Exception, memory_limit: str
) -> LoadResult:
    """Record a file that could not be loaded, with a message that never quotes the file."""
    if isinstance(error, ExtractRejectedError):
        return record_rejection(con, extract, str(error))
    if isinstance(error, duckdb.OutOfMemoryException):
        return record_rejection(con, extract, (
            f"{extract.path.name}: needs more memory than ASC_LOAD_MEMORY_LIMIT "
            f"({memory_limit}) to load; raise the limit. Loading never spills to disk, "
            "so raw identifiers stay in memory"
        ))
    # DuckDB's own text may quote the file's values: only its kind is reported.
    return record_rejection(con, extract, (
        f"{extract.path.name}: could not be loaded (database error "
        f"{type(error).__name__}; its text is not shown as it may quote the file)"
    ))


def _load_cld_batch(
    con: duckdb.DuckDBPyConnection, batch: list[ExtractFile], memory_limit: str
) -> list[LoadResult]:
    """Load a batch of CLD files together; if the batch fails, each file again alone, so that
    one failing file never stops the others (nor leaves any of its rows)."""
    results: dict[int, LoadResult] = {}
    read: list[FileRead] = []
    start_batch(con)
    for number, extract in enumerate(batch):
        try:
            read.append(read_cld_file(con, extract, number))
        except (duckdb.Error, ExtractRejectedError) as error:
            results[number] = _rejection(con, extract, error, memory_limit)
    if read:
        try:
            results.update(zip((file.number for file in read),
                               load_cld_files(con, read), strict=True))
        except duckdb.Error as error:
            if len(batch) == 1:
                results[0] = _rejection(con, batch[0], error, memory_limit)
            else:
                for file in read:
                    [results[file.number]] = _load_cld_batch(con, [file.extract], memory_limit)
    return [results[number] for number in range(len(batch))]


def load_extracts(
    build_path: Path,
    extracts: list[ExtractFile],
    key: str,
    memory_limit: str = "4GB",
    threads: int = LOAD_THREADS,
) -> list[LoadResult]:
    """Load every new file; a rejected file is recorded and the others still load.

    CLD files load in batches (``BATCH_FILES``, ``BATCH_BYTES``), other feeds' files one by one.
    The connection has ``memory_limit`` and no temporary directory: the TEMP tables holding raw
    identifiers can never be spilled to disk. A file too big for the limit is rejected with a
    message saying so, and the other files still load. ``threads`` are DuckDB's threads.
    Results come in the order of ``extracts``.

    Raises ``KeyMismatchError`` before loading anything if ``key`` is not the warehouse's key.
    """
    loaders = {
        OPEL_FEED: load_opel_extract,
        **dict.fromkeys(PERSON_FEEDS, load_person_extract),
    }
    build_path.parent.mkdir(parents=True, exist_ok=True)
    results: dict[int, LoadResult] = {}
    config = {"memory_limit": memory_limit, "temp_directory": "", "threads": threads}
    with duckdb.connect(str(build_path), config=config) as con:
        ensure_schema(con)
        ensure_opel_schema(con)
        ensure_person_feed_schema(con)
        check_key_fingerprint(con, key)
        register_functions(con, key)
        loaded = loaded_checksums(con, [extract.checksum for extract in extracts])
        batch: dict[int, ExtractFile] = {}
        batch_bytes: dict[int, int] = {}

        def load_batch() -> None:
            for index, result in zip(batch, _load_cld_batch(con, list(batch.values()),
                                                            memory_limit), strict=True):
                results[index] = result
                if result.status == "loaded":
                    loaded.add(batch[index].checksum)
            batch.clear()
            batch_bytes.clear()

        for index, extract in enumerate(extracts):
            if extract.checksum in {pending.checksum for pending in batch.values()}:
                load_batch()  # the same content twice: whether it loads depends on the first
            if extract.checksum in loaded:
                results[index] = LoadResult(extract.path.name, extract.council_code, "skipped",
                                            0, 0, 0, "already loaded (same checksum)")
                continue
            if extract.feed == CLD_FEED:
                size = extract.path.stat().st_size
                if batch and (len(batch) == BATCH_FILES
                              or size + sum(batch_bytes.values()) > BATCH_BYTES):
                    load_batch()
                batch[index], batch_bytes[index] = extract, size
                continue
            try:
                results[index] = loaders[extract.feed](con, extract)
                # The same content twice in one night (two names) loads once, as across nights.
                loaded.add(extract.checksum)
            except (duckdb.Error, ExtractRejectedError) as error:
                if not isinstance(error, ExtractRejectedError):
                    drop_temp_tables(con)
                results[index] = _rejection(con, extract, error, memory_limit)
        if batch:
            load_batch()
    return [results[index] for index in range(len(extracts))]
