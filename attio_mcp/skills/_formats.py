"""Per-type write formats (one example line each) and object-specific pitfalls, derived from a schema.

The examples show what this server's write tools accept in ``data`` (the value layer converts them to
Attio's wire shapes), using the object's own attribute slug for each type it has.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from attio_mcp.workspace import AttrInfo

__all__ = ["object_pitfalls", "write_formats"]

# Complex types first, in the order they are listed; simple types get no example line.
_ORDER = (
    "record-reference",
    "personal-name",
    "location",
    "currency",
    "domain",
    "email-address",
    "phone-number",
    "actor-reference",
    "date",
    "timestamp",
    "select",
    "status",
)


def _pair(attr: AttrInfo, value: Any) -> str:
    shown = [value] if attr.multi and not isinstance(value, list) else value
    return f'`"{attr.slug}": {json.dumps(shown, ensure_ascii=False, separators=(",", ":"))}`'


def _record_ref(a: AttrInfo) -> str:
    if len(a.allowed_objects) == 1:
        target = a.allowed_objects[0]
        text = _pair(a, f"<{target} record id>") + " (the target's record id"
        if target == "companies":
            text += ", or a company domain"
        elif target == "people":
            text += ", or a person's email"
        return text + ")"
    targets = ", ".join(a.allowed_objects) or "any object"
    ref = {
        "target_object": a.allowed_objects[0] if a.allowed_objects else "<object>",
        "target_record_id": "<id>",
    }
    return _pair(a, ref) + f" (target_object is one of {targets})"


def _currency(a: AttrInfo) -> str:
    code = a.currency_code or "the attribute's currency"
    return _pair(a, 50000) + f": a plain amount in {code}; the currency is fixed per attribute"


_EXAMPLES: dict[str, Callable[[AttrInfo], str]] = {
    "record-reference": _record_ref,
    "personal-name": lambda a: (
        _pair(a, "Ada Lovelace") + ' or `{"first_name":"Ada","last_name":"Lovelace"}`; full_name is derived'
    ),
    "location": lambda a: (
        _pair(
            a,
            {
                "line_1": "1 Main St",
                "locality": "Springfield",
                "region": "IL",
                "postcode": "62701",
                "country_code": "US",
            },
        )
        + " (an address string also works; country_code is ISO 3166 alpha-2)"
    ),
    "currency": _currency,
    "domain": lambda a: _pair(a, "acme.com") + ": bare host; a URL is reduced to its host",
    "email-address": lambda a: _pair(a, "ada@acme.com"),
    "phone-number": lambda a: _pair(a, "+14155550100") + ": E.164; without + it is read as a US number",
    "actor-reference": lambda a: _pair(a, "<member email or id>") + ": a workspace member from [[schema]]",
    "date": lambda a: _pair(a, "2024-12-31") + ": YYYY-MM-DD",
    "timestamp": lambda a: _pair(a, "2024-12-16T10:00:00Z") + ": ISO 8601, stored in UTC",
    "select": lambda a: _pair(a, "<option title>") + ": an exact title from the options above",
    "status": lambda a: _pair(a, "<status title>") + ": an exact status title from above",
}


def write_formats(writable: Sequence[AttrInfo]) -> list[str]:
    """One example per complex type the object has (first writable attribute of that type)."""
    by_type: dict[str, AttrInfo] = {}
    for attr in writable:
        by_type.setdefault(attr.type, attr)
    lines = [f"- {t}: {_EXAMPLES[t](by_type[t])}" for t in _ORDER if t in by_type]
    if any(a.multi for a in writable):
        lines.append("- multi-value attributes take a list; a single value may be sent alone.")
    return lines


def _slugs(attrs: Sequence[AttrInfo], limit: int = 12) -> str:
    shown = ", ".join(f"`{a.slug}`" for a in attrs[:limit])
    return shown + (f" … and {len(attrs) - limit} more" if len(attrs) > limit else "")


def object_pitfalls(slug: str, attrs: Sequence[AttrInfo]) -> list[str]:
    """What goes wrong when writing this object, from its flags and types (plus a few known objects)."""
    writable = [a for a in attrs if a.writable]
    unique = [a for a in writable if a.unique]
    required = [a for a in writable if a.required and not a.default_enabled]
    out: list[str] = []
    if required:
        out.append(
            f"- Required on create: {_slugs(required)}. A create without them fails before any request."
        )
    defaulted = [a for a in writable if a.required and a.default_enabled]
    if defaulted:
        out.append(f"- Required with a default: {_slugs(defaulted)}. Leave them out to get the default.")
    if unique:
        key = unique[0].slug
        example = json.dumps(
            {"resource_type": slug, "matching_attribute": key, "data": {key: "<value>"}},
            separators=(",", ":"),
            ensure_ascii=False,
        )
        out.append(
            f"- Unique: {_slugs(unique)}. records_create with a value that exists fails with CONFLICT; "
            f"create-or-update instead with `records_upsert {example}`."
        )
    else:
        out.append(
            f"- `{slug}` has no unique attribute, so records_upsert has nothing to match on: "
            "records_search first and records_create only when nothing matches, or duplicates appear."
        )
    for a in writable:
        if a.type == "personal-name":
            out.append(
                f'- `{a.slug}` is a personal name, not text: send "First Last" or first_name/last_name. '
                + (
                    "Names are not unique; match people by email."
                    if slug == "people"
                    else "Names are not unique."
                )
            )
    multi = [a for a in writable if a.multi]
    if multi:
        out.append(
            f'- Multi-value: {_slugs(multi)}. records_update appends to them; pass `"mode":"overwrite"` '
            "with the full list to replace the values."
        )
    statuses = [a for a in writable if a.type == "status"]
    if statuses:
        out.append(
            f"- {_slugs(statuses)} is a status: an unknown title fails with VALIDATION_ERROR listing the "
            "valid ones; statuses are configured in Attio, not created by writes."
        )
    if slug == "companies" and any(a.slug == "domains" for a in unique):
        out.append(
            "- Companies are keyed by `domains`: always send the domain when creating, so Attio can "
            "match and enrich the company instead of creating a duplicate."
        )
    readonly = [a for a in attrs if not a.writable]
    if readonly:
        out.append(f"- Read-only (returned, never written): {_slugs(readonly)}.")
    return out
