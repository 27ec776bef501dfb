"""Records named the way people name them: a record reference given as a name, domain or email, not an id.

``find_records`` runs one records query per candidate object (the text query of ``records_search``: names,
domains, emails, phones), and sorts the hits into exact matches (the whole name, a domain or an email,
case-insensitively) and partial ones. ``resolve_one`` is the policy for a write, where one record must be
meant: one exact match, or else one partial match, is taken and noted in ``interpreted``; none or several
fail listing the candidates with their ids.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from attio_mcp.workspace.errors import WorkspaceError
from attio_mcp.workspace.interpret import Interpreted, show
from attio_mcp.workspace.query import text_query_filter
from attio_mcp.workspace.render import flatten_record
from attio_mcp.workspace.schema import TargetSchema
from attio_mcp.workspace.values import UUID_RE, require_uuid

if TYPE_CHECKING:
    from attio_mcp.workspace.context import Workspace

__all__ = ["Match", "find_records", "id_or_name", "label_slug", "record_id", "resolve_one"]

_LIMIT = 10
_LABEL_TYPES = ("personal-name", "email-address", "domain")
_OBJECT_ID = re.compile(r"^([\w-]+):([0-9a-f-]{36})$", re.IGNORECASE)
_BROKEN_ID = re.compile(r"^[0-9a-f]{6,}(-[0-9a-f]*)*$|^[0-9a-f-]{20,}$", re.IGNORECASE)


@dataclass(frozen=True)
class Match:
    """A record a name could mean: its object, id and label, and whether the name matched it whole."""

    object: str
    id: str
    label: str
    exact: bool

    def choice(self) -> str:
        return f"{self.label} ({self.object} {self.id})"


def id_or_name(value: str) -> tuple[str | None, str | None]:
    """``(object or None, record id)`` for an id or ``"people:<id>"``; ``(None, None)`` for anything else."""
    text = value.strip()
    if UUID_RE.match(text):
        return None, text.lower()
    if (m := _OBJECT_ID.match(text)) and UUID_RE.match(m[2]):
        return m[1], m[2].lower()
    return None, None


def label_slug(schema: TargetSchema) -> str | None:
    """The attribute that names a record: ``name``, else a personal name, email, domain or unique text."""
    if "name" in schema.attributes:
        return "name"
    for kind in _LABEL_TYPES:
        found = next((a.slug for a in schema.attributes.values() if a.type == kind), None)
        if found:
            return found
    return next((a.slug for a in schema.attributes.values() if a.type == "text" and a.unique), None)


def _texts(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [str(v).casefold() for v in items if v not in (None, "")]


async def find_records(ws: Workspace, objects: Sequence[str], text: str) -> list[Match]:
    """Records of ``objects`` whose name, domain, email or phone holds ``text``; exact matches first."""
    wanted = text.strip().casefold()
    host = re.sub(r"^(https?://)?(www\.)?", "", wanted).rstrip("/")
    found: list[Match] = []
    for slug in objects:
        schema = await ws.schema.object(slug)
        try:
            where = text_query_filter(schema, text.strip())
        except WorkspaceError:
            continue  # an object with nothing a name can match
        rows = await ws.call(ws.client.query_records(schema.slug, filter=where, limit=_LIMIT), target=schema)
        label = label_slug(schema)
        for row in rows:
            flat = flatten_record(row, schema.slug, schema)
            names = _texts(flat.get(label)) if label else []
            keys = names + _texts(flat.get("domains")) + _texts(flat.get("email_addresses"))
            exact = wanted in keys or host in _texts(flat.get("domains"))
            value = flat.get(label) if label else None
            first = value[0] if isinstance(value, list) and value else value
            shown = str(first or flat.get("id"))
            found.append(Match(schema.slug, str(flat.get("id")), shown, exact))
    return sorted(found, key=lambda m: not m.exact)


async def resolve_one(
    ws: Workspace,
    objects: Sequence[str],
    text: str,
    *,
    where: str,
    notes: Interpreted | None,
    exact_only: bool = False,
) -> Match:
    """The one record ``text`` names among ``objects``: the one exact match, else the one partial match
    (unless ``exact_only``), noted; or VALIDATION_ERROR listing the candidates with their ids."""
    matches = await find_records(ws, objects, text)
    exact = [m for m in matches if m.exact]
    pick = exact if exact or exact_only else matches
    kinds = " or ".join(objects)
    if len(pick) == 1:
        match = pick[0]
        if notes is not None:
            named = "" if match.exact else f"{show(match.label)} "
            notes.add(where, text, f"{named}{match.object} {show(match.id)}")
        return match
    if not pick:
        partial = "; records whose name holds it are listed in Valid" if matches else ""
        raise WorkspaceError(
            "VALIDATION_ERROR",
            f"no {kinds} record is named {text!r} (or has it as a domain or email){partial}",
            field=where,
            options=[m.choice() for m in matches],
            next_step=f"pass the record's id (records_search finds it), or create the {kinds} record first.",
        )
    raise WorkspaceError(
        "VALIDATION_ERROR",
        f"{len(pick)} {kinds} records match {text!r}",
        field=where,
        options=[m.choice() for m in pick],
        next_step="pass the id of the one you mean (listed in Valid).",
    )


async def record_id(
    ws: Workspace, objects: Sequence[str], value: str, *, field: str, notes: Interpreted | None
) -> str:
    """A record-id parameter: the id as given, or (with ``notes``) the one record of ``objects`` a name,
    domain or email names. Something shaped like a mistyped id is refused as one, before any request."""
    _, rid = id_or_name(value)
    if rid is not None:
        return rid
    if notes is None or not value.strip() or _BROKEN_ID.match(value.strip()):
        return require_uuid(value, field)
    return (await resolve_one(ws, objects, value, where=field, notes=notes)).id
