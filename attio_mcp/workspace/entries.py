"""List entries as the tools show them: entry values plus a short summary of each parent record.

``render_entries`` flattens a page of entries and attaches ``record: {name, …}`` for each parent, fetched
with one records query per parent object (``record_id $in``), never one request per entry. ``split_fields``
sorts requested ``fields`` into entry attributes and parent-record attributes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from attio_mcp.attio import Entry, Record
from attio_mcp.workspace.context import Workspace
from attio_mcp.workspace.errors import LookupFailure, WorkspaceError, did_you_mean
from attio_mcp.workspace.render import flatten_entry, flatten_values
from attio_mcp.workspace.schema import TargetSchema

TOP_FIELDS = ("entry_id", "record_id", "object", "created_at")
_LABEL_TYPES = ("personal-name", "email-address", "domain")


async def render_entries(
    d: Workspace, lst: TargetSchema, entries: Sequence[Entry], fields: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """Flatten entries and attach a summary of each parent record (one records query per parent object)."""
    parents = await parent_schemas(d, lst)
    entry_fields, record_fields = split_fields(lst, parents, fields)
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
        row: dict[str, Any] = {k: flat.pop(k) for k in ("entry_id", "record_id", "object") if k in flat}
        if (summary := summaries.get(entry.parent_record_id or "")) is not None:
            row["record"] = summary
        out.append(row | flat)
    return out


async def parent_schemas(d: Workspace, lst: TargetSchema) -> list[TargetSchema]:
    out = []
    for slug in lst.parent_objects:
        try:
            out.append(await d.schema.object(slug))
        except LookupFailure:
            continue  # an object the token cannot see: entries still render, without its attributes
    return out


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


def split_fields(
    lst: TargetSchema, parents: Sequence[TargetSchema], fields: Sequence[str] | None
) -> tuple[list[str] | None, list[str]]:
    """``fields`` -> (entry slugs or None for all, parent-record slugs); unknown names fail."""
    if fields is None:
        return None, []
    entry_fields: list[str] = []
    record_fields: list[str] = []
    for name in fields:
        if name in TOP_FIELDS:
            entry_fields.append(name)
        elif (attr := lst.get(name)) is not None:
            entry_fields.append(attr.slug)
        elif (rec := next((a for p in parents if (a := p.get(name)) is not None), None)) is not None:
            record_fields.append(rec.slug)
        else:
            close = did_you_mean(name, [*lst.attributes, *(s for p in parents for s in p.attributes)])
            raise WorkspaceError(
                "VALIDATION_ERROR",
                f"no attribute {name!r} on list {lst.slug} or its parent records",
                field="fields",
                next_step=(f"did you mean {', '.join(close)}? " if close else "")
                + "lists_get shows the slugs.",
            )
    return entry_fields, record_fields
