"""POST /v2/objects/records/search: case-insensitive, typo-tolerant matching over names, domains, emails,
phones and social handles on people and companies, and the record label on other objects."""

from __future__ import annotations

import re
from typing import Any

from ._errors import validation_error, value_not_found
from ._ids import is_uuid
from ._store import Item, Store

__all__ = ["record_text", "search_records"]


def _first(item: Item, slug: str, key: str) -> str | None:
    values = item.current(slug)
    return values[0].get(key) if values else None


def record_text(store: Store, item: Item) -> str:
    """The label Attio shows for a record: its name, else its first unique text-ish value."""
    attrs = store.schema.attrs(item.parent_id)
    name = attrs.get("name")
    if name is not None:
        key = "full_name" if name.type == "personal-name" else "value"
        text = _first(item, "name", key)
        if text:
            return text
    for attr in attrs.values():
        if attr.unique and attr.slug != "record_id":
            values = item.current(attr.slug)
            if values:
                v = values[0]
                return str(v.get("value") or v.get("email_address") or v.get("domain") or "")
    return ""


def _request_as(store: Store, raw: Any) -> None:
    if not isinstance(raw, dict) or raw.get("type") not in ("workspace", "workspace-member"):
        raise validation_error(
            '"request_as" must be {"type": "workspace"} or a workspace member.',
            ["request_as"],
            expected="object",
            received="undefined" if raw is None else type(raw).__name__,
        )
    if raw["type"] == "workspace-member":
        member_id = raw.get("workspace_member_id")
        email = raw.get("email_address")
        member = None
        if isinstance(member_id, str) and is_uuid(member_id):
            member = store.member_by_id(member_id)
        elif isinstance(email, str):
            member = store.member_by_email(email)
        else:
            raise validation_error(
                "request_as needs workspace_member_id or email_address.", ["request_as"], received="undefined"
            )
        if member is None:
            raise value_not_found("Workspace member for request_as not found.")


def _validate(store: Store, body: dict[str, Any]) -> tuple[str, list[dict[str, Any]], int]:
    query = body.get("query")
    if not isinstance(query, str):
        raise validation_error(
            "Body payload validation error.", ["query"], expected="string", received="undefined"
        )
    if len(query) > 256:
        raise validation_error("query must be at most 256 characters.", ["query"], issue_code="too_big")
    objects = body.get("objects")
    if not isinstance(objects, list) or not objects or not all(isinstance(o, str) for o in objects):
        raise validation_error(
            "objects must be a non-empty array of object slugs or IDs.", ["objects"], expected="array"
        )
    _request_as(store, body.get("request_as"))
    limit = body.get("limit", 25)
    if isinstance(limit, bool) or not isinstance(limit, int | float) or not 1 <= limit <= 25:
        raise validation_error("limit must be a number from 1 to 25.", ["limit"], issue_code="too_big")
    resolved = []
    for ident in objects:
        obj = store.schema.find_object(ident)
        if obj is None:
            raise value_not_found(f'Object with slug/ID "{ident}" not found.')
        if obj not in resolved:
            resolved.append(obj)
    return query.strip().casefold(), resolved, int(limit)


def _result(store: Store, obj: dict[str, Any], item: Item, text: str) -> dict[str, Any]:
    logo = _first(item, "logo_url", "value") if "logo_url" in store.schema.attrs(item.parent_id) else None
    out: dict[str, Any] = {
        "id": {"workspace_id": store.workspace_id, "object_id": item.parent_id, "record_id": item.id},
        "record_text": text,
        "record_image": logo,
        "object_slug": obj["api_slug"],
    }
    if obj["api_slug"] == "people":
        out["email_addresses"] = [v["email_address"] for v in item.current("email_addresses")]
        out["phone_numbers"] = [v["phone_number"] for v in item.current("phone_numbers")]
    elif obj["api_slug"] == "companies":
        out["domains"] = [v["domain"] for v in item.current("domains")]
    return out


def _haystack(item: Item, text: str) -> list[str]:
    parts = [text]
    for slug, key in (
        ("domains", "domain"),
        ("email_addresses", "email_address"),
        ("primary_email_address", "email_address"),
        ("phone_numbers", "phone_number"),
        ("linkedin", "value"),
        ("twitter", "value"),
    ):
        parts.extend(str(v.get(key, "")) for v in item.current(slug))
    return [p.casefold() for p in parts if p]


_WORD = re.compile(r"[\w']+")


def _within_one_edit(a: str, b: str) -> bool:
    """Whether ``a`` becomes ``b`` by one insertion, deletion, substitution or swap of neighbours."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long[i]:
        i += 1
    return short[i:] == long[i + 1 :]


def _token_match(token: str, words: list[str], joined: str) -> int | None:
    """0: the token is in the text as typed; 1: it is one edit from a word (a typo), for tokens of four
    characters or more; None: no match."""
    if token in joined:
        return 0
    if len(token) >= 4 and any(len(w) >= 4 and _within_one_edit(token, w[: len(token) + 1]) for w in words):
        return 1
    return None


def _rank(query: str, text: str, haystack: list[str]) -> int | None:
    """0 exact, 1 prefix, 2 every token found, 3 every token found in the name with at most one typo each,
    4 the same across the name, domains, emails and handles; else None.

    Attio documents the search as fuzzy without saying how fuzzy; the emulation allows one edit (or a swap of
    neighbours) per query word of four letters or more, against a word of the name, domains, emails or handles
    or its start (``globx`` finds Globex, ``jmes`` James); a shorter word, or a query of digits only, must
    match as typed.
    """
    if not query:
        return 3
    folded = text.casefold()
    if folded == query or query in haystack:
        return 0
    if folded.startswith(query) or any(h.startswith(query) for h in haystack):
        return 1
    joined = " ".join(haystack)
    digits = "".join(ch for ch in query if ch.isdigit())
    tokens = query.split()
    if all(token in joined for token in tokens):
        return 2
    if len(digits) >= 5 and any(digits in "".join(ch for ch in h if ch.isdigit()) for h in haystack):
        return 2
    if not any(t.isalpha() for t in tokens):
        return None
    for rank, hay in ((3, folded), (4, joined)):  # a typo in the name before one in an email or domain
        words = _WORD.findall(hay)
        if all(_token_match(token, words, hay) is not None for token in tokens):
            return rank
    return None


def search_records(store: Store, body: dict[str, Any]) -> list[dict[str, Any]]:
    """Search records of the given objects; best matches first, then by object order and record id (25 max)."""
    query, objects, limit = _validate(store, body)
    hits: list[tuple[int, int, str, dict[str, Any]]] = []
    for position, obj in enumerate(objects):
        for record_id, item in sorted(store.object_records(obj["id"]["object_id"]).items()):
            text = record_text(store, item)
            rank = _rank(query, text, _haystack(item, text))
            if rank is not None:
                hits.append((rank, position, record_id, _result(store, obj, item, text)))
    hits.sort(key=lambda h: h[:3])
    return [h[3] for h in hits[:limit]]
