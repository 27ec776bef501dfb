"""Schema tools: the token's workspace, objects, attributes and their options."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import Context
from pydantic import Field

from attio_mcp.tools._registry import tool, workspace_of
from attio_mcp.workspace import WorkspaceError
from attio_mcp.workspace.errors import did_you_mean
from attio_mcp.workspace.render import describe_attribute

OptionalResource = Annotated[str | None, Field(description="Object slug (or give list_id)", max_length=100)]
OptionalList = Annotated[
    str | None, Field(description="List UUID or api_slug (or give resource_type)", max_length=100)
]


@tool("schema", title="Who am I", read_only=True, idempotent=True)
async def whoami(ctx: Context) -> dict[str, Any]:
    """Show the connected workspace and the token's scopes."""
    info = await workspace_of(ctx).client.get_self()
    return {
        "active": info.active,
        "workspace": {"id": info.workspace_id, "name": info.workspace_name, "slug": info.workspace_slug},
        "scopes": info.scopes,
        "authorized_by_member_id": info.authorized_by_workspace_member_id,
    }


@tool("schema", title="List objects", read_only=True, idempotent=True)
async def objects_list(ctx: Context) -> dict[str, Any]:
    """List the workspace's objects (standard and custom) with their slugs."""
    objects = await workspace_of(ctx).schema.objects()
    return {
        "objects": [
            {"slug": o.api_slug, "id": o.object_id, "singular": o.singular_noun, "plural": o.plural_noun}
            for o in objects
        ]
    }


@tool("schema", title="List attributes", read_only=True, idempotent=True)
async def attributes_list(
    ctx: Context, resource_type: OptionalResource = None, list_id: OptionalList = None
) -> dict[str, Any]:
    """List the attributes of an object or list: slug, type, flags and short option lists."""
    target = await workspace_of(ctx).target(resource_type, list_id)
    return {
        target.kind: target.slug,
        "attributes": [describe_attribute(a) for a in target.attributes.values() if not a.archived],
    }


@tool("schema", title="Attribute options", read_only=True, idempotent=True)
async def attribute_options(
    ctx: Context,
    attribute: Annotated[str, Field(description="Attribute slug", max_length=100)],
    resource_type: OptionalResource = None,
    list_id: OptionalList = None,
) -> dict[str, Any]:
    """List every select option or status of one attribute."""
    target = await workspace_of(ctx).target(resource_type, list_id)
    attr = target.get(attribute)
    if attr is None:
        close = did_you_mean(attribute, list(target.attributes))
        hint = f"did you mean {', '.join(close)}? " if close else ""
        raise WorkspaceError(
            "NOT_FOUND",
            f"{target.kind} {target.slug} has no attribute {attribute!r}",
            field="attribute",
            next_step=f"{hint}attributes_list shows every slug.",
        )
    if attr.type not in ("select", "status"):
        raise WorkspaceError(
            "VALIDATION_ERROR",
            f"{attr.slug} is a {attr.type} attribute and has no options",
            field="attribute",
            next_step="pick a select or status attribute from attributes_list.",
        )
    return {"attribute": attr.slug, "type": attr.type, "options": list(attr.options)}
