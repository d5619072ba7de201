"""``python -m asc_warehouse.sample_data --landing DIR [--scale X] [--seed N] [--councils C]``."""

from __future__ import annotations

import argparse
import os
import time
from datetime import date
from pathlib import Path

from asc_warehouse.sample_data import generate_sample_extracts
from asc_warehouse.sample_data.profiles import (
    DEFAULT_SAMPLE_COUNCILS,
    HISTORY_END,
    HISTORY_START,
    parse_councils,
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m asc_warehouse.sample_data",
        description="Write deterministic synthetic CLD submissions: each council's history.",
    )
    parser.add_argument("--landing", type=Path, required=True, help="directory to write into")
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies people counts")
    parser.add_argument("--seed", type=int, default=20260331)
    parser.add_argument("--period-start", type=date.fromisoformat, default=HISTORY_START)
    parser.add_argument("--period-end", type=date.fromisoformat, default=HISTORY_END)
    parser.add_argument(
        "--councils", type=parse_councils,
        default=os.environ.get("ASC_SAMPLE_COUNCILS", ",".join(DEFAULT_SAMPLE_COUNCILS)),
        help="CASSR codes (820,821, the default) or 'all' (every council the seeds can size)")
    parser.add_argument("--with-faults", action="store_true",
                        help="plant a few realistic data-quality faults")
    args = parser.parse_args(argv)
    began = time.perf_counter()
    paths = generate_sample_extracts(
        args.landing,
        scale=args.scale,
        seed=args.seed,
        period_start=args.period_start,
        period_end=args.period_end,
        with_faults=args.with_faults,
        councils=args.councils,
    )
    for path in paths:
        with path.open(encoding="utf-8") as handle:
            rows = sum(1 for _ in handle) - 1
        print(f"{path}\t{rows} rows")
    print(f"{len(paths)} extracts in {time.perf_counter() - began:.1f}s")


if __name__ == "__main__":
    main()
