"""OPEL alerts: escalations, de-escalations and missing updates, on the latest reported day only.

Rules (the README's "Operational pressures (OPEL)" section states them for readers):

- Only each council's latest report date in ``marts.fct_opel_status_daily`` is evaluated. Older
  days were evaluated by the run that saw them as latest (nightly or intraday).
- For every scope (the council, each area) the level that day is compared with the level last
  announced for that scope (read back from the alert log, so a failed night or a re-run changes
  nothing); a scope never announced is compared with its previous reported day.
- A rise to ``opel_escalation_alert_from_level`` (dbt var, OPEL 3) or above, or from one such
  level to a higher one, is an ``escalation``; a fall from such a level to a lower one is a
  ``de-escalation`` (back to OPEL 1-2, or from 4 to 3).
- Each change is an *event* whose identity holds the report date and level: it is sent once,
  ever. A scope whose last announcement is about a later day than this build's latest day (an
  intraday run got there first) is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from asc_warehouse.alerts.log import EVENT, Alert, read_records, undelivered
from asc_warehouse.alerts.messages import (
    OPEL_PAGE,
    airflow_run_link,
    council_label,
    council_name,
    link_or,
    site_link,
)
from asc_warehouse.config import dbt_var

ESCALATION = "escalation"
DE_ESCALATION = "de-escalation"
LEVEL_CHECK = "OPEL level"
STATUS_MART = "marts.fct_opel_status_daily"
COMPLIANCE_MART = "marts.fct_opel_update_compliance"
STATUS_WORDS = {1: "Green", 2: "Amber", 3: "Red", 4: "Black"}
_ABOUT = re.compile(r"^(?P<day>\d{4}-\d{2}-\d{2}): OPEL (?P<level>\d)$")

Scope = tuple[str, str]
"""(council code, scope label such as ``council-wide`` or ``West Kent area``)."""


def escalation_from_level() -> int:
    return int(str(dbt_var("opel_escalation_alert_from_level")))


@dataclass(frozen=True)
class OpelStatus:
    report_date: date
    council_code: str
    scope: str
    area: str | None
    opel_level: int
    rule: str
    triggering_indicators: str
    previous_opel_level: int | None

    @property
    def scope_label(self) -> str:
        return f"{self.area} area" if self.scope == "Area" else "council-wide"


def latest_statuses(
    con: duckdb.DuckDBPyConnection, relation: str = STATUS_MART
) -> list[OpelStatus]:
    """Each council's latest reported day, with each scope's level on its previous reported day.

    The previous level is worked out here (not taken from the mart) so that any relation shaped
    like the status mart can be evaluated, e.g. the days a run saw so far.
    """
    rows = con.execute(
        f"""
        with ranked as (
            select *,
                lag(opel_level) over (
                    partition by council_code, scope, area order by report_date
                ) as prior_level,
                max(report_date) over (partition by council_code) as latest_day
            from {relation}
        )
        select report_date, council_code, scope, area, opel_level, rule,
            triggering_indicators, prior_level
        from ranked
        where report_date = latest_day
        order by council_code, scope desc, area
        """
    ).fetchall()
    return [OpelStatus(*row) for row in rows]


def announced_levels(warehouse_dir: Path) -> dict[Scope, tuple[date, int]]:
    """The last OPEL change on record per scope: its report date and level.

    A change a channel failed to deliver does not count, so it is worked out and sent again.
    """
    records = read_records(warehouse_dir)
    announced: dict[Scope, tuple[date, int]] = {}
    for record in records:
        match = _ABOUT.match(str(record.get("about") or ""))
        if (record.get("record", "alert") != "alert" or record.get("check") != LEVEL_CHECK
                or match is None or undelivered(records, record)):
            continue
        scope = (str(record.get("council_code")), str(record["source"]).removeprefix("OPEL "))
        seen = (date.fromisoformat(match["day"]), int(match["level"]))
        # In log order: a later change about the same day (a fall at 15:45 after a rise at
        # 10:45) replaces the earlier one; a change about an older day never does.
        if scope not in announced or seen[0] >= announced[scope][0]:
            announced[scope] = seen
    return announced


def _change(status: OpelStatus, prior: int | None, from_level: int) -> str | None:
    level = status.opel_level
    if level >= from_level and (prior is None or prior < level):
        return ESCALATION
    if prior is not None and prior >= from_level and level < prior:
        return DE_ESCALATION
    return None


def _what_to_do(change: str, level: int, from_level: int) -> str:
    if change == ESCALATION:
        return (
            f"Take the Pressures Plan actions for OPEL {level} ({STATUS_WORDS[level]}). Teams "
            f"update again between {dbt_var('opel_afternoon_window_start')} and "
            f"{dbt_var('opel_afternoon_window_end')} while at OPEL "
            f"{dbt_var('opel_twice_daily_from_level')} or above. Check the triggering "
            "indicators with their teams."
        )
    if level >= from_level:
        return (
            f"Step the Pressures Plan actions down to OPEL {level} ({STATUS_WORDS[level]}); "
            "twice-daily updates continue."
        )
    return (
        "Stand down the escalation actions; teams go back to one update a day by "
        f"{dbt_var('opel_update_deadline')}."
    )


def transition_alerts(
    statuses: list[OpelStatus],
    announced: Mapping[Scope, tuple[date, int]],
    run_id: str,
    *,
    dag_id: str,
    from_level: int | None = None,
) -> list[Alert]:
    """Escalation and de-escalation events on the latest day, by the rules above."""
    threshold = escalation_from_level() if from_level is None else from_level
    alerts = []
    for status in statuses:
        scope = (status.council_code, status.scope_label)
        if scope in announced:
            last_day, last_level = announced[scope]
            if last_day > status.report_date:
                continue
            prior: int | None = last_level
        else:
            prior = status.previous_opel_level
        change = _change(status, prior, threshold)
        if change is None:
            continue
        level, day = status.opel_level, status.report_date
        direction = "rose" if change == ESCALATION else "fell"
        before = f"OPEL {prior} ({STATUS_WORDS[prior]})" if prior else "no earlier report"
        who = f"{council_name(status.council_code) or status.council_code} {status.scope_label}"
        alerts.append(Alert(
            severity=change,
            source=f"OPEL {status.scope_label}",
            check=LEVEL_CHECK,
            message=(
                f"{who} {direction} to OPEL {level} ({STATUS_WORDS[level]}) on {day}, "
                f"from {before}. Rule: {status.rule}. "
                f"Indicators at OPEL {level} or above: {status.triggering_indicators}"
            ),
            council_code=status.council_code,
            council_name=council_name(status.council_code),
            run_id=run_id,
            observed=f"OPEL {level} ({STATUS_WORDS[level]}) on {day}",
            expected=(
                f"below OPEL {threshold}; escalation alerts from OPEL {threshold} "
                "(dbt var opel_escalation_alert_from_level)"
            ),
            details=link_or(
                f"{STATUS_MART} and marts.fct_opel_indicator_daily where report_date = '{day}'",
                site_link(OPEL_PAGE), airflow_run_link(dag_id, run_id),
            ),
            about=f"{day}: OPEL {level}",
            kind=EVENT,
            rows=f"{council_label(status.council_code)}, {status.scope_label}, {day}",
            what_to_do=_what_to_do(change, level, threshold),
        ))
    return alerts


def missing_update_alerts(
    con: duckdb.DuckDBPyConnection, run_id: str, *, dag_id: str
) -> list[Alert]:
    """One warning per council and kind of gap on its latest reported day: updates missing,
    none by the morning deadline, or no second update on a twice-daily day."""
    kinds = (
        ("is_missing", "OPEL update received",
         "no update at all that day", "every reporting unit updates every indicator daily"),
        ("is_late", "OPEL update by the morning deadline",
         "first update after the morning deadline",
         f"an update by {dbt_var('opel_update_deadline')} local time"),
        ("is_missing_second_update", "OPEL second update on a twice-daily day",
         "no update in the afternoon window",
         f"a second update between {dbt_var('opel_afternoon_window_start')} and "
         f"{dbt_var('opel_afternoon_window_end')} at OPEL "
         f"{dbt_var('opel_twice_daily_from_level')} or above"),
    )
    alerts = []
    for column, check, observed_words, expected in kinds:
        rows = con.execute(
            f"""
            select council_code, report_date, count(*) as gaps,
                string_agg(team_or_location || ' ' || indicator_code, '; '
                    order by area, team_or_location, indicator_code) as units,
                (select count(*) from {COMPLIANCE_MART} c2
                 where c2.council_code = c.council_code and c2.is_latest_day) as expected_units
            from {COMPLIANCE_MART} c
            where is_latest_day and {column}
            group by council_code, report_date
            order by council_code
            """
        ).fetchall()
        for council, day, gaps, units, expected_units in rows:
            alerts.append(Alert(
                severity="warning",
                source=f"OPEL_{council}_{day:%Y%m%d}.csv",
                check=check,
                message=f"{gaps} of {expected_units} expected indicator updates: "
                        f"{observed_words} on {day}. Units: {units}",
                council_code=council,
                council_name=council_name(council),
                run_id=run_id,
                observed=f"{gaps} of {expected_units} updates: {observed_words}",
                expected=expected,
                details=link_or(
                    f"{COMPLIANCE_MART} where report_date = '{day}' and {column}",
                    site_link(OPEL_PAGE), airflow_run_link(dag_id, run_id),
                ),
                about=str(day),
                rows=f"{gaps} units, listed in {COMPLIANCE_MART} ({column})",
                what_to_do="Ask the teams listed to enter their update on the resilience "
                           "system; the next intraday run picks it up.",
            ))
    return alerts


def opel_alerts(
    build_path: Path, warehouse_dir: Path, run_id: str, *, dag_id: str
) -> list[Alert]:
    """Every OPEL alert of a run over a build file holding the OPEL marts."""
    with duckdb.connect(str(build_path), read_only=True) as con:
        statuses = latest_statuses(con)
        gaps = missing_update_alerts(con, run_id, dag_id=dag_id)
    changes = transition_alerts(
        statuses, announced_levels(warehouse_dir), run_id, dag_id=dag_id
    )
    return changes + gaps
