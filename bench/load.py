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
from collections.abc import Sequence
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
    warm_up: bool = True,
) -> Measured:
    """POST ``body`` as JSON over ``concurrency`` keep-alive connections for ``seconds``,
    after an uncounted two-second run unless ``warm_up`` is false."""
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
    if warm_up:
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
    dsn: str,
    sql: str,
    args: tuple[object, ...],
    *,
    concurrency: int,
    seconds: int,
    warm_up: bool = True,
) -> Measured:
    """asyncpg running ``sql`` (prepared) on ``concurrency`` connections for ``seconds``,
    after an uncounted two-second run unless ``warm_up`` is false."""
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

        if warm_up:
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


def median_of(samples: Sequence[Measured]) -> Measured:
    """One figure for several runs of the same measurement: the median of each of its
    numbers (taken separately), and the requests and errors of all the runs.

    This machine's neighbours come and go: one five-second run of the same code gave a
    ranking p50 from 1.5 to 2.1 times the floor's. The runs of a repetition are taken
    in turn across the servers, so that a slow spell weighs on all of them alike."""
    if not samples:
        raise ValueError("no samples")
    return Measured(
        rps=statistics.median(s.rps for s in samples),
        p50_ms=statistics.median(s.p50_ms for s in samples),
        p99_ms=statistics.median(s.p99_ms for s in samples),
        requests=sum(s.requests for s in samples),
        errors=sum(s.errors for s in samples),
    )
