"""Free space is checked before a step writes, so a full disk stops the night with its cause.

Without the check, a full warehouse disk surfaces as whatever write fails first, often with the
log cut off before the reason.
"""

from __future__ import annotations

import shutil
from pathlib import Path

MEGABYTE = 1 << 20
# Headroom beyond the estimate: DuckDB's WAL, checkpoints and the dbt target folder.
MARGIN_BYTES = 256 * MEGABYTE


class InsufficientSpaceError(RuntimeError):
    """The warehouse volume has too little free space for the next step."""


def remove_leftovers(folder: Path) -> None:
    """Delete what an interrupted run left in one of the pipeline's private working folders."""
    if folder.is_dir() and not folder.is_symlink():
        for path in folder.iterdir():
            if path.is_file() or path.is_symlink():
                path.unlink()


def require_free_space(folder: Path, needed_bytes: int, step: str) -> None:
    existing = folder
    while not existing.exists():
        existing = existing.parent
    free = shutil.disk_usage(existing).free
    needed = needed_bytes + MARGIN_BYTES
    if free < needed:
        raise InsufficientSpaceError(
            f"{step} needs about {needed // MEGABYTE} MB free on the volume of {folder}, "
            f"but only {free // MEGABYTE} MB is free: free space, then rerun the night. "
            "The published warehouse is unchanged."
        )
