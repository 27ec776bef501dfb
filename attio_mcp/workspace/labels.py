"""Readable labels for the ids that reports show: actors by member email, records by name.

A report names at most a page of records and members, so labels cost one members call (cached by the
workspace) and one records query per referenced object (``record_id $in``, 500 ids a request).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from attio_mcp.attio import Record
from attio_mcp.workspace.context import Workspace
from attio_mcp.workspace.errors import LookupFailure
from attio_mcp.workspace.render import flatten_values
from attio_mcp.workspace.schema import TargetSchema

__all__ = ["actor_label", "member_labels", "record_label", "record_names"]

_LABEL_TYPES = ("personal-name", "email-address", "domain")
_CHUNK = 500


async def member_labels(d: Workspace) -> dict[str, str]:
    """Workspace member id -> email address (or name, when a member has no email)."""
    return {
        m.workspace_member_id: m.email_address or m.full_name or m.workspace_member_id
        for m in await d.members()
        if m.workspace_member_id
    }


def actor_label(actor: Mapping[str, Any] | None, members: Mapping[str, str]) -> str | None:
    """An actor (``created_by_actor`` or an actor-reference value) as a member's email, ``system``,
    ``api-token`` or ``app:<id>``."""
    if not actor:
        return None
    kind = actor.get("type") or actor.get("referenced_actor_type")
    ident = actor.get("id") or actor.get("referenced_actor_id")
    if kind == "workspace-member" and isinstance(ident, str):
        return members.get(ident, ident)
    if kind in (None, "system", "api-token") or ident is None:
        return str(kind) if kind else None
    return f"{kind}:{ident}"


def _label_slug(schema: TargetSchema | None) -> str:
    if schema is None or "name" in schema.attributes:
        return "name"
    for kind in _LABEL_TYPES:
        found = next((a.slug for a in schema.attributes.values() if a.type == kind), None)
        if found:
            return found
    unique = next((a.slug for a in schema.attributes.values() if a.type == "text" and a.unique), None)
    return unique or "name"


def record_label(record: Record, schema: TargetSchema | None) -> str | None:
    """What names a record: ``name``, else its person name, email, domain or unique text."""
    slug = _label_slug(schema)
    value = flatten_values(record.values, schema, fields=[slug]).get(slug)
    if isinstance(value, list):
        value = value[0] if value else None
    return None if value is None else str(value)


async def record_names(d: Workspace, refs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """(object slug, record id) pairs -> record id: name, for the records that exist and have one."""
    by_object: dict[str, list[str]] = {}
    for obj, ident in refs:
        ids = by_object.setdefault(obj, [])
        if ident not in ids:
            ids.append(ident)
    names: dict[str, str] = {}
    for obj, ids in by_object.items():
        try:
            schema = await d.schema.object(obj)
        except LookupFailure:
            continue  # an object the token cannot see: its records keep their ids
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            query = d.client.query_records(
                schema.slug, filter={"record_id": {"$in": chunk}}, limit=len(chunk)
            )
            for record in await d.call(query, target=schema):
                label = record_label(record, schema)
                if record.record_id and label:
                    names[record.record_id] = label
    return names
