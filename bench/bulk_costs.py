"""``make bench-bulk``: where the time of a 10,000-figure submission goes, on PostgreSQL.

``make bench`` gives one rate per concurrency; this takes a batch apart, on a private
PostgreSQL holding the synthetic national data set:

1. **Per batch**, one submission at a time to a hub with one worker (after a warm-up):
   the wall time, the hub's CPU, PostgreSQL's CPU (every process of the private
   cluster, those that ended included) and the time the whole machine was busy, all
   read from ``/proc``.
   Then, on a hub with the usual workers, two submissions at once: the rate.
   Each way of serving the table (as served; ``--without-trigger``: the reference
   trigger disabled; ``--without-index``: some indexes dropped) takes its turns in
   alternation with the others, so that a noisy neighbour moves them all.
2. **Per index**, the last batch's rows copied into a copy of ``observations`` (its
   other rows in it), each ``COPY`` rolled back: with no index, then with each index of
   the table alone, alternating with none so that a noisy neighbour moves both, then
   with all of them. The reference trigger is not on the copy; it is measured by the
   first part's figures with and without it.

Prints both as tables. Bounded: a fixed number of batches and repeats; loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import (  # noqa: E402
    bulk_bodies,
    concurrent_rate,
    create_token,
    generated_database,
    submit_batch,
)
from bench.servers import hub_workers, new_workdir, process_family, remove, start_hub  # noqa: E402
from tests.support.postgres import start_private_postgres  # noqa: E402

TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")
COPY_TABLE = "bulk_costs_copy"
REFERENCE_TRIGGER = "observations_references_after_insert"


def cpu_ms(stat: str) -> float:
    """CPU time, in ms, in the text of ``/proc/<pid>/stat``: the process's user and
    system time and those of the children it has waited for (a cluster's ended
    backends, a server's ended workers)."""
    # The name (field 2) is in parentheses and may hold spaces or parentheses itself:
    # the fields after it start at the state (field 3); utime..cstime are 14..17.
    after_name = stat.rsplit(")", 1)[1].split()
    return sum(int(field) for field in after_name[11:15]) * 1000 / TICKS_PER_SECOND


def machine_busy_ms(proc_stat: str) -> float:
    """The time all CPUs were busy since boot, in ms, from ``/proc/stat``'s first line:
    every state but idle and iowait."""
    name, *fields = proc_stat.splitlines()[0].split()
    if name != "cpu":
        raise ValueError(f"not /proc/stat's summary line: {name!r}")
    ticks = [int(field) for field in fields]
    return (sum(ticks) - ticks[3] - ticks[4]) * 1000 / TICKS_PER_SECOND


def family_cpu_ms(pid: int) -> float:
    """CPU time of a process and of all its descendants, in ms."""
    total = 0.0
    for member in process_family(pid):
        # One that ended meanwhile is counted by its parent, once the parent has waited.
        with contextlib.suppress(OSError):
            total += cpu_ms(Path(f"/proc/{member}/stat").read_text())
    return total


def index_on_copy(definition: str, index: str) -> str:
    """An index's definition (``pg_indexes.indexdef`` of ``observations``) made for
    the table's copy, under a name of its own."""
    head = f"INDEX {index} ON public.observations "
    if head not in definition:
        raise ValueError(f"not a definition of {index} on observations: {definition}")
    return definition.replace(head, f"INDEX c_{index} ON public.{COPY_TABLE} ")


@dataclass(frozen=True)
class Way:
    """A way of serving the table for a turn of submissions."""

    label: str
    trigger: str
    """``ENABLE`` or ``DISABLE``: the reference trigger of ``observations``."""
    dropped: tuple[str, ...] = ()
    """Indexes of ``observations`` absent for the turn."""


def ways_of_serving(without_trigger: bool, without_indexes: Sequence[str]) -> list[Way]:
    """As served first, then each way asked for."""
    ways = [Way("as served", "ENABLE")]
    if without_trigger:
        ways.append(Way("reference trigger disabled", "DISABLE"))
    if without_indexes:
        dropped = tuple(dict.fromkeys(without_indexes))
        ways.append(Way(f"without {', '.join(dropped)}", "ENABLE", dropped))
    return ways


def serving_statements(way: Way, definitions: dict[str, str], present: set[str]) -> list[str]:
    """What makes ``observations`` served as ``way`` asks, from the indexes ``present``
    now: the trigger switched, its dropped indexes dropped, the others (``definitions``,
    as ``pg_indexes`` gives them) built again where an earlier turn dropped them."""
    unknown = sorted(set(way.dropped) - set(definitions))
    if unknown:
        raise ValueError(f"no such index on observations: {', '.join(unknown)}")
    statements = [f"ALTER TABLE observations {way.trigger} TRIGGER {REFERENCE_TRIGGER}"]
    for index, definition in definitions.items():
        if index in way.dropped and index in present:
            statements.append(f"DROP INDEX {index}")
        elif index not in way.dropped and index not in present:
            statements.append(definition)
    return statements


@dataclass(frozen=True)
class BatchCost:
    """One batch's costs, in ms."""

    wall_ms: float
    hub_cpu_ms: float
    postgres_cpu_ms: float
    machine_busy_ms: float


@dataclass(frozen=True)
class BatchCosts:
    """The medians of measured batches, in ms per batch."""

    batches: int
    wall_ms: float
    hub_cpu_ms: float
    postgres_cpu_ms: float
    machine_busy_ms: float

    @classmethod
    def of(cls, batches: Sequence[BatchCost]) -> BatchCosts:
        def median(field: Callable[[BatchCost], float]) -> float:
            return statistics.median(field(batch) for batch in batches)

        return cls(
            len(batches),
            median(lambda b: b.wall_ms),
            median(lambda b: b.hub_cpu_ms),
            median(lambda b: b.postgres_cpu_ms),
            median(lambda b: b.machine_busy_ms),
        )

    @property
    def rate(self) -> float:
        """Observations per second, one batch after another."""
        return 10_000 / (self.wall_ms / 1000)


@dataclass(frozen=True)
class IndexCost:
    """What one index adds to the ``COPY`` of a batch (ms): the median of the
    differences between alternating runs with and without it, and each of them."""

    index: str
    definition: str
    added_ms: float
    differences: tuple[float, ...]


def batch_costs(
    url: str, token: str, bodies: Sequence[bytes], hub_pid: int, postmaster_pid: int
) -> list[BatchCost]:
    """Submit ``bodies`` one after another; each batch's costs."""
    costs = []
    with httpx.Client(timeout=300) as client:
        for body in bodies:
            before = _now(hub_pid, postmaster_pid)
            submit_batch(client, url, token, body)
            after = _now(hub_pid, postmaster_pid)
            costs.append(BatchCost(*(a - b for a, b in zip(after, before, strict=True))))
    return costs


def _now(hub_pid: int, postmaster_pid: int) -> tuple[float, float, float, float]:
    return (
        time.perf_counter() * 1000,
        family_cpu_ms(hub_pid),
        family_cpu_ms(postmaster_pid),
        machine_busy_ms(Path("/proc/stat").read_text()),
    )


async def index_definitions(conn: asyncpg.Connection) -> dict[str, str]:
    """The indexes of ``observations``: name → ``CREATE INDEX`` statement, by name."""
    return {
        row["indexname"]: row["indexdef"]
        for row in await conn.fetch(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'observations' "
            "ORDER BY indexname"
        )
    }


async def serve_as(dsn: str, way: Way, definitions: dict[str, str]) -> None:
    """Switch the table to ``way`` (``serving_statements``), then refresh its statistics."""
    conn = await asyncpg.connect(dsn)
    try:
        present = set(await index_definitions(conn))
        for statement in serving_statements(way, definitions, present):
            await conn.execute(statement)
        await conn.execute("ANALYZE observations")
    finally:
        await conn.close()


async def index_costs(dsn: str, repeats: int) -> tuple[float, list[IndexCost], float]:
    """The ``COPY`` of the last submission's rows into a copy of the table, in ms:
    with no index, what each index adds, and with all of them."""
    conn = await asyncpg.connect(dsn)
    try:
        submission = await conn.fetchval("SELECT max(submission_id) FROM observations")
        columns = [
            row["attname"]
            for row in await conn.fetch(
                "SELECT attname FROM pg_attribute WHERE attrelid = 'observations'::regclass "
                "AND attnum > 0 AND NOT attisdropped ORDER BY attnum"
            )
        ]
        listed = ", ".join(f'"{column}"' for column in columns)
        rows = [
            tuple(row)
            for row in await conn.fetch(
                f"SELECT {listed} FROM observations WHERE submission_id = $1", submission
            )
        ]
        definitions = await index_definitions(conn)
        await conn.execute(f"DROP TABLE IF EXISTS {COPY_TABLE}")
        await conn.execute(f"CREATE TABLE {COPY_TABLE} (LIKE observations INCLUDING DEFAULTS)")
        await conn.execute(
            f"INSERT INTO {COPY_TABLE} SELECT * FROM observations "
            "WHERE submission_id IS DISTINCT FROM $1",
            submission,
        )
        await conn.execute(f"VACUUM ANALYZE {COPY_TABLE}")

        async def copy_ms(times: int = 3) -> float:
            taken = []
            for _ in range(times):
                transaction = conn.transaction()
                await transaction.start()
                try:
                    started = time.perf_counter()
                    await conn.copy_records_to_table(COPY_TABLE, records=rows, columns=columns)
                    taken.append((time.perf_counter() - started) * 1000)
                finally:
                    await transaction.rollback()
            return statistics.median(taken)

        async def added(create: Sequence[str], drop: Sequence[str]) -> list[float]:
            differences = []
            for _ in range(repeats):
                without = await copy_ms()
                for statement in create:
                    await conn.execute(statement)
                differences.append(await copy_ms() - without)
                for statement in drop:
                    await conn.execute(statement)
            return differences

        await copy_ms()  # warm-up: the copy's pages into the cache
        bare = statistics.median([await copy_ms() for _ in range(repeats)])
        costs = []
        for index, definition in definitions.items():
            differences = await added([index_on_copy(definition, index)], [f"DROP INDEX c_{index}"])
            costs.append(
                IndexCost(index, definition, statistics.median(differences), tuple(differences))
            )
            print(f"  {index}: +{costs[-1].added_ms:.1f} ms", flush=True)
        every = await added(
            [index_on_copy(definition, index) for index, definition in definitions.items()],
            [f"DROP INDEX c_{index}" for index in definitions],
        )
        await conn.execute(f"DROP TABLE {COPY_TABLE}")
        return bare, costs, bare + statistics.median(every)
    finally:
        await conn.close()


def batch_table(rows: Sequence[tuple[str, BatchCosts]]) -> str:
    lines = [
        "| hub | batches | wall ms | obs/s | hub CPU ms | PostgreSQL CPU ms | machine busy ms |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, c in rows:
        lines.append(
            f"| {label} | {c.batches} | {c.wall_ms:.0f} | {c.rate:,.0f} | {c.hub_cpu_ms:.0f} "
            f"| {c.postgres_cpu_ms:.0f} | {c.machine_busy_ms:.0f} |"
        )
    return "\n".join(lines)


def rates_table(rates: dict[str, list[float]]) -> str:
    lines = ["| hub | obs/s (median) | turns |", "|---|---|---|"]
    for label, turns in rates.items():
        runs = ", ".join(f"{rate:,.0f}" for rate in turns)
        lines.append(f"| {label} | {statistics.median(turns):,.0f} | {runs} |")
    return "\n".join(lines)


def index_table(bare: float, costs: Sequence[IndexCost], every: float) -> str:
    lines = [
        "| index | adds to the COPY, ms (median) | runs |",
        "|---|---|---|",
        f"| none (the COPY alone) | {bare:.1f} | |",
    ]
    for cost in sorted(costs, key=lambda c: -c.added_ms):
        runs = ", ".join(f"{d:.0f}" for d in cost.differences)
        lines.append(f"| {cost.index} | {cost.added_ms:+.1f} | {runs} |")
    lines.append(f"| all of them (the COPY with every index) | {every:.1f} | |")
    return "\n".join(lines)


def postmaster_pid(datadir: Path) -> int:
    return int((datadir / "postmaster.pid").read_text().split()[0])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batches", type=int, default=6, help="measured batches per turn")
    parser.add_argument(
        "--pairs", type=int, default=3, help="batches per client, two at once, per turn"
    )
    parser.add_argument("--repeats", type=int, default=5, help="alternations per index")
    parser.add_argument(
        "--without-trigger",
        action="store_true",
        help="also submit with the reference trigger of observations disabled, in turn",
    )
    parser.add_argument(
        "--without-index",
        action="append",
        default=[],
        metavar="NAME",
        help="also submit with this index of observations dropped, in turn (repeatable)",
    )
    parser.add_argument("--rounds", type=int, default=2, help="turns of each way of serving")
    args = parser.parse_args()
    ways = ways_of_serving(args.without_trigger, args.without_index)
    turns = [way for _ in range(args.rounds) for way in ways]
    warmup = 2 * hub_workers()
    per_turn = args.batches + 2 + warmup + 2 * args.pairs
    bodies = iter(bulk_bodies(len(turns) * per_turn))
    workdir = new_workdir()
    postgres = start_private_postgres()
    try:
        dsn = generated_database(postgres.port, "national")
        token = create_token(dsn)
        definitions = asyncio.run(_definitions(dsn))
        measured: dict[str, list[BatchCost]] = {way.label: [] for way in ways}
        two_at_once: dict[str, list[float]] = {way.label: [] for way in ways}
        for way in turns:
            print(f"== turn: {way.label}", flush=True)
            asyncio.run(serve_as(dsn, way, definitions))
            hub = start_hub(dsn, cache_size=0, name="hub-bulk", workdir=workdir, workers=1)
            try:
                batch = [next(bodies) for _ in range(args.batches + 2)]
                with httpx.Client(timeout=300) as client:
                    for body in batch[:2]:  # warm-up
                        submit_batch(client, hub.url, token, body)
                measured[way.label] += batch_costs(
                    hub.url, token, batch[2:], hub.process.pid, postmaster_pid(postgres.datadir)
                )
            finally:
                hub.stop()
            hub = start_hub(dsn, cache_size=0, name="hub-bulk-pairs", workdir=workdir)
            try:
                with httpx.Client(timeout=300) as client:
                    for _ in range(warmup):
                        submit_batch(client, hub.url, token, next(bodies))
                pairs = [[next(bodies) for _ in range(args.pairs)] for _ in range(2)]
                two_at_once[way.label].append(concurrent_rate(hub.url, token, pairs))
            finally:
                hub.stop()
        asyncio.run(serve_as(dsn, ways[0], definitions))
        print("== per batch of 10,000 new figures, one at a time (medians)", flush=True)
        print(batch_table([(label, BatchCosts.of(costs)) for label, costs in measured.items()]))
        print(f"== two at once, {hub_workers()} workers (obs/s per turn)", flush=True)
        print(rates_table(two_at_once))
        print("== the last batch's COPY into a copy of the table, index by index", flush=True)
        bare, costs, every = asyncio.run(index_costs(dsn, args.repeats))
        print(index_table(bare, costs, every))
    finally:
        postgres.stop()
        remove(workdir)
    return 0


async def _definitions(dsn: str) -> dict[str, str]:
    conn = await asyncpg.connect(dsn)
    try:
        return await index_definitions(conn)
    finally:
        await conn.close()


if __name__ == "__main__":
    raise SystemExit(main())
