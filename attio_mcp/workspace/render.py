"""Read flattening: Attio's verbose value arrays -> compact plain JSON for tool output.

Decisions (lossless given the schema, which the schema tools expose):

- **Currency** becomes the bare number (`480000`). Attio inherits the code from the attribute's config and
  it cannot be set per value, so the code is part of the schema output (`AttrInfo.currency_code`), not
  repeated on every record.
- **Record references** become the plain `target_record_id` when the schema says the attribute targets
  exactly one object (or when no schema is given: ids are unique across the workspace). When the attribute
  may target several objects, or the value points at an object outside the allowed one, they become
  `"<object>:<record_id>"` (e.g. `"people:3f…"`); `_values` accepts that form back on writes.
- **Actor references**: a workspace member becomes its id; other actors `"system"`, `"api-token:<id>"`,
  `"app:<id>"`.
- **Location** becomes one line of its non-null address parts; latitude/longitude are dropped.
- Only current values (`active_until` null) are kept. Multi-valued attributes (schema `multi`, or several
  current values) stay lists, never truncated; single ones become scalars; empty ones are omitted.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from attio_mcp.attio import Entry, Record
    from attio_mcp.workspace.schema import AttrInfo, TargetSchema

__all__ = [
    "compact_timestamp",
    "derived_updated_at",
    "flatten_entry",
    "flatten_record",
    "flatten_value",
    "flatten_values",
    "hoist_web_urls",
]

SYSTEM_SLUGS = frozenset({"record_id", "created_at", "created_by"})
_ADDRESS_KEYS = ("line_1", "line_2", "line_3", "line_4", "locality", "region", "postcode", "country_code")
_COMMON_KEYS = frozenset({"active_from", "active_until", "created_by_actor", "attribute_type"})
_SCALAR_KEY = {
    "text": "value",
    "number": "value",
    "checkbox": "value",
    "date": "value",
    "rating": "value",
    "currency": "currency_value",
    "record-reference": "target_record_id",
    "domain": "domain",
}


def _title(obj: Any) -> Any:
    return obj.get("title") if isinstance(obj, Mapping) else obj  # the spec also allows a bare id


def _actor(v: Mapping[str, Any]) -> str | None:
    kind, ident = v.get("referenced_actor_type"), v.get("referenced_actor_id")
    if kind == "workspace-member":
        return ident
    if ident is None:
        return kind
    return f"{kind}:{ident}"


def _location(v: Mapping[str, Any]) -> str | None:
    return ", ".join(str(v[k]) for k in _ADDRESS_KEYS if v.get(k) not in (None, "")) or None


def _name(v: Mapping[str, Any]) -> str | None:
    return v.get("full_name") or " ".join(p for p in (v.get("first_name"), v.get("last_name")) if p) or None


_PADDED_FRACTION = re.compile(r"\.0{9}Z$|(\.\d{3})0{6}Z$")


def compact_timestamp(stamp: Any) -> Any:
    """Attio pads millisecond timestamps to 9 digits; drop the padding (``.000000000Z`` -> ``Z``). Lossless."""
    if not isinstance(stamp, str):
        return stamp
    return _PADDED_FRACTION.sub(lambda m: (m.group(1) or "") + "Z", stamp)


_BY_TYPE: dict[str, Callable[[Mapping[str, Any]], Any]] = {
    "timestamp": lambda v: compact_timestamp(v.get("value")),
    "select": lambda v: _title(v.get("option")),
    "status": lambda v: _title(v.get("status")),
    "actor-reference": _actor,
    "email-address": lambda v: v.get("email_address") or v.get("original_email_address"),
    "phone-number": lambda v: v.get("phone_number") or v.get("original_phone_number"),
    "personal-name": _name,
    "location": _location,
    "interaction": lambda v: {
        "type": v.get("interaction_type"),
        "at": compact_timestamp(v.get("interacted_at")),
    },
}


def flatten_value(v: Mapping[str, Any]) -> Any:
    """One Attio value dict -> plain JSON (None when it carries nothing)."""
    kind = v.get("attribute_type")
    if kind in _SCALAR_KEY:
        return v.get(_SCALAR_KEY[kind])
    if kind in _BY_TYPE:
        return _BY_TYPE[kind](v)
    rest = {k: val for k, val in v.items() if k not in _COMMON_KEYS}  # unknown type: keep what is there
    return next(iter(rest.values())) if len(rest) == 1 else (rest or None)


def _field_slug(schema: TargetSchema | None, name: str) -> str:
    attr = schema.get(name) if schema else None
    return attr.slug if attr else name


def _is_current(v: Mapping[str, Any]) -> bool:
    return v.get("active_until") is None


def _flatten_ref(v: Mapping[str, Any], attr: AttrInfo | None) -> Any:
    target, ident = v.get("target_object"), v.get("target_record_id")
    if attr is None or (len(attr.allowed_objects) == 1 and target == attr.allowed_objects[0]):
        return ident
    return f"{target}:{ident}"


def flatten_values(
    values: Mapping[str, Sequence[Mapping[str, Any]]] | None,
    schema: TargetSchema | None = None,
    *,
    fields: Sequence[str] | None = None,
) -> dict[str, Any]:
    """A `values` / `entry_values` map -> `{slug: scalar | list}`; `fields` projects by slug (or title/id)."""
    wanted = None if fields is None else {_field_slug(schema, f) for f in fields}
    out: dict[str, Any] = {}
    for slug, items in (values or {}).items():
        if (wanted is None and slug in SYSTEM_SLUGS) or (wanted is not None and slug not in wanted):
            continue
        attr = schema.attributes.get(slug) if schema else None
        flat = []
        for item in items or ():
            if not _is_current(item):
                continue
            value = (
                _flatten_ref(item, attr)
                if item.get("attribute_type") == "record-reference"
                else flatten_value(item)
            )
            if value not in (None, "", [], {}):
                flat.append(value)
        if not flat:
            continue
        out[slug] = flat if (attr is not None and attr.multi) or len(flat) > 1 else flat[0]
    return out


def _moment(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None


def derived_updated_at(values: Mapping[str, Sequence[Mapping[str, Any]]] | None) -> str | None:
    """The newest `active_from` among current values: when the record last changed."""
    best: tuple[datetime, str] | None = None
    for items in (values or {}).values():
        for item in items or ():
            stamp = item.get("active_from")
            if not stamp or not _is_current(item):
                continue
            moment = _moment(stamp)
            if moment is not None and (best is None or moment > best[0]):
                best = (moment, stamp)
    return best[1] if best else None


def _get(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, Mapping) else getattr(obj, name, None)


def _ident(obj: Any, key: str) -> Any:
    direct = None if isinstance(obj, Mapping) else getattr(obj, key, None)
    return direct or _get(_get(obj, "id") or {}, key)


def _project(
    top: dict[str, Any], flat: dict[str, Any], fields: Sequence[str] | None, keep: tuple[str, ...]
) -> dict[str, Any]:
    top = {k: v for k, v in top.items() if k in keep or (v is not None and (fields is None or k in fields))}
    for key, value in flat.items():
        top.setdefault(key, value)  # a custom attribute never shadows the top-level keys
    return top


def flatten_record(
    record: Record | Mapping[str, Any],
    object_slug: str,
    schema: TargetSchema | None = None,
    *,
    fields: Sequence[str] | None = None,
) -> dict[str, Any]:
    """A record -> `{id, object, web_url, created_at, updated_at, **values}`."""
    values = _get(record, "values") or {}
    top = {
        "id": _ident(record, "record_id"),
        "object": object_slug,
        "web_url": _get(record, "web_url"),
        "created_at": compact_timestamp(_get(record, "created_at")),
        "updated_at": compact_timestamp(derived_updated_at(values)),
    }
    return _project(top, flatten_values(values, schema, fields=fields), fields, ("id", "object"))


def flatten_entry(
    entry: Entry | Mapping[str, Any],
    schema: TargetSchema | None = None,
    *,
    fields: Sequence[str] | None = None,
) -> dict[str, Any]:
    """A list entry -> `{entry_id, record_id, object, created_at, **entry values}`."""
    top = {
        "entry_id": _ident(entry, "entry_id"),
        "record_id": _get(entry, "parent_record_id"),
        "object": _get(entry, "parent_object"),
        "created_at": compact_timestamp(_get(entry, "created_at")),
    }
    values = _get(entry, "entry_values") or {}
    return _project(
        top, flatten_values(values, schema, fields=fields), fields, ("entry_id", "record_id", "object")
    )


def hoist_web_urls(records: list[dict[str, Any]]) -> str | None:
    """Replace per-record ``web_url``s by one template (``…/company/{id}``) when they all share it.

    Lossless: each URL is the template with the record's id. Returns the template, or None (records
    untouched) when the URLs do not follow one pattern.
    """
    prefixes: set[str] = set()
    for record in records:
        url, ident = record.get("web_url"), str(record.get("id") or "")
        if not isinstance(url, str) or not ident or not url.endswith(ident):
            return None
        prefixes.add(url[: -len(ident)])
    if len(prefixes) != 1:
        return None
    for record in records:
        del record["web_url"]
    return prefixes.pop() + "{id}"


INLINE_OPTIONS = 15  # longer option lists are counted; attribute_options lists them all


def describe_attribute(attr: AttrInfo) -> dict[str, Any]:
    """Compact attribute description: false flags omitted, short option lists inline."""
    out: dict[str, Any] = {"slug": attr.slug, "title": attr.title, "type": attr.type}
    for flag in ("multi", "required", "unique"):
        if getattr(attr, flag):
            out[flag] = True
    if not attr.writable:
        out["writable"] = False
    if attr.allowed_objects:
        out["targets"] = list(attr.allowed_objects)
    if attr.type == "currency" and attr.currency_code:
        out["currency"] = attr.currency_code  # values read and write as plain amounts in this currency
    if attr.options:
        if len(attr.options) <= INLINE_OPTIONS:
            out["options"] = list(attr.options)
        else:
            out["options_count"] = len(attr.options)
    return out
