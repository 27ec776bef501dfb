"""Attio's filter and sort grammar as a pure engine: compile once (validating everything), evaluate per row.

Filters (records query and entries query bodies):

- shorthand ``{"slug": value}``: implicit ``$eq`` on the type's default property; sibling keys are ANDed;
- verbose ``{"slug": {"$op": v}}``, ``{"slug": {"property": {"$op": v}}}``, ``{"slug": {"property": v}}``;
  every operator and property under one attribute is ANDed and must hold for the *same* value;
- logical ``$and`` / ``$or`` (lists) and ``$not`` (an object), nested freely;
- path filters ``{"path": [[parent, attr], [object, attr], ...], "constraints": {...}}`` hopping through
  record-reference values (and ``parent_record`` on list entries);
- special attributes ``record_id`` / ``entry_id`` (from the row itself), ``created_at`` (a timestamp) and
  ``parent_record`` (list entries: a reference to the parent record).

Multi-valued attributes match when ANY current value matches; a row with no value fails every positive
condition and so passes ``$not`` of it. Invalid filters raise ``FilterError`` at compile time; the route
answers ``400`` with its ``code`` (``filter_error``, or ``unknown_filter_attribute_slug`` with the ``path`` of
keys leading to an unknown attribute, as Attio answers) and message.

Stricter than a loose reading of the docs, as Attio is:

- actor-reference conditions name both ``referenced_actor_type`` (``api-token``, ``workspace-member`` or
  ``system``) and ``referenced_actor_id`` (a UUID; null for ``system``), with ``$eq`` only;
- timestamp values (timestamp attributes, ``created_at``, ``interacted_at``) need a date *and* a time;
  ``active_from`` of a select/status also takes a bare date, as Attio's own example does;
- ``country_code`` operands must be codes of the spec's enum (upper case); ``$starts_with`` a prefix of one.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

from ._countries import COUNTRY_CODES
from ._ids import is_uuid

__all__ = ["FilterError", "Resolver", "Row", "compile_filter", "sort_rows"]


class FilterError(Exception):
    """An invalid filter or sort; the message says what is wrong.

    ``code`` is the Attio error code to answer with; ``path`` (``unknown_filter_attribute_slug`` only) is the
    list of keys from the filter root to the unknown attribute, array indexes as strings (``["$or", "1",
    "email"]``), as Attio reports it.
    """

    def __init__(self, message: str, *, code: str = "filter_error", path: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.path = path


class Row(Protocol):
    """A record or list entry. Records also have ``record_id``; entries have ``entry_id``."""

    @property
    def values(self) -> Mapping[str, list[dict]]: ...  # current values only, keyed by api_slug

    @property
    def created_at(self) -> str: ...


class Resolver(Protocol):
    """Schema and data look-ups the engine needs from the store."""

    def attributes(self, parent: str) -> Mapping[str, dict]: ...  # KeyError if unknown
    def parent_slug(self, parent: str) -> str: ...  # KeyError if unknown
    def record(self, object_slug: str, record_id: str) -> Row | None: ...
    def parent_record(self, entry: Row) -> Row | None: ...
    def parent_object_of(self, entry: Row) -> str: ...


Predicate = Callable[[Row], bool]
ValueTest = Callable[[Any], bool]

_EQ = ("$eq",)
_STR = ("$eq", "$contains", "$starts_with", "$ends_with")
_STR_NE = (*_STR, "$not_empty")
_CMP = ("$eq", "$lt", "$lte", "$gt", "$gte")
_SINCE = ("$lt", "$lte", "$gt", "$gte")
_ALL_OPS = frozenset((*_STR_NE, *_CMP, "$in"))
_ORDER = dict(zip(_CMP, (operator.eq, operator.lt, operator.le, operator.gt, operator.ge), strict=True))
_TEXT_OPS = {"$contains": str.__contains__, "$starts_with": str.startswith, "$ends_with": str.endswith}
_LINES = ("line_1", "line_2", "line_3", "line_4", "locality", "region", "postcode")
_EMAIL = ("email_address", "email_domain", "email_root_domain", "email_local_specifier")
_NAME = ("first_name", "last_name", "full_name")

# type -> (default property or None, {property: (kind, allowed operators)})
_TYPES: dict[str, tuple[str | None, dict[str, tuple[str, tuple[str, ...]]]]] = {
    "text": ("value", {"value": ("text", (*_STR, "$in"))}),
    "number": ("value", {"value": ("number", _CMP)}),
    "rating": ("value", {"value": ("number", _CMP)}),
    "checkbox": ("value", {"value": ("bool", _EQ)}),
    "currency": ("currency_value", {"currency_value": ("money", _CMP), "currency_code": ("code", _EQ)}),
    "date": ("value", {"value": ("date", _CMP)}),
    "timestamp": ("value", {"value": ("timestamp", _CMP)}),
    "select": ("option", {"option": ("option", _EQ), "active_from": ("since", _SINCE)}),
    "status": ("status", {"status": ("status", _EQ), "active_from": ("since", _SINCE)}),
    "record-reference": (
        "target_record_id",
        {"target_object": ("object", _EQ), "target_record_id": ("id", ("$eq", "$in"))},
    ),
    "actor-reference": (
        None,
        {"referenced_actor_type": ("actor_type", _EQ), "referenced_actor_id": ("actor_id", _EQ)},
    ),
    "location": (
        None,
        {**{k: ("text", _STR) for k in _LINES}, "country_code": ("country", ("$eq", "$starts_with"))},
    ),
    "domain": ("domain", {"domain": ("text_ci", _STR_NE), "root_domain": ("text_ci", _STR_NE)}),
    "email-address": ("email_address", {k: ("text_ci", _STR) for k in _EMAIL}),
    "phone-number": (
        "phone_number",
        {"phone_number": ("text", _STR), "country_code": ("country", ("$eq", "$not_empty"))},
    ),
    "personal-name": ("full_name", {k: ("text", _STR_NE) for k in _NAME}),
    "interaction": (
        None,
        {
            "interaction_type": ("text", ("$eq", "$not_empty")),
            "interacted_at": ("timestamp", _CMP),
            "owner_member_id": ("id", ("$eq", "$not_empty")),
        },
    ),
    "_row_id": ("value", {"value": ("id", ("$eq", "$in"))}),  # record_id / entry_id taken from the row
}
_SORT_DEFAULT = {
    "location": "locality",
    "interaction": "interacted_at",
    "actor-reference": "referenced_actor_id",
}
_ACTOR_TYPES = ("api-token", "workspace-member", "system")
_ACTOR_PROPS = ("referenced_actor_type", "referenced_actor_id")


@dataclass(frozen=True)
class _Attr:
    parent: str
    slug: str
    type: str
    raw: Mapping[str, Any]
    values: Callable[[Row], list[dict]]


def compile_filter(filter: dict | None, parent: str, resolver: Resolver) -> Callable[[Row], bool]:
    """Validate ``filter`` against ``parent``'s schema and return a row predicate (raises FilterError)."""
    if filter is None:
        return lambda row: True
    if not isinstance(filter, dict):
        raise FilterError(f"The filter must be an object, got {_kind(filter)}.")
    ctx = _Ctx(resolver)
    return _node(filter, ctx.slug(parent), ctx, ())


def sort_rows(rows: list[Row], sorts: list[dict] | None, parent: str, resolver: Resolver) -> list[Row]:
    """Order rows by ``sorts`` (applied in order, empty values last); ties and no sorts: ascending id."""
    ctx = _Ctx(resolver)
    canon = ctx.slug(parent)
    if sorts is not None and not isinstance(sorts, list):
        raise FilterError(f"sorts must be an array, got {_kind(sorts)}.")
    keys = [_sort_key(s, canon, ctx) for s in sorts or []]
    out = sorted(rows, key=_row_id)
    for key, desc in reversed(keys):
        decorated = [(key(r), r) for r in out]
        present = [d for d in decorated if d[0] is not None]
        present.sort(key=lambda d: d[0], reverse=desc)  # stable in both directions
        out = [r for _, r in present] + [r for k, r in decorated if k is None]
    return out


# --- compile context -------------------------------------------------------------------------------


class _Ctx:
    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self._slugs: dict[str, str | None] = {}
        self._attrs: dict[str, tuple[Mapping[str, dict], dict[str, dict]]] = {}

    def slug_or_none(self, ident: str) -> str | None:
        if ident not in self._slugs:
            try:
                self._slugs[ident] = self.resolver.parent_slug(ident)
            except KeyError:
                self._slugs[ident] = None
        return self._slugs[ident]

    def slug(self, ident: Any) -> str:
        found = self.slug_or_none(ident) if isinstance(ident, str) else None
        if found is None:
            raise FilterError(f'Unknown object or list with slug/ID "{ident}".')
        return found

    def attribute(self, parent: str, key: Any, where: tuple[str, ...] | None = None) -> _Attr:
        """The attribute ``key`` (slug or id) of ``parent``; ``where`` is its key path in a filter, if any."""
        if not isinstance(key, str):
            raise FilterError(f"Attribute identifiers must be strings, got {_kind(key)}.")
        if parent not in self._attrs:
            try:
                by_slug = self.resolver.attributes(parent)
            except KeyError:
                raise FilterError(f'Unknown object or list with slug/ID "{parent}".') from None
            by_id = {a["id"]["attribute_id"]: a for a in by_slug.values() if isinstance(a.get("id"), dict)}
            self._attrs[parent] = (by_slug, by_id)
        by_slug, by_id = self._attrs[parent]
        raw = by_slug.get(key) or by_id.get(key)
        slug = key if raw is None else raw.get("api_slug", key)
        if slug in ("record_id", "entry_id"):
            return _Attr(parent, slug, "_row_id", {}, _row_attr_getter(slug))
        if raw is not None:
            getter = _created_at_values if slug == "created_at" else _values_getter(slug)
            return _Attr(parent, slug, raw.get("type", ""), raw, getter)
        if key == "created_at":
            return _Attr(parent, key, "timestamp", {}, _created_at_values)
        if key == "parent_record":
            return _Attr(parent, key, "record-reference", {}, self._parent_record_values)
        if where is not None:
            raise FilterError(
                f"Unknown attribute slug: {key}.", code="unknown_filter_attribute_slug", path=list(where)
            )
        raise FilterError(f'Unknown attribute with slug/ID "{key}" on "{parent}".')

    def _parent_record_values(self, row: Row) -> list[dict]:
        record = self.resolver.parent_record(row)
        if record is None:
            return []
        target = self.resolver.parent_object_of(row)
        return [{"target_object": target, "target_record_id": getattr(record, "record_id", None)}]


def _values_getter(slug: str) -> Callable[[Row], list[dict]]:
    return lambda row: list(row.values.get(slug) or [])


def _row_attr_getter(name: str) -> Callable[[Row], list[dict]]:
    return lambda row: [] if (ident := getattr(row, name, None)) is None else [{"value": ident}]


def _created_at_values(row: Row) -> list[dict]:
    found = row.values.get("created_at")
    if found:
        return list(found)
    stamp = getattr(row, "created_at", None)
    return [{"value": stamp}] if stamp else []


def _row_id(row: Row) -> str:
    return str(getattr(row, "entry_id", None) or getattr(row, "record_id", None) or "")


# --- filter nodes ----------------------------------------------------------------------------------


def _node(node: Any, parent: str, ctx: _Ctx, where: tuple[str, ...]) -> Predicate:
    """Compile one filter object; ``where`` is its key path from the filter root (for error paths)."""
    if not isinstance(node, dict):
        raise FilterError(f"Each filter must be an object, got {_kind(node)}.")
    preds: list[Predicate] = []
    if "path" in node or "constraints" in node:
        if "path" not in node or "constraints" not in node:
            raise FilterError('A path filter needs both "path" and "constraints".')
        preds.append(_path_filter(node["path"], node["constraints"], parent, ctx, where))
    for key, spec in node.items():
        if key in ("path", "constraints"):
            continue
        if key in ("$and", "$or"):
            if not isinstance(spec, list):
                raise FilterError(f'"{key}" must be an array of filters, got {_kind(spec)}.')
            subs = [_node(s, parent, ctx, (*where, key, str(i))) for i, s in enumerate(spec)]
            preds.append(_all(subs) if key == "$and" else _any(subs))
        elif key == "$not":
            if not isinstance(spec, dict):
                raise FilterError(f'"$not" must be a filter object, got {_kind(spec)}.')
            inner = _node(spec, parent, ctx, (*where, key))
            preds.append(_negate(inner))
        elif key.startswith("$"):
            raise FilterError(f'Unknown operator "{key}" at the top level of a filter.')
        else:
            attr = ctx.attribute(parent, key, (*where, key))
            preds.append(_attr_condition(attr, spec, ctx))
    return _all(preds)


def _quoted(items: Any) -> str:
    return "(" + ", ".join(f'"{x}"' for x in items) + ")"


def _all(preds: list[Predicate]) -> Predicate:
    if len(preds) == 1:
        return preds[0]
    return lambda row: all(p(row) for p in preds)


def _any(preds: list[Predicate]) -> Predicate:
    return lambda row: any(p(row) for p in preds)


def _negate(inner: Predicate) -> Predicate:
    return lambda row: not inner(row)


def _none_has(has: Callable[[dict], bool]) -> Callable[[list[dict]], bool]:
    """Row test: no value of the row has the extracted property."""
    return lambda vals: not any(has(v) for v in vals)


def _on_extracted(test: ValueTest, extract: Callable[[dict], Any]) -> Callable[[dict], bool]:
    return lambda v: test(extract(v))


def _attr_condition(attr: _Attr, spec: Any, ctx: _Ctx) -> Predicate:
    """One attribute's condition: every test must hold for the same value (ANY value of the row)."""
    if attr.type not in _TYPES:
        raise FilterError(f'Attribute "{attr.slug}" of type "{attr.type}" cannot be filtered.')
    default, props = _TYPES[attr.type]
    clauses: list[tuple[str, str, Any]] = []  # (property, operator, operand)
    if not isinstance(spec, dict):
        spec = {"$eq": spec}
    elif not spec:
        raise FilterError(f'Empty condition for attribute "{attr.slug}".')
    for key, sub in spec.items():
        if key.startswith("$"):
            clauses.append((_default_prop(attr, default, props), key, sub))
        elif key not in props:
            raise FilterError(
                f'Unknown field "{key}" for attribute "{attr.slug}", must be one of {_quoted(props)}.'
            )
        elif isinstance(sub, dict):
            if not sub:
                raise FilterError(f'Empty condition for field "{key}" of attribute "{attr.slug}".')
            clauses.extend((key, op, operand) for op, operand in sub.items())
        else:
            clauses.append((key, "$eq", sub))
    if attr.type == "actor-reference":
        _check_actor_clauses(attr, clauses)
    value_tests: list[Callable[[dict], bool]] = []
    row_tests: list[Callable[[list[dict]], bool]] = []
    for prop, op, operand in clauses:
        kind, allowed_ops = props[prop]
        if op not in allowed_ops:
            word = "Invalid" if op in _ALL_OPS else "Unknown"
            raise FilterError(
                f'{word} operator "{op}" for field "{prop}", must be one of {_quoted(allowed_ops)}.'
            )
        extract = _extractor(attr.type, prop)
        if op == "$not_empty":
            if not isinstance(operand, bool):
                raise FilterError(f'"$not_empty" on "{attr.slug}" takes true or false, got {_kind(operand)}.')
            has = _has_value(extract)
            if operand:
                value_tests.append(has)
            else:
                row_tests.append(_none_has(has))
            continue
        test = _value_test(kind, op, operand, attr, prop, ctx)
        value_tests.append(_on_extracted(test, extract))
    getter = attr.values

    def predicate(row: Row) -> bool:
        vals = getter(row)
        if value_tests and not any(all(t(v) for t in value_tests) for v in vals):
            return False
        return all(t(vals) for t in row_tests)

    return predicate


def _check_actor_clauses(attr: _Attr, clauses: list[tuple[str, str, Any]]) -> None:
    """Attio filters actor references only by type AND id together, with ``$eq`` only."""
    named = {prop for prop, _, _ in clauses}
    if named != set(_ACTOR_PROPS) or len(clauses) != len(_ACTOR_PROPS):
        raise FilterError(
            f'Actor reference attribute "{attr.slug}" can only be filtered using both "referenced_actor_type" '
            'and "referenced_actor_id", each once.'
        )
    for prop, op, _ in clauses:
        if op != "$eq":
            word = "Invalid" if op in _ALL_OPS else "Unknown"
            raise FilterError(f'{word} operator "{op}" for field "{prop}", must be one of ("$eq").')
    operands = {prop: operand for prop, _, operand in clauses}
    kind, ident = operands["referenced_actor_type"], operands["referenced_actor_id"]
    if kind not in _ACTOR_TYPES:
        raise FilterError(
            f'Invalid value for "referenced_actor_type" of attribute "{attr.slug}": expected one of '
            f"{_quoted(_ACTOR_TYPES)}, got {kind!r}."
        )
    if kind == "system" and ident is not None:
        raise FilterError(f'System actors have a null "referenced_actor_id" (attribute "{attr.slug}").')
    if kind != "system" and not is_uuid(ident):
        raise FilterError(
            f'Invalid value for "referenced_actor_id" of attribute "{attr.slug}": expected a UUID, got '
            f"{_kind(ident) if not isinstance(ident, str) else repr(ident)}."
        )


def _default_prop(attr: _Attr, default: str | None, props: Mapping[str, Any]) -> str:
    if default is None and attr.type == "actor-reference":
        _check_actor_clauses(attr, [])
    if default is None:
        raise FilterError(
            f'Attribute "{attr.slug}" of type "{attr.type}" needs a field, one of {_quoted(props)}.'
        )
    return default


def _has_value(extract: Callable[[dict], Any]) -> Callable[[dict], bool]:
    def has(v: dict) -> bool:
        got = extract(v)
        if isinstance(got, tuple):
            return any(x not in (None, "") for x in got)
        return got not in (None, "")

    return has


def _extractor(attr_type: str, prop: str) -> Callable[[dict], Any]:
    if prop == "active_from":
        return lambda v: v.get("active_from")
    if attr_type in ("select", "status"):
        return lambda v: _choice(v.get(prop), f"{prop}_id")
    if prop == "owner_member_id":
        return lambda v: (v.get("owner_actor") or {}).get("id")
    return lambda v: v.get(prop)


def _choice(obj: Any, id_key: str) -> tuple[Any, Any]:
    if isinstance(obj, dict):
        ident = obj.get("id")
        return (ident.get(id_key) if isinstance(ident, dict) else ident, obj.get("title"))
    return (obj, None)  # the spec also allows a bare option/status UUID


# --- per-value tests -------------------------------------------------------------------------------


def _value_test(kind: str, op: str, operand: Any, attr: _Attr, prop: str, ctx: _Ctx) -> ValueTest:
    where = f'"{op}" on field "{prop}" of attribute "{attr.slug}"'
    if kind == "country":
        text = _require(operand, str, "a country code", where)
        valid = text in COUNTRY_CODES if op == "$eq" else any(c.startswith(text) for c in COUNTRY_CODES)
        if not text or not valid:
            raise FilterError(
                f'Invalid value for {where}: "{text}" is not an ISO 3166-1 alpha-2 country code'
                + ("." if op == "$eq" else " prefix.")
            )
        if op == "$eq":
            return lambda x: x == text
        return lambda x: isinstance(x, str) and x.startswith(text)
    if kind in ("actor_type", "actor_id"):  # operands checked by _check_actor_clauses
        return lambda x: x == operand
    if kind in ("text", "text_ci", "code"):
        fold = (lambda s: s) if kind == "text" else str.casefold
        if op == "$in":
            items = _str_list(operand, where)
            wanted = {fold(s) for s in items}
            return lambda x: isinstance(x, str) and fold(x) in wanted
        text = _require(operand, str, "a string", where)
        if op == "$eq":
            folded = fold(text)
            return lambda x: isinstance(x, str) and fold(x) == folded
        needle = text.casefold()
        method = _TEXT_OPS[op]
        return lambda x: isinstance(x, str) and method(x.casefold(), needle)
    if kind in ("number", "money"):
        number = _number(operand, allow_str=kind == "money")
        if number is None:
            raise FilterError(f"Invalid value for {where}: expected a number, got {_kind(operand)}.")
        cmp = _ORDER[op]
        return lambda x: (n := _number(x, allow_str=True)) is not None and cmp(n, number)
    if kind in ("date", "timestamp", "since"):
        parse = _day if kind == "date" else _instant
        text = _require(operand, str, "an ISO 8601 string", where)
        bound = parse(text)
        if bound is None:
            raise FilterError(f'Invalid value for {where}: "{text}" is not a valid {kind}.')
        if kind == "timestamp" and not _HAS_TIME.match(text.strip()):
            raise FilterError(
                f'Invalid value for {where}: "{text}" has no time. Timestamp filters need both a date and a '
                'time, e.g. "2023-01-02T13:00:00.000Z".'
            )
        cmp = _ORDER[op]
        return lambda x: isinstance(x, str) and (p := parse(x)) is not None and cmp(p, bound)
    if kind == "bool":
        flag = _require(operand, bool, "true or false", where)
        return lambda x: x is flag
    if kind in ("option", "status"):
        return _choice_test(kind, operand, attr, where)
    if kind == "object":
        target = ctx.slug(_require(operand, str, "an object slug or ID", where))
        return lambda x: isinstance(x, str) and ctx.slug_or_none(x) == target
    # kind == "id"
    if op == "$in":
        wanted = set(_str_list(operand, where))
        return lambda x: x in wanted
    if operand is not None and not isinstance(operand, str):
        raise FilterError(f"Invalid value for {where}: expected a string, got {_kind(operand)}.")
    return lambda x: x == operand


def _choice_test(kind: str, operand: Any, attr: _Attr, where: str) -> ValueTest:
    noun = "select option" if kind == "option" else "status"
    wanted = _require(operand, str, f"a {noun} title or ID", where)
    choices = attr.raw.get("options" if kind == "option" else "statuses")
    if choices is None:
        keys = {wanted}
    else:
        id_key = f"{kind}_id"
        keys = set()
        for choice in choices:
            ident, title = _choice(choice, id_key)
            if wanted in (ident, title):
                keys |= {k for k in (ident, title) if k is not None}
        if not keys:
            raise FilterError(f"Unknown {noun} name for {kind} field constraint: {wanted}")
    return lambda x: any(k in keys for k in x if k is not None)


def _require(operand: Any, typ: type, label: str, where: str) -> Any:
    if not isinstance(operand, typ) or (typ is not bool and isinstance(operand, bool)):
        raise FilterError(f"Invalid value for {where}: expected {label}, got {_kind(operand)}.")
    return operand


def _str_list(operand: Any, where: str) -> list[str]:
    if not isinstance(operand, list) or not all(isinstance(s, str) for s in operand):
        raise FilterError(f"Invalid value for {where}: expected an array of strings, got {_kind(operand)}.")
    return operand


def _number(x: Any, *, allow_str: bool) -> float | None:
    if isinstance(x, bool):
        return None
    if isinstance(x, int | float):
        return float(x)
    if allow_str and isinstance(x, str):
        try:
            value = float(x.strip())
        except ValueError:
            return None
        return value if value == value else None  # reject NaN
    return None


_STAMP = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|z|[+-]\d{2}:?\d{2})?$"
)
_HAS_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _instant(text: str) -> int | None:
    """Nanoseconds since the epoch for an ISO date or date-time (UTC assumed), or None if invalid."""
    m = _STAMP.match(text.strip())
    if m is None:
        return None
    y, mo, d, h, mi, s, frac, tz = m.groups()
    try:
        moment = datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0), tzinfo=UTC)
    except ValueError:
        return None
    if tz and tz not in ("Z", "z"):
        sign = -1 if tz[0] == "-" else 1
        digits = tz[1:].replace(":", "")
        moment -= sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    seconds = (moment - _EPOCH) // timedelta(seconds=1)
    return seconds * 1_000_000_000 + int((frac or "").ljust(9, "0"))


def _day(text: str) -> date | None:
    """The UTC calendar date of an ISO date or date-time, or None if invalid."""
    stamp = _instant(text)
    if stamp is None:
        return None
    return (_EPOCH + timedelta(seconds=stamp // 1_000_000_000)).date()


_KINDS = {type(None): "null", bool: "boolean", int: "number", float: "number", str: "string", list: "array"}


def _kind(x: Any) -> str:
    return "object" if isinstance(x, dict) else _KINDS.get(type(x), type(x).__name__)


# --- paths -----------------------------------------------------------------------------------------

Hop = Callable[[Row], list[Row]]


def _path_filter(path: Any, constraints: Any, parent: str, ctx: _Ctx, where: tuple[str, ...]) -> Predicate:
    hops, last = _compile_path(path, parent, ctx, (*where, "path"))
    condition = _attr_condition(last, constraints, ctx)
    return lambda row: any(condition(r) for r in _walk(row, hops))


def _walk(row: Row, hops: list[Hop]) -> list[Row]:
    rows = [row]
    for hop in hops:
        seen: dict[str, Row] = {}
        for r in rows:
            for nxt in hop(r):
                seen.setdefault(_row_id(nxt), nxt)
        rows = list(seen.values())
    return rows


def _compile_path(
    path: Any, parent: str, ctx: _Ctx, where: tuple[str, ...] | None = None
) -> tuple[list[Hop], _Attr]:
    if (
        not isinstance(path, list)
        or not path
        or not all(isinstance(p, list) and len(p) == 2 and all(isinstance(x, str) for x in p) for p in path)
    ):
        raise FilterError("path must be a non-empty array of [object-or-list, attribute] pairs of strings.")
    if ctx.slug(path[0][0]) != parent:
        raise FilterError(f'The first pair of path must name "{parent}", the object or list being queried.')
    hops: list[Hop] = []
    for i, (owner, key) in enumerate(path):
        attr = ctx.attribute(ctx.slug(owner), key, None if where is None else (*where, str(i), "1"))
        if i == len(path) - 1:
            return hops, attr
        target = ctx.slug(path[i + 1][0])
        if attr.type != "record-reference":
            raise FilterError(
                f'Path step "{key}" on "{owner}" is not a record reference; it cannot be followed.'
            )
        allowed = (attr.raw.get("config") or {}).get("record_reference", {}).get("allowed_object_ids") or []
        allowed_slugs = {ctx.slug_or_none(a) for a in allowed}
        if allowed and None not in allowed_slugs and target not in allowed_slugs:
            raise FilterError(f'Path step "{key}" on "{owner}" cannot reference "{path[i + 1][0]}".')
        hops.append(_hop(attr, target, ctx))
    raise AssertionError("unreachable")


def _hop(attr: _Attr, target: str, ctx: _Ctx) -> Hop:
    def hop(row: Row) -> list[Row]:
        found = []
        for v in attr.values(row):
            obj, rid = v.get("target_object"), v.get("target_record_id")
            if isinstance(obj, str) and isinstance(rid, str) and ctx.slug_or_none(obj) == target:
                record = ctx.resolver.record(target, rid)
                if record is not None:
                    found.append(record)
        return found

    return hop


# --- sorts -----------------------------------------------------------------------------------------


def _sort_key(spec: Any, parent: str, ctx: _Ctx) -> tuple[Callable[[Row], Any], bool]:
    if not isinstance(spec, dict):
        raise FilterError(f"Each sort must be an object, got {_kind(spec)}.")
    direction = spec.get("direction")
    if direction not in ("asc", "desc"):
        raise FilterError(f'Sort direction must be "asc" or "desc", got {direction!r}.')
    if "path" in spec:
        hops, attr = _compile_path(spec["path"], parent, ctx)
    elif "attribute" in spec:
        hops, attr = [], ctx.attribute(parent, spec["attribute"])
    else:
        raise FilterError('Each sort needs an "attribute" or a "path".')
    if attr.type not in _TYPES:
        raise FilterError(f'Attribute "{attr.slug}" of type "{attr.type}" cannot be sorted.')
    default, props = _TYPES[attr.type]
    field = spec.get("field") or default or _SORT_DEFAULT[attr.type]
    if field not in props:
        raise FilterError(f'Unknown sort field "{field}" on "{attr.slug}", must be one of {_quoted(props)}.')
    extract = _extractor(attr.type, field)
    normalise = _sort_normaliser(props[field][0])

    def key(row: Row) -> Any:
        for r in _walk(row, hops):
            vals = attr.values(r)
            if vals:
                return normalise(extract(vals[0]))
        return None

    return key, direction == "desc"


def _sort_normaliser(kind: str) -> Callable[[Any], Any]:
    if kind in ("number", "money"):
        return lambda x: _number(x, allow_str=True)
    if kind == "date":
        return lambda x: _day(x) if isinstance(x, str) else None
    if kind == "timestamp":
        return lambda x: _instant(x) if isinstance(x, str) else None
    if kind == "bool":
        return lambda x: int(x) if isinstance(x, bool) else None
    if kind in ("option", "status"):
        return lambda x: (str(x[1] or x[0]).casefold()) if (x[1] or x[0]) is not None else None
    return lambda x: x.casefold() if isinstance(x, str) and x != "" else None
