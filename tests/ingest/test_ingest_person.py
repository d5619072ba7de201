"""The person-level loader (hospital discharges, safeguarding, DoLS): clean rows load hashed,
every rule quarantines with its exact reason, rows in = loaded + quarantined, whole-file faults
reject the file by name, and no identifier or date of birth reaches the build file."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import duckdb
import pytest

from asc_warehouse.ingest.extracts import load_extracts
from asc_warehouse.ingest.landing import parse_extract_name
from asc_warehouse.ingest.loading import LoadResult
from asc_warehouse.ingest.person import NO_PERSON_FIELD, NO_PERSON_REASON
from asc_warehouse.ingest.person_feeds import DOLS, HOSPITAL, PERSON_FEEDS, SAFEGUARDING, PersonFeed
from tests.cld_files import PERSON, cld_row, write_cld_file

HOSP_NAME = "HOSP_820_20250101_20250331.csv"
SG_NAME = "SG_820_20250101_20250331.csv"
DOLS_NAME = "DOLS_820_20250101_20250331.csv"
NAMES = {HOSPITAL.feed: HOSP_NAME, SAFEGUARDING.feed: SG_NAME, DOLS.feed: DOLS_NAME}
PERSON_IDS = {
    "NHS Number": PERSON["NHS Number"],
    "Date of Birth": PERSON["Date of Birth"],
}
SPELL = {
    "Spell ID": "RVV-SPELL-000777",
    **PERSON_IDS,
    "Admission Date": "2025-01-02",
    "Admission Method": "21",
    "Discharge Date": "2025-01-10",
    "Discharge Method": "1",
    "Discharge Destination": "19",
    "Treatment Function Code": "300",
    "Management Type": "EM",
    "Discharge Ready Date": "2025-01-08",
    "Delay Responsibility": "Social Care",
}
CONCERN = {
    "Concern ID": "SG-CONCERN-000991",
    "LA Person Unique Identifier": PERSON["LA Person Unique Identifier"],
    **PERSON_IDS,
    "Concern Received Date": "2025-01-05",
    "Concern Outcome": "Section 42 enquiry",
    "Enquiry Start Date": "2025-01-07",
    "Enquiry End Date": "2025-02-20",
    "Risk Identified": "Yes",
    "Risk Outcome": "Risk reduced",
    "Outcomes Expressed": "Yes",
    "Outcomes Achieved": "Fully achieved",
}
APPLICATION = {
    "Application ID": "DOLS-APP-004411",
    "LA Person Unique Identifier": PERSON["LA Person Unique Identifier"],
    **PERSON_IDS,
    "Application Received Date": "2025-01-05",
    "Application Type": "Standard",
    "Care Setting": "Care home",
    "Completed Date": "2025-01-20",
    "Outcome": "Granted",
}
BASE = {HOSPITAL.feed: SPELL, SAFEGUARDING.feed: CONCERN, DOLS.feed: APPLICATION}


def _csv_text(spec: PersonFeed, rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=spec.header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def write_feed_file(directory: Path, spec: PersonFeed, rows: list[dict[str, str]]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / NAMES[spec.feed]
    path.write_text(_csv_text(spec, rows), encoding="utf-8")
    return path


def _load(tmp_path: Path, *paths: Path) -> list[LoadResult]:
    extracts = [parse_extract_name(path) for path in paths]
    return load_extracts(tmp_path / "build.duckdb", extracts, "key")


def _query(tmp_path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(tmp_path / "build.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def _quarantine(tmp_path: Path) -> list[tuple]:
    return _query(
        tmp_path,
        "select source_row_number, field, reason, submitted_value from ops.quarantine "
        "order by source_row_number, field, reason",
    )


def test_the_landing_names_parse_to_their_feed_and_period(tmp_path: Path) -> None:
    for spec in PERSON_FEEDS.values():
        extract = parse_extract_name(write_feed_file(tmp_path, spec, [BASE[spec.feed]]))
        assert (extract.feed, extract.council_code, extract.period_start, extract.period_end,
                extract.release) == (spec.feed, "820", date(2025, 1, 1), date(2025, 3, 31), "-")


def test_clean_files_load_hashed_with_lineage_and_audit(tmp_path: Path) -> None:
    paths = [write_feed_file(tmp_path, spec, [BASE[spec.feed], BASE[spec.feed]])
             for spec in PERSON_FEEDS.values()]
    results = _load(tmp_path, *paths)
    assert [(r.status, r.rows_in, r.rows_loaded, r.rows_quarantined) for r in results] == [
        ("loaded", 2, 2, 0)] * 3
    [spell] = _query(
        tmp_path,
        "select council_code, source_file, length(spell_id_pseudo), nhs_number_check, "
        "length(nhs_number_pseudo), birth_month, admission_date, admission_method, "
        "discharge_date, discharge_method, discharge_destination, treatment_function_code, "
        "management_type, discharge_ready_date, delay_responsibility "
        "from raw.hospital_discharges where source_row_number = 2",
    )
    assert spell == ("820", HOSP_NAME, 64, "valid", 64, date(1941, 7, 1), date(2025, 1, 2), "21",
                     date(2025, 1, 10), "1", "19", "300", "EM", date(2025, 1, 8), "Social Care")
    [concern] = _query(
        tmp_path,
        "select length(concern_id_pseudo), length(la_person_id_pseudo), birth_month, "
        "concern_received_date, concern_outcome, enquiry_start_date, enquiry_end_date, "
        "risk_identified, risk_outcome, outcomes_expressed, outcomes_achieved "
        "from raw.safeguarding_concerns where source_row_number = 3",
    )
    assert concern == (64, 64, date(1941, 7, 1), date(2025, 1, 5), "Section 42 enquiry",
                       date(2025, 1, 7), date(2025, 2, 20), "Yes", "Risk reduced", "Yes",
                       "Fully achieved")
    [application] = _query(
        tmp_path,
        "select received_date, application_type, care_setting, completed_date, outcome "
        "from raw.dols_applications where source_row_number = 2",
    )
    assert application == (date(2025, 1, 5), "Standard", "Care home", date(2025, 1, 20),
                           "Granted")
    assert _query(
        tmp_path,
        "select feed, file_name, release, status, reporting_period_start, reporting_period_end, "
        "rows_in, rows_loaded, rows_quarantined from ops.load_audit order by feed",
    ) == [
        ("dols", DOLS_NAME, "-", "loaded", date(2025, 1, 1), date(2025, 3, 31), 2, 2, 0),
        ("hospital", HOSP_NAME, "-", "loaded", date(2025, 1, 1), date(2025, 3, 31), 2, 2, 0),
        ("safeguarding", SG_NAME, "-", "loaded", date(2025, 1, 1), date(2025, 3, 31), 2, 2, 0),
    ]


def test_raw_tables_have_the_documented_columns(tmp_path: Path) -> None:
    """Empty tables exist after any load (dbt reads them as sources), with these columns."""
    _load(tmp_path, write_cld_file(tmp_path / "CLD_820_20240401_20260331_R2.csv", [cld_row()]))
    lineage = ["council_code", "load_id", "source_file", "source_row_number", "loaded_at"]
    expected = {
        "hospital_discharges": [
            *lineage, "spell_id_pseudo", "nhs_number_check", "nhs_number_pseudo", "birth_month",
            "admission_date", "admission_method", "discharge_date", "discharge_method",
            "discharge_destination", "treatment_function_code", "management_type",
            "discharge_ready_date", "delay_responsibility"],
        "safeguarding_concerns": [
            *lineage, "concern_id_pseudo", "la_person_id_pseudo", "nhs_number_check",
            "nhs_number_pseudo", "birth_month", "concern_received_date", "concern_outcome",
            "enquiry_start_date", "enquiry_end_date", "risk_identified", "risk_outcome",
            "outcomes_expressed", "outcomes_achieved"],
        "dols_applications": [
            *lineage, "application_id_pseudo", "la_person_id_pseudo", "nhs_number_check",
            "nhs_number_pseudo", "birth_month", "received_date", "application_type",
            "care_setting", "completed_date", "outcome"],
    }
    for table, columns in expected.items():
        found = _query(
            tmp_path,
            "select column_name from information_schema.columns where table_schema = 'raw' "
            f"and table_name = '{table}' order by ordinal_position",
        )
        assert [column for (column,) in found] == columns
        assert _query(tmp_path, f"select count(*) from raw.{table}") == [(0,)]


NOT_A_DATE = "is not a date in YYYY-MM-DD form"
DELAY_NEEDED = ("Delay Responsibility is blank but Discharge Ready Date is before Discharge Date "
                "(a delayed discharge)")
NOT_CONCLUDED = "Risk Identified is given but the enquiry has not concluded (no Enquiry End Date)"
NO_PERSON = (NO_PERSON_FIELD, NO_PERSON_REASON, None)
NO_IDS = {"NHS Number": "9434765918", "LA Person Unique Identifier": ""}

# (id, feed, overrides, [(field, reason, value shown)])
ROW_FAULTS = [
    ("blank spell id", "hospital", {"Spell ID": " "}, [("Spell ID", "Spell ID is blank", None)]),
    ("blank admission", "hospital", {"Admission Date": "", "Discharge Ready Date": "",
                                     "Delay Responsibility": ""},
     [("Admission Date", "Admission Date is blank", None)]),
    ("uk admission date", "hospital", {"Admission Date": "02/01/2025"},
     [("Admission Date", f"Admission Date {NOT_A_DATE}", None)]),
    ("impossible discharge", "hospital", {"Discharge Date": "2025-02-30"},
     [("Discharge Date", f"Discharge Date {NOT_A_DATE}", None)]),
    ("ancient birth", "hospital", {"Date of Birth": "1899-12-31"},
     [("Date of Birth", "Date of Birth is before 1900-01-01: impossible", None)]),
    ("future ready date", "hospital", {"Discharge Ready Date": "2025-04-01"},
     [("Discharge Ready Date", "Discharge Ready Date is after the period end in the file name: "
       "it cannot have happened yet", None)]),
    ("discharged before the period", "hospital",
     {"Admission Date": "2024-12-20", "Discharge Date": "2024-12-31"},
     [("Discharge Date", "Discharge Date is before the period start in the file name: the file "
       "lists the period's discharges", None)]),
    ("discharge before admission", "hospital",
     {"Admission Date": "2025-01-12", "Discharge Ready Date": "", "Delay Responsibility": ""},
     [("Discharge Date", "Discharge Date is before Admission Date", None)]),
    ("ready before admission", "hospital", {"Discharge Ready Date": "2025-01-01"},
     [("Discharge Ready Date", "Discharge Ready Date is before Admission Date", None)]),
    ("delay without responsibility", "hospital", {"Delay Responsibility": ""},
     [("Delay Responsibility", DELAY_NEEDED, None)]),
    ("unknown admission method", "hospital", {"Admission Method": "2E"},
     [("Admission Method", "Admission Method is not a code listed in "
       "seeds/hospital_code_list.csv", "2E")]),
    ("blank admission method", "hospital", {"Admission Method": ""},
     [("Admission Method", "Admission Method is blank", None)]),
    ("unknown destination", "hospital", {"Discharge Destination": "20"},
     [("Discharge Destination", "Discharge Destination is not a code listed in "
       "seeds/hospital_code_list.csv", "20")]),
    ("management type in lower case", "hospital", {"Management Type": "em"},
     [("Management Type", "Management Type is not a code listed in "
       "seeds/hospital_code_list.csv", "em")]),
    ("unknown responsibility", "hospital", {"Delay Responsibility": "Council"},
     [("Delay Responsibility", "Delay Responsibility is not a code listed in "
       "seeds/hospital_code_list.csv", "Council")]),
    ("two-character treatment function", "hospital", {"Treatment Function Code": "30"},
     [("Treatment Function Code", "Treatment Function Code is not 3 letters or digits", "30")]),
    ("a child", "hospital", {"Date of Birth": "2007-01-11"},
     [("Date of Birth", "Date of Birth makes the person under 18 on Discharge Date: the feed is "
       "for adults", None)]),
    ("blank concern id", "safeguarding", {"Concern ID": ""},
     [("Concern ID", "Concern ID is blank", None)]),
    ("future concern", "safeguarding",
     {"Concern Received Date": "2025-04-01", "Concern Outcome": "", "Enquiry Start Date": "",
      "Enquiry End Date": "", "Risk Identified": "", "Risk Outcome": "",
      "Outcomes Expressed": "", "Outcomes Achieved": ""},
     [("Concern Received Date", "Concern Received Date is after the period end in the file "
       "name: it cannot have happened yet", None)]),
    ("no person identifier", "safeguarding", NO_IDS, [NO_PERSON]),
    ("unknown concern outcome", "safeguarding", {"Concern Outcome": "S42"},
     [("Concern Outcome", "Concern Outcome is not a code listed in "
       "seeds/safeguarding_code_list.csv", "S42"),
      ("Enquiry Start Date", "Enquiry Start Date is given but Concern Outcome is not an enquiry",
       None)]),
    ("enquiry before concern", "safeguarding", {"Enquiry Start Date": "2025-01-04"},
     [("Enquiry Start Date", "Enquiry Start Date is before Concern Received Date", None)]),
    ("enquiry ends before it starts", "safeguarding", {"Enquiry End Date": "2025-01-06"},
     [("Enquiry End Date", "Enquiry End Date is before Enquiry Start Date", None)]),
    ("enquiry after no further action", "safeguarding",
     {"Concern Outcome": "No further safeguarding action"},
     [("Enquiry Start Date", "Enquiry Start Date is given but Concern Outcome is not an enquiry",
       None)]),
    ("enquiry end without start", "safeguarding", {"Enquiry Start Date": ""},
     [("Enquiry End Date", "Enquiry End Date is given but Enquiry Start Date is blank", None),
      ("Outcomes Expressed", "Outcomes Expressed is given but there is no enquiry (Enquiry "
       "Start Date is blank)", "Yes")]),
    ("risk on an open enquiry", "safeguarding",
     {"Enquiry End Date": "", "Outcomes Achieved": ""},
     [("Risk Identified", NOT_CONCLUDED, "Yes")]),
    ("risk outcome without risk", "safeguarding", {"Risk Identified": "No"},
     [("Risk Outcome", "Risk Outcome is given but Risk Identified is not Yes", "Risk reduced")]),
    ("risk without outcome", "safeguarding", {"Risk Outcome": ""},
     [("Risk Outcome", "Risk Outcome is blank but Risk Identified is Yes", None)]),
    ("unknown risk outcome", "safeguarding", {"Risk Outcome": "Risk eliminated"},
     [("Risk Outcome", "Risk Outcome is not a code listed in "
       "seeds/safeguarding_code_list.csv", "Risk eliminated")]),
    ("achieved without expressed", "safeguarding", {"Outcomes Expressed": "No"},
     [("Outcomes Achieved", "Outcomes Achieved is given but Outcomes Expressed is not Yes",
       "Fully achieved")]),
    ("blank application id", "dols", {"Application ID": ""},
     [("Application ID", "Application ID is blank", None)]),
    ("no person for dols", "dols", NO_IDS, [NO_PERSON]),
    ("blank application type", "dols", {"Application Type": ""},
     [("Application Type", "Application Type is blank", None)]),
    ("unknown application type", "dols", {"Application Type": "Emergency"},
     [("Application Type", "Application Type is not a code listed in "
       "seeds/dols_code_list.csv", "Emergency")]),
    ("community setting", "dols", {"Care Setting": "Community"},
     [("Care Setting", "Care Setting is not a code listed in seeds/dols_code_list.csv",
       "Community")]),
    ("completed before received", "dols", {"Completed Date": "2025-01-04"},
     [("Completed Date", "Completed Date is before Application Received Date", None)]),
    ("outcome while open", "dols", {"Completed Date": ""},
     [("Outcome", "Outcome is given but Completed Date is blank", "Granted")]),
    ("completed without outcome", "dols", {"Outcome": ""},
     [("Outcome", "Outcome is blank but Completed Date is given", None)]),
    ("unknown outcome", "dols", {"Outcome": "Refused"},
     [("Outcome", "Outcome is not a code listed in seeds/dols_code_list.csv", "Refused")]),
]


@pytest.mark.parametrize(("fault", "feed", "fields", "expected"), ROW_FAULTS,
                         ids=[fault for fault, *_ in ROW_FAULTS])
def test_unusable_row_is_quarantined_with_its_reason(
    tmp_path: Path, fault: str, feed: str, fields: dict[str, str],
    expected: list[tuple[str, str, str | None]],
) -> None:
    spec, base = PERSON_FEEDS[feed], BASE[feed]
    [result] = _load(tmp_path, write_feed_file(tmp_path, spec, [base, {**base, **fields}, base]))
    assert (result.status, result.rows_in, result.rows_loaded, result.rows_quarantined) == (
        "loaded", 3, 2, 1,
    )
    assert _quarantine(tmp_path) == [(3, *entry) for entry in expected]
    assert _query(tmp_path, "select distinct file_name from ops.quarantine") == [(NAMES[feed],)]
    assert _query(tmp_path, f"select source_row_number from {spec.raw_table} "
                            "order by 1") == [(2,), (4,)]


# Edges the rules must let through, each loaded as its own row.
ACCEPTED = [
    ("hospital", {"NHS Number": ""}),
    ("hospital", {"NHS Number": "9434765918"}),
    ("hospital", {"Date of Birth": ""}),
    ("hospital", {"Discharge Ready Date": "2025-01-10", "Delay Responsibility": ""}),
    ("hospital", {"Discharge Ready Date": "", "Delay Responsibility": ""}),
    ("hospital", {"Admission Date": "2025-01-01", "Discharge Date": "2025-01-01",
                  "Discharge Ready Date": "", "Delay Responsibility": ""}),
    ("hospital", {"Date of Birth": "2007-01-10"}),
    ("hospital", {"Discharge Method": "4", "Discharge Destination": "79", "Admission Method": "2A",
                  "Treatment Function Code": "3A0"}),
    ("safeguarding", {"Concern Outcome": "", "Enquiry Start Date": "", "Enquiry End Date": "",
                      "Risk Identified": "", "Risk Outcome": "", "Outcomes Expressed": "",
                      "Outcomes Achieved": ""}),
    ("safeguarding", {"Enquiry End Date": "", "Risk Identified": "", "Risk Outcome": "",
                      "Outcomes Achieved": ""}),
    ("safeguarding", {"Risk Identified": "Don't know", "Risk Outcome": ""}),
    ("safeguarding", {"LA Person Unique Identifier": ""}),
    ("safeguarding", {"NHS Number": "", "Concern Received Date": "2024-06-01"}),
    ("dols", {"Completed Date": "", "Outcome": ""}),
    ("dols", {"Completed Date": "2025-01-05", "Outcome": "Withdrawn",
              "Application Type": "Urgent", "Care Setting": "Hospital"}),
    ("dols", {"Application Received Date": "2024-11-01"}),
]


@pytest.mark.parametrize("feed", list(PERSON_FEEDS))
def test_edges_the_rules_allow_are_loaded(tmp_path: Path, feed: str) -> None:
    rows = [{**BASE[feed], **fields} for case, fields in ACCEPTED if case == feed]
    [result] = _load(tmp_path, write_feed_file(tmp_path, PERSON_FEEDS[feed], rows))
    assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (len(rows),
                                                                             len(rows), 0)
    assert _quarantine(tmp_path) == []


def test_a_hospital_spell_without_a_valid_nhs_number_loads_but_cannot_link(
    tmp_path: Path,
) -> None:
    rows = [SPELL, {**SPELL, "NHS Number": ""}, {**SPELL, "NHS Number": "9434765918"}]
    _load(tmp_path, write_feed_file(tmp_path, HOSPITAL, rows))
    assert _query(
        tmp_path,
        "select nhs_number_check, nhs_number_pseudo is null from raw.hospital_discharges "
        "order by source_row_number",
    ) == [("valid", False), ("blank", True), ("invalid", True)]


def test_rows_in_equal_rows_loaded_plus_quarantined(tmp_path: Path) -> None:
    """Several faults on one row count it once; good rows around bad ones all load."""
    rows = [
        CONCERN,
        {**CONCERN, **NO_IDS, "Risk Outcome": "", "Concern ID": ""},
        {**CONCERN, "Enquiry End Date": "2025-01-06"},
        CONCERN,
        {**CONCERN, "Outcomes Expressed": "Maybe"},
    ]
    [result] = _load(tmp_path, write_feed_file(tmp_path, SAFEGUARDING, rows))
    assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (5, 2, 3)
    assert {line for line, *_ in _quarantine(tmp_path)} == {3, 4, 6}
    assert len([entry for entry in _quarantine(tmp_path) if entry[0] == 3]) == 3


def _good(tmp_path: Path, spec: PersonFeed) -> Path:
    return write_feed_file(tmp_path, spec, [BASE[spec.feed], BASE[spec.feed]])


def _semicolons(tmp_path: Path, spec: PersonFeed) -> Path:
    path = _good(tmp_path, spec)
    path.write_text(path.read_text().replace(",", ";"))
    return path


def _other_feeds_header(tmp_path: Path, spec: PersonFeed) -> Path:
    other = DOLS if spec is not DOLS else HOSPITAL
    path = tmp_path / NAMES[spec.feed]
    path.write_text(_csv_text(other, [BASE[other.feed]]))
    return path


def _no_header(tmp_path: Path, spec: PersonFeed) -> Path:
    path = _good(tmp_path, spec)
    path.write_text("".join(path.read_text().splitlines(keepends=True)[1:]))
    return path


def _truncated(tmp_path: Path, spec: PersonFeed) -> Path:
    path = _good(tmp_path, spec)
    path.write_bytes(path.read_bytes()[:-60])
    return path


def _wrong_manifest(tmp_path: Path, spec: PersonFeed) -> Path:
    path = _good(tmp_path, spec)
    path.with_name(path.name + ".sha256").write_text("0" * 64 + "  " + path.name + "\n")
    return path


def _empty(tmp_path: Path, spec: PersonFeed) -> Path:
    path = tmp_path / NAMES[spec.feed]
    path.write_bytes(b"")
    return path


def _header_only(tmp_path: Path, spec: PersonFeed) -> Path:
    return write_feed_file(tmp_path, spec, [])


FILE_FAULTS = [
    (_semicolons, "wrong delimiter: the header is separated by ';', not ','"),
    (_other_feeds_header, "header does not match the {label} field list; missing"),
    (_no_header, "missing header: the first row holds none of the {label} field names"),
    (_truncated, "truncated: the last row has"),
    (_wrong_manifest, "checksum does not match {name}.sha256"),
    (_empty, "file is empty (no header row)"),
    (_header_only, "has a header but no data rows"),
]


@pytest.mark.parametrize("feed", list(PERSON_FEEDS))
@pytest.mark.parametrize(("make", "message"), FILE_FAULTS, ids=[m.__name__ for m, _ in FILE_FAULTS])
def test_whole_file_fault_rejects_the_file_and_loads_nothing(
    tmp_path: Path, feed: str, make, message: str
) -> None:
    spec = PERSON_FEEDS[feed]
    name = NAMES[feed]
    [result] = _load(tmp_path, make(tmp_path, spec))
    assert result.status == "rejected"
    assert result.message.startswith(name + ": ")
    assert message.format(label=spec.label, name=name) in result.message
    assert _query(tmp_path, f"select count(*) from {spec.raw_table}") == [(0,)]
    assert _query(tmp_path, "select feed, status, message from ops.load_audit") == [
        (feed, "rejected", result.message)
    ]


def test_no_identifier_or_date_of_birth_reaches_the_build_file(tmp_path: Path) -> None:
    paths = [_good(tmp_path / "landing", spec) for spec in PERSON_FEEDS.values()]
    _load(tmp_path, *paths, write_feed_file(tmp_path / "landing", SAFEGUARDING,
                                             [{**CONCERN, **NO_IDS}]))
    forbidden = ["9434765919", "943 476 5919", "9434765918", PERSON["LA Person Unique Identifier"],
                 SPELL["Spell ID"], CONCERN["Concern ID"], APPLICATION["Application ID"],
                 PERSON["Date of Birth"]]
    columns = _query(
        tmp_path,
        "select table_schema, table_name, column_name, data_type from information_schema.columns "
        "where data_type in ('VARCHAR', 'DATE')",
    )
    for schema, table, column, data_type in columns:
        values = {row[0] for row in _query(tmp_path, f'select "{column}" from {schema}.{table}')}
        if data_type == "DATE":
            assert date(1941, 7, 19) not in values, (table, column)
            continue
        for value in values:
            assert not any(secret in (value or "") for secret in forbidden), (table, column, value)


def test_tokens_equal_the_cld_person_tokens_of_the_same_person(tmp_path: Path) -> None:
    """Same key, same NHS-number rule: a discharge links to the person's CLD records."""
    cld = write_cld_file(tmp_path / "CLD_820_20240401_20260331_R2.csv", [cld_row()])
    hospital = write_feed_file(tmp_path, HOSPITAL, [{**SPELL, "NHS Number": "9434765919"}])
    local_only = write_feed_file(tmp_path, DOLS, [{**APPLICATION, "NHS Number": ""}])
    _load(tmp_path, cld, hospital, local_only)
    [(cld_nhs, cld_local)] = _query(
        tmp_path, "select nhs_number_pseudo, la_person_id_pseudo from raw.cld_events")
    assert _query(tmp_path, "select nhs_number_pseudo from raw.hospital_discharges") == [
        (cld_nhs,)]
    assert _query(tmp_path, "select la_person_id_pseudo from raw.dols_applications") == [
        (cld_local,)]
