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
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path

from asc_warehouse.config import SEEDS_DIR

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


def file_checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


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


def scan_landing(landing_dir: Path, pattern: str = "*.csv") -> LandingScan:
    """Every CSV in the landing folder, oldest period end first so later submissions load last.

    A badly named file is reported, not raised: the other councils' files still load.
    ``pattern`` narrows the scan (the OPEL intraday run reads ``OPEL_*.csv`` only, so it never
    reads the large CLD extracts to checksum them).
    """
    extracts: list[ExtractFile] = []
    rejected: dict[str, str] = {}
    if landing_dir.is_dir():
        for path in sorted(landing_dir.glob(pattern)):
            try:
                extracts.append(parse_extract_name(path))
            except LandingContractError as error:
                rejected[path.name] = str(error)
    extracts.sort(key=lambda extract: (extract.period_end, extract.path.name))
    return LandingScan(extracts=extracts, rejected=rejected)
