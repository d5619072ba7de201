"""Canary: a person's identifiers planted in every field and in an over-long line, one night run
through ``airflow dags test``, then every file the run wrote is searched. Nothing is found.

The landing folder is the input and is not searched. DuckDB files are searched twice: as raw
bytes, and through SQL over every text column (DuckDB may compress a string so that its bytes
do not appear).
"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from asc_warehouse.cli import DAG_ID, airflow_environment
from asc_warehouse.ingest.cld_schema import cld_fields, expected_header
from asc_warehouse.ingest.csv_contract import MAX_LINE_BYTES
from asc_warehouse.sample_data import generate_person_feed_extracts, generate_sample_extracts
from tests.cld_files import cld_row

pytestmark = pytest.mark.e2e

CANARY = {
    "NHS Number": "450 557 7104",
    "LA Person Unique Identifier": "CANARYLA778899",
    "First Name": "Zebedee",
    "Last Name": "Quixoticanary",
    "GP Practice Name": "Quixoticanary Lane Surgery",
    "Date of Birth": "1933-03-17",
    "Postcode": "ZZ9 9QX",
    "Event Description": "Zebedee Quixoticanary fell at home",
    "Adult 1 Linked Person_ID": "CANARYCARER1",
}
# Every string that would identify the canary if it were found anywhere.
NEEDLES = ("4505577104", "450 557 7104", "CANARYLA778899", "Zebedee", "Quixoticanary",
           "1933-03-17", "ZZ9 9QX", "ZZ99QX", "CANARYCARER1")
# Kept free-text fields: a name there has no shape to tell it from a reference or a provider,
# but it is the row's own full name (or local id), which the loader sees before dropping it:
# planted there too. A first name or surname alone is stored (it is also a provider's, a care
# home's or a street's name), so the full name is planted.
KEPT_TEXT = {field.name for field in cld_fields()
             if field.privacy_handling == "keep" and field.value_check == "text"}
# A date in a date field is a date like any other: the date of birth is not planted there.
DATE_FIELDS = {field.name for field in cld_fields() if field.value_check == "date"}
CANARY_FILE = "CLD_820_20240401_20250331_R2.csv"


def _canary_rows() -> list[dict[str, str]]:
    """The canary as submitted, then each field of a row holding one of their identifiers, then
    their full name and their local id inside longer text in each kept free-text field."""
    base = cld_row(**CANARY, **{"Event Start Date": "2024-06-03", "Event Reference": "CAN0"})
    rows = [base]
    for number, name in enumerate(sorted(KEPT_TEXT), start=1):
        rows += [
            {**base, "Event Reference": f"CANTEXT{number}",
             name: f"visit {number}: Quixoticanary, Zebedee ok"},
            {**base, "Event Reference": f"CANID{number}", name: f"CANARYLA778899/ASM/{number}"},
        ]
    for number, name in enumerate(expected_header(), start=1):
        for planted in ("Zebedee Quixoticanary", "4505577104", "ZZ9 9QX", "1933-03-17"):
            if name in DATE_FIELDS and planted == "1933-03-17":
                continue
            rows.append({**base, "Event Reference": f"CAN{number}", name: planted})
    return rows


def _write_canary_file(path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=expected_header(), lineterminator="\n")
        writer.writeheader()
        writer.writerows(_canary_rows())
        # An over-long line and a stray quote, each full of the canary's identifiers.
        long_row = {**CANARY, "Event Description": " ".join(NEEDLES) * (MAX_LINE_BYTES // 80)}
        writer.writerow(long_row)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(",".join(f'"{value}' if name == "First Name" else value
                              for name, value in cld_row(**CANARY).items()) + "\n")


def _text_hits(database: Path) -> list[str]:
    hits = []
    with duckdb.connect(str(database), read_only=True) as con:
        columns = con.execute(
            "select table_catalog, table_schema, table_name, column_name "
            "from information_schema.columns where data_type = 'VARCHAR' "
            "and table_schema not in ('information_schema', 'pg_catalog')"
        ).fetchall()
        for catalog, schema, table, column in columns:
            for needle in NEEDLES:
                found = con.execute(
                    f'select count(*) from "{catalog}"."{schema}"."{table}" '
                    f'where contains("{column}", ?)', [needle]
                ).fetchone()
                if found and found[0]:
                    hits.append(f"{database.name}: {schema}.{table}.{column} holds {needle}")
    return hits


@pytest.fixture(scope="module")
def canary_night(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("canary")
    landing, warehouse = root / "landing", root / "warehouse"
    generate_sample_extracts(landing, scale=0.02, with_faults=True)
    generate_person_feed_extracts(landing, scale=0.02, with_faults=True)
    _write_canary_file(landing / CANARY_FILE)
    environment = airflow_environment()
    environment.update({
        "AIRFLOW_HOME": str(root / "airflow"),
        "ASC_LANDING_DIR": str(landing),
        "ASC_WAREHOUSE_DIR": str(warehouse),
        "ASC_LOG_DIR": str(root / "logs"),
        "ASC_PSEUDONYMISATION_KEY": "canary-test-key",
        "ASC_LANDING_SETTLE_MINUTES": "0",
    })
    environment.pop("ASC_SAMPLE_MODE", None)
    airflow = str(Path(sys.executable).with_name("airflow"))
    subprocess.run([airflow, "db", "migrate"], env=environment, check=True, capture_output=True)
    night = subprocess.run([airflow, "dags", "test", DAG_ID], env=environment,
                           capture_output=True, text=True, check=False, timeout=1200)
    (root / "logs").mkdir(exist_ok=True)
    (root / "logs" / "airflow-console.log").write_text(night.stdout + night.stderr)
    return {"root": root, "landing": landing, "warehouse": warehouse, "night": night}


def test_the_canary_was_loaded_and_quarantined(canary_night: dict) -> None:
    build = canary_night["warehouse"] / "build" / "asc_build.duckdb"
    with duckdb.connect(str(build), read_only=True) as con:
        [(rows_in, loaded, quarantined)] = con.execute(
            "select rows_in, rows_loaded, rows_quarantined from ops.load_audit "
            "where file_name = ?", [CANARY_FILE]).fetchall()
    assert rows_in == len(_canary_rows()) + 2
    assert rows_in == loaded + quarantined and loaded > 0 and quarantined >= 2
    assert (canary_night["warehouse"] / "asc.duckdb").exists(), canary_night["night"].stdout[-3000:]


def test_no_file_the_night_wrote_holds_the_canary(canary_night: dict) -> None:
    root: Path = canary_night["root"]
    written = [path for path in root.rglob("*")
               if path.is_file() and canary_night["landing"] not in path.parents]
    assert any(path.suffix == ".duckdb" for path in written)
    assert any(path.name == "airflow.db" for path in written)
    hits = []
    for path in written:
        content = path.read_bytes()
        hits += [f"{path.relative_to(root)} holds {needle}" for needle in NEEDLES
                 if needle.encode() in content]
        if path.suffix == ".duckdb":
            hits += _text_hits(path)
    assert hits == []
