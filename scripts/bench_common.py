"""What the night benchmarks share: the sample night's environment, the machine line printed
first, and the CPU seconds of child processes.

Imported as ``bench_common`` by a script run as a file (``scripts/`` is then ``sys.path[0]``),
and as ``scripts.bench_common`` by a script imported as part of the ``scripts`` package (tests).
"""

from __future__ import annotations

import os
import platform
import resource
from pathlib import Path

import psutil


def sample_environment(workdir: Path) -> dict[str, str]:
    """The variables of a sample night whose landing, warehouse and logs are under ``workdir``."""
    return {
        "ASC_LANDING_DIR": str(workdir / "landing"),
        "ASC_WAREHOUSE_DIR": str(workdir / "warehouse"),
        "ASC_LOG_DIR": str(workdir / "logs"),
        "ASC_SAMPLE_MODE": "1",
        # The files were written a moment ago by the benchmark: nothing is still being copied in.
        "ASC_LANDING_SETTLE_MINUTES": "0",
        "GX_ANALYTICS_ENABLED": "false",
    }


def machine_line() -> str:
    """Cores, memory, platform, Python and the load average now: the figures' context."""
    return (f"{os.cpu_count()} cores, {psutil.virtual_memory().total / 1024**3:.0f} GiB, "
            f"{platform.platform()}, Python {platform.python_version()}, "
            f"load average {os.getloadavg()[0]:.1f}")


def children_cpu_seconds() -> float:
    """User + system CPU seconds of every child process this one has waited for so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
