"""Hostile lines and headers: each costs its own row (or its own file), never the night.

Every case asserts that the other file still loads, that the message names the file and the row,
that rows in = rows loaded + rows quarantined, and that nothing the line held is repeated.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb
import pytest

from asc_warehouse.ingest.csv_contract import MAX_LINE_BYTES
from asc_warehouse.ingest.extracts import load_extracts
from asc_warehouse.ingest.landing import parse_extract_name
from asc_warehouse.ingest.own_identifiers import NOT_STORED_OWN_IDENTIFIER
from tests.cld_files import PERSON, cld_row, write_cld_file

NAME = "CLD_820_20240401_20260331_R2.csv"
OTHER = "CLD_821_20240401_20260331_R2.csv"
# Strings of the person that no message, quarantine row or audit row may ever hold.
IDENTIFYING = ("9434765919", "943 476 5919", "MOSAIC-000123", "Winifred", "Ashdown",
               "Rochester Riverside", "ME4 4TR", "1941-07-19")


def _lines(rows: list[dict[str, str]]) -> list[bytes]:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return [line.encode("utf-8") for line in buffer.getvalue().splitlines()]


def _load_with_other(tmp_path: Path, lines: list[bytes], end: bytes = b"\n"):
    """Load the hostile file with a good file of the other council; return both results."""
    hostile = tmp_path / NAME
    hostile.write_bytes(end.join(lines) + end)
    good = write_cld_file(tmp_path / OTHER, [cld_row(), cld_row()])
    results = load_extracts(
        tmp_path / "build.duckdb", [parse_extract_name(hostile), parse_extract_name(good)], "key"
    )
    return {result.file_name: result for result in results}


def _stored_text(tmp_path: Path) -> str:
    """Everything the build file's ops tables say about the load."""
    with duckdb.connect(str(tmp_path / "build.duckdb"), read_only=True) as con:
        rows = con.execute(
            "select * from ops.quarantine union all by name select * from ops.load_audit"
        ).fetchall()
    return repr(rows)


def _quarantined(tmp_path: Path) -> list[tuple[int, str, str]]:
    with duckdb.connect(str(tmp_path / "build.duckdb"), read_only=True) as con:
        return con.execute(
            "select source_row_number, field, reason from ops.quarantine where file_name = ? "
            "order by 1", [NAME]
        ).fetchall()


def _stray_quote(line: bytes) -> bytes:
    return line.replace(b"Winifred", b'Wini"fred', 1)


def _opening_quote(line: bytes) -> bytes:
    return line.replace(b"Winifred", b'"Winifred', 1)


def _text_after_quote(line: bytes) -> bytes:
    return line.replace(b"Winifred", b'"Wini"fred', 1)


def _over_long(line: bytes) -> bytes:
    return line.replace(b"Winifred", b"Winifred " * (MAX_LINE_BYTES // 8), 1)


def _random_bytes(line: bytes) -> bytes:
    return line.replace(b"Winifred", b"\x00\xff\xfe\x81Win\x00ifred", 1)


def _extra_field(line: bytes) -> bytes:
    return line + b",Winifred"


LINE_FAULTS = [
    (_stray_quote, "unreadable row: unbalanced quote (a quote is opened and never closed)"),
    (_opening_quote, "unreadable row: unbalanced quote (a quote is opened and never closed)"),
    (_text_after_quote, "unreadable row: malformed quoting (text after a closing quote)"),
    (_over_long, f"unreadable row: longer than {MAX_LINE_BYTES} bytes"),
    (_random_bytes, "unreadable row: not UTF-8 (byte "),
    (_extra_field, "unreadable row: 50 fields where the header has 49"),
]


@pytest.mark.parametrize("line_number", [2, 4], ids=["first data row", "later row"])
@pytest.mark.parametrize(("spoil", "reason"), LINE_FAULTS, ids=[f.__name__ for f, _ in LINE_FAULTS])
def test_a_broken_line_quarantines_only_its_row(
    tmp_path: Path, spoil, reason: str, line_number: int
) -> None:
    lines = _lines([cld_row(**{"Event Reference": f"E{n}"}) for n in range(4)])
    lines[line_number - 1] = spoil(lines[line_number - 1])
    results = _load_with_other(tmp_path, lines)
    hostile = results[NAME]
    assert (hostile.status, hostile.rows_in, hostile.rows_loaded, hostile.rows_quarantined) == (
        "loaded", 4, 3, 1,
    )
    [(row, field, recorded)] = _quarantined(tmp_path)
    assert (row, field) == (line_number, "(row)")
    assert recorded.startswith(reason)
    assert results[OTHER].status == "loaded" and results[OTHER].rows_loaded == 2
    stored = _stored_text(tmp_path)
    assert not [value for value in IDENTIFYING if value in stored]


def test_crlf_line_ends_are_read(tmp_path: Path) -> None:
    results = _load_with_other(tmp_path, _lines([cld_row(), cld_row()]), end=b"\r\n")
    assert (results[NAME].status, results[NAME].rows_loaded) == ("loaded", 2)
    with duckdb.connect(str(tmp_path / "build.duckdb"), read_only=True) as con:
        # The last field of each row must not keep the carriage return.
        assert con.execute(
            "select count(*) from raw.cld_events where contains(planned_units_per_week, chr(13))"
        ).fetchone() == (0,)


def _duplicated_header(lines: list[bytes]) -> list[bytes]:
    header = lines[0].split(b",")
    header[header.index(b"Gender")] = b"Ethnicity"
    return [b",".join(header), *lines[1:]]


FILE_FAULTS = [
    (_duplicated_header, b"\n",
     "header repeats ['Ethnicity']: each field must appear once"),
    (lambda lines: lines, b"\r",
     "lines end in CR only (old Mac style); save with LF or CRLF line ends"),
    (lambda lines: [b"Winifred " * MAX_LINE_BYTES, *lines[1:]], b"\n",
     f"header is longer than {MAX_LINE_BYTES} bytes"),
]


@pytest.mark.parametrize(("spoil", "end", "message"), FILE_FAULTS,
                         ids=["duplicated column", "CR-only", "over-long header"])
def test_a_broken_file_is_rejected_clearly_and_the_other_loads(
    tmp_path: Path, spoil, end: bytes, message: str
) -> None:
    results = _load_with_other(tmp_path, spoil(_lines([cld_row(), cld_row()])), end)
    assert results[NAME].status == "rejected"
    assert results[NAME].message.startswith(f"{NAME}: {message}")
    assert (results[OTHER].status, results[OTHER].rows_loaded) == ("loaded", 2)
    with duckdb.connect(str(tmp_path / "build.duckdb"), read_only=True) as con:
        assert con.execute(
            "select count(*) from raw.cld_events where source_file = ?", [NAME]
        ).fetchone() == (0,)
    assert "Winifred" not in _stored_text(tmp_path)


def test_the_person_is_really_in_the_test_lines() -> None:
    # Guards the assertions above: the identifiers searched for are what the rows hold.
    line = _lines([cld_row()])[1].decode("utf-8")
    assert all(value in line for value in IDENTIFYING if value != "9434765919")
    assert PERSON["NHS Number"].replace(" ", "") == "9434765919"


def test_an_identifier_keyed_into_a_kept_field_is_not_stored(tmp_path: Path) -> None:
    # A shifted row: a name in a coded field, an NHS number in a number field and, in text fields,
    # an NHS number, a postcode and a date, all SOMEONE ELSE's (not the row's own identifiers):
    # only their shape keeps them out. The real codes and references still load.
    rows = [cld_row(**{"Gender": "Winifred", "Event Reference": "450 557 7104",
                       "Unit Cost": "4505577104", "Dementia": "1950-02-03",
                       "Provider CQC Location Name": "Flat 2, CT1 2AB",
                       "Provider CQC Location ID": "1-1234567890",
                       "Planned units per week": "12.5"})]
    results = _load_with_other(tmp_path, _lines(rows))
    assert results[NAME].rows_loaded == 1
    assert results[NAME].message == ""
    with duckdb.connect(str(tmp_path / "build.duckdb"), read_only=True) as con:
        stored = con.execute(
            "select gender, event_reference, unit_cost, dementia, provider_cqc_location_name, "
            "provider_cqc_location_id, planned_units_per_week, service_type "
            "from raw.cld_events where source_file = ?", [NAME]).fetchone()
    shape = "(value not stored: wrong shape for the field)"
    assert stored == (shape, shape, shape, shape, shape, "1-1234567890", "12.5",
                      "Long term support: Community")


def test_the_rows_own_identifier_in_a_text_field_is_withheld_as_its_own(tmp_path: Path) -> None:
    # The row's own NHS number and date of birth in text fields: withheld as the person's own
    # identifiers (before the shape guard), counted in the warning.
    rows = [cld_row(**{"Gender": "Winifred", "Event Reference": "943 476 5919",
                       "Unit Cost": "9434765919", "Dementia": "1941-07-19"})]
    results = _load_with_other(tmp_path, _lines(rows))
    assert results[NAME].rows_loaded == 1
    with duckdb.connect(str(tmp_path / "build.duckdb"), read_only=True) as con:
        stored = con.execute(
            "select gender, event_reference, unit_cost, dementia from raw.cld_events "
            "where source_file = ?", [NAME]).fetchone()
    shape = "(value not stored: wrong shape for the field)"
    assert stored == (shape, NOT_STORED_OWN_IDENTIFIER, shape, NOT_STORED_OWN_IDENTIFIER)


def test_a_rows_own_identifier_in_a_kept_free_text_field_is_not_stored(tmp_path: Path) -> None:
    rows = [
        # The full name, in either order, in any case and spacing.
        cld_row(**{"Event Reference": "Ref WINIFRED ASHDOWN 7", "Provider CQC Location Name":
                   " ashdown, winifred ", "Review Outcomes Achieved": "met, per Winifred Ashdown"}),
        # Someone else's row: a provider sharing this person's surname is that provider's name.
        cld_row(**{"First Name": "Ada", "Last Name": "Smith",
                   "Provider CQC Location Name": "Ashdown House"}),
        # A name is whole words, so A King is not found in A Kingsmead.
        cld_row(**{"First Name": "A", "Last Name": "King", "Provider CQC Location Name":
                   "A Kingsmead Care Home"}),
        # The NHS number with dashes and the postcode with two spaces have no identifier shape.
        cld_row(**{"Event Reference": "943-476-5919", "Provider CQC Location Name": "me4  4tr"}),
        cld_row(**{"Event Start Date": "not a date", "Event Reference": "Winifred Ashdown"}),
    ]
    results = _load_with_other(tmp_path, _lines(rows))
    hostile = results[NAME]
    assert (hostile.rows_in, hostile.rows_loaded, hostile.rows_quarantined) == (5, 4, 1)
    # Counted as read, the quarantined row's value too: none of them is stored.
    assert hostile.message == (
        "6 kept free-text value(s) held the person's own full name, NHS number, date of birth, "
        "postcode or local person identifier and were not stored (Event Reference 3, Provider "
        "CQC Location Name 2, Review Outcomes Achieved 1)"
    )
    with duckdb.connect(str(tmp_path / "build.duckdb"), read_only=True) as con:
        stored = con.execute(
            "select source_row_number, event_reference, provider_cqc_location_name, "
            "review_outcomes_achieved from raw.cld_events where source_file = ? order by 1",
            [NAME]).fetchall()
        [audit_message] = con.execute(
            "select message from ops.load_audit where file_name = ?", [NAME]).fetchone()
    withheld = NOT_STORED_OWN_IDENTIFIER
    assert stored == [
        (2, withheld, withheld, withheld),
        (3, "EVT1", "Ashdown House", None),
        (4, "EVT1", "A Kingsmead Care Home", None),
        (5, withheld, withheld, None),
    ]
    assert audit_message == hostile.message
    assert results[OTHER].message == ""


def _stored_free_text(tmp_path: Path) -> list[tuple[int, str | None, str | None, str | None]]:
    with duckdb.connect(str(tmp_path / "build.duckdb"), read_only=True) as con:
        return con.execute(
            "select source_row_number, event_reference, provider_cqc_location_name, "
            "review_outcomes_achieved from raw.cld_events where source_file = ? order by 1",
            [NAME]).fetchall()


def test_text_that_only_looks_like_the_persons_identifiers_is_stored(tmp_path: Path) -> None:
    # Shapes of real extracts that are not the person's identifier: a placeholder postcode,
    # date of birth or name; a surname alone (a care home's, a provider's); a first name alone;
    # a local id too short to be told from a number, or inside a longer token.
    rows = [
        cld_row(**{"Postcode": "UNKNOWN", "Provider CQC Location Name": "Unknown provider"}),
        cld_row(**{"Postcode": "NOT KNOWN", "Review Outcomes Achieved": "Not known"}),
        cld_row(**{"First Name": "Unknown", "Last Name": "Unknown",
                   "Event Reference": "Unknown", "Review Outcomes Achieved": "unknown yet"}),
        cld_row(**{"Last Name": "Hall", "Provider CQC Location Name": "Oak Hall Care Home"}),
        cld_row(**{"Last Name": "King", "Provider CQC Location Name": "King's Lodge"}),
        cld_row(**{"Event Reference": "Ref WINIFRED 7", "Provider CQC Location Name":
                   "Ashdown House", "Review Outcomes Achieved": "met, per Winifred"}),
        cld_row(**{"LA Person Unique Identifier": "12345", "Event Reference": "REF-12345"}),
        cld_row(**{"LA Person Unique Identifier": "000123", "Event Reference": "EVT0001234"}),
        # Not a date: quarantined, and its text is not counted as withheld either.
        cld_row(**{"Date of Birth": "not known", "Review Outcomes Achieved": "not known"}),
    ]
    results = _load_with_other(tmp_path, _lines(rows))
    hostile = results[NAME]
    assert (hostile.rows_in, hostile.rows_loaded, hostile.rows_quarantined) == (9, 8, 1)
    assert hostile.message == ""
    assert _stored_free_text(tmp_path) == [
        (2, "EVT1", "Unknown provider", None),
        (3, "EVT1", None, "Not known"),
        (4, "Unknown", None, "unknown yet"),
        (5, "EVT1", "Oak Hall Care Home", None),
        (6, "EVT1", "King's Lodge", None),
        (7, "Ref WINIFRED 7", "Ashdown House", "met, per Winifred"),
        (8, "REF-12345", None, None),
        (9, "EVT0001234", None, None),
    ]


def test_the_persons_full_name_and_local_id_are_not_stored(tmp_path: Path) -> None:
    rows = [
        cld_row(**{"Event Reference": "ASHDOWN Winifred", "Provider CQC Location Name":
                   "c/o winifred  ashdown", "Review Outcomes Achieved": "Ashdown, Winifred: met"}),
        # A name with an apostrophe is the same words in the name and in the text.
        cld_row(**{"First Name": "Mary", "Last Name": "O'Brien",
                   "Review Outcomes Achieved": "seen by Mary O'Brien"}),
        # Event references often embed the local id: found as whole words, in any case.
        cld_row(**{"Event Reference": "MOSAIC-000123/ASM/1",
                   "Review Outcomes Achieved": "see mosaic 000123"}),
        # The shortest local id looked for.
        cld_row(**{"LA Person Unique Identifier": "AB1234", "Event Reference": "AB1234/2"}),
        cld_row(**{"Provider CQC Location Name": "me44tr",
                   "Review Outcomes Achieved": "born 1941-07-19"}),
    ]
    results = _load_with_other(tmp_path, _lines(rows))
    hostile = results[NAME]
    assert (hostile.rows_in, hostile.rows_loaded, hostile.rows_quarantined) == (5, 5, 0)
    assert hostile.message == (
        "9 kept free-text value(s) held the person's own full name, NHS number, date of birth, "
        "postcode or local person identifier and were not stored (Event Reference 3, Provider "
        "CQC Location Name 2, Review Outcomes Achieved 4)"
    )
    withheld = NOT_STORED_OWN_IDENTIFIER
    assert _stored_free_text(tmp_path) == [
        (2, withheld, withheld, withheld),
        (3, "EVT1", None, withheld),
        (4, withheld, None, withheld),
        (5, withheld, None, None),
        (6, "EVT1", withheld, withheld),
    ]
