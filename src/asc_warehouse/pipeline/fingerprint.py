"""What a build was made from, so that a night with nothing new need not rebuild.

A build's inputs are the files loaded into the build file (``ops.load_audit``), the seeds, the dbt
project (models, macros, tests and ``dbt_project.yml`` with its vars), the versions of dbt-core,
dbt-duckdb and DuckDB (the rows incremental models keep were written by that engine), the
pseudonymisation key (by its fingerprint) and the records purged by retention (CLD events apart from
the other person-level feeds). Each is reduced to a
SHA-256 digest; the digests of the last complete build are stored in the build file itself
(``ops.build_fingerprint``), so they can never describe a different file. The loads are also
digested feed by feed (components ``loads.<feed>``), so that an incremental night knows which
feeds' files changed (``build_selection``).

Only new loads can be built incrementally (per-file models add the loads they lack), together with
purges of the feeds no per-file model reads (hospital, safeguarding, DoLS: the models that read
them are tables or views, rebuilt by every build). Any other change, a CLD purge included, alters
what loads already built contribute, so it needs a full refresh.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import duckdb
import yaml

from asc_warehouse.config import DBT_PROJECT_DIR, SEEDS_DIR
from asc_warehouse.ingest.retention import RAW_CLD_TABLE

FINGERPRINT_TABLE = "ops.build_fingerprint"
# Written by dbt, not read by it: never part of what a build was made from.
DBT_OUTPUT_FOLDERS = frozenset({"target", "logs", "dbt_packages"})
DBT_USER_ID_FILE = ".user.yml"
# The packages that build and store the models: a new release of any may change their rows.
BUILD_ENGINE_PACKAGES = ("dbt-core", "dbt-duckdb", "duckdb")
# Changes that an incremental build takes in: new loads, and purges of feeds that only tables
# and views read.
INCREMENTAL_CHANGES = frozenset({"loads", "other_purges"})
# Stored components "loads.<feed>": the digest of one feed's rows of ops.load_audit.
FEED_LOADS_PREFIX = "loads."


@dataclass(frozen=True)
class Fingerprint:
    loads: str
    seeds: str
    models: str
    vars: str
    dbt_version: str
    key: str
    cld_purges: str
    other_purges: str
    # The loads again, feed by feed: which feeds a change of ``loads`` came from.
    feed_loads: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, str]:
        return {"loads": self.loads, "seeds": self.seeds, "models": self.models,
                "vars": self.vars, "dbt_version": self.dbt_version, "key": self.key,
                "cld_purges": self.cld_purges, "other_purges": self.other_purges}

    def changed_since(self, stored: dict[str, str]) -> list[str]:
        """The inputs that differ from ``stored`` (all of them when nothing is stored)."""
        return [name for name, digest in self.as_dict().items() if stored.get(name) != digest]

    def components(self) -> dict[str, str]:
        """Everything stored: the components, and the loads of each feed."""
        return self.as_dict() | {FEED_LOADS_PREFIX + feed: digest
                                 for feed, digest in self.feed_loads.items()}

    def changed_feeds(self, stored: dict[str, str]) -> frozenset[str] | None:
        """The feeds whose rows of ops.load_audit differ from ``stored`` (a feed gone counts
        too); None when the stored build predates per-feed digests and cannot tell."""
        stored_feeds = {name.removeprefix(FEED_LOADS_PREFIX): digest
                        for name, digest in stored.items() if name.startswith(FEED_LOADS_PREFIX)}
        if not stored_feeds:
            return None
        return frozenset(feed for feed in stored_feeds.keys() | self.feed_loads.keys()
                         if stored_feeds.get(feed) != self.feed_loads.get(feed))


def _digest_files(root: Path, paths: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _dbt_project_files(project_dir: Path) -> list[Path]:
    """The project's own files, without what dbt writes into it."""
    return [
        path for path in project_dir.rglob("*")
        if path.is_file() and path.name != DBT_USER_ID_FILE
        and path.relative_to(project_dir).parts[0] not in DBT_OUTPUT_FOLDERS
    ]


def _vars_digest(project_dir: Path) -> str:
    project = yaml.safe_load((project_dir / "dbt_project.yml").read_text(encoding="utf-8"))
    text = yaml.safe_dump(project.get("vars") or {}, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _loads_digests(con: duckdb.DuckDBPyConnection) -> tuple[str, dict[str, str]]:
    """The digest of all loads, and of each feed's."""
    # Ids, outcomes and content checksums only: a file rejected again each night is replaced
    # in the audit under the same id, with a new time, and changes nothing a model reads.
    rows = con.execute(
        "select feed, load_id, status, checksum, coalesce(message, '') from ops.load_audit "
        "order by load_id"
    ).fetchall()
    digest = hashlib.sha256()
    feed_lines: dict[str, list[bytes]] = {}
    for feed, *row in rows:
        line = "\x1f".join(str(value) for value in row).encode("utf-8") + b"\x1e"
        digest.update(line)
        feed_lines.setdefault(str(feed), []).append(line)
    return digest.hexdigest(), {feed: hashlib.sha256(b"".join(lines)).hexdigest()
                                for feed, lines in feed_lines.items()}


def _key_digest(con: duckdb.DuckDBPyConnection) -> str:
    if not _has_table(con, "ops", "pseudonymisation_key"):
        return ""
    rows = con.execute("select fingerprint from ops.pseudonymisation_key order by 1").fetchall()
    return hashlib.sha256("\x1e".join(row[0] for row in rows).encode("utf-8")).hexdigest()


def _purges_digests(con: duckdb.DuckDBPyConnection) -> tuple[str, str]:
    """Rows purged in all from raw CLD events, and from the other person-level feeds: a night
    whose purge found nothing old enough changes nothing, nor does the audit's first night."""
    cld_purged = other_purged = 0
    if _has_table(con, "ops", "retention_audit"):
        [(cld_purged, other_purged)] = con.execute(
            "select coalesce(sum(rows_purged) filter (where table_name = ?), 0), "
            "coalesce(sum(rows_purged) filter (where table_name <> ?), 0) "
            "from ops.retention_audit", [RAW_CLD_TABLE, RAW_CLD_TABLE],
        ).fetchall()
    return (hashlib.sha256(str(cld_purged).encode("utf-8")).hexdigest(),
            hashlib.sha256(str(other_purged).encode("utf-8")).hexdigest())


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    row = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? "
        "and table_name = ?", [schema, table],
    ).fetchone()
    return bool(row and row[0])


def current(
    build_path: Path, seeds_dir: Path = SEEDS_DIR, project_dir: Path = DBT_PROJECT_DIR
) -> Fingerprint:
    """The fingerprint of the inputs as they are now."""
    loads = key = cld_purges = other_purges = ""
    feed_loads: dict[str, str] = {}
    if build_path.exists():
        with duckdb.connect(str(build_path), read_only=True) as con:
            if _has_table(con, "ops", "load_audit"):
                loads, feed_loads = _loads_digests(con)
            key = _key_digest(con)
            cld_purges, other_purges = _purges_digests(con)
    return Fingerprint(
        loads=loads,
        seeds=_digest_files(seeds_dir, (p for p in seeds_dir.rglob("*") if p.is_file())),
        models=_digest_files(project_dir, _dbt_project_files(project_dir)),
        vars=_vars_digest(project_dir),
        dbt_version=" ".join(f"{package}=={version(package)}"
                             for package in BUILD_ENGINE_PACKAGES),
        key=key,
        cld_purges=cld_purges,
        other_purges=other_purges,
        feed_loads=feed_loads,
    )


def only_new_loads(changed: list[str], stored_fingerprint: dict[str, str]) -> bool:
    """Whether a build can be incremental: a complete build before, and nothing changed but new
    loads and purges of feeds no per-file model reads."""
    return bool(stored_fingerprint) and bool(changed) and set(changed) <= INCREMENTAL_CHANGES


def stored(build_path: Path) -> dict[str, str]:
    """The fingerprint of the last complete build in this file; empty if there is none."""
    if not build_path.exists():
        return {}
    with duckdb.connect(str(build_path), read_only=True) as con:
        if not _has_table(con, "ops", "build_fingerprint"):
            return {}
        rows = con.execute(f"select component, digest from {FINGERPRINT_TABLE}").fetchall()
    return {component: digest for component, digest in rows}


def forget(build_path: Path) -> None:
    """Before a full build: if it stops half-way, the next night must rebuild too."""
    with duckdb.connect(str(build_path)) as con:
        con.execute(f"drop table if exists {FINGERPRINT_TABLE}")


def store(build_path: Path, fingerprint: Fingerprint, run_id: str) -> None:
    """After a complete build: what it was made from."""
    built_at = datetime.now(UTC).replace(tzinfo=None)
    with duckdb.connect(str(build_path)) as con:
        con.execute("create schema if not exists ops")
        con.execute(
            f"create or replace table {FINGERPRINT_TABLE} (component varchar primary key, "
            "digest varchar not null, run_id varchar not null, built_at timestamp not null)"
        )
        con.executemany(
            f"insert into {FINGERPRINT_TABLE} values (?, ?, ?, ?)",
            [(name, digest, run_id, built_at)
             for name, digest in fingerprint.components().items()],
        )
