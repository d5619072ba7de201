"""Invariants of the synthetic CLD extracts, checked on one small generation."""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest

from asc_warehouse.config import SEEDS_DIR
from asc_warehouse.ingest.nhs_number import is_valid_nhs_number
from asc_warehouse.sample_data import generate_sample_extracts
from asc_warehouse.sample_data.__main__ import main
from asc_warehouse.sample_data.profiles import HISTORY_END, HISTORY_START, PROFILES
from asc_warehouse.sample_data.submissions import LA_CODE_COLUMN, submission_plan
from asc_warehouse.sample_data.writer import extract_name

SCALE = 0.02
SEED = 20260331
# Most tests read each council's latest submission: the 12 months to the history's end.
PERIOD_START = date(2025, 4, 1)
PERIOD_END = HISTORY_END
PERSON_ID = "LA Person Unique Identifier"

Rows = list[dict[str, str]]


def _read_seed(name: str) -> Rows:
    with (SEEDS_DIR / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _read_extract(path: Path) -> tuple[list[str], Rows]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _latest(paths: list[Path]) -> list[Path]:
    """Each council's submission for the 12 months to the history's end."""
    return sorted(path for path in paths
                  if path.name.endswith(f"_{PERIOD_START:%Y%m%d}_{PERIOD_END:%Y%m%d}_R2.csv"))


def _council_code(path: Path) -> str:
    return path.name.split("_")[1]


def _by_person(rows: Rows) -> dict[str, Rows]:
    people: dict[str, Rows] = defaultdict(list)
    for row in rows:
        people[row[PERSON_ID]].append(row)
    return people


def _r2_codes() -> dict[str, set[str]]:
    codes: dict[str, set[str]] = defaultdict(set)
    for row in _read_seed("cld_code_list.csv"):
        if row["release"] == "R2":
            codes[row["cld_field_name"]].add(row["code_value"])
    return codes


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("landing")
    generate_sample_extracts(directory, scale=SCALE, seed=SEED)
    return directory


@pytest.fixture(scope="module")
def extracts(landing: Path) -> dict[str, Rows]:
    """Rows of each council's latest extract, keyed by council code."""
    return {_council_code(path): _read_extract(path)[1]
            for path in _latest(list(landing.iterdir()))}


@pytest.fixture(scope="module")
def first_year(landing: Path) -> dict[str, Rows]:
    """Rows of each council's file for 2023-24: it starts with the history, so every history
    (and every carer's cared-for person) is whole in it."""
    return {_council_code(path): _read_extract(path)[1] for path in
            sorted(landing.glob(f"CLD_*_{HISTORY_START:%Y%m%d}_20240331_R2.csv"))}


def test_file_names_follow_the_landing_contract(landing: Path) -> None:
    expected = {
        extract_name(code, submission.period_start, submission.period_end)
        for code in PROFILES
        for submission in submission_plan(code, HISTORY_START, HISTORY_END)
    }
    assert {path.name for path in landing.iterdir()} == expected
    # 12 quarterly files each, and Kent's one resubmission.
    assert len(expected) == 25


def test_each_file_holds_one_councils_rows_and_the_period(extracts: dict[str, Rows]) -> None:
    districts = {code: set(PROFILES[code].postcode_districts) for code in extracts}
    assert not set.intersection(*districts.values()), "council areas must not overlap"
    for code, rows in extracts.items():
        assert rows
        assert {row["Postcode"].split(" ")[0] for row in rows} <= districts[code]
        assert {row["Reporting Period Start Date"] for row in rows} == {"2025-04-01"}
        assert {row["Reporting Period End Date"] for row in rows} == {"2026-03-31"}


def test_header_is_the_cld_field_list_in_order(landing: Path) -> None:
    """The portal's LA Code leads Kent's files from the 12 months to June 2025 on."""
    expected = [row["cld_field_name"] for row in _read_seed("cld_fields.csv")]
    with_la_code = set()
    for path in landing.iterdir():
        header, rows = _read_extract(path)
        if header[0] == LA_CODE_COLUMN:
            with_la_code.add(path.name)
            assert {row[LA_CODE_COLUMN] for row in rows} == {_council_code(path)}
            header = header[1:]
        assert header == expected
    assert with_la_code == {
        f"CLD_820_{start}_{end}_R2.csv" for start, end in (
            ("20240701", "20250630"), ("20241001", "20250930"), ("20250101", "20251231"),
            ("20250401", "20260331"))
    }


def test_every_coded_value_is_in_the_r2_code_list(extracts: dict[str, Rows]) -> None:
    codes = _r2_codes()
    # The reference gives one list for both methods (section 2.3.11).
    codes["Method of Assessment"] = codes["Method of Review"]
    for code, rows in extracts.items():
        for field, allowed in codes.items():
            used = {row[field] for row in rows} - {""}
            assert used, f"{code}: {field} is never filled"
            assert used <= allowed, f"{code}: {field} has {sorted(used - allowed)}"


def test_nhs_numbers_are_valid_and_one_per_person(extracts: dict[str, Rows]) -> None:
    seen: dict[str, str] = {}
    for code, rows in extracts.items():
        for person_id, person_rows in _by_person(rows).items():
            numbers = {row["NHS Number"] for row in person_rows}
            assert len(numbers) == 1, f"{code} {person_id} has {numbers}"
            (number,) = numbers
            assert is_valid_nhs_number(number)
            key = f"{code}/{person_id}"
            assert seen.setdefault(number, key) == key, f"{number} is shared by two people"


def test_histories_are_time_ordered(first_year: dict[str, Rows]) -> None:
    checked = 0
    for rows in first_year.values():
        for person_rows in _by_person(rows).values():
            first: dict[str, str] = {}
            for row in person_rows:
                end = row["Event End Date"]
                assert not end or end >= row["Event Start Date"], row["Event Reference"]
                if row["Event Outcome"] == "NFA: Deceased":
                    # An assessment recording a death comes after the services, by design.
                    continue
                kind, start = row["Event Type"], row["Event Start Date"]
                first[kind] = min(first.get(kind, start), start)
            sequence = [
                first[kind] for kind in ("Request", "Assessment", "Service") if kind in first
            ]
            assert sequence == sorted(sequence), person_rows[0][PERSON_ID]
            checked += len(sequence) == 3
    assert checked, "no person has a request, an assessment and a service"


def test_no_event_extends_past_a_death(extracts: dict[str, Rows]) -> None:
    deaths = 0
    for rows in extracts.values():
        for row in rows:
            died = row["Date of Death"]
            if died:
                deaths += 1
                assert row["Event Start Date"] <= died
                assert row["Event End Date"], "open events must end at the death"
                assert row["Event End Date"] <= died
    assert deaths, "the sample has no deaths"


def test_events_overlap_the_period_and_none_ends_after_it(extracts: dict[str, Rows]) -> None:
    start, end = PERIOD_START.isoformat(), PERIOD_END.isoformat()
    for rows in extracts.values():
        for row in rows:
            assert row["Event Start Date"] <= end
            if row["Event End Date"]:
                assert start <= row["Event End Date"] <= end
    all_rows = [row for rows in extracts.values() for row in rows]
    assert any(row["Event Start Date"] < start for row in all_rows), "nothing starts before"
    assert any(not row["Event End Date"] for row in all_rows), "nothing is still open"


def test_carers_link_to_service_users_in_the_same_file(first_year: dict[str, Rows]) -> None:
    for code, rows in first_year.items():
        service_users = {row[PERSON_ID] for row in rows if row["Client Type"] == "Service user"}
        carers = [row for row in rows if row["Client Type"] == "Unpaid carer"]
        assert carers, f"{code} has no unpaid carers"
        for row in carers:
            linked = [row[f"Adult {n} Linked Person_ID"] for n in (1, 2, 3)]
            linked = [person_id for person_id in linked if person_id]
            assert linked and set(linked) <= service_users, row["Event Reference"]
            assert row["No. of adults being cared for"] == str(len(linked))
            assert row["Total Hrs Caring per week"]


def test_generation_is_deterministic(landing: Path, tmp_path: Path) -> None:
    again = generate_sample_extracts(tmp_path, scale=SCALE, seed=SEED)
    for path in again:
        assert path.read_bytes() == (landing / path.name).read_bytes()


def test_a_different_seed_gives_different_data(landing: Path, tmp_path: Path) -> None:
    for path in generate_sample_extracts(tmp_path, scale=SCALE, seed=SEED + 1):
        assert path.read_bytes() != (landing / path.name).read_bytes()


def test_volume_scales_with_scale(extracts: dict[str, Rows], tmp_path: Path) -> None:
    kent = "820"  # Medway at this scale sits on the people floor
    doubled = generate_sample_extracts(tmp_path, scale=2 * SCALE, seed=SEED)
    kent_doubled = next(path for path in _latest(doubled) if _council_code(path) == kent)
    ratio = len(_read_extract(kent_doubled)[1]) / len(extracts[kent])
    assert 1.8 <= ratio <= 2.2


def test_community_services_cover_every_delivery_mechanism(extracts: dict[str, Rows]) -> None:
    community = [
        row
        for rows in extracts.values()
        for row in rows
        if row["Service Type"] == "Long term support: Community"
    ]
    mechanisms = {row["Delivery Mechanism"] for row in community}
    assert mechanisms == _r2_codes()["Delivery Mechanism"] | {""}
    assert any(
        row["Service Component"] == "Direct payment"
        and row["Delivery Mechanism"] == "CASSR commissioned support"
        for row in community
    ), "no Direct payment component recorded as commissioned support (ASCOF 3D override)"


@pytest.mark.parametrize("scale", [0.001, SCALE])
def test_every_service_type_appears_even_at_tiny_scale(
    scale: float, landing: Path, tmp_path: Path
) -> None:
    """Across each council's submissions; its 2023-24 file still holds 40 people or more."""
    paths = (
        list(landing.iterdir())
        if scale == SCALE
        else generate_sample_extracts(tmp_path, scale=scale, seed=SEED)
    )
    service_types = _r2_codes()["Service Type"]
    for code in PROFILES:
        used: set[str] = set()
        for path in paths:
            if _council_code(path) != code:
                continue
            rows = _read_extract(path)[1]
            used |= {row["Service Type"] for row in rows} - {""}
            if path.name.endswith(f"_{HISTORY_START:%Y%m%d}_20240331_R2.csv"):
                assert len(_by_person(rows)) >= 40, path.name
        assert used == service_types, code


def test_cli_writes_and_reports_each_extract(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["--landing", str(tmp_path), "--scale", "0.001", "--seed", "7"])
    printed = capsys.readouterr().out
    written = sorted(tmp_path.iterdir())
    assert len(written) == sum(
        len(submission_plan(code, HISTORY_START, HISTORY_END)) for code in PROFILES)
    for path in written:
        assert str(path) in printed


def test_planted_faults_are_rare_deterministic_and_off_by_default(tmp_path: Path) -> None:
    clean = generate_sample_extracts(tmp_path / "clean", scale=0.05)
    faulty = generate_sample_extracts(tmp_path / "faulty", scale=0.05, with_faults=True)
    again = generate_sample_extracts(tmp_path / "again", scale=0.05, with_faults=True)
    assert [p.read_bytes() for p in faulty] == [p.read_bytes() for p in again]
    for clean_path, faulty_path in zip(clean, faulty, strict=True):
        clean_rows = clean_path.read_text(encoding="utf-8").splitlines()
        faulty_rows = faulty_path.read_text(encoding="utf-8").splitlines()
        changed = sum(a != b for a, b in zip(clean_rows, faulty_rows, strict=True))
        assert 0 < changed < 0.05 * len(clean_rows)
    kent = "".join(path.read_text(encoding="utf-8") for path in faulty
                   if _council_code(path) == "820")
    assert "Domiciliary care (legacy code)" in kent and "Direct Payment" in kent
