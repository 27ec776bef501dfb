"""Benchmark: bytes of tool results next to the raw Attio JSON for the same records, on the demo workspace.

In one process: a freshly seeded sandbox (``attio_mcp.sandbox.create_app()``), the real server
(``build_server``) talking to it over ``httpx.ASGITransport``, and an in-memory ``mcp.Client``. For each case
the tool is called through the client and the same records are fetched straight from the sandbox with
httpx over the same ASGI transport (raw Attio v2 JSON, as the API returns it):

- ``records_search`` companies, limit 10  vs  POST /v2/objects/companies/records/query {"limit": 10};
- ``records_get`` of the first of those    vs  GET  /v2/objects/companies/records/{id};
- ``list_entries_get`` <list>, limit 20    vs  POST /v2/lists/<list>/entries/query {"limit": 20}
  (also shown: plus the parent records the tool reads for their names, one records query with ``$in``).

Sizes are UTF-8 bytes: the raw figure is the response body exactly as the sandbox sends it (compact JSON,
like Attio). "text" is the tool result's text content (what most clients give the model), "structured"
its structuredContent. A check then confirms nothing an agent needs was dropped: every attribute with a
current value in the raw JSON is present in the tool output, and multi-valued ones keep every value.
Not a test. Rerun with:

    .venv/bin/python benchmarks/output_size.py [--list active_deals] [--show]
"""

from __future__ import annotations

import argparse
import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any

import anyio
import httpx
from _common import compact, nbytes
from mcp import Client

from attio_mcp.sandbox import DEMO_TOKEN, create_app
from attio_mcp.server.app import SANDBOX_BASE_URL, build_server
from attio_mcp.server.settings import Settings

GOAL = 0.10
UUID = re.compile(r'"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"')
STAMP = re.compile(r'"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z"')
WEB_URL = re.compile(r'"web_url":"[^"]*",?')
SYSTEM_SLUGS = {"record_id", "created_at", "created_by"}  # shown as top-level keys, or by design not at all


def current(items: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [i for i in items or () if i.get("active_until") is None]


def missing(raw_values: Mapping[str, Any], flat: Mapping[str, Any]) -> list[str]:
    """Attributes whose current values did not all reach the flattened output."""
    problems = []
    for slug, items in raw_values.items():
        if slug in SYSTEM_SLUGS:
            continue
        live = current(items)
        if not live:
            continue
        got = flat.get(slug)
        if got is None:
            problems.append(f"{slug}: {len(live)} value(s) dropped")
        elif len(live) > 1 and (not isinstance(got, list) or len(got) != len(live)):
            problems.append(f"{slug}: {len(live)} values -> {got!r}")
    return problems


class Bench:
    def __init__(self, client: Client, http: httpx.AsyncClient) -> None:
        self.client, self.http = client, http
        self.rows: list[tuple[str, int, int, int, str]] = []
        self.texts: dict[str, str] = {}
        self.problems: list[str] = []

    async def tool(self, name: str, args: dict[str, Any]) -> tuple[dict[str, Any], int, int]:
        result = await self.client.call_tool(name, args)
        text = result.content[0].text if result.content else ""
        if result.is_error:
            raise RuntimeError(f"{name} failed: {text}")
        structured = result.structured_content or {}
        self.texts[name] = text
        return structured, len(text.encode()), nbytes(structured)

    async def raw(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[Any, int]:
        """The parsed response body and its size in bytes as sent."""
        response = await self.http.request(method, path, json=body)
        response.raise_for_status()
        return response.json(), len(response.content)

    def add(self, case: str, text: int, structured: int, raw_bytes: int, raw_label: str) -> None:
        self.rows.append((case, text, structured, raw_bytes, raw_label))


async def run(list_slug: str, show: bool) -> Bench:
    app = create_app()
    server = build_server(Settings(sandbox=True), transport=httpx.ASGITransport(app=app))
    headers = {"Authorization": f"Bearer {DEMO_TOKEN}"}
    async with (
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=SANDBOX_BASE_URL, headers=headers
        ) as http,
        Client(server) as client,
    ):
        b = Bench(client, http)

        out, text, structured = await b.tool("records_search", {"resource_type": "companies", "limit": 10})
        raw, size = await b.raw("POST", "/v2/objects/companies/records/query", {"limit": 10})
        b.add("records_search companies limit 10", text, structured, size, "records/query limit 10")
        for rec, flat in zip(raw["data"], out["records"], strict=True):
            b.problems += [f"records_search {flat['id']}: {p}" for p in missing(rec["values"], flat)]
        if show:
            print("records_search (first record):", compact(out["records"][0]))

        rid = out["records"][0]["id"]
        out, text, structured = await b.tool("records_get", {"resource_type": "companies", "record_id": rid})
        raw, size = await b.raw("GET", f"/v2/objects/companies/records/{rid}")
        b.add("records_get companies", text, structured, size, "GET records/{id}")
        b.problems += [f"records_get: {p}" for p in missing(raw["data"]["values"], out)]
        if show:
            print("records_get:", compact(out))

        out, text, structured = await b.tool("list_entries_get", {"list_id": list_slug, "limit": 20})
        raw, size = await b.raw("POST", f"/v2/lists/{list_slug}/entries/query", {"limit": 20})
        b.add(f"list_entries_get {list_slug} limit 20", text, structured, size, "entries/query limit 20")
        by_object: dict[str, list[str]] = {}
        for entry in raw["data"]:
            by_object.setdefault(entry["parent_object"], []).append(entry["parent_record_id"])
        parent_bytes = 0
        for obj, ids in by_object.items():
            query = {"filter": {"record_id": {"$in": ids}}, "limit": len(ids)}
            parent_bytes += (await b.raw("POST", f"/v2/objects/{obj}/records/query", query))[1]
        b.add("  same, vs entries + parent records", text, structured, size + parent_bytes, "+ parents query")
        for entry, flat in zip(raw["data"], out["entries"], strict=True):
            b.problems += [
                f"list_entries_get {flat['entry_id']}: {p}" for p in missing(entry["entry_values"], flat)
            ]
        if show:
            print("list_entries_get (first entry):", compact(out["entries"][0]))
        return b


def where_bytes_go(name: str, text: str) -> None:
    """Attribute a tool result's bytes to ids, timestamps and web URLs, to show what is left to cut."""
    size = len(text.encode())
    urls = sum(len(m.group().encode()) for m in WEB_URL.finditer(text))
    rest = WEB_URL.sub("", text)
    ids = sum(len(m.group()) for m in UUID.finditer(rest))
    stamps = [m for m in STAMP.finditer(rest)]
    stamp_bytes = sum(len(m.group()) for m in stamps)
    padding = sum(len(m.group(1) or "") - 4 for m in stamps if m.group(1) and len(m.group(1)) > 4)
    print(
        f"  {name}: of {size:,} B, web_url {urls:,} B ({urls / size:.0%}), UUIDs {ids:,} B ({ids / size:.0%}), "
        f"timestamps {stamp_bytes:,} B ({stamp_bytes / size:.0%}, of which {padding:,} B are the 6 always-zero "
        f"digits after the milliseconds)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--list", default="active_deals", help="list for list_entries_get (default: active_deals)"
    )
    parser.add_argument("--show", action="store_true", help="print a sample of each tool output")
    args = parser.parse_args()
    logging.disable(logging.INFO)  # httpx logs every request at INFO
    b = anyio.run(run, args.list, args.show)
    print("# Output size: tool result vs raw Attio JSON for the same records (demo workspace, UTF-8 bytes)")
    print(f"{'case':<40} {'text B':>8} {'struct B':>9} {'raw B':>9} {'text/raw':>9}  raw request")
    for case, text, structured, raw, label in b.rows:
        print(f"{case:<40} {text:>8,} {structured:>9,} {raw:>9,} {text / raw:>9.1%}  {label}")
    worst = max(text / raw for _, text, _, raw, _ in b.rows)
    print(f"goal <= {GOAL:.0%} of raw: {'meets' if worst <= GOAL else 'MISSES'} (worst {worst:.1%})")
    print("where the bytes of the text go:")
    for name, text in b.texts.items():
        where_bytes_go(name, text)
    if b.problems:
        print(f"information check: {len(b.problems)} problem(s)")
        for p in b.problems:
            print("  " + p)
    else:
        print(
            "information check: every attribute with a current value is present; multi-values keep all values"
        )


if __name__ == "__main__":
    main()
