"""Deterministic synthetic Client Level Data (CLD) extracts: each council's history of
submissions.

The extracts follow the landing contract (file name, header, formats) and hold a coherent
population: requests, assessments, short- and long-term services, reviews, deaths and unpaid
carers. Every coded value comes from ``seeds/cld_code_list.csv`` (Release 2 rows). The
population is simulated once over the whole history and sent as a council sends it: quarterly
rolling 12-month files, with the quirks of real submissions (``submissions.py``).
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from asc_warehouse.sample_data.codes import CodeLists
from asc_warehouse.sample_data.faults import FaultInjector
from asc_warehouse.sample_data.feeds import generate_person_feed_extracts
from asc_warehouse.sample_data.histories import Period
from asc_warehouse.sample_data.marker import mark_as_generated
from asc_warehouse.sample_data.opel import generate_opel_extracts
from asc_warehouse.sample_data.population import build_population
from asc_warehouse.sample_data.profiles import (
    DEFAULT_SAMPLE_COUNCILS,
    HISTORY_END,
    HISTORY_START,
    load_councils,
)
from asc_warehouse.sample_data.submissions import (
    LA_CODE_COLUMN,
    assign_event_references,
    people_in_submission,
    plant_quirks,
    submission_plan,
)
from asc_warehouse.sample_data.vocabulary import build_vocabulary
from asc_warehouse.sample_data.writer import ExtractWriter, extract_name, read_header

__all__ = [
    "generate_opel_extracts",
    "generate_person_feed_extracts",
    "generate_sample_extracts",
    "generate_sample_landing_files",
]


def generate_sample_extracts(
    landing_dir: Path,
    *,
    scale: float = 1.0,
    seed: int = 20260331,
    period_start: date = HISTORY_START,
    period_end: date = HISTORY_END,
    with_faults: bool = False,
    councils: Sequence[str] | None = DEFAULT_SAMPLE_COUNCILS,
) -> list[Path]:
    """Write each sample council's submissions over the history; return the paths written.

    ``councils`` are CASSR codes from the councils seed, or None for every council it can size
    (``profiles.load_councils``). One council's people are held at a time: each file is written
    from them person by person, so memory grows with the largest council, not with their number.

    ``with_faults`` plants a few realistic faults (see ``faults.py``) for demonstrations. A
    resubmission is written last and its modification time set after every other file's, so
    that it is the most recently arrived.

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
    paths, resubmissions = [], []
    for council in load_councils(councils):
        people = build_population(council, vocab, period, scale=scale, seed=seed)
        assign_event_references(people)
        quirks = plant_quirks(council.code, people, vocab, seed)
        fault = None
        if with_faults:
            fault = FaultInjector(header, seed + zlib.crc32(council.code.encode()))
        for submission in submission_plan(council.code, period_start, period_end):
            path = landing_dir / extract_name(
                council.code, submission.period_start, submission.period_end)
            writer.write(
                path, people_in_submission(people, submission, quirks),
                submission.period_start, submission.period_end, fault,
                {LA_CODE_COLUMN: council.code} if submission.with_la_code else None,
            )
            paths.append(path)
            if submission.is_resubmission:
                resubmissions.append(path)
    latest = max(path.stat().st_mtime for path in paths)
    for path in resubmissions:
        os.utime(path, (latest + 60, latest + 60))
    mark_as_generated(landing_dir, paths)
    return paths


def generate_sample_landing_files(
    landing_dir: Path,
    *,
    scale: float,
    councils: Sequence[str] | None = DEFAULT_SAMPLE_COUNCILS,
    with_faults: bool = True,
) -> list[Path]:
    """Every feed's sample extracts for ``councils`` (None: every council the seeds can size), as
    ``asc-warehouse run --sample`` lands them; return the paths written.

    The CLD history, then the hospital discharges, safeguarding and DoLS records of the same
    people, then four weeks of OPEL updates ending in an escalation to OPEL 4 (to show the alert).
    """
    written = generate_sample_extracts(
        landing_dir, scale=scale, with_faults=with_faults, councils=councils)
    written += generate_person_feed_extracts(
        landing_dir, scale=scale, with_faults=with_faults, councils=councils)
    written += generate_opel_extracts(landing_dir, councils=councils)
    return written

