"""Benchmark: records_timeline for Acme Inc against the raw Attio responses that make up the same view.

In one process: a freshly seeded sandbox, the real server (``build_server``) talking to it through an httpx
transport that records every exchange, and an in-memory ``mcp.Client``. ``records_timeline`` is called for
Acme Inc (every page, ``limit`` 100); the recorded exchanges are exactly the Attio requests the feed needs:
the record, its notes, tasks, comment threads (on the record and on each of its list entries), its
meetings and their call recordings, the value history of each status/select attribute, and the stage
history of each deal pointing at it. An agent assembling the view from the raw API needs those same
responses, so their bodies, summed, are the raw figure. Two runs:

- cold: a new server, so the schema (objects, attributes, options) and the members are fetched too;
- warm: the same server again, schema and members cached, as in any session after the first call.

Also printed: the tools/list bytes of the activity tools, from ``attio-mcp --sandbox`` over stdio with
and without ``--toolsets comments,meetings,calls,timeline`` (the difference is what they add).
Sizes are UTF-8 bytes of compact JSON; the tool figure is the result's text content (what the model reads).
Not a test. Rerun with:

    .venv/bin/python benchmarks/timeline.py [--show]
"""

from __future__ import annotations

import argparse
import logging
from collections import Counter
from typing import Any

import anyio
import httpx
from _common import StdioSession, nbytes, server_command
from mcp import Client

from attio_mcp.sandbox import create_app
from attio_mcp.server.app import build_server
from attio_mcp.server.settings import Settings

ACTIVITY = "comments,meetings,calls,timeline"
MODEL_KEYS = ("name", "description", "inputSchema")


class Tap(httpx.AsyncBaseTransport):
    """Passes requests to the sandbox and keeps (method, path, response bytes) of each."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.log: list[tuple[str, str, int]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        body = await response.aread()
        self.log.append((request.method, request.url.path, len(body)))
        return httpx.Response(response.status_code, headers=response.headers, content=body, request=request)


def kind(path: str) -> str:
    """A label for an Attio path: which part of the view it feeds."""
    parts = path.split("/")
    if "values" in parts:
        return "value history"
    if path.endswith("/transcript"):
        return "transcript"
    for word, label in (
        ("call_recordings", "call recordings"),
        ("meetings", "meetings"),
        ("threads", "comment threads"),
        ("notes", "notes"),
        ("tasks", "tasks"),
        ("entries", "record entries"),
        ("workspace_members", "members"),
        ("attributes", "schema"),
    ):
        if word in parts:
            return label
    if parts[-1] == "objects" or (len(parts) == 4 and parts[2] == "objects"):
        return "schema"
    return "records"


async def timeline_pages(client: Client, acme: str) -> tuple[list[str], int]:
    texts: list[str] = []
    cursor = None
    items = 0
    while True:
        args: dict[str, Any] = {"resource_type": "companies", "record_id": acme, "limit": 100}
        if cursor:
            args["cursor"] = cursor
        result = await client.call_tool("records_timeline", args)
        if result.is_error:
            raise RuntimeError(result.content[0].text)
        texts.append(result.content[0].text)
        data = result.structured_content or {}
        items += len(data.get("items", []))
        cursor = data.get("next_cursor")
        if not cursor:
            return texts, items


async def measure(show: bool) -> None:
    app = create_app()
    store = app.state.sandbox
    companies = store.schema.object("companies")["id"]["object_id"]
    acme = next(i for i, r in store.records[companies].items() if r.current("name")[0]["value"] == "Acme Inc")
    tap = Tap(httpx.ASGITransport(app=app))
    server = build_server(Settings(sandbox=True), transport=tap)
    async with Client(server) as client:
        for label in ("cold", "warm"):
            tap.log.clear()
            texts, items = await timeline_pages(client, acme)
            out = sum(len(t.encode()) for t in texts)
            raw = sum(size for _, _, size in tap.log)
            data_calls = [(m, p, s) for m, p, s in tap.log if kind(p) not in ("schema", "members")]
            data_raw = sum(s for _, _, s in data_calls)
            print(
                f"\n## records_timeline companies/Acme Inc, {label} cache ({len(texts)} page(s), {items} items)"
            )
            print(f"  tool result (text):         {out:>9,} B in 1 tool call")
            print(f"  raw Attio responses:        {raw:>9,} B in {len(tap.log)} HTTP calls")
            print(f"    of which activity data:   {data_raw:>9,} B in {len(data_calls)} HTTP calls")
            print(f"  result / raw (all):         {out / raw:>9.1%}")
            print(f"  result / raw (data only):   {out / data_raw:>9.1%}")
            by_kind: Counter[str] = Counter()
            bytes_by_kind: Counter[str] = Counter()
            for _, path, size in tap.log:
                by_kind[kind(path)] += 1
                bytes_by_kind[kind(path)] += size
            for name, count in sorted(by_kind.items(), key=lambda kv: -bytes_by_kind[kv[0]]):
                print(f"    {name:<18} {count:>3} calls {bytes_by_kind[name]:>9,} B")
        if show:
            print("\n" + texts[0][:3000])
        await transcript(client, tap, store)


async def transcript(client: Client, tap: Tap, store: Any) -> None:
    """The longest seeded call: every raw transcript page against the tool's pages and one query."""
    plan = max(store.transcripts.values(), key=lambda p: p["minutes"])
    recording = store.call_recordings[plan["id"]["call_recording_id"]]
    args = {
        "meeting_id": recording["id"]["meeting_id"],
        "call_recording_id": recording["id"]["call_recording_id"],
    }
    pages: list[int] = []
    tap.log.clear()
    cursor = None
    while True:
        result = await client.call_tool(
            "call_transcript_get", {**args, **({"cursor": cursor} if cursor else {})}
        )
        pages.append(len(result.content[0].text.encode()))
        cursor = (result.structured_content or {}).get("next_cursor")
        if not cursor:
            break
    raw, raw_calls = sum(size for _, _, size in tap.log), len(tap.log)
    tap.log.clear()
    found = await client.call_tool("call_transcript_get", {**args, "query": "pricing"})
    query_raw, query_calls = sum(size for _, _, size in tap.log), len(tap.log)
    matches = len((found.structured_content or {}).get("turns", []))
    print(f"\n## call_transcript_get, the longest demo call ({plan['minutes']} minutes)")
    print(f"  raw transcript pages:  {raw:>9,} B in {raw_calls} HTTP calls (word-level segments)")
    print(
        f"  tool pages:            {sum(pages):>9,} B in {len(pages)} tool calls; largest page {max(pages):,} B"
    )
    print(
        f"  query 'pricing':       {len(found.content[0].text.encode()):>9,} B, {matches} passages "
        f"(from {query_raw:,} B of raw pages in {query_calls} HTTP calls)"
    )


def footprint() -> None:
    def listed(*flags: str) -> list[dict[str, Any]]:
        with StdioSession(server_command("--sandbox", *flags)) as session:
            ident = session.initialize_and("tools/list")
            return list(session.wait_for(ident)[0]["result"]["tools"])

    every = listed()
    activity = listed("--toolsets", ACTIVITY)
    names = {t["name"] for t in activity}
    rest = [t for t in every if t["name"] not in names]
    print(f"\n## tools/list: the {len(activity)} activity tools ({ACTIVITY})")
    print(f"  {'tool':<24} {'model B':>8} {'whole B':>8}")
    for tool in activity:
        model = nbytes({k: tool[k] for k in MODEL_KEYS if k in tool})
        print(f"  {tool['name']:<24} {model:>8,} {nbytes(tool):>8,}")
    model_total = sum(nbytes({k: t[k] for k in MODEL_KEYS if k in t}) for t in activity)
    whole_added = nbytes({"tools": every}) - nbytes({"tools": rest})
    print(f"  name+description+inputSchema added: {model_total:,} B (goal <= 4,000 B)")
    print(f"  whole tools/list result added (titles, annotations, output schemas too): {whole_added:,} B")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="store_true", help="print the first page of the timeline")
    args = parser.parse_args()
    logging.disable(logging.INFO)
    print("# records_timeline vs raw Attio JSON, demo workspace (Acme Inc), compact JSON, UTF-8 bytes")
    anyio.run(measure, args.show)
    footprint()


if __name__ == "__main__":
    main()
