"""Start and stop the servers under test: the hub as users start it, and PostGraphile."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
HUB = ROOT / ".venv" / "bin" / "hub"


@dataclass
class Server:
    name: str
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def peak_rss_mb(self) -> float:
        """Peak resident memory so far (VmHWM), in MiB, of the process and every process
        it started (the workers of a hub with ``HUB_WORKERS`` > 1), summed."""
        peaks = [_peak_kib(pid) for pid in process_family(self.process.pid)]
        found = [peak for peak in peaks if peak is not None]
        return sum(found) / 1024 if found else float("nan")

    def rss_mb(self) -> float:
        """Resident memory now (VmRSS), in MiB, of the process and its workers, summed."""
        found = [
            kib for pid in process_family(self.process.pid) if (kib := _status_kib(pid, "VmRSS"))
        ]
        return sum(found) / 1024 if found else float("nan")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()


def process_family(pid: int) -> list[int]:
    """The process and its descendants, from /proc."""
    found = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return found
    for child in children:
        found.extend(process_family(int(child)))
    return found


def _status_kib(pid: int, field: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def _peak_kib(pid: int) -> int | None:
    return _status_kib(pid, "VmHWM")


def hub_workers() -> int:
    """The workers the benchmark runs the hub with: one per CPU, as the README advises
    for a server of its own (``HUB_WORKERS``)."""
    return os.cpu_count() or 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(url: str, probe: dict[str, object], seconds: int = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.post(url, json=probe, timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not come up")


def start_hub(
    database_url: str, *, cache_size: int, name: str, workdir: Path, workers: int | None = None
) -> Server:
    """``hub serve`` with ``workers`` processes (default: one per CPU, ``hub_workers``)."""
    port = free_port()
    log = workdir / f"{name}.log"
    env = dict(
        os.environ,
        HUB_DATABASE_URL=database_url,
        HUB_HOST="127.0.0.1",
        HUB_PORT=str(port),
        HUB_RATE_LIMIT_PER_MINUTE="0",
        HUB_RESULT_CACHE_SIZE=str(cache_size),
        HUB_GRAPHIQL="false",
        HUB_WORKERS=str(workers or hub_workers()),
    )
    process = subprocess.Popen(
        [str(HUB), "serve"], env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}/graphql"
    _wait(url, {"query": "{ __typename }"})
    return Server(name, url, process, log)


def install_postgraphile(workdir: Path) -> Path:
    """postgraphile 5 with Node 22 (the npm package node@22), in a temporary folder."""
    folder = workdir / "postgraphile"
    folder.mkdir(exist_ok=True)
    subprocess.run(["npm", "init", "-y"], cwd=folder, check=True, capture_output=True)
    subprocess.run(
        [
            "npm",
            "install",
            "--silent",
            "--no-audit",
            "--no-fund",
            "postgraphile@5",
            "@graphile/simplify-inflection@8",
            "node@22",
        ],
        cwd=folder,
        check=True,
        capture_output=True,
        timeout=900,
    )
    return folder


def start_postgraphile(folder: Path, database_url: str, workdir: Path) -> Server:
    port = free_port()
    log = workdir / "postgraphile.log"
    node = folder / "node_modules" / "node" / "bin" / "node"
    cli = folder / "node_modules" / "postgraphile" / "dist" / "cli-run.js"
    process = subprocess.Popen(
        [
            str(node),
            str(cli),
            "-P",
            "postgraphile/presets/amber,@graphile/simplify-inflection:PgSimplifyInflectionPreset",
            "-c",
            database_url,
            "-s",
            "public,bench",
            "-n",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        cwd=folder,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        env=dict(os.environ, NODE_ENV="production"),
    )
    url = f"http://127.0.0.1:{port}/graphql"
    _wait(url, {"query": "{ __typename }"})
    return Server("postgraphile", url, process, log)


def new_workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="hub-bench-"))


def remove(workdir: Path) -> None:
    shutil.rmtree(workdir, ignore_errors=True)


def python() -> str:
    return sys.executable
