"""Every model and seed is described; every mart has an enforced contract and at least one test;
no model has two data tests of a kind that one multi-column test covers.

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


# Each kind of check and the generic tests that make it: a model's checks of one kind are one
# test, since every data test is a node with a fixed cost (docs/architecture.md, tests/generic).
CHECK_KINDS = {
    "not_null": "not null", "not_null_columns": "not null",
    "accepted_values": "accepted values", "accepted_values_by_column": "accepted values",
    "expression_is_true": "expressions", "expressions_are_true": "expressions",
    "value_in_code_list": "code list", "values_in_code_list": "code list",
}


def repeated_check_kinds(manifest: dict[str, Any]) -> list[str]:
    """Models (seeds, sources) with more than one test of a kind (of a code list, per list)."""
    kinds: Counter[tuple[str, str]] = Counter()
    for node in _nodes(manifest, "test"):
        metadata = node.get("test_metadata") or {}
        kind = CHECK_KINDS.get(metadata.get("name", ""))
        if kind is None:
            continue
        if kind == "code list":
            kind += f" {metadata['kwargs']['code_list']}"
        # A source's tests have no attached node; the source is their one dependency.
        tested = node["attached_node"] or ", ".join(node["depends_on"]["nodes"])
        kinds[(tested, kind)] += 1
    return sorted(f"{tested}: {count} {kind} tests"
                  for (tested, kind), count in kinds.items() if count > 1)


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


def test_no_model_repeats_a_kind_of_check(manifest: dict[str, Any]) -> None:
    assert repeated_check_kinds(manifest) == []


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


def test_a_repeated_kind_of_check_is_reported() -> None:
    """A second not-null test of a model, one-column or not, is reported; two code-list tests
    of different lists, and tests of different models or sources, are not."""
    def test(name: str, tested: str, **kwargs: str) -> dict[str, Any]:
        # dbt attaches a test to a model or seed, never to a source.
        attached = None if tested.startswith("source.") else tested
        return {"resource_type": "test", "package_name": "asc_warehouse",
                "attached_node": attached, "depends_on": {"nodes": [tested]},
                "test_metadata": {"name": name, "kwargs": kwargs}}

    manifest = {"nodes": dict(enumerate([
        test("not_null", "model.x"), test("not_null_columns", "model.x"),
        test("not_null", "model.y"),
        test("value_in_code_list", "model.x", code_list="ref('a')"),
        test("values_in_code_list", "model.x", code_list="ref('b')"),
        test("not_null_columns", "source.x"), test("not_null_columns", "source.y"),
    ]))}
    assert repeated_check_kinds(manifest) == ["model.x: 2 not null tests"]
