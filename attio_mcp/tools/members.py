"""Member tools: the workspace's members, to assign tasks and read actor attributes."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import Context
from pydantic import Field

from attio_mcp.tools._registry import tool, workspace_of


@tool("members", title="List members", read_only=True, idempotent=True)
async def members_list(
    ctx: Context,
    query: Annotated[str | None, Field(description="Name or email substring", max_length=200)] = None,
) -> dict[str, Any]:
    """List workspace members (id, name, email, access level), optionally matching a name or email."""
    members = await workspace_of(ctx).members()
    needle = (query or "").strip().lower()
    out = []
    for m in members:
        name = m.full_name
        email = m.email_address or ""
        if needle and needle not in name.lower() and needle not in email.lower():
            continue
        row = {"id": m.workspace_member_id, "name": name, "email": email, "access_level": m.access_level}
        out.append({k: v for k, v in row.items() if v})
    return {"members": out}
