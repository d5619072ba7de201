"""Modulus 11 NHS number checks, against hand-worked examples."""

from __future__ import annotations

import pytest

from asc_warehouse.ingest.nhs_number import NHS_NUMBER_PATTERN, is_valid_nhs_number, nhs_check_digit


def test_check_digit_of_a_known_valid_number() -> None:
    # 943 476 591(9): 9*10 + 4*9 + 3*8 + 4*7 + 7*6 + 6*5 + 5*4 + 9*3 + 1*2
    #   = 90 + 36 + 24 + 28 + 42 + 30 + 20 + 27 + 2 = 299; 299 mod 11 = 2; 11 - 2 = 9.
    assert nhs_check_digit("943476591") == 9


def test_remainder_zero_gives_check_digit_zero() -> None:
    # 943 476 590: 297 (as above, with 0*2 in place of 1*2); 297 = 27*11, so remainder 0;
    # 11 - 0 = 11, which is written as 0.
    assert nhs_check_digit("943476590") == 0
    assert is_valid_nhs_number("9434765900")


def test_remainder_one_has_no_check_digit() -> None:
    # 943 476 596: 297 + 6*2 = 309; 309 mod 11 = 1; 11 - 1 = 10, which is not a digit,
    # so no NHS number starts with these nine digits.
    assert nhs_check_digit("943476596") is None
    assert not any(is_valid_nhs_number(f"943476596{last}") for last in range(10))


@pytest.mark.parametrize("bad", ["94347659", "9434765919", "94347659a", ""])
def test_check_digit_needs_exactly_nine_digits(bad: str) -> None:
    with pytest.raises(ValueError, match="nine digits"):
        nhs_check_digit(bad)


@pytest.mark.parametrize("text", ["9434765919", "943 476 5919", " 943 476 5919 "])
def test_valid_forms(text: str) -> None:
    assert is_valid_nhs_number(text)


@pytest.mark.parametrize(
    "text",
    [
        "9434765918",  # wrong check digit
        "943 4765919",  # spaces only in the 3-3-4 form
        "9434 765 919",
        "943-476-5919",
        "943476591",  # nine digits
        "94347659190",  # eleven digits
        "943476591X",
    ],
)
def test_invalid_forms(text: str) -> None:
    assert not is_valid_nhs_number(text)


def test_pattern_finds_candidates_in_free_text() -> None:
    text = "Ref 943 476 5919 seen; alt 9434765900, phone 01634 123456, account 123456789012."
    assert NHS_NUMBER_PATTERN.findall(text) == ["943 476 5919", "9434765900"]


def test_pattern_does_not_split_longer_digit_runs() -> None:
    assert NHS_NUMBER_PATTERN.findall("94347659190 and 19434765919") == []
