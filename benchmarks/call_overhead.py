"""Benchmark: what the MCP layer adds to one ``records_get`` call, over the raw HTTP request it makes.

In one process: a seeded sandbox (``create_app()``), the real server (``build_server``, default settings)
reaching it over ``httpx.ASGITransport``, and an in-memory ``mcp.Client``. Three ways to read the same
company record, interleaved (so drift and background load hit all of them alike), after a warm-up that
fills the schema cache:

1. raw: ``GET /v2/objects/companies/records/{id}`` with httpx over the same ASGI transport;
2. client: ``AttioClient.get_record`` (rate limiter, retry policy, response model);
3. tool: ``records_get`` through ``mcp.Client`` (JSON-RPC over memory streams, argument validation,
   schema cache lookup, flattening, JSON text + structured content, client-side result parsing).

Overhead = median(tool) - median(raw). Iterations are paced (~80/s) so the client's 100 reads/s limiter
never waits; an ASGI counter confirms how many sandbox requests each tool call makes. This is the MCP layer
alone: no HTTP, no JSON over a socket.

``--http`` adds what a remote client sees: ``attio-mcp --sandbox --transport http`` as a subprocess on
127.0.0.1 (loopback only) and one unloaded ``mcp.Client`` over streamable HTTP calling ``records_get`` and
``records_search`` (limit 10), against the same raw requests to an in-process sandbox; it also reports the
server process's CPU time per call (``/proc/<pid>/stat``). The machine has 2 cores and other work may be
running: medians only. Not a test. Rerun with:

    .venv/bin/python benchmarks/call_overhead.py [--calls 300] [--http]
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import statistics
import subprocess
import sys
import time
from typing import Any

import anyio
import httpx
import httpx2
from _common import machine
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from attio_mcp.sandbox import DEMO_TOKEN, create_app
from attio_mcp.server.app import SANDBOX_BASE_URL, build_server, make_client_factory
from attio_mcp.server.settings import Settings

GOAL_MS = 2.0
PACE_S = 0.0125


class Counting:
    """ASGI wrapper counting HTTP requests."""

    def __init__(self, app: Any) -> None:
        self.app, self.count = app, 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.count += 1
        await self.app(scope, receive, send)


def ms(samples: list[float]) -> str:
    q = statistics.quantiles(samples, n=10)
    return f"median {statistics.median(samples) * 1000:6.3f} ms   p10 {q[0] * 1000:6.3f}   p90 {q[-1] * 1000:6.3f}"


async def run(calls: int) -> None:
    app = Counting(create_app())
    transport = httpx.ASGITransport(app=app)
    settings = Settings(sandbox=True)
    server = build_server(settings, transport=transport)
    headers = {"Authorization": f"Bearer {DEMO_TOKEN}"}
    async with (
        httpx.AsyncClient(transport=transport, base_url=SANDBOX_BASE_URL, headers=headers) as http,
        make_client_factory(settings, transport)() as attio,
        Client(server) as client,
    ):
        page = (await http.post("/v2/objects/companies/records/query", json={"limit": 1})).json()
        rid = page["data"][0]["id"]["record_id"]
        path = f"/v2/objects/companies/records/{rid}"
        args = {"resource_type": "companies", "record_id": rid}

        async def raw() -> None:
            (await http.get(path)).raise_for_status()

        async def via_client() -> None:
            await attio.get_record("companies", rid)

        async def tool() -> None:
            result = await client.call_tool("records_get", args)
            assert not result.is_error, result.content

        cases = {"raw": raw, "client": via_client, "tool": tool}
        for fn in cases.values():  # warm-up: schema cache, first-call code paths
            for _ in range(5):
                await fn()
                await anyio.sleep(PACE_S)
        samples: dict[str, list[float]] = {k: [] for k in cases}
        before = app.count
        for i in range(calls):
            order = list(cases.items()) if i % 2 == 0 else list(reversed(cases.items()))
            for key, fn in order:
                started = time.perf_counter()
                await fn()
                samples[key].append(time.perf_counter() - started)
            await anyio.sleep(PACE_S)
        per_call = (app.count - before) / calls - 2  # minus the raw and client requests

    print(
        f"# Call overhead: records_get (companies) vs the raw request, in-process sandbox, {calls} calls each"
    )
    print(f"# {machine()}")
    print(f"raw httpx GET (ASGI):         {ms(samples['raw'])}")
    print(f"AttioClient.get_record:       {ms(samples['client'])}")
    print(f"records_get via mcp.Client:   {ms(samples['tool'])}   [{per_call:g} sandbox request(s) per call]")
    overhead = (statistics.median(samples["tool"]) - statistics.median(samples["raw"])) * 1000
    client_part = (statistics.median(samples["client"]) - statistics.median(samples["raw"])) * 1000
    print(f"overhead tool - raw: {overhead:.3f} ms (of which AttioClient - raw: {client_part:.3f} ms)")
    print(f"goal <= {GOAL_MS:g} ms: {'meets' if overhead <= GOAL_MS else 'MISSES'}")


def _cpu_seconds(pid: int) -> float:
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


async def run_http(calls: int) -> None:
    """One MCP client over streamable HTTP to a server subprocess, against raw requests to a sandbox."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATTIO_")}
    env.update(ATTIO_READS_PER_SECOND="1000", ATTIO_MCP_LOG_LEVEL="WARNING")
    argv = [sys.executable, "-m", "attio_mcp", "--sandbox", "--transport", "http", "--port", str(port)]
    proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    transport = httpx.ASGITransport(app=create_app())
    headers = {"Authorization": f"Bearer {DEMO_TOKEN}"}
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise SystemExit("server did not start") from None
                time.sleep(0.1)
        async with (
            httpx.AsyncClient(transport=transport, base_url=SANDBOX_BASE_URL, headers=headers) as http,
            httpx2.AsyncClient(timeout=30) as h2,
            Client(streamable_http_client(f"http://127.0.0.1:{port}/mcp", http_client=h2)) as client,
        ):
            page = (await http.post("/v2/objects/companies/records/query", json={"limit": 1})).json()
            rid = page["data"][0]["id"]["record_id"]
            cases: dict[str, tuple[Any, Any]] = {
                "records_get": (
                    lambda: http.get(f"/v2/objects/companies/records/{rid}"),
                    lambda: client.call_tool("records_get", {"resource_type": "companies", "record_id": rid}),
                ),
                "records_search": (
                    lambda: http.post("/v2/objects/companies/records/query", json={"limit": 11}),
                    lambda: client.call_tool("records_search", {"resource_type": "companies", "limit": 10}),
                ),
            }
            print(
                f"# Through streamable HTTP: one unloaded client, {calls} calls each, server as a subprocess"
            )
            print(f"# {machine()}")
            for name, (raw, tool) in cases.items():
                for _ in range(5):
                    await raw()
                    await tool()
                raw_s: list[float] = []
                tool_s: list[float] = []
                cpu = 0.0
                for _ in range(calls):
                    started = time.perf_counter()
                    (await raw()).raise_for_status()
                    raw_s.append(time.perf_counter() - started)
                    before = _cpu_seconds(proc.pid)
                    started = time.perf_counter()
                    result = await tool()
                    tool_s.append(time.perf_counter() - started)
                    await anyio.sleep(PACE_S)
                    cpu += _cpu_seconds(proc.pid) - before
                    assert not result.is_error, result.content
                extra = (statistics.median(tool_s) - statistics.median(raw_s)) * 1000
                print(f"{name:15s} raw (in-process sandbox): {ms(raw_s)}")
                print(f"{name:15s} via HTTP + MCP:            {ms(tool_s)}")
                print(
                    f"{name:15s} added by MCP over HTTP: {extra:.1f} ms; server CPU {cpu / calls * 1000:.1f} ms/call"
                )
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--http", action="store_true", help="also measure through streamable HTTP")
    args = parser.parse_args()
    logging.disable(logging.INFO)  # httpx logs every request at INFO
    anyio.run(run, args.calls)
    if args.http:
        anyio.run(run_http, args.calls)


if __name__ == "__main__":
    main()
