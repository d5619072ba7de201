"""Check what was loaded and built.

Great Expectations suites run inside DuckDB, suites generated from the seeds, data-quality pages.
"""
