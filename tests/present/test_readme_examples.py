"""Every SQL example in the README runs read-only against a published file and prints a table."""

from __future__ import annotations

import re

import pytest

from asc_warehouse.cli import main
from asc_warehouse.config import PROJECT_ROOT
from tests.present.conftest import Published

SQL_BLOCKS = re.findall(r"```sql\n(.*?)```", (PROJECT_ROOT / "README.md").read_text(), re.S)


def test_the_readme_has_sql_examples() -> None:
    assert len(SQL_BLOCKS) >= 3


@pytest.mark.parametrize("block", SQL_BLOCKS, ids=[f"block{n}" for n in range(len(SQL_BLOCKS))])
def test_readme_sql_prints_readable_results(
    block: str, published: Published, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("ASC_WAREHOUSE_DIR", str(published.settings.warehouse_dir))
    # A block whose first comment says "restricted" is run against the person-level file.
    restricted = ["--restricted"] if block.lstrip().startswith("-- restricted") else []
    assert main(["sql", *restricted, block]) == 0
    printed = capsys.readouterr().out
    statements = [part for part in block.split(";") if re.search(r"\bselect\b", part, re.I)]
    # One boxed table per statement, with its column header row.
    assert printed.count("┌") == len(statements), printed[-2000:]
    assert "│" in printed
