"""The sandbox stops answering mid-run: calls fail with UPSTREAM_ERROR within the time budget, everything
that does not need Attio keeps working meanwhile, and the server recovers when the sandbox comes back."""

from __future__ import annotations

import time
from typing import Any

import anyio
import pytest
from mcp import Client

from tests.reliability.conftest import Switch, fault_settings, mcp_client, text_of
from tests.reliability.live import LiveServer

pytestmark = pytest.mark.anyio

ATTIO_BOUND: list[tuple[str, dict[str, Any]]] = [
    ("records_search", {"resource_type": "companies", "query": "acme"}),
    ("whoami", {}),
    ("lists_get_all", {}),
    ("notes_list", {"limit": 5}),
    ("list_entries_get", {"list_id": "prospecting", "limit": 5}),
]
# Served from the schema/members caches or without any request at all.
LOCAL: list[tuple[str, dict[str, Any]]] = [
    ("attributes_list", {"resource_type": "companies"}),
    ("members_list", {}),
    ("records_get", {"resource_type": "companies", "record_id": "not-a-uuid"}),
]


async def _timed(client: Client, name: str, args: dict[str, Any], out: list[tuple[str, Any, float]]) -> None:
    started = time.monotonic()
    result = await client.call_tool(name, args, read_timeout_seconds=60)
    out.append((name, result, time.monotonic() - started))


async def _all_succeed(client: Client) -> None:
    for name, args in ATTIO_BOUND:
        result = await client.call_tool(name, args, read_timeout_seconds=60)
        assert not result.is_error, (name, text_of(result))


async def test_hung_sandbox_fails_within_budget_while_other_calls_are_served(
    switch: Switch, live_sandbox: LiveServer, fast_retries: None
) -> None:
    settings = fault_settings(live_sandbox.url, max_attempts=3, max_retry_seconds=5)
    # Each attempt may wait one full timeout; the (shortened) backoffs and the MCP hop add a little.
    budget = settings.max_attempts * settings.timeout + 2.5
    async with mcp_client(settings) as client:
        await _all_succeed(client)
        for name, args in LOCAL[:2]:  # warm the schema and members caches
            assert not (await client.call_tool(name, args)).is_error

        switch.down = True
        finished: list[tuple[str, Any, float]] = []
        async with anyio.create_task_group() as tg:
            for name, args in ATTIO_BOUND:
                tg.start_soon(_timed, client, name, args, finished)
            await anyio.sleep(0.1)  # the Attio-bound calls are now waiting on a sandbox that never answers
            for name, args in LOCAL:
                tg.start_soon(_timed, client, name, args, finished)
            listed = await client.list_tools()
            patterns = await client.read_resource("attio://skills/integration-patterns")
        assert listed.tools and patterns.contents

        order = [name for name, _, _ in finished]
        local_names = {name for name, _ in LOCAL}
        # Everything that did not need Attio finished before any call stuck on the outage.
        assert set(order[: len(LOCAL)]) == local_names, order
        for name, result, elapsed in finished:
            text = text_of(result)
            if name in local_names:
                if name == "records_get":
                    assert text.startswith("VALIDATION_ERROR:"), text
                else:
                    assert not result.is_error, (name, text)
                continue
            assert result.is_error and text.startswith("UPSTREAM_ERROR:"), (name, text)
            assert "timed out" in text and f"after {settings.max_attempts} attempts" in text, text
            assert elapsed <= budget, (name, elapsed, budget)

        switch.down = False
        await _all_succeed(client)


async def test_sandbox_process_gone_then_back(
    switch: Switch, live_sandbox: LiveServer, fast_retries: None
) -> None:
    settings = fault_settings(live_sandbox.url, max_attempts=3, max_retry_seconds=5)
    async with mcp_client(settings) as client:
        await _all_succeed(client)
        live_sandbox.stop()  # connections are now refused
        for name, args in ATTIO_BOUND:
            result = await client.call_tool(name, args, read_timeout_seconds=60)
            text = text_of(result)
            assert result.is_error and text.startswith("UPSTREAM_ERROR:"), (name, text)
            assert " Next: " in text
        cached = await client.call_tool("attributes_list", {"resource_type": "companies"})
        assert not cached.is_error, text_of(cached)

        revived = LiveServer(switch, port=live_sandbox.port).start()
        try:
            await _all_succeed(client)
        finally:
            revived.stop()
