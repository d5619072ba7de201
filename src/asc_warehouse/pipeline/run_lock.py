"""One run at a time per warehouse: a second ``asc-warehouse run`` stops at once, and says why.

The lock is an advisory ``flock`` on a file in the warehouse folder, so it is released by the
kernel when the holding process ends, however it ends: a killed run never leaves a stale lock.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_FILE_NAME = ".run.lock"


class RunInProgressError(RuntimeError):
    """Another run holds the warehouse's lock."""


@contextmanager
def run_lock(warehouse_dir: Path) -> Iterator[None]:
    warehouse_dir.mkdir(parents=True, exist_ok=True)
    path = warehouse_dir / LOCK_FILE_NAME
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            holder = os.read(descriptor, 64).decode("ascii", errors="replace").strip()
            raise RunInProgressError(
                f"another run is in progress on {warehouse_dir} (process {holder or 'unknown'});"
                " wait for it to finish"
            ) from error
        os.ftruncate(descriptor, 0)
        os.write(descriptor, str(os.getpid()).encode("ascii"))
        yield
    finally:
        os.close(descriptor)
