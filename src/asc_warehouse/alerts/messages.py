"""What an alert tells its reader beyond the check itself: the council's name, a link the reader
can open, and the values a reader may see.

Links are built from two configurable base URLs, so a message never carries a server path or
``localhost``:

``ASC_ALERT_AIRFLOW_URL``
    Base URL of the Airflow UI as the readers reach it (e.g. ``https://airflow.council.example``).
``ASC_ALERT_SITE_URL``
    Base URL of the published scorecard site (its data-quality page ``quality.html`` and OPEL
    page ``opel.html``).

With neither set, an alert names the table to query instead of a link.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterable, Mapping
from functools import cache
from urllib.parse import quote

from asc_warehouse.config import SEEDS_DIR

DATA_QUALITY_PAGE = "quality.html"
OPEL_PAGE = "opel.html"
# A value shown in an alert must look like a code-list entry: short words, no long digit run
# (an NHS number, a phone number, a date), no postcode, no e-mail address (the pattern has no
# @). Anything else is counted only.
_CODE_LIKE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ,;:&/()'+\-.]{0,59}$")
_LONG_DIGITS = re.compile(r"[0-9]{4,}")
_POSTCODE = re.compile(r"\b[A-Z]{1,2}[0-9][A-Z0-9]?\s*[0-9][A-Z]{2}\b", re.IGNORECASE)
SUPPRESSED_VALUE = "(value not shown)"


@cache
def _council_names() -> Mapping[str, str]:
    with (SEEDS_DIR / "ref_councils.csv").open(newline="", encoding="utf-8") as handle:
        return {row["council_code"]: row["council_name"] for row in csv.DictReader(handle)}


def council_label(council_code: str | None) -> str:
    """``Kent (820)``; the code alone when the council is not in the seed."""
    if not council_code:
        return "not council-specific"
    name = _council_names().get(council_code)
    return f"{name} ({council_code})" if name else f"council {council_code}"


def council_name(council_code: str | None) -> str | None:
    return _council_names().get(council_code or "")


def _base(variable: str, environ: Mapping[str, str] | None) -> str | None:
    env = os.environ if environ is None else environ
    value = (env.get(variable) or "").strip().rstrip("/")
    return value if value.lower().startswith(("http://", "https://")) else None


def site_link(page: str, environ: Mapping[str, str] | None = None) -> str | None:
    base = _base("ASC_ALERT_SITE_URL", environ)
    return f"{base}/{page}" if base else None


def airflow_run_link(
    dag_id: str, run_id: str | None, environ: Mapping[str, str] | None = None
) -> str | None:
    """The Airflow 3 UI page of a DAG run (``/dags/<dag>/runs/<run>``), or the DAG's page."""
    base = _base("ASC_ALERT_AIRFLOW_URL", environ)
    if not base:
        return None
    if not run_id or run_id == "manual":
        return f"{base}/dags/{quote(dag_id, safe='')}"
    return f"{base}/dags/{quote(dag_id, safe='')}/runs/{quote(run_id, safe='')}"


def link_or(query_hint: str, *links: str | None) -> str:
    """The first configured link, else where to look in the warehouse."""
    return next((link for link in links if link), query_hint)


def shown_value(value: object) -> str:
    """A code-list-shaped value as it is; anything else is withheld (it may be personal)."""
    text = str(value)
    if (_CODE_LIKE.fullmatch(text) and not _LONG_DIGITS.search(text)
            and not _POSTCODE.search(text)):
        return text
    return SUPPRESSED_VALUE


def distinct_value_counts(pairs: Iterable[tuple[object, int]]) -> list[tuple[str, int]]:
    """Distinct values with counts, most frequent first; withheld values counted together."""
    counts: dict[str, int] = {}
    for value, count in pairs:
        shown = shown_value(value)
        counts[shown] = counts.get(shown, 0) + int(count)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))
