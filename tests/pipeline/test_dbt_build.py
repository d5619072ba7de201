"""A failed dbt run is reported by the names of its failed nodes, never by dbt's own text."""

from __future__ import annotations

import json
from pathlib import Path

from asc_warehouse.pipeline.dbt_build import _failure_message

# What a DuckDB cast error in a model looks like in run_results.json: it quotes the value.
RUN_RESULTS = {"results": [
    {"unique_id": "model.asc_warehouse.stg_cld__events", "status": "error",
     "message": "Conversion Error: Could not convert string 'Jo Bloggs 9434765919' to DATE"},
    {"unique_id": "test.asc_warehouse.assert_x", "status": "fail", "message": "Got 3 results"},
    {"unique_id": "model.asc_warehouse.dim_council", "status": "success", "message": "OK"},
]}


def test_the_message_names_failed_nodes_and_never_quotes_dbt(tmp_path: Path) -> None:
    run_results = tmp_path / "run_results.json"
    run_results.write_text(json.dumps(RUN_RESULTS), encoding="utf-8")
    message = _failure_message(("build",), run_results, {"DBT_LOG_PATH": "/var/log/dbt"})
    assert message == (
        "dbt build failed: 2 node(s): model.asc_warehouse.stg_cld__events (error); "
        "test.asc_warehouse.assert_x (fail); dbt's log in /var/log/dbt has the details"
    )
    assert "Bloggs" not in message and "9434765919" not in message


def test_a_run_that_failed_before_any_node_says_so(tmp_path: Path) -> None:
    message = _failure_message(("build", "--full-refresh"), tmp_path / "run_results.json",
                               {"DBT_LOG_PATH": "/var/log/dbt"})
    assert message == ("dbt build --full-refresh failed before running any node; "
                       "dbt's log in /var/log/dbt has the details")
