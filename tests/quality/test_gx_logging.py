"""Great Expectations' own start-up messages stay out of the task logs; its warnings do not."""

from __future__ import annotations

import logging

import pytest


def test_gx_internal_info_is_silenced_and_warnings_kept(caplog: pytest.LogCaptureFixture) -> None:
    import great_expectations.data_context.types.base as base  # sets its own level to INFO

    import asc_warehouse.quality  # noqa: F401  (sets the GX log levels, in either order)

    with caplog.at_level(logging.DEBUG):
        base.logger.info("Created temporary directory for ephemeral docs site")
        logging.getLogger("great_expectations._docs_decorators").debug("Skipping registering")
        logging.getLogger("great_expectations.datasource.fluent.config").info("Loading")
        base.logger.warning("a GX warning")
    gx_records = [r for r in caplog.records if r.name.startswith("great_expectations")]
    assert [record.getMessage() for record in gx_records] == ["a GX warning"]
