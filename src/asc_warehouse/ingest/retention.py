"""Retention: raw events older than the council's records policy allows are purged, and say so.

A CLD event is purged once it ended more than the retention period ago; open events and
events without an end date stay, since they still describe people receiving care. Each purge
writes one ``ops.retention_audit`` row, even when nothing was old enough, so an auditor can see
the rule ran every night.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

RAW_CLD_TABLE = "raw.cld_events"


def retention_cutoff(today: date, months: int) -> date:
    """The same day ``months`` earlier (the month's last day if it is shorter)."""
    month_index = today.year * 12 + today.month - 1 - months
    year, month = divmod(month_index, 12)
    for day in range(today.day, 0, -1):
        try:
            return date(year, month + 1, day)
        except ValueError:
            continue
    raise ValueError(f"no cutoff for {today} minus {months} months")


def purge_expired_events(build_path: Path, months: int, today: date | None = None) -> int:
    """Delete CLD events that ended before the cutoff; return how many were purged."""
    cutoff = retention_cutoff(today or datetime.now(UTC).date(), months)
    with duckdb.connect(str(build_path)) as con:
        con.execute(
            "create table if not exists ops.retention_audit (run_at timestamp not null, "
            "table_name varchar not null, retention_months integer not null, "
            "cutoff date not null, rows_purged bigint not null)"
        )
        con.execute("begin transaction")
        expired = "try_cast(event_end_date as date) < cast(? as date)"
        [(count,)] = con.execute(
            f"select count(*) from {RAW_CLD_TABLE} where {expired}", [cutoff]).fetchall()
        con.execute(f"delete from {RAW_CLD_TABLE} where {expired}", [cutoff])
        con.execute(
            "insert into ops.retention_audit values (?, ?, ?, ?, ?)",
            [datetime.now(UTC).replace(tzinfo=None), RAW_CLD_TABLE, months, cutoff, count],
        )
        con.execute("commit")
        # Deleted rows' bytes stay in the file's free blocks until a checkpoint rewrites them.
        con.execute("checkpoint")
    return int(count)
