"""Every model and seed is described; every mart has an enforced contract and at least one test;
a model's row checks (not null, unique, accepted values, expressions, code lists) are its one
row_checks test.

Read from the manifest ``dbt parse`` writes, so configuration set anywhere (a model's YAML, the
project file, a folder default) counts as dbt itself sees it.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any


def _nodes(manifest: dict[str, Any], resource_type: str) -> list[dict[str, Any]]:
    return [node for node in manifest["nodes"].values()
            if node["resource_type"] == resource_type and node["package_name"] == "asc_warehouse"]


def _is_mart(node: dict[str, Any]) -> bool:
    return Path(node["original_file_path"]).parts[:2] == ("models", "marts")


def undescribed(nodes: list[dict[str, Any]]) -> list[str]:
    return sorted(node["name"] for node in nodes if not node.get("description", "").strip())


def marts_without_contract(nodes: list[dict[str, Any]]) -> list[str]:
    return sorted(node["name"] for node in nodes
                  if _is_mart(node) and not node["config"].get("contract", {}).get("enforced"))


def _tested_models(manifest: dict[str, Any]) -> set[str]:
    """Models that a data test or a unit test depends on."""
    tested = set()
    for node in [*manifest["nodes"].values(), *manifest.get("unit_tests", {}).values()]:
        if node["resource_type"] in {"test", "unit_test"}:
            tested.update(node.get("depends_on", {}).get("nodes", []))
    return tested


def untested_marts(manifest: dict[str, Any]) -> list[str]:
    tested = _tested_models(manifest)
    return sorted(node["name"] for node in _nodes(manifest, "model")
                  if _is_mart(node) and node["unique_id"] not in tested)


# dbt's one-column tests of the kinds row_checks makes: a model's row checks are its one
# row_checks test, since every data test is a node with a fixed cost (docs/architecture.md).
ROW_CHECK_KINDS = frozenset({"not_null", "unique", "accepted_values"})


def _tested_name(node: dict[str, Any], manifest: dict[str, Any]) -> tuple[str, str]:
    """The unique id and the row_checks name of what a test tests: a model or seed, or a source
    table (dbt attaches a test to a model or seed, never to a source)."""
    if node["attached_node"]:
        tested = node["attached_node"]
        return tested, manifest["nodes"][tested]["name"]
    [tested] = [parent for parent in node["depends_on"]["nodes"] if parent.startswith("source.")]
    source = manifest["sources"][tested]
    return tested, f"{source['source_name']}_{source['name']}"


def scattered_row_checks(manifest: dict[str, Any]) -> list[str]:
    """Row checks outside a model's (seed's, source table's) one row_checks test: a second
    row_checks test, one of dbt's one-column tests of those kinds, or a row_checks test not
    named row_checks_<model>, the name by which a failed night names its failed checks
    (pipeline/failed_checks.py)."""
    row_checks: Counter[str] = Counter()
    found = []
    for node in _nodes(manifest, "test"):
        kind = (node.get("test_metadata") or {}).get("name", "")
        if kind != "row_checks" and kind not in ROW_CHECK_KINDS:
            continue
        tested, name = _tested_name(node, manifest)
        if kind in ROW_CHECK_KINDS:
            found.append(f"{tested}: {kind} test {node['name']}")
            continue
        row_checks[tested] += 1
        if node["name"] != f"row_checks_{name}":
            found.append(f"{tested}: row_checks test named {node['name']}")
    found += [f"{tested}: {count} row_checks tests"
              for tested, count in row_checks.items() if count > 1]
    return sorted(found)


def test_every_model_has_a_description(manifest: dict[str, Any]) -> None:
    assert undescribed(_nodes(manifest, "model")) == []


def test_every_seed_has_a_description(manifest: dict[str, Any]) -> None:
    assert undescribed(_nodes(manifest, "seed")) == []


def test_every_mart_has_an_enforced_contract(manifest: dict[str, Any]) -> None:
    models = _nodes(manifest, "model")
    assert any(_is_mart(node) for node in models)
    assert marts_without_contract(models) == []


def test_every_mart_has_at_least_one_test(manifest: dict[str, Any]) -> None:
    assert untested_marts(manifest) == []


def test_every_row_check_of_a_model_is_in_its_one_row_checks_test(
    manifest: dict[str, Any]
) -> None:
    assert scattered_row_checks(manifest) == []


def test_the_checks_see_a_gap() -> None:
    """An undescribed seed, a mart without a contract and an untested mart are each reported."""
    mart = {"name": "fct_x", "unique_id": "model.asc_warehouse.fct_x", "resource_type": "model",
            "package_name": "asc_warehouse", "description": "", "config": {},
            "original_file_path": "models/marts/x/fct_x.sql"}
    seed = {**mart, "name": "ref_x", "resource_type": "seed",
            "original_file_path": "../seeds/x.csv"}
    manifest = {"nodes": {"a": mart, "b": seed}}
    assert undescribed([seed]) == ["ref_x"]
    assert marts_without_contract([mart]) == ["fct_x"]
    assert untested_marts(manifest) == ["fct_x"]


def test_scattered_row_checks_are_reported() -> None:
    """A second row_checks test, a one-column not_null test and a row_checks test under another
    name are reported; one row_checks test each, however many nodes it reads, is not."""
    def test(kind: str, tested: str, name: str, *others: str) -> dict[str, Any]:
        attached = None if tested.startswith("source.") else tested
        return {"resource_type": "test", "package_name": "asc_warehouse", "name": name,
                "attached_node": attached, "depends_on": {"nodes": [tested, *others]},
                "test_metadata": {"name": kind, "kwargs": {}}}

    tests = [
        test("row_checks", "model.p.x", "row_checks_x"),
        test("row_checks", "model.p.x", "row_checks_x_again"),
        test("not_null", "model.p.y", "not_null_y_id"),
        test("row_checks", "model.p.y", "row_checks_y", "seed.p.code_list"),
        test("row_checks", "source.p.feed.events", "row_checks_feed_events", "seed.p.code_list"),
        test("row_checks", "model.p.z", "checks_of_z"),
        test("relationships", "model.p.z", "relationships_z_id"),
    ]
    manifest = {
        "nodes": {
            **{str(index): node for index, node in enumerate(tests)},
            **{f"model.p.{name}": {"name": name, "resource_type": "model",
                                   "package_name": "asc_warehouse"} for name in "xyz"},
        },
        "sources": {"source.p.feed.events": {"source_name": "feed", "name": "events"}},
    }
    assert scattered_row_checks(manifest) == [
        "model.p.x: 2 row_checks tests",
        "model.p.x: row_checks test named row_checks_x_again",
        "model.p.y: not_null test not_null_y_id",
        "model.p.z: row_checks test named checks_of_z",
    ]
