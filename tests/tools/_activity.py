"""Helpers for the activity tool tests: a server whose sandbox key holds only some scopes, seeded facts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from mcp import Client

from attio_mcp.sandbox import DEMO_TOKEN, create_app
from attio_mcp.server.app import build_server
from attio_mcp.server.settings import Settings
from tests.conftest import Tools

RECORDS = "record_permission:read object_configuration:read user_management:read"


@asynccontextmanager
async def tools_with_scopes(scopes: str) -> AsyncIterator[Tools]:
    """The MCP client over a fresh sandbox whose (demo) key holds only ``scopes``."""
    app = create_app(token_scopes={DEMO_TOKEN: scopes})
    server = build_server(Settings(sandbox=True), transport=httpx.ASGITransport(app=app))
    async with Client(server) as client:
        yield Tools(client)


def record_id(store: Any, obj: str, name: str) -> str:
    """The id of the seeded record of ``obj`` whose name is ``name``."""
    object_id = store.schema.object(obj)["id"]["object_id"]
    for item in store.records[object_id].values():
        values = item.current("name")
        if values and (values[0].get("value") or values[0].get("full_name")) == name:
            return str(item.id)
    raise AssertionError(f"no {obj} named {name!r}")


def member_emails(store: Any) -> dict[str, str]:
    return {m["id"]["workspace_member_id"]: m["email_address"] for m in store.members.values()}
