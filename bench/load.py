"""One load generator for every server: wrk over loopback HTTP, asyncpg for the floor.

Each run is bounded in time and stops by itself; a warm-up run before it is not counted.
"""

from __future__ import annotations

import asyncio
import json
import re
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import asyncpg


@dataclass(frozen=True)
class Measured:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    match = re.match(r"([\d.]+)(us|ms|s|m)$", text.strip())
    if match is None:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def wrk(
    url: str,
    body: dict[str, object],
    *,
    concurrency: int,
    seconds: int,
    headers: dict[str, str] | None = None,
) -> Measured:
    """POST ``body`` as JSON over ``concurrency`` keep-alive connections for ``seconds``."""
    lines = [
        'wrk.method = "POST"',
        f"wrk.body = {json.dumps(json.dumps(body))}",
        'wrk.headers["Content-Type"] = "application/json"',
        *(f'wrk.headers["{k}"] = {json.dumps(v)}' for k, v in (headers or {}).items()),
    ]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write("\n".join(lines) + "\n")
    threads = max(1, min(2, concurrency))
    command = [
        "wrk",
        "-t",
        str(threads),
        "-c",
        str(concurrency),
        "-d",
        f"{seconds}s",
        "--latency",
        "-s",
        script.name,
        url,
    ]
    # Warm-up, not counted.
    subprocess.run(
        [*command[:5], "-d", "2s", *command[7:]],
        capture_output=True,
        check=False,
        timeout=seconds + 60,
    )
    out = subprocess.run(
        command, capture_output=True, text=True, check=True, timeout=seconds + 60
    ).stdout
    Path(script.name).unlink()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return Measured(rps, p50, p99, requests, int(non_2xx.group(1)) if non_2xx else 0)


async def floor(
    dsn: str, sql: str, args: tuple[object, ...], *, concurrency: int, seconds: int
) -> Measured:
    """asyncpg running ``sql`` (prepared) on ``concurrency`` connections for ``seconds``."""
    pool = await asyncpg.create_pool(dsn, min_size=concurrency, max_size=concurrency)
    latencies: list[float] = []
    try:

        async def worker(until: float, record: bool) -> None:
            async with pool.acquire() as conn:
                statement = await conn.prepare(sql)
                while time.perf_counter() < until:
                    started = time.perf_counter()
                    await statement.fetch(*args)
                    if record:
                        latencies.append((time.perf_counter() - started) * 1000)

        warm = time.perf_counter() + 2
        await asyncio.gather(*(worker(warm, False) for _ in range(concurrency)))
        started = time.perf_counter()
        await asyncio.gather(*(worker(started + seconds, True) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    finally:
        await pool.close()
    latencies.sort()
    return Measured(
        rps=len(latencies) / elapsed,
        p50_ms=statistics.median(latencies),
        p99_ms=latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        requests=len(latencies),
        errors=0,
    )
