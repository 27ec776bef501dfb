"""List tools: every list of the workspace, and one list with its entry attributes.

Entry counts are not returned: Attio has no count endpoint, so a count would mean paging every entry.
"""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver import Context

from attio_mcp.tools._deps import Deps, deps
from attio_mcp.tools._params import ListId
from attio_mcp.tools._registry import tool
from attio_mcp.tools._schema import SchemaLookupError, TargetSchema
from attio_mcp.tools.schema import describe_attribute, lookup_failure


@tool("lists", title="List all lists", read_only=True, idempotent=True)
async def lists_get_all(ctx: Context) -> dict[str, Any]:
    """List every list in the workspace: id, api_slug, name and parent object."""
    lists = await deps(ctx).client.list_lists()
    return {
        "lists": [
            {
                "id": lst.list_id,
                "api_slug": lst.api_slug,
                "name": lst.name,
                "parent_object": lst.parent_object,
            }
            for lst in lists
        ]
    }


@tool("lists", title="Get list", read_only=True, idempotent=True)
async def lists_get(ctx: Context, list_id: ListId) -> dict[str, Any]:
    """Get one list with its entry attributes (slug, type, options)."""
    _, lst = await list_schema(ctx, list_id)
    return {
        "id": lst.id,
        "api_slug": lst.slug,
        "name": lst.name,
        "parent_object": list(lst.parent_objects),
        "attributes": [describe_attribute(a) for a in lst.attributes.values() if not a.archived],
    }


async def list_schema(ctx: Context, list_id: str) -> tuple[Deps, TargetSchema]:
    """The deps and the schema of a list given by UUID, api_slug or name (NOT_FOUND with suggestions)."""
    d = deps(ctx)
    try:
        return d, await d.schema.list(list_id)
    except SchemaLookupError as exc:
        raise lookup_failure(exc) from None
