"""Deterministic synthetic Client Level Data (CLD) extracts, one per council.

The extracts follow the landing contract (file name, header, formats) and hold a coherent
population: requests, assessments, short- and long-term services, reviews, deaths and unpaid
carers. Every coded value comes from ``seeds/cld_code_list.csv`` (Release 2 rows).
"""

from __future__ import annotations

import zlib
from datetime import date
from pathlib import Path

from asc_warehouse.sample_data.codes import CodeLists
from asc_warehouse.sample_data.faults import FaultInjector
from asc_warehouse.sample_data.feeds import generate_person_feed_extracts
from asc_warehouse.sample_data.histories import Period
from asc_warehouse.sample_data.marker import mark_as_generated
from asc_warehouse.sample_data.opel import generate_opel_extracts
from asc_warehouse.sample_data.population import build_population
from asc_warehouse.sample_data.profiles import load_councils
from asc_warehouse.sample_data.vocabulary import build_vocabulary
from asc_warehouse.sample_data.writer import ExtractWriter, extract_name, read_header

__all__ = ["generate_opel_extracts", "generate_person_feed_extracts", "generate_sample_extracts"]


def generate_sample_extracts(
    landing_dir: Path,
    *,
    scale: float = 1.0,
    seed: int = 20260331,
    period_start: date = date(2024, 4, 1),
    period_end: date = date(2026, 3, 31),
    with_faults: bool = False,
) -> list[Path]:
    """Write one extract per council in ``seeds/ref_councils.csv``; return the paths written.

    ``with_faults`` plants a few realistic faults (see ``faults.py``) for demonstrations.

    The same arguments always give byte-identical files.
    """
    if scale <= 0:
        raise ValueError("scale must be positive")
    if period_end < period_start:
        raise ValueError("period_end is before period_start")
    vocab = build_vocabulary(CodeLists.load())
    header = read_header()
    writer = ExtractWriter(header, vocab.events.assessment, vocab.events.review)
    period = Period(period_start.toordinal(), period_end.toordinal())
    landing_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for council in load_councils():
        people = build_population(council, vocab, period, scale=scale, seed=seed)
        path = landing_dir / extract_name(council.code, period_start, period_end)
        fault = None
        if with_faults:
            fault = FaultInjector(header, seed + zlib.crc32(council.code.encode()))
        writer.write(path, people, period_start, period_end, fault)
        paths.append(path)
    mark_as_generated(landing_dir, paths)
    return paths
