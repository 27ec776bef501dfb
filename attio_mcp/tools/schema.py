"""Schema tools: the token's workspace, objects, attributes and their options."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import Context
from pydantic import Field

from attio_mcp.tools._deps import Deps, deps
from attio_mcp.tools._errors import ToolFailure
from attio_mcp.tools._registry import tool
from attio_mcp.tools._schema import AttrInfo, SchemaLookupError, TargetSchema
from attio_mcp.tools._suggest import did_you_mean

INLINE_OPTIONS = 15

OptionalResource = Annotated[str | None, Field(description="Object slug (or give list_id)", max_length=100)]
OptionalList = Annotated[
    str | None, Field(description="List UUID or api_slug (or give resource_type)", max_length=100)
]


@tool("schema", title="Who am I", read_only=True, idempotent=True)
async def whoami(ctx: Context) -> dict[str, Any]:
    """Show the connected workspace and the token's scopes."""
    info = await deps(ctx).client.get_self()
    return {
        "active": info.active,
        "workspace": {"id": info.workspace_id, "name": info.workspace_name, "slug": info.workspace_slug},
        "scopes": info.scopes,
        "authorized_by_member_id": info.authorized_by_workspace_member_id,
    }


@tool("schema", title="List objects", read_only=True, idempotent=True)
async def objects_list(ctx: Context) -> dict[str, Any]:
    """List the workspace's objects (standard and custom) with their slugs."""
    objects = await deps(ctx).schema.objects()
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
    target = await resolve_target(ctx, resource_type, list_id)
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
    target = await resolve_target(ctx, resource_type, list_id)
    attr = target.get(attribute)
    if attr is None:
        raise unknown_attribute(target, attribute)
    if attr.type not in ("select", "status"):
        raise ToolFailure(
            "VALIDATION_ERROR",
            f"{attr.slug} is a {attr.type} attribute and has no options",
            field="attribute",
            next_step="pick a select or status attribute from attributes_list.",
        )
    return {"attribute": attr.slug, "type": attr.type, "options": list(attr.options)}


def describe_attribute(attr: AttrInfo) -> dict[str, Any]:
    """Compact attribute description: false flags omitted, short option lists inline."""
    out: dict[str, Any] = {"slug": attr.slug, "title": attr.title, "type": attr.type}
    for flag in ("multi", "required", "unique"):
        if getattr(attr, flag):
            out[flag] = True
    if not attr.writable:
        out["writable"] = False
    if attr.allowed_objects:
        out["targets"] = list(attr.allowed_objects)
    if attr.type == "currency" and attr.currency_code:
        out["currency"] = attr.currency_code  # values read and write as plain amounts in this currency
    if attr.options:
        if len(attr.options) <= INLINE_OPTIONS:
            out["options"] = list(attr.options)
        else:
            out["options_count"] = len(attr.options)
    return out


async def resolve_target(ctx: Context, resource_type: str | None, list_id: str | None) -> TargetSchema:
    """The schema of the object or list named by exactly one of the two parameters."""
    if bool(resource_type) == bool(list_id):
        raise ToolFailure(
            "VALIDATION_ERROR",
            "give exactly one of resource_type or list_id",
            field="resource_type",
            next_step="objects_list and lists_get_all show valid values.",
        )
    d = deps(ctx)
    if resource_type:
        return await object_schema(d, resource_type)
    try:
        return await d.schema.list(list_id or "")
    except SchemaLookupError as exc:
        raise lookup_failure(exc) from None


async def object_schema(d: Deps, name: str, *, field: str = "resource_type") -> TargetSchema:
    """The schema of an object given by slug, UUID or noun; NOT_FOUND with suggestions names ``field``."""
    try:
        return await d.schema.object(name)
    except SchemaLookupError as exc:
        raise lookup_failure(exc, field=field) from None


def lookup_failure(exc: SchemaLookupError, *, field: str | None = None) -> ToolFailure:
    """NOT_FOUND for an unknown object or list, with the closest names (``field``: the parameter at fault)."""
    tool_name = "objects_list" if exc.kind == "object" else "lists_get_all"
    hint = f"did you mean {', '.join(exc.suggestions[:3])}? " if exc.suggestions else ""
    return ToolFailure(
        "NOT_FOUND",
        f"no {exc.kind} {exc.value!r} in this workspace",
        field=field or ("resource_type" if exc.kind == "object" else "list_id"),
        next_step=f"{hint}{tool_name} lists them all.",
    )


def unknown_attribute(target: TargetSchema, name: str) -> ToolFailure:
    """NOT_FOUND for an attribute the object or list lacks, with the closest slugs."""
    close = did_you_mean(name, list(target.attributes))
    hint = f"did you mean {', '.join(close)}? " if close else ""
    return ToolFailure(
        "NOT_FOUND",
        f"{target.kind} {target.slug} has no attribute {name!r}",
        field="attribute",
        next_step=f"{hint}attributes_list shows every slug.",
    )
