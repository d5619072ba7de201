"""Check what was loaded and built.

Great Expectations suites run inside DuckDB, suites generated from the seeds, data-quality pages.
"""

import logging

# GX logs its own start-up at INFO (over 200 lines a task, most from its docs decorators) into
# every task log; only its warnings say anything about the night.
logging.getLogger("great_expectations").setLevel(logging.WARNING)


def _warnings_only(record: logging.LogRecord) -> bool:
    return record.levelno >= logging.WARNING


# This GX module sets its own level to INFO when it is imported; a filter outlasts that.
logging.getLogger("great_expectations.data_context.types.base").addFilter(_warnings_only)
