"""What every tool needs at call time, built once per server lifespan."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mcp.server.mcpserver import Context

from attio_mcp.attio import AttioClient, WorkspaceMember
from attio_mcp.tools._schema import SchemaCache


@dataclass
class Deps:
    """The Attio client, the schema cache and small per-process caches."""

    client: AttioClient
    schema: SchemaCache
    _members: list[WorkspaceMember] | None = None

    async def members(self) -> list[WorkspaceMember]:
        """Workspace members, fetched once (they change rarely and are never deleted)."""
        if self._members is None:
            self._members = await self.client.list_members()
        return self._members


def deps(ctx: Context[Any]) -> Deps:
    """The ``Deps`` of the running server, from the MCP lifespan context."""
    state = ctx.request_context.lifespan_context
    if not isinstance(state, Deps):
        raise RuntimeError("server lifespan did not provide Deps")
    return state
