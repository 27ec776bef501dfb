"""Benchmark: N replica processes sharing one Attio token, with the rate limiter in Redis and without.

Starts a real ``redis-server`` (no persistence, free loopback port) and the sandbox under uvicorn on
127.0.0.1 with Attio's limits enforced (``RateLimitConfig(100, 25)``: a fixed one-second window per class,
429 with a ``Retry-After`` HTTP date past it). Then, for each mode, spawns ``--replicas`` processes (default 3),
each an ``AttioClient`` with ``--callers`` concurrent tasks (default 30) sending writes (notes on one seeded
person) or reads (``GET /v2/objects``) as fast as their limiter lets them for ``--seconds`` (default 10):

- ``redis``: every replica's client gets a ``RedisLimiter`` for the token (one shared bucket, shared pauses);
- ``local``: each replica keeps its own in-process buckets (what three processes did before #19).

Prints, per mode: calls that succeeded per second, all replicas together, between the go and the callers'
deadline, as a share of Attio's ceiling; the most that succeeded in any one second; the 429s the sandbox
answered; and the calls that failed with a 429 after the client's retries (what an agent would see). Not a test. Rerun with:

    .venv/bin/python benchmarks/limiter_replicas.py [--kind write|read] [--replicas 3] [--callers 30] [--seconds 10]
"""

from __future__ import annotations

import argparse
import bisect
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from bulk_import import Counting, SandboxServer  # noqa: E402

from attio_mcp.attio import AttioClient, AttioError, Limiter, RateLimitError  # noqa: E402
from attio_mcp.attio._http import BURST  # noqa: E402
from attio_mcp.sandbox import DEMO_TOKEN, RateLimitConfig, create_app  # noqa: E402
from attio_mcp.state import SHARED_RATE_SHARE, RedisHealth, RedisLimiter  # noqa: E402
from attio_mcp.state.connection import connect  # noqa: E402

CEILINGS = {"write": 25.0, "read": 100.0}


class Timed429s(Counting):
    """``Counting`` that also notes when (monotonic) each 429 was answered."""

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.refused_at: list[float] = []

    async def __call__(
        self, scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]
    ) -> None:
        async def noting_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start" and message["status"] == 429:
                self.refused_at.append(time.monotonic())
            await send(message)

        await super().__call__(scope, receive, noting_send)


# -- one replica (a child process) --------------------------------------------------------------------


async def replica(
    base_url: str, redis_url: str | None, kind: str, callers: int, seconds: float, record: str, share: float
) -> None:
    client = connect(redis_url) if redis_url else None
    limiter: Limiter | None = None
    if client is not None:
        limiter = RedisLimiter(
            client,
            DEMO_TOKEN,
            reads_per_second=100 * share,
            writes_per_second=25 * share,
            burst=BURST,
            health=RedisHealth("bench"),
        )
    done: list[float] = []  # CLOCK_MONOTONIC is one clock for every process on the machine
    failed_429 = failed_other = 0
    async with AttioClient(api_key=DEMO_TOKEN, base_url=base_url, limiter=limiter) as attio:
        print("ready", flush=True)
        sys.stdin.readline()  # the parent says go to every replica at once
        deadline = time.monotonic() + seconds

        async def caller() -> None:
            nonlocal failed_429, failed_other
            while time.monotonic() < deadline:
                try:
                    if kind == "write":
                        await attio.create_note(
                            parent_object="people", parent_record_id=record, title="bench", content="x"
                        )
                    else:
                        await attio.list_objects()
                    done.append(time.monotonic())
                except RateLimitError:
                    failed_429 += 1
                except AttioError:
                    failed_other += 1

        async with anyio.create_task_group() as tg:
            for _ in range(callers):
                tg.start_soon(caller)
    if client is not None:
        await client.aclose()
    print(json.dumps({"done": done, "failed_429": failed_429, "failed_other": failed_other}), flush=True)


# -- the parent ------------------------------------------------------------------------------------------


def run_mode(
    mode: str, base_url: str, redis_url: str, counter: Timed429s, args: argparse.Namespace, record: str
) -> dict[str, Any]:
    command = [
        sys.executable, __file__, "--as-replica", base_url, redis_url if mode == "redis" else "",
        "--kind", args.kind, "--callers", str(args.callers), "--seconds", str(args.seconds), "--record", record,
        "--share", str(args.share),
    ]  # fmt: skip
    procs = [
        subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
        for _ in range(args.replicas)
    ]
    for proc in procs:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    counter.counts.clear()
    counter.refused_at.clear()
    started = time.monotonic()
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    results = [
        json.loads(proc.communicate(timeout=args.seconds + 120)[0].strip().splitlines()[-1]) for proc in procs
    ]
    counts = dict(counter.counts)
    stamps = sorted(t - started for r in results for t in r["done"])
    # The measured window: from the go to the callers' deadline (calls still queued after it are left out).
    in_window = [t for t in stamps if t <= args.seconds]
    peak = max((bisect.bisect_right(stamps, t + 1.0) - i for i, t in enumerate(stamps)), default=0)
    return {
        "mode": mode,
        "succeeded_per_s": round(len(in_window) / args.seconds, 2),
        "of_ceiling": round(len(in_window) / args.seconds / CEILINGS[args.kind], 3),
        "peak_in_any_1s": peak,
        "sandbox_429s": counts.get(f"{args.kind}_429", 0),
        "first_429s_at_s": [round(t - started, 2) for t in counter.refused_at[:5]],
        "agent_429s": sum(r["failed_429"] for r in results),
        "other_errors": sum(r["failed_other"] for r in results),
        "calls_done": len(stamps),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kind", choices=("write", "read"), default="write")
    parser.add_argument("--replicas", type=int, default=3)
    parser.add_argument("--callers", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--modes", default="redis,local")
    parser.add_argument("--as-replica", nargs=2, metavar=("BASE_URL", "REDIS_URL"), help=argparse.SUPPRESS)
    parser.add_argument("--record", default="", help=argparse.SUPPRESS)
    parser.add_argument(
        "--share",
        type=float,
        default=SHARED_RATE_SHARE,
        help=f"the shared limiter's rate as a share of Attio's (default {SHARED_RATE_SHARE}, the server's)",
    )
    args = parser.parse_args()
    if args.as_replica:
        base_url, redis_url = args.as_replica
        anyio.run(
            replica,
            base_url,
            redis_url or None,
            args.kind,
            args.callers,
            args.seconds,
            args.record,
            args.share,
        )
        return

    from tests.redis_server import RedisServer

    redis = RedisServer()
    redis.start()
    counter = Timed429s(create_app(rate_limit=RateLimitConfig(100, 25)))
    sandbox = SandboxServer(counter)
    base_url = sandbox.start()
    try:

        async def first_person() -> str:
            async with AttioClient(api_key=DEMO_TOKEN, base_url=base_url) as attio:
                return str((await attio.query_records("people", limit=1))[0].record_id)

        record = anyio.run(first_person)
        print(
            f"{args.replicas} replicas x {args.callers} callers, {args.kind}s for {args.seconds:.0f} s; sandbox with "
            f"RateLimitConfig(100 reads/s, 25 writes/s); {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}"
        )
        for mode in args.modes.split(","):
            time.sleep(1.5)  # let the sandbox's window and any pause from the last mode run out
            print(json.dumps(run_mode(mode, base_url, redis.url, counter, args, record)), flush=True)
    finally:
        sandbox.stop()
        redis.close()


if __name__ == "__main__":
    main()
