"""Benchmark: Attio sign-in (``--oauth``) as a remote MCP client meets it, with the sign-in state in memory and
in a real ``redis-server``.

One server with ``--sandbox --oauth`` under uvicorn on a loopback port (the tests' ``hosted`` helper), the
SDK's ``OAuthClientProvider`` with a scripted browser through the sandbox's consent page (the tests'
``signed_in``). Reported, medians over ``--users`` sign-ins and ``--calls`` calls each:

1. sign-in: from the first 401 to the first ``whoami`` answer (discovery, registration, authorize, consent,
   Attio code exchange, ``/v2/self``, our token) - what a user waits besides reading the consent page;
2. ``whoami`` per call once signed in (our token looked up in the store, the grant read, the user's
   workspace leased), p50 and p99;
3. the same with three replicas behind the tests' round-robin proxy, and with the store in Redis (values
   sealed with AES-GCM) when ``redis-server`` is installed;
4. the baseline: the same ``whoami`` calls to ``--auth-token`` mode (one shared token, no sign-in).

The machine has 2 cores shared with other work: read medians, not single runs. Not a test. Rerun with:

    .venv/bin/python benchmarks/oauth_signin.py [--users 5] [--calls 200]
"""

from __future__ import annotations

import argparse
import logging
import secrets
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import anyio
import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from attio_mcp.server.app import build_server  # noqa: E402
from attio_mcp.server.http import build_http_app  # noqa: E402
from attio_mcp.server.settings import Settings  # noqa: E402
from tests.reliability.live import LiveServer, free_port  # noqa: E402
from tests.server.test_oauth import MARCUS, OLIVIA, hosted, signed_in  # noqa: E402
from tests.server.test_stateless import redis_server, replicas  # noqa: E402


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _measure(h: Any, users: int, calls: int) -> tuple[list[float], list[float]]:
    sign_ins: list[float] = []
    per_call: list[float] = []
    for i in range(users):
        start = time.perf_counter()
        async with signed_in(h, OLIVIA if i % 2 == 0 else MARCUS) as (client, _user):
            first = await client.call_tool("whoami", {})
            sign_ins.append(time.perf_counter() - start)
            assert not first.is_error, first.content
            for _ in range(calls):
                t = time.perf_counter()
                result = await client.call_tool("whoami", {})
                per_call.append(time.perf_counter() - t)
                assert not result.is_error
    return sign_ins, per_call


async def _baseline(url: str, token: str, calls: int) -> list[float]:
    """The same calls to a server with one shared bearer token (no sign-in, sessions kept in process)."""
    per_call: list[float] = []
    async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=30) as http:
        async with Client(streamable_http_client(url + "/mcp", http_client=http)) as client:
            assert not (await client.call_tool("whoami", {})).is_error
            for _ in range(calls):
                t = time.perf_counter()
                result = await client.call_tool("whoami", {})
                per_call.append(time.perf_counter() - t)
                assert not result.is_error
    return per_call


def _report(label: str, sign_ins: list[float], per_call: list[float]) -> None:
    print(
        f"{label:<28} sign-in median {statistics.median(sign_ins) * 1000:6.1f} ms "
        f"(n={len(sign_ins)}); whoami p50 {_pct(per_call, 0.5) * 1000:5.2f} ms, "
        f"p99 {_pct(per_call, 0.99) * 1000:5.2f} ms (n={len(per_call)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=5)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    logging.disable(logging.WARNING)

    token = secrets.token_hex(32)
    port = free_port()
    settings = Settings(sandbox=True, transport="http", port=port, http_auth_token=token)
    live = LiveServer(build_http_app(build_server(settings), settings), port=port, lifespan="on").start()
    try:
        base = anyio.run(_baseline, live.url, token, args.users * args.calls)
    finally:
        live.stop()
    print(
        f"{'shared token, no sign-in':<28} {'':>27} whoami p50 {_pct(base, 0.5) * 1000:5.2f} ms, "
        f"p99 {_pct(base, 0.99) * 1000:5.2f} ms (n={len(base)})"
    )
    with hosted() as h:
        _report("one server, memory store", *anyio.run(_measure, h, args.users, args.calls))
    with replicas(3) as (h, _):
        _report("3 replicas + proxy, memory", *anyio.run(_measure, h, args.users, args.calls))
    if shutil.which("redis-server") is None:
        print("redis-server not installed: Redis rows skipped")
        return
    with redis_server() as rs, hosted(redis_url=rs.url, state_key="k" * 40) as h:
        _report("one server, Redis store", *anyio.run(_measure, h, args.users, args.calls))
    with redis_server() as rs, replicas(3, redis_url=rs.url, state_key="k" * 40) as (h, _):
        _report("3 replicas + proxy, Redis", *anyio.run(_measure, h, args.users, args.calls))


if __name__ == "__main__":
    main()
