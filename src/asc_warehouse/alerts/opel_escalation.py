"""Escalation alerts: a council or area rising to OPEL 3 or 4 on its latest reported day.

Which rows are escalations is decided in dbt (``marts.fct_opel_status_daily.is_escalation``, from
the var ``opel_escalation_alert_from_level``); this module only turns them into alerts naming the
indicators that triggered them. It runs straight after the dbt build, before the marts are
validated, so an escalation is announced even on a night whose publication is held back.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from asc_warehouse.alerts.log import Alert

ESCALATION_SEVERITY = "escalation"
STATUS_MART = "marts.fct_opel_status_daily"


def escalation_alerts(build_path: Path, run_id: str) -> list[Alert]:
    with duckdb.connect(str(build_path), read_only=True) as con:
        rows = con.execute(
            f"""
            select report_date, council_code, scope, area, opel_level, status, rule,
                triggering_indicators, previous_opel_level
            from {STATUS_MART}
            where is_escalation
            qualify report_date = max(report_date) over (partition by council_code)
            order by council_code, scope desc, area
            """
        ).fetchall()
    alerts = []
    for day, council, scope, area, level, status, rule, triggers, previous in rows:
        where = f"area {area}" if scope == "Area" else "council"
        subject = f"{area} (area)" if scope == "Area" else "Council"
        before = f"from OPEL {previous}" if previous is not None else "(no earlier day)"
        alerts.append(Alert(
            severity=ESCALATION_SEVERITY,
            source=f"OPEL {where}",
            check=f"OPEL escalation to level {level}",
            message=(
                f"{subject} {status} (OPEL {level}) on {day}, up {before}: {rule}. "
                f"Triggered by: {triggers}"
            ),
            council_code=council,
            run_id=run_id,
            observed=f"OPEL {level}",
            expected=f"below OPEL {level}",
            details=f"{STATUS_MART} and marts.fct_opel_indicator_daily for {day}",
        ))
    return alerts
