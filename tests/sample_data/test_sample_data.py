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
from asc_warehouse.sample_data.profiles import PROFILES

SCALE = 0.02
SEED = 20260331
PERIOD_START = date(2024, 4, 1)
PERIOD_END = date(2026, 3, 31)
PERSON_ID = "LA Person Unique Identifier"

Rows = list[dict[str, str]]


def _read_seed(name: str) -> Rows:
    with (SEEDS_DIR / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _read_extract(path: Path) -> tuple[list[str], Rows]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


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
    """Rows of each extract, keyed by council code."""
    return {_council_code(path): _read_extract(path)[1] for path in sorted(landing.glob("*.csv"))}


def test_file_names_follow_the_landing_contract(landing: Path) -> None:
    councils = [row["council_code"] for row in _read_seed("ref_councils.csv")]
    expected = {f"CLD_{code}_20240401_20260331_R2.csv" for code in councils}
    assert {path.name for path in landing.glob("*.csv")} == expected


def test_each_file_holds_one_councils_rows_and_the_period(extracts: dict[str, Rows]) -> None:
    districts = {code: set(PROFILES[code].postcode_districts) for code in extracts}
    assert not set.intersection(*districts.values()), "council areas must not overlap"
    for code, rows in extracts.items():
        assert rows
        assert {row["Postcode"].split(" ")[0] for row in rows} <= districts[code]
        assert {row["Reporting Period Start Date"] for row in rows} == {"2024-04-01"}
        assert {row["Reporting Period End Date"] for row in rows} == {"2026-03-31"}


def test_header_is_the_cld_field_list_in_order(landing: Path) -> None:
    expected = [row["cld_field_name"] for row in _read_seed("cld_fields.csv")]
    for path in landing.glob("*.csv"):
        assert _read_extract(path)[0] == expected


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


def test_histories_are_time_ordered(extracts: dict[str, Rows]) -> None:
    checked = 0
    for rows in extracts.values():
        for person_rows in _by_person(rows).values():
            first: dict[str, str] = {}
            for row in person_rows:
                end = row["Event End Date"]
                assert not end or end >= row["Event Start Date"], row["Event Reference"]
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


def test_carers_link_to_service_users_in_the_same_file(extracts: dict[str, Rows]) -> None:
    for code, rows in extracts.items():
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
    kent_doubled = next(path for path in doubled if _council_code(path) == kent)
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
    paths = (
        sorted(landing.glob("*.csv"))
        if scale == SCALE
        else generate_sample_extracts(tmp_path, scale=scale, seed=SEED)
    )
    service_types = _r2_codes()["Service Type"]
    for path in paths:
        rows = _read_extract(path)[1]
        assert {row["Service Type"] for row in rows} - {""} == service_types, path.name
        assert len(_by_person(rows)) >= 40, path.name


def test_cli_writes_and_reports_each_extract(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["--landing", str(tmp_path), "--scale", "0.001", "--seed", "7"])
    printed = capsys.readouterr().out
    written = sorted(tmp_path.glob("*.csv"))
    assert len(written) == len(_read_seed("ref_councils.csv"))
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
    kent = faulty[0].read_text(encoding="utf-8")
    assert "Domiciliary care (legacy code)" in kent and "Direct Payment" in kent


def test_the_marker_lists_each_written_file_by_checksum(landing: Path) -> None:
    import hashlib

    from asc_warehouse.ingest.pseudonymise import SAMPLE_DATA_MARKER, generated_checksums

    written = sorted(landing.glob("*.csv"))
    lines = (landing / SAMPLE_DATA_MARKER).read_text(encoding="utf-8").splitlines()
    assert sorted(line.split()[1] for line in lines) == [path.name for path in written]
    assert generated_checksums(landing) == {
        hashlib.sha256(path.read_bytes()).hexdigest() for path in written
    }
