"""Pseudonymisation applied while an extract is loaded, before anything reaches DuckDB storage.

Identifiers are replaced by an HMAC-SHA256 keyed hash. The key is deployment configuration
(``ASC_PSEUDONYMISATION_KEY``); without it the same input always maps to the same token, so
people still link across files and nights, but nobody holding the warehouse can reverse or
recompute a token without the key.
"""

from __future__ import annotations

import hashlib
import hmac

from asc_warehouse.config import Settings

# Only ever used for generated sample data, which contains no real person.
SAMPLE_DATA_KEY = "asc-warehouse-sample-data-only"


class MissingKeyError(RuntimeError):
    """No pseudonymisation key is configured and the run is not in sample-data mode."""


def resolve_key(settings: Settings) -> str:
    if settings.pseudonymisation_key:
        return settings.pseudonymisation_key
    if settings.sample_mode:
        return SAMPLE_DATA_KEY
    raise MissingKeyError(
        "ASC_PSEUDONYMISATION_KEY is not set. Set it in the deployment environment "
        "to the council's secret key before loading real extracts; ASC_SAMPLE_MODE=1 is only for "
        "generated sample data."
    )


def normalise_identifier(value: str | None) -> str | None:
    """Spaces and case must not change a person's token (``943 476 5919`` = ``9434765919``)."""
    if value is None:
        return None
    cleaned = "".join(value.split()).upper()
    return cleaned or None


def keyed_hasher(key: str):
    """A function mapping an identifier to its token, for registration as a DuckDB UDF."""
    key_bytes = key.encode("utf-8")

    def keyed_hash(value: str | None) -> str | None:
        cleaned = normalise_identifier(value)
        if cleaned is None:
            return None
        return hmac.new(key_bytes, cleaned.encode("utf-8"), hashlib.sha256).hexdigest()

    return keyed_hash


def postcode_district(postcode: str | None) -> str | None:
    """The outward code (``ME4 4TR`` -> ``ME4``); the inward code identifies a handful of homes."""
    cleaned = normalise_identifier(postcode)
    if cleaned is None or len(cleaned) < 5:
        return None
    return cleaned[:-3]
