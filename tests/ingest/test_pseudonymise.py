import hashlib
import hmac

import pytest

from asc_warehouse.config import Settings
from asc_warehouse.ingest.pseudonymise import (
    SAMPLE_DATA_KEY,
    MissingKeyError,
    keyed_hasher,
    postcode_district,
    resolve_key,
)


def test_token_is_hmac_sha256_of_the_normalised_identifier() -> None:
    expected = hmac.new(b"k1", b"9434765919", hashlib.sha256).hexdigest()
    assert keyed_hasher("k1")("943 476 5919") == expected
    assert keyed_hasher("k1")("9434765919") == expected


def test_tokens_depend_on_the_key() -> None:
    assert keyed_hasher("k1")("9434765919") != keyed_hasher("k2")("9434765919")


def test_blank_identifier_has_no_token() -> None:
    assert keyed_hasher("k1")("   ") is None
    assert keyed_hasher("k1")(None) is None


@pytest.mark.parametrize(
    ("postcode", "district"),
    [("ME4 4TR", "ME4"), ("me44tr", "ME4"), ("CT20 1AA", "CT20"), ("TN1", None), ("", None)],
)
def test_postcode_becomes_its_district(postcode: str, district: str | None) -> None:
    assert postcode_district(postcode) == district


def _settings(key: str | None, sample: bool) -> Settings:
    from pathlib import Path

    return Settings(Path("l"), Path("w"), pseudonymisation_key=key, sample_mode=sample)


def test_configured_key_wins() -> None:
    assert resolve_key(_settings("secret", sample=True)) == "secret"


def test_sample_mode_uses_the_sample_key() -> None:
    assert resolve_key(_settings(None, sample=True)) == SAMPLE_DATA_KEY


def test_missing_key_outside_sample_mode_is_a_clear_error() -> None:
    with pytest.raises(MissingKeyError, match="ASC_PSEUDONYMISATION_KEY is not set"):
        resolve_key(_settings(None, sample=False))
