"""The sample HOSP_, SG_ and DOLS_ files: deterministic, in the landing contract, about the CLD
sample's people (so records link), at plausible volumes, and loading without quarantine unless
faults are planted."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import duckdb
import pytest

from asc_warehouse.ingest.extracts import load_extracts
from asc_warehouse.ingest.landing import scan_landing
from asc_warehouse.ingest.person_feeds import DOLS, HOSPITAL, PERSON_FEEDS, SAFEGUARDING, code_list
from asc_warehouse.sample_data import generate_person_feed_extracts, generate_sample_extracts
from asc_warehouse.sample_data.feeds import faults_to_plant

SCALE = 0.05
SEED = 20260331
# The sample history, 1 April 2023 to 31 March 2026.
YEARS = 1096 / 365.25
Rows = list[dict[str, str]]


def _read(path: Path) -> tuple[list[str], Rows]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("landing")
    generate_sample_extracts(directory, scale=SCALE, seed=SEED)
    generate_person_feed_extracts(directory, scale=SCALE, seed=SEED)
    return directory


def _rows(landing: Path, prefix: str, council: str = "820") -> Rows:
    [path] = landing.glob(f"{prefix}_{council}_*.csv")
    return _read(path)[1]


def _day(text: str) -> date:
    return date.fromisoformat(text)


def test_one_file_per_feed_and_council_with_the_contract_header(landing: Path) -> None:
    names = sorted(path.name for path in landing.glob("*.csv") if not path.name.startswith("CLD"))
    assert names == sorted(
        # Medway sends CLD only.
        f"{prefix}_820_20230401_20260331.csv" for prefix in ("HOSP", "SG", "DOLS")
    )
    for spec in PERSON_FEEDS.values():
        for path in landing.glob(f"{spec.label}_*.csv"):
            assert tuple(_read(path)[0]) == spec.header


def test_generation_is_deterministic_and_seeded(landing: Path, tmp_path: Path) -> None:
    again = generate_person_feed_extracts(tmp_path / "again", scale=SCALE, seed=SEED)
    assert all(path.read_bytes() == (landing / path.name).read_bytes() for path in again)
    other = generate_person_feed_extracts(tmp_path / "other", scale=SCALE, seed=SEED + 1)
    assert all(path.read_bytes() != (landing / path.name).read_bytes() for path in other)


def test_every_coded_value_is_in_the_feeds_code_list(landing: Path) -> None:
    for spec in PERSON_FEEDS.values():
        codes = code_list(spec.code_list_seed)
        for path in landing.glob(f"{spec.label}_*.csv"):
            rows = _read(path)[1]
            for field in codes:
                assert {row[field] for row in rows} - {""} <= set(codes[field]), (path, field)


def test_clean_files_load_without_quarantine_and_link_to_cld(
    landing: Path, tmp_path: Path
) -> None:
    results = load_extracts(tmp_path / "build.duckdb", scan_landing(landing).extracts, "key")
    assert {(r.status, r.rows_quarantined) for r in results} == {("loaded", 0)}
    with duckdb.connect(str(tmp_path / "build.duckdb"), read_only=True) as con:
        [(linked_discharges, linked_concerns, linked_applications)] = con.execute(
            """
            select
                (select count(*) from raw.hospital_discharges
                 where nhs_number_pseudo in (select nhs_number_pseudo from raw.cld_events)),
                (select count(*) from raw.safeguarding_concerns
                 where la_person_id_pseudo in (select la_person_id_pseudo from raw.cld_events)),
                (select count(*) from raw.dols_applications
                 where la_person_id_pseudo in (select la_person_id_pseudo from raw.cld_events))
            """
        ).fetchall()
    assert linked_discharges > 500 and linked_concerns > 500 and linked_applications > 300


def test_discharges_are_of_adults_in_the_period_with_a_realistic_older_share(
    landing: Path,
) -> None:
    rows = _rows(landing, "HOSP")
    ages = [(_day(r["Discharge Date"]) - _day(r["Date of Birth"])).days / 365.25 for r in rows]
    assert min(ages) >= 18
    assert 0.3 < sum(age >= 65 for age in ages) / len(ages) < 0.6
    assert all(date(2023, 4, 1) <= _day(r["Discharge Date"]) <= date(2026, 3, 31) for r in rows)
    assert all(r["Admission Date"] <= r["Discharge Date"] for r in rows)
    # England 2024-25 2D(2): 0.19 discharges a year per resident 65+; Kent has 335,964.
    older = sum(age >= 65 for age in ages)
    assert older == pytest.approx(335_964 * 0.19 * YEARS * SCALE, rel=0.1)


def test_reablement_follows_some_discharges_of_older_people(landing: Path) -> None:
    # Every reablement episode of Kent's submissions, once (they overlap).
    episodes = {
        (row["NHS Number"], _day(row["Event Start Date"]))
        for path in landing.glob("CLD_820_*.csv") for row in _read(path)[1]
        if (row["Service Type"], row["Service Component"]) == ("Short term support: ST-Max",
                                                               "Reablement")
    }
    reablement: dict[str, list[date]] = {}
    for nhs_number, start in sorted(episodes):
        reablement.setdefault(nhs_number, []).append(start)
    offsets = [
        (start - _day(row["Discharge Date"])).days
        for row in _rows(landing, "HOSP")
        for start in reablement.get(row["NHS Number"], [])
        if abs((start - _day(row["Discharge Date"])).days) <= 14
    ]
    within = [offset for offset in offsets if -7 <= offset <= 3]
    assert len(within) > 100
    # Both edges of the window, its mirror image and a little beyond each are represented.
    assert {-7, -3, 0, 3, 7} <= set(offsets) and min(offsets) < -7 and max(offsets) > 7


def test_readmissions_deaths_delays_and_excluded_codes_occur(landing: Path) -> None:
    rows = _rows(landing, "HOSP")
    by_person: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_person.setdefault(row["NHS Number"], []).append(row)
    readmissions = sum(
        1
        for spells in by_person.values()
        for first in spells
        for later in spells
        if later["Management Type"] in ("EM", "NE")
        and 0 < (_day(later["Admission Date"]) - _day(first["Discharge Date"])).days <= 84
    )
    assert readmissions > 100
    died = [row for row in rows if row["Discharge Method"] == "4"]
    assert died and all(row["Discharge Destination"] == "79" for row in died)
    delayed = [row for row in rows if row["Discharge Ready Date"]
               and row["Discharge Ready Date"] < row["Discharge Date"]]
    assert len(delayed) > 100 and all(row["Delay Responsibility"] for row in delayed)
    assert {row["Delay Responsibility"] for row in delayed} == {"NHS", "Social Care", "Both"}
    assert {"31", "32", "81"} <= {row["Admission Method"] for row in rows}
    assert {"51", "79", "87", "88"} <= {row["Discharge Destination"] for row in rows}
    functions = {row["Treatment Function Code"] for row in rows}
    assert "501" in functions and any(code.startswith("7") for code in functions)
    assert sum(not row["NHS Number"] for row in rows) == 0  # every sample patient is traced


def test_safeguarding_volumes_enquiries_and_risk_outcomes(landing: Path) -> None:
    rows = _rows(landing, "SG")
    in_period = [row for row in rows if row["Concern Received Date"] >= "2023-04-01"]
    # Kent 2017-18: 10,319 concerns and 5,812 enquiries a year (AH S21, AH S22).
    assert len(in_period) == pytest.approx(10_319 * YEARS * SCALE, rel=0.05)
    decided = [row for row in in_period if row["Concern Outcome"]]
    enquiries = [row for row in decided if row["Enquiry Start Date"]]
    assert len(enquiries) / len(decided) == pytest.approx(5_812 / 10_319, abs=0.05)
    outcomes = [row["Risk Outcome"] for row in rows if row["Risk Outcome"]]
    reduced_or_removed = sum(outcome != "Risk remains" for outcome in outcomes) / len(outcomes)
    assert 0.86 < reduced_or_removed < 0.96  # England 2024-25 ASCOF 4B: 91.2%
    assert any(not row["Enquiry End Date"] for row in enquiries)  # still open at the end
    assert any(row["Concern Received Date"] < "2023-04-01" for row in rows)  # open in period


def test_dols_types_timeliness_and_outcomes(landing: Path) -> None:
    rows = _rows(landing, "DOLS")
    assert {row["Application Type"] for row in rows} == {"Standard", "Urgent"}
    assert {row["Care Setting"] for row in rows} == {"Care home", "Hospital"}
    assert {row["Outcome"] for row in rows} == {"", "Granted", "Not granted", "Withdrawn"}
    standard = [row for row in rows
                if row["Application Type"] == "Standard" and row["Completed Date"]]
    late = [row for row in standard
            if (_day(row["Completed Date"]) - _day(row["Application Received Date"])).days > 21]
    assert 0 < len(late) < len(standard)
    in_period = [row for row in rows if row["Application Received Date"] >= "2023-04-01"]
    assert len(in_period) == pytest.approx(4_834 * YEARS * SCALE, rel=0.05)  # AH S25


def test_volumes_scale_with_scale(landing: Path, tmp_path: Path) -> None:
    doubled = generate_person_feed_extracts(tmp_path, scale=2 * SCALE, seed=SEED)
    for path in doubled:
        if "_820_" in path.name:
            ratio = len(_read(path)[1]) / len(_read(landing / path.name)[1])
            assert 1.8 <= ratio <= 2.2, path.name


def test_planted_faults_are_few_and_quarantined_without_failing_the_load(
    tmp_path: Path,
) -> None:
    paths = generate_person_feed_extracts(tmp_path / "landing", scale=0.01, with_faults=True)
    results = load_extracts(tmp_path / "build.duckdb", scan_landing(tmp_path / "landing").extracts,
                            "key")
    assert len(results) == len(paths) == 3
    for result in results:
        assert result.status == "loaded"
        assert result.rows_quarantined == faults_to_plant(result.rows_in) >= 1
        assert result.rows_quarantined / result.rows_in <= 0.025
        assert result.rows_in == result.rows_loaded + result.rows_quarantined
    assert {spec.feed for spec in (HOSPITAL, SAFEGUARDING, DOLS)} == set(PERSON_FEEDS)
