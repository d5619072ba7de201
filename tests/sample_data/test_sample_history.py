"""The sample history: quarterly rolling submissions and the quirks of real ones (issue 12)."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from asc_warehouse.sample_data import generate_person_feed_extracts, generate_sample_extracts

SCALE = 0.02
Rows = list[dict[str, str]]


def _rows(path: Path) -> Rows:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("history")
    generate_sample_extracts(directory, scale=SCALE)
    return directory


def _file(landing: Path, council: str, start: str, end: str) -> Path:
    return landing / f"CLD_{council}_{start}_{end}_R2.csv"


def _references(path: Path) -> dict[str, dict[str, str]]:
    return {row["Event Reference"]: row for row in _rows(path)}


@pytest.mark.parametrize("council", ["820", "821"])
def test_each_quarter_end_has_a_rolling_12_month_file_from_april_2023(
    landing: Path, council: str
) -> None:
    periods = sorted(
        tuple(path.stem.split("_")[2:4]) for path in landing.glob(f"CLD_{council}_*.csv")
    )
    quarterly = [period for period in periods if period != ("20231001", "20240331")]
    assert quarterly == [
        ("20230401", "20230630"), ("20230401", "20230930"), ("20230401", "20231231"),
        ("20230401", "20240331"), ("20230701", "20240630"), ("20231001", "20240930"),
        ("20240101", "20241231"), ("20240401", "20250331"), ("20240701", "20250630"),
        ("20241001", "20250930"), ("20250101", "20251231"), ("20250401", "20260331"),
    ]


def test_overlapping_files_carry_an_event_under_the_same_reference_ending_it_later(
    landing: Path,
) -> None:
    """An event open at one quarter end (blank end and outcome) has its end in a later file."""
    earlier = _references(_file(landing, "820", "20230701", "20240630"))
    later = _references(_file(landing, "820", "20240101", "20241231"))
    closed_later = [
        reference for reference, row in earlier.items()
        if not row["Event End Date"] and later.get(reference, {}).get("Event End Date")
    ]
    assert closed_later
    for reference in closed_later:
        assert earlier[reference]["Event Start Date"] == later[reference]["Event Start Date"]
        assert "2024-07-01" <= later[reference]["Event End Date"] <= "2024-12-31"


def test_the_resubmission_adds_late_recorded_reviews_and_arrives_last(landing: Path) -> None:
    original = _references(_file(landing, "820", "20230401", "20240331"))
    resubmission_path = _file(landing, "820", "20231001", "20240331")
    resubmitted = _references(resubmission_path)
    next_quarter = _references(_file(landing, "820", "20230701", "20240630"))
    late = set(resubmitted) - set(original)
    assert late
    for reference in late:
        assert resubmitted[reference]["Event Type"] == "Review"
        assert "2023-10-01" <= resubmitted[reference]["Event Start Date"] <= "2024-03-31"
        assert reference in next_quarter
    # What the original held for the resubmitted period is in the resubmission too.
    in_period = {
        reference for reference, row in original.items()
        if not row["Event End Date"] or row["Event End Date"] >= "2023-10-01"
    }
    assert in_period <= set(resubmitted)
    assert resubmission_path.stat().st_mtime > max(
        path.stat().st_mtime for path in landing.iterdir() if path != resubmission_path)


def test_one_file_states_two_months_more_than_its_data(landing: Path) -> None:
    overstated = _rows(_file(landing, "821", "20250101", "20251231"))
    assert {row["Reporting Period End Date"] for row in overstated} == {"2025-12-31"}
    latest_dates = {row["Event Start Date"] for row in overstated} | {
        row["Event End Date"] for row in overstated if row["Event End Date"]}
    assert max(latest_dates) <= "2025-10-31"
    # The next file shows November and December happened.
    following = _rows(_file(landing, "821", "20250401", "20260331"))
    assert any("2025-11-01" <= row["Event Start Date"] <= "2025-12-31" for row in following)


def test_a_long_term_service_disappears_from_the_next_submission(landing: Path) -> None:
    last = _references(_file(landing, "820", "20231001", "20240930"))
    following = [
        _references(path) for path in sorted(landing.glob("CLD_820_*.csv"))
        if path.stem.split("_")[3] > "20240930"
    ]
    vanished = [
        reference for reference, row in last.items()
        if row["Service Type"].startswith("Long term support")
        and not row["Event End Date"]
        and not any(reference in later for later in following)
    ]
    assert len(vanished) == 1


def test_a_death_is_recorded_only_on_a_later_assessment(landing: Path) -> None:
    rows = _rows(_file(landing, "820", "20250401", "20260331"))
    by_person: dict[str, Rows] = {}
    for row in rows:
        by_person.setdefault(row["LA Person Unique Identifier"], []).append(row)
    only_on_assessment = [
        person_rows for person_rows in by_person.values()
        if len({row["Date of Death"] for row in person_rows}) == 2
    ]
    assert len(only_on_assessment) == 1
    [person_rows] = only_on_assessment
    [recorded] = [row for row in person_rows if row["Date of Death"]]
    assert recorded["Event Type"] == "Assessment"
    assert recorded["Event Outcome"] == "NFA: Deceased"
    assert recorded["Event End Date"] == recorded["Date of Death"]
    others = [row for row in person_rows if row is not recorded]
    assert any(row["Event Type"] == "Service" for row in others)
    assert all(row["Event Start Date"] <= recorded["Event Start Date"] for row in others)


def test_medway_sends_no_person_level_feeds(tmp_path: Path) -> None:
    written = generate_person_feed_extracts(tmp_path, scale=0.005)
    assert {path.name.split("_")[1] for path in written} == {"820"}
    assert {path.name.split("_")[0] for path in written} == {"HOSP", "SG", "DOLS"}
    assert all(path.name.endswith(f"_{date(2023, 4, 1):%Y%m%d}_20260331.csv") for path in written)
