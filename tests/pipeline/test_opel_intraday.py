"""The OPEL intraday run in-process: only OPEL files, its own files, alerts and the delivery
record, the lock, and the schedule setting."""

from __future__ import annotations

import json
from datetime import date

import duckdb
import pytest

from asc_warehouse.alerts.log import read_alerts
from asc_warehouse.config import Settings
from asc_warehouse.pipeline import opel_intraday
from asc_warehouse.sample_data import generate_opel_extracts
from tests.alerts.conftest import unreachable_url
from tests.cld_files import cld_row, write_cld_file


def test_an_intraday_run_loads_only_opel_publishes_opel_duckdb_and_reports_a_dead_channel(
    settings: Settings, monkeypatch: pytest.MonkeyPatch,
) -> None:
    generate_opel_extracts(settings.landing_dir, days=3, end_date=date(2026, 3, 31))
    write_cld_file(settings.landing_dir / "CLD_820_20240401_20260331_R2.csv", [cld_row()])
    monkeypatch.setenv("ASC_ALERT_TEAMS_WEBHOOK_URL", unreachable_url())
    monkeypatch.setenv("ASC_ALERT_SITE_URL", "https://asc.council.example/")
    rendered: list[str] = []
    monkeypatch.setattr(opel_intraday, "_page_renderers", [])
    opel_intraday.register_opel_page_renderer(lambda path, _: rendered.append(path.name))

    summary = opel_intraday.run_intraday("manual__intraday-1")

    assert sorted(load["file_name"] for load in summary["files"]) == [
        "OPEL_820_20260329.csv", "OPEL_820_20260330.csv", "OPEL_820_20260331.csv"]
    # Neither the nightly build file nor the analysts' file was created or opened.
    assert not settings.build_path.exists() and not settings.published_path.exists()
    assert rendered == ["opel.duckdb"]
    # The dead channel: in the summary, and in the published ops table.
    [failure] = summary["alert_delivery_failures"]
    assert failure.startswith("teams: ChannelFailure: Teams webhook unreachable")
    with duckdb.connect(str(settings.warehouse_dir / "opel.duckdb"), read_only=True) as con:
        deliveries = con.execute(
            "select run_id, channel, status, alert_count from ops.alert_delivery").fetchall()
        days = con.execute(
            "select count(distinct report_date) from marts.fct_opel_status_daily").fetchone()
        feeds = con.execute("select distinct feed from ops.load_audit").fetchall()
    assert deliveries == [("manual__intraday-1", "teams", "failed", len(summary["alerts_sent"]))]
    assert days == (3,) and feeds == [("opel",)]
    # The council-wide escalation of the OPEL 4 day, linked to the site's OPEL page.
    [council] = [a for a in read_alerts(settings.warehouse_dir)
                 if a["source"] == "OPEL council-wide"]
    assert (council["severity"], council["about"]) == ("escalation", "2026-03-31: OPEL 4")
    assert council["details"] == "https://asc.council.example/opel.html"
    assert council["message"].startswith("Kent council-wide rose to OPEL 4 (Black) on 2026-03-31")
    on_disk = json.loads((settings.warehouse_dir / "opel_intraday_summary.json").read_text())
    assert on_disk["alert_delivery_failures"] == [failure]

    # Nothing new landed; what the dead channel did not deliver is tried again, and only that.
    again = opel_intraday.run_intraday("manual__intraday-2")
    assert (again["files"], again["alerts_sent"]) == ([], summary["alerts_sent"])
    monkeypatch.delenv("ASC_ALERT_TEAMS_WEBHOOK_URL")
    opel_intraday.run_intraday("manual__intraday-3")  # delivered (to no channel): on record
    assert opel_intraday.run_intraday("manual__intraday-4")["alerts_sent"] == []


def test_a_second_intraday_run_while_one_holds_the_lock_changes_nothing(
    settings: Settings,
) -> None:
    with opel_intraday.intraday_lock(settings), pytest.raises(
        opel_intraday.IntradayRunInProgress
    ):
        opel_intraday.run_intraday("manual__overlap")
    assert not opel_intraday.opel_build_path(settings).exists()


def test_run_times_are_configurable_and_checked() -> None:
    assert opel_intraday.schedule_crons({}) == ["45 10 * * *", "45 15 * * *"]
    assert opel_intraday.schedule_crons({"ASC_OPEL_INTRADAY_TIMES": "10:40, 15:50"}) == [
        "40 10 * * *", "50 15 * * *"]
    with pytest.raises(ValueError, match="'25:00' is not a HH:MM time"):
        opel_intraday.schedule_crons({"ASC_OPEL_INTRADAY_TIMES": "25:00"})
