"""``make bench`` / ``make bench-full``: the hub against PostGraphile and the floor.

Starts a private PostgreSQL, fills it with the synthetic national data set
(``hub generate-demo``), starts the hub as users start it (once with the result
cache off, once with it on), PostGraphile v5 over the same tables, and runs the same
questions against each with one load generator (wrk; asyncpg for the floor), then
writes ``bench/results/<date>.json``, ``latest.json`` and ``latest.png`` and prints the
ratios. Loopback only; every run is bounded in time.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime
import itertools
import json
import math
import platform
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import Measured, floor, median_of, wrk  # noqa: E402
from bench.scenarios import SCENARIOS, Scenario  # noqa: E402
from bench.servers import (  # noqa: E402
    HUB,
    Server,
    hub_workers,
    install_postgraphile,
    new_workdir,
    remove,
    start_hub,
    start_postgraphile,
)
from bench.sql import FLOOR, FUNCTIONS  # noqa: E402
from tests.support.postgres import start_private_postgres  # noqa: E402

RESULTS = ROOT / "bench" / "results"
REPEATS = 3
"""Runs of each server per scenario and concurrency; the records are their medians."""


@dataclasses.dataclass
class Record:
    scenario: str
    size: str
    concurrency: int
    server: str
    cache: str
    rps: float
    p50_ms: float
    p99_ms: float
    statements_per_request: float | None
    peak_rss_mb: float | None
    note: str = ""
    samples: list[dict[str, float]] = dataclasses.field(default_factory=list)
    """Each repetition's own figures, where the record is their median."""


def machine() -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        (
            int(line.split()[1]) // 1024
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        0,
    )
    import os

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_mb": memory,
        "python": platform.python_version(),
        "postgresql": "15",
        "hub_workers": hub_workers(),
    }


async def execute(dsn: str, statement: str) -> None:
    """Run one statement on a connection of its own."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


async def create_database(server_dsn: str, name: str) -> None:
    await execute(server_dsn, f'CREATE DATABASE "{name}"')


async def apply_functions(dsn: str) -> None:
    await execute(dsn, FUNCTIONS)


async def vacuum(dsn: str) -> None:
    """``VACUUM ANALYZE`` the freshly generated data, as autovacuum would have on a
    database in service: otherwise it does so in the first minutes of the run, taking
    CPU from whichever server is being measured then, and until it has, index-only
    scans still visit the table."""
    await execute(dsn, "VACUUM ANALYZE")


def generated_database(port: int, size: str) -> str:
    """A database ``bench`` on the private server at ``port``, filled with the synthetic
    data set of ``size`` and vacuumed; its DSN."""
    server_dsn = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    asyncio.run(create_database(server_dsn, "bench"))
    dsn = f"postgresql://postgres@127.0.0.1:{port}/bench"
    print(f"== generating the synthetic {size} data set", flush=True)
    subprocess.run([str(HUB), "generate-demo", "--database-url", dsn, "--size", size], check=True)
    asyncio.run(vacuum(dsn))
    return dsn


def create_token(dsn: str) -> str:
    """A ministry token of the database at ``dsn``, made by ``hub token create``."""
    made = subprocess.run(
        [str(HUB), "token", "create", "--role", "ministry", "--label", "bench"],
        env={"HUB_DATABASE_URL": dsn, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    return made.stdout.strip().splitlines()[-1]


def statements_per_request(database_url: str) -> dict[tuple[str, str], int]:
    """Count each scenario's SQL statements through the hub in process, keyed by (scenario, cache).

    A process's first request also loads the reference data (provinces, indicators) once
    for its lifetime, so every scenario is asked once before its requests are counted:
    the count is what each request costs in a running hub. ``cold`` is counted with the
    result cache off, ``warm`` on a cache that already holds the answer.
    """
    from hub.app import create_app
    from hub.db import count_statements, create_engine
    from hub.settings import Settings

    async def count(cache: str, cache_size: int) -> dict[tuple[str, str], int]:
        url = database_url.replace("postgresql://", "postgresql+asyncpg://", 1)
        engine = create_engine(url)
        app = create_app(Settings(database_url=url, result_cache_size=cache_size), engine=engine)
        found = {}
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://bench"
        ) as client:
            for scenario in SCENARIOS:
                warm_up = await client.post("/graphql", json=scenario.hub)
                assert "errors" not in warm_up.json(), warm_up.text[:500]
                with count_statements(engine) as counter:
                    response = await client.post("/graphql", json=scenario.hub)
                    assert "errors" not in response.json(), response.text[:500]
                found[scenario.name, cache] = counter.count
        await engine.dispose()
        return found

    return asyncio.run(count("cold", 0)) | asyncio.run(count("warm", 512))


def check_answers(servers: list[Server], scenario: Scenario) -> None:
    """Every server answers the question without errors before it is timed."""
    for server in servers:
        body = scenario.postgraphile if server.name == "postgraphile" else scenario.hub
        answer = httpx.post(server.url, json=body, timeout=60).json()
        if "errors" in answer:
            raise RuntimeError(f"{server.name} fails {scenario.name}: {answer['errors'][:1]}")


BULK_PROVINCES = ("22", "01", "79", "48", "92", "31", "38", "40", "46", "56", "75", "96")
"""Provinces the bulk rounds write for: each round a new period of one of them, so every
figure of every round is a new series (the synthetic set holds no monthly figures of
the benchmark's breakdowns)."""

BULK_MUTATION = """mutation($input: SubmitObservationsInput!) { submitObservations(input: $input)
  { accepted userErrors { code } } }"""


def bulk_bodies(count: int) -> list[bytes]:
    """``count`` request bodies of 10,000 new figures each, encoded before any clock
    starts: a client's JSON encoder is not the hub's cost (2.5 MB, ~60 ms here)."""
    combos = list(
        itertools.product(
            (None, "PROVINCE", "DISTRICT", "COMMUNE", "VILLAGE", "PROVINCE_AND_DISTRICT"),
            (
                None,
                "LEADERS",
                "CIVIL_SERVANTS",
                "UNIT_HEADS",
                "IT_STAFF",
                "TEACHERS",
                "TEACHERS_AND_PARENTS",
                "STUDENTS",
                "CITIZENS",
                "WORKING_AGE_CITIZENS",
                "ENTERPRISES",
                "WORKERS",
            ),
            (None, "DOMESTIC", "IN_PROVINCE_FOREIGN_EXPERTS", "ABROAD", "ONLINE"),
            (
                None,
                "AGRICULTURE",
                "INDUSTRY_TRADE",
                "CONSTRUCTION",
                "EDUCATION",
                "INFORMATION_TECHNOLOGY",
                "STATE",
            ),
            range(2016, 2025),
        )
    )[:10_000]
    names = ("level", "audience", "training_mode", "sector")
    if count > 12 * len(BULK_PROVINCES):
        raise ValueError("more rounds than new periods")
    bodies = []
    for r in range(count):
        province, month = BULK_PROVINCES[r % len(BULK_PROVINCES)], 1 + r // len(BULK_PROVINCES)
        batch = [
            {
                "indicator": "training.people_trained",
                "year": year,
                "period": f"{year}-{month:02d}",
                "value": float(i),
                "dimensions": [
                    {"name": n, "value": v} for n, v in zip(names, dims, strict=True) if v
                ],
            }
            for i, (*dims, year) in enumerate(combos)
        ]
        variables = {"input": {"province": province, "observations": batch}}
        bodies.append(json.dumps({"query": BULK_MUTATION, "variables": variables}).encode())
    return bodies


def submit_batch(
    client: httpx.Client, url: str, token: str, body: bytes, *, close: bool = False
) -> None:
    """Send one of ``bulk_bodies``; raise unless all its 10,000 figures were accepted.
    ``close``: on a connection of its own, closed after the answer."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    if close:
        headers["Connection"] = "close"
    answer = client.post(url, content=body, headers=headers).json()
    if not answer.get("data"):
        raise RuntimeError(f"bulk submission failed: {answer.get('errors')}")
    result = answer["data"]["submitObservations"]
    if result["userErrors"] or result["accepted"] != 10_000:
        raise RuntimeError(f"bulk submission refused: {result['userErrors'][:3]}")


def concurrent_rate(url: str, token: str, clients: Sequence[Sequence[bytes]]) -> float:
    """Figures stored per second by one thread per client, each sending its
    ``bulk_bodies`` one after another, all starting together: every figure over the
    wall time.

    A connection per submission, as a province's tool sends one now and then: a
    kept-alive connection stays with the worker that accepted it, and two clients whose
    connections landed on one worker would leave the other idle. But one HTTP client
    per thread, made before the clock starts: making an ``httpx.Client`` loads a TLS
    context, ~30 ms of CPU taken from the two cores the hub and PostgreSQL share."""
    failures: list[BaseException] = []
    sessions = [
        httpx.Client(timeout=300, limits=httpx.Limits(max_keepalive_connections=0)) for _ in clients
    ]

    def send(session: httpx.Client, batches: Sequence[bytes]) -> None:
        try:
            for body in batches:
                submit_batch(session, url, token, body, close=True)
        except BaseException as error:  # re-raised below, in the caller's thread
            failures.append(error)

    threads = [
        threading.Thread(target=send, args=(session, batches))
        for session, batches in zip(sessions, clients, strict=True)
    ]
    try:
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    finally:
        for session in sessions:
            session.close()
    if failures:
        raise failures[0]
    return sum(len(batches) for batches in clients) * 10_000 / elapsed


@dataclasses.dataclass(frozen=True)
class BulkRates:
    """Observations per second of 10,000-figure submissions."""

    by_concurrency: dict[int, float]
    """The hub's, by the number of submissions in flight at once."""
    copy: float
    """``COPY`` of 10,000 rows into a copy of the table: the floor."""


def bulk_submission(
    hub: Server, token: str, dsn: str, concurrencies: Sequence[int] = (1, 2), rounds: int = 8
) -> BulkRates:
    """Observations per second: the hub's submitObservations vs COPY into the table.

    Warm-up first (each worker's first large request compiles and allocates what later
    ones reuse), then at each concurrency ``rounds`` submissions per client, every one
    of new figures; the rate is all the figures stored over the wall time."""
    warmup = 2 * hub_workers()
    bodies = iter(bulk_bodies(warmup + sum(c * rounds for c in concurrencies)))
    with httpx.Client(timeout=300) as client:
        for _ in range(warmup):
            submit_batch(client, hub.url, token, next(bodies))
    rates = {
        concurrency: concurrent_rate(
            hub.url, token, [[next(bodies) for _ in range(rounds)] for _ in range(concurrency)]
        )
        for concurrency in concurrencies
    }

    async def copy_rate() -> float:
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute("CREATE TEMP TABLE copied (LIKE observations INCLUDING DEFAULTS)")
            columns = [
                "id",
                "series_key",
                "revision",
                "indicator_code",
                "province_code",
                "year",
                "period",
                "value",
                "dimension_key",
                "flag",
                "status",
                "is_current",
                "recorded_at",
                "updated_at",
            ]
            now = datetime.datetime.now(datetime.UTC)
            records = [
                (
                    i,
                    f"k{i}",
                    1,
                    "training.people_trained",
                    "22",
                    2024,
                    "2024",
                    float(i),
                    "",
                    "FINAL",
                    "APPROVED",
                    True,
                    now,
                    now,
                )
                for i in range(10_000)
            ]
            started = time.perf_counter()
            await conn.copy_records_to_table("copied", records=records, columns=columns)
            return 10_000 / (time.perf_counter() - started)
        finally:
            await conn.close()

    return BulkRates(by_concurrency=rates, copy=asyncio.run(copy_rate()))


def csv_export(hub: Server, dsn: str) -> tuple[float, float, float, float]:
    """Rows per second of /export/observations.csv vs COPY ... TO STDOUT, and the hub's
    resident memory before and at its peak during the export."""
    base = hub.url.removesuffix("/graphql")
    rss: list[float] = []
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            rss.append(hub.rss_mb())
            time.sleep(0.05)

    before = hub.rss_mb()
    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    rows = 0
    started = time.perf_counter()
    # Rows are counted as the COPY sink below counts them (newlines per chunk): splitting
    # lines in Python here would measure this client, not the server.
    with httpx.stream("GET", f"{base}/export/observations.csv", timeout=600) as response:
        for chunk in response.iter_raw():
            rows += chunk.count(b"\n")
    hub_rate = (rows - 1) / (time.perf_counter() - started)
    done.set()
    watcher.join()

    async def copy_rate() -> float:
        conn = await asyncpg.connect(dsn)
        try:
            count = 0

            async def sink(chunk: bytes) -> None:
                nonlocal count
                count += chunk.count(b"\n")

            started = time.perf_counter()
            await conn.copy_from_query(
                "SELECT o.*, i.name, p.name FROM observations o JOIN indicators i ON "
                "i.code = o.indicator_code JOIN provinces p ON p.code = o.province_code "
                "WHERE o.is_current ORDER BY o.id",
                output=sink,
                format="csv",
            )
            return count / (time.perf_counter() - started)
        finally:
            await conn.close()

    return hub_rate, asyncio.run(copy_rate()), before, max(rss or [before])


@dataclasses.dataclass
class Repeated:
    """One scenario at one concurrency, every server measured ``repeats`` times in turn."""

    scenario: Scenario
    size: str
    concurrency: int
    servers: tuple[tuple[Server, str], ...]
    """Each server with its cache (``cold`` or ``warm``)."""
    by_server: dict[str, list[Measured]]
    """Each server's runs (the floor under ``floor``), in order."""

    def records(self, counts: dict[tuple[str, str], int]) -> list[Record]:
        found = []
        for server, cache in self.servers:
            runs = self.by_server[server.name]
            found.append(
                _record(
                    self.scenario.name,
                    self.size,
                    self.concurrency,
                    server,
                    cache,
                    median_of(runs),
                    counts.get((self.scenario.name, cache))
                    if server.name != "postgraphile"
                    else None,
                    runs,
                )
            )
        runs = self.by_server["floor"]
        middle = median_of(runs)
        found.append(
            Record(
                self.scenario.name,
                self.size,
                self.concurrency,
                "floor",
                "cold",
                middle.rps,
                middle.p50_ms,
                middle.p99_ms,
                1,
                None,
                samples=_samples(runs),
            )
        )
        return found


def measure(
    scenario: Scenario,
    size: str,
    concurrency: int,
    seconds: int,
    repeats: int,
    servers: tuple[Server, Server, Server],
    dsn: str,
) -> Repeated:
    """The hub cold, the hub warm, PostGraphile and the floor, one after the other,
    ``repeats`` times (only the first run of each warmed up): their medians are the
    records, so that a noisy neighbour during one run does not decide a ratio."""
    cold, warm, postgraphile = servers
    by_server: dict[str, list[Measured]] = {}
    for repetition in range(repeats):
        for server in servers:
            body = scenario.postgraphile if server is postgraphile else scenario.hub
            measured = wrk(
                server.url,
                body,
                concurrency=concurrency,
                seconds=seconds,
                warm_up=repetition == 0,
            )
            by_server.setdefault(server.name, []).append(measured)
            _print(scenario.name, concurrency, server.name, repetition, measured)
        measured = asyncio.run(
            floor(
                dsn,
                FLOOR[scenario.floor_sql],
                scenario.floor_args,
                concurrency=concurrency,
                seconds=seconds,
                warm_up=repetition == 0,
            )
        )
        by_server.setdefault("floor", []).append(measured)
        _print(scenario.name, concurrency, "floor", repetition, measured)
    return Repeated(
        scenario,
        size,
        concurrency,
        ((cold, "cold"), (warm, "warm"), (postgraphile, "cold")),
        by_server,
    )


def _print(scenario: str, concurrency: int, server: str, repetition: int, m: Measured) -> None:
    print(
        f"{scenario:10} c={concurrency:<3} {server:13} #{repetition + 1} {m.rps:9.1f} req/s  "
        f"p50 {m.p50_ms:7.2f} ms  p99 {m.p99_ms:7.2f} ms",
        flush=True,
    )


def _samples(runs: Sequence[Measured]) -> list[dict[str, float]]:
    return [{"rps": m.rps, "p50_ms": m.p50_ms, "p99_ms": m.p99_ms} for m in runs]


def run(size: str, concurrencies: list[int], seconds: int, repeats: int) -> list[Record]:
    workdir = new_workdir()
    postgres = start_private_postgres()
    servers: list[Server] = []
    records: list[Record] = []
    try:
        dsn = generated_database(postgres.port, size)
        asyncio.run(apply_functions(dsn))
        counts = statements_per_request(dsn)
        token = create_token(dsn)
        print("== installing PostGraphile 5 and Node 22 (npm, temporary folder)", flush=True)
        postgraphile = start_postgraphile(install_postgraphile(workdir), dsn, workdir)
        cold = start_hub(dsn, cache_size=0, name="hub-cold", workdir=workdir)
        warm = start_hub(dsn, cache_size=512, name="hub-warm", workdir=workdir)
        servers = [postgraphile, cold, warm]
        for scenario in SCENARIOS:
            check_answers(servers, scenario)
            for concurrency in concurrencies:
                records += measure(
                    scenario, size, concurrency, seconds, repeats, (cold, warm, postgraphile), dsn
                ).records(counts)
        bulk = bulk_submission(cold, token, dsn)
        for concurrency, rate in bulk.by_concurrency.items():
            records.append(
                Record(
                    "bulk_submission_10k",
                    size,
                    concurrency,
                    "hub",
                    "cold",
                    rate,
                    math.nan,
                    math.nan,
                    None,
                    cold.peak_rss_mb(),
                    "observations per second, new figures",
                )
            )
        records.append(
            Record(
                "bulk_submission_10k",
                size,
                1,
                "floor",
                "cold",
                bulk.copy,
                math.nan,
                math.nan,
                1,
                None,
                "COPY, observations per second",
            )
        )
        print(
            "bulk submission: "
            + ", ".join(f"hub c={c} {r:,.0f} obs/s" for c, r in bulk.by_concurrency.items())
            + f", COPY {bulk.copy:,.0f} obs/s"
        )
        hub_rows, copy_rows, rss_before, rss_peak = csv_export(cold, dsn)
        records.append(
            Record(
                "csv_export",
                size,
                1,
                "hub",
                "cold",
                hub_rows,
                math.nan,
                math.nan,
                None,
                rss_peak,
                f"rows per second; RSS {rss_before:.0f} MiB before the export",
            )
        )
        records.append(
            Record(
                "csv_export",
                size,
                1,
                "floor",
                "cold",
                copy_rows,
                math.nan,
                math.nan,
                1,
                None,
                "COPY TO STDOUT, rows per second",
            )
        )
        print(
            f"CSV export: hub {hub_rows:,.0f} rows/s, COPY {copy_rows:,.0f} rows/s, "
            f"hub RSS {rss_before:.0f} → {rss_peak:.0f} MiB"
        )
    finally:
        for server in servers:
            server.stop()
        postgres.stop()
        remove(workdir)
    return records


def _record(
    scenario: str,
    size: str,
    concurrency: int,
    server: Server,
    cache: str,
    m: Measured,
    statements: int | None,
    runs: Sequence[Measured] = (),
) -> Record:
    name = "postgraphile" if server.name == "postgraphile" else "hub"
    note = f"{m.errors} non-2xx" if m.errors else ""
    return Record(
        scenario,
        size,
        concurrency,
        name,
        cache,
        m.rps,
        m.p50_ms,
        m.p99_ms,
        statements,
        server.peak_rss_mb() if name == "hub" else None,
        note,
        _samples(runs),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--full", action="store_true", help="more concurrencies, the deep set")
    args = parser.parse_args()
    concurrencies = [1, 8, 32] if args.full else [8]
    seconds = 15 if args.full else 6
    records = run("national", concurrencies, seconds, REPEATS)
    if args.full:
        records += [r for r in run("deep", [8], seconds, 1) if r.scenario == "csv_export"]
    from bench.report import chart, goals_table, ratios, write

    write(records, machine())
    print(ratios(records))
    print()
    print(goals_table(records))
    chart(records)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
