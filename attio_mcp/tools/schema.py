"""Schema tools: the token's workspace, objects, attributes and their options."""

from __future__ import annotations

import builtins
from typing import Annotated, Any

from mcp.server.mcpserver import Context
from pydantic import BaseModel, Field

from attio_mcp.tools._registry import tool, workspace_of
from attio_mcp.workspace import WorkspaceError
from attio_mcp.workspace.errors import did_you_mean
from attio_mcp.workspace.interpret import Interpreted
from attio_mcp.workspace.render import describe_attribute

OptionalResource = Annotated[str | None, Field(description="Object slug (or give list_id)", max_length=100)]
OptionalList = Annotated[
    str | None, Field(description="List UUID or api_slug (or give resource_type)", max_length=100)
]


class TokenWorkspace(BaseModel):
    id: str | None = None
    name: str | None = None
    slug: str | None = None


class WhoAmI(BaseModel):
    """The connected workspace and the token's scopes."""

    active: bool
    workspace: TokenWorkspace
    scopes: list[str]
    authorized_by_member_id: str | None = None


class ObjectSummary(BaseModel):
    slug: str | None = None
    id: str | None = None
    singular: str | None = None
    plural: str | None = None


class Objects(BaseModel):
    """The workspace's objects with their slugs."""

    objects: list[ObjectSummary]


class Attributes(BaseModel):
    """The attributes of one object (``object`` set) or list (``list`` set)."""

    attributes: builtins.list[dict[str, Any]]  # builtins: ``list`` below is a field name
    object: str | None = None
    list: str | None = None
    interpreted: builtins.list[str] | None = None


class AttributeOptions(BaseModel):
    """Every select option or status of one attribute."""

    attribute: str
    type: str
    options: list[str]
    interpreted: list[str] | None = None


@tool("schema", title="Who am I", read_only=True, idempotent=True, scopes=())
async def whoami(ctx: Context) -> WhoAmI:
    """Show the connected workspace and the token's scopes."""
    info = await workspace_of(ctx).client.get_self()
    return WhoAmI(
        active=info.active,
        workspace=TokenWorkspace(id=info.workspace_id, name=info.workspace_name, slug=info.workspace_slug),
        scopes=info.scopes,
        authorized_by_member_id=info.authorized_by_workspace_member_id,
    )


@tool("schema", title="List objects", read_only=True, idempotent=True)
async def objects_list(ctx: Context) -> Objects:
    """List the workspace's objects (standard and custom) with their slugs."""
    objects = await workspace_of(ctx).schema.objects()
    return Objects(
        objects=[
            ObjectSummary(slug=o.api_slug, id=o.object_id, singular=o.singular_noun, plural=o.plural_noun)
            for o in objects
        ]
    )


@tool("schema", title="List attributes", read_only=True, idempotent=True)
async def attributes_list(
    ctx: Context, resource_type: OptionalResource = None, list_id: OptionalList = None
) -> Attributes:
    """List the attributes of an object or list: slug, type, flags and short option lists."""
    notes = Interpreted()
    target = await workspace_of(ctx).target(resource_type, list_id, notes=notes)
    return Attributes(
        attributes=[describe_attribute(a) for a in target.attributes.values() if not a.archived],
        object=target.slug if target.kind == "object" else None,
        list=target.slug if target.kind == "list" else None,
        interpreted=notes.out(),
    )


@tool("schema", title="Attribute options", read_only=True, idempotent=True)
async def attribute_options(
    ctx: Context,
    attribute: Annotated[str, Field(description="Attribute slug", max_length=100)],
    resource_type: OptionalResource = None,
    list_id: OptionalList = None,
) -> AttributeOptions:
    """List every select option or status of one attribute."""
    notes = Interpreted()
    target = await workspace_of(ctx).target(resource_type, list_id, notes=notes)
    attr, candidates = target.find(attribute)
    if attr is not None and attribute not in (attr.slug, attr.id):
        notes.add("attribute", attribute, attr.slug)
    if attr is None:
        close = [a.slug for a in candidates] or did_you_mean(attribute, list(target.attributes))
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
    return AttributeOptions(
        attribute=attr.slug, type=attr.type, options=list(attr.options), interpreted=notes.out()
    )
