"""Retention: raw person-level records and landed files older than the council's records policy
allows are purged, and say so.

A record is purged once it ended more than the retention period ago; open records stay, since
they still describe people receiving care. When each feed's record ends:

* a CLD event: its Event End Date (none: open);
* a hospital spell: its Discharge Date (the feed lists discharges, so every spell has ended);
* a safeguarding concern: the Enquiry End Date when an enquiry started (none: open); the date the
  concern was received when its outcome closed it without an enquiry; open while it has no
  outcome, or an enquiry outcome but no enquiry yet;
* a DoLS application: its Completed Date (none: open).

Files overlap (each quarter's file restates the year), so an open record has a copy in every
file that saw it open, and a later file giving its end does not end those copies. So the rows of
a load are also purged, whatever their dates, when its file's period ended before the cutoff
(the landed-file rule below) and a later load of the same council and feed exists (later by
period end, then by arrival): the later file restates whatever is still open. A council's latest
load keeps its open records however old its period.

Each table's purge writes one ``ops.retention_audit`` row (rows purged by either rule, each row
once), even when nothing was old enough, so an auditor can see the rule ran every night.

The pipeline keeps no archive of its own: each night's files are staged as private copies and
removed once loaded. The files in the landing folder, which hold the raw identifiers, follow the
same rule: a person-level file (CLD, hospital, safeguarding, DoLS) whose period, by its name,
ended before the cutoff is deleted with its manifest, one ``ops.retention_file_audit`` row each
(outcome ``deleted`` or why not). OPEL files hold no person-level data and are kept.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from asc_warehouse.ingest.landing import (
    CLD_FEED,
    FILE_NAME_PATTERNS,
    MANIFEST_SUFFIX,
    OPEL_FEED,
)
from asc_warehouse.ingest.person_feeds import DOLS, ENQUIRY_OUTCOMES, HOSPITAL, SAFEGUARDING

RAW_CLD_TABLE = "raw.cld_events"


@dataclass(frozen=True)
class RetainedTable:
    table: str
    feed: str
    ended_on: str
    """SQL over the table's columns: the date the record ended, null while it is open."""


_ENQUIRY_OUTCOMES = ", ".join(
    "'" + outcome.replace("'", "''") + "'" for outcome in ENQUIRY_OUTCOMES
)
RETAINED_TABLES = (
    RetainedTable(RAW_CLD_TABLE, CLD_FEED, "try_cast(event_end_date as date)"),
    RetainedTable(HOSPITAL.raw_table, HOSPITAL.feed, "discharge_date"),
    RetainedTable(
        SAFEGUARDING.raw_table, SAFEGUARDING.feed,
        "case when enquiry_start_date is not null then enquiry_end_date "
        f"when concern_outcome not in ({_ENQUIRY_OUTCOMES}) then concern_received_date end",
    ),
    RetainedTable(DOLS.raw_table, DOLS.feed, "completed_date"),
)
PERSON_LEVEL_PATTERNS = {
    feed: pattern for feed, pattern in FILE_NAME_PATTERNS.items() if feed != OPEL_FEED
}


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


# Loads of a feed whose file's period ended before the cutoff ($2) and that a later load of the
# same council and feed ($1) restates.
_SUPERSEDED_LOADS = """
    select earlier.load_id from ops.load_audit as earlier
    where earlier.feed = $1 and earlier.status = 'loaded' and earlier.reporting_period_end < $2
    and exists (
        select 1 from ops.load_audit as later
        where later.feed = earlier.feed and later.council_code = earlier.council_code
        and later.status = 'loaded'
        and (later.reporting_period_end > earlier.reporting_period_end
             or (later.reporting_period_end = earlier.reporting_period_end
                 and later.arrived_at > earlier.arrived_at))
    )
"""


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _today() -> date:
    return datetime.now(UTC).date()


def purge_expired_events(build_path: Path, months: int, today: date | None = None) -> int:
    """Delete records of every person-level raw table that ended before the cutoff, and every
    row of a load its feed's later load restates (``_SUPERSEDED_LOADS``); return how many were
    purged in all."""
    cutoff = retention_cutoff(today or _today(), months)
    purged = 0
    with duckdb.connect(str(build_path)) as con:
        con.execute(
            "create table if not exists ops.retention_audit (run_at timestamp not null, "
            "table_name varchar not null, retention_months integer not null, "
            "cutoff date not null, rows_purged bigint not null)"
        )
        existing = {
            f"{schema}.{name}" for schema, name in con.execute(
                "select table_schema, table_name from information_schema.tables").fetchall()
        }
        con.execute("begin transaction")
        for retained in RETAINED_TABLES:
            if retained.table not in existing:
                continue  # a build file from before the feed existed: nothing to hold
            expired = (f"coalesce(({retained.ended_on}) < cast($2 as date), false) "
                       f"or load_id in ({_SUPERSEDED_LOADS})")
            parameters = [retained.feed, cutoff]
            [(count,)] = con.execute(
                f"select count(*) from {retained.table} where {expired}", parameters).fetchall()
            con.execute(f"delete from {retained.table} where {expired}", parameters)
            con.execute(
                "insert into ops.retention_audit values (?, ?, ?, ?, ?)",
                [_now(), retained.table, months, cutoff, count],
            )
            purged += int(count)
        con.execute("commit")
        # Deleted rows' bytes stay in the file's free blocks until a checkpoint rewrites them.
        con.execute("checkpoint")
    return purged


def _period_end(name: str) -> date | None:
    """The period end in a person-level file's name, or None for any other name."""
    for pattern in PERSON_LEVEL_PATTERNS.values():
        if (match := pattern.match(name)) is not None:
            try:
                return datetime.strptime(match["end"], "%Y%m%d").date()
            except ValueError:
                return None
    return None


def purge_expired_files(
    landing_dir: Path, build_path: Path, months: int, today: date | None = None
) -> list[str]:
    """Delete landed person-level files whose period ended before the cutoff; return their
    names. A file that cannot be deleted is audited with the reason and left."""
    cutoff = retention_cutoff(today or _today(), months)
    audit: list[tuple[str, date, str]] = []
    if landing_dir.is_dir():
        with os.scandir(landing_dir) as entries:
            expired = sorted(
                (entry.name, end) for entry in entries
                if entry.is_file(follow_symlinks=False)
                and (end := _period_end(entry.name)) is not None and end < cutoff
            )
        for name, end in expired:
            try:
                (landing_dir / name).unlink()
                (landing_dir / (name + MANIFEST_SUFFIX)).unlink(missing_ok=True)
                audit.append((name, end, "deleted"))
            except OSError as error:
                audit.append((name, end, f"not deleted: {error.strerror or error}"))
    with duckdb.connect(str(build_path)) as con:
        con.execute("create schema if not exists ops")
        con.execute(
            "create table if not exists ops.retention_file_audit (run_at timestamp not null, "
            "file_name varchar not null, period_end date not null, "
            "retention_months integer not null, cutoff date not null, outcome varchar not null)"
        )
        run_at = _now()
        for name, end, outcome in audit:
            con.execute("insert into ops.retention_file_audit values (?, ?, ?, ?, ?, ?)",
                        [run_at, name, end, months, cutoff, outcome])
    return [name for name, _, outcome in audit if outcome == "deleted"]
