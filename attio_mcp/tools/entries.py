"""List entry tools: page, filter, add, update and remove the entries of a list.

Entries come back compact: ``{entry_id, record_id, object, record: {name, …}, <entry attribute>: value}``.
``record`` summarises the parent record; the parents of a page are fetched with one records query per
parent object (``record_id $in``), never one request per entry. ``fields`` may name entry attributes and
parent-record attributes; the latter are added to ``record``.
"""

from __future__ import annotations

import builtins
import re
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Annotated, Any

import anyio
from mcp.server.mcpserver import Context
from pydantic import BaseModel, ConfigDict, Field

from attio_mcp.attio import AttioError
from attio_mcp.tools._params import EntryId, Fields, Limit, ListId, Mode, Offset, RecordId, require_changes
from attio_mcp.tools._registry import tool, workspace_of
from attio_mcp.tools._results import Deleted
from attio_mcp.workspace import Subject, TargetSchema, Workspace, WorkspaceError
from attio_mcp.workspace.compile import FilterInputError, compile_filter
from attio_mcp.workspace.entries import parent_schemas, render_entries, split_fields
from attio_mcp.workspace.entry_query import FilterType, parent_record_filter
from attio_mcp.workspace.interpret import Interpreted
from attio_mcp.workspace.lookup import record_id as named_record
from attio_mcp.workspace.page import Page, split_page
from attio_mcp.workspace.values import require_uuid

EntryValues = Annotated[dict[str, Any], Field(description="Entry attribute slug -> value")]
OptionalEntryValues = Annotated[dict[str, Any] | None, Field(description="Entry attribute slug -> value")]
Attribute = Annotated[str | None, Field(description="Entry or parent-record attribute slug, or record_id")]
Value = Annotated[Any, Field(description="Value to compare (array for in)")]
Filter = Annotated[
    dict[str, Any] | None,
    Field(description='Attio filter instead of attribute, e.g. {"priority":"High","stage":{"$ne":"Lead"}}'),
]
# filter_type -> the operator it is compiled as (with the value as its operand).
_SIMPLE_OPS = {
    "equals": "$eq",
    "not_equals": "$ne",
    "contains": "$contains",
    "starts_with": "$starts_with",
    "ends_with": "$ends_with",
    "greater_than": "$gt",
    "greater_than_or_equal": "$gte",
    "less_than": "$lt",
    "less_than_or_equal": "$lte",
    "is_empty": "$empty",
    "is_not_empty": "$not_empty",
    "in": "$in",
}
Parent = Annotated[str | None, Field(description="Record's object slug (if the list has several)")]

_FIND_ENTRY = "list_entries_filter with attribute record_id finds a record's entry id."


class FlatEntry(BaseModel):
    """A list entry: ``{entry_id, record_id, object, created_at, record, <entry attribute slug>: value, …}``."""

    model_config = ConfigDict(extra="allow")

    entry_id: str | None = None
    record_id: str | None = None
    object: str | None = None
    created_at: str | None = None
    record: dict[str, Any] | None = None
    already_in_list: bool | None = None
    note: str | None = None
    interpreted: list[str] | None = None


class EntryPage(Page[FlatEntry]):
    """A page of a list's entries."""

    ITEMS = "entries"

    entries: list[FlatEntry]
    list: str
    interpreted: builtins.list[str] | None = None  # builtins: ``list`` above is a field name


@tool("lists", title="Get list entries", read_only=True, idempotent=True)
async def list_entries_get(
    ctx: Context, list_id: ListId, limit: Limit = 20, offset: Offset = 0, fields: Fields = None
) -> EntryPage:
    """Page through a list's entries: entry values plus the parent record's name."""
    notes = Interpreted()
    d, lst = await _list(ctx, list_id, notes)
    return await _page(d, lst, None, limit, offset, fields, notes)


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
) -> EntryPage:
    """Filter a list's entries by an entry or parent-record attribute, record_id, or an Attio filter."""
    if (attribute is None) == (filter is None):
        raise WorkspaceError(
            "VALIDATION_ERROR",
            "give either attribute (with filter_type and value) or filter",
            field="attribute",
            next_step='e.g. {"attribute": "priority", "filter_type": "equals", "value": "High"}.',
        )
    if filter is None and value is None and filter_type not in ("is_empty", "is_not_empty"):
        raise WorkspaceError(
            "VALIDATION_ERROR",
            f"{filter_type} needs a value",
            field="value",
            next_step="pass value, or use is_empty / is_not_empty, which take none.",
        )
    notes = Interpreted()
    d, lst = await _list(ctx, list_id, notes)
    parents = await parent_schemas(d, lst)
    if filter is None:
        op = _SIMPLE_OPS[filter_type]
        simple = {attribute or "": {op: True if op in ("$empty", "$not_empty") else value}}
        try:
            where = await compile_filter(d, lst, simple, notes, parents=parents, where="attribute")
        except FilterInputError as err:
            raise _in_simple_terms(err) from None
    else:
        where = await compile_filter(d, lst, filter, notes, parents=parents)
    return await _page(d, lst, where, limit, offset, fields, notes)


class _KeyedLocks:
    """One lock per key, kept while a call holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[tuple[str, ...], tuple[anyio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, key: tuple[str, ...]) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (None, 0))
        lock = lock or anyio.Lock()
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            users = self._locks[key][1] - 1
            if users:
                self._locks[key] = (lock, users)
            else:
                del self._locks[key]


# Adds of one record to one list run one at a time in this process, so the "already there?" check and the
# add cannot interleave (20 parallel adds used to make up to 3 entries). Across processes nothing is shared.
_ADDING = _KeyedLocks()


# Not idempotent: allow_duplicate adds another entry on every call (without it, a repeat returns the entry).
@tool("lists", title="Add record to list")
async def list_entries_add(
    ctx: Context,
    list_id: ListId,
    record_id: RecordId,
    resource_type: Parent = None,
    attributes: OptionalEntryValues = None,
    allow_duplicate: Annotated[bool, Field(description="Add even if already in the list")] = False,
) -> FlatEntry:
    """Add a record to a list, or return its entry with already_in_list=true if there; parallel adds make one
    entry (in one server process, not across several).
    """
    notes = Interpreted()
    d, lst = await _list(ctx, list_id, notes)
    parent = await _parent_object(d, lst, resource_type, notes)
    rid = await named_record(d, [parent], record_id, field="record_id", notes=notes)
    values = await _entry_values(d, lst, attributes or {}, for_create=True, record=(parent, rid), notes=notes)
    if allow_duplicate:
        return await _add_entry(d, lst, parent, rid, values, notes)
    async with _ADDING.hold((lst.id, parent, rid)):
        where = parent_record_filter(lst, [parent], [rid])
        found = await d.call(d.client.query_entries(lst.id, filter=where, limit=1), target=lst)
        if found:
            out = (await render_entries(d, lst, found[:1]))[0]
            out["already_in_list"] = True
            if values:
                out["note"] = "attributes not applied; use list_entries_update"
            return FlatEntry(**out, interpreted=notes.out())
        return await _add_entry(d, lst, parent, rid, values, notes)


async def _add_entry(
    d: Workspace, lst: TargetSchema, parent: str, rid: str, values: dict[str, Any], notes: Interpreted
) -> FlatEntry:
    entry = await d.call(
        d.client.create_entry(lst.id, parent, rid, values),
        target=lst,
        subject=Subject(f"{parent} record {rid}", "record_id", "records_search finds record ids."),
        missing_reference=True,
    )
    return FlatEntry(**(await render_entries(d, lst, [entry]))[0], interpreted=notes.out())


# Destructive: null clears an entry value; overwrite replaces multiselects. Not idempotent: append adds.
@tool("lists", title="Update list entry", destructive=True)
async def list_entries_update(
    ctx: Context, list_id: ListId, entry_id: EntryId, attributes: EntryValues, mode: Mode = "append"
) -> FlatEntry:
    """Update a list entry's own attributes; the parent record's attributes need records_update."""
    eid = require_uuid(entry_id, "entry_id")
    require_changes(attributes, "attributes", "pass entry attribute slugs and values; lists_get shows them.")
    notes = Interpreted()
    d, lst = await _list(ctx, list_id, notes)
    values = await _entry_values(
        d, lst, attributes, for_create=False, entry_id=eid, append=mode == "append", notes=notes
    )
    entry = await d.call(
        d.client.update_entry(lst.id, eid, values, overwrite=mode == "overwrite"),
        target=lst,
        subject=_entry(lst, eid),
    )
    return FlatEntry(**(await render_entries(d, lst, [entry]))[0], interpreted=notes.out())


@tool("lists", title="Remove list entry", destructive=True, idempotent=True)
async def list_entries_remove(ctx: Context, list_id: ListId, entry_id: EntryId) -> Deleted:
    """Remove an entry from a list; the parent record is kept."""
    eid = require_uuid(entry_id, "entry_id")
    notes = Interpreted()
    d, lst = await _list(ctx, list_id, notes)
    await d.call(d.client.delete_entry(lst.id, eid), target=lst, subject=_entry(lst, eid))
    return Deleted(deleted=True, id=eid, interpreted=notes.out())


# -- helpers --------------------------------------------------------------------------------------------


def _in_simple_terms(err: FilterInputError) -> WorkspaceError:
    """A compiler error about ``{attribute: {op: value}}`` told in the simple form's parameters."""
    words = {op: name for name, op in _SIMPLE_OPS.items()}
    message = re.sub(r"\$[a-z_]+", lambda m: words.get(m.group(0), m.group(0)), err.message)
    field = {"attribute": "attribute", "operator": "filter_type"}.get(err.part, "value")
    options = [words[o] for o in err.options if o in words] if err.part == "operator" else err.options
    next_step = (
        "use one of the filter_type values listed in Valid." if err.part == "operator" else err.next_step
    )
    return WorkspaceError("VALIDATION_ERROR", message, field=field, next_step=next_step, options=options)


async def _page(
    d: Workspace,
    lst: TargetSchema,
    where: Mapping[str, Any] | None,
    limit: int,
    offset: int,
    fields: Fields,
    notes: Interpreted,
) -> EntryPage:
    split_fields(lst, await parent_schemas(d, lst), fields)  # a bad field fails before any entries query
    rows = await d.call(
        d.client.query_entries(lst.id, filter=where, limit=limit + 1, offset=offset), target=lst
    )
    page, more = split_page(rows, limit)
    entries = [FlatEntry(**e) for e in await render_entries(d, lst, page, fields)]
    return EntryPage.of(entries, more=more, offset=offset, list=lst.slug, interpreted=notes.out())


async def _parent_object(
    d: Workspace, lst: TargetSchema, resource_type: str | None, notes: Interpreted
) -> str:
    allowed = list(lst.parent_objects)
    if resource_type is None:
        if len(allowed) == 1:
            return allowed[0]
        raise WorkspaceError(
            "VALIDATION_ERROR",
            f"list {lst.slug} holds several objects; say which with resource_type",
            field="resource_type",
            options=allowed,
        )
    obj = await d.object(resource_type, notes=notes)
    if obj.slug in allowed or obj.id in allowed:
        return obj.slug
    raise WorkspaceError(
        "VALIDATION_ERROR",
        f"list {lst.slug} holds {', '.join(allowed)} records, not {obj.slug}",
        field="resource_type",
        options=allowed,
        next_step="pick a list whose parent object matches (lists_get_all shows them).",
    )


async def _entry_values(
    d: Workspace,
    lst: TargetSchema,
    data: Mapping[str, Any],
    *,
    for_create: bool,
    record: tuple[str, str] | None = None,
    entry_id: str | None = None,
    append: bool = False,
    notes: Interpreted | None = None,
) -> dict[str, Any]:
    """The entry write payload; a parent-record attribute fails with a pointer to records_update."""
    owners = await parent_schemas(d, lst)
    for key in data:
        if lst.get(str(key)) is not None or (notes is not None and lst.find(str(key))[0] is not None):
            continue
        owner = next((p for p in owners if p.get(str(key)) is not None), None)
        if owner is None:
            continue  # prepare_values reports it with a did-you-mean
        if record is None and entry_id is not None:
            record = await _entry_parent(d, lst, entry_id)
        target = f"resource_type {owner.slug}" + (f" and record_id {record[1]}" if record else "")
        raise WorkspaceError(
            "VALIDATION_ERROR",
            f"{key} is an attribute of the {owner.slug} record, not of entries in list {lst.slug}",
            field=str(key),
            next_step=f"set it with records_update ({target}); entry attributes are: {', '.join(lst.writable())}.",
        )
    return await d.prepare(lst, data, for_create=for_create, append=append, notes=notes)


async def _entry_parent(d: Workspace, lst: TargetSchema, entry_id: str) -> tuple[str, str] | None:
    try:
        entry = await d.client.get_entry(lst.id, entry_id)
    except AttioError:
        return None
    if entry.parent_object and entry.parent_record_id:
        return entry.parent_object, entry.parent_record_id
    return None


async def _list(ctx: Context, list_id: str, notes: Interpreted) -> tuple[Workspace, TargetSchema]:
    d = workspace_of(ctx)
    return d, await d.list(list_id, notes=notes)


def _entry(lst: TargetSchema, entry_id: str) -> Subject:
    return Subject(f"entry {entry_id} in list {lst.slug}", "entry_id", _FIND_ENTRY)
