"""Whole-file checks, run before a file is read: a file failing one is rejected as a whole.

Each check raises ``ExtractRejectedError`` with a message naming the file and the problem, so
that the person who receives the alert knows what to fix without opening the file.

Headers are tolerant where the data allow it: a column the feed does not define (the DHSC
portal's ``LA Code``, or any other) is ignored, and a missing column that is not mandatory is
read as blank; both are reported as a warning (``HeaderReport``) naming the columns. A file
still fails if it lacks a column that is mandatory (for CLD: mandatory for every event type in
``seeds/cld_field_rules.csv``; for the other feeds: every column of their field list).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from asc_warehouse.ingest.cld_schema import expected_header, mandatory_header

OTHER_DELIMITERS = (";", "\t", "|")
MANIFEST_SUFFIX = ".sha256"
TAIL_BYTES = 1 << 16
# How messages name the feed whose field list a header is checked against.
CLD_FEED_LABEL = "CLD"


class ExtractRejectedError(ValueError):
    """The whole file is unusable; nothing from it is loaded."""


@dataclass(frozen=True)
class HeaderReport:
    """What a tolerated header differs by: the file loads, with a warning naming the columns."""

    width: int
    """Columns in the file's header: the number of fields a complete row has."""
    ignored: tuple[str, ...] = ()
    """Columns the feed does not define (e.g. the portal's ``LA Code``): not loaded."""
    blank: tuple[str, ...] = ()
    """Optional columns the file lacks: read as blank."""

    @property
    def warning(self) -> str | None:
        parts = []
        if self.ignored:
            parts.append(f"ignored columns not in the field list: {', '.join(self.ignored)}")
        if self.blank:
            parts.append(f"missing optional columns read as blank: {', '.join(self.blank)}")
        return "; ".join(parts) or None


def _first_line(path: Path) -> str:
    with path.open("rb") as handle:
        raw = handle.readline()
    if raw.startswith(codecs.BOM_UTF8):
        raise ExtractRejectedError(f"{path.name}: starts with a byte-order mark; save as UTF-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ExtractRejectedError(f"{path.name}: header is not UTF-8 ({error.reason})") from error


def check_header(
    path: Path, expected: Sequence[str] | None = None, feed: str = CLD_FEED_LABEL
) -> HeaderReport:
    """The first row must name the feed's fields, comma-separated, in any order.

    ``expected`` is the field list, every one of them required; if None, the CLD fields, of
    which only ``mandatory_header()`` are required. ``feed`` names the list in messages.
    Tolerated differences are returned, not raised.
    """
    line = _first_line(path)
    if not line.strip():
        raise ExtractRejectedError(f"{path.name}: file is empty (no header row)")
    header = next(csv.reader(io.StringIO(line)))
    required: Collection[str] = expected or ()
    if expected is None:
        expected, required = expected_header(), mandatory_header()
    if len(header) == 1:
        for delimiter in OTHER_DELIMITERS:
            if delimiter in header[0]:
                shown = "tab" if delimiter == "\t" else repr(delimiter)
                raise ExtractRejectedError(
                    f"{path.name}: wrong delimiter: the header is separated by {shown}, not ','"
                )
    if not set(header) & set(expected):
        raise ExtractRejectedError(
            f"{path.name}: missing header: the first row holds none of the {feed} field names"
        )
    missing = [name for name in expected if name not in header]
    unexpected = [name for name in header if name not in expected]
    missing_required = [name for name in missing if name in required]
    if missing_required:
        # Unexpected columns are named too: a renamed mandatory column shows as both.
        raise ExtractRejectedError(
            f"{path.name}: header does not match the {feed} field list; missing "
            f"{missing_required}, unexpected {unexpected or 'none'}"
        )
    return HeaderReport(width=len(header), ignored=tuple(unexpected), blank=tuple(missing))


def check_not_truncated(path: Path, expected_fields: int | None = None) -> None:
    """A file cut off in transfer ends part-way through a row, with no line end.

    ``expected_fields`` is the number of columns a row has (the CLD field count by default).
    """
    size = path.stat().st_size
    with path.open("rb") as handle:
        handle.seek(max(0, size - TAIL_BYTES))
        tail = handle.read()
    if tail.endswith((b"\n", b"\r")):
        return
    last_line = tail.rsplit(b"\n", 1)[-1].decode("utf-8", errors="replace")
    fields = next(csv.reader(io.StringIO(last_line)), [])
    expected = expected_fields if expected_fields is not None else len(expected_header())
    if len(fields) < expected:
        raise ExtractRejectedError(
            f"{path.name}: truncated: the last row has {len(fields)} of {expected} fields "
            "and no line end"
        )


def check_manifest(path: Path, checksum: str) -> None:
    """If ``<file>.sha256`` was delivered with the file, the file must match it."""
    manifest = path.with_name(path.name + MANIFEST_SUFFIX)
    if not manifest.exists():
        return
    words = manifest.read_text(encoding="utf-8").split()
    declared = words[0].lower() if words else ""
    if declared != checksum:
        raise ExtractRejectedError(
            f"{path.name}: checksum does not match {manifest.name} "
            f"(declared {declared or 'nothing'}, file is {checksum}): "
            "incomplete or altered in transfer"
        )


def check_file(
    path: Path, checksum: str, expected: Sequence[str] | None = None, feed: str = CLD_FEED_LABEL
) -> HeaderReport:
    """Every whole-file check; ``expected`` and ``feed`` as for ``check_header``."""
    check_manifest(path, checksum)
    report = check_header(path, expected, feed)
    check_not_truncated(path, report.width)
    return report
