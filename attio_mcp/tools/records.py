"""Records tools: search, read, create, update, upsert and delete records of any object, and a record's entries.

Every tool resolves ``resource_type`` through the schema cache (slug, UUID or noun), validates writes against
the live schema before sending them, and returns records flattened by ``_flatten``. When Attio rejects a
request for a schema reason (an unknown attribute or option, a missing required value), the object's cached
schema is dropped so the next call sees the current one; the error is still reported.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context
from pydantic import Field

from attio_mcp.attio import AttioError, AttioStatusError
from attio_mcp.tools._convert import prepare_payload
from attio_mcp.tools._deps import Deps, deps
from attio_mcp.tools._errors import ToolFailure, failure_from_attio
from attio_mcp.tools._flatten import flatten_record, hoist_web_urls
from attio_mcp.tools._params import Data, Fields, Limit, Offset, RecordId, ResourceType, require_uuid
from attio_mcp.tools._records_query import (
    check_fields,
    check_filter,
    check_sorts,
    combine_filters,
    text_query_filter,
)
from attio_mcp.tools._registry import tool
from attio_mcp.tools._schema import TargetSchema
from attio_mcp.tools._suggest import did_you_mean
from attio_mcp.tools.schema import object_schema

Query = Annotated[str | None, Field(description="Text in name, domain, email or phone", max_length=256)]
Filter = Annotated[dict[str, Any] | None, Field(description='Attio filter, e.g. {"stage":"Lead"}')]
Sorts = Annotated[
    list[dict[str, Any]] | None,
    Field(description="[{attribute, direction: asc|desc}]", max_length=10),
]
Mode = Annotated[
    Literal["append", "overwrite"], Field(description="append adds to multiselects, overwrite replaces")
]
MatchingAttribute = Annotated[str, Field(description="Unique attribute slug, e.g. domains", max_length=100)]

# 400s that can mean the cached schema is stale: an attribute, option or status that is gone, a newly
# required or read-only attribute. A missing target record or member says nothing about the schema.
_SCHEMA_CODES = frozenset({"missing_value", "system_edit_unauthorized"})
_LOOKUP_CODES = frozenset({"value_not_found", "filter_error"})
_SCHEMA_WORDS = ("attribute", "option", "status")
_ATTR_ID_RE = re.compile(r'attribute with (?:slug/)?ID "([^"]+)"', re.IGNORECASE)


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
) -> dict[str, Any]:
    """Find records by text query and/or Attio filter, one page at a time."""
    d, schema = await _object(ctx, resource_type)
    projected = check_fields(schema, fields)
    where = check_filter(schema, filter) if filter is not None else None
    order = check_sorts(schema, sorts) if sorts else None
    text = (query or "").strip()
    combined = combine_filters(where, text_query_filter(schema, text) if text else None)
    try:
        rows = await d.client.query_records(
            schema.slug, filter=combined, sorts=order, limit=limit + 1, offset=offset
        )
    except AttioError as exc:
        raise _failure(d, schema, exc) from None
    records = [flatten_record(r, schema.slug, schema, fields=projected) for r in rows[:limit]]
    template = hoist_web_urls(records)  # one URL pattern instead of one URL per record
    out: dict[str, Any] = {"records": records, "has_more": len(rows) > limit}
    if template:
        out["web_url"] = template
    if out["has_more"]:
        out["next_offset"] = offset + limit
    return out


@tool("records", title="Get record", read_only=True, idempotent=True)
async def records_get(
    ctx: Context, resource_type: ResourceType, record_id: RecordId, fields: Fields = None
) -> dict[str, Any]:
    """Get one record by id."""
    rid = require_uuid(record_id, "record_id")
    d, schema = await _object(ctx, resource_type)
    projected = check_fields(schema, fields)
    try:
        record = await d.client.get_record(schema.slug, rid)
    except AttioError as exc:
        raise _failure(d, schema, exc, subject=f"{schema.slug} record {rid}") from None
    return flatten_record(record, schema.slug, schema, fields=projected)


@tool("records", title="Create record")
async def records_create(ctx: Context, resource_type: ResourceType, data: Data) -> dict[str, Any]:
    """Create a record from attribute values."""
    d, schema = await _object(ctx, resource_type)
    values = await prepare_payload(d, schema, data, for_create=True)
    try:
        record = await d.client.create_record(schema.slug, values)
    except AttioError as exc:
        raise _failure(d, schema, exc, write=True) from None
    return flatten_record(record, schema.slug, schema)


# Destructive: overwrite mode removes multiselect values that are not sent. Not idempotent: append mode adds
# the same multiselect values again on a repeat call.
@tool("records", title="Update record", destructive=True)
async def records_update(
    ctx: Context, resource_type: ResourceType, record_id: RecordId, data: Data, mode: Mode = "append"
) -> dict[str, Any]:
    """Update some attributes of a record."""
    rid = require_uuid(record_id, "record_id")
    if not data:
        raise ToolFailure(
            "VALIDATION_ERROR",
            "data is empty",
            field="data",
            next_step="pass at least one attribute to change.",
        )
    d, schema = await _object(ctx, resource_type)
    values = await prepare_payload(d, schema, data, for_create=False)
    try:
        record = await d.client.update_record(schema.slug, rid, values, overwrite=mode == "overwrite")
    except AttioError as exc:
        raise _failure(d, schema, exc, subject=f"{schema.slug} record {rid}", write=True) from None
    return flatten_record(record, schema.slug, schema)


# Destructive: a match has its single-value attributes and its other multiselects replaced. Idempotent: the
# same call twice leaves one record in the same state.
@tool("records", title="Upsert record", destructive=True, idempotent=True)
async def records_upsert(
    ctx: Context, resource_type: ResourceType, matching_attribute: MatchingAttribute, data: Data
) -> dict[str, Any]:
    """Update the record whose matching_attribute equals its value in data, or create it."""
    d, schema = await _object(ctx, resource_type)
    unique = [a.slug for a in schema.attributes.values() if a.unique and not a.archived]
    attr = schema.get(matching_attribute)
    if attr is None or not attr.unique:
        if attr is None:
            close = did_you_mean(matching_attribute, list(schema.attributes))
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
        raise ToolFailure(
            "VALIDATION_ERROR", problem, field="matching_attribute", options=unique, next_step=next_step
        )
    values = await prepare_payload(d, schema, data, for_create=True)
    if values.get(attr.slug) in (None, []):
        raise ToolFailure(
            "VALIDATION_ERROR",
            f"data has no value for the matching attribute {attr.slug}",
            field=attr.slug,
            next_step=f"add {attr.slug} to data.",
        )
    try:
        record = await d.client.assert_record(schema.slug, attr.slug, values)
    except AttioError as exc:
        raise _failure(d, schema, exc, write=True) from None
    return flatten_record(record, schema.slug, schema)


# Idempotent: deleting again changes nothing (the second call reports NOT_FOUND; the end state is the same).
@tool("records", title="Delete record", destructive=True, idempotent=True)
async def records_delete(ctx: Context, resource_type: ResourceType, record_id: RecordId) -> dict[str, Any]:
    """Delete a record permanently."""
    rid = require_uuid(record_id, "record_id")
    d, schema = await _object(ctx, resource_type)
    try:
        await d.client.delete_record(schema.slug, rid)
    except AttioError as exc:
        raise _failure(d, schema, exc, subject=f"{schema.slug} record {rid}", write=True) from None
    return {"deleted": True, "id": rid}


@tool("records", title="Record's list entries", read_only=True, idempotent=True)
async def records_get_entries(
    ctx: Context, resource_type: ResourceType, record_id: RecordId
) -> dict[str, Any]:
    """List the list entries of a record: list id and slug, entry id."""
    rid = require_uuid(record_id, "record_id")
    d, schema = await _object(ctx, resource_type)
    try:
        rows = await d.client.list_record_entries(schema.slug, rid, limit=1000)
    except AttioError as exc:
        raise _failure(d, schema, exc, subject=f"{schema.slug} record {rid}") from None
    keys = ("list_id", "list_api_slug", "entry_id", "created_at")
    return {"entries": [{k: getattr(r, k) for k in keys if getattr(r, k) is not None} for r in rows]}


# -- helpers -------------------------------------------------------------------------------------------


async def _object(ctx: Context, resource_type: str) -> tuple[Deps, TargetSchema]:
    d = deps(ctx)
    return d, await object_schema(d, resource_type)


def _failure(
    d: Deps, schema: TargetSchema, exc: AttioError, *, subject: str | None = None, write: bool = False
) -> ToolFailure:
    """Translate a client error; drop a possibly stale schema and name the attribute Attio complained about."""
    if _schema_related(exc):
        d.schema.invalidate(schema.id)
    failure = failure_from_attio(exc, subject=subject, write=write)
    if failure.field is None and (match := _ATTR_ID_RE.search(exc.message or "")):
        attr = schema.get(match.group(1))
        if attr is not None:
            failure = ToolFailure(
                failure.code,
                failure.message,
                field=attr.slug,
                next_step=failure.next_step,
                options=failure.options,
            )
    return failure


def _schema_related(exc: AttioError) -> bool:
    if not isinstance(exc, AttioStatusError) or exc.status != 400:
        return False
    if exc.code in _SCHEMA_CODES:
        return True
    text = (exc.message or "").lower()
    return exc.code in _LOOKUP_CODES and "record" not in text and any(w in text for w in _SCHEMA_WORDS)
