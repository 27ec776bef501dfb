"""MCP clients (the SDK's, over streamable HTTP) that note which replica answered each of their requests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from tests.replicas.proxy import REPLICA_HEADER

# One call may wait on the shared limiter behind every other client's writes: generous, yet a hang fails.
CALL_TIMEOUT_SECONDS = 60.0


@dataclass
class Seen:
    """The replica (proxy's ``X-Replica``) of every response this client got, in order, and its statuses."""

    replicas: list[int] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)

    async def hook(self, response: httpx2.Response) -> None:
        self.statuses.append(response.status_code)
        replica = response.headers.get(REPLICA_HEADER)
        if replica is not None:
            self.replicas.append(int(replica))


@asynccontextmanager
async def mcp_client(url: str, *, mode: str = "auto", **http: Any) -> AsyncIterator[tuple[Client, Seen]]:
    """An SDK client on ``url`` (the proxy's ``/mcp``); ``mode="legacy"`` speaks 2025-11-25 (initialize,
    then requests that carry a session id when the server gives one)."""
    seen = Seen()
    async with httpx2.AsyncClient(
        timeout=CALL_TIMEOUT_SECONDS, event_hooks={"response": [seen.hook]}, trust_env=False, **http
    ) as h:
        async with Client(streamable_http_client(url, http_client=h), mode=mode) as client:
            yield client, seen


def text_of(result: Any) -> str:
    return str(result.content[0].text) if result.content else ""
