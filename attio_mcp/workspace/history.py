"""``records_history`` and ``records_changes``: the values a record had, and the records that changed.

Attio keeps every value an attribute ever had, with ``active_from`` / ``active_until`` and the actor that set
it, and serves one attribute of one record at a time (``…/attributes/{attribute}/values?show_historic=true``,
oldest first; not for COMINT and enriched attributes).

Finding what changed across records is narrower: Attio has no "updated since" filter. A query can ask for
records *created* since a time (``created_at``) and for records whose current select or status value was set
since a time (``{"stage": {"active_from": {"$gte": …}}}``). Edits to any other attribute, and a select cleared
since, cannot be found that way; ``records_history`` shows them for one record.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel

from attio_mcp.workspace.context import Subject, Workspace
from attio_mcp.workspace.errors import WorkspaceError, did_you_mean
from attio_mcp.workspace.labels import actor_label, member_labels, record_label
from attio_mcp.workspace.page import Page, split_page
from attio_mcp.workspace.periods import filter_instant, parse_moment, stamp
from attio_mcp.workspace.render import flatten_values
from attio_mcp.workspace.scan import run_all
from attio_mcp.workspace.schema import AttrInfo, TargetSchema

__all__ = [
    "CHANGE_TYPES",
    "ChangedRecord",
    "ChangesPage",
    "HistoryResult",
    "attribute_history",
    "change_attributes",
    "changed_records",
    "history_attributes",
]

CHANGE_TYPES = ("select", "status")
HISTORY_PAGE = 100
_NO_HISTORY = ("interaction",)
_SAME_WRITE = timedelta(seconds=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class HistoryResult(BaseModel):
    """``rows`` follow ``columns`` ([attribute, value, from, until, by]), by attribute then time; ``until`` is
    null for a current value."""

    record_id: str
    columns: list[str]
    rows: list[list[Any]]


class ChangedRecord(BaseModel):
    """A record found by ``records_changes``: ``created_at`` when it was created since the time, and its select
    or status values set since then as [attribute, value, at, by] rows."""

    id: str
    name: str | None = None
    created_at: str | None = None
    changes: list[list[Any]] | None = None


class ChangesPage(Page[ChangedRecord]):
    ITEMS = "records"

    records: list[ChangedRecord]
    since: str


def _eligible(schema: TargetSchema, types: Sequence[str] | None) -> list[str]:
    return [
        a.slug
        for a in schema.attributes.values()
        if not a.archived and (a.type in types if types else a.type not in _NO_HISTORY)
    ]


def _unknown(schema: TargetSchema, name: str, field: str, options: list[str]) -> WorkspaceError:
    close = did_you_mean(name, list(schema.attributes))
    hint = f"did you mean {', '.join(close)}? " if close else ""
    return WorkspaceError(
        "VALIDATION_ERROR",
        f"{schema.slug} has no attribute {name!r}",
        field=field,
        options=options,
        next_step=f"{hint}attributes_list shows every slug.",
    )


def history_attributes(schema: TargetSchema, name: str | None) -> list[AttrInfo]:
    """The attribute named, or (no name) the object's status and select attributes."""
    if name is None:
        chosen = [a for a in schema.attributes.values() if a.type in CHANGE_TYPES and not a.archived]
        if not chosen:
            raise WorkspaceError(
                "VALIDATION_ERROR",
                f"{schema.slug} has no status or select attribute to show by default",
                field="attribute",
                options=_eligible(schema, None),
                next_step="name the attribute whose history you want.",
            )
        return chosen
    attr = schema.get(name)
    if attr is None:
        raise _unknown(schema, name, "attribute", _eligible(schema, None))
    if attr.type in _NO_HISTORY:
        raise WorkspaceError(
            "VALIDATION_ERROR",
            f"Attio keeps no history of {attr.slug} ({attr.type})",
            field="attribute",
            next_step="records_get shows its current value.",
        )
    return [attr]


def _render(value: Mapping[str, Any], attr: AttrInfo, members: Mapping[str, str]) -> Any:
    if attr.type == "actor-reference":
        return actor_label(value, members)
    shown = flatten_values({attr.slug: [{**value, "active_until": None}]}, None).get(attr.slug)
    if attr.type == "record-reference" and len(attr.allowed_objects) != 1:
        return f"{value.get('target_object')}:{value.get('target_record_id')}"
    return shown


async def _values(d: Workspace, schema: TargetSchema, record_id: str, attr: AttrInfo) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    subject = Subject(
        f"{schema.slug} record {record_id}", field="record_id", next_step="records_search finds record ids."
    )
    while True:
        call = d.client.list_record_values(
            schema.slug, record_id, attr.slug, show_historic=True, limit=HISTORY_PAGE, offset=len(out)
        )
        page = await d.call(call, target=schema, subject=subject)
        out += page
        if len(page) < HISTORY_PAGE:
            return out


def _when(text: object) -> str | None:
    moment = parse_moment(text)
    return stamp(moment) if moment else None


async def attribute_history(
    d: Workspace, schema: TargetSchema, record_id: str, attrs: Sequence[AttrInfo]
) -> HistoryResult:
    """Every value each of ``attrs`` had on the record, oldest first, read concurrently."""
    found: dict[str, list[dict[str, Any]]] = {}

    def read(attr: AttrInfo) -> Callable[[], Awaitable[None]]:
        async def job() -> None:
            found[attr.slug] = await _values(d, schema, record_id, attr)

        return job

    await run_all([read(attr) for attr in attrs])
    members = await member_labels(d)
    rows: list[list[Any]] = []
    for attr in attrs:
        history = sorted(found[attr.slug], key=lambda v: parse_moment(v.get("active_from")) or _EPOCH)
        for value in history:
            rows.append(
                [
                    attr.slug,
                    _render(value, attr, members),
                    _when(value.get("active_from")),
                    _when(value.get("active_until")),
                    actor_label(value.get("created_by_actor"), members),
                ]
            )
    return HistoryResult(
        record_id=record_id, columns=["attribute", "value", "from", "until", "by"], rows=rows
    )


def change_attributes(schema: TargetSchema, names: Sequence[str] | None) -> list[AttrInfo]:
    """The select and status attributes to watch: those named, or all of them."""
    eligible = _eligible(schema, CHANGE_TYPES)
    if not names:
        return [schema.attributes[s] for s in eligible]
    out: list[AttrInfo] = []
    for i, name in enumerate(names):
        attr = schema.get(name)
        if attr is None:
            raise _unknown(schema, name, f"attributes.{i}", eligible)
        if attr.type not in CHANGE_TYPES:
            raise WorkspaceError(
                "VALIDATION_ERROR",
                f"Attio can find changes by time only in select and status values; {attr.slug} is a {attr.type}",
                field=f"attributes.{i}",
                options=eligible,
                next_step="watch a select or status attribute; records_history shows any attribute of one record.",
            )
        if attr not in out:
            out.append(attr)
    return out


async def changed_records(
    d: Workspace,
    schema: TargetSchema,
    since: datetime,
    attrs: Sequence[AttrInfo],
    *,
    limit: int,
    offset: int,
) -> ChangesPage:
    """One page of the records created since ``since`` or whose ``attrs`` values were set since then."""
    at = filter_instant(since)
    clauses: list[dict[str, Any]] = [{"created_at": {"$gte": at}}]
    clauses += [{a.slug: {"active_from": {"$gte": at}}} for a in attrs]
    query = d.client.query_records(schema.slug, filter={"$or": clauses}, limit=limit + 1, offset=offset)
    page, more = split_page(await d.call(query, target=schema), limit)
    members = await member_labels(d) if page else {}
    out = []
    for record in page:
        created = parse_moment(record.created_at)
        changes = []
        for attr in attrs:
            for value in record.values.get(attr.slug) or ():
                moment = parse_moment(value.get("active_from"))
                if value.get("active_until") is not None or moment is None or moment < since:
                    continue
                if created is not None and created >= since and moment - created <= _SAME_WRITE:
                    continue  # set when the record was created: reported as the creation
                by = actor_label(value.get("created_by_actor"), members)
                changes.append([attr.slug, _render(value, attr, members), stamp(moment), by])
        out.append(
            ChangedRecord(
                id=record.record_id or "",
                name=record_label(record, schema),
                created_at=stamp(created) if created is not None and created >= since else None,
                changes=changes or None,
            )
        )
    return ChangesPage.of(out, more=more, offset=offset, since=stamp(since))
