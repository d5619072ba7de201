"""The pure helpers of scripts/benchmark_scale.py (the benchmark itself asserts nothing)."""

from __future__ import annotations

import pytest

from scripts.benchmark_scale import (
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
