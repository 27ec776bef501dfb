"""Replicas benchmark (#19): N replicas behind the round-robin proxy, one sandbox served with Attio's limits.

Starts real processes (``tests/replicas/cluster.py``): the sandbox with Attio's rate limits (100 reads/s,
25 writes/s in one-second windows, 429 beyond), a redis-server, the replicas (``attio-mcp --transport http
--redis-url ...``) and the proxy. SDK MCP clients call through the proxy. Prints figures; asserts nothing.

1. Writes, Redis on: ``--clients`` clients call ``notes_create`` in a loop for ``--seconds``. Counted at
   the sandbox ("Attio"): writes arriving per second (429s included) and served per second, the 429s it
   answered; at the clients: calls that failed with RATE_LIMIT (a 429 reaching the agent) or otherwise.
   Throughput is served writes/s as a share of Attio's 25/s.
2. The same with Redis off: each replica paces only itself, so together they send up to N x 25 writes/s.
3. Reads: ``records_get`` calls/s and p50/p99 latency, one replica vs N, with Attio's read limit off and
   the replicas' own read limit raised (``ATTIO_READS_PER_SECOND``), so the figures are the servers' and
   the proxy's, not the limiter's. On a shared 2-core machine more replicas share the same two cores.

    .venv/bin/python benchmarks/replicas.py [--replicas 3] [--clients 30] [--seconds 20]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # tests.replicas holds the cluster harness and the proxy
    sys.path.insert(0, str(ROOT))

from _common import machine  # noqa: E402

from tests.replicas.clients import mcp_client, text_of  # noqa: E402
from tests.replicas.cluster import Cluster, cluster  # noqa: E402

ATTIO_WRITES_PER_SECOND = 25.0
WARMUP_SECONDS = 3.0


@dataclass
class Outcomes:
    latencies: list[float] = field(default_factory=list)
    results: Counter[str] = field(default_factory=Counter)  # ok, RATE_LIMIT, other codes, exceptions


async def _ids(team: Cluster, count: int) -> list[str]:
    async with mcp_client(team.mcp_url) as (client, _):
        page = await client.call_tool("records_search", {"resource_type": "companies", "limit": count})
    return [r["id"] for r in page.structured_content["records"]]


async def _load(
    team: Cluster, clients: int, seconds: float, call: Any
) -> tuple[Outcomes, dict[str, int], float]:
    """``clients`` loops of ``call(client, n, i)`` for warm-up + ``seconds``; the sandbox's counts and
    the clients' outcomes are those of the measured ``seconds`` only."""
    out = Outcomes()
    phase = {"measuring": False, "stop": False}

    async def loop(n: int) -> None:
        async with mcp_client(team.mcp_url) as (client, _seen):
            i = 0
            while not phase["stop"]:
                started = time.perf_counter()
                try:
                    result = await call(client, n, i)
                    outcome = "ok" if not result.is_error else text_of(result).split(":", 1)[0]
                except Exception as exc:  # noqa: BLE001 - counted, like an agent would see it
                    outcome = type(exc).__name__
                if phase["measuring"]:
                    out.latencies.append(time.perf_counter() - started)
                    out.results[outcome] += 1
                i += 1

    async with anyio.create_task_group() as tg:
        for n in range(clients):
            tg.start_soon(loop, n)
        await anyio.sleep(WARMUP_SECONDS)
        team.sandbox_stats(reset=True)
        phase["measuring"] = True
        began = time.perf_counter()
        await anyio.sleep(seconds)
        stats = team.sandbox_stats()
        elapsed = time.perf_counter() - began
        phase["measuring"] = False
        phase["stop"] = True
    return out, stats, elapsed


async def writes(team: Cluster, clients: int, seconds: float) -> tuple[Outcomes, dict[str, int], float]:
    ids = await _ids(team, 10)

    async def note(client: Any, n: int, i: int) -> Any:
        return await client.call_tool(
            "notes_create",
            {
                "parent_object": "companies",
                "parent_record_id": ids[n % len(ids)],
                "title": f"benchmark {n}-{i}",
                "content": "replicas benchmark",
            },
        )

    return await _load(team, clients, seconds, note)


async def reads(team: Cluster, clients: int, seconds: float) -> tuple[Outcomes, dict[str, int], float]:
    ids = await _ids(team, 10)

    async def get(client: Any, n: int, i: int) -> Any:
        return await client.call_tool(
            "records_get", {"resource_type": "companies", "record_id": ids[(n + i) % len(ids)]}
        )

    return await _load(team, clients, seconds, get)


def _pct(samples: list[float], q: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def report_writes(title: str, out: Outcomes, stats: dict[str, int], elapsed: float) -> None:
    arrived = stats["writes"] / elapsed
    served = (stats["writes"] - stats["writes_429"]) / elapsed
    rate_limited = out.results.get("RATE_LIMIT", 0)
    others = {k: v for k, v in out.results.items() if k not in ("ok", "RATE_LIMIT")}
    print(f"\n{title}")
    print(
        f"  writes arriving at Attio:   {arrived:6.1f}/s (most in any one second: "
        f"{stats['max_writes_arriving_per_second']})"
    )
    print(
        f"  writes served by Attio:     {served:6.1f}/s = {100 * served / ATTIO_WRITES_PER_SECOND:.0f}% of 25/s"
    )
    print(f"  429s Attio answered:        {stats['writes_429']} ({stats['writes_429'] / elapsed:.1f}/s)")
    print(f"  429s reaching an agent:     {rate_limited} of {sum(out.results.values())} calls")
    print(f"  other failed calls:         {sum(others.values())} {others or ''}")
    print(
        f"  call latency p50/p99:       {_pct(out.latencies, 0.5):.0f} / {_pct(out.latencies, 0.99):.0f} ms"
    )


def report_reads(title: str, out: Outcomes, elapsed: float) -> None:
    ok = out.results.get("ok", 0)
    failed = sum(out.results.values()) - ok
    print(
        f"  {title:<12} {ok / elapsed:7.1f} calls/s   p50 {_pct(out.latencies, 0.5):5.0f} ms   "
        f"p99 {_pct(out.latencies, 0.99):5.0f} ms   failed {failed}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=3)
    parser.add_argument("--clients", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--skip-reads", action="store_true")
    parser.add_argument(
        "--writes-per-second",
        type=float,
        help="the replicas' write limit (ATTIO_WRITES_PER_SECOND; default: the server's own, 25)",
    )
    parser.add_argument("--no-redis-off", action="store_true", help="skip the run with Redis off")
    args = parser.parse_args()
    print(
        f"replicas benchmark: {args.replicas} replicas, {args.clients} clients, {args.seconds:.0f} s measured "
        f"after {WARMUP_SECONDS:.0f} s warm-up; {machine()}"
    )
    pace = {} if args.writes_per_second is None else {"ATTIO_WRITES_PER_SECOND": str(args.writes_per_second)}
    for redis in (True,) if args.no_redis_off else (True, False):
        with cluster(args.replicas, redis=redis, replica_env=pace) as team:
            out, stats, elapsed = anyio.run(writes, team, args.clients, args.seconds)
        label = "Redis on (one limiter for all replicas)" if redis else "Redis off (a limiter per replica)"
        report_writes(f"writes (notes_create), {label}:", out, stats, elapsed)
    if args.skip_reads:
        return
    print("\nreads (records_get), Attio's read limit off, replicas' own read limit 10,000/s:")
    fast = {"ATTIO_READS_PER_SECOND": "10000"}
    for count in (1, args.replicas):
        with cluster(count, redis=True, rate_limit=False, replica_env=fast) as team:
            out, _stats, elapsed = anyio.run(reads, team, args.clients, args.seconds)
        report_reads(f"{count} replica{'s' if count > 1 else ''}", out, elapsed)
    print(f"\nload after the run: {machine()}")


if __name__ == "__main__":
    main()
