"""Load a night's new files, each with its feed's loader; one rejected file never stops the rest."""

from __future__ import annotations

from pathlib import Path

import duckdb

from asc_warehouse.ingest.cld import ensure_schema, load_extract, register_functions
from asc_warehouse.ingest.file_checks import ExtractRejectedError
from asc_warehouse.ingest.landing import CLD_FEED, OPEL_FEED, ExtractFile
from asc_warehouse.ingest.loading import LoadResult, already_loaded, record_rejection
from asc_warehouse.ingest.opel import ensure_opel_schema, load_opel_extract
from asc_warehouse.ingest.person import load_person_extract
from asc_warehouse.ingest.person_feeds import PERSON_FEEDS, ensure_person_feed_schema
from asc_warehouse.ingest.pseudonymise import check_key_fingerprint


def load_extracts(build_path: Path, extracts: list[ExtractFile], key: str) -> list[LoadResult]:
    """Load every new file; a rejected file is recorded and the others still load.

    Raises ``KeyMismatchError`` before loading anything if ``key`` is not the warehouse's key.
    """
    loaders = {
        CLD_FEED: load_extract,
        OPEL_FEED: load_opel_extract,
        **dict.fromkeys(PERSON_FEEDS, load_person_extract),
    }
    build_path.parent.mkdir(parents=True, exist_ok=True)
    results: list[LoadResult] = []
    with duckdb.connect(str(build_path)) as con:
        ensure_schema(con)
        ensure_opel_schema(con)
        ensure_person_feed_schema(con)
        check_key_fingerprint(con, key)
        register_functions(con, key)
        for extract in extracts:
            if already_loaded(con, extract.checksum):
                results.append(
                    LoadResult(extract.path.name, extract.council_code, "skipped", 0, 0, 0,
                               "already loaded (same checksum)")
                )
                continue
            try:
                results.append(loaders[extract.feed](con, extract))
            except ExtractRejectedError as error:
                results.append(record_rejection(con, extract, str(error)))
    return results
