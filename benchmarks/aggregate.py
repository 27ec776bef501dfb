"""Benchmark: answers computed by the server (records_aggregate, pipeline_report) vs an agent paging
records_search through the same 5,000 deals.

The sandbox holds the 35 demo deals plus generated ones (``add_pipeline_deals``: stage histories spread over
the past year), 5,000 in all, and runs under uvicorn on 127.0.0.1 with Attio's limits on
(``RateLimitConfig``: 100 reads/s, 25 writes/s, query scores). The real server (``build_server``) reaches it
over HTTP; an in-memory ``mcp.Client`` calls the tools. An ASGI wrapper in front of the sandbox logs every
request, so each way is measured by:

- wall time of its tool calls (median of ``--runs`` for the warm calls);
- API calls, 429s, and the most requests in any one second (Attio's read limit is 100);
- output: the tool results' text, as a model reads it (UTF-8 bytes of compact JSON).

Ways: (1) paging ``records_search`` (limit 100, its maximum) until ``has_more`` is false; (2)
``records_aggregate`` by stage with count, sum and average of ``deal_value``; (3) ``pipeline_report`` on deals
(default period: the last 90 days), which also reads the stage histories of the 10 moves it lists; and, for
the split, the same report without moves (the workspace call with ``moves=0``). "cold" is a fresh server's
first call (it also loads the deals schema and the members); "warm" a later one. Not a test. Rerun with:

    .venv/bin/python benchmarks/aggregate.py [--deals 5000] [--runs 3]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import anyio
from _common import machine, nbytes
from bulk_import import SandboxServer
from mcp import Client

from attio_mcp.attio import AttioClient
from attio_mcp.sandbox import DEMO_TOKEN, RateLimitConfig, create_app
from attio_mcp.sandbox._seed_pipeline import add_pipeline_deals
from attio_mcp.server.app import build_server
from attio_mcp.server.settings import Settings
from attio_mcp.workspace import Workspace
from attio_mcp.workspace.periods import parse_period
from attio_mcp.workspace.pipeline import report_pipeline

READ_LIMIT = 100


class RequestLog:
    """ASGI wrapper keeping (monotonic time, method, path, status) of every request to the sandbox."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.entries: list[tuple[float, str, str, int]] = []

    async def __call__(
        self, scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]
    ) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.monotonic()

        async def logging_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                self.entries.append((started, scope["method"], scope["path"], message["status"]))
            await send(message)

        await self.app(scope, receive, logging_send)


@dataclass
class Run:
    seconds: float
    calls: int
    pages: int
    histories: int
    throttled: int
    busiest_second: int
    output: int


def _busiest_second(times: list[float]) -> int:
    times = sorted(times)
    best, start = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


async def _measure(log: RequestLog, work: Callable[[], Awaitable[int]]) -> Run:
    before = len(log.entries)
    started = time.perf_counter()
    output = await work()
    seconds = time.perf_counter() - started
    entries = log.entries[before:]
    return Run(
        seconds=seconds,
        calls=len(entries),
        pages=sum(1 for _, _, path, _ in entries if path.endswith("/records/query")),
        histories=sum(1 for _, _, path, _ in entries if path.endswith("/values")),
        throttled=sum(1 for *_, status in entries if status == 429),
        busiest_second=_busiest_second([t for t, *_ in entries]),
        output=output,
    )


def _text(result: Any) -> str:
    if result.is_error:
        raise RuntimeError(result.content[0].text)
    return str(result.content[0].text)


async def _tool(client: Client, name: str, args: dict[str, Any]) -> int:
    return nbytes(_text(await client.call_tool(name, args, read_timeout_seconds=300)))


async def _page_through(client: Client) -> int:
    total, offset = 0, 0
    while True:
        result = await client.call_tool(
            "records_search", {"resource_type": "deals", "limit": 100, "offset": offset}
        )
        text = _text(result)
        total += nbytes(text)
        page = result.structured_content or {}
        if not page.get("has_more"):
            return total
        offset = page["next_offset"]


def _settings(base_url: str) -> Settings:
    return Settings(api_key=DEMO_TOKEN, base_url=base_url)


async def bench(base_url: str, log: RequestLog, runs: int) -> dict[str, list[Run]]:
    out: dict[str, list[Run]] = {}
    aggregate = {
        "resource_type": "deals",
        "group_by": "stage",
        "metrics": ["sum:deal_value", "avg:deal_value"],
    }
    pipeline = {"resource_type": "deals"}
    for name, args in (("records_aggregate", aggregate), ("pipeline_report", pipeline)):
        async with Client(build_server(_settings(base_url))) as client:

            def call(
                client: Client = client, name: str = name, args: dict[str, Any] = args
            ) -> Awaitable[int]:
                return _tool(client, name, args)

            out[f"{name} cold"] = [await _measure(log, call)]
            out[f"{name} warm"] = [await _measure(log, call) for _ in range(runs)]
    async with Client(build_server(_settings(base_url))) as client:
        await client.call_tool(
            "records_search", {"resource_type": "deals", "limit": 1}
        )  # schema, as an agent would
        out["paging records_search"] = [
            await _measure(log, lambda: _page_through(client)) for _ in range(runs)
        ]
    async with AttioClient(api_key=DEMO_TOKEN, base_url=base_url) as attio:
        d = Workspace.connect(attio)
        schema = await d.object("deals")
        await d.members()
        now = datetime.now(UTC)

        async def without_moves() -> int:
            report = await report_pipeline(
                d, schema, stage_name=None, period=parse_period(None, now), now=now, moves=0
            )
            return nbytes(report.model_dump(mode="json", exclude_none=True))

        out["pipeline, no moves (warm)"] = [await _measure(log, without_moves) for _ in range(runs)]
    return out


def main(argv: list[str] | None = None) -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deals", type=int, default=5000, help="deals in the sandbox (default 5000)")
    parser.add_argument("--runs", type=int, default=3, help="warm runs per way (default 3)")
    args = parser.parse_args(argv)

    app = create_app(rate_limit=RateLimitConfig(100, 25))
    store = app.state.sandbox
    started = time.perf_counter()
    total = add_pipeline_deals(store, args.deals - 35)
    print(f"sandbox: {total:,} deals ({time.perf_counter() - started:.1f} s to generate); {machine()}")
    log = RequestLog(app)
    server = SandboxServer(log)
    base_url = server.start()
    try:
        print(f"served on {base_url} with RateLimitConfig(100 reads/s, 25 writes/s, query scores)\n")
        results = anyio.run(bench, base_url, log, args.runs)
    finally:
        server.stop()

    paging = statistics.median(r.output for r in results["paging records_search"])
    header = f"{'way':<28}{'wall s':>8}{'API calls':>11}{'pages':>7}{'histories':>11}{'429s':>6}{'max/s':>7}{'output B':>10}{'vs paging':>11}"
    print(header)
    for way, runs in results.items():
        wall = statistics.median(r.seconds for r in runs)
        first = runs[0]
        share = f"{first.output / paging:.2%}"
        print(
            f"{way:<28}{wall:>8.2f}{first.calls:>11}{first.pages:>7}{first.histories:>11}"
            f"{max(r.throttled for r in runs):>6}{max(r.busiest_second for r in runs):>7}{first.output:>10,}{share:>11}"
        )
    print(
        f"\nread limit: {READ_LIMIT}/s; every way stays under it when the busiest second is <= {READ_LIMIT} and "
        "no request drew a 429."
    )


if __name__ == "__main__":
    main()
