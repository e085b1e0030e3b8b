"""Start a throwaway PostgreSQL cluster for the test run (Debian's server binaries).

The server refuses to run as root, so as root every server command runs as the
``postgres`` user through ``runuser``. The cluster lives in a temporary folder on a
free loopback port, with durability off (it is thrown away), and is removed at exit.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries, or the cluster would not start."""


@dataclass
class PrivatePostgres:
    bindir: Path
    datadir: Path
    port: int
    run_as: str | None
    version: str
    options: str = ""

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        _run(self, "pg_ctl", "-D", str(self.datadir), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.datadir.parent, ignore_errors=True)

    def pause(self) -> None:
        """Stop the server, keeping its data (a database outage). A clean stop: this
        throwaway cluster runs without synchronous commits, so a crash would lose its
        latest commits, which no production server would."""
        _run(self, "pg_ctl", "-D", str(self.datadir), "-m", "fast", "-w", "stop")

    def resume(self) -> None:
        """Start the server again on the same port and data."""
        _run(
            self,
            "pg_ctl",
            "-D",
            str(self.datadir),
            "-o",
            self.options,
            "-l",
            str(self.datadir.parent / "server.log"),
            "-w",
            "-t",
            "60",
            "start",
        )


def _bindir() -> Path:
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parent.parent.name),
    )
    if candidates:
        return Path(candidates[-1]).parent
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    raise PostgresUnavailable(
        "no PostgreSQL server found (install Debian's postgresql package, or set "
        "HUB_TEST_POSTGRES_URL)"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(server: PrivatePostgres, tool: str, *args: str, check: bool = True) -> str:
    command = [str(server.bindir / tool), *args]
    if server.run_as:
        command = ["runuser", "-u", server.run_as, "--", *command]
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
    if check and done.returncode != 0:
        raise PostgresUnavailable(f"{tool} failed: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


def start_private_postgres() -> PrivatePostgres:
    bindir = _bindir()
    run_as = "postgres" if os.geteuid() == 0 else None
    base = Path(tempfile.mkdtemp(prefix="hub-test-pg-"))
    datadir = base / "data"
    if run_as:
        account = pwd.getpwnam(run_as)
        os.chown(base, account.pw_uid, account.pw_gid)
    server = PrivatePostgres(bindir, datadir, _free_port(), run_as, version="")
    _run(
        server,
        "initdb",
        "-D",
        str(datadir),
        "-A",
        "trust",
        "-U",
        "postgres",
        "-E",
        "UTF8",
        "--no-locale",
        "--no-sync",
    )
    options = (
        f"-p {server.port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )
    server.options = options
    _run(
        server,
        "pg_ctl",
        "-D",
        str(datadir),
        "-o",
        options,
        "-l",
        str(base / "server.log"),
        "-w",
        "-t",
        "60",
        "start",
    )
    server.version = _run(server, "postgres", "--version").strip()
    return server
