"""How long the OPEL intraday run takes: the first run over the sample's 28 days, then a run
after one day's file is rewritten (the 15:45 case), then a run with nothing new.

    PYTHONPATH=src .venv/bin/python scripts/benchmark_opel_intraday.py

Prints the seconds of each step (load, dbt build of the OPEL models, alerts, publication) and
the time from the start of the run until the alerts were handed to the channels.
"""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="asc-opel-bench-"))
    landing, warehouse = root / "landing", root / "warehouse"
    os.environ.update({"ASC_LANDING_DIR": str(landing), "ASC_WAREHOUSE_DIR": str(warehouse),
                       "ASC_SAMPLE_MODE": "1"})
    for name in [name for name in os.environ if name.startswith("ASC_ALERT_")]:
        del os.environ[name]  # nothing leaves the machine

    from asc_warehouse.pipeline.opel_intraday import run_intraday
    from asc_warehouse.sample_data import generate_opel_extracts

    paths = generate_opel_extracts(landing)
    (landing / ".asc-sample-data").touch()
    last = paths[-1]
    with last.open(newline="", encoding="utf-8") as handle:
        header, *rows = list(csv.reader(handle))
    full_day = last.read_bytes()
    with last.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(row for row in rows if row[0][11:] <= "10:45")

    for label, prepare in (("first run, 28 files", None),
                           ("15:45 run, one file rewritten", lambda: last.write_bytes(full_day)),
                           ("run with nothing new", None)):
        if prepare:
            prepare()
        summary = run_intraday(f"bench-{label}")
        steps = summary["seconds"]
        to_alerts = steps["load"] + steps["build"] + steps["alerts"]
        print(f"{label}: {len(summary['files'])} files loaded; seconds {steps}; "
              f"alerts handed to channels after {to_alerts:.1f} s; "
              f"total {sum(steps.values()):.1f} s")


if __name__ == "__main__":
    main()
