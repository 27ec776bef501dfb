"""List tools: every list of the workspace, and one list with its entry attributes.

Entry counts are not returned: Attio has no count endpoint, so a count would mean paging every entry.
"""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver import Context
from pydantic import BaseModel

from attio_mcp.tools._params import ListId
from attio_mcp.tools._registry import tool, workspace_of
from attio_mcp.toolsets import R_LIST
from attio_mcp.workspace.render import describe_attribute


class ListSummary(BaseModel):
    id: str | None = None
    api_slug: str | None = None
    name: str | None = None
    parent_object: list[str]


class Lists(BaseModel):
    """Every list of the workspace."""

    lists: list[ListSummary]


class ListDetail(BaseModel):
    """One list with its entry attributes (each as ``describe_attribute`` gives it)."""

    id: str
    api_slug: str
    name: str
    parent_object: list[str]
    attributes: list[dict[str, Any]]


@tool("lists", title="List all lists", read_only=True, idempotent=True, scopes=(R_LIST,))
async def lists_get_all(ctx: Context) -> Lists:
    """List every list in the workspace: id, api_slug, name and parent object."""
    lists = await workspace_of(ctx).client.list_lists()
    return Lists(
        lists=[
            ListSummary(id=lst.list_id, api_slug=lst.api_slug, name=lst.name, parent_object=lst.parent_object)
            for lst in lists
        ]
    )


@tool("lists", title="Get list", read_only=True, idempotent=True, scopes=(R_LIST,))
async def lists_get(ctx: Context, list_id: ListId) -> ListDetail:
    """Get one list with its entry attributes (slug, type, options)."""
    lst = await workspace_of(ctx).list(list_id)
    return ListDetail(
        id=lst.id,
        api_slug=lst.slug,
        name=lst.name,
        parent_object=list(lst.parent_objects),
        attributes=[describe_attribute(a) for a in lst.attributes.values() if not a.archived],
    )
