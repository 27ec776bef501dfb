"""The connected workspace: the Attio client, its cached schema and members, and one error policy.

A ``Workspace`` is built once per server lifespan (or per caller, with per-request keys). Tools ask it for an
object's or list's schema (``object``/``list``/``target``), for write payloads (``prepare``), and send every
client call through :meth:`Workspace.call`, the single place where client errors become
:class:`WorkspaceError` and where a possibly stale cached schema is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from attio_mcp.attio import AttioClient, AttioError, AttioStatusError, NotFoundError, WorkspaceMember
from attio_mcp.workspace import dates
from attio_mcp.workspace.errors import NEXT_BY_CODE, LookupFailure, WorkspaceError, error_from_attio, field_of
from attio_mcp.workspace.interpret import Interpreted
from attio_mcp.workspace.schema import AttrInfo, SchemaCache, TargetSchema
from attio_mcp.workspace.values import EMAIL_RE, UUID_RE, host_of, prepare_values, refuse_append_clears

if TYPE_CHECKING:
    from attio_mcp.workspace.search.service import SearchService

T = TypeVar("T")

# 400s that can mean the cached schema is stale: an attribute, option or status that is gone, a newly
# required or read-only attribute. A missing target record or member says nothing about the schema.
_SCHEMA_CODES = frozenset({"missing_value", "system_edit_unauthorized", "unknown_filter_attribute_slug"})
_LOOKUP_CODES = frozenset({"value_not_found", "filter_error", "validation_type"})
_SCHEMA_WORDS = ("attribute", "option", "status")
# Attio names the attribute at fault in its messages: 'attribute with ID "…"', 'attribute with slug/ID "…"',
# 'attribute with slug "phone_numbers"' (its validation path then names a property, original_phone_number).
_ATTR_IN_MESSAGE = re.compile(r'attribute with (?:slug/ID|slug|ID) "([^"]+)"', re.IGNORECASE)
# The usual CRM names of the standard objects, read as them only when the workspace has no object by that name.
OBJECT_SYNONYMS = {
    **dict.fromkeys(("account", "accounts", "organization", "organizations", "organisation"), "companies"),
    **dict.fromkeys(("organisations", "org", "orgs"), "companies"),
    **dict.fromkeys(("contact", "contacts"), "people"),
    **dict.fromkeys(("opportunity", "opportunities", "opp", "opps"), "deals"),
}


@dataclass(frozen=True)
class Subject:
    """What a call is about, for its NOT_FOUND: ``"note 1f3c…"``, the parameter that named it, and how to
    find a valid one."""

    name: str
    field: str | None = None
    next_step: str | None = None


@dataclass
class Workspace:
    """The Attio client, the schema cache and the members list (fetched once: they rarely change)."""

    client: AttioClient
    schema: SchemaCache
    _members: list[WorkspaceMember] | None = field(default=None, repr=False)
    clock: Callable[[], datetime] | None = field(default=None, repr=False)
    # The search index of this workspace and key, and the queue of this server's writes (#18); None: no index.
    search: SearchService | None = field(default=None, repr=False)

    def now(self) -> datetime:
        """The current UTC time, from ``clock`` when one is set (tests), else :func:`dates.utc_now`."""
        return self.clock() if self.clock is not None else dates.utc_now()

    @classmethod
    def connect(cls, client: AttioClient) -> Workspace:
        return cls(client, SchemaCache(client))

    async def members(self) -> list[WorkspaceMember]:
        if self._members is None:
            self._members = await self.client.list_members()
        return self._members

    # -- schema lookups ------------------------------------------------------------------------------

    async def object(
        self, name: str, *, field: str = "resource_type", notes: Interpreted | None = None
    ) -> TargetSchema:
        """An object's schema by slug, UUID or noun, or (with ``notes``) a usual CRM name of a standard object
        (``accounts`` -> companies) when the workspace has no object by that name. NOT_FOUND names ``field``
        and lists the workspace's object slugs."""
        try:
            found = await self.schema.object(name)
        except LookupFailure as exc:
            synonym = OBJECT_SYNONYMS.get(name.strip().lower()) if notes is not None else None
            if synonym is None:
                raise _listing(exc.for_field(field)) from None
            try:
                found = await self.schema.object(synonym)
            except LookupFailure:
                raise _listing(exc.for_field(field)) from None
        if notes is not None and name.strip() not in (found.slug, found.id):
            notes.add(field, name, found.slug)
        return found

    async def list(
        self, name: str, *, field: str = "list_id", notes: Interpreted | None = None
    ) -> TargetSchema:
        """A list's schema by api_slug, UUID or name; NOT_FOUND names ``field`` and lists the list slugs."""
        try:
            found = await self.schema.list(name)
        except LookupFailure as exc:
            raise _listing(exc.for_field(field)) from None
        if notes is not None and name.strip() not in (found.slug, found.id):
            notes.add(field, name, found.slug)
        return found

    async def target(
        self, resource_type: str | None, list_id: str | None, *, notes: Interpreted | None = None
    ) -> TargetSchema:
        """The schema of the object or list named by exactly one of the two parameters."""
        if bool(resource_type) == bool(list_id):
            raise WorkspaceError(
                "VALIDATION_ERROR",
                "give exactly one of resource_type or list_id",
                field="resource_type",
                next_step="objects_list and lists_get_all show valid values.",
            )
        if resource_type:
            return await self.object(resource_type, notes=notes)
        return await self.list(list_id or "", notes=notes)

    async def object_slugs(self) -> dict[str, str]:
        """Object UUID -> slug, for read forms that name objects by id."""
        return {o.object_id: o.api_slug for o in await self.schema.objects() if o.object_id and o.api_slug}

    async def prepare(
        self,
        target: TargetSchema,
        data: Mapping[str, Any],
        *,
        for_create: bool,
        append: bool = False,
        notes: Interpreted | None = None,
    ) -> dict[str, Any]:
        """The write payload for ``data``; members are fetched only when an actor attribute is written.

        ``append``: the payload goes out as a PATCH, so clearing a multi-value attribute is refused.
        ``notes``: read the input as meant (see :func:`prepare_values`); a record reference given by name is
        looked up (one records query) and must name exactly one record.
        """
        attrs = [target.find(str(k))[0] if notes is not None else target.get(str(k)) for k in data]
        members = await self.members() if any(a and a.type == "actor-reference" for a in attrs) else ()
        if notes is not None and isinstance(data, Mapping):
            data = await self._named_references(data, attrs, notes)
        payload = prepare_values(
            target,
            data,
            for_create=for_create,
            members=members,
            notes=notes,
            now=self.now() if notes is not None else None,
        )
        if append:
            refuse_append_clears(target, payload)
        return payload

    async def _named_references(
        self, data: Mapping[str, Any], attrs: Sequence[AttrInfo | None], notes: Interpreted
    ) -> dict[str, Any]:
        """``data`` with each record reference given by a name replaced by the one record it names."""
        from attio_mcp.workspace.lookup import resolve_one  # lookup builds on this module

        out = dict(data)
        for (key, raw), attr in zip(data.items(), attrs, strict=True):
            if attr is None or attr.type != "record-reference" or not attr.allowed_objects:
                continue
            items = list(raw) if isinstance(raw, list | tuple) else [raw]
            resolved = []
            for item in items:
                name, objects = _reference_name(attr, item)
                if name is None:
                    resolved.append(item)
                    continue
                match = await resolve_one(self, objects, name, where=attr.slug, notes=notes)
                resolved.append({"target_object": match.object, "target_record_id": match.id})
            out[key] = resolved if isinstance(raw, list | tuple) else resolved[0]
        return out

    # -- calling Attio -------------------------------------------------------------------------------

    async def call(
        self,
        pending: Awaitable[T],
        *,
        target: TargetSchema | None = None,
        subject: Subject | str | None = None,
        missing_reference: bool = False,
    ) -> T:
        """Await a client call; a client error becomes a ``WorkspaceError``.

        ``subject`` names what was asked for: a 404 reads "{subject} not found", with the subject's field and
        next step when it has them; with ``missing_reference`` a 400 "record not found" means it too.
        ``target`` is the object or list written or queried: a 400 that may come from a stale schema drops
        its cached schema, and an attribute Attio names by id is reported by slug.
        """
        try:
            return await pending
        except AttioError as exc:
            about = Subject(subject) if isinstance(subject, str) else subject
            raise self._error(exc, target, about, missing_reference) from None

    def _error(
        self,
        exc: AttioError,
        target: TargetSchema | None,
        subject: Subject | None,
        missing_reference: bool,
    ) -> WorkspaceError:
        if subject and (isinstance(exc, NotFoundError) or (missing_reference and _missing_record(exc))):
            return WorkspaceError(
                "NOT_FOUND",
                f"{subject.name} not found",
                field=subject.field or field_of(exc),
                next_step=subject.next_step or NEXT_BY_CODE["NOT_FOUND"],
            )
        if target is not None and _schema_related(exc):
            self.schema.invalidate(target.id)
        error = error_from_attio(exc, subject=subject.name if subject else None)
        if isinstance(exc, AttioStatusError) and exc.code == "unknown_filter_attribute_slug":
            error.field = "filter"
            error.next_step = "the schema is re-read on the next call; attributes_list shows the slugs."
        elif target is not None and (match := _ATTR_IN_MESSAGE.search(exc.message or "")):
            attr = target.get(match.group(1))
            if attr is not None and (error.field is None or target.get(error.field) is None):
                error.field = attr.slug  # the attribute, not a property path inside its value
        error.args = (error.render(),)
        return error


def _listing(failure: LookupFailure) -> LookupFailure:
    """The NOT_FOUND with the workspace's slugs inline (as Valid), so one retry can pick the right one."""
    failure.options = list(failure.available)
    failure.args = (failure.render(),)
    return failure


def _reference_name(attr: AttrInfo, item: Any) -> tuple[str | None, tuple[str, ...]]:
    """The record name in a reference value and the objects to look it up in; ``(None, ())`` when ``item`` is
    an id, an email or domain Attio matches itself, or no name at all."""
    objects = attr.allowed_objects
    if isinstance(item, Mapping):
        rid = item.get("target_record_id", item.get("record_id"))
        target = item.get("target_object", item.get("object"))
        if not isinstance(rid, str) or UUID_RE.match(rid.strip()) or len(item) > 2:
            return None, ()
        objects = (str(target),) if isinstance(target, str) and target in objects else objects
        item = rid
    if not isinstance(item, str) or not item.strip():
        return None, ()
    text = item.strip()
    prefix, _, rest = text.partition(":")
    if UUID_RE.match(text) or (rest and UUID_RE.match(rest)):
        return None, ()
    if "people" in objects and EMAIL_RE.match(text):
        return None, ()  # Attio matches a person by email itself
    if "companies" in objects and "@" not in text and " " not in text and host_of(text):
        return None, ()  # and a company by domain
    return text, objects


def _missing_record(exc: AttioError) -> bool:
    return (
        isinstance(exc, AttioStatusError)
        and exc.code == "value_not_found"
        and "record" in (exc.message or "").lower()
    )


def _schema_related(exc: AttioError) -> bool:
    if not isinstance(exc, AttioStatusError) or exc.status != 400:
        return False
    if exc.code in _SCHEMA_CODES:
        return True
    text = (exc.message or "").lower()
    return exc.code in _LOOKUP_CODES and "record" not in text and any(w in text for w in _SCHEMA_WORDS)
