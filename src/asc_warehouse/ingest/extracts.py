"""Load a night's new files, each with its feed's loader; one rejected file never stops the rest."""

from __future__ import annotations

from pathlib import Path

import duckdb

from asc_warehouse.ingest.cld import ensure_schema, load_extract, register_functions
from asc_warehouse.ingest.file_checks import ExtractRejectedError
from asc_warehouse.ingest.landing import CLD_FEED, OPEL_FEED, ExtractFile
from asc_warehouse.ingest.loading import (
    LoadResult,
    drop_temp_tables,
    loaded_checksums,
    record_rejection,
)
from asc_warehouse.ingest.opel import ensure_opel_schema, load_opel_extract
from asc_warehouse.ingest.person import load_person_extract
from asc_warehouse.ingest.person_feeds import PERSON_FEEDS, ensure_person_feed_schema
from asc_warehouse.ingest.pseudonymise import check_key_fingerprint

# DuckDB threads of the loading connection. One thread spends less CPU on a whole file than two
# (docs/benchmarks.md, "Loading in fewer passes"): the statements are short, and a second
# thread mostly waits and hands work over.
LOAD_THREADS = 1


def load_extracts(
    build_path: Path,
    extracts: list[ExtractFile],
    key: str,
    memory_limit: str = "4GB",
    threads: int = LOAD_THREADS,
) -> list[LoadResult]:
    """Load every new file; a rejected file is recorded and the others still load.

    The connection has ``memory_limit`` and no temporary directory: the TEMP tables holding raw
    identifiers can never be spilled to disk. A file too big for the limit is rejected with a
    message saying so, and the other files still load. ``threads`` are DuckDB's threads.

    Raises ``KeyMismatchError`` before loading anything if ``key`` is not the warehouse's key.
    """
    loaders = {
        CLD_FEED: load_extract,
        OPEL_FEED: load_opel_extract,
        **dict.fromkeys(PERSON_FEEDS, load_person_extract),
    }
    build_path.parent.mkdir(parents=True, exist_ok=True)
    results: list[LoadResult] = []
    config = {"memory_limit": memory_limit, "temp_directory": "", "threads": threads}
    with duckdb.connect(str(build_path), config=config) as con:
        ensure_schema(con)
        ensure_opel_schema(con)
        ensure_person_feed_schema(con)
        check_key_fingerprint(con, key)
        register_functions(con, key)
        loaded = loaded_checksums(con, [extract.checksum for extract in extracts])
        for extract in extracts:
            if extract.checksum in loaded:
                results.append(
                    LoadResult(extract.path.name, extract.council_code, "skipped", 0, 0, 0,
                               "already loaded (same checksum)")
                )
                continue
            try:
                results.append(loaders[extract.feed](con, extract))
                # The same content twice in one night (two names) loads once, as across nights.
                loaded.add(extract.checksum)
            except ExtractRejectedError as error:
                results.append(record_rejection(con, extract, str(error)))
            except duckdb.OutOfMemoryException:
                drop_temp_tables(con)
                results.append(record_rejection(con, extract, (
                    f"{extract.path.name}: needs more memory than ASC_LOAD_MEMORY_LIMIT "
                    f"({memory_limit}) to load; raise the limit. Loading never spills to disk, "
                    "so raw identifiers stay in memory"
                )))
            except duckdb.Error as error:
                # DuckDB's own text may quote the file's values: only its kind is reported.
                drop_temp_tables(con)
                results.append(record_rejection(con, extract, (
                    f"{extract.path.name}: could not be loaded (database error "
                    f"{type(error).__name__}; its text is not shown as it may quote the file)"
                )))
    return results
