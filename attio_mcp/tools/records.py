"""Records tools: search, read, create, update, upsert and delete records of any object, and a record's entries.

Every tool resolves ``resource_type`` through the schema cache (slug, UUID or noun), validates writes against
the live schema before sending them, and returns records flattened by ``workspace.render``. When Attio rejects a
request for a schema reason (an unknown attribute or option, a missing required value), the object's cached
schema is dropped so the next call sees the current one; the error is still reported.
"""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import Context
from pydantic import BaseModel, Field

from attio_mcp.tools._params import Data, Fields, Limit, Mode, Offset, RecordId, ResourceType, require_changes
from attio_mcp.tools._registry import tool, workspace_of
from attio_mcp.tools._results import Deleted, FlatRecord, RecordPage
from attio_mcp.toolsets import R_ENTRY, R_OBJ, R_REC
from attio_mcp.workspace import TargetSchema, Workspace, WorkspaceError
from attio_mcp.workspace.compile import compile_filter, compile_sorts
from attio_mcp.workspace.errors import did_you_mean
from attio_mcp.workspace.interpret import Interpreted
from attio_mcp.workspace.page import split_page
from attio_mcp.workspace.query import check_fields, combine_filters, text_query_filter
from attio_mcp.workspace.render import flatten_record, hoist_web_urls
from attio_mcp.workspace.values import require_uuid

Query = Annotated[str | None, Field(description="Text in name, domain, email or phone", max_length=256)]
Filter = Annotated[
    dict[str, Any] | None,
    Field(description='e.g. {"stage":"Lead","deal_value":{"$gt":5000},"company":{"name":"Acme"}}'),
]
Sorts = Annotated[
    list[dict[str, Any]] | None,
    Field(description="[{attribute, direction: asc|desc}]", max_length=10),
]
MatchingAttribute = Annotated[str, Field(description="Unique attribute slug, e.g. domains", max_length=100)]


class RecordEntry(BaseModel):
    list_id: str | None = None
    list_api_slug: str | None = None
    entry_id: str | None = None
    created_at: str | None = None


class RecordEntries(BaseModel):
    """The list entries of one record."""

    entries: list[RecordEntry]
    interpreted: list[str] | None = None


@tool("records", title="Search records", read_only=True, idempotent=True)
async def records_search(
    ctx: Context,
    resource_type: ResourceType,
    query: Query = None,
    filter: Filter = None,
    sorts: Sorts = None,
    fields: Fields = None,
    limit: Limit = 10,
    offset: Offset = 0,
) -> RecordPage:
    """Find records by text query and/or filter. Filter ops: $eq $ne $gt $gte $lt $lte $in $nin $contains
    $starts_with $not_empty, $and $or $not."""
    notes = Interpreted()
    d, schema = await _object(ctx, resource_type, notes)
    projected = check_fields(schema, fields, notes)
    where = await compile_filter(d, schema, filter, notes) if filter is not None else None
    order = await compile_sorts(d, schema, sorts, notes) if sorts else None
    text = (query or "").strip()
    combined = combine_filters(where, text_query_filter(schema, text) if text else None)
    rows = await d.call(
        d.client.query_records(schema.slug, filter=combined, sorts=order, limit=limit + 1, offset=offset),
        target=schema,
    )
    page, more = split_page(rows, limit)
    records = [flatten_record(r, schema.slug, schema, fields=projected) for r in page]
    template = hoist_web_urls(records)  # one URL pattern instead of one URL per record
    return RecordPage.of(
        [FlatRecord(**r) for r in records],
        more=more,
        offset=offset,
        web_url=template,
        interpreted=notes.out(),
    )


@tool("records", title="Get record", read_only=True, idempotent=True)
async def records_get(
    ctx: Context, resource_type: ResourceType, record_id: RecordId, fields: Fields = None
) -> FlatRecord:
    """Get one record by id."""
    rid = require_uuid(record_id, "record_id")
    notes = Interpreted()
    d, schema = await _object(ctx, resource_type, notes)
    projected = check_fields(schema, fields, notes)
    record = await d.call(
        d.client.get_record(schema.slug, rid), target=schema, subject=f"{schema.slug} record {rid}"
    )
    return _out(flatten_record(record, schema.slug, schema, fields=projected), notes)


@tool("records", title="Create record")
async def records_create(ctx: Context, resource_type: ResourceType, data: Data) -> FlatRecord:
    """Create a record from attribute values."""
    notes = Interpreted()
    d, schema = await _object(ctx, resource_type, notes)
    values = await d.prepare(schema, data, for_create=True, notes=notes)
    record = await d.call(d.client.create_record(schema.slug, values), target=schema)
    return _out(flatten_record(record, schema.slug, schema), notes)


# Destructive: overwrite mode removes multiselect values that are not sent. Not idempotent: append mode adds
# the same multiselect values again on a repeat call.
@tool("records", title="Update record", destructive=True)
async def records_update(
    ctx: Context, resource_type: ResourceType, record_id: RecordId, data: Data, mode: Mode = "append"
) -> FlatRecord:
    """Update some attributes of a record."""
    rid = require_uuid(record_id, "record_id")
    require_changes(data, "data", "pass at least one attribute to change.")
    notes = Interpreted()
    d, schema = await _object(ctx, resource_type, notes)
    values = await d.prepare(schema, data, for_create=False, append=mode == "append", notes=notes)
    record = await d.call(
        d.client.update_record(schema.slug, rid, values, overwrite=mode == "overwrite"),
        target=schema,
        subject=f"{schema.slug} record {rid}",
    )
    return _out(flatten_record(record, schema.slug, schema), notes)


# Destructive: a match has its single-value attributes and its other multiselects replaced. Idempotent: the
# same call twice leaves one record in the same state.
@tool("records", title="Upsert record", destructive=True, idempotent=True)
async def records_upsert(
    ctx: Context, resource_type: ResourceType, matching_attribute: MatchingAttribute, data: Data
) -> FlatRecord:
    """Update the record whose matching_attribute equals its value in data, or create it."""
    notes = Interpreted()
    d, schema = await _object(ctx, resource_type, notes)
    unique = [a.slug for a in schema.attributes.values() if a.unique and not a.archived]
    attr, candidates = schema.find(matching_attribute)
    if attr is not None and matching_attribute not in (attr.slug, attr.id):
        notes.add("matching_attribute", matching_attribute, attr.slug)
    if attr is None or not attr.unique:
        if attr is None:
            close = [a.slug for a in candidates] or did_you_mean(matching_attribute, list(schema.attributes))
            problem = f"{schema.slug} has no attribute {matching_attribute!r}"
            problem += f"; did you mean {', '.join(close)}?" if close else ""
        else:
            problem = (
                f"{attr.slug} is not a unique attribute of {schema.slug}, so it cannot identify a record"
            )
        next_step = (
            "match on one of the unique attributes listed."
            if unique
            else f"{schema.slug} has no unique attribute: use records_search, then records_create or records_update."
        )
        raise WorkspaceError(
            "VALIDATION_ERROR", problem, field="matching_attribute", options=unique, next_step=next_step
        )
    values = await d.prepare(schema, data, for_create=True, notes=notes)
    if values.get(attr.slug) in (None, []):
        raise WorkspaceError(
            "VALIDATION_ERROR",
            f"data has no value for the matching attribute {attr.slug}",
            field=attr.slug,
            next_step=f"add {attr.slug} to data.",
        )
    record = await d.call(d.client.assert_record(schema.slug, attr.slug, values), target=schema)
    return _out(flatten_record(record, schema.slug, schema), notes)


# Idempotent: deleting again changes nothing (the second call reports NOT_FOUND; the end state is the same).
@tool("records", title="Delete record", destructive=True, idempotent=True)
async def records_delete(ctx: Context, resource_type: ResourceType, record_id: RecordId) -> Deleted:
    """Delete a record permanently."""
    rid = require_uuid(record_id, "record_id")
    notes = Interpreted()
    d, schema = await _object(ctx, resource_type, notes)
    await d.call(
        d.client.delete_record(schema.slug, rid), target=schema, subject=f"{schema.slug} record {rid}"
    )
    return Deleted(deleted=True, id=rid, interpreted=notes.out())


@tool(
    "records", title="Record's list entries", read_only=True, idempotent=True, scopes=(R_REC, R_OBJ, R_ENTRY)
)
async def records_get_entries(
    ctx: Context, resource_type: ResourceType, record_id: RecordId
) -> RecordEntries:
    """List the list entries of a record: list id and slug, entry id."""
    rid = require_uuid(record_id, "record_id")
    notes = Interpreted()
    d, schema = await _object(ctx, resource_type, notes)
    rows = await d.call(
        d.client.list_record_entries(schema.slug, rid, limit=1000),
        target=schema,
        subject=f"{schema.slug} record {rid}",
    )
    return RecordEntries(
        entries=[
            RecordEntry(
                list_id=r.list_id, list_api_slug=r.list_api_slug, entry_id=r.entry_id, created_at=r.created_at
            )
            for r in rows
        ],
        interpreted=notes.out(),
    )


# -- helpers -------------------------------------------------------------------------------------------


async def _object(ctx: Context, resource_type: str, notes: Interpreted) -> tuple[Workspace, TargetSchema]:
    d = workspace_of(ctx)
    return d, await d.object(resource_type, notes=notes)


def _out(record: dict[str, Any], notes: Interpreted) -> FlatRecord:
    """The flattened record, with ``interpreted`` when something was (an attribute of that slug yields)."""
    return FlatRecord(**{**record, "interpreted": notes.out()} if notes else record)
