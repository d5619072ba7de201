"""National sample data: any councils of the seed, each sized by its own adult population."""

from __future__ import annotations

import csv
import hashlib
import itertools
import random
from pathlib import Path

import pytest

from asc_warehouse import cli
from asc_warehouse.ingest.extracts import load_extracts
from asc_warehouse.ingest.landing import scan_landing
from asc_warehouse.sample_data import (
    generate_person_feed_extracts,
    generate_sample_extracts,
    generate_sample_landing_files,
)
from asc_warehouse.sample_data.people import NhsNumberDraw
from asc_warehouse.sample_data.profiles import (
    PROFILES,
    NhsNumberRange,
    load_councils,
    parse_councils,
)

SCALE = 0.01
WIGAN, RUTLAND, CUMBERLAND = "313", "510", "H6X4G"


def _digests(paths: list[Path]) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in paths}


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    landing = tmp_path_factory.mktemp("national")
    paths = generate_sample_extracts(landing, scale=SCALE, councils=("820", WIGAN, CUMBERLAND))
    return landing, paths


def test_the_default_is_kent_and_medway_with_their_own_profiles() -> None:
    councils = load_councils()
    assert [(council.code, council.name) for council in councils] == [
        ("820", "Kent"), ("821", "Medway")]
    assert [council.profile for council in councils] == [PROFILES["820"], PROFILES["821"]]
    # The ranges their files were first generated with: 90 and 91, then seven digits.
    assert [council.nhs_numbers for council in councils] == [
        NhsNumberRange(900_000_000, 10**7), NhsNumberRange(910_000_000, 10**7)]


def test_another_council_has_kents_volumes_per_adult_resident() -> None:
    (wigan,) = load_councils([WIGAN])
    # Adults (18 to 64 plus 65 and above, ONS mid-2024): Kent 947,675 + 335,964 = 1,283,639;
    # Wigan 206,738 + 66,487 = 273,225, a share of 0.212852. Kent's 50,000 requests a year,
    # 16,000 in long-term support and 4,000 carers become 10,642.6, 3,405.6 and 851.4.
    assert wigan.name == "Wigan"
    assert (wigan.profile.requests_per_year, wigan.profile.people_in_long_term_support,
            wigan.profile.unpaid_carers) == (10_643, 3_406, 851)
    assert not wigan.profile.sends_person_feeds


def test_a_council_with_one_age_band_is_sized_in_kents_proportion() -> None:
    (rutland,) = load_councils([RUTLAND])
    # Only Rutland's 65 and above (10,949) is in the seed: its adults are taken as
    # 10,949 x 1,283,639 / 335,964 (Kent's adults per resident aged 65 and above), so its
    # requests are 50,000 x 10,949 / 335,964 = 1,629.5.
    assert rutland.profile.requests_per_year == 1_629


def test_all_means_every_council_the_seeds_can_size() -> None:
    councils = load_councils(parse_councils("all"))
    codes = [council.code for council in councils]
    assert len(codes) == 152 and len(set(codes)) == 152
    assert "906" not in codes  # the Isles of Scilly: no population estimate to size it by
    assert {"820", "821", CUMBERLAND} <= set(codes)
    ranges = sorted((council.nhs_numbers.start, council.nhs_numbers.size) for council in councils)
    for (start, size), (next_start, _) in itertools.pairwise(ranges):
        assert size > 0 and start + size <= next_start
    assert ranges[0][0] == 900_000_000 and sum(ranges[-1]) <= 1_000_000_000


def test_council_lists_are_parsed_and_checked() -> None:
    assert parse_councils(" 820, 313,820 ") == ("820", "313")
    assert parse_councils("ALL") is None
    with pytest.raises(ValueError, match="no council codes"):
        parse_councils(" , ")
    with pytest.raises(KeyError, match=r"not in ref_councils\.csv"):
        load_councils(["999"])
    with pytest.raises(KeyError, match="no adult population"):
        load_councils(["906"])


def test_an_nhs_number_range_refuses_to_fill_up() -> None:
    numbers = NhsNumberRange(930_000_000, 40)
    draw = NhsNumberDraw(random.Random(1), numbers, set())
    drawn = [draw.draw() for _ in range(20)]
    assert len(set(drawn)) == 20
    assert all(930_000_000 <= int(number[:9]) < 930_000_040 for number in drawn)
    with pytest.raises(ValueError, match="half used"):
        draw.draw()


def test_national_councils_send_the_plain_quarterly_history(national: tuple[Path, list[Path]]
                                                            ) -> None:
    _, paths = national
    names = {path.name for path in paths}
    for code in (WIGAN, CUMBERLAND):
        files = sorted(name for name in names if name.startswith(f"CLD_{code}_"))
        # Quarter ends from June 2023 to March 2026, no resubmission.
        assert len(files) == 12
        assert files[-1] == f"CLD_{code}_20250401_20260331_R2.csv"
    # Kent's resubmission is still there.
    assert "CLD_820_20231001_20240331_R2.csv" in names


def test_national_people_use_their_councils_ranges_and_made_up_places(
    national: tuple[Path, list[Path]],
) -> None:
    landing, _ = national
    councils = {council.code: council for council in load_councils([WIGAN, CUMBERLAND])}
    for code, council in councils.items():
        with (landing / f"CLD_{code}_20250401_20260331_R2.csv").open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        first_nine = {int(row["NHS Number"][:9]) for row in rows}
        low, size = council.nhs_numbers.start, council.nhs_numbers.size
        assert all(low <= number < low + size for number in first_nine)
        assert {row["Postcode"].split()[0] for row in rows} <= set(
            council.profile.postcode_districts)
        assert all(row["Postcode"].startswith("Q") for row in rows)
        assert {row["GP Practice Code"][:3] for row in rows} == {"Q99"}


def test_kent_and_medway_files_do_not_change_when_other_councils_are_added(
    national: tuple[Path, list[Path]], tmp_path: Path,
) -> None:
    _, with_others = national
    alone = generate_sample_extracts(tmp_path, scale=SCALE, councils=("820",))
    kent = [path for path in with_others if path.name.startswith("CLD_820_")]
    assert _digests(kent) == _digests(alone)


# Kent's first quarter at scale 0.01 as main generated it at commit 67f6cba: a change to the
# generator for other councils must leave Kent's files byte for byte as they were.
KENT_FIRST_QUARTER = "CLD_820_20230401_20230630_R2.csv"
KENT_FIRST_QUARTER_SHA256 = "9e0e3268f10f1b0f791df64ee0a0a209cbf1ae7494f1cdd565edc612962a1cdd"


def test_kents_first_quarter_keeps_the_bytes_it_had_at_67f6cba(
    national: tuple[Path, list[Path]],
) -> None:
    landing, _ = national
    assert _digests([landing / KENT_FIRST_QUARTER]) == {
        KENT_FIRST_QUARTER: KENT_FIRST_QUARTER_SHA256}


def test_only_kent_sends_person_level_feeds(tmp_path: Path) -> None:
    written = generate_person_feed_extracts(tmp_path, scale=0.005, councils=("820", WIGAN))
    assert {path.name.split("_")[1] for path in written} == {"820"}


def test_national_files_load_with_nothing_quarantined(
    national: tuple[Path, list[Path]], tmp_path: Path,
) -> None:
    landing, _ = national
    extracts = [extract for extract in scan_landing(landing).extracts
                if extract.council_code in (WIGAN, CUMBERLAND)
                and extract.path.name.endswith("_20250401_20260331_R2.csv")]
    results = load_extracts(tmp_path / "build.duckdb", extracts, "key")
    assert len(results) == 2
    for result in results:
        assert (result.status, result.rows_quarantined) == ("loaded", 0), result
        assert result.rows_loaded > 100


def test_the_cli_writes_the_councils_asked_for_and_refuses_unknown_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("ASC_LANDING_DIR", str(tmp_path / "landing"))
    assert cli.main(["sample-data", "--scale", "0.005", "--councils", f"{WIGAN},{CUMBERLAND}"]) == 0
    written = {path.name.split("_")[1] for path in (tmp_path / "landing").glob("*.csv")}
    # No Kent: no person-level feeds and no OPEL files either.
    assert written == {WIGAN, CUMBERLAND}
    with pytest.raises(SystemExit) as refused:
        cli.main(["sample-data", "--councils", "820,999"])
    assert refused.value.code == 2
    assert "councils not in ref_councils.csv: ['999']" in capsys.readouterr().err


def test_the_landing_files_of_a_sample_night_hold_every_feed(tmp_path: Path) -> None:
    written = generate_sample_landing_files(tmp_path, scale=0.005)
    by_feed_and_council: dict[str, int] = {}
    for path in written:
        feed_council = "_".join(path.name.split("_")[:2])
        by_feed_and_council[feed_council] = by_feed_and_council.get(feed_council, 0) + 1
    # Twelve quarters from June 2023 to March 2026 each, and Kent's one resubmission; Kent alone
    # sends the person-level feeds (one file each) and OPEL (one a day for four weeks).
    assert by_feed_and_council == {
        "CLD_820": 13, "CLD_821": 12, "HOSP_820": 1, "SG_820": 1, "DOLS_820": 1, "OPEL_820": 28}
    assert sorted(tmp_path.glob("*.csv")) == sorted(written)


def test_the_cli_samples_the_generators_default_councils_unless_told(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ASC_SAMPLE_COUNCILS", raising=False)
    monkeypatch.setenv("ASC_LANDING_DIR", str(tmp_path / "landing"))
    assert cli.main(["sample-data", "--scale", "0.005"]) == 0
    written = {path.name.split("_")[1] for path in (tmp_path / "landing").glob("*.csv")}
    assert written == {"820", "821"}
