"""An import CTE of another model that a model reads more than once is ``as not materialized``.

DuckDB copies a CTE read more than once into memory before the query runs, with every column
the query reads from it. For the event-level models that copy was the largest allocation of
the build: all of England's deduplication spilled its copy of the selected events until the
disk was full. Reading a table twice costs less than copying it (docs/benchmarks.md,
"CTEs read twice"). Seeds are small and stay as DuckDB plans them; so do CTEs that compute.
"""

from __future__ import annotations

import re
from typing import Any

import duckdb

IMPORT_CTE = re.compile(
    r"^(?P<name>\w+) as (?P<hint>not materialized )?\(\s*"
    r"select \* from \{\{ ref\('(?P<ref>\w+)'\) \}\}", re.MULTILINE)


def materialized_model_imports(sql: str, model_names: set[str]) -> list[str]:
    """The import CTEs of models read more than once and not marked ``not materialized``."""
    found = []
    for cte in IMPORT_CTE.finditer(sql):
        reads = re.findall(rf"\b(?:from|join)\s+{cte['name']}\b", sql)
        if cte["ref"] in model_names and len(reads) > 1 and not cte["hint"]:
            found.append(cte["name"])
    return found


def test_no_model_copies_another_model_it_reads_twice(manifest: dict[str, Any]) -> None:
    models = {node["name"]: node["raw_code"] for node in manifest["nodes"].values()
              if node["resource_type"] == "model" and node["package_name"] == "asc_warehouse"}
    offenders = {name: ctes for name, sql in models.items()
                 if (ctes := materialized_model_imports(sql, set(models)))}
    assert offenders == {}
    # The rule has something to hold: the deduplication reads its events four times.
    assert IMPORT_CTE.search(models["int_cld_events_deduplicated"])["hint"]


def test_the_check_sees_a_copied_import() -> None:
    """An unmarked model import read twice is reported; one read once, a marked one, and a
    seed read twice are not."""
    sql = """with

events as (

    select * from {{ ref('int_events') }}

),

people as not materialized (

    select * from {{ ref('int_people') }}

),

bands as (

    select * from {{ ref('ref_age_bands') }}

),

once as (

    select * from {{ ref('int_once') }}

)

select * from events inner join people using (person_id) inner join bands using (age)
union all
select * from events inner join people using (person_id) inner join bands using (age)
inner join once using (person_id)
"""
    models = {"int_events", "int_people", "int_once"}
    assert materialized_model_imports(sql, models) == ["events"]


def test_duckdb_copies_a_cte_read_twice_unless_told_not_to() -> None:
    """The behaviour the rule works around: if DuckDB stops copying such CTEs, the hint is
    harmless, and this test says the workaround can go."""
    con = duckdb.connect()
    con.execute("create table events as select range as id from range(10)")

    def plan(hint: str) -> str:
        query = (f"with e as {hint}(select * from events) "
                 "select count(*) from e as a inner join e as b on a.id = b.id")
        return "\n".join(row[1] for row in con.execute("explain " + query).fetchall())

    assert "CTE Name: e" in plan("")
    assert "CTE Name: e" not in plan("not materialized ")
