"""Read an extract by its contract, one row per line, without sniffing its dialect.

Every feed's contract is UTF-8, comma-delimited, ``"``-quoted with doubled quotes inside a
quoted value, one header row and one record per line (no value spans lines). Reading by that
contract, line by line, means one broken line can only ever cost its own row: a stray quote, an
over-long line, a wrong number of fields or bytes that are not UTF-8 quarantine that row, with its
line number, and every other row still loads. A dialect sniffer, by contrast, lets a few bad
bytes early in a file reject the whole file, and an unterminated quote swallow every later line.

The file is scanned in blocks at C speed (``bytes.split``, one regular expression per block),
never field by field in Python. A *plain* line, one whose values are each either unquoted (no
quote, carriage return or NUL) or quoted whole from comma to comma with only doubled quotes
inside, and which has the header's number of fields, can be read only one way: it is handed to
DuckDB's CSV reader as it is (its line number put in front), with the columns and the dialect
given, so nothing is sniffed. Every other line is judged alone by Python's ``csv`` module, as
every line once was: one that reads cleanly becomes a *parsed* row, a broken one a rejected line
with the reason. The scan works in memory only, so raw identifiers never touch disk.

Messages are this project's own words. A rejected line is never quoted back: it may hold a
person's identifiers.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import BinaryIO

# The widest CLD row (49 fields, free-text provider names and event references) is well under
# 4 KiB; 64 KiB leaves room for any honest row while an over-long line is refused cheaply.
MAX_LINE_BYTES = 64 * 1024
ROW_FIELD = "(row)"
# Read this much at a time: large enough that the per-block Python is negligible, small enough
# that a block and its split lines stay a few tens of MB.
BLOCK_BYTES = 8 << 20
# A value quoted whole, with only doubled quotes inside, on one line.
_QUOTED_VALUE = re.compile(rb'"[^"\n\r\x00]*(?:""[^"\n\r\x00]*)*"')
_PLACEHOLDER = b"\x01"
# What no plain line holds once its quoted values are blanked out: a quote, a carriage return
# or NUL, or a quoted value that does not run from comma to comma.
_UNSAFE = re.compile(rb'["\r\x00]|[^,\n]\x01|\x01[^,\n]')


@dataclass(frozen=True)
class RejectedLine:
    line: int
    """Line number in the file (the header is line 1)."""
    reason: str


@dataclass
class ContractRead:
    """The good rows of a file and the lines that could not be read."""

    header: list[str]
    plain_lines: list[bytes] = field(default_factory=list)
    """Blocks of ``<line number>,<line>\\n`` records: plain lines, for DuckDB's CSV reader."""
    parsed_rows: list[tuple[int, list[str]]] = field(default_factory=list)
    """(line number, values) of quoted lines read by Python's ``csv`` module."""
    rejected: list[RejectedLine] = field(default_factory=list)


def _blocks(handle: BinaryIO) -> Iterator[tuple[int, list[bytes | None]]]:
    """(number of the first line, lines) per block; None stands for an over-long line.

    Lines are split on ``\\n`` and lose it, as ``readline`` would split them. An over-long line
    is skipped block by block, never held whole in memory.
    """
    number = 1
    carry = b""
    skipping = False  # inside an over-long line already reported
    while block := handle.read(BLOCK_BYTES):
        if skipping:
            end = block.find(b"\n")
            if end < 0:
                continue
            block, skipping = block[end + 1:], False
        data = carry + block if carry else block
        last = data.rfind(b"\n")
        lines: list[bytes | None] = list(data[:last].split(b"\n")) if last >= 0 else []
        carry = data[last + 1:]
        if len(carry) > MAX_LINE_BYTES:
            lines.append(None)
            carry, skipping = b"", True
        if lines:
            yield number, lines
            number += len(lines)
    if carry:
        yield number, [carry]


def _judge(raw: bytes | None, expected_fields: int) -> list[str] | str | None:
    """The line's values, why it cannot be read, or None for a blank line (no record)."""
    if raw is None or len(raw) > MAX_LINE_BYTES:
        return f"unreadable row: longer than {MAX_LINE_BYTES} bytes"
    raw = raw.removesuffix(b"\r")
    if not raw.strip():
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return f"unreadable row: not UTF-8 (byte {error.start + 1} of the line)"
    if text.count('"') % 2:
        return "unreadable row: unbalanced quote (a quote is opened and never closed)"
    try:
        values = next(csv.reader([text], strict=True))
    except csv.Error:
        return "unreadable row: malformed quoting (text after a closing quote)"
    if len(values) != expected_fields:
        return f"unreadable row: {len(values)} fields where the header has {expected_fields}"
    return values


def _careful_lines(lines: list[bytes | None], expected: int) -> set[int]:
    """Indexes of the block's lines that need the careful path; found at C speed.

    A line is plain when every value is either unquoted (no quote, carriage return or NUL) or
    quoted whole, from comma to comma, with only doubled quotes inside: the one reading both
    Python's ``csv`` and DuckDB's reader agree on. Quoted values are blanked out with one
    regular expression over the block; what remains must then be exactly ``expected - 1``
    commas and nothing that could open a quote.
    """
    careful = {index for index, raw in enumerate(lines)
               if raw is None or len(raw) > MAX_LINE_BYTES}
    text = b"\n".join(raw or b"" for raw in lines) + b"\n"
    try:
        text.decode("utf-8")
    except UnicodeDecodeError:
        careful.update(index for index, raw in enumerate(lines)
                       if raw is not None and not _is_utf8(raw))
    # A CRLF line end is no part of a value; any other carriage return is.
    shadow = _QUOTED_VALUE.sub(_PLACEHOLDER, text.replace(b"\r\n", b"\n"))
    line, at = 0, 0
    for found in _UNSAFE.finditer(shadow):
        line += shadow.count(b"\n", at, found.start())
        at = found.start()
        careful.add(line)
    commas = map(bytes.count, shadow.split(b"\n")[:-1], repeat(b","))
    careful.update(index for index, count_ in enumerate(commas) if count_ != expected - 1)
    return careful


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _read_block(first: int, lines: list[bytes | None], read: ContractRead) -> None:
    expected = len(read.header)
    careful = _careful_lines(lines, expected)
    kept: list[bytes] = []
    for index, raw in enumerate(lines):
        number = first + index
        if index not in careful and raw is not None:
            kept.append(b"%d,%b" % (number, raw.removesuffix(b"\r")))
            continue
        judged = _judge(raw, expected)
        if isinstance(judged, str):
            read.rejected.append(RejectedLine(number, judged))
        elif judged is not None:
            read.parsed_rows.append((number, judged))
    if kept:
        kept.append(b"")
        read.plain_lines.append(b"\n".join(kept))


def read_by_contract(path: Path, header: list[str]) -> ContractRead:
    """The rows of ``path`` under ``header`` (already checked by ``file_checks.check_header``).

    Blank lines carry no record and are not counted as rows.
    """
    read = ContractRead(header=header)
    with path.open("rb") as handle:
        for first, lines in _blocks(handle):
            if first == 1:
                lines = lines[1:]  # the header, already checked
                first = 2
            _read_block(first, lines, read)
    return read
