"""Many files in one night on one connection: each file still loads, or fails, on its own.

The loader cuts its fixed cost per file (one query for the night's loaded checksums, one table
of distinct values for all columns, quarantine rules written only when they find rows); these
tests hold what must not change with it: a file that fails rolls back only its own rows, the
same content is never loaded twice, and values are worked out per column.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from asc_warehouse.ingest import cld, extracts
from asc_warehouse.ingest.cld import NOT_STORED
from asc_warehouse.ingest.cld_schema import expected_header
from asc_warehouse.ingest.extracts import load_extracts
from asc_warehouse.ingest.landing import parse_extract_name
from asc_warehouse.ingest.own_identifiers import NOT_STORED_OWN_IDENTIFIER
from asc_warehouse.ingest.pseudonymise import keyed_hasher
from tests.cld_files import cld_row, write_cld_file

KEY = "test-key"


def _file(tmp_path: Path, name: str, rows: list[dict[str, str]],
          header: list[str] | None = None) -> Path:
    return write_cld_file(tmp_path / "landing" / name, rows, header)


def _query(tmp_path: Path, sql: str, parameters: list[object] | None = None) -> list[tuple]:
    with duckdb.connect(str(tmp_path / "build.duckdb"), read_only=True) as con:
        return con.execute(sql, parameters or []).fetchall()


def test_a_file_failing_after_its_insert_rolls_back_only_its_own_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken_row = {"Event Reference": "EVT9", "Event Start Date": ""}
    names = [f"CLD_{council}_20240401_20260331_R2.csv" for council in ("820", "821", "104")]
    # Each file's own first event, so no two files share a checksum.
    paths = [_file(tmp_path, name, [cld_row(**{"Event Reference": name}), cld_row(**broken_row)])
             for name in names]
    record_loads = cld.record_loads

    def fail_for_medway(con, files, *arguments):
        # Its rows and quarantine are written by now, and so are those of the files loaded in
        # the same batch.
        if any(file.extract.council_code == "821" for file in files):
            raise duckdb.ConversionException("simulated failure after the insert")
        return record_loads(con, files, *arguments)

    monkeypatch.setattr(cld, "record_loads", fail_for_medway)
    results = load_extracts(tmp_path / "build.duckdb",
                            [parse_extract_name(path) for path in paths], KEY)

    assert [(result.council_code, result.status) for result in results] == [
        ("820", "loaded"), ("821", "rejected"), ("104", "loaded")]
    assert "could not be loaded (database error ConversionException" in results[1].message
    for result in (results[0], results[2]):
        assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (2, 1, 1)
    assert _query(tmp_path, "select council_code, count(*) from raw.cld_events "
                  "group by 1 order by 1") == [("104", 1), ("820", 1)]
    assert _query(tmp_path, "select file_name, source_row_number from ops.quarantine "
                  "order by 1") == [(names[2], 3), (names[0], 3)]
    assert _query(tmp_path, "select council_code, status, rows_in, rows_loaded, "
                  "rows_quarantined from ops.load_audit order by 1") == [
        ("104", "loaded", 2, 1, 1), ("820", "loaded", 2, 1, 1), ("821", "rejected", 0, 0, 0)]


def test_the_same_content_under_two_names_in_one_night_loads_once(tmp_path: Path) -> None:
    first = _file(tmp_path, "CLD_821_20240401_20260331_R2.csv", [cld_row(), cld_row()])
    second = tmp_path / "landing" / "CLD_821_20240402_20260331_R2.csv"
    second.write_bytes(first.read_bytes())
    results = load_extracts(tmp_path / "build.duckdb",
                            [parse_extract_name(first), parse_extract_name(second)], KEY)
    assert [(result.status, result.rows_loaded) for result in results] == [
        ("loaded", 2), ("skipped", 0)]
    assert _query(tmp_path, "select count(*) from raw.cld_events") == [(2,)]
    assert _query(tmp_path, "select status from ops.load_audit") == [("loaded",)]


def test_the_same_text_in_two_columns_is_worked_out_for_each_column(tmp_path: Path) -> None:
    # "Winifred" is not a gender code (guarded: not stored) but is a usable local person id
    # (hashed); one table holds both columns' distinct values, each answer for its own column.
    path = _file(tmp_path, "CLD_821_20240401_20260331_R2.csv", [
        cld_row(**{"Gender": "Winifred", "LA Person Unique Identifier": "Winifred"}),
        cld_row(**{"Gender": "Female", "LA Person Unique Identifier": "Female",
                   "Event Reference": "EVT2"}),
    ])
    [result] = load_extracts(tmp_path / "build.duckdb", [parse_extract_name(path)], KEY)
    assert (result.rows_in, result.rows_loaded) == (2, 2)
    hashed = keyed_hasher(KEY)
    assert _query(tmp_path, "select gender, la_person_id_pseudo from raw.cld_events "
                  "order by event_reference") == [
        (NOT_STORED, hashed("Winifred")), ("Female", hashed("Female"))]


def _batches(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The file names of each batch ``load_cld_files`` is given, as the loader calls it."""
    batches: list[list[str]] = []
    load_cld_files = extracts.load_cld_files

    def recorded(con, files):
        batches.append([file.extract.path.name for file in files])
        return load_cld_files(con, files)

    monkeypatch.setattr(extracts, "load_cld_files", recorded)
    return batches


def test_files_loaded_in_one_batch_keep_their_own_rows_quarantine_and_warnings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    batches = _batches(monkeypatch)
    kent = _file(tmp_path, "CLD_820_20240401_20260331_R2.csv", [
        cld_row(**{"Event Reference": "EVT-A1"}),
        cld_row(**{"Event Reference": "EVT-A2", "Event Start Date": ""}),
    ])
    medway = _file(tmp_path, "CLD_821_20240401_20260331_R2.csv", [
        cld_row(**{"Event Reference": "EVT-B1"}),
        cld_row(**{"Event Reference": "Winifred Ashdown visit"}),
        cld_row(**{"Event Reference": "EVT-B3"}),
    ])
    other = _file(tmp_path, "CLD_104_20240401_20260331_R2.csv", [
        cld_row(**{"Event Reference": "EVT-C1"})])
    with other.open("a", encoding="utf-8") as handle:
        handle.write("too,few,fields\n")  # line 3

    results = load_extracts(tmp_path / "build.duckdb",
                            [parse_extract_name(path) for path in (kent, medway, other)], KEY)

    assert batches == [[kent.name, medway.name, other.name]]
    assert [(result.council_code, result.rows_in, result.rows_loaded, result.rows_quarantined)
            for result in results] == [("820", 2, 1, 1), ("821", 3, 3, 0), ("104", 2, 1, 1)]
    assert (results[0].message, results[2].message) == ("", "")
    assert results[1].message.endswith("(Event Reference 1)")
    assert _query(tmp_path, "select file_name, source_row_number, field from ops.quarantine "
                  "order by 1") == [(other.name, 3, "(row)"), (kent.name, 3, "Event Start Date")]
    assert _query(tmp_path, "select source_file, event_reference from raw.cld_events "
                  "order by 1, 2") == [
        (other.name, "EVT-C1"), (kent.name, "EVT-A1"),
        (medway.name, NOT_STORED_OWN_IDENTIFIER), (medway.name, "EVT-B1"),
        (medway.name, "EVT-B3")]
    assert _query(tmp_path, "select file_name, rows_in, rows_loaded, rows_quarantined "
                  "from ops.load_audit order by 1") == [
        (other.name, 2, 1, 1), (kent.name, 2, 1, 1), (medway.name, 3, 3, 0)]


def test_a_file_rejected_as_it_is_read_leaves_the_rest_of_its_batch_loading_together(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    batches = _batches(monkeypatch)
    good = [_file(tmp_path, f"CLD_{council}_20240401_20260331_R2.csv",
                  [cld_row(**{"Event Reference": council})]) for council in ("820", "821")]
    header_only = _file(tmp_path, "CLD_104_20240401_20260331_R2.csv", [])
    repeated = _file(tmp_path, "CLD_107_20240401_20260331_R2.csv", [cld_row()],
                     header=[*expected_header(), "Gender"])
    paths = [good[0], header_only, repeated, good[1]]

    results = load_extracts(tmp_path / "build.duckdb",
                            [parse_extract_name(path) for path in paths], KEY)

    assert batches == [[good[0].name, good[1].name]]
    assert [(result.council_code, result.status) for result in results] == [
        ("820", "loaded"), ("104", "rejected"), ("107", "rejected"), ("821", "loaded")]
    assert results[1].message == f"{header_only.name}: has a header but no data rows"
    assert "header repeats ['Gender']" in results[2].message
    assert _query(tmp_path, "select council_code, count(*) from raw.cld_events "
                  "group by 1 order by 1") == [("820", 1), ("821", 1)]


@pytest.mark.parametrize(("files", "size", "expected"), [
    (2, 1 << 20, [2, 2, 1]),  # by the number of files
    (64, 1, [1, 1, 1, 1, 1]),  # by size: every file is bigger than a batch may be
])
def test_a_batch_holds_at_most_its_number_of_files_and_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: int, size: int, expected: list[int]
) -> None:
    batches = _batches(monkeypatch)
    monkeypatch.setattr(extracts, "BATCH_FILES", files)
    monkeypatch.setattr(extracts, "BATCH_BYTES", size)
    paths = [_file(tmp_path, f"CLD_{council}_20240401_20260331_R2.csv",
                   [cld_row(**{"Event Reference": council})])
             for council in ("820", "821", "104", "107", "108")]
    results = load_extracts(tmp_path / "build.duckdb",
                            [parse_extract_name(path) for path in paths], KEY)
    assert [len(batch) for batch in batches] == expected
    assert [result.rows_loaded for result in results] == [1] * 5
