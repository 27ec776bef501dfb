"""Benchmark: the records_import engine vs the seed's one-row-at-a-time recipe, over real HTTP.

Starts the sandbox under uvicorn on 127.0.0.1 (a free port, in a background thread) with Attio's limits
enforced (``RateLimitConfig(100, 25)``: 100 reads/s, 25 writes/s), then, each with a fresh ``AttioClient``:

1. the engine: N new companies (default 1,000) validated, then upserted by ``domains``;
2. the seed's recipe (integration pattern 4) on M other new companies (default 200, rate extrapolated):
   search, then create or update, then sleep 100 ms, strictly sequential.

Prints rows/s, the ratio to the 25 writes/s ceiling, requests per row, 429s (counted by a small ASGI wrapper
in front of the sandbox) and wall time. Not a test; takes about a minute. Rerun with:

    .venv/bin/python benchmarks/bulk_import.py [--rows 1000] [--seed-rows 200]
"""

from __future__ import annotations

import argparse
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import anyio
import uvicorn

from attio_mcp.attio import AttioClient, AttioError
from attio_mcp.sandbox import DEMO_TOKEN, RateLimitConfig, create_app
from attio_mcp.workspace.importing import ImportRun, plan_import, workers_for
from attio_mcp.workspace.schema import SchemaCache

CEILING = 25.0
PHASE_TIMEOUT = 240.0  # seconds; each phase gives up rather than hang
INDUSTRIES = ("Technology", "Healthcare", "Finance", "Retail", "Energy")


class Counting:
    """ASGI wrapper counting requests and 429s per traffic class (read/write)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.counts: Counter[str] = Counter()

    async def __call__(
        self, scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]
    ) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path, method = scope["path"], scope["method"]
        read = method == "GET" or path.endswith(("/records/query", "/entries/query", "/records/search"))
        kind = "read" if read else "write"
        self.counts[kind] += 1

        async def counting_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start" and message["status"] == 429:
                self.counts[f"{kind}_429"] += 1
            await send(message)

        await self.app(scope, receive, counting_send)


class SandboxServer:
    """uvicorn in a daemon thread on a free loopback port; ``stop()`` (or the process exit) ends it."""

    def __init__(self, app: Any) -> None:
        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the sandbox did not start")
            time.sleep(0.05)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def make_rows(n: int, prefix: str) -> list[dict[str, Any]]:
    return [
        {
            "name": f"{prefix.title()} {i}",
            "domains": f"{prefix}-{i}.example",
            "industry": INDUSTRIES[i % len(INDUSTRIES)],
            "employee_count": 10 + i,
        }
        for i in range(n)
    ]


async def run_engine(base_url: str, counter: Counting, n: int) -> dict[str, Any]:
    with anyio.fail_after(PHASE_TIMEOUT):
        return await _run_engine(base_url, counter, n)


async def _run_engine(base_url: str, counter: Counting, n: int) -> dict[str, Any]:
    async with AttioClient(api_key=DEMO_TOKEN, base_url=base_url) as client:
        started = time.monotonic()
        schema = await SchemaCache(client).object("companies")
        plan = plan_import(schema, make_rows(n, "engine"))
        validated = time.monotonic()
        counter.counts.clear()
        run = ImportRun(plan)
        await run.execute(client, workers=workers_for(CEILING))
        finished = time.monotonic()
    written = run.created + run.updated + run.upserted
    return {
        "rows": n,
        "written": written,
        "failed": len(run.failures),
        "failed_by_code": dict(Counter(f.code for f in run.failures)),
        "created": run.created,
        "write_seconds": finished - validated,
        "total_seconds": finished - started,
        "validate_seconds": validated - started,
        "requests": counter.counts["read"] + counter.counts["write"],
        "writes": counter.counts["write"],
        "429s": counter.counts["read_429"] + counter.counts["write_429"],
    }


async def run_seed_recipe(base_url: str, counter: Counting, n: int) -> dict[str, Any]:
    with anyio.fail_after(PHASE_TIMEOUT):
        return await _run_seed_recipe(base_url, counter, n)


async def _run_seed_recipe(base_url: str, counter: Counting, n: int) -> dict[str, Any]:
    rows = make_rows(n, "seed")
    failed = 0
    async with AttioClient(api_key=DEMO_TOKEN, base_url=base_url) as client:
        counter.counts.clear()
        started = time.monotonic()
        for row in rows:
            try:
                hits = await client.search_records(row["domains"], ["companies"], limit=1)
                values = {**row, "domains": [row["domains"]]}
                if hits and hits[0].record_id:
                    await client.update_record("companies", hits[0].record_id, values)
                else:
                    await client.create_record("companies", values)
            except AttioError:
                failed += 1  # the recipe logs and continues
            await anyio.sleep(0.1)
        finished = time.monotonic()
    return {
        "rows": n,
        "written": n - failed,
        "failed": failed,
        "seconds": finished - started,
        "requests": counter.counts["read"] + counter.counts["write"],
        "429s": counter.counts["read_429"] + counter.counts["write_429"],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1000, help="rows for the engine (default 1000)")
    parser.add_argument("--seed-rows", type=int, default=200, help="rows for the seed recipe (default 200)")
    args = parser.parse_args(argv)

    counter = Counting(create_app(rate_limit=RateLimitConfig(100, 25)))
    server = SandboxServer(counter)
    base_url = server.start()
    try:
        print(f"sandbox on {base_url} with RateLimitConfig(100 reads/s, 25 writes/s)")
        ours = anyio.run(run_engine, base_url, counter, args.rows)
        seed = anyio.run(run_seed_recipe, base_url, counter, args.seed_rows)
    finally:
        server.stop()

    rate = ours["written"] / ours["write_seconds"]
    seed_rate = seed["written"] / seed["seconds"]
    failed = f"{ours['failed']} failed {ours['failed_by_code']}" if ours["failed"] else "0 failed"
    print(f"\nrecords_import engine: {ours['rows']} rows measured ({ours['written']} written, {failed})")
    print(
        f"  write phase      {ours['write_seconds']:.2f} s  ->  {rate:.2f} rows/s = {rate / CEILING:.1%} of 25/s"
    )
    print(f"  validation       {ours['validate_seconds']:.2f} s (schema fetch + {ours['rows']} rows checked)")
    print(f"  wall (total)     {ours['total_seconds']:.2f} s")
    print(f"  requests/row     {ours['requests'] / ours['rows']:.3f} ({ours['writes']} writes, write phase)")
    print(f"  429s seen        {ours['429s']} (absorbed by the client's retry loop)")
    print(f"\nseed recipe (search, create/update, 100 ms sleep, sequential): {seed['rows']} rows measured")
    print(
        f"  wall             {seed['seconds']:.2f} s  ->  {seed_rate:.2f} rows/s = {seed_rate / CEILING:.1%} of 25/s"
    )
    print(f"  requests/row     {seed['requests'] / seed['rows']:.3f}")
    print(f"  429s seen        {seed['429s']}")
    print(
        f"  extrapolated to {ours['rows']} rows: {ours['rows'] / seed_rate:.1f} s "
        f"(engine: {ours['write_seconds']:.1f} s)"
    )
    print(f"\nspeed-up: {rate / seed_rate:.2f}x rows/s")
    print("rerun: .venv/bin/python benchmarks/bulk_import.py [--rows 1000] [--seed-rows 200]")


if __name__ == "__main__":
    main()
