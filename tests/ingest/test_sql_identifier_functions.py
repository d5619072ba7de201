"""Tokens and NHS number checks worked out in SQL on the loading connection equal HMAC-SHA256
and the Modulus 11 check: the expected values are computed here from the definitions."""

import hashlib
import hmac

import duckdb
import pytest

from asc_warehouse.ingest.cld import register_functions

LONG_KEY = "k" * 70  # longer than HMAC's 64-byte block: HMAC hashes it first
KEYS = ("k1", LONG_KEY, "clé-ключ")


def _hmac(key: str, normalised: str) -> str:
    return hmac.new(key.encode(), normalised.encode(), hashlib.sha256).hexdigest()


def _answers(key: str, values: list[str | None]) -> list[tuple[str | None, bool | None]]:
    with duckdb.connect() as con:
        register_functions(con, key)
        return [
            (token, valid)
            for token, valid in con.execute(
                "select asc_keyed_hash(value), asc_is_valid_nhs_number(value) "
                "from unnest(?::varchar[]) with ordinality as v(value, place) order by place",
                [values],
            ).fetchall()
        ]


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize(
    ("value", "normalised"),
    [
        ("943 476 5919", "9434765919"),
        (" 9434765919 ", "9434765919"),
        ("mosaic-000123/a", "MOSAIC-000123/A"),
        ("a b\tc", "ABC"),  # a tab: Python's whitespace, worked out by the Python function
        ("x\u00a0y", "XY"),  # a no-break space, likewise
        ("straße", "STRASSE"),  # Python's upper case of ß
    ],
)
def test_token_is_hmac_of_the_normalised_value(key: str, value: str, normalised: str) -> None:
    assert _answers(key, [value])[0][0] == _hmac(key, normalised)


def test_blank_and_missing_values_have_no_token_and_no_check() -> None:
    assert _answers("k1", [None, "   ", ""]) == [(None, None), (None, False), (None, False)]


# Weights 10 down to 2 on the first nine digits; the check digit is 11 - total % 11 (11 is 0,
# 10 means no valid number has those nine digits).
@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("9434765919", True),  # 90+36+24+28+42+30+20+27+2 = 299, 299 % 11 = 2, check 9
        ("943 476 5919", True),
        (" 943 476 5919 ", True),
        ("9434765918", False),
        ("943 4765919", False),
        ("94347659190", False),
        ("4010232137", True),  # 40+8+12+15+8+3+6 = 92, 92 % 11 = 4, check 7
        ("4000000004", True),  # 40 % 11 = 7, check 4
        ("4000000000", False),
        ("0100000010", True),  # 9+2 = 11, 11 % 11 = 0, check 11 taken as 0
        ("0000000060", False),  # 6*2 = 12, 12 % 11 = 1, check 10: no valid number
        ("\t9434765919", True),  # a tab is stripped by Python: the Python function answers
        ("\uff19\uff14\uff13\uff14\uff17\uff16\uff15\uff19\uff11\uff19", True),  # full-width digits
        ("abc", False),
    ],
)
def test_nhs_number_check(value: str, valid: bool) -> None:
    assert _answers("k1", [value])[0][1] is valid


@pytest.mark.parametrize(
    ("postcode", "district"),
    [
        ("ME4 4TR", "ME4"),
        ("me44tr", "ME4"),
        (" CT20 1AA ", "CT20"),
        ("TN1", None),  # under five characters: no inward code to cut
        ("TN12", None),
        ("   ", None),
        (None, None),
        ("m\u00e94 4tr", "M\u00c94"),  # not ASCII: the Python function answers
        ("ME4\t4TR", "ME4"),  # a tab is Python's whitespace
    ],
)
def test_postcode_district(postcode: str | None, district: str | None) -> None:
    with duckdb.connect() as con:
        register_functions(con, "k1")
        assert con.execute("select asc_postcode_district(?)", [postcode]).fetchone() == (district,)
