"""Read an extract by its contract, one row per line, without sniffing its dialect.

Every feed's contract is UTF-8, comma-delimited, ``"``-quoted with doubled quotes inside a
quoted value, one header row and one record per line (no value spans lines). Reading by that
contract, line by line, means one broken line can only ever cost its own row: a stray quote, an
over-long line, a wrong number of fields or bytes that are not UTF-8 quarantine that row, with its
line number, and every other row still loads. A dialect sniffer, by contrast, lets a few bad
bytes early in a file reject the whole file, and an unterminated quote swallow every later line.

Messages are this project's own words. A rejected line is never quoted back: it may hold a
person's identifiers.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

# The widest CLD row (49 fields, free-text provider names and event references) is well under
# 4 KiB; 64 KiB leaves room for any honest row while an over-long line is refused cheaply.
MAX_LINE_BYTES = 64 * 1024
ROW_FIELD = "(row)"


@dataclass(frozen=True)
class RejectedLine:
    line: int
    """Line number in the file (the header is line 1)."""
    reason: str


@dataclass
class ContractRead:
    """The good rows of a file, as columns, and the lines that could not be read."""

    header: list[str]
    columns: dict[str, list[str]]
    line_numbers: list[int] = field(default_factory=list)
    rejected: list[RejectedLine] = field(default_factory=list)


def _physical_lines(path: Path) -> Iterator[tuple[int, bytes | None]]:
    """Each line without its line end, or None for a line longer than ``MAX_LINE_BYTES``.

    An over-long line is skipped in blocks, never held whole in memory.
    """
    with path.open("rb") as handle:
        number = 0
        while True:
            chunk = handle.readline(MAX_LINE_BYTES + 1)
            if not chunk:
                return
            number += 1
            if len(chunk) > MAX_LINE_BYTES and not chunk.endswith(b"\n"):
                while chunk and not chunk.endswith(b"\n"):
                    chunk = handle.readline(1 << 20)
                yield number, None
                continue
            yield number, chunk.rstrip(b"\n").removesuffix(b"\r")


def _parse(raw: bytes, expected_fields: int) -> list[str] | str:
    """The line's values, or why the line cannot be read."""
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


def read_by_contract(path: Path, header: list[str]) -> ContractRead:
    """The rows of ``path`` under ``header`` (already checked by ``file_checks.check_header``).

    Blank lines carry no record and are not counted as rows.
    """
    result = ContractRead(header=header, columns={name: [] for name in header})
    columns = [result.columns[name] for name in header]
    lines = _physical_lines(path)
    next(lines, None)  # the header, already checked
    for number, raw in lines:
        if raw is None:
            reason = f"unreadable row: longer than {MAX_LINE_BYTES} bytes"
            result.rejected.append(RejectedLine(number, reason))
            continue
        if not raw.strip():
            continue
        parsed = _parse(raw, len(header))
        if isinstance(parsed, str):
            result.rejected.append(RejectedLine(number, parsed))
            continue
        for column, value in zip(columns, parsed, strict=True):
            column.append(value)
        result.line_numbers.append(number)
    return result
