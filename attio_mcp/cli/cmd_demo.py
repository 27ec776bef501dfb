"""``attio-mcp demo``: the deal-pipeline workflow run through a real MCP client against the sandbox.

The demo spawns ``attio-mcp --sandbox`` over stdio (or, with ``--in-process``, connects to an in-memory
server), then calls the tools a CRM agent would for integration pattern 1: find the company, create the deal,
list it, add a task and a note, move the stage and move it between the discovery and proposal lists.
Every call and a one-line result go to stdout. Nothing touches a real Attio workspace.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TextIO

import anyio

from attio_mcp.attio import AttioError
from attio_mcp.cli.common import configure_logging, load_settings

_ARGS_SHOWN = 160


class DemoError(Exception):
    """A step failed; the message is the tool's error text."""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``demo`` on the top-level sub-command parser."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "demo",
        help="run the deal-pipeline workflow on the demo workspace through an MCP client",
        description=(
            "Spawn 'attio-mcp --sandbox' over stdio, connect an MCP client and run the deal pipeline "
            "(find company, create deal, add to lists, task, note, stage change, list move), printing each "
            "tool call. Uses the embedded demo workspace only; no API key needed."
        ),
    )
    p.add_argument("--company", default="Acme", help="company to search for (default: Acme)")
    p.add_argument(
        "--in-process", action="store_true", help="connect in memory instead of spawning a stdio server"
    )
    return p


@dataclass
class _Session:
    """Calls tools on a connected client and prints each call and its short result."""

    client: Any
    out: TextIO
    calls: int = 0

    async def call(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        shown = json.dumps(arguments, separators=(",", ":"), ensure_ascii=False)
        if len(shown) > _ARGS_SHOWN:
            shown = shown[: _ARGS_SHOWN - 1] + "…"
        self.out.write(f"  -> {name} {shown}\n")
        self.out.flush()
        self.calls += 1
        result = await self.client.call_tool(name, arguments)
        if result.is_error:
            text = result.content[0].text if result.content else "(no text)"
            raise DemoError(f"{name} failed: {text}")
        return dict(result.structured_content or {})

    def result(self, text: str) -> None:
        self.out.write(f"  <- {text}\n")
        self.out.flush()


def _short(record_id: str) -> str:
    return record_id[:8] + "…" if len(record_id) > 9 else record_id


def _money(value: Any) -> str:
    return f"${value:,.0f}" if isinstance(value, int | float) else str(value)


async def _pipeline(s: _Session, company_query: str, step: Callable[[str], None]) -> None:
    today = datetime.now(UTC).date()
    close = (today + timedelta(days=60)).isoformat()
    due = f"{(today + timedelta(days=7)).isoformat()}T10:00:00Z"

    step("Find the company")
    found = await s.call("records_search", {"resource_type": "companies", "query": company_query, "limit": 1})
    if not found.get("records"):
        raise DemoError(f"no company matches {company_query!r}; try --company Acme")
    company = found["records"][0]
    s.result(
        f"{company.get('name')} ({', '.join(company.get('domains') or []) or 'no domain'}), id {company['id']}"
    )

    step("Create the deal")
    deal_name = f"Q4 Enterprise Deal - {company.get('name')}"
    data = {"name": deal_name, "deal_value": 50000, "stage": "Discovery", "close_date": close}
    deal = await s.call(
        "records_create", {"resource_type": "deals", "data": {**data, "company": company["id"]}}
    )
    deal_id = deal["id"]
    s.result(f"{deal['name']!r}: stage {deal.get('stage')}, {_money(deal.get('deal_value'))}, id {deal_id}")

    step("Look up the pipeline lists")
    lists = await s.call("lists_get_all", {})
    ids = {item.get("api_slug"): item["id"] for item in lists.get("lists", [])}
    wanted = ("active_deals", "discovery_stage", "proposal_stage")
    missing = [slug for slug in wanted if slug not in ids]
    if missing:
        raise DemoError(f"the workspace has no list {', '.join(missing)}")
    s.result(", ".join(f"{slug} {_short(ids[slug])}" for slug in wanted))

    step("Add the deal to Active Deals")
    entry = await s.call(
        "list_entries_add", {"list_id": ids["active_deals"], "record_id": deal_id, "resource_type": "deals"}
    )
    s.result(f"entry {entry.get('entry_id')}")

    step("Put it in the Discovery Stage list")
    discovery = await s.call("list_entries_add", {"list_id": ids["discovery_stage"], "record_id": deal_id})
    s.result(f"entry {discovery.get('entry_id')}")

    step("Create the discovery task")
    task = await s.call(
        "tasks_create",
        {
            "title": "Discovery Call",
            "content": "Schedule discovery call",
            "linked_records": [{"target_object": "deals", "target_record_id": deal_id}],
            "due_at": due,
        },
    )
    s.result(f"{task.get('content')!r} due {task.get('due_at', '')[:16]}, id {task.get('id')}")

    step("Document the opportunity in a note")
    note = await s.call(
        "notes_create",
        {
            "parent_object": "deals",
            "parent_record_id": deal_id,
            "title": "Opportunity Context",
            "content": "Source: Inbound demo request. Key stakeholders: CTO, VP Eng. Budget confirmed: $50k.",
        },
    )
    s.result(f"{note.get('title')!r}, id {note.get('id')}")

    step("Move the deal to the next stage")
    updated = await s.call(
        "records_update",
        {
            "resource_type": "deals",
            "record_id": deal_id,
            "data": {"stage": "Proposal Sent", "close_probability": 0.65},
        },
    )
    s.result(f"stage {updated.get('stage')}, close probability {updated.get('close_probability')}")

    # Add first, then remove: a failure in between leaves the deal in both lists, never in neither.
    step("Add it to the Proposal Stage list")
    proposal = await s.call("list_entries_add", {"list_id": ids["proposal_stage"], "record_id": deal_id})
    s.result(f"entry {proposal.get('entry_id')}")

    step("Take it out of the Discovery Stage list")
    removed = await s.call(
        "list_entries_remove", {"list_id": ids["discovery_stage"], "entry_id": discovery["entry_id"]}
    )
    s.result(f"deleted entry {removed.get('id')}")

    step("Check where the deal is now")
    where = await s.call("records_get_entries", {"resource_type": "deals", "record_id": deal_id})
    slugs = sorted(e.get("list_api_slug") or e.get("list_id") for e in where.get("entries", []))
    s.result("in lists: " + ", ".join(slugs))
    if "discovery_stage" in slugs or "proposal_stage" not in slugs:
        raise DemoError(f"the deal should have moved from discovery_stage to proposal_stage, lists: {slugs}")


def _connection(in_process: bool) -> tuple[AbstractAsyncContextManager[Any], str]:
    from mcp import Client

    if in_process:
        from attio_mcp.server.app import build_server

        server = build_server(load_settings(sandbox=True, log_level="WARNING"))
        return Client(server), "in process"
    from mcp.client.stdio import StdioServerParameters, stdio_client

    params = StdioServerParameters(
        command=sys.executable, args=["-m", "attio_mcp", "--sandbox", "--log-level", "WARNING"]
    )
    how = f"over stdio ({sys.executable} -m attio_mcp --sandbox)"
    return Client(stdio_client(params, errlog=sys.stderr)), how


async def _run(args: argparse.Namespace, out: TextIO) -> int:
    configure_logging("WARNING")
    started = time.monotonic()
    out.write("attio-mcp demo: the deal pipeline (integration pattern 1) on the embedded demo workspace\n")
    connection, how = _connection(args.in_process)
    async with connection as client:
        tools = await client.list_tools()
        info = client.server_info
        out.write(
            f"connected to {info.name} {info.version} {how}, protocol {client.protocol_version}, "
            f"{len(tools.tools)} tools\n"
        )
        session = _Session(client, out)
        counter = iter(range(1, 100))

        def step(title: str) -> None:
            out.write(f"\n{next(counter)}. {title}\n")

        try:
            await _pipeline(session, args.company, step)
        except DemoError as exc:  # handled here, not across the client's task group
            out.write(f"\ndemo failed: {exc}\n")
            return 1
    elapsed = time.monotonic() - started
    out.write(
        f"\ndone: {session.calls} tool calls in {elapsed:.1f} s. The sandbox lives in memory: nothing was "
        "sent to Attio.\nNext: point an MCP client at 'attio-mcp --sandbox' (README: Clients), or set "
        "ATTIO_API_KEY and run 'attio-mcp doctor'.\n"
    )
    return 0


def run(args: argparse.Namespace, *, stdout: TextIO | None = None) -> int:
    """Run the demo; 0 when every step succeeded, 1 otherwise."""
    from mcp import MCPError  # the SDK import (~0.4 s) only when the demo runs, not for every command

    out = stdout or sys.stdout
    try:
        return anyio.run(_run, args, out)
    except (AttioError, MCPError, OSError) as exc:
        out.write(f"\ndemo failed: {type(exc).__name__}: {exc}\n")
        return 1
