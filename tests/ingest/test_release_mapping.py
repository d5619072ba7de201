"""A Release 1 file and a Release 2 file for the same people give the same Release 2 events."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from asc_warehouse.config import SEEDS_DIR, Settings
from asc_warehouse.ingest.extracts import load_extracts
from asc_warehouse.ingest.landing import parse_extract_name
from asc_warehouse.pipeline import dbt_build
from asc_warehouse.sample_data import generate_sample_extracts

R2_NAME = "CLD_820_20240401_20250331_R2.csv"  # a rolling file without LA Code
LINEAGE = ("event_row_id", "release", "load_id", "source_file", "loaded_at")


def _release_1_wording() -> dict[tuple[str, str], str]:
    """R2 value -> an R1 value the mapping seed turns into it (real R2 values only)."""
    with (SEEDS_DIR / "cld_code_list.csv").open(newline="", encoding="utf-8") as handle:
        release_2 = {(r["cld_field_name"], r["code_value"]) for r in csv.DictReader(handle)
                     if r["release"] == "R2"}
    with (SEEDS_DIR / "cld_r1_to_r2_map.csv").open(newline="", encoding="utf-8") as handle:
        reverse: dict[tuple[str, str], str] = {}
        for row in csv.DictReader(handle):
            key = (row["cld_field_name"], row["r2_value"])
            if key in release_2:
                reverse.setdefault(key, row["r1_value"])
    return reverse


def _write_release_1_copy(source: Path, target: Path) -> int:
    reverse = _release_1_wording()
    changed = 0
    with source.open(newline="", encoding="utf-8") as reader, \
            target.open("w", newline="", encoding="utf-8") as writer:
        rows = csv.DictReader(reader)
        output = csv.DictWriter(writer, fieldnames=rows.fieldnames or [])
        output.writeheader()
        for row in rows:
            for field, value in row.items():
                if (field, value) in reverse:
                    row[field] = reverse[(field, value)]
                    changed += 1
            output.writerow(row)
    return changed


def _build(root: Path, extract: Path) -> Settings:
    settings = Settings(root / "landing", root / "warehouse", None, sample_mode=True)
    [result] = load_extracts(settings.build_path, [parse_extract_name(extract)], "same-key")
    assert result.status == "loaded" and result.rows_quarantined == 0
    dbt_build.run_dbt(settings, "build", "--select", "+int_cld_events_mapped_to_r2",
                      "--indirect-selection", "cautious", "--exclude-resource-type", "unit_test")
    return settings


def _events(settings: Settings) -> list[tuple]:
    with duckdb.connect(str(settings.build_path), read_only=True) as con:
        exclude = ", ".join(LINEAGE)
        return con.execute(
            f"select * exclude ({exclude}) from intermediate.int_cld_events_mapped_to_r2 "
            "order by all"
        ).fetchall()


@pytest.fixture(scope="module")
def both_releases(tmp_path_factory: pytest.TempPathFactory) -> tuple[list, list, int]:
    root = tmp_path_factory.mktemp("releases")
    generated = {p.name: p for p in generate_sample_extracts(root / "generated", scale=0.01)}
    release_2 = generated[R2_NAME]
    release_1 = root / "r1" / R2_NAME.replace("_R2.csv", "_R1.csv")
    release_1.parent.mkdir()
    changed = _write_release_1_copy(release_2, release_1)
    return (_events(_build(root / "two", release_2)), _events(_build(root / "one", release_1)),
            changed)


def test_the_release_1_copy_really_uses_release_1_wording(both_releases) -> None:
    *_, changed = both_releases
    assert changed > 1000


def test_release_1_and_release_2_files_give_the_same_events(both_releases) -> None:
    from_release_2, from_release_1, _ = both_releases
    assert len(from_release_2) > 100
    assert from_release_1 == from_release_2


def _code_list() -> dict[str, set[tuple[str, str]]]:
    with (SEEDS_DIR / "cld_code_list.csv").open(newline="", encoding="utf-8") as handle:
        values: dict[str, set[tuple[str, str]]] = {"R1": set(), "R2": set()}
        for row in csv.DictReader(handle):
            values[row["release"]].add((row["cld_field_name"], row["code_value"]))
    return values


def test_every_release_1_only_value_has_a_mapping() -> None:
    """Checked against the code lists, not the mapping: a dropped mapping row fails here."""
    code_list = _code_list()
    with (SEEDS_DIR / "cld_r1_to_r2_map.csv").open(newline="", encoding="utf-8") as handle:
        mapped = {(r["cld_field_name"], r["r1_value"]) for r in csv.DictReader(handle)}
    release_1_only = code_list["R1"] - code_list["R2"]
    assert len(release_1_only) > 50
    assert sorted(release_1_only - mapped) == []


def test_every_mapping_lands_on_a_release_2_value() -> None:
    code_list = _code_list()
    with (SEEDS_DIR / "cld_r1_to_r2_map.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    not_mapped = "Release 1 specification only: Not mapped"
    targets = {(r["cld_field_name"], r["r2_value"]) for r in rows if r["r2_value"] != not_mapped}
    assert sorted(targets - code_list["R2"]) == []
    assert {r["mapping_basis"] for r in rows} <= {"C", "W", "U"}
