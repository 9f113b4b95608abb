"""A real PostgreSQL server for tests, from Debian's `postgresql` package (`make test` installs it).

`postgres_server` (session fixture) runs `initdb` and `pg_ctl` in a temporary folder, on a free
loopback port, as the `postgres` system user when the tests run as root (initdb refuses root), and
stops it at the end. `postgres_url` (per test) is a fresh, empty database on it. Reusable by any
feature that keeps data in PostgreSQL.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from tests.delivery_servers import free_port

INSTALL_HINT = "install Debian's PostgreSQL server: `apt-get install -y postgresql` (`make test` does it)"
USER = "test"


def postgres_bin() -> Path:
    """The newest installed PostgreSQL's binaries; fails saying how to get them."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if not found:
        pytest.fail(f"PostgreSQL is not installed: {INSTALL_HINT}", pytrace=False)
    return found[-1].parent


@dataclass(frozen=True)
class PostgresServer:
    port: int
    folder: Path

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        name = f"test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def _as_postgres(command: list[str]) -> list[str]:
    # initdb refuses to run as root; CI and these machines run tests as root.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _run(command: list[str]) -> None:
    done = subprocess.run(_as_postgres(command), capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        pytest.fail(f"{' '.join(command[:1])} failed ({done.returncode}):\n{done.stdout}{done.stderr}", pytrace=False)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    binaries = postgres_bin()
    folder = Path(tempfile.mkdtemp(prefix="pg-test-"))
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    port = free_port()
    _run([str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", USER, "--no-sync", "-E", "UTF8"])
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    _run([str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start"])
    try:
        yield PostgresServer(port, folder)
    finally:
        subprocess.run(
            _as_postgres([str(binaries / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
            capture_output=True, timeout=120,
        )
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    return postgres_server.new_database()
