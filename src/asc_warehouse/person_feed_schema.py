"""Raw tables of the three person-level feeds: hospital discharges, safeguarding, DoLS.

They are created with the other raw and ops tables before anything loads, so that dbt can read
them as sources in a build file that has never received one of these files. Identifiers are
already keyed hashes here and dates of birth are birth months: raw values never reach the file.
``nhs_number_check`` ('valid', 'blank' or 'invalid', judged before hashing) keeps the share of
unlinkable rows measurable, as CLD's check columns do.
"""

from __future__ import annotations

import duckdb

from asc_warehouse.ops_schema import ensure_ops_schema

# Lineage columns every person-level raw table starts with.
_LINEAGE = """
    council_code varchar not null,
    load_id varchar not null,
    source_file varchar not null,
    source_row_number bigint not null,
    loaded_at timestamp not null,
    nhs_number_check varchar not null,
    nhs_number_pseudo varchar,
    birth_month date,"""

PERSON_FEED_DDL = {
    "raw.hospital_discharges": f"""
create table if not exists raw.hospital_discharges ({_LINEAGE}
    spell_id_pseudo varchar not null,
    admission_date date not null,
    admission_method varchar not null,
    discharge_date date not null,
    discharge_method varchar not null,
    discharge_destination varchar not null,
    treatment_function_code varchar not null,
    management_type varchar not null,
    discharge_ready_date date,
    delay_responsibility varchar
)""",
    "raw.safeguarding_concerns": f"""
create table if not exists raw.safeguarding_concerns ({_LINEAGE}
    concern_id_pseudo varchar not null,
    la_person_id_pseudo varchar not null,
    concern_received_date date not null,
    concern_outcome varchar,
    enquiry_start_date date,
    enquiry_end_date date,
    risk_identified varchar,
    risk_outcome varchar,
    outcomes_expressed varchar,
    outcomes_achieved varchar
)""",
    "raw.dols_applications": f"""
create table if not exists raw.dols_applications ({_LINEAGE}
    application_id_pseudo varchar not null,
    la_person_id_pseudo varchar not null,
    received_date date not null,
    application_type varchar not null,
    care_setting varchar not null,
    completed_date date,
    outcome varchar
)""",
}


def ensure_person_feed_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists raw")
    ensure_ops_schema(con)
    for ddl in PERSON_FEED_DDL.values():
        con.execute(ddl)
