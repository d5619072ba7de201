import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb

from asc_warehouse.pipeline.publish import publish


def _build(path: Path, rows: int) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema if not exists marts")
        con.execute("create schema if not exists ops")
        con.execute("create schema if not exists raw")
        con.execute(
            "create or replace table marts.fct_ascof_measure as select range as n from range(?)",
            [rows],
        )
        con.execute("create or replace table ops.load_audit as select 'f.csv' as file_name")
        con.execute("create or replace table raw.cld_events as select 'secret' as nhs_number")
    return path


def _count(path: Path) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        row = con.execute("select count(*) from marts.fct_ascof_measure").fetchone()
        return int(row[0]) if row else -1


def test_publish_copies_marts_and_audit_but_not_raw(tmp_path: Path) -> None:
    published = tmp_path / "warehouse" / "asc.duckdb"
    counts = publish(_build(tmp_path / "build.duckdb", 3), published, "run-1")
    assert counts == {"marts.fct_ascof_measure": 3, "ops.load_audit": 1}
    with duckdb.connect(str(published), read_only=True) as con:
        schemas = {row[0] for row in con.execute(
            "select distinct table_schema from information_schema.tables").fetchall()}
        run_id = con.execute("select run_id from ops.publication").fetchone()
    assert schemas == {"marts", "ops"}
    assert run_id == ("run-1",)
    assert not published.with_name("asc.duckdb.new").exists()


READER = textwrap.dedent("""
    import sys, duckdb
    path = sys.argv[1]
    con = duckdb.connect(path, read_only=True)
    count = lambda c: c.execute("select count(*) from marts.fct_ascof_measure").fetchone()[0]
    print("before", count(con), flush=True)
    sys.stdin.readline()
    print("held", count(con), flush=True)
    con.close()
    con = duckdb.connect(path, read_only=True)
    print("reopened", count(con), flush=True)
""")


def test_an_analyst_reading_during_a_publish_is_not_disturbed(tmp_path: Path) -> None:
    """Another process holds the published file open read-only while the next run publishes."""
    build = tmp_path / "build.duckdb"
    published = tmp_path / "asc.duckdb"
    publish(_build(build, 3), published, "run-1")
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(published)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert reader.stdout is not None and reader.stdin is not None
        assert reader.stdout.readline().split() == ["before", "3"]
        publish(_build(build, 5), published, "run-2")
        reader.stdin.write("go\n")
        reader.stdin.flush()
        assert reader.stdout.readline().split() == ["held", "3"]
        assert reader.stdout.readline().split() == ["reopened", "5"]
    finally:
        reader.communicate(timeout=30)
    assert reader.returncode == 0
    assert _count(published) == 5


def test_person_level_marts_go_only_to_the_restricted_file(tmp_path: Path) -> None:
    import stat

    build = _build(tmp_path / "build.duckdb", 2)
    with duckdb.connect(str(build)) as con:
        con.execute("create table marts.fct_ascof_measure_person as select 'token-1' as person_id")
        con.execute("create table marts.fct_cld_field_quality_failure as select 7 as row_number")
    published = tmp_path / "warehouse" / "asc.duckdb"
    counts = publish(build, published, "run-1")
    restricted = tmp_path / "warehouse" / "asc_restricted.duckdb"
    assert counts == {
        "marts.fct_ascof_measure": 2, "ops.load_audit": 1,
        "restricted.marts.fct_ascof_measure_person": 1,
        "restricted.marts.fct_cld_field_quality_failure": 1,
    }
    with duckdb.connect(str(published), read_only=True) as con:
        aggregate = {row[0] for row in con.execute(
            "select table_name from information_schema.tables").fetchall()}
    assert aggregate == {"fct_ascof_measure", "load_audit", "publication", "run_history"}
    assert stat.S_IMODE(restricted.stat().st_mode) == 0o600
    assert stat.S_IMODE(published.stat().st_mode) == 0o640
    assert b"token-1" not in published.read_bytes()
    assert b"token-1" in restricted.read_bytes()


def test_publish_adds_every_alert_channel_attempt_as_ops_alert_delivery(tmp_path: Path) -> None:
    from asc_warehouse.alerts.channels import ChannelConfig
    from asc_warehouse.alerts.log import Alert, record_alerts

    warehouse = tmp_path / "warehouse"
    with socket.socket() as probe:  # a loopback port nobody listens on once closed
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}/hook"
    record_alerts(warehouse, [Alert("warning", "f.csv", "data-quality checks", "m", "820",
                                    "run-1")], ChannelConfig(slack_webhook_url=dead))
    published = warehouse / "asc.duckdb"
    counts = publish(_build(tmp_path / "build.duckdb", 1), published, "run-1", warehouse)
    assert counts["ops.alert_delivery"] == 1
    with duckdb.connect(str(published), read_only=True) as con:
        row = con.execute(
            "select run_id, channel, status, alert_count, alerts, error like "
            "'ChannelFailure: Slack webhook unreachable%' from ops.alert_delivery").fetchone()
    assert row == ("run-1", "slack", "failed", 1,
                   "warning: data-quality checks [820] f.csv", True)
