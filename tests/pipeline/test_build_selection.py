"""An incremental night selects what its changed loads and purges reach, and every source a
night can change has its place in the rule."""

from __future__ import annotations

import yaml

from asc_warehouse.config import DBT_PROJECT_DIR
from asc_warehouse.ingest.landing import FILE_NAME_PATTERNS
from asc_warehouse.pipeline.build_selection import (
    ALWAYS_REBUILT,
    FEED_SOURCE_READERS,
    LOAD_AUDIT_READERS,
    incremental_selector,
)


def _source_selectors() -> set[str]:
    """``source:<source>.<table>+`` for every source table the dbt project declares."""
    selectors = set()
    for path in (DBT_PROJECT_DIR / "models").rglob("*.yml"):
        for source in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("sources", []):
            selectors |= {f"source:{source['name']}.{table['name']}+"
                          for table in source.get("tables", [])}
    return selectors


def test_a_night_with_a_new_cld_file_selects_the_cld_and_audit_readers() -> None:
    assert incremental_selector(["loads"], frozenset({"cld"})).split() == [
        *ALWAYS_REBUILT.split(), LOAD_AUDIT_READERS, "source:cld.cld_events+"]


def test_a_night_with_new_person_level_files_selects_their_feeds_only() -> None:
    selected = incremental_selector(["loads"], frozenset({"hospital", "opel"})).split()
    assert selected == [*ALWAYS_REBUILT.split(), LOAD_AUDIT_READERS,
                        "source:hospital.hospital_discharges+", "source:opel.opel_updates+"]


def test_a_purge_of_the_other_feeds_selects_their_readers_not_the_audit() -> None:
    selected = incremental_selector(["other_purges"], None).split()
    assert selected == [*ALWAYS_REBUILT.split(), "source:dols.dols_applications+",
                        "source:hospital.hospital_discharges+",
                        "source:safeguarding.safeguarding_concerns+"]


def test_loads_whose_feeds_cannot_be_told_build_the_whole_project() -> None:
    assert incremental_selector(["loads"], None) is None
    assert incremental_selector(["loads", "other_purges"], None) is None
    assert incremental_selector(["loads"], frozenset({"cld", "a_feed_without_a_source"})) is None


def test_every_source_and_feed_has_its_place_in_the_rule() -> None:
    """A source added to the project, or a feed added to the landing contract, must be given
    its readers here, or incremental nights would leave what reads it stale."""
    placed = set(ALWAYS_REBUILT.split()) | {LOAD_AUDIT_READERS} | set(
        FEED_SOURCE_READERS.values())
    assert _source_selectors() == placed - {"tag:date_dependent+"}
    assert FEED_SOURCE_READERS.keys() == FILE_NAME_PATTERNS.keys()
