"""Pseudonymisation applied while an extract is loaded, before anything reaches DuckDB storage.

Identifiers are replaced by an HMAC-SHA256 keyed hash. The key is deployment configuration
(``ASC_PSEUDONYMISATION_KEY``); without it the same input always maps to the same token, so
people still link across files and nights, but nobody holding the warehouse can reverse or
recompute a token without the key.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from asc_warehouse.config import Settings
from asc_warehouse.ingest.nhs_number import PLAIN_ASCII_PATTERN

# Only ever used for generated sample data, which contains no real person. It is public, so
# tokens made with it can be reversed: it may hash only the files the generator listed.
SAMPLE_DATA_KEY = "asc-warehouse-sample-data-only"
# Written by the sample generator beside its files: "<sha256>  <file name>" per line.
SAMPLE_DATA_MARKER = ".asc-sample-data"
# Hashed with the key to give a fingerprint that tells keys apart without revealing them.
FINGERPRINT_MESSAGE = b"asc-warehouse key fingerprint"


class MissingKeyError(RuntimeError):
    """No pseudonymisation key is configured and the run is not in sample-data mode."""


class KeyMismatchError(RuntimeError):
    """The key differs from the one this warehouse's tokens were made with."""


def resolve_key(settings: Settings) -> str:
    if settings.pseudonymisation_key:
        return settings.pseudonymisation_key
    if settings.sample_mode:
        return SAMPLE_DATA_KEY
    raise MissingKeyError(
        "ASC_PSEUDONYMISATION_KEY is not set. Set it in the deployment environment "
        "to the council's secret key before loading real extracts; sample mode "
        "(asc-warehouse run --sample) is only for generated sample data."
    )


def key_fingerprint(key: str) -> str:
    return hmac.new(key.encode("utf-8"), FINGERPRINT_MESSAGE, hashlib.sha256).hexdigest()[:16]


def check_key_fingerprint(con: duckdb.DuckDBPyConnection, key: str) -> None:
    """Store the key's fingerprint at first load; refuse any other key afterwards.

    A changed key would silently stop people linking across nights (every earlier token would
    belong to no one), so measures would fall without a word.
    """
    con.execute(
        "create table if not exists ops.pseudonymisation_key "
        "(fingerprint varchar not null, first_used_at timestamp not null)"
    )
    rows = con.execute("select fingerprint, first_used_at from ops.pseudonymisation_key").fetchall()
    fingerprint = key_fingerprint(key)
    if not rows:
        con.execute(
            "insert into ops.pseudonymisation_key values (?, ?)",
            [fingerprint, datetime.now(UTC).replace(tzinfo=None)],
        )
        return
    stored = rows[0]
    if stored[0] != fingerprint:
        raise KeyMismatchError(
            f"the pseudonymisation key (fingerprint {fingerprint}) is not the key this "
            f"warehouse was built with (fingerprint {stored[0]}, first used {stored[1]:%Y-%m-%d})."
            " Nothing was loaded. Restore ASC_PSEUDONYMISATION_KEY, or start a new warehouse "
            "folder if the key was changed on purpose."
        )


def generated_checksums(landing_dir: Path) -> frozenset[str]:
    """The SHA-256 of each file the sample generator wrote into ``landing_dir``."""
    marker = landing_dir / SAMPLE_DATA_MARKER
    if not marker.is_file() or marker.is_symlink():
        return frozenset()
    lines = marker.read_text(encoding="utf-8", errors="replace").splitlines()
    return frozenset(line.split()[0].lower() for line in lines if line.split())


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


_HMAC_BLOCK_BYTES = 64


def keyed_hash_macro(name: str, fallback: str, key: str) -> str:
    """SQL defining the TEMP macro ``name(value)``: ``keyed_hasher(key)`` worked out by DuckDB.

    HMAC-SHA256 spelt out with DuckDB's ``sha256`` (RFC 2104: the hash of the outer padded key
    and the hash of the inner padded key and the message), for a whole column at C speed instead
    of one Python call per value. Any value outside ``nhs_number.PLAIN_ASCII_PATTERN`` (whose
    normalisation SQL would not do exactly as ``normalise_identifier``) goes to ``fallback``,
    the registered ``keyed_hasher``, so every token is the one Python would give. The padded key
    is in the macro's text: a TEMP macro lives in the loading connection's memory only.
    """
    key_bytes = key.encode("utf-8")
    if len(key_bytes) > _HMAC_BLOCK_BYTES:
        key_bytes = hashlib.sha256(key_bytes).digest()
    padded = key_bytes.ljust(_HMAC_BLOCK_BYTES, b"\0")
    inner = bytes(byte ^ 0x36 for byte in padded).hex()
    outer = bytes(byte ^ 0x5C for byte in padded).hex()
    cleaned = "encode(nullif(upper(replace(value, ' ', '')), ''))"
    return (
        f"create or replace temp macro {name}(value) as case "
        f"when regexp_full_match(value, '{PLAIN_ASCII_PATTERN}') then "
        f"sha256(unhex('{outer}') || unhex(sha256(unhex('{inner}') || {cleaned}))) "
        f"when value is null then null else {fallback}(value) end"
    )


def postcode_district(postcode: str | None) -> str | None:
    """The outward code (``ME4 4TR`` -> ``ME4``); the inward code identifies a handful of homes."""
    cleaned = normalise_identifier(postcode)
    if cleaned is None or len(cleaned) < 5:
        return None
    return cleaned[:-3]


def postcode_district_macro(name: str, fallback: str) -> str:
    """SQL defining the TEMP macro ``name(value)``: ``postcode_district`` worked out by DuckDB,
    with ``fallback`` (the registered Python function) for values outside printable ASCII."""
    cleaned = "upper(replace(value, ' ', ''))"
    return (
        f"create or replace temp macro {name}(value) as case "
        f"when regexp_full_match(value, '{PLAIN_ASCII_PATTERN}') then "
        f"case when length({cleaned}) >= 5 then left({cleaned}, length({cleaned}) - 3) end "
        f"when value is null then null else {fallback}(value) end"
    )
