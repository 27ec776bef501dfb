"""Query building for ``records_search``: the free-text query, the literal filter check, field projection.

The free-text ``query`` becomes one to three ``$contains`` conditions (ORed) over the object's identifying
attributes that the query's shape can match (an email, a host, a phone number, or words), found by type in the
live schema (never a fixed list of objects): personal names, domains, email addresses, phone numbers, and
text attributes named ``name`` or unique (system ids excepted). Filters and sorts are
compiled by ``workspace.compile`` (checked per type, read as meant); ``check_filter`` is the shallow check
(logical operators and attribute names only) for a caller that wants a filter taken literally.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from attio_mcp.workspace.errors import WorkspaceError, did_you_mean
from attio_mcp.workspace.interpret import Interpreted
from attio_mcp.workspace.schema import AttrInfo, TargetSchema

__all__ = [
    "TOP_FIELDS",
    "check_fields",
    "check_filter",
    "combine_filters",
    "text_query_filter",
]

# Keys of a flattened record that are not attributes but may be projected with ``fields``.
TOP_FIELDS = ("id", "object", "web_url", "created_at", "updated_at")

# Identifying attribute type -> the property that holds its searchable text.
_TEXT_PROPERTY = {
    "personal-name": "full_name",
    "domain": "domain",
    "email-address": "email_address",
    "phone-number": "phone_number",
}
_FALLBACK_TEXT_ATTRS = 3
_MIN_PHONE_DIGITS = 3
_LOGICAL = ("$and", "$or", "$not")
_SPECIAL_FILTER_KEYS = ("record_id", "path", "constraints")
_NEXT_FILTER = "fix the filter; attributes_list shows slugs and types."


def _invalid(message: str, field: str, next_step: str, options: list[str] | None = None) -> WorkspaceError:
    return WorkspaceError("VALIDATION_ERROR", message, field=field, next_step=next_step, options=options)


def _usable(attr: AttrInfo) -> bool:
    return not attr.archived


def _clause(attr: AttrInfo, query: str) -> dict[str, Any] | None:
    if attr.type == "text":
        return {attr.slug: {"$contains": query}}
    prop = _TEXT_PROPERTY[attr.type]
    needle = query
    if attr.type == "phone-number":
        needle = re.sub(r"\D", "", query)  # stored as E.164: compare digits only
        if len(needle) < _MIN_PHONE_DIGITS:
            return None
    elif attr.type == "domain":  # stored bare: "https://www.acme.com/x" and "www.acme.com" search acme.com
        host = (urlsplit(query).hostname or query) if "://" in query else query
        needle = re.sub(r"^www\.", "", host, flags=re.IGNORECASE) or host
    return {attr.slug: {prop: {"$contains": needle}}}


def _kinds_for(query: str) -> tuple[str, ...]:
    """The identifying types a query can match, by its shape, so the filter stays small (Attio scores each
    records query for complexity): an email, a host name, a phone number, or words (names)."""
    text = query.strip()
    if "@" in text:
        return ("email-address",)
    if " " not in text and ("://" in text or re.fullmatch(r"[\w-]+(\.[\w-]+)+/?", text)):
        return ("domain", "email-address", "text")  # acme.com: a domain, an email domain, or a name like it
    if re.fullmatch(r"[+()\d\s.-]+", text) and len(re.sub(r"\D", "", text)) >= _MIN_PHONE_DIGITS:
        return ("phone-number", "text")
    return ("personal-name", "text", "domain")  # words: names, and the company part of a domain


def text_query_filter(schema: TargetSchema, query: str) -> dict[str, Any]:
    """A small ``{"$or": [...]}`` matching ``query`` in the identifying attributes its shape can match."""
    attrs = [a for a in schema.attributes.values() if _usable(a)]
    kinds = _kinds_for(query)
    chosen = [a for a in attrs if a.type in _TEXT_PROPERTY and a.type in kinds]
    if "text" in kinds:
        chosen += [a for a in attrs if a.type == "text" and (a.slug == "name" or (a.unique and not a.system))]
    if not chosen:  # an object without the usual identifiers: its first writable text attributes
        chosen = [a for a in attrs if a.type == "text" and a.writable and not a.system][:_FALLBACK_TEXT_ATTRS]
    clauses = [c for a in chosen if (c := _clause(a, query)) is not None]
    if not clauses:
        raise WorkspaceError(
            "VALIDATION_ERROR",
            f"{schema.slug} has no attribute that {query!r} can match",
            field="query",
            next_step="use filter instead; attributes_list shows the attributes.",
        )
    return clauses[0] if len(clauses) == 1 else {"$or": clauses}


def combine_filters(*filters: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """AND the non-empty filters together (None when there are none)."""
    present = [dict(f) for f in filters if f]
    if not present:
        return None
    return present[0] if len(present) == 1 else {"$and": present}


def _unknown_attr(schema: TargetSchema, name: str, where: str, extra: tuple[str, ...] = ()) -> WorkspaceError:
    candidates = [*schema.attributes, *extra]
    close = did_you_mean(name, candidates)
    hint = f"did you mean {', '.join(close)}? " if close else ""
    return WorkspaceError(
        "VALIDATION_ERROR",
        f"{schema.slug} has no attribute {name!r}",
        field=where,
        next_step=f"{hint}attributes_list shows every slug.",
    )


def check_filter(schema: TargetSchema, node: Any, where: str = "filter") -> dict[str, Any]:
    """Validate the shape and attribute names of a filter; return it with attribute names as slugs."""
    if not isinstance(node, Mapping):
        raise _invalid(f"expected a filter object, got {type(node).__name__}", where, _NEXT_FILTER)
    out: dict[str, Any] = {}
    for key, value in node.items():
        key = str(key)
        if key in ("$and", "$or"):
            if not isinstance(value, list) or not value:
                raise _invalid(f"{key} takes a non-empty list of filters", f"{where}.{key}", _NEXT_FILTER)
            out[key] = [check_filter(schema, sub, f"{where}.{key}") for sub in value]
        elif key == "$not":
            out[key] = check_filter(schema, value, f"{where}.$not")
        elif key.startswith("$"):
            raise _invalid(
                f"unknown logical operator {key!r}; comparison operators go under an attribute",
                where,
                'write {"<slug>": {"$gt": 5}} or combine filters with $and/$or/$not.',
                options=list(_LOGICAL),
            )
        elif key in _SPECIAL_FILTER_KEYS:
            out[key] = value
        else:
            attr = schema.get(key)
            if attr is None:
                raise _unknown_attr(schema, key, f"{where}.{key}")
            out[attr.slug] = value
    return out


def check_fields(
    schema: TargetSchema, fields: list[str] | None, notes: Interpreted | None = None
) -> list[str] | None:
    """Resolve ``fields`` (slugs, ids or titles, plus the top-level keys; with ``notes`` also the slug
    variants of ``TargetSchema.find``, noted) to slugs, or fail naming the first bad one."""
    if fields is None:
        return None
    out: list[str] = []
    for name in fields:
        if name in TOP_FIELDS:
            slug = name
        else:
            attr, candidates = schema.find(name) if notes is not None else (schema.get(name), [])
            if attr is None:
                if candidates:
                    raise _invalid(
                        f"{name!r} could mean any of {', '.join(a.slug for a in candidates)}",
                        "fields",
                        "name the one you mean.",
                        [a.slug for a in candidates],
                    )
                raise _unknown_attr(schema, name, "fields", TOP_FIELDS)
            slug = attr.slug
            if notes is not None and name not in (attr.slug, attr.id):
                notes.add("fields", name, slug)
        if slug not in out:
            out.append(slug)
    return out
