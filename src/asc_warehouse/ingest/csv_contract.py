"""Read an extract by its contract, one row per line, without sniffing its dialect.

Every feed's contract is UTF-8, comma-delimited, ``"``-quoted with doubled quotes inside a
quoted value, one header row and one record per line (no value spans lines). Reading by that
contract, line by line, means one broken line can only ever cost its own row: a stray quote, an
over-long line, a wrong number of fields or bytes that are not UTF-8 quarantine that row, with its
line number, and every other row still loads. A dialect sniffer, by contrast, lets a few bad
bytes early in a file reject the whole file, and an unterminated quote swallow every later line.

The file is scanned in blocks at C speed (``bytes.split`` on quotes and line ends, ``bytes.count``),
never line by line or field by field in Python. A *plain* line, one whose values are each
either unquoted or quoted whole from comma to comma with only doubled quotes inside, with no
carriage return (but a CRLF line end) or NUL, and with the header's number of fields, can be
read only one way, and Python's ``csv`` module and DuckDB's CSV reader read it alike. The plain
lines go to DuckDB as they stand, with the columns and the dialect given, so nothing is sniffed.
Every other line is judged alone by Python's ``csv`` module, as every line once was: one that
reads cleanly becomes a *parsed* row, a broken one a rejected line with the reason; in the text
DuckDB reads, its place is kept by an empty record, so a row's position still gives its line
number. The scan works in memory only, so raw identifiers never touch disk.

Messages are this project's own words. A rejected line is never quoted back: it may hold a
person's identifiers.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import BinaryIO

# The widest CLD row (49 fields, free-text provider names and event references) is well under
# 4 KiB; 64 KiB leaves room for any honest row while an over-long line is refused cheaply.
MAX_LINE_BYTES = 64 * 1024
ROW_FIELD = "(row)"
# Text of one scanning block, and of one batch handed to DuckDB.
SCAN_BYTES = 1 << 20
BATCH_BYTES = 32 << 20
# Where a quoted value may start or end: next to a comma or a line end.
_BOUNDS = (b",", b"\n")


@dataclass(frozen=True)
class RejectedLine:
    line: int
    """Line number in the file (the header is line 1)."""
    reason: str


@dataclass
class ContractRead:
    """Every line of a file after the header, as DuckDB's CSV text and Python's rows."""

    header: list[str]
    batches: list[bytes] = field(default_factory=list)
    """CSV text of every line from line 2 on, in order: the n-th record is line n + 1. A line
    that is not plain is an empty record here (its number is in ``not_plain``)."""
    not_plain: list[int] = field(default_factory=list)
    parsed_rows: list[tuple[int, list[str]]] = field(default_factory=list)
    """(line number, values) of lines that are not plain but read cleanly."""
    rejected: list[RejectedLine] = field(default_factory=list)
    whole_file: Path | None = None
    """The file itself when DuckDB may read it as it stands (then ``batches`` is empty): every
    line after the header is plain, no byte is a carriage return, and the header has no quote,
    so DuckDB's header is the first line and its n-th record is line n + 1."""


def _blocks(handle: BinaryIO) -> Iterator[tuple[int, list[bytes | None]]]:
    """(number of the first line, lines) per block; None stands for an over-long line.

    Lines are split on ``\\n`` and lose it, as ``readline`` would split them. An over-long line
    is skipped block by block, never held whole in memory.
    """
    number = 1
    carry = b""
    skipping = False  # inside an over-long line already reported
    while block := handle.read(SCAN_BYTES):
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


def _outside_quotes(text: bytes, bounds: tuple[bytes, ...]) -> bytes | None:
    """``text`` without its quoted values, or None unless every quoted value is quoted whole.

    ``text`` starts and ends with a bound. Split on quotes, the odd pieces are inside quotes and
    the even ones outside; an empty piece between two inside pieces is a doubled quote.
    """
    pieces = text.split(b'"')
    if len(pieces) % 2 == 0:
        return None
    inside = b'"'.join(pieces[1::2])
    if b"\n" in inside or b"\r" in inside or b"\x00" in inside:
        return None
    outside = pieces[0::2]
    if len(outside) > 1 and not (outside[0].endswith(bounds) and outside[-1].startswith(bounds)):
        return None
    between = list(filter(None, outside[1:-1]))
    if not (all(map(bytes.startswith, between, repeat(bounds)))
            and all(map(bytes.endswith, between, repeat(bounds)))):
        return None
    return b"".join(outside)


def _is_plain(raw: bytes, expected_fields: int) -> bool:
    raw = raw.removesuffix(b"\r")
    if b"\r" in raw or b"\x00" in raw or not _is_utf8(raw):
        return False
    shadow = _outside_quotes(b"," + raw + b",", (b",",))
    return shadow is not None and shadow.count(b",") == expected_fields + 1


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _not_plain(lines: list[bytes | None], expected_fields: int) -> set[int]:
    """Indexes of the block's lines that are not plain, found for the block as a whole; only a
    block whose quoting is not plain throughout is looked at line by line."""
    if expected_fields < 2:  # a blank line would pass for a record of one empty value
        return set(range(len(lines)))
    # Each test below runs at C speed over the whole block; Python loops over its lines only
    # when the block holds a line that fails one.
    careful: set[int] = set()
    if None in lines or max(map(len, lines)) > MAX_LINE_BYTES:  # type: ignore[arg-type]
        careful = {index for index, raw in enumerate(lines)
                   if raw is None or len(raw) > MAX_LINE_BYTES}
    body = b"\n".join(b"" if raw is None or index in careful else raw
                      for index, raw in enumerate(lines)) if careful else b"\n".join(lines)
    text = b"\n" + body + b"\n"
    if b"\r" in text:  # a CRLF line end is no part of a value; any other carriage return is
        text = text.replace(b"\r\n", b"\n")
    shadow = _outside_quotes(text, _BOUNDS) if body.isascii() or _is_utf8(body) else None
    if shadow is None or b"\r" in shadow or b"\x00" in shadow:
        return careful | {index for index, raw in enumerate(lines)
                          if index not in careful and not _is_plain(raw, expected_fields)}
    commas = list(map(bytes.count, shadow.split(b"\n")[1:-1], repeat(b",")))
    if commas.count(expected_fields - 1) == len(commas):
        return careful  # empty: a careful line is an empty line here, with no comma
    return careful | {index for index, count_ in enumerate(commas)
                      if count_ != expected_fields - 1}


def _read_block(first: int, lines: list[bytes | None], read: ContractRead) -> bytes:
    """The block's CSV text for DuckDB, CRLF line ends as they stand; lines that are not plain
    are judged here."""
    expected = len(read.header)
    not_plain = _not_plain(lines, expected)
    if not not_plain:
        return b"\n".join([*lines, b""])  # type: ignore[list-item]
    empty_record = b'""' + b"," * (expected - 1)
    for index in sorted(not_plain):
        number = first + index
        judged = _judge(lines[index], expected)
        if isinstance(judged, str):
            read.rejected.append(RejectedLine(number, judged))
        elif judged is not None:
            read.parsed_rows.append((number, judged))
        lines[index] = empty_record
        read.not_plain.append(number)
    return b"\n".join([*lines, b""])  # type: ignore[list-item]


def read_by_contract(path: Path, header: list[str]) -> ContractRead:
    """The rows of ``path`` under ``header`` (already checked by ``file_checks.check_header``).

    Blank lines carry no record and are not counted as rows.
    """
    read = ContractRead(header=header)
    batch: list[bytes] = []
    size = 0
    as_it_stands = True  # so far, DuckDB could read the file itself
    with path.open("rb") as handle:
        for first, lines in _blocks(handle):
            if first == 1:
                as_it_stands = lines[0] is not None and b'"' not in lines[0]
                lines = lines[1:]  # the header, already checked
                first = 2
            if not lines:
                continue
            text = _read_block(first, lines, read)
            if b"\r" in text:
                as_it_stands = False
                text = text.replace(b"\r\n", b"\n")
            as_it_stands = as_it_stands and not read.not_plain
            batch.append(text)
            size += len(text)
            if size >= BATCH_BYTES:
                read.batches.append(b"".join(batch))
                batch, size = [], 0
    if batch:
        read.batches.append(b"".join(batch))
    if as_it_stands:
        # Reading the file costs DuckDB less than reading these copies of its lines.
        read.batches.clear()
        read.whole_file = path
    return read
