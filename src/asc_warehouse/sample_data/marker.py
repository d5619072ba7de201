"""The list of files the generator wrote, kept beside them in the landing folder.

The built-in sample key may only pseudonymise these exact files (by SHA-256): a leftover or
copied marker can never make a real extract hash with the public key.
"""

from __future__ import annotations

from pathlib import Path

from asc_warehouse.ingest.landing import file_checksum
from asc_warehouse.ingest.pseudonymise import SAMPLE_DATA_MARKER


def mark_as_generated(landing_dir: Path, paths: list[Path]) -> None:
    """Add each file's checksum to the landing folder's marker."""
    with (landing_dir / SAMPLE_DATA_MARKER).open("a", encoding="utf-8") as marker:
        for path in paths:
            marker.write(f"{file_checksum(path)}  {path.name}\n")
