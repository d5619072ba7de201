"""The landing contract: how extract files are named and found.

Five feeds land in the same folder:

* ``CLD_<council>_<period start YYYYMMDD>_<period end YYYYMMDD>_R<release>.csv``, for example
  ``CLD_820_20240401_20260331_R2.csv``: one council's Client Level Data extract covering that
  reporting period, in that release of the national specification;
* ``OPEL_<council>_<YYYYMMDD>.csv``: one council's operational pressures (OPEL) indicator updates
  for one day;
* ``HOSP_<council>_<start>_<end>.csv``, ``SG_<council>_<start>_<end>.csv`` and
  ``DOLS_<council>_<start>_<end>.csv`` (dates YYYYMMDD): the person-level feeds of hospital
  discharges, safeguarding concerns and DoLS applications for that period
  (``asc_warehouse.ingest.person_feeds``).
"""

from __future__ import annotations

import csv
import fnmatch
import hashlib
import os
import re
import stat
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path

from asc_warehouse.config import SEEDS_DIR
from asc_warehouse.ingest.pseudonymise import generated_checksums

CLD_FEED = "cld"
OPEL_FEED = "opel"
HOSPITAL_FEED = "hospital"
SAFEGUARDING_FEED = "safeguarding"
DOLS_FEED = "dols"
# File-name prefix of each person-level feed; their names share one shape.
PERSON_FEED_PREFIXES = {HOSPITAL_FEED: "HOSP", SAFEGUARDING_FEED: "SG", DOLS_FEED: "DOLS"}
FILE_NAME_PATTERNS = {
    CLD_FEED: re.compile(
        r"^CLD_(?P<council>[A-Z0-9]+)_(?P<start>\d{8})_(?P<end>\d{8})_R(?P<release>[12])\.csv$"
    ),
    OPEL_FEED: re.compile(r"^OPEL_(?P<council>[A-Z0-9]+)_(?P<start>\d{8})\.csv$"),
    **{
        feed: re.compile(
            rf"^{prefix}_(?P<council>[A-Z0-9]+)_(?P<start>\d{{8}})_(?P<end>\d{{8}})\.csv$"
        )
        for feed, prefix in PERSON_FEED_PREFIXES.items()
    },
}
# A file delivered with ``<file name>.sha256`` holding its SHA-256 is complete if that matches.
MANIFEST_SUFFIX = ".sha256"
# Only CLD files have a specification release; the audit still needs a value.
NO_RELEASE = "-"


class LandingContractError(ValueError):
    """A file in the landing folder does not follow the naming contract."""


@dataclass(frozen=True)
class ExtractFile:
    path: Path
    feed: str
    council_code: str
    period_start: date
    period_end: date
    release: str
    checksum: str
    arrived_at: datetime
    """When the file landed (its modification time, UTC): the freshness check's signal."""

    def as_dict(self) -> dict[str, str]:
        return {
            "path": str(self.path),
            "feed": self.feed,
            "council_code": self.council_code,
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "release": self.release,
            "checksum": self.checksum,
            "arrived_at": self.arrived_at.isoformat(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> ExtractFile:
        return cls(
            path=Path(data["path"]),
            feed=data["feed"],
            council_code=data["council_code"],
            period_start=date.fromisoformat(data["period_start"]),
            period_end=date.fromisoformat(data["period_end"]),
            release=data["release"],
            checksum=data["checksum"],
            arrived_at=datetime.fromisoformat(data["arrived_at"]),
        )


def _open_regular(path: Path) -> int:
    """A descriptor for ``path`` if it is a regular file; links, FIFOs and devices are refused.

    Opened without following a link and without blocking, then checked, so a FIFO swapped in
    after the scan cannot hang the run.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as error:
        raise LandingContractError(f"{path.name}: cannot be opened ({error.strerror})") from error
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise LandingContractError(
            f"{path.name}: is not a regular file (a folder, pipe or device); not read"
        )
    return descriptor


def file_checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with os.fdopen(_open_regular(path), "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def stage_copy(extract: ExtractFile, staging_dir: Path) -> ExtractFile:
    """Copy the file (and its manifest) into a private folder, hashing the copy as it is written.

    What is loaded is then exactly what was checksummed, even if the landed file is appended
    to or replaced meanwhile.
    """
    staging_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    staged = staging_dir / extract.path.name
    digest = hashlib.sha256()
    with os.fdopen(_open_regular(extract.path), "rb") as source, \
            os.fdopen(os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as copy:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
            copy.write(block)
    manifest = extract.path.with_name(extract.path.name + MANIFEST_SUFFIX)
    if manifest.is_file() and not manifest.is_symlink():
        staged.with_name(manifest.name).write_bytes(manifest.read_bytes()[:1024])
    return replace(extract, path=staged, checksum=digest.hexdigest())


def remove_staged(extract: ExtractFile) -> None:
    extract.path.unlink(missing_ok=True)
    extract.path.with_name(extract.path.name + MANIFEST_SUFFIX).unlink(missing_ok=True)


def manifest_matches(path: Path, checksum: str) -> bool:
    manifest = path.with_name(path.name + MANIFEST_SUFFIX)
    if not manifest.is_file() or manifest.is_symlink():
        return False
    words = manifest.read_text(encoding="utf-8", errors="replace").split()
    return bool(words) and words[0].lower() == checksum


@cache
def known_council_codes() -> frozenset[str]:
    with (SEEDS_DIR / "ref_councils.csv").open(newline="", encoding="utf-8") as handle:
        return frozenset(row["council_code"] for row in csv.DictReader(handle))


def parse_extract_name(path: Path) -> ExtractFile:
    """Read feed, council, period and release from a file name, or say why the name is wrong."""
    matches = [
        (feed, found)
        for feed, pattern in FILE_NAME_PATTERNS.items()
        if (found := pattern.match(path.name)) is not None
    ]
    if not matches:
        raise LandingContractError(
            f"{path.name}: name follows none of CLD_<council>_<YYYYMMDD>_<YYYYMMDD>_R<1|2>.csv, "
            "OPEL_<council>_<YYYYMMDD>.csv or "
            "HOSP_|SG_|DOLS_<council>_<YYYYMMDD>_<YYYYMMDD>.csv"
        )
    feed, match = matches[0]
    try:
        start = datetime.strptime(match["start"], "%Y%m%d").date()
        end = datetime.strptime(match.groupdict().get("end") or match["start"], "%Y%m%d").date()
    except ValueError as error:
        raise LandingContractError(f"{path.name}: period in the name is not a date") from error
    if end < start:
        raise LandingContractError(f"{path.name}: period ends ({end}) before it starts ({start})")
    if match["council"] not in known_council_codes():
        raise LandingContractError(
            f"{path.name}: council {match['council']} is not in seeds/ref_councils.csv"
        )
    release = match.groupdict().get("release")
    return ExtractFile(
        path=path,
        feed=feed,
        council_code=match["council"],
        period_start=start,
        period_end=end,
        release=f"R{release}" if release else NO_RELEASE,
        checksum=file_checksum(path),
        arrived_at=datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(tzinfo=None),
    )


@dataclass(frozen=True)
class LandingScan:
    extracts: list[ExtractFile]
    rejected: dict[str, str]
    """File name -> why it cannot be loaded."""
    waiting: dict[str, str] = field(default_factory=dict)
    """File name -> why it waits for the next night (it may still be being written)."""


def _entry_problem(entry: os.DirEntry[str]) -> str | None:
    """Why an entry named like an extract is not read, or None if it is a regular .csv file."""
    if entry.is_symlink():
        return f"{entry.name}: is a symbolic link; links are not followed: deliver the file itself"
    if not entry.is_file(follow_symlinks=False):
        return f"{entry.name}: is not a regular file (a folder, pipe or device); not read"
    if not entry.name.endswith(".csv"):
        return f"{entry.name}: extension must be lower-case .csv; rename the file to load it"
    return None


def scan_landing(
    landing_dir: Path,
    settle_minutes: float = 0,
    now: datetime | None = None,
    pattern: str = "*.csv",
) -> LandingScan:
    """Every CSV in the landing folder, oldest period end first so later submissions load last.

    Only regular files directly in the folder are read. A badly named file, a link, a folder or
    pipe named like an extract, or an unreadable entry is reported as that entry's rejection,
    never raised: the other councils' files still load. A file modified less than
    ``settle_minutes`` ago may still be being written: it waits for the next night unless its
    ``.sha256`` manifest matches it. ``pattern`` narrows the scan, ignoring case (the OPEL
    intraday run reads ``OPEL_*.csv`` only, so it never reads the large CLD extracts).
    """
    extracts: list[ExtractFile] = []
    rejected: dict[str, str] = {}
    waiting: dict[str, str] = {}
    if not landing_dir.is_dir():
        return LandingScan(extracts, rejected, waiting)
    settled_before = (now or datetime.now(UTC).replace(tzinfo=None)) - timedelta(
        minutes=settle_minutes
    )
    with os.scandir(landing_dir) as entries:
        candidates = sorted(
            (entry for entry in entries
             if fnmatch.fnmatch(entry.name.lower(), pattern.lower())),
            key=lambda entry: entry.name,
        )
    for entry in candidates:
        try:
            problem = _entry_problem(entry)
            if problem:
                rejected[entry.name] = problem
                continue
            extract = parse_extract_name(Path(entry.path))
        except LandingContractError as error:
            rejected[entry.name] = str(error)
            continue
        except OSError as error:
            rejected[entry.name] = f"{entry.name}: cannot be read ({error.strerror})"
            continue
        # A matching manifest, or the sample generator's list, says the file is complete.
        complete = manifest_matches(extract.path, extract.checksum) or (
            extract.checksum in generated_checksums(landing_dir)
        )
        if extract.arrived_at > settled_before and not complete:
            waiting[entry.name] = (
                f"{entry.name}: modified less than {settle_minutes:g} minutes ago and no "
                "matching manifest: it may still be being written; loads next night"
            )
            continue
        extracts.append(extract)
    extracts.sort(key=lambda extract: (extract.period_end, extract.path.name))
    return LandingScan(extracts=extracts, rejected=rejected, waiting=waiting)
