"""Write the GX suites for raw CLD code lists from the seeds, one suite per release.

The suites hold no values: each in-set expectation names a ``code_list__<column>__r<n>``
parameter that ``validation`` fills from ``seeds/cld_code_list.csv`` at run time. Regenerate
with ``python -m asc_warehouse.quality.expectation_suites`` after changing ``seeds/cld_fields.csv``;
a test fails while the committed files differ from what this writes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from asc_warehouse.config import EXPECTATIONS_DIR
from asc_warehouse.ingest.cld_schema import cld_fields

RELEASES = ("R1", "R2")


def code_list_suite(release: str) -> dict[str, Any]:
    expectations = [
        {
            "type": "expect_column_values_to_be_in_set",
            "kwargs": {
                "column": field.raw_column,
                "value_set": {"$PARAMETER": f"code_list__{field.raw_column}__{release.lower()}"},
            },
            "meta": {"cld_field_name": field.name},
        }
        for field in cld_fields()
        if field.value_check == "code_list" and field.raw_column
    ]
    return {
        "name": f"raw_cld_events_code_lists_{release.lower()}",
        "meta": {
            "asc": {
                "table": "raw.cld_events",
                "where": f"release = '{release}'",
                "severity": "warning",
                "description": (
                    f"Coded fields of {release} files hold {release} values. Generated from "
                    "seeds/cld_fields.csv by asc_warehouse.expectation_suites. Invalid values "
                    "warn rather than block: the national collection classes them as invalid "
                    "and still derives measures (see marts.fct_cld_field_quality)."
                ),
            }
        },
        "expectations": expectations,
    }


def suite_path(release: str, directory: Path = EXPECTATIONS_DIR) -> Path:
    return directory / f"raw_cld_events_code_lists_{release.lower()}.json"


def render(release: str) -> str:
    return json.dumps(code_list_suite(release), indent=2) + "\n"


def write_suites(directory: Path = EXPECTATIONS_DIR) -> list[Path]:
    paths = []
    for release in RELEASES:
        path = suite_path(release, directory)
        path.write_text(render(release), encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":
    for written in write_suites():
        print(written)
