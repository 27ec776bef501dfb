"""Member tools: the workspace's members, to assign tasks and read actor attributes."""

from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver import Context
from pydantic import BaseModel, Field

from attio_mcp.tools._registry import tool, workspace_of


class Member(BaseModel):
    id: str | None = None
    name: str | None = None
    email: str | None = None
    access_level: str | None = None


class Members(BaseModel):
    """Workspace members (empty values omitted)."""

    members: list[Member]


@tool("members", title="List members", read_only=True, idempotent=True)
async def members_list(
    ctx: Context,
    query: Annotated[str | None, Field(description="Name or email substring", max_length=200)] = None,
) -> Members:
    """List workspace members (id, name, email, access level), optionally matching a name or email."""
    members = await workspace_of(ctx).members()
    needle = (query or "").strip().lower()
    out = []
    for m in members:
        name = m.full_name
        email = m.email_address or ""
        if needle and needle not in name.lower() and needle not in email.lower():
            continue
        out.append(
            Member(
                id=m.workspace_member_id or None,
                name=name or None,
                email=email or None,
                access_level=m.access_level or None,
            )
        )
    return Members(members=out)
