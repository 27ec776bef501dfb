"""List entry tools: page, filter, add, update and remove the entries of a list.

Entries come back compact: ``{entry_id, record_id, object, record: {name, …}, <entry attribute>: value}``.
``record`` summarises the parent record; the parents of a page are fetched with one records query per
parent object (``record_id $in``), never one request per entry. ``fields`` may name entry attributes and
parent-record attributes; the latter are added to ``record``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any

from mcp.server.mcpserver import Context
from pydantic import Field

from attio_mcp.attio import AttioError, AttioStatusError, Entry, NotFoundError, Record
from attio_mcp.tools._convert import prepare_payload
from attio_mcp.tools._deps import Deps
from attio_mcp.tools._entry_filters import (
    FilterType,
    parent_record_filter,
    rewrite_entry_filter,
    simple_entry_filter,
)
from attio_mcp.tools._errors import ToolFailure, failure_from_attio
from attio_mcp.tools._flatten import flatten_entry, flatten_values
from attio_mcp.tools._params import EntryId, Fields, Limit, ListId, Offset, RecordId, require_uuid
from attio_mcp.tools._registry import tool
from attio_mcp.tools._schema import SchemaLookupError, TargetSchema
from attio_mcp.tools._suggest import did_you_mean
from attio_mcp.tools.lists import list_schema
from attio_mcp.tools.schema import object_schema

EntryValues = Annotated[dict[str, Any], Field(description="Entry attribute slug -> value")]
OptionalEntryValues = Annotated[dict[str, Any] | None, Field(description="Entry attribute slug -> value")]
Attribute = Annotated[str | None, Field(description="Entry or parent-record attribute slug, or record_id")]
Value = Annotated[Any, Field(description="Value to compare (array for in)")]
Filter = Annotated[dict[str, Any] | None, Field(description="Full Attio filter, instead of attribute")]
Parent = Annotated[str | None, Field(description="Record's object slug (if the list has several)")]

_TOP = ("entry_id", "record_id", "object", "created_at")
_LABEL_TYPES = ("personal-name", "email-address", "domain")
_SCHEMA_CODES = frozenset({"value_not_found", "missing_value", "validation_type", "filter_error"})
_FIND_ENTRY = "list_entries_filter with attribute record_id finds a record's entry id."


@tool("lists", title="Get list entries", read_only=True, idempotent=True)
async def list_entries_get(
    ctx: Context, list_id: ListId, limit: Limit = 20, offset: Offset = 0, fields: Fields = None
) -> dict[str, Any]:
    """Page through a list's entries: entry values plus the parent record's name."""
    d, lst = await list_schema(ctx, list_id)
    return await _page(d, lst, None, limit, offset, fields)


@tool("lists", title="Filter list entries", read_only=True, idempotent=True)
async def list_entries_filter(
    ctx: Context,
    list_id: ListId,
    attribute: Attribute = None,
    filter_type: FilterType = "equals",
    value: Value = None,
    filter: Filter = None,
    limit: Limit = 20,
    offset: Offset = 0,
    fields: Fields = None,
) -> dict[str, Any]:
    """Filter a list's entries by an entry or parent-record attribute, record_id, or an Attio filter."""
    if (attribute is None) == (filter is None):
        raise ToolFailure(
            "VALIDATION_ERROR",
            "give either attribute (with filter_type and value) or filter",
            field="attribute",
            next_step='e.g. {"attribute": "priority", "filter_type": "equals", "value": "High"}.',
        )
    if filter is None and value is None and filter_type not in ("is_empty", "is_not_empty"):
        raise ToolFailure(
            "VALIDATION_ERROR",
            f"{filter_type} needs a value",
            field="value",
            next_step="pass value, or use is_empty / is_not_empty, which take none.",
        )
    d, lst = await list_schema(ctx, list_id)
    parents = await _parents(d, lst)
    if filter is not None:
        where = rewrite_entry_filter(lst, parents, filter)
    else:
        members = await d.members() if _is_actor(lst, parents, attribute or "") else ()
        where = simple_entry_filter(lst, parents, attribute or "", filter_type, value, members)
    return await _page(d, lst, where, limit, offset, fields)


# Not idempotent: allow_duplicate adds another entry on every call (without it, a repeat returns the entry).
@tool("lists", title="Add record to list")
async def list_entries_add(
    ctx: Context,
    list_id: ListId,
    record_id: RecordId,
    resource_type: Parent = None,
    attributes: OptionalEntryValues = None,
    allow_duplicate: Annotated[bool, Field(description="Add even if already in the list")] = False,
) -> dict[str, Any]:
    """Add a record to a list; if it is already there, return that entry with already_in_list=true."""
    rid = require_uuid(record_id, "record_id")
    d, lst = await list_schema(ctx, list_id)
    parent = await _parent_object(d, lst, resource_type)
    values = await _entry_values(d, lst, attributes or {}, for_create=True, record=(parent, rid))
    if not allow_duplicate:
        where = parent_record_filter(lst, [parent], [rid])
        found = await _call(d, lst, d.client.query_entries(lst.id, filter=where, limit=1))
        if found:
            out = (await render_entries(d, lst, found[:1]))[0]
            out["already_in_list"] = True
            if values:
                out["note"] = "attributes not applied; use list_entries_update"
            return out
    try:
        entry = await d.client.create_entry(lst.id, parent, rid, values)
    except AttioStatusError as exc:
        if exc.code == "value_not_found" and "record" in (exc.message or "").lower():
            raise ToolFailure(
                "NOT_FOUND",
                f"{parent} record {rid} not found",
                field="record_id",
                next_step="records_search finds record ids.",
            ) from None
        raise _attio_failure(d, lst, exc, write=True) from None
    return (await render_entries(d, lst, [entry]))[0]


# Destructive: null or [] clears an entry value. Not idempotent: PATCH appends to multiselect values.
@tool("lists", title="Update list entry", destructive=True)
async def list_entries_update(
    ctx: Context, list_id: ListId, entry_id: EntryId, attributes: EntryValues
) -> dict[str, Any]:
    """Update a list entry's own attributes; the parent record's attributes need records_update."""
    eid = require_uuid(entry_id, "entry_id")
    if not attributes:
        raise ToolFailure(
            "VALIDATION_ERROR",
            "attributes is empty",
            field="attributes",
            next_step="pass entry attribute slugs and values; lists_get shows them.",
        )
    d, lst = await list_schema(ctx, list_id)
    values = await _entry_values(d, lst, attributes, for_create=False, entry_id=eid)
    subject = f"entry {eid} in list {lst.slug}"
    entry = await _call(d, lst, d.client.update_entry(lst.id, eid, values), write=True, subject=subject)
    return (await render_entries(d, lst, [entry]))[0]


@tool("lists", title="Remove list entry", destructive=True, idempotent=True)
async def list_entries_remove(ctx: Context, list_id: ListId, entry_id: EntryId) -> dict[str, Any]:
    """Remove an entry from a list; the parent record is kept."""
    eid = require_uuid(entry_id, "entry_id")
    d, lst = await list_schema(ctx, list_id)
    subject = f"entry {eid} in list {lst.slug}"
    await _call(d, lst, d.client.delete_entry(lst.id, eid), write=True, subject=subject)
    return {"deleted": True, "id": eid}


# -- shared with other families ---------------------------------------------------------------------


async def render_entries(
    d: Deps, lst: TargetSchema, entries: Sequence[Entry], fields: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """Flatten entries and attach a summary of each parent record (one records query per parent object)."""
    parents = await _parents(d, lst)
    entry_fields, record_fields = _split_fields(lst, parents, fields)
    by_object: dict[str, list[str]] = {}
    for entry in entries:
        if entry.parent_object and entry.parent_record_id:
            ids = by_object.setdefault(entry.parent_object, [])
            if entry.parent_record_id not in ids:
                ids.append(entry.parent_record_id)
    summaries: dict[str, dict[str, Any]] = {}
    for obj, ids in by_object.items():
        schema = next((p for p in parents if obj in (p.slug, p.id)), None)
        where = {"record_id": {"$in": ids}}
        records = await d.client.query_records(obj, filter=where, limit=len(ids))
        for record in records:
            if record.record_id:
                summaries[record.record_id] = _summary(record, schema, record_fields)
    out = []
    for entry in entries:
        flat = flatten_entry(entry, lst, fields=entry_fields)
        row = {k: flat.pop(k) for k in ("entry_id", "record_id", "object") if k in flat}
        if (summary := summaries.get(entry.parent_record_id or "")) is not None:
            row["record"] = summary
        out.append(row | flat)
    return out


# -- helpers --------------------------------------------------------------------------------------------


async def _page(
    d: Deps, lst: TargetSchema, where: Mapping[str, Any] | None, limit: int, offset: int, fields: Fields
) -> dict[str, Any]:
    _split_fields(lst, await _parents(d, lst), fields)  # a bad field fails before any entries query
    rows = await _call(d, lst, d.client.query_entries(lst.id, filter=where, limit=limit + 1, offset=offset))
    out: dict[str, Any] = {
        "list": lst.slug,
        "entries": await render_entries(d, lst, rows[:limit], fields),
        "has_more": len(rows) > limit,
    }
    if out["has_more"]:
        out["next_offset"] = offset + limit
    return out


async def _parents(d: Deps, lst: TargetSchema) -> list[TargetSchema]:
    out = []
    for slug in lst.parent_objects:
        try:
            out.append(await d.schema.object(slug))
        except SchemaLookupError:
            continue  # an object the token cannot see: entries still render, without its attributes
    return out


def _is_actor(lst: TargetSchema, parents: Sequence[TargetSchema], name: str) -> bool:
    attr = lst.get(name) or next((a for p in parents if (a := p.get(name)) is not None), None)
    return attr is not None and attr.type == "actor-reference"


def _label_slug(schema: TargetSchema | None) -> str | None:
    """The attribute that names a record: ``name``, else a personal name, email or domain."""
    if schema is None:
        return "name"
    if "name" in schema.attributes:
        return "name"
    for kind in _LABEL_TYPES:
        found = next((a.slug for a in schema.attributes.values() if a.type == kind), None)
        if found:
            return found
    return next((a.slug for a in schema.attributes.values() if a.type == "text" and a.unique), None)


def _summary(record: Record, schema: TargetSchema | None, fields: Sequence[str]) -> dict[str, Any]:
    label = _label_slug(schema)
    wanted = [label, *fields] if label else list(fields)
    flat = flatten_values(record.values, schema, fields=wanted)
    name = flat.pop(label, None) if label else None
    if isinstance(name, list):
        name = name[0] if name else None
    return ({"name": name} if name is not None else {}) | flat


def _split_fields(
    lst: TargetSchema, parents: Sequence[TargetSchema], fields: Sequence[str] | None
) -> tuple[list[str] | None, list[str]]:
    """``fields`` -> (entry slugs or None for all, parent-record slugs); unknown names fail."""
    if fields is None:
        return None, []
    entry_fields: list[str] = []
    record_fields: list[str] = []
    for name in fields:
        if name in _TOP:
            entry_fields.append(name)
        elif (attr := lst.get(name)) is not None:
            entry_fields.append(attr.slug)
        elif (rec := next((a for p in parents if (a := p.get(name)) is not None), None)) is not None:
            record_fields.append(rec.slug)
        else:
            close = did_you_mean(name, [*lst.attributes, *(s for p in parents for s in p.attributes)])
            raise ToolFailure(
                "VALIDATION_ERROR",
                f"no attribute {name!r} on list {lst.slug} or its parent records",
                field="fields",
                next_step=(f"did you mean {', '.join(close)}? " if close else "")
                + "lists_get shows the slugs.",
            )
    return entry_fields, record_fields


async def _parent_object(d: Deps, lst: TargetSchema, resource_type: str | None) -> str:
    allowed = list(lst.parent_objects)
    if resource_type is None:
        if len(allowed) == 1:
            return allowed[0]
        raise ToolFailure(
            "VALIDATION_ERROR",
            f"list {lst.slug} holds several objects; say which with resource_type",
            field="resource_type",
            options=allowed,
        )
    obj = await object_schema(d, resource_type)
    if obj.slug in allowed or obj.id in allowed:
        return obj.slug
    raise ToolFailure(
        "VALIDATION_ERROR",
        f"list {lst.slug} holds {', '.join(allowed)} records, not {obj.slug}",
        field="resource_type",
        options=allowed,
        next_step="pick a list whose parent object matches (lists_get_all shows them).",
    )


async def _entry_values(
    d: Deps,
    lst: TargetSchema,
    data: Mapping[str, Any],
    *,
    for_create: bool,
    record: tuple[str, str] | None = None,
    entry_id: str | None = None,
) -> dict[str, Any]:
    """The entry write payload; a parent-record attribute fails with a pointer to records_update."""
    parents = await _parents(d, lst)
    for key in data:
        if lst.get(str(key)) is not None:
            continue
        owner = next((p for p in parents if p.get(str(key)) is not None), None)
        if owner is None:
            continue  # prepare_values reports it with a did-you-mean
        if record is None and entry_id is not None:
            record = await _entry_parent(d, lst, entry_id)
        target = f"resource_type {owner.slug}" + (f" and record_id {record[1]}" if record else "")
        raise ToolFailure(
            "VALIDATION_ERROR",
            f"{key} is an attribute of the {owner.slug} record, not of entries in list {lst.slug}",
            field=str(key),
            next_step=f"set it with records_update ({target}); entry attributes are: {', '.join(lst.writable())}.",
        )
    return await prepare_payload(d, lst, data, for_create=for_create)


async def _entry_parent(d: Deps, lst: TargetSchema, entry_id: str) -> tuple[str, str] | None:
    try:
        entry = await d.client.get_entry(lst.id, entry_id)
    except AttioError:
        return None
    if entry.parent_object and entry.parent_record_id:
        return entry.parent_object, entry.parent_record_id
    return None


async def _call(
    d: Deps, lst: TargetSchema, pending: Any, *, write: bool = False, subject: str | None = None
) -> Any:
    """Await a client call; client errors become failures (and may drop a stale list schema)."""
    try:
        return await pending
    except NotFoundError as exc:
        if subject is None:
            raise failure_from_attio(exc, write=write) from None
        raise ToolFailure(
            "NOT_FOUND", f"{subject} not found", field="entry_id", next_step=_FIND_ENTRY
        ) from None
    except AttioError as exc:
        raise _attio_failure(d, lst, exc, write=write) from None


def _attio_failure(d: Deps, lst: TargetSchema, exc: AttioError, *, write: bool) -> ToolFailure:
    """The failure for a client error; a 400 that may come from a stale schema drops the cached list."""
    if isinstance(exc, AttioStatusError) and exc.status == 400 and exc.code in _SCHEMA_CODES:
        d.schema.invalidate(lst.id)
    return failure_from_attio(exc, write=write)
