"""The nightly DAG through ``airflow dags test`` on a small generated dataset, twice:
a good night publishes; a night with a broken extract fails and leaves the published file as it was.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from asc_warehouse.alerts.log import read_alerts
from asc_warehouse.cli import DAG_ID, airflow_environment
from asc_warehouse.config import SEEDS_DIR
from asc_warehouse.ingest.nhs_number import NHS_NUMBER_PATTERN, is_valid_nhs_number
from asc_warehouse.sample_data import (
    generate_opel_extracts,
    generate_person_feed_extracts,
    generate_sample_extracts,
)
from tests.cld_files import cld_row, write_cld_file

pytestmark = pytest.mark.e2e

OPEL_ESCALATION_DAY = date(2026, 3, 31)


def _run_dag(environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    airflow = str(Path(sys.executable).with_name("airflow"))
    return subprocess.run([airflow, "dags", "test", DAG_ID], env=environment,
                          capture_output=True, text=True, check=False, timeout=600)


@pytest.fixture(scope="module")
def night(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("e2e")
    landing, warehouse = root / "landing", root / "warehouse"
    extracts = generate_sample_extracts(landing, scale=0.05, with_faults=True)
    person_feeds = generate_person_feed_extracts(landing, scale=0.05, with_faults=True)
    opel_files = generate_opel_extracts(landing, days=7, escalate_on=OPEL_ESCALATION_DAY,
                                        end_date=OPEL_ESCALATION_DAY)
    environment = airflow_environment()
    environment.update({
        "AIRFLOW_HOME": str(root / "airflow"),
        "ASC_LANDING_DIR": str(landing),
        "ASC_WAREHOUSE_DIR": str(warehouse),
        # A hand-written file joins the generated ones on the second night, and the public
        # sample key would refuse it: the night runs with a test key, as a council's would.
        "ASC_PSEUDONYMISATION_KEY": "e2e-test-key",
        "ASC_LANDING_SETTLE_MINUTES": "0",
        "ASC_LOG_DIR": str(root / "logs"),
    })
    airflow = str(Path(sys.executable).with_name("airflow"))
    subprocess.run([airflow, "db", "migrate"], env=environment, check=True, capture_output=True)
    first = _run_dag(environment)
    return {"root": root, "landing": landing, "warehouse": warehouse, "extracts": extracts,
            "opel_files": opel_files, "person_feeds": person_feeds,
            "environment": environment, "first": first}


def _published(night: dict) -> Path:
    return night["warehouse"] / "asc.duckdb"


def test_a_good_night_publishes_measures_for_both_councils(night: dict) -> None:
    assert night["first"].returncode == 0, night["first"].stdout[-3000:]
    with duckdb.connect(str(_published(night)), read_only=True) as con:
        rows = con.execute(
            "select council_code, count(distinct measure_code), count(distinct period_end) "
            "from marts.fct_ascof_measure where period_type = 'Financial year' "
            "group by all order by all"
        ).fetchall()
        measure_codes = {row[0] for row in con.execute(
            "select distinct measure_code from marts.fct_ascof_measure").fetchall()}
        schemas = {row[0] for row in con.execute(
            "select distinct table_schema from information_schema.tables").fetchall()}
    # Every measure of seeds/ascof_measures.csv, for three financial years (2023-24 to 2025-26).
    with (SEEDS_DIR / "ascof_measures.csv").open(newline="", encoding="utf-8") as handle:
        expected_codes = {row["measure_code"] for row in csv.DictReader(handle)}
    assert measure_codes == expected_codes
    assert rows == [("820", len(expected_codes), 3), ("821", len(expected_codes), 3)]
    # reference: the measure and KPI names, units and polarity that make the file read alone.
    assert schemas == {"marts", "ops", "reference"}
    summary = json.loads((night["warehouse"] / "last_run_summary.json").read_text())
    # The planted faults break warning-level code-list checks only: published, and alerted.
    assert summary["failed_checks"] and all(
        failed.startswith("warning: raw_cld_events_code_lists_r2 ")
        for failed in summary["failed_checks"]
    )
    alerts = read_alerts(night["warehouse"])
    # One alert per council's file, naming the file, the failed checks, rows and values.
    quality = [a for a in alerts if a["check"] == "data-quality checks"]
    assert quality and all(a["source"].startswith("CLD_") for a in quality)
    assert len({(a["council_code"], a["source"]) for a in quality}) == len(quality)
    assert any("expect_column_values_to_be_in_set(service_component)" in a["message"]
               and a["unexpected_values"] and "rows " in a["rows"] for a in quality)
    assert {a["severity"] for a in alerts} <= {"warning", "escalation"}
    assert summary["rows_quarantined"] > 0
    # GX Data Docs of the night, with the failing warning suite's result page.
    index = night["warehouse"] / "data_docs" / "index.html"
    assert index.exists()
    pages = list((night["warehouse"] / "data_docs").rglob("*.html"))
    code_list_pages = [page.read_text(encoding="utf-8") for page in pages
                       if "raw_cld_events_code_lists_r2" in str(page)]
    # A Release 1 code is shown; a value that is no code of any list never is (it might be a
    # name keyed into the field).
    assert any("CASSR Managed Personal Budget" in page for page in code_list_pages)
    assert not any("Domiciliary care (legacy code)" in page.read_text(encoding="utf-8")
                   for page in pages)
    assert {f["file_name"] for f in summary["files"]} == {
        p.name for p in night["extracts"] + night["opel_files"] + night["person_feeds"]}
    assert sum(f["rows_in"] for f in summary["files"]) == summary["rows_loaded"] + summary[
        "rows_quarantined"]


def _seed_values() -> set[str]:
    values: set[str] = set()
    for path in SEEDS_DIR.glob("*.csv"):
        with path.open(newline="", encoding="utf-8") as handle:
            values.update(cell for row in csv.reader(handle) for cell in row)
    return values


def _digits(text: str) -> str:
    return "".join(character for character in text if character.isdigit())


def _identifiers_in(extracts: list[Path]) -> set[str]:
    found: set[str] = set()
    for path in extracts:
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                for field in ("NHS Number", "First Name", "Last Name", "Postcode",
                              "Date of Birth", "LA Person Unique Identifier", "Spell ID",
                              "Concern ID", "Application ID"):
                    if row.get(field):
                        found.add(row[field])
    return found


def test_the_summary_prints_both_councils_headline_measures_for_2023_24_and_2024_25(
    night: dict,
) -> None:
    """2023-24 has no population of its own (mid-2023 is not held): 2B and 2C still publish,
    on mid-2024, saying so; Medway's 2D says no hospital feed was received."""
    assert night["first"].returncode == 0, night["first"].stdout[-3000:]
    summary = json.loads((night["warehouse"] / "last_run_summary.json").read_text())
    headline = {(m["council_code"], m["measure_code"], m["period_end"]): m
                for m in summary["headline_measures"]}
    for council in ("820", "821"):
        for year_end in ("2024-03-31", "2025-03-31"):
            for measure in ("2A", "2B", "2C", "2E(1)", "3D(1a)", "3D(2a)"):
                assert headline[(council, measure, year_end)]["outcome"] is not None
        older = headline[(council, "2C", "2024-03-31")]
        assert (older["status"], older["reason"]) == (
            "Value with caveat", "no population for 2023; mid-2024 estimate used")
        assert headline[(council, "2C", "2025-03-31")]["status"] == "Value"
    medway_2d = headline[("821", "2D(2)", "2025-03-31")]
    assert (medway_2d["outcome"], medway_2d["reason"]) == (
        None, "no HOSP_ feed received for this council")
    printed = night["first"].stdout
    assert "820 2C      65 and above  to 2024-03-31: " in printed
    assert "821 2B      18 to 64      to 2025-03-31: " in printed


@pytest.mark.parametrize("database", ["asc.duckdb", "build/asc_build.duckdb"])
def test_no_identifier_from_the_extracts_is_stored(night: dict, database: str) -> None:
    # A surname such as "Kent" is also a council name: words of the reference seeds are not
    # identifiers wherever they appear.
    identifiers = _identifiers_in(night["extracts"] + night["person_feeds"]) - _seed_values()
    nhs_numbers = {_digits(value) for value in identifiers if is_valid_nhs_number(value)}
    assert len(identifiers) > 100 and len(nhs_numbers) > 20
    with duckdb.connect(str(night["warehouse"] / database), read_only=True) as con:
        columns = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where data_type = 'VARCHAR'"
        ).fetchall()
        for schema, table, column in columns:
            values = con.execute(
                f'select distinct "{column}" from "{schema}"."{table}" where "{column}" is not null'
            ).fetchall()
            for (value,) in values:
                assert value not in identifiers, (schema, table, column)
                # Hex tokens hold digit runs; none may be an NHS number from the input.
                for candidate in NHS_NUMBER_PATTERN.findall(value):
                    assert _digits(candidate) not in nhs_numbers, (schema, table, column)


def test_the_person_level_feeds_load_and_link_to_cld(night: dict) -> None:
    """HOSP_, SG_ and DOLS_ files load (planted faults quarantined), dedupe, and link by person."""
    assert night["first"].returncode == 0
    build = night["warehouse"] / "build" / "asc_build.duckdb"
    with duckdb.connect(str(build), read_only=True) as con:
        counts = con.execute(
            """
            with cld as (select distinct person_id from intermediate.int_cld_events_deduplicated)
            select
                (select count(*) from raw.hospital_discharges),
                (select count(*) from raw.safeguarding_concerns),
                (select count(*) from raw.dols_applications),
                (select count(*) from intermediate.int_hospital_discharges_deduplicated
                 where person_id in (select person_id from cld)),
                (select count(*) from intermediate.int_safeguarding_concerns_deduplicated
                 where person_id in (select person_id from cld)),
                (select count(*) from intermediate.int_dols_applications_deduplicated
                 where person_id in (select person_id from cld))
            """
        ).fetchone()
        audit = con.execute(
            "select feed, count(*), sum(rows_quarantined), sum(rows_in - rows_loaded) "
            "from ops.load_audit where feed in ('hospital', 'safeguarding', 'dols') "
            "group by feed order by feed"
        ).fetchall()
    assert counts is not None and min(counts) > 0, counts
    # Kent's only: Medway sends CLD alone.
    assert [(feed, files) for feed, files, *_ in audit] == [
        ("dols", 1), ("hospital", 1), ("safeguarding", 1)]
    assert all(quarantined == lost > 0 for _, _, quarantined, lost in audit)


def test_a_day_escalating_to_opel_4_gives_status_rows_and_an_escalation_alert(night: dict) -> None:
    assert night["first"].returncode == 0
    with duckdb.connect(str(_published(night)), read_only=True) as con:
        council = con.execute(
            "select opel_level, status, rule, triggering_indicators "
            "from marts.fct_opel_status_daily where scope = 'Council' and report_date = ?",
            [OPEL_ESCALATION_DAY]).fetchone()
        black_indicators = con.execute(
            "select count(*) from marts.fct_opel_indicator_daily "
            "where report_date = ? and status = 'Black'", [OPEL_ESCALATION_DAY]).fetchone()
    assert council is not None
    level, status, rule, triggers = council
    assert (level, status, rule) == (4, "Black", "an area is at OPEL 4")
    assert "d2a_discharged_yesterday = 0 (Black)" in triggers
    assert black_indicators is not None and black_indicators[0] >= 3
    escalations = [a for a in read_alerts(night["warehouse"]) if a["severity"] == "escalation"]
    [council_alert] = [a for a in escalations if a["source"] == "OPEL council-wide"]
    assert (council_alert["check"], council_alert["about"]) == ("OPEL level", "2026-03-31: OPEL 4")
    assert council_alert["message"].startswith(
        "Kent council-wide rose to OPEL 4 (Black) on 2026-03-31")
    assert "d2a_discharged_yesterday = 0 (Black)" in council_alert["message"]
    assert council_alert["council_code"] == "820"


READER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
run = lambda c: c.execute("select run_id from ops.publication").fetchone()[0]
print(run(con), flush=True)
sys.stdin.readline()
print(run(con), flush=True)
con.close()
print(run(duckdb.connect(sys.argv[1], read_only=True)), flush=True)
"""


def test_an_analyst_can_read_while_the_next_night_builds_and_publishes(night: dict) -> None:
    assert night["first"].returncode == 0
    reader = subprocess.Popen([sys.executable, "-c", READER, str(_published(night))],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout is not None and reader.stdin is not None
        first_run = reader.stdout.readline().strip()
        second = _run_dag(night["environment"])
        assert second.returncode == 0, second.stdout[-3000:]
        reader.stdin.write("next\n")
        reader.stdin.flush()
        assert reader.stdout.readline().strip() == first_run
        assert reader.stdout.readline().strip() not in {"", first_run}
    finally:
        reader.communicate(timeout=60)
    assert reader.returncode == 0


def test_the_data_quality_report_counts_fields_by_status(night: dict) -> None:
    with duckdb.connect(str(_published(night)), read_only=True) as con:
        statuses = dict(con.execute(
            "select validation_status, sum(row_count) from marts.fct_cld_field_quality "
            "group by all").fetchall())
    # Failures are person-level (one per submitted row): only in the restricted file.
    with duckdb.connect(str(night["warehouse"] / "asc_restricted.duckdb"), read_only=True) as con:
        failures = con.execute(
            "select distinct cld_field_name, validation_status "
            "from marts.fct_cld_field_quality_failure order by all").fetchall()
    assert {"Valid", "Blank and not mandatory", "Invalid"} <= set(statuses)
    assert ("Service Component", "Invalid") in failures
    assert ("Delivery Mechanism", "Valid only in Release 1") in failures


def test_a_failing_check_leaves_the_published_warehouse_unchanged(night: dict) -> None:
    assert night["first"].returncode == 0
    published = _published(night)
    before = hashlib.sha256(published.read_bytes()).hexdigest()
    # A later Kent submission whose rows mostly cannot be used: 3 of 4 quarantined.
    rows = [cld_row()] + [cld_row(**{"Event Start Date": "31/12/2025"}) for _ in range(3)]
    write_cld_file(night["landing"] / "CLD_820_20240401_20260630_R2.csv", rows)
    second = _run_dag(night["environment"])
    assert second.returncode != 0
    assert re.search(r"DataQualityError: blocking checks failed on raw, ops: "
                     r"ops_latest_load_quality \[820\] .*quarantined_share", second.stdout)
    assert hashlib.sha256(published.read_bytes()).hexdigest() == before
    # The failing results are kept, and the alert names the council and the check.
    with duckdb.connect(str(night["warehouse"] / "build" / "asc_build.duckdb"),
                        read_only=True) as con:
        failing = con.execute(
            "select council_code, severity, observed_value from ops.data_quality_result "
            "where suite = 'ops_latest_load_quality' and not success "
            "and run_at = (select max(run_at) from ops.data_quality_result)").fetchall()
    assert [(council, severity) for council, severity, _ in failing] == [("820", "blocking")]
    blocking = [a for a in read_alerts(night["warehouse"]) if a["severity"] == "blocking"]
    assert sorted((a["council_code"] or "", a["source"]) for a in blocking) == [
        ("", "asc_nightly.validate_raw"), ("820", "CLD_820_20240401_20260630_R2.csv")]
    # One alert for the file: the quarantine share, and any other check its rows failed.
    [file_alert] = [a for a in blocking if a["council_code"] == "820"]
    assert file_alert["observed"].startswith("75.0% of rows quarantined (3 of 4)")
    assert file_alert["expected"].startswith("not more than 5% of rows quarantined")
    # The failed night is visible at once: run history, the site's banner, the check report.
    history = json.loads((night["warehouse"] / "run_history.json").read_text())
    assert (history[-1]["outcome"], history[-1]["failed_task"]) == ("failed", "validate_raw")
    site = night["warehouse"] / "site"
    assert 'data-latest-outcome="failed"' in (site / "index.html").read_text()
    assert "ops_latest_load_quality" in (site / "checks.html").read_text()


def test_a_good_night_writes_the_site_exports_and_dbt_docs(night: dict) -> None:
    assert night["first"].returncode == 0, night["first"].stdout[-3000:]
    warehouse = night["warehouse"]
    for page in ("index.html", "ascof.html", "kpi.html", "opel.html", "quality.html",
                 "checks.html"):
        assert (warehouse / "site" / page).stat().st_size > 1000, page
    assert (warehouse / "exports" / "ascof_dhsc_dashboard.csv").is_file()
    assert (warehouse / "exports" / "ascof_publication.xlsx").is_file()
    assert (warehouse / "exports" / "internal" / "data_dictionary.csv").is_file()
    assert "__overview__" in (warehouse / "dbt_docs" / "index.html").read_text()
    warnings = [a for a in read_alerts(warehouse)
                if a["source"] in {"site", "exports", "dbt_docs", "check_report"}]
    assert warnings == []


def test_a_good_night_publishes_the_business_plan_scorecard(night: dict) -> None:
    assert night["first"].returncode == 0, night["first"].stdout[-3000:]
    with duckdb.connect(str(_published(night)), read_only=True) as con:
        kpis = con.execute(
            "select council_code, count(distinct kpi_ref) from marts.fct_kpi_monthly "
            "group by all order by all").fetchall()
        derivable = con.execute(
            "select council_code, count(*) from marts.kpi_scorecard "
            "where derivation = 'derivable' group by all order by all").fetchall()
    # Every derivable KPI of each council's plan has monthly rows, published with the scorecard.
    assert kpis == derivable
    summary = json.loads((night["warehouse"] / "last_run_summary.json").read_text())
    kent = {line["kpi_ref"] for line in summary["kpi_scorecard"] if line["council_code"] == "820"}
    assert {"AH D01", "AH O10", "AH02", "AH05"} <= kent


@pytest.fixture(scope="module")
def cld_only_night(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Kent sending CLD only (no HOSP_, SG_ or DOLS_ file), one of its files with the portal's
    LA Code and a column the field list does not have."""
    root = tmp_path_factory.mktemp("e2e_cld_only")
    landing, warehouse = root / "landing", root / "warehouse"
    extracts = [path for path in generate_sample_extracts(landing, scale=0.01)
                if path.name.startswith("CLD_820_")]
    for path in landing.glob("CLD_821_*.csv"):
        path.unlink()
    portal_file = landing / "CLD_820_20250401_20260331_R2.csv"
    with portal_file.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][0] == "LA Code"
    with portal_file.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(
            [[*rows[0], "Team Notes"]] + [[*row, "duty team"] for row in rows[1:]])
    environment = airflow_environment()
    environment.update({
        "AIRFLOW_HOME": str(root / "airflow"),
        "ASC_LANDING_DIR": str(landing),
        "ASC_WAREHOUSE_DIR": str(warehouse),
        # The portal file was edited after generation, so it is no longer the generator's:
        # the sample key would refuse it. A test key, and no settling wait for files just written.
        "ASC_PSEUDONYMISATION_KEY": "e2e-test-key",
        "ASC_LANDING_SETTLE_MINUTES": "0",
    })
    environment.pop("ASC_SAMPLE_MODE", None)
    airflow = str(Path(sys.executable).with_name("airflow"))
    subprocess.run([airflow, "db", "migrate"], env=environment, check=True, capture_output=True)
    return {"warehouse": warehouse, "extracts": extracts, "portal_file": portal_file,
            "run": _run_dag(environment)}


def test_a_cld_only_council_publishes_and_its_kpi_rows_name_the_absent_feed(
    cld_only_night: dict,
) -> None:
    run = cld_only_night["run"]
    assert run.returncode == 0, run.stdout[-3000:]
    published = cld_only_night["warehouse"] / "asc.duckdb"
    with duckdb.connect(str(published), read_only=True) as con:
        feed_kpis = con.execute(
            """
            select scorecard.source_feed, kpi.status, kpi.reason, count(*)
            from marts.fct_kpi_monthly as kpi
            join marts.kpi_scorecard as scorecard using (council_code, kpi_ref)
            group by all order by all
            """
        ).fetchall()
        scorecard = dict(con.execute(
            "select source_feed, any_value(reason) from marts.kpi_scorecard "
            "where council_code = '820' and derivation = 'derivable' and status = 'No value' "
            "and source_feed <> 'cld' group by all").fetchall())
        measures = dict(con.execute(
            "select measure_code, any_value(reason) from marts.fct_ascof_measure "
            "where status = 'No value' and measure_code in ('2D(1)', '2D(2)', '4B') "
            "group by all").fetchall())
    absent = {feed: reason for feed, status, reason, _ in feed_kpis
              if feed != "cld" and status == "No value"}
    assert absent == {
        "hospital": "no HOSP_ feed received for this council",
        "safeguarding": "no SG_ feed received for this council",
        "dols": "no DOLS_ feed received for this council",
    }
    assert not [row for row in feed_kpis if row[0] != "cld" and row[1] == "Value"]
    assert scorecard == absent
    assert measures == {"2D(1)": "no HOSP_ feed received for this council",
                        "2D(2)": "no HOSP_ feed received for this council",
                        "4B": "no SG_ feed received for this council"}
    summary = json.loads((cld_only_night["warehouse"] / "last_run_summary.json").read_text())
    assert {(gap["source"], gap["reason"]) for gap in summary["completeness"]} >= {
        ("marts.fct_kpi_monthly", "no HOSP_ feed received for this council"),
        ("marts.fct_ascof_measure", "no SG_ feed received for this council"),
    }
    warnings = [a for a in read_alerts(cld_only_night["warehouse"])
                if a["check"] == "values present"]
    assert {a["council_code"] for a in warnings} == {"820"}
    assert all(a["severity"] == "warning" for a in warnings)


def test_a_file_with_la_code_and_an_extra_column_loads_with_a_warning_naming_them(
    cld_only_night: dict,
) -> None:
    assert cld_only_night["run"].returncode == 0
    name = cld_only_night["portal_file"].name
    summary = json.loads((cld_only_night["warehouse"] / "last_run_summary.json").read_text())
    [load] = [f for f in summary["files"] if f["file_name"] == name]
    assert load["status"] == "loaded" and load["rows_loaded"] == load["rows_in"] > 0
    assert load["message"] == "ignored columns not in the field list: LA Code, Team Notes"
    [alert] = [a for a in read_alerts(cld_only_night["warehouse"]) if a["source"] == name]
    assert (alert["severity"], alert["check"], alert["council_code"]) == (
        "warning", "extract loaded as specified", "820")
    assert "LA Code, Team Notes" in alert["message"]
