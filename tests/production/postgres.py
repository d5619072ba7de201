"""A throwaway PostgreSQL cluster from Debian's ``postgresql`` package, for the production test."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

USER = "airflow"
PASSWORD = "airflow-test"
DATABASE = "airflow"


def postgres_bin_dir() -> Path | None:
    """Where initdb and pg_ctl are: on PATH, else Debian's /usr/lib/postgresql/<major>/bin."""
    initdb = shutil.which("initdb")
    if initdb:
        # A link on PATH (some images link only initdb and pg_ctl): the real folder has them all.
        return Path(initdb).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(candidates[-1]).parent if candidates else None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Cluster:
    bin_dir: Path
    root: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql+psycopg2://{USER}:{PASSWORD}@127.0.0.1:{self.port}/{DATABASE}"

    def _run(self, *command: str) -> None:
        # PostgreSQL refuses to run as root: run its tools as the postgres account then.
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        completed = subprocess.run([*prefix, *command], capture_output=True, text=True,
                                   check=False)
        if completed.returncode != 0:
            raise RuntimeError(f"{' '.join(command[:1])} failed ({completed.returncode}): "
                               f"{completed.stderr.strip()[-2000:]}")

    def start(self) -> None:
        data, password_file = self.root / "data", self.root / "password"
        password_file.write_text(PASSWORD + "\n", encoding="utf-8")
        if os.geteuid() == 0:
            # Written under the pipeline's umask (027): root's file, unreadable by postgres.
            shutil.chown(password_file, user="postgres", group="postgres")
        self._run(str(self.bin_dir / "initdb"), "-D", str(data), "-U", USER,
                  "--auth=scram-sha-256", f"--pwfile={password_file}", "-E", "UTF8")
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
        self._run(str(self.bin_dir / "pg_ctl"), "-D", str(data), "-o", options,
                  "-l", str(self.root / "postgres.log"), "-w", "start")
        subprocess.run(
            [str(self.bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
             "-U", USER, DATABASE],
            check=True, capture_output=True, env={**os.environ, "PGPASSWORD": PASSWORD},
        )

    def stop(self) -> None:
        self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.root / "data"), "-m", "fast",
                  "-w", "stop")


def make_cluster(bin_dir: Path) -> Cluster:
    """A cluster folder the postgres account can write (pytest's tmp_path is private to root)."""
    root = Path(tempfile.mkdtemp(prefix="asc-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, user="postgres", group="postgres")
    return Cluster(bin_dir=bin_dir, root=root, port=free_port())
