"""The helpers of scripts/benchmark_scale.py and how it resumes a night (the benchmark itself
asserts nothing)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scripts import benchmark_scale
from scripts.benchmark_scale import (
    STEPS,
    cost_per_million,
    council_selection,
    faster_than_linear,
    growth_over_linear,
    run_folder_name,
    sizeable_council_codes,
)

SEED_CODES = ["104", "106", "820", "821", "H6X4G"]


def test_cost_per_million_cld_rows() -> None:
    # 12 CPU seconds for 300,000 rows: 40 seconds per million.
    assert cost_per_million(12.0, 300_000) == pytest.approx(40.0)


def test_growth_within_the_tolerance_is_not_flagged() -> None:
    # Rows x4 (250,000 -> 1,000,000), cost x5 (20 -> 100 s): 5 / 4 = 1.25, under 1.3.
    growth = growth_over_linear((250_000, 20.0), (1_000_000, 100.0))
    assert growth == pytest.approx(1.25)
    assert not faster_than_linear(growth)


def test_growth_beyond_the_tolerance_is_flagged() -> None:
    # Rows x4, cost x5.5 (20 -> 110 s): 5.5 / 4 = 1.375, over 1.3.
    growth = growth_over_linear((250_000, 20.0), (1_000_000, 110.0))
    assert growth == pytest.approx(1.375)
    assert faster_than_linear(growth)


def test_a_fixed_floor_shows_as_growth_below_linear() -> None:
    # Rows x4, cost x2 (30 -> 60 s): 2 / 4 = 0.5.
    assert growth_over_linear((250_000, 30.0), (1_000_000, 60.0)) == pytest.approx(0.5)
    assert not faster_than_linear(0.5)
    assert faster_than_linear(1.31) and not faster_than_linear(1.3)


def test_a_number_of_councils_starts_with_kent_and_medway() -> None:
    assert council_selection("3", SEED_CODES) == "820,821,104"
    assert council_selection("1", SEED_CODES) == "820"
    assert council_selection("all", SEED_CODES) == "all"
    assert council_selection("820,H6X4G", SEED_CODES) == "820,H6X4G"
    # A three-digit CASSR code is a council, not a count.
    assert council_selection("104", SEED_CODES) == "104"
    with pytest.raises(ValueError, match="between 1 and 5"):
        council_selection("6", SEED_CODES)


def test_a_number_of_councils_is_taken_from_those_the_generator_can_size() -> None:
    codes = sizeable_council_codes()
    # seeds/ref_councils.csv holds 153 councils; the Isles of Scilly (906) has no adult
    # population estimate to size it by, so 152 remain, Kent and Medway among them.
    assert len(codes) == 152
    assert "906" not in codes and {"820", "821"} <= set(codes)
    with pytest.raises(ValueError, match="between 1 and 152"):
        council_selection("153", codes)


def test_two_selections_of_the_same_size_have_their_own_folders() -> None:
    kent_medway = run_folder_name(0.5, "820,821")
    kent_wigan = run_folder_name(0.5, "820,313")
    assert kent_medway.startswith("scale-0.5-councils-2-")
    assert kent_wigan.startswith("scale-0.5-councils-2-")
    assert kent_medway != kent_wigan
    assert run_folder_name(0.5, "820,821") == kent_medway
    assert run_folder_name(1, "all").startswith("scale-1-councils-all-")


def _pretend_steps(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Steps that record themselves in the state file instead of running a night."""
    ran: list[str] = []

    def measure_step(step: str, command: list[str], _environment: dict[str, str]):
        state_path = Path(command[command.index("--state") + 1])
        state = json.loads(state_path.read_text(encoding="utf-8"))
        state["rows"][step] = len(state["rows"])
        state["councils_with_measures"] = ["820"]
        state_path.write_text(json.dumps(state), encoding="utf-8")
        ran.append(step)
        return 1.0, 1.0, 1

    monkeypatch.setattr(benchmark_scale, "measure_step", measure_step)
    return ran


def _generated_night(folder: Path) -> None:
    (folder / "warehouse" / "build").mkdir(parents=True)
    (folder / "warehouse" / "build" / "asc_build.duckdb").write_bytes(b"loaded")
    (folder / "state.json").write_text(json.dumps({
        "cld_rows": 10, "rows": {"generate": 12, "load": 12}, "loads": ["from the load"],
    }), encoding="utf-8")


def test_from_a_later_step_the_loaded_warehouse_and_earlier_state_are_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    _generated_night(tmp_path)
    ran = _pretend_steps(monkeypatch)
    figures = benchmark_scale.run_night("t", tmp_path, 1.0, "820", "dbt_build")
    assert ran == list(STEPS[STEPS.index("dbt_build"):])
    assert (tmp_path / "warehouse" / "build" / "asc_build.duckdb").read_bytes() == b"loaded"
    state = json.loads((tmp_path / "state.json").read_text(encoding="utf-8"))
    assert state["loads"] == ["from the load"]
    assert list(figures.steps) == ran


def test_from_load_the_warehouse_and_later_state_start_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    _generated_night(tmp_path)
    ran = _pretend_steps(monkeypatch)
    benchmark_scale.run_night("t", tmp_path, 1.0, "820", "load")
    assert ran == list(STEPS[1:])
    assert not (tmp_path / "warehouse").exists()
    state = json.loads((tmp_path / "state.json").read_text(encoding="utf-8"))
    assert "loads" not in state and state["rows"]["generate"] == 12


def test_a_later_step_needs_a_generated_night(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="no generated night"):
        benchmark_scale.run_night("t", tmp_path, 1.0, "820", "load")
