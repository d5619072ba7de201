"""NHS number check-digit helpers (Modulus 11), shared by the sample generator and PII scans."""

from __future__ import annotations

import re

# Candidates only: a match still needs is_valid_nhs_number. The digit look-arounds stop a
# match inside a longer run of digits (an account number, a timestamp).
NHS_NUMBER_PATTERN = re.compile(r"(?<!\d)(?:\d{3} \d{3} \d{4}|\d{10})(?!\d)")

# Text that SQL's string functions treat exactly as Python's: printable ASCII and spaces, where
# spaces are the only whitespace and upper case is ASCII's.
PLAIN_ASCII_PATTERN = "[ -~]*"
_WHOLE_NUMBER = re.compile(r"\d{3} \d{3} \d{4}|\d{10}")
_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)


def nhs_check_digit(first_nine: str) -> int | None:
    """Return the check digit for the first nine digits, or None if no check digit exists.

    A result of 10 means the nine digits can never form a valid NHS number.
    """
    if len(first_nine) != 9 or not first_nine.isdigit():
        raise ValueError(f"expected nine digits, got {first_nine!r}")
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, _WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def valid_nhs_number_sql(value: str, fallback: str) -> str:
    """SQL giving ``is_valid_nhs_number`` of ``value`` (NULL for NULL) for a column at once.

    SQL answers a value of printable ASCII and spaces, where ``strip`` is ``trim`` and ``\\d``
    is ``[0-9]``; any other value goes to ``fallback``, the registered Python function.
    """
    candidate = f"trim({value})"
    digits = f"replace({candidate}, ' ', '')"
    total = " + ".join(f"{weight} * (ord({digits}[{place}]) - 48)"
                       for place, weight in enumerate(_WEIGHTS, start=1))
    # A check of 11 is 0; a check of 10 matches no digit, as no such NHS number exists.
    return (f"case when {value} is null then null "
            f"when regexp_full_match({candidate}, '{_WHOLE_NUMBER.pattern}') "
            f"then (11 - ({total}) % 11) % 11 = ord({digits}[10]) - 48 "
            f"when regexp_full_match({value}, '{PLAIN_ASCII_PATTERN}') then false "
            f"else {fallback}({value}) end")


def is_valid_nhs_number(text: str) -> bool:
    """True for ten digits (optionally spaced 3-3-4) whose last digit is the Modulus 11 check."""
    candidate = text.strip()
    if not _WHOLE_NUMBER.fullmatch(candidate):
        return False
    digits = candidate.replace(" ", "")
    return nhs_check_digit(digits[:9]) == int(digits[9])
