"""Benchmark: the ``search`` and ``fetch`` tools end to end, as an agent sees them.

In one process: a seeded sandbox (``create_app()``), the real server (``build_server``) reaching it over
``httpx.ASGITransport`` with its index file in a temporary directory, and an in-memory ``mcp.Client``.

1. the first ``search``: the index is built then (crawl of the demo workspace, WordLlama load, embedding);
2. warm ``search`` calls over a few queries (records search + index), median and p90;
3. warm ``fetch`` of a note, a comment thread and a whole transcript, median;
4. a second server on the same file with ``index_refresh_seconds=0``: the first search re-syncs and embeds
   nothing (the index is reused across restarts).

Also the sandbox requests one search makes. The machine has 2 cores and other work may be running: medians
only. Not a test. Rerun with:

    .venv/bin/python benchmarks/search_tool.py [--calls 40]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections import Counter
from typing import Any

import anyio
import httpx
from mcp import Client

from attio_mcp.sandbox import create_app
from attio_mcp.server.app import build_server
from attio_mcp.server.settings import Settings

QUERIES = [
    "pricing discount for a longer contract",
    "the CFO's concerns at Acme",
    "Globx",
    "who is preparing the quarterly business review",
    "security review",
    "legal redlines on liability",
]


class Counting(httpx.AsyncBaseTransport):
    def __init__(self, app: Any) -> None:
        self.inner = httpx.ASGITransport(app=app)
        self.seen: Counter[str] = Counter()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen[request.url.path] += 1
        return await self.inner.handle_async_request(request)


async def _timed(client: Client, name: str, args: dict[str, Any]) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    result = await client.call_tool(name, args)
    elapsed = (time.perf_counter() - started) * 1000
    if result.is_error:
        raise RuntimeError(result.content[0].text)  # type: ignore[union-attr]
    return elapsed, json.loads(result.content[0].text)  # type: ignore[union-attr]


async def main(calls: int) -> None:
    app = create_app()
    store = app.state.sandbox
    with tempfile.TemporaryDirectory() as folder:
        wire = Counting(app)
        server = build_server(Settings(sandbox=True, index_dir=folder), transport=wire)
        async with Client(server) as client:
            first, out = await _timed(client, "search", {"query": QUERIES[0]})
            print(f"first search (builds the index): {first:,.0f} ms; {out['index']}")
            print(f"  sandbox requests of the build: {sum(wire.seen.values())}")
            wire.seen.clear()
            times = []
            for i in range(calls):
                elapsed, _ = await _timed(client, "search", {"query": QUERIES[i % len(QUERIES)]})
                times.append(elapsed)
            times.sort()
            print(
                f"warm search: median {statistics.median(times):.1f} ms, p90 {times[int(len(times) * 0.9)]:.1f} ms "
                f"over {calls} calls; sandbox requests per call {sum(wire.seen.values()) / calls:.1f}"
            )
            note = next(iter(store.notes))
            comment = next(iter(store.comments))
            recording = next(iter(store.call_recordings.values()))["id"]
            ids = {
                "note": f"note:{note}",
                "comment": f"comment:{comment}",
                "transcript": f"transcript:{recording['meeting_id']}:{recording['call_recording_id']}",
            }
            for kind, ident in ids.items():
                spent = []
                for _ in range(max(5, calls // 4)):
                    elapsed, fetched = await _timed(client, "fetch", {"id": ident})
                    spent.append(elapsed)
                print(
                    f"fetch {kind}: median {statistics.median(spent):.1f} ms, {len(fetched['text']):,} characters"
                )
        files = list(__import__("pathlib").Path(folder).glob("*.sqlite3"))
        size = sum(f.stat().st_size for f in files)
        print(f"index file: {size / 1e6:.2f} MB")
        server = build_server(
            Settings(sandbox=True, index_dir=folder, index_refresh_seconds=0), transport=wire
        )
        async with Client(server) as client:
            again, out = await _timed(client, "search", {"query": QUERIES[1]})
            print(f"after a restart, first search (re-sync, reused file): {again:,.0f} ms; {out['index']}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=40)
    anyio.run(main, parser.parse_args().calls)
