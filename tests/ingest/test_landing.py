from datetime import date
from pathlib import Path

import pytest

from asc_warehouse.ingest.landing import LandingContractError, parse_extract_name, scan_landing


def _touch(folder: Path, name: str, text: str = "x") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_name_gives_council_period_and_release(tmp_path: Path) -> None:
    extract = parse_extract_name(_touch(tmp_path, "CLD_820_20240401_20260331_R2.csv"))
    assert (extract.council_code, extract.release) == ("820", "R2")
    assert (extract.period_start, extract.period_end) == (date(2024, 4, 1), date(2026, 3, 31))
    assert len(extract.checksum) == 64


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("kent_extract.csv", "follows none of"),
        ("CLD_820_20240401_20260331_R3.csv", "follows none of"),
        ("HOSP_820_20240401.csv", "follows none of"),
        ("SG_820_20250401_20250101.csv", "ends (2025-01-01) before it starts"),
        ("DOLS_123_20240401_20260331.csv", "council 123 is not in seeds/ref_councils.csv"),
        ("CLD_820_20241301_20260331_R2.csv", "not a date"),
        ("CLD_820_20260401_20250331_R2.csv", "ends (2025-03-31) before it starts"),
        ("CLD_999_20240401_20260331_R2.csv", "council 999 is not in seeds/ref_councils.csv"),
    ],
)
def test_bad_names_are_refused_with_the_reason(tmp_path: Path, name: str, reason: str) -> None:
    with pytest.raises(LandingContractError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        parse_extract_name(_touch(tmp_path, name))


def test_scan_reports_bad_names_and_orders_by_period_end(tmp_path: Path) -> None:
    _touch(tmp_path, "CLD_821_20240401_20260331_R2.csv")
    _touch(tmp_path, "CLD_820_20240401_20250331_R2.csv")
    _touch(tmp_path, "notes.csv")
    scan = scan_landing(tmp_path)
    assert [e.path.name for e in scan.extracts] == [
        "CLD_820_20240401_20250331_R2.csv",
        "CLD_821_20240401_20260331_R2.csv",
    ]
    assert list(scan.rejected) == ["notes.csv"]


def test_missing_landing_folder_is_empty(tmp_path: Path) -> None:
    scan = scan_landing(tmp_path / "absent")
    assert scan.extracts == [] and scan.rejected == {}
