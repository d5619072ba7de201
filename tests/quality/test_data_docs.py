"""GX Data Docs of validations run inside DuckDB (asc_warehouse.quality.data_docs).

Each test builds a small DuckDB file in tmp_path, validates through ``validate_in_duckdb`` with a
``DataDocsRun``, builds the site into ``<warehouse>/data_docs`` and reads the HTML GX wrote.
"""

from __future__ import annotations

import hashlib
import html
import re
import socket
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import duckdb
import pytest

from asc_warehouse.quality.data_docs import (
    DataDocsError,
    DataDocsRun,
    build_data_docs,
    data_docs_dir,
    gx_project_dir,
)
from asc_warehouse.quality.gx_duckdb import GxSqlEvaluationError, validate_in_duckdb

# Airflow's run ids look like this: ":" and "+" must survive as folder names and in links.
RUN_1 = "scheduled__2026-11-22T02:00:00+00:00"
RUN_2 = "scheduled__2026-11-23T02:00:00+00:00"
PASSING = "raw_clients"
FAILING = "raw_events"
BAD_EVENT_TYPE = "Teleportation"
EVENT_TYPES = ["Request", "Assessment", "Review"]
EXPECTATIONS: dict[str, list[dict[str, Any]]] = {
    PASSING: [
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "client_id"}},
        {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}},
    ],
    FAILING: [
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "event_id"}},
        {
            "type": "expect_column_values_to_be_in_set",
            "kwargs": {"column": "event_type", "value_set": {"$PARAMETER": "event_types"}},
        },
    ],
}
QUERIES = {
    PASSING: "select * from raw.clients where council_code = '{council}'",
    FAILING: "select * from raw.events where council_code = '{council}'",
}
PARAMETERS: dict[str, dict[str, Any]] = {PASSING: {}, FAILING: {"event_types": EVENT_TYPES}}
COUNCIL = "E10000016"


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "build.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(
            """
            create schema raw;
            create table raw.clients as
                select * from (values ('c1', 'E10000016'), ('c2', 'E10000016'))
                    v(client_id, council_code);
            create table raw.events as
                select * from (values
                    ('e1', 'Request', 'E10000016'),
                    ('e2', 'Teleportation', 'E10000016'),
                    ('e3', 'Review', 'E10000016')
                ) v(event_id, event_type, council_code);
            """
        )
    return path


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return tmp_path / "warehouse"


def _validate_all(database: Path, docs: DataDocsRun | None) -> dict[str, bool]:
    return {
        name: bool(
            validate_in_duckdb(
                database,
                QUERIES[name].format(council=COUNCIL),
                name,
                EXPECTATIONS[name],
                PARAMETERS[name],
                data_docs=docs,
                data_docs_batch=COUNCIL,
            ).success
        )
        for name in (PASSING, FAILING)
    }


def _result_links(index: Path) -> list[str]:
    """The validation result pages the index lists (GX keeps them in the page's table data),
    as paths: GX percent-encodes the links, as a browser expects."""
    text = html.unescape(index.read_text(encoding="utf-8"))
    return sorted({unquote(link) for link in re.findall(r"validations/[^'\"<>]+?\.html", text)})


def _text(page: Path) -> str:
    """The page's visible text, without scripts and tags."""
    raw = re.sub(r"<(script|style)\b.*?</\1>", " ", page.read_text(encoding="utf-8"), flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", raw)))


def test_site_has_both_suites_and_the_failing_value(database: Path, warehouse: Path) -> None:
    docs = DataDocsRun(warehouse, RUN_1)
    assert _validate_all(database, docs) == {PASSING: True, FAILING: False}
    assert docs.recorded == 2 and docs.errors == []

    index = docs.build()

    assert index == data_docs_dir(warehouse) / "index.html" == warehouse / "data_docs/index.html"
    links = _result_links(index)
    assert {link.split("/")[1] for link in links} == {PASSING, FAILING}
    for link in links:
        assert (index.parent / link).is_file(), link
        # suite / run name / run time / batch label
        assert link.split("/")[2] == RUN_1 and link.endswith(f"/{COUNCIL}.html")
    for suite in (PASSING, FAILING):
        assert f'href="expectations/{suite}.html"' in index.read_text(encoding="utf-8")
        assert (index.parent / "expectations" / f"{suite}.html").is_file()

    (failing_page,) = [index.parent / link for link in links if f"/{FAILING}/" in link]
    text = _text(failing_page)
    assert "Status: Failed" in text
    assert "values must belong to this set" in text and "event_type" in text
    assert BAD_EVENT_TYPE in text and "1 unexpected values found" in text
    assert RUN_1 in text  # the run name, as GX shows it
    assert f"council_code = '{COUNCIL}'" in text  # the query, in the batch spec
    (passing_page,) = [index.parent / link for link in links if f"/{PASSING}/" in link]
    assert "Status: Succeeded" in _text(passing_page)


def test_no_page_carries_the_gx_logo_beacon(database: Path, warehouse: Path) -> None:
    docs = DataDocsRun(warehouse, RUN_1)
    _validate_all(database, docs)
    index = docs.build()
    pages = list(index.parent.rglob("*.html"))
    assert len(pages) >= 5
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "great-expectations-web-assets" not in text and "dataContextId" not in text, page
    assert "<strong>Great Expectations</strong>" in index.read_text(encoding="utf-8")


def test_without_the_option_nothing_is_written(database: Path, tmp_path: Path) -> None:
    before = sorted(tmp_path.rglob("*"))
    outcome = validate_in_duckdb(
        database,
        QUERIES[FAILING].format(council=COUNCIL),
        FAILING,
        EXPECTATIONS[FAILING],
        PARAMETERS[FAILING],
    )
    assert outcome.success is False
    assert outcome.meta["run_id"].run_name is None  # GX's default, as before
    assert sorted(tmp_path.rglob("*")) == before


def test_second_run_keeps_history_and_replaces_suites(database: Path, warehouse: Path) -> None:
    first = DataDocsRun(warehouse, RUN_1)
    _validate_all(database, first)
    first.build()
    # The same suite names again, one of them changed: replaced, never duplicated or refused.
    changed = {**EXPECTATIONS, PASSING: [*EXPECTATIONS[PASSING][:1]]}
    second = DataDocsRun(warehouse, RUN_2)
    for name in (PASSING, FAILING):
        outcome = validate_in_duckdb(
            database,
            QUERIES[name].format(council=COUNCIL),
            name,
            changed[name],
            PARAMETERS[name],
            data_docs=second,
            data_docs_batch=COUNCIL,
        )
        assert outcome.meta["run_id"].run_name == RUN_2
    assert second.errors == []
    index = second.build()

    links = _result_links(index)
    assert sorted({(link.split("/")[1], link.split("/")[2]) for link in links}) == sorted(
        (suite, run) for suite in (PASSING, FAILING) for run in (RUN_1, RUN_2)
    )
    assert len(links) == 4 and all((index.parent / link).is_file() for link in links)
    suites = sorted(p.name for p in (gx_project_dir(warehouse) / "expectations").glob("*.json"))
    assert suites == sorted([f"{FAILING}.json", f"{PASSING}.json"])
    suite_page = _text(index.parent / "expectations" / f"{PASSING}.html")
    assert "values must never be null" in suite_page
    assert "Must have greater than or equal to 1 rows" not in suite_page  # the old version


def test_history_keeps_the_last_runs_only(database: Path, warehouse: Path) -> None:
    runs = ["manual__1", "manual__2", "manual__3"]
    for run in runs:
        docs = DataDocsRun(warehouse, run, keep_runs=2)
        _validate_all(database, docs)
        index = docs.build()
    assert {link.split("/")[2] for link in _result_links(index)} == {"manual__2", "manual__3"}
    site_runs = {p.name for p in (index.parent / "validations").glob("*/*") if p.is_dir()}
    stored_runs = {
        p.name for p in (gx_project_dir(warehouse) / "uncommitted/validations").glob("*/*")
    }
    assert site_runs == stored_runs == {"manual__2", "manual__3"}


def test_validation_stays_read_only_and_offline(
    database: Path, warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    connections: list[Any] = []
    real_connect = socket.socket.connect

    def connect(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            connections.append(address)
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    digest = hashlib.sha256(database.read_bytes()).hexdigest()
    modified = database.stat().st_mtime_ns

    docs = DataDocsRun(warehouse, RUN_1)
    _validate_all(database, docs)
    docs.build()

    assert hashlib.sha256(database.read_bytes()).hexdigest() == digest
    assert database.stat().st_mtime_ns == modified
    assert not database.with_name(database.name + ".wal").exists()
    assert connections == []
    project = (gx_project_dir(warehouse) / "great_expectations.yml").read_text(encoding="utf-8")
    assert "analytics_enabled: false" in project
    # No datasource or connection string is kept on disk: validation runs in an ephemeral context.
    assert "duckdb" not in project and "fluent_datasources" not in project
    assert not list((gx_project_dir(warehouse) / "validation_definitions").glob("*.json"))


def test_a_gx_error_is_recorded_then_raised(database: Path, warehouse: Path) -> None:
    docs = DataDocsRun(warehouse, RUN_1)
    lookahead = {
        "type": "expect_column_values_to_match_regex",
        "kwargs": {"column": "event_type", "regex": "^(?=R)"},  # RE2 refuses look-arounds
    }
    with pytest.raises(GxSqlEvaluationError):
        validate_in_duckdb(
            database,
            "select * from raw.events",
            FAILING,
            [lookahead],
            {},
            data_docs=docs,
        )
    index = docs.build()
    (link,) = _result_links(index)
    assert link.endswith("/all.html")  # no batch label given
    assert "expect_column_values_to_match_regex" in (index.parent / link).read_text("utf-8")


def test_docs_problems_never_cost_a_validation_result(database: Path, tmp_path: Path) -> None:
    not_a_folder = tmp_path / "warehouse"
    not_a_folder.write_text("a file where the warehouse folder should be", encoding="utf-8")
    docs = DataDocsRun(not_a_folder, RUN_1)

    assert _validate_all(database, docs) == {PASSING: True, FAILING: False}

    assert docs.recorded == 0 and len(docs.errors) == 2
    assert FAILING in docs.errors[1] and COUNCIL in docs.errors[1]
    with pytest.raises(DataDocsError, match="could not be built"):
        docs.build()
    with pytest.raises(DataDocsError):
        build_data_docs(not_a_folder)
