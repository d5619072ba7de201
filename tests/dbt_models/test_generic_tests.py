"""``row_checks``, the project's one data test per model, names each failing check and its rows.

A throwaway dbt project holds the project's own ``tests/generic`` folder and two small models:
``clean`` breaks nothing, ``broken`` breaks some checks of every kind and not others. The
expected failure rows are worked out by hand from the rows below. Beside it, dbt's own one-column
tests (``not_null``, ``unique``, ``accepted_values``) run on the same models, so a column that
row_checks names is exactly a column whose own dbt test fails. The failure rows are read back
with ``--store-failures``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import duckdb
import pytest

from asc_warehouse.config import DBT_PROJECT_DIR
from asc_warehouse.pipeline.dbt_build import dbt_executable

# id, status (null = not recorded), code (integer), band, n and m (two amounts).
CLEAN_ROWS = """
    (1, 'open', 1, 'A', 0, 5),
    (2, 'closed', 2, 'B', 5, 5),
    (3, 'Won''t say', null, null, 1, 2),
    (4, null, 1, 'A', 2, 9)
"""
# Row 5: a status outside its list and its code list; row 6: a code outside its list, a band
# that is a code of another field (Status), and n above m; row 7: a negative n, and id 6 again;
# rows 8-9: nulls in two of the three not-null columns (so n <= m is null there, which fails
# too); row 9: no status, like row 4 and with row 4's band.
BROKEN_ROWS = CLEAN_ROWS.rstrip() + """,
    (5, 'lost', 1, 'A', 1, 1),
    (6, 'open', 3, 'open', 7, 6),
    (6, 'open', 2, 'B', -1, 3),
    (8, 'closed', 1, 'A', 1, 1),
    (9, null, 1, 'A', 1, 1)
"""
# Rows 8-9 lose their id and m.
BROKEN_NULLS = ("case when id in (8, 9) then null else m end as m, "
                "case when id in (8, 9) then null else id end as id")
CLEAN_NULLS = "m as m, id as id"

MODEL_SQL = """
select * replace ({nulls})
from (values {rows}) as rows (id, status, code, band, n, m)
"""

CODE_LIST_SQL = """
select * from (values
    ('Status', 'open'), ('Status', 'closed'), ('Status', 'Won''t say'),
    ('Band', 'A'), ('Band', 'B')
) as codes (field, code)
"""

NOT_NULL = ["id", "n", "m"]
UNIQUE = ["id", ["status", "band"]]
ACCEPTED = {"status": ["open", "closed", "Won't say"], "code": [1, 2]}
EXPRESSIONS = ["n >= 0", "n <= m"]
FIELDS = {"status": "Status", "band": "Band"}
CODE_LIST = "ref('code_list')"


def _tests_of(model: str) -> dict[str, Any]:
    """``model``'s row_checks, one on a field the code list lacks, and dbt's one-column tests."""
    return {
        "name": model,
        "data_tests": [
            {"row_checks": {"name": f"row_checks_{model}", "arguments": {
                "not_null": NOT_NULL, "unique": UNIQUE, "accepted_values": ACCEPTED,
                "expressions": EXPRESSIONS, "code_list": CODE_LIST,
                "fields_by_column": FIELDS}}},
            {"row_checks": {"name": f"unlisted_field_{model}", "arguments": {
                "code_list": CODE_LIST, "fields_by_column": {"status": "Colour"}}}},
        ],
        "columns": [{"name": column, "data_tests": tests}
                    for column, tests in _one_column_tests(model).items()],
    }


def _one_column_tests(model: str) -> dict[str, list[dict[str, Any]]]:
    tests: dict[str, list[dict[str, Any]]] = {}
    for column in NOT_NULL:
        tests.setdefault(column, []).append(
            {"not_null": {"name": f"one_not_null_{model}_{column}"}})
    tests["id"].append({"unique": {"name": f"one_unique_{model}_id"}})
    for column, values in ACCEPTED.items():
        # dbt's accepted_values quotes a value without escaping it: the SQL-escaped form.
        escaped = [value.replace("'", "''") if isinstance(value, str) else value
                   for value in values]
        tests.setdefault(column, []).append({"accepted_values": {
            "name": f"one_accepted_values_{model}_{column}",
            "arguments": {"values": escaped, "quote": column == "status"}}})
    return tests


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, dict], Path]:
    """Build the throwaway project once; its run results by test name, and its database."""
    project = tmp_path_factory.mktemp("generic_tests")
    shutil.copytree(DBT_PROJECT_DIR / "tests" / "generic", project / "tests" / "generic")
    (project / "models").mkdir()
    (project / "models" / "clean.sql").write_text(
        MODEL_SQL.format(nulls=CLEAN_NULLS, rows=CLEAN_ROWS))
    (project / "models" / "broken.sql").write_text(
        MODEL_SQL.format(nulls=BROKEN_NULLS, rows=BROKEN_ROWS))
    (project / "models" / "code_list.sql").write_text(CODE_LIST_SQL)
    (project / "models" / "schema.yml").write_text(json.dumps(
        {"version": 2, "models": [_tests_of("clean"), _tests_of("broken")]}))
    (project / "dbt_project.yml").write_text(json.dumps({
        "name": "generic_tests", "version": "1.0.0", "config-version": 2,
        "profile": "generic_tests", "models": {"+materialized": "table"}}))
    database = project / "generic_tests.duckdb"
    (project / "profiles.yml").write_text(json.dumps({"generic_tests": {
        "target": "test", "outputs": {"test": {"type": "duckdb", "path": str(database)}}}}))
    environment = {**os.environ, "DBT_TARGET_PATH": str(project / "target"),
                   "DBT_LOG_PATH": str(project / "logs"),
                   "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    completed = subprocess.run(
        [str(dbt_executable()), "build", "--store-failures",
         "--project-dir", str(project), "--profiles-dir", str(project)],
        env=environment, capture_output=True, text=True, check=False)
    run_results = json.loads((project / "target" / "run_results.json").read_text())
    by_name = {result["unique_id"].split(".")[2]: result for result in run_results["results"]}
    errors = [name for name, result in by_name.items() if result["status"] == "error"]
    assert errors == [], completed.stdout[-3000:]
    return by_name, database


def _failure_rows(database: Path, test_name: str) -> set[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return set(con.execute(f"select * from main_dbt_test__audit.{test_name}").fetchall())


def _failing_one_column_tests(by_name: dict[str, dict], prefix: str) -> set[str]:
    return {name.removeprefix(prefix) for name, result in by_name.items()
            if name.startswith(prefix) and result["status"] == "fail"}


def test_row_checks_pass_a_clean_model(results: tuple[dict[str, dict], Path]) -> None:
    by_name, _ = results
    assert by_name["row_checks_clean"]["status"] == "pass"
    one_column = {name: result["status"] for name, result in by_name.items()
                  if name.startswith("one_") and "_clean_" in name}
    assert len(one_column) == 6
    assert set(one_column.values()) == {"pass"}


def test_row_checks_name_each_failing_check_with_its_rows_and_no_value(
    results: tuple[dict[str, dict], Path]
) -> None:
    """Worked from the rows: id null on rows 8-9, m on rows 8-9; id 6 twice (the two null ids
    are not a duplicate); (no status, band A) on rows 4 and 9; 'lost' (row 5) outside the
    statuses and code 3 (row 6) outside the codes; n < 0 on row 7, n > m on row 6 and null on
    rows 8-9; 'lost' not a Status code, 'open' (row 6) not a Band code. Nothing else fails:
    n is never null, "Won't say" (with its quote) is accepted, nulls are not values."""
    by_name, database = results
    assert by_name["row_checks_broken"]["status"] == "fail"
    assert _failure_rows(database, "row_checks_broken") == {
        ("not null", "id", 2), ("not null", "m", 2),
        ("unique", "id", 2), ("unique", "status, band", 2),
        ("accepted values", "status", 1), ("accepted values", "code", 1),
        ("expression", "n >= 0", 1), ("expression", "n <= m", 3),
        ("code list", "status (field Status)", 1), ("code list", "band (field Band)", 1),
    }


def test_row_checks_name_the_columns_whose_own_dbt_tests_fail(
    results: tuple[dict[str, dict], Path]
) -> None:
    by_name, database = results
    named = {(kind, checked) for kind, checked, _ in _failure_rows(database, "row_checks_broken")}
    assert _failing_one_column_tests(by_name, "one_not_null_broken_") == {
        checked for kind, checked in named if kind == "not null"}
    assert _failing_one_column_tests(by_name, "one_accepted_values_broken_") == {
        checked for kind, checked in named if kind == "accepted values"}
    assert _failing_one_column_tests(by_name, "one_unique_broken_") == {"id"}


def test_a_field_with_no_codes_fails_every_value(results: tuple[dict[str, dict], Path]) -> None:
    """No code of Colour exists, so each non-null status fails: three on the clean model."""
    by_name, database = results
    assert by_name["unlisted_field_clean"]["status"] == "fail"
    assert _failure_rows(database, "unlisted_field_clean") == {
        ("code list", "status (field Colour)", 3)}
