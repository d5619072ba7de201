"""The project's multi-column generic tests check each column as the one-column tests they replace.

A throwaway dbt project holds the project's own ``tests/generic`` folder, the macro its value
tests share and two small models: ``clean`` breaks nothing, ``broken`` breaks some columns of
every consolidated test and not others.
Beside each consolidated test, the one-column tests it replaced (dbt's ``not_null`` and
``accepted_values``, the project's ``expression_is_true`` and ``value_in_code_list``) run on the
same models, so a column the consolidated test names in its failure rows is exactly a column whose
own test fails. The failure rows are read back with ``--store-failures``.
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
# that is a code of another field (Status), and n above m; row 7: a negative n; rows 8-9: nulls
# in two of the three not-null columns (so n <= m is null there, which fails too).
BROKEN_ROWS = CLEAN_ROWS.rstrip() + """,
    (5, 'lost', 1, 'A', 1, 1),
    (6, 'open', 3, 'open', 7, 6),
    (7, 'open', 2, 'B', -1, 3),
    (8, 'closed', 1, 'A', 1, 1),
    (9, 'closed', 1, 'A', 1, 1)
"""
# Rows 8-9 lose their m; row 9 its id too.
BROKEN_NULLS = ("case when id in (8, 9) then null else m end as m, "
                "case when id = 9 then null else id end as id")
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

ACCEPTED = {"status": ["open", "closed", "Won't say"], "code": [1, 2]}
EXPRESSIONS = ["n >= 0", "n <= m"]
FIELDS = {"status": "Status", "band": "Band"}


def _tests_of(model: str) -> dict[str, Any]:
    """The consolidated tests of ``model`` and the one-column tests they replace."""
    code_list = "ref('code_list')"
    return {
        "name": model,
        "data_tests": [
            {"not_null_columns": {"name": f"not_null_columns_{model}",
                                  "arguments": {"columns": ["id", "n", "m"]}}},
            {"accepted_values_by_column": {"name": f"accepted_values_by_column_{model}",
                                           "arguments": {"values_by_column": ACCEPTED}}},
            {"expressions_are_true": {"name": f"expressions_are_true_{model}",
                                      "arguments": {"expressions": EXPRESSIONS}}},
            {"values_in_code_list": {"name": f"values_in_code_list_{model}",
                                     "arguments": {"code_list": code_list,
                                                   "fields_by_column": FIELDS}}},
            *({"expression_is_true": {"name": f"one_expression_{model}_{index}",
                                      "arguments": {"expression": expression}}}
              for index, expression in enumerate(EXPRESSIONS)),
        ],
        "columns": [{"name": column, "data_tests": tests}
                    for column, tests in _one_column_tests(model, code_list).items()],
    }


def _one_column_tests(model: str, code_list: str) -> dict[str, list[dict[str, Any]]]:
    tests: dict[str, list[dict[str, Any]]] = {}
    for column in ("id", "n", "m"):
        tests.setdefault(column, []).append(
            {"not_null": {"name": f"one_not_null_{model}_{column}"}})
    for column, values in ACCEPTED.items():
        # dbt's accepted_values quotes a value without escaping it: the SQL-escaped form.
        escaped = [value.replace("'", "''") if isinstance(value, str) else value
                   for value in values]
        tests.setdefault(column, []).append({"accepted_values": {
            "name": f"one_accepted_values_{model}_{column}",
            "arguments": {"values": escaped, "quote": column == "status"}}})
    for column, field in FIELDS.items():
        tests.setdefault(column, []).append({"value_in_code_list": {
            "name": f"one_code_list_{model}_{column}",
            "arguments": {"code_list": code_list, "field": field}}})
    return tests


# The macro the value tests share, which lives with the project's other macros.
VALUE_COUNTS_MACRO = "value_counts_by_column"


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, dict], Path]:
    """Build the throwaway project once; its run results by test name, and its database."""
    project = tmp_path_factory.mktemp("generic_tests")
    shutil.copytree(DBT_PROJECT_DIR / "tests" / "generic", project / "tests" / "generic")
    (project / "macros").mkdir()
    shutil.copy(DBT_PROJECT_DIR / "macros" / f"{VALUE_COUNTS_MACRO}.sql", project / "macros")
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


def test_every_consolidated_test_passes_a_clean_model(
    results: tuple[dict[str, dict], Path]
) -> None:
    by_name, _ = results
    clean = {name: result["status"] for name, result in by_name.items()
             if name.endswith("_clean") or "_clean_" in name}
    assert len(clean) == 13
    assert set(clean.values()) == {"pass"}


def test_not_null_columns_names_each_column_with_nulls(
    results: tuple[dict[str, dict], Path]
) -> None:
    by_name, database = results
    assert by_name["not_null_columns_broken"]["status"] == "fail"
    assert _failure_rows(database, "not_null_columns_broken") == {("id", 1), ("m", 2)}
    assert _failing_one_column_tests(by_name, "one_not_null_broken_") == {"id", "m"}


def test_accepted_values_by_column_names_each_column_and_value_against_its_own_list(
    results: tuple[dict[str, dict], Path]
) -> None:
    """'lost' is outside the status list and 3 outside the code list; 1 and 2 are codes but not
    statuses, and "Won't say" (with its quote) is accepted; nulls are not checked."""
    by_name, database = results
    assert by_name["accepted_values_by_column_broken"]["status"] == "fail"
    assert _failure_rows(database, "accepted_values_by_column_broken") == {
        ("status", "lost", 1), ("code", "3", 1)}
    assert _failing_one_column_tests(by_name, "one_accepted_values_broken_") == {
        "status", "code"}


def test_expressions_are_true_names_each_expression_false_or_null(
    results: tuple[dict[str, dict], Path]
) -> None:
    """n <= m fails on row 6 (7 > 6) and is null on rows 8-9 (m null); n >= 0 fails on row 7."""
    by_name, database = results
    assert by_name["expressions_are_true_broken"]["status"] == "fail"
    assert _failure_rows(database, "expressions_are_true_broken") == {
        ("n >= 0", 1), ("n <= m", 3)}
    assert {EXPRESSIONS[int(index)] for index in
            _failing_one_column_tests(by_name, "one_expression_broken_")} == set(EXPRESSIONS)


def test_values_in_code_list_checks_each_column_against_its_own_field(
    results: tuple[dict[str, dict], Path]
) -> None:
    """'open' is a code of Status, not of Band: as a band it fails."""
    by_name, database = results
    assert by_name["values_in_code_list_broken"]["status"] == "fail"
    assert _failure_rows(database, "values_in_code_list_broken") == {
        ("status", "lost", 1), ("band", "open", 1)}
    assert _failing_one_column_tests(by_name, "one_code_list_broken_") == {"status", "band"}
