"""What a night rebuilds when it is not a full build: only the dbt nodes its changed inputs reach.

A previous build was complete and made from the same seeds, models, vars, dbt and key
(``fingerprint``), so a model none of whose inputs changed would be rebuilt into the same rows.
dbt's graph says what reads what, so the rule is by source: rebuild everything downstream
(``+``) of each source whose rows changed tonight, with the data tests of those models.

- Every night, whatever else changed: what reads the clock (tag ``date_dependent``) and
  ``ops.data_quality_result``, which the raw checks write before dbt runs.
- A change of the loads (``ops.load_audit``, written by every load or rejection): what reads
  every feed's loads (``stg_ops__load_audit``), and for each feed whose audit rows changed (found
  by the per-feed digests of the fingerprint) what reads that feed's own view of the audit
  (``stg_ops__<feed>_loads``) and its raw table (its files brought rows). A night of OPEL or
  hospital files therefore leaves the CLD chain, which reads only the CLD loads, as it was.
- A retention purge of hospital, safeguarding or DoLS rows: those feeds' raw tables.

Seeds are unchanged on such a night (a change of them means a full refresh), so they are
neither reloaded nor tested again. When a changed feed has no source here, or the stored build
cannot say which feeds changed, the whole project is built (incrementally), as before.
"""

from __future__ import annotations

from asc_warehouse.ingest.landing import (
    CLD_FEED,
    DOLS_FEED,
    HOSPITAL_FEED,
    OPEL_FEED,
    SAFEGUARDING_FEED,
)
from asc_warehouse.ingest.retention import RAW_CLD_TABLE, RETAINED_TABLES

# Rebuilt every night, whatever changed: models reading the clock, and tonight's raw checks
# (written before dbt runs). A night with no changed input rebuilds only these.
ALWAYS_REBUILT = "tag:date_dependent+ source:ops.data_quality_result+"
# Every load writes a row to ops.load_audit, rejected or not. Models read it through one view per
# feed (each reading the source itself), or through the view of every feed's loads; the source
# itself is selected for its own tests.
LOAD_AUDIT_READERS = "source:ops.load_audit stg_ops__load_audit+"
FEED_AUDIT_READERS = {
    CLD_FEED: "stg_ops__cld_loads+",
    HOSPITAL_FEED: "stg_ops__hospital_loads+",
    SAFEGUARDING_FEED: "stg_ops__safeguarding_loads+",
    DOLS_FEED: "stg_ops__dols_loads+",
    OPEL_FEED: "stg_ops__opel_loads+",
}
# The raw table each feed's loader writes (dbt source), and what reads it.
FEED_SOURCE_READERS = {
    CLD_FEED: "source:cld.cld_events+",
    HOSPITAL_FEED: "source:hospital.hospital_discharges+",
    SAFEGUARDING_FEED: "source:safeguarding.safeguarding_concerns+",
    DOLS_FEED: "source:dols.dols_applications+",
    OPEL_FEED: "source:opel.opel_updates+",
}
# Feeds whose raw rows a change of other_purges may have removed (a CLD purge is a full build).
OTHER_PURGED_FEEDS = frozenset(
    retained.feed for retained in RETAINED_TABLES if retained.table != RAW_CLD_TABLE
)


def incremental_selector(changed: list[str], changed_feeds: frozenset[str] | None) -> str | None:
    """The dbt selection of an incremental night, from the fingerprint components that changed
    and the feeds whose loads changed; None means the whole project."""
    feeds: set[str] = set()
    audited_feeds: frozenset[str] = frozenset()
    parts = [ALWAYS_REBUILT]
    if "loads" in changed:
        if changed_feeds is None:
            return None
        feeds |= changed_feeds
        audited_feeds = changed_feeds
        parts.append(LOAD_AUDIT_READERS)
    if "other_purges" in changed:
        feeds |= OTHER_PURGED_FEEDS
    if not feeds <= FEED_SOURCE_READERS.keys() & FEED_AUDIT_READERS.keys():
        return None
    parts += [FEED_AUDIT_READERS[feed] for feed in sorted(audited_feeds)]
    parts += [FEED_SOURCE_READERS[feed] for feed in sorted(feeds)]
    return " ".join(parts)
