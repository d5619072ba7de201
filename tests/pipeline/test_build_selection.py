"""An incremental night selects what its changed loads and purges reach, and every source a
night can change has its place in the rule."""

from __future__ import annotations

from typing import Any

import yaml

from asc_warehouse.config import DBT_PROJECT_DIR
from asc_warehouse.ingest.landing import FILE_NAME_PATTERNS
from asc_warehouse.pipeline.build_selection import (
    ALWAYS_REBUILT,
    FEED_AUDIT_READERS,
    FEED_SOURCE_READERS,
    LOAD_AUDIT_READERS,
    incremental_selector,
)

LOAD_AUDIT_SOURCE = "source.asc_warehouse.ops.load_audit"
# The models that need every feed's loads: which councils hold any data (dim_council), when
# each feed last arrived (fct_feed_freshness), every council known to the warehouse
# (int_person_feeds_never_received). Every other reader reads its own feeds' views.
EVERY_FEED_READERS = {"dim_council", "fct_feed_freshness", "int_person_feeds_never_received"}


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
        *ALWAYS_REBUILT.split(), *LOAD_AUDIT_READERS.split(), "stg_ops__cld_loads+",
        "source:cld.cld_events+"]


def test_a_night_with_new_person_level_files_selects_their_feeds_only() -> None:
    selected = incremental_selector(["loads"], frozenset({"hospital", "opel"})).split()
    assert selected == [*ALWAYS_REBUILT.split(), *LOAD_AUDIT_READERS.split(),
                        "stg_ops__hospital_loads+", "stg_ops__opel_loads+",
                        "source:hospital.hospital_discharges+", "source:opel.opel_updates+"]
    assert "stg_ops__cld_loads+" not in selected


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
    placed = {selector.removesuffix("+") for selector in (
        *ALWAYS_REBUILT.split(), *LOAD_AUDIT_READERS.split(), *FEED_SOURCE_READERS.values())
              if selector.startswith("source:")}
    assert {selector.removesuffix("+") for selector in _source_selectors()} == placed
    assert FEED_SOURCE_READERS.keys() == FEED_AUDIT_READERS.keys() == FILE_NAME_PATTERNS.keys()


def test_the_load_audit_is_read_through_a_view_per_feed_or_the_view_of_every_feed(
    manifest: dict[str, Any],
) -> None:
    """A model reading the audit source directly, or a feed's loads through the view of every
    feed, would be left stale, or rebuilt every night, by the per-feed selection."""
    models = {node["unique_id"]: node for node in manifest["nodes"].values()
              if node["resource_type"] == "model"}
    audit_views = {node["name"] for node in models.values()
                   if LOAD_AUDIT_SOURCE in node["depends_on"]["nodes"]}
    assert audit_views == {"stg_ops__load_audit"} | {
        selector.removesuffix("+") for selector in FEED_AUDIT_READERS.values()}
    assert {node["name"] for node in models.values()
            if "model.asc_warehouse.stg_ops__load_audit" in node["depends_on"]["nodes"]
            } == EVERY_FEED_READERS
    for feed, selector in FEED_AUDIT_READERS.items():
        view = models[f"model.asc_warehouse.{selector.removesuffix('+')}"]
        assert f"load_audit_rows(var('{feed}_feed'))" in view["raw_code"]
