"""Which of a model's row checks failed, for the message of a failed dbt run.

A model's checks are one data test (``dbt_project/tests/generic/row_checks.sql``), so the failed
node alone does not say which check failed. Its failure rows do: each names a check (kind, and
the columns or expression from the project's YAML) and a count of rows, never a value of the
model. dbt has exited by then, so the test's compiled query is run again on the build file,
read only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

# The name every row_checks test has: row_checks_<model>, or row_checks_<source>_<table>.
ROW_CHECKS_PREFIX = "row_checks_"
UNREADABLE = "its failing checks could not be read again from the build file"


def is_failed_row_checks(result: dict[str, Any]) -> bool:
    unique_id = result.get("unique_id", "")
    return (unique_id.startswith("test.") and result.get("status") == "fail"
            and unique_id.split(".")[2].startswith(ROW_CHECKS_PREFIX)
            and bool(result.get("compiled_code")))


def failing_checks(
    results: list[dict[str, Any]], build_file: Path, memory_limit: str, spill_dir: Path | None
) -> list[str]:
    """'<test>: <kind> <checked> (<n> rows)' for each check that failed in a row_checks test.

    DuckDB's own text is never repeated: a query that fails again says only that it failed.
    """
    failed = [result for result in results if is_failed_row_checks(result)]
    if not failed:
        return []
    config = {"memory_limit": memory_limit}
    if spill_dir is not None:
        # The run's private folder, removed after it, as for dbt itself.
        config["temp_directory"] = str(spill_dir)
    lines = []
    try:
        with duckdb.connect(str(build_file), read_only=True, config=config) as con:
            for result in failed:
                test = result["unique_id"].split(".")[2]
                rows = con.execute(result["compiled_code"]).fetchall()
                lines += [f"{test}: {kind} {checked} ({failing_rows} "
                          f"row{'' if failing_rows == 1 else 's'})"
                          for kind, checked, failing_rows in rows]
    except duckdb.Error:
        return [*lines, UNREADABLE]
    return lines
