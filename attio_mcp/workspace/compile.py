"""Filters and sorts as a model writes them, compiled into requests real Attio accepts, against the live schema.

One compiler serves ``records_search`` and ``list_entries_filter``. It takes Attio's whole grammar (shorthand,
verbose, properties, ``$and``/``$or``/``$not``, ``path`` + ``constraints``) and also reads, when exactly one
meaning fits:

- operators as symbols or words (``>``, ``>=``, ``!=``, ``gt``, ``lte``, ``ne``, ``contains``, ``in``,
  ``not_in``, ``between``, ``is_empty``…), and ``$ne``/``$nin``/``$in``/emptiness where Attio has no such
  operator for the type, rebuilt from documented forms (``$not``, ``$or`` of ``$eq``, comparisons that hold
  for every value);
- option and status titles in any case (sent exactly as the workspace spells them), ``$contains`` on a select
  (the options it matches);
- a reference followed the way people write it (``{"company": {"name": "Acme Inc"}}``, ``"company.name"``,
  as deep as Attio's paths go) as a ``path`` filter; on a list, the parent record's attributes likewise
  (through ``parent_record``); a record named instead of its id (one lookup);
- a date on a timestamp (``"2024-06-01"``, ``"yesterday"``) as full UTC timestamps bounding that day;
- attribute slugs in another case, singular or plural, or by display name (``TargetSchema.find``).

Every operator and value is checked per attribute type before anything is sent; an error lists the valid
operators, options or statuses. Each reading is recorded in the caller's ``Interpreted``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from attio_mcp.workspace.dates import DATE_WORDS, parse_words, today_is
from attio_mcp.workspace.errors import InputError, LookupFailure, WorkspaceError, did_you_mean
from attio_mcp.workspace.interpret import Interpreted, show
from attio_mcp.workspace.lookup import find_records, id_or_name, label_slug
from attio_mcp.workspace.schema import AttrInfo, TargetSchema
from attio_mcp.workspace.values import TYPES, UUID_RE, host_of, parse_amount, parse_number, require_uuid

if TYPE_CHECKING:
    from attio_mcp.workspace.context import Workspace

__all__ = ["OPERATORS", "FilterInputError", "compile_filter", "compile_sorts", "operator"]

# -- operators ---------------------------------------------------------------------------------------------

_WORDS: dict[str, tuple[str, ...]] = {
    "$eq": ("=", "==", "eq", "equals", "equal", "is", "equal_to", "equals_to"),
    "$ne": ("!=", "<>", "ne", "neq", "not_equals", "not_equal", "is_not", "isnt", "not_equal_to", "not_eq"),
    "$gt": (">", "gt", "greater_than", "after", "above", "more_than"),
    "$gte": (">=", "=>", "gte", "ge", "greater_than_or_equal", "greater_than_or_equal_to", "at_least"),
    "$lt": ("<", "lt", "less_than", "before", "below", "fewer_than"),
    "$lte": ("<=", "=<", "lte", "le", "less_than_or_equal", "less_than_or_equal_to", "at_most"),
    "$contains": ("contains", "like", "ilike", "includes", "icontains"),
    "$starts_with": ("starts_with", "startswith", "begins_with", "prefix", "istartswith"),
    "$ends_with": ("ends_with", "endswith", "suffix", "iendswith"),
    "$in": ("in", "any_of", "one_of", "is_any_of", "is_one_of"),
    "$nin": ("nin", "not_in", "none_of", "is_none_of", "not_any_of"),
    "$not_empty": ("not_empty", "is_not_empty", "exists", "is_set", "has_value", "notempty", "not_null"),
    "$empty": ("empty", "is_empty", "not_set", "is_null", "null", "missing", "isempty"),
    "$between": ("between", "range", "within"),
}
_ALIASES = {alias: op for op, aliases in _WORDS.items() for alias in (op.lstrip("$"), *aliases)}
OPERATORS = tuple(_WORDS)
_LOGICAL = {"and": "$and", "or": "$or", "not": "$not", "all": "$and", "any": "$or"}
_SYMBOLS = frozenset(a for aliases in _WORDS.values() for a in aliases if not a[0].isalpha())


def operator(key: str) -> str | None:
    """The Attio-style operator a key names (``">"``, ``"gte"``, ``"$in"``, ``"not in"``), or None."""
    text = key.strip()
    if text in _SYMBOLS:
        return _ALIASES[text]
    word = re.sub(r"[\s-]+", "_", text.lower().lstrip("$"))
    return _ALIASES.get(word)


def _is_operator_key(key: str) -> bool:
    return key.startswith("$") or key.strip() in _SYMBOLS


# -- the per-type table: default property, and per property its operand kind and native operators ---------

_S = ("$eq", "$contains", "$starts_with", "$ends_with")
_NE = (*_S, "$not_empty")
_C = ("$eq", "$gt", "$gte", "$lt", "$lte")
_LINES = ("line_1", "line_2", "line_3", "line_4", "locality", "region", "postcode")
_Props = dict[str, tuple[str, tuple[str, ...]]]
_TABLE: dict[str, tuple[str | None, _Props]] = {
    "text": ("value", {"value": ("text", (*_S, "$in"))}),
    "number": ("value", {"value": ("number", _C)}),
    "rating": ("value", {"value": ("number", _C)}),
    "checkbox": ("value", {"value": ("bool", ("$eq",))}),
    "currency": ("currency_value", {"currency_value": ("money", _C), "currency_code": ("code", ("$eq",))}),
    "date": ("value", {"value": ("date", _C)}),
    "timestamp": ("value", {"value": ("timestamp", _C)}),
    "select": ("option", {"option": ("option", ("$eq",)), "active_from": ("since", _C[1:])}),
    "status": ("status", {"status": ("option", ("$eq",)), "active_from": ("since", _C[1:])}),
    "record-reference": (
        "target_record_id",
        {"target_object": ("object", ("$eq",)), "target_record_id": ("record", ("$eq", "$in"))},
    ),
    "actor-reference": (
        None,
        {"referenced_actor_type": ("actor_type", ("$eq",)), "referenced_actor_id": ("actor_id", ("$eq",))},
    ),
    "location": (
        None,
        {**{p: ("text", _S) for p in _LINES}, "country_code": ("country", ("$eq", "$starts_with"))},
    ),
    "domain": ("domain", {"domain": ("host", _NE), "root_domain": ("host", _NE)}),
    "email-address": (
        "email_address",
        {
            "email_address": ("email", _S),
            "email_domain": ("host", _S),
            "email_root_domain": ("host", _S),
            "email_local_specifier": ("text", _S),
        },
    ),
    "phone-number": (
        "phone_number",
        {"phone_number": ("phone", _S), "country_code": ("country", ("$eq", "$not_empty"))},
    ),
    "personal-name": ("full_name", {p: ("text", _NE) for p in ("first_name", "last_name", "full_name")}),
    "interaction": (
        None,
        {
            "interaction_type": ("text", ("$eq", "$not_empty")),
            "interacted_at": ("timestamp", _C),
            "owner_member_id": ("member", ("$eq", "$not_empty")),
        },
    ),
    "_id": ("value", {"value": ("uuid", ("$eq", "$in"))}),  # record_id (of a record or a parent record)
}
_PROPERTY_WORDS: dict[str, dict[str, str]] = {
    "location": {
        "city": "locality", "town": "locality", "state": "region", "province": "region", "county": "region",
        "zip": "postcode", "zip_code": "postcode", "zipcode": "postcode", "postal_code": "postcode",
        "country": "country_code", "address": "line_1", "street": "line_1",
    },
    "personal-name": {
        "first": "first_name", "firstname": "first_name", "given_name": "first_name", "last": "last_name",
        "lastname": "last_name", "surname": "last_name", "family_name": "last_name", "full": "full_name",
        "name": "full_name",
    },
    "email-address": {
        "email": "email_address", "address": "email_address", "domain": "email_domain",
        "root_domain": "email_root_domain", "local": "email_local_specifier",
    },
    "domain": {"host": "domain", "root": "root_domain"},
    "phone-number": {"number": "phone_number", "phone": "phone_number", "country": "country_code"},
    "currency": {
        "value": "currency_value", "amount": "currency_value", "currency": "currency_code", "code": "currency_code",
    },
    "record-reference": {
        "record_id": "target_record_id", "id": "target_record_id", "object": "target_object",
        "object_slug": "target_object",
    },
    "interaction": {
        "at": "interacted_at", "date": "interacted_at", "time": "interacted_at", "when": "interacted_at",
        "type": "interaction_type", "owner": "owner_member_id",
    },
    "select": {"title": "option", "changed_at": "active_from", "since": "active_from"},
    "status": {"title": "status", "changed_at": "active_from", "since": "active_from"},
    "actor-reference": {"type": "referenced_actor_type", "id": "referenced_actor_id"},
}  # fmt: skip
_INTERACTION_TYPES = ("calendar-event", "call", "chat-thread", "email", "in-person-meeting", "meeting")
_ACTOR_TYPES = ("api-token", "workspace-member", "system")
_ORDERED = ("number", "money", "date", "timestamp", "since")
_LONG_AGO = date(1900, 1, 1)
_NEXT = "fix the filter; attributes_list shows slugs, types and options."
_GRAMMAR = (
    '{"<slug>": value} or {"<slug>": {"$op": value}}; ops $eq $ne $gt $gte $lt $lte $in $nin $contains '
    "$starts_with $ends_with $not_empty; combine with $and/$or/$not."
)


def _native_ops(kind_ops: tuple[str, ...], kind: str) -> list[str]:
    """The operators a property accepts as a model may write them (native plus the rebuilt ones)."""
    extra = ["$ne"] + (["$in", "$nin"] if "$eq" in kind_ops else [])
    if kind == "option":
        extra += ["$contains", "$starts_with", "$ends_with"]
    if kind in _ORDERED:
        extra += ["$between"]
    return list(dict.fromkeys([*kind_ops, *extra, "$not_empty", "$empty"]))


class FilterInputError(WorkspaceError):
    """A VALIDATION_ERROR from the compiler; ``part`` is what was wrong: the attribute, the operator or the value
    (so a caller with separate parameters for them can name the right one)."""

    def __init__(
        self, message: str, *, field: str, next_step: str, options: Sequence[str] | None, part: str
    ) -> None:
        super().__init__("VALIDATION_ERROR", message, field=field, next_step=next_step, options=options)
        self.part = part


def _invalid(
    message: str,
    where: str,
    next_step: str = _NEXT,
    options: Sequence[str] | None = None,
    *,
    part: str = "value",
) -> FilterInputError:
    return FilterInputError(message, field=where, next_step=next_step, options=options, part=part)


# -- compiled conditions -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Leaf:
    """One native condition on an attribute: property (None: the type's default), operator, operand."""

    prop: str | None
    op: str
    operand: Any


@dataclass(frozen=True)
class _At:
    """Where an attribute condition sits: its owner (object or list), the attribute, the path that led to it
    (``[[object-or-list, attribute], …]`` hops before ``owner``) and the input location for messages."""

    owner: TargetSchema
    attr: AttrInfo
    where: str
    prefix: tuple[tuple[str, str], ...] = ()

    @property
    def kind(self) -> str:
        if self.attr.system and self.attr.slug == "record_id":
            return "_id"
        return self.attr.type

    def place(self, condition: Any) -> dict[str, Any]:
        """``{slug: condition}``, or a path filter when this attribute was reached through references."""
        if not self.prefix:
            return {self.attr.slug: condition}
        path = [list(hop) for hop in self.prefix] + [[self.owner.slug, self.attr.slug]]
        constraints = condition if isinstance(condition, dict) else {"$eq": condition}
        return {"path": path, "constraints": constraints}


def _all(parts: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """AND of filters: one object when their keys do not collide (Attio ANDs sibling keys), else ``$and``."""
    parts = [p for p in parts if p]
    if len(parts) <= 1:
        return parts[0] if parts else {}
    merged: dict[str, Any] = {}
    for part in parts:
        if any(k in merged for k in part) or any(k in ("path", "constraints") for k in part):
            return {"$and": list(parts)}
        merged.update(part)
    return merged


def _any(parts: Sequence[dict[str, Any]]) -> dict[str, Any]:
    return parts[0] if len(parts) == 1 else {"$or": list(parts)}


def _not(part: dict[str, Any]) -> dict[str, Any]:
    return {"$not": part}


def _render(at: _At, leaves: Sequence[_Leaf]) -> dict[str, Any]:
    """Native leaves of one attribute as filters: as few conditions as possible (a repeated property and
    operator starts another, ANDed), shorthand for a lone ``$eq`` outside a path."""
    groups: list[list[_Leaf]] = [[]]
    for leaf in leaves:
        if any((x.prop, x.op) == (leaf.prop, leaf.op) for x in groups[-1]):
            groups.append([])
        groups[-1].append(leaf)
    out = []
    for group in groups:
        if not group:
            continue
        if (
            len(group) == 1
            and group[0].prop is None
            and group[0].op == "$eq"
            and at.kind != "record-reference"
        ):
            out.append(at.place(group[0].operand))
            continue
        condition: dict[str, Any] = {}
        for leaf in group:
            if leaf.prop is None:
                condition[leaf.op] = leaf.operand
            elif at.kind in ("record-reference", "actor-reference") and leaf.op == "$eq":
                condition[leaf.prop] = leaf.operand  # Attio's documented {target_object, target_record_id}
            else:
                condition.setdefault(leaf.prop, {})[leaf.op] = leaf.operand
        out.append(at.place(condition))
    return _all(out)


# -- the compiler ------------------------------------------------------------------------------------------

Pairs = list[tuple[str | None, str]]  # referenced records: (object if known, record id)


@dataclass
class _Compiler:
    ws: Workspace
    notes: Interpreted
    now: datetime
    parents: Sequence[TargetSchema] = ()
    _members: list[Any] | None = field(default=None, repr=False)

    # -- schema look-ups ---------------------------------------------------------------------------------

    async def _object(self, name: str, where: str) -> TargetSchema:
        try:
            return await self.ws.object(name, field=where, notes=self.notes)
        except LookupFailure as exc:
            raise _invalid(exc.message, where, "objects_list shows every object.", exc.options) from None

    def _find(self, schema: TargetSchema, key: str, where: str, *, loose: bool) -> AttrInfo | None:
        if not loose:
            return schema.get(key)
        attr, candidates = schema.find(key)
        if candidates:
            slugs = [a.slug for a in candidates]
            raise _invalid(
                f"{key!r} could mean any of {', '.join(slugs)} on {schema.slug}",
                where,
                "use the slug you mean.",
                slugs,
                part="attribute",
            )
        if attr is not None and key not in (attr.slug, attr.id):
            self.notes.add(where[: -len(key) - 1] if where.endswith(f".{key}") else where, key, attr.slug)
        return attr

    def _unknown(self, owners: Sequence[TargetSchema], key: str, where: str) -> WorkspaceError:
        names = [s for o in owners for s in o.attributes]
        close = did_you_mean(key, names)
        hint = f"did you mean {', '.join(close)}? " if close else ""
        return _invalid(
            f"{' or '.join(o.slug for o in owners)} has no attribute {key!r}",
            where,
            f"{hint}attributes_list shows every slug.",
            part="attribute",
        )

    async def members(self) -> list[Any]:
        if self._members is None:
            self._members = list(await self.ws.members())
        return self._members

    def _parent_record(self, lst: TargetSchema) -> AttrInfo:
        """A list entry's ``parent_record``: a reference to the list's parent objects."""
        return AttrInfo(
            slug="parent_record",
            id="parent_record",
            title="Parent record",
            type="record-reference",
            allowed_objects=tuple(p.slug for p in self.parents) or lst.parent_objects,
        )

    # -- filter nodes ------------------------------------------------------------------------------------

    async def node(self, target: TargetSchema, node: Any, where: str) -> dict[str, Any]:
        if not isinstance(node, Mapping):
            raise _invalid(f"expected a filter object, got {type(node).__name__}", where, _GRAMMAR)
        parts: list[dict[str, Any]] = []
        if "path" in node or "constraints" in node:
            parts.append(await self._path_filter(target, node.get("path"), node.get("constraints"), where))
        for raw_key, value in node.items():
            key = str(raw_key)
            if key in ("path", "constraints"):
                continue
            word = key.lower().lstrip("$")
            logical = _LOGICAL.get(word) if key.startswith("$") or word in ("and", "or", "not") else None
            if logical is not None:
                if logical != key:
                    self.notes.add(where, key, logical)
                parts.append(await self._logical(target, logical, value, f"{where}.{logical}"))
            elif _is_operator_key(key):
                raise _invalid(
                    f"{key!r} is not a logical operator; comparison operators go under an attribute",
                    where,
                    'write {"<slug>": {"$gt": 5}} or combine filters with $and/$or/$not.',
                    ["$and", "$or", "$not"],
                )
            else:
                parts.append(await self._key(target, key, value, f"{where}.{key}"))
        return _all(parts)

    async def _logical(self, target: TargetSchema, op: str, value: Any, where: str) -> dict[str, Any]:
        if op == "$not":
            if isinstance(value, list) and value:
                value = {"$and": value} if len(value) > 1 else value[0]
            return _not(await self.node(target, value, where))
        if isinstance(value, Mapping) and value:
            self.notes.say(f"{where}: an object → a list of its conditions")
            value = [{k: v} for k, v in value.items()]
        if not isinstance(value, list) or not value:
            raise _invalid(f"{op} takes a non-empty list of filters", where, _GRAMMAR)
        subs = [await self.node(target, sub, where) for sub in value]
        return {op: subs} if len(subs) > 1 else subs[0]

    async def _key(self, target: TargetSchema, key: str, value: Any, where: str) -> dict[str, Any]:
        """One top-level key: an attribute of the target, of a list's parent record, or a dotted path."""
        on_list = target.kind == "list"
        if on_list and key.lower() == "entry_id":
            raise _invalid(
                "Attio's entry filter has no entry_id attribute",
                where,
                "filter by record_id (the parent record) instead; list_entries_get shows entry ids.",
                part="attribute",
            )
        if on_list and key.lower() == "parent_record" and target.get(key) is None:
            return await self._attribute(_At(target, self._parent_record(target), where), value)
        if on_list and key.lower() in ("record_id", "parent_record_id") and target.get(key) is None:
            return _any(
                [await self._parent(target, p, "record_id", value, where, loose=False) for p in self.parents]
            )
        for loose in (False, True):
            attr = self._find(target, key, where, loose=loose)
            if attr is not None:
                return await self._attribute(_At(target, attr, where), value)
            if on_list:
                hits = [
                    f
                    for p in self.parents
                    if (f := await self._parent(target, p, key, value, where, loose=loose))
                ]
                if hits:
                    return _any(hits)
            head, _, rest = key.partition(".")
            if not loose and rest and any(o.get(head) is not None for o in (target, *self.parents)):
                return await self._key(target, head, {rest: value}, where[: len(where) - len(key)] + head)
        raise self._unknown([target, *self.parents], key, where)

    async def _parent(
        self, lst: TargetSchema, parent: TargetSchema, key: str, value: Any, where: str, *, loose: bool
    ) -> dict[str, Any]:
        """A list's condition on its parent record's attribute, through ``parent_record``."""
        attr = self._find(parent, key, where, loose=loose)
        if attr is None:
            return {}
        return await self._attribute(_At(parent, attr, where, ((lst.slug, "parent_record"),)), value)

    async def walk(
        self, target: TargetSchema, path: Any, where: str
    ) -> tuple[tuple[tuple[str, str], ...], TargetSchema, AttrInfo]:
        """An explicit ``[[object, attribute], …]`` path checked hop by hop: (hops before the last pair, the
        last pair's object, its attribute)."""
        if not (
            isinstance(path, list)
            and path
            and all(isinstance(p, list) and len(p) == 2 and all(isinstance(x, str) for x in p) for p in path)
        ):
            raise _invalid(
                "path is a list of [object, attribute] pairs",
                where,
                'pass [["deals", "company"], ["companies", "name"]].',
            )
        hops: list[tuple[str, str]] = []
        owner, attr = target, None
        for i, (obj, key) in enumerate(path):
            at = f"{where}.{i}"
            if i == 0 and obj.strip().lower() not in (
                target.slug.lower(),
                target.id.lower(),
                target.name.lower(),
            ):
                raise _invalid(
                    f"a path starts at {target.slug}, the {target.kind} queried, not {obj!r}",
                    at,
                    f'start it with ["{target.slug}", "<attribute>"].',
                )
            if i > 0:
                owner = await self._object(obj, at)
            if owner.kind == "list" and key == "parent_record":
                attr = self._parent_record(owner)
            else:
                attr = self._find(owner, key, at, loose=True)
                if attr is None:
                    raise self._unknown([owner], key, at)
            if i < len(path) - 1:
                if attr.type != "record-reference":
                    raise _invalid(
                        f"{owner.slug}.{attr.slug} is not a record reference; a path cannot go on", at
                    )
                hops.append((owner.slug, attr.slug))
        assert attr is not None
        return tuple(hops), owner, attr

    async def _path_filter(
        self, target: TargetSchema, path: Any, constraints: Any, where: str
    ) -> dict[str, Any]:
        """An explicit ``{"path": [[object, attribute], …], "constraints": {…}}``."""
        if constraints is None or path is None:
            raise _invalid(
                "a path filter needs both path and constraints",
                f"{where}.path",
                'e.g. {"path": [["deals", "company"], ["companies", "name"]], "constraints": {"$eq": "Acme"}}.',
            )
        hops, owner, attr = await self.walk(target, path, f"{where}.path")
        return await self._attribute(_At(owner, attr, f"{where}.constraints", hops), constraints)

    # -- one attribute -----------------------------------------------------------------------------------

    async def _attribute(self, at: _At, spec: Any) -> dict[str, Any]:
        """The filter for one attribute's condition (``spec`` in any of the accepted shapes)."""
        if at.attr.type == "interaction" and not isinstance(spec, Mapping):
            raise _invalid(
                f"{at.attr.slug} is an interaction; filter on its interacted_at or interaction_type",
                at.where,
                f'e.g. {{"{at.attr.slug}": {{"interacted_at": {{"$gte": "2024-01-01"}}}}}}.',
            )
        clauses, nested = self._clauses(at, spec)
        parts: list[dict[str, Any]] = []
        leaves: list[_Leaf] = []
        for prop, op, operand in clauses:
            got = await self._clause(at, prop, op, operand)
            if isinstance(got, dict):
                parts.append(got)
            else:
                leaves.extend(leaf for leaf in got if leaf not in leaves)
        if at.kind == "actor-reference" and leaves:
            leaves = self._actor_pair(at, leaves)
        if leaves:
            parts.insert(0, _render(at, leaves))
        for key, sub in nested:
            parts.append(await self._nested(at, key, sub))
        return _all(parts)

    def _property(self, at: _At, key: str) -> str | None:
        default, props = _TABLE.get(at.kind, (None, {}))
        if key in props:
            return key
        alias = _PROPERTY_WORDS.get(at.kind, {}).get(key.strip().lower())
        if alias is None and key.strip().lower() == "value" and default is not None:
            alias = default
        if alias is not None:
            self.notes.add(at.where, key, alias)
        return alias

    def _clauses(self, at: _At, spec: Any) -> tuple[list[tuple[str | None, str, Any]], list[tuple[str, Any]]]:
        """``spec`` as ``(property, operator, operand)`` clauses, plus keys that follow a reference."""
        if spec is None:
            self.notes.add(at.where, None, "is empty")
            return [(None, "$empty", True)], []
        if isinstance(spec, list):
            if at.attr.multi:
                slug = at.attr.slug
                raise _invalid(
                    f"a list on {slug}, which holds several values, could mean any of them or all of them",
                    at.where,
                    f'say which: {{"{slug}": {{"$in": [...]}}}} for any, or '
                    f'{{"$and": [{{"{slug}": "a"}}, {{"{slug}": "b"}}]}} for all.',
                )
            self.notes.add(at.where, spec, "$in")
            return [(None, "$in", spec)], []
        if not isinstance(spec, Mapping):
            return [(None, "$eq", spec)], []
        if not spec:
            raise _invalid(f"empty condition for {at.attr.slug}", at.where, _GRAMMAR)
        clauses: list[tuple[str | None, str, Any]] = []
        nested: list[tuple[str, Any]] = []
        for raw_key, sub in spec.items():
            key = str(raw_key)
            prop = None if _is_operator_key(key) else self._property(at, key)
            if prop is not None:
                clauses.extend(self._property_clauses(at, prop, sub))
                continue
            op = operator(key)
            if op is not None:
                if op != key:
                    self.notes.add(at.where, key, op)
                clauses.append((None, op, sub))
            elif at.kind == "record-reference" and not _is_operator_key(key):
                nested.append((key, sub))
            else:
                raise self._bad_key(at, key)
        return clauses, nested

    def _property_clauses(self, at: _At, prop: str, sub: Any) -> list[tuple[str | None, str, Any]]:
        if isinstance(sub, Mapping) and sub:
            out: list[tuple[str | None, str, Any]] = []
            for key, operand in sub.items():
                op = operator(str(key))
                if op is None:
                    raise self._bad_key(at, str(key), prop)
                if op != key:
                    self.notes.add(f"{at.where}.{prop}", key, op)
                out.append((prop, op, operand))
            return out
        if isinstance(sub, list):
            self.notes.add(f"{at.where}.{prop}", sub, "$in")
            return [(prop, "$in", sub)]
        if sub is None:
            return [(prop, "$empty", True)]
        return [(prop, "$eq", sub)]

    def _bad_key(self, at: _At, key: str, prop: str | None = None) -> WorkspaceError:
        default, props = _TABLE.get(at.kind, (None, {}))
        if _is_operator_key(key) or prop is not None or default is not None:
            kind, native = props.get(prop or default or "", ("", ()))
            ops = _native_ops(native, kind) if native else list(OPERATORS)
            return _invalid(
                f"unknown operator {key!r} for {at.attr.slug} ({at.attr.type}"
                + (f", property {prop}" if prop else "")
                + ")",
                at.where,
                'write {"<slug>": {"$gt": 5}}; the operators are listed in Valid.',
                ops,
                part="operator",
            )
        return _invalid(
            f"unknown property {key!r} of {at.attr.slug} ({at.attr.type})",
            at.where,
            "name one of the properties listed in Valid, or give an operator.",
            list(props),
        )

    async def _nested(self, at: _At, key: str, sub: Any) -> dict[str, Any]:
        """``{"company": {"name": …}}``: a condition on an attribute of the referenced record (a path)."""
        prefix = (*at.prefix, (at.owner.slug, at.attr.slug))
        targets = [await self._object(obj, at.where) for obj in at.attr.allowed_objects]
        if not targets:
            raise _invalid(f"{at.attr.slug} may point at any object, so {key!r} cannot be followed", at.where)
        where = f"{at.where}.{key}"
        for loose in (False, True):
            found = []
            for schema in targets:
                attr = self._find(schema, key, where, loose=loose)
                if attr is not None:
                    self.notes.say(
                        f"{where}: path {at.owner.slug}.{at.attr.slug} → {schema.slug}.{attr.slug}"
                    )
                    found.append(await self._attribute(_At(schema, attr, where, prefix), sub))
            if found:
                return _any(found)
        error = self._unknown(targets, key, where)
        props = ", ".join(_TABLE["record-reference"][1])
        error.next_step = f"name an attribute of {'/'.join(t.slug for t in targets)}, or one of {props}."
        error.args = (error.render(),)
        raise error

    def _actor_pair(self, at: _At, leaves: list[_Leaf]) -> list[_Leaf]:
        """Attio filters an actor by its type and id together: add the member type to a lone id."""
        props = {leaf.prop for leaf in leaves}
        if props == {"referenced_actor_id"}:
            self.notes.add(at.where, "referenced_actor_id", "with referenced_actor_type workspace-member")
            return [_Leaf("referenced_actor_type", "$eq", "workspace-member"), *leaves]
        if props == {"referenced_actor_type"}:
            raise _invalid(
                f"{at.attr.slug} is compared by referenced_actor_type and referenced_actor_id together",
                at.where,
                "add referenced_actor_id, or pass a member's email.",
            )
        return leaves

    # -- one clause ----------------------------------------------------------------------------------------

    async def _clause(self, at: _At, prop: str | None, op: str, operand: Any) -> list[_Leaf] | dict[str, Any]:
        """Native leaves for one ``(property, operator, operand)``, or a filter built from documented forms."""
        default, props = _TABLE.get(at.kind, (None, {}))
        if at.kind == "actor-reference":
            return await self._actor(at, prop, op, operand)
        if prop is None and default is None:
            return await self._no_default(at, op, operand)
        name = prop or default or ""
        kind, native = props[name]
        shown = None if name == default else name
        if op == "$between":
            low, high = self._bounds(at, operand)
            self.notes.add(at.where, operand, "$gte and $lte")
            return _all(
                [
                    await self._as_filter(at, shown, "$gte", low),
                    await self._as_filter(at, shown, "$lte", high),
                ]
            )
        if op in ("$ne", "$nin"):
            base = "$eq" if op == "$ne" else "$in"
            self.notes.add(at.where, op, f"$not {base}")
            return _not(await self._as_filter(at, shown, base, operand))
        if op in ("$empty", "$not_empty"):
            if not isinstance(operand, bool):
                raise _invalid(f"{op} takes true or false", at.where)
            present = (op == "$not_empty") == operand
            if "$not_empty" in native:
                leaf = [_Leaf(shown, "$not_empty", True)]
                return leaf if present else _not(_render(at, leaf))
            built = await self._presence(at)
            return built if present else _not(built)
        if op == "$in":
            return await self._in(at, shown, kind, native, operand)
        if kind == "option" and op in _S[1:]:
            return self._option_match(at, op, operand)
        if at.kind == "record-reference" and name == "target_record_id" and op in _S[1:]:
            return await self._label_path(at, op, operand)
        if op not in native:
            raise _invalid(
                f"{op} does not apply to {at.attr.slug} ({at.attr.type}"
                + (f", property {name}" if name != default else "")
                + ")",
                at.where,
                "use one of the operators listed in Valid.",
                _native_ops(native, kind),
                part="operator",
            )
        if kind == "timestamp" and isinstance(operand, str):
            ranged = self._day_bounds(at, op, operand)
            if ranged is not None:
                return [_Leaf(shown, o, v) for o, v in ranged]
        if kind == "record":
            return self._ref_leaves(at, await self._records(at, operand))
        return [_Leaf(shown, op, await self._operand(at, kind, op, operand))]

    async def _in(
        self, at: _At, shown: str | None, kind: str, native: tuple[str, ...], operand: Any
    ) -> list[_Leaf] | dict[str, Any]:
        items = operand if isinstance(operand, list) else [operand]
        if not items:
            raise _invalid("$in needs a non-empty list of values", at.where)
        if kind == "record":
            pairs = [pair for v in items for pair in await self._records(at, v)]
            return self._ref_leaves(at, pairs)
        if "$in" in native:
            return [_Leaf(shown, "$in", [await self._operand(at, kind, "$eq", v) for v in items])]
        self.notes.add(at.where, "$in", "$or of $eq")
        return _any([await self._as_filter(at, shown, "$eq", v) for v in items])

    async def _as_filter(self, at: _At, prop: str | None, op: str, operand: Any) -> dict[str, Any]:
        got = await self._clause(at, prop, op, operand)
        return got if isinstance(got, dict) else _render(at, got)

    def _bounds(self, at: _At, operand: Any) -> tuple[Any, Any]:
        if isinstance(operand, Mapping):
            low = next(
                (operand[k] for k in ("from", "min", "start", "gte", "$gte", "low") if k in operand), None
            )
            high = next(
                (operand[k] for k in ("to", "max", "end", "lte", "$lte", "high") if k in operand), None
            )
            operand = [low, high]
        if not isinstance(operand, list) or len(operand) != 2 or None in operand:
            raise _invalid(
                "between takes two values: [low, high]", at.where, 'e.g. {"$between": [1000, 5000]}.'
            )
        return operand[0], operand[1]

    def _ref_leaves(self, at: _At, pairs: Pairs) -> list[_Leaf]:
        """``{target_object, target_record_id}`` (``$in`` for several ids), Attio's documented forms."""
        objects = {obj for obj, _ in pairs if obj}
        allowed = at.attr.allowed_objects
        target = next(iter(objects)) if len(objects) == 1 else (allowed[0] if len(allowed) == 1 else None)
        ids = list(dict.fromkeys(rid for _, rid in pairs))
        out = [_Leaf("target_object", "$eq", target)] if target else []
        if len(ids) == 1:
            return [*out, _Leaf("target_record_id", "$eq", ids[0])]
        return [*out, _Leaf("target_record_id", "$in", ids)]

    # -- operands ------------------------------------------------------------------------------------------

    async def _operand(self, at: _At, kind: str, op: str, value: Any) -> Any:
        """One operand in the form Attio compares (canonical option title, ISO date, number, id…)."""
        where = at.where
        if kind == "text":
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                raise _invalid(f"{at.attr.slug} compares text; got {type(value).__name__}", where)
            return str(value)
        if kind in ("number", "money"):
            return self._number(at, kind, value)
        if kind == "bool":
            if isinstance(value, bool):
                return value
            try:
                flag = TYPES["checkbox"].coerce(at.attr, value, ())
            except InputError:
                raise _invalid(f"{at.attr.slug} is a checkbox: compare with true or false", where) from None
            self.notes.add(where, value, show(flag))
            return flag
        if kind in ("date", "timestamp", "since"):
            return self._date(at, kind, value)
        if kind == "option":
            return self._option(at, value)
        if kind == "object":
            if not isinstance(value, str):
                raise _invalid("target_object takes an object slug", where)
            return (await self._object(value, where)).slug
        if kind == "code":
            if not isinstance(value, str) or len(value.strip()) != 3:
                raise _invalid("currency_code takes an ISO 4217 code such as USD", where)
            return value.strip().upper()
        if kind == "country":
            return self._country(at, op, value)
        if kind in ("host", "email", "phone"):
            return self._contact(at, kind, op, value)
        if kind == "uuid":
            if isinstance(value, str) and (found := id_or_name(value)[1]) is not None:
                return found
            return require_uuid(str(value), where)
        if kind == "member":
            return (await self._member(at, value))[1]
        raise _invalid(f"{at.attr.slug} ({at.attr.type}) cannot be filtered this way", where)

    def _number(self, at: _At, kind: str, value: Any) -> int | float:
        number = parse_number(value) if kind == "number" else parse_amount(value)
        if number is None and kind == "money" and isinstance(value, str | Mapping):
            try:
                number = TYPES["currency"].coerce(at.attr, value, ())
            except InputError as err:
                raise _invalid(err.message, at.where, err.hint or _NEXT) from None
        if number is None:
            raise _invalid(
                f"{value!r} is not a number", at.where, f"compare {at.attr.slug} with a number such as 50000."
            )
        if isinstance(value, str) and parse_number(value) is None:
            self.notes.add(at.where, value, show(number))
        return number

    def _country(self, at: _At, op: str, value: Any) -> str:
        text = value.strip() if isinstance(value, str) else ""
        if not text.isalpha() or not (len(text) == 2 or (op == "$starts_with" and len(text) == 1)):
            raise _invalid(
                f"country_code takes an ISO 3166-1 alpha-2 code such as US or GB, not {value!r}", at.where
            )
        if text != text.upper():
            self.notes.add(at.where, text, show(text.upper()))
        return text.upper()

    def _contact(self, at: _At, kind: str, op: str, value: Any) -> str:
        """A domain, email or phone operand in the form Attio stores it (for ``$eq``)."""
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise _invalid(f"{at.attr.slug} compares text; got {type(value).__name__}", at.where)
        text = str(value).strip()
        if kind == "host":
            host = host_of(text) if op == "$eq" else None
            return host or re.sub(r"^(https?://)?(www\.)?", "", text.lower()).rstrip("/")
        if kind == "email":
            return text.removeprefix("mailto:").lower()
        if op == "$eq":
            try:
                return str(TYPES["phone-number"].coerce(at.attr, text, ()))
            except InputError:
                pass
        return text

    def _date(self, at: _At, kind: str, value: Any) -> str:
        """A date (``date``), a full UTC timestamp (``timestamp``), or either (``since``: ``active_from``)."""
        hint = f"pass YYYY-MM-DD, an ISO timestamp, or words ({DATE_WORDS}); {today_is(self.now)}."
        if not isinstance(value, str) or not value.strip():
            raise _invalid(f"{at.attr.slug} compares dates; got {value!r}", at.where, hint)
        text = value.strip()
        words = parse_words(text, self.now)
        if words is not None:
            day, clock = words
            if kind == "date" or (kind == "since" and clock is None):
                out = day.isoformat()
            else:
                out = _stamp(datetime.combine(day, clock or datetime.min.time()))
            self.notes.add(at.where, value, show(out))
            return out
        if kind == "since" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return text  # active_from takes a bare date, as Attio's own example does
        attr = replace(at.attr, type="date" if kind == "date" else "timestamp")
        try:
            out = str(TYPES[attr.type].coerce(attr, text, ()))
        except InputError:
            raise _invalid(f"{value!r} is not a date", at.where, hint) from None
        return out if kind == "date" else _full_stamp(out)

    def _day_bounds(self, at: _At, op: str, text: str) -> list[tuple[str, str]] | None:
        """A date (ISO or words, no time) compared with a timestamp: midnight UTC of that day (for ``$eq``,
        every moment of the day)."""
        words = parse_words(text, self.now)
        if words is not None and words[1] is not None:
            return None  # a time was given: compare that moment
        if words is None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
            return None
        try:
            day = words[0] if words is not None else date.fromisoformat(text.strip())
        except ValueError:
            raise _invalid(
                f"{text!r} is not a date", at.where, f"pass YYYY-MM-DD; {today_is(self.now)}."
            ) from None
        start, end = _midnight(day), _midnight(day + timedelta(days=1))
        # midnight UTC of that day, as Attio reads a bare date; equality means the whole day
        bounds = [("$gte", start), ("$lt", end)] if op == "$eq" else [(op, start)]
        self.notes.add(at.where, f"{op} {text}", " and ".join(f"{o} {show(v)}" for o, v in bounds))
        return bounds

    def _option(self, at: _At, value: Any) -> str:
        """A select option or status title, spelt exactly as the workspace spells it (or an id)."""
        noun = "status" if at.attr.type == "status" else "option"
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            raise _invalid(
                f"{at.attr.slug} compares {noun} titles; got {value!r}",
                at.where,
                options=list(at.attr.options),
            )
        text = value.strip()
        if UUID_RE.match(text) or not at.attr.options or text in at.attr.options:
            return text
        folded = [o for o in at.attr.options if o.casefold() == text.casefold()]
        loose = folded or [o for o in at.attr.options if _squash(o) == _squash(text)]
        if len(loose) == 1:
            self.notes.add(at.where, value, show(loose[0]))
            return loose[0]
        close = did_you_mean(text, at.attr.options)
        hint = f"did you mean {', '.join(close)}? " if close else ""
        raise _invalid(
            f"{at.attr.slug} has no {noun} {text!r}",
            at.where,
            f"{hint}use one of the {noun} titles listed in Valid.",
            list(loose or at.attr.options),
        )

    def _option_match(self, at: _At, op: str, operand: Any) -> dict[str, Any]:
        """``$contains`` (etc.) on a select or status: the options whose title matches, ORed."""
        if not isinstance(operand, str) or not operand:
            raise _invalid(f"{op} takes a string", at.where)
        test = {"$contains": str.__contains__, "$starts_with": str.startswith, "$ends_with": str.endswith}[op]
        hits = [o for o in at.attr.options if test(o.casefold(), operand.casefold())]
        if not hits:
            raise _invalid(
                f"no option of {at.attr.slug} {op.strip('$').replace('_', ' ')} {operand!r}",
                at.where,
                "compare with one of the titles listed in Valid.",
                list(at.attr.options),
            )
        self.notes.add(at.where, f"{op} {operand}", "any of " + ", ".join(show(h) for h in hits))
        return _any([_render(at, [_Leaf(None, "$eq", o)]) for o in hits])

    async def _records(self, at: _At, value: Any) -> Pairs:
        """The records a reference operand means: an id, ``"people:<id>"``, ``{target_object, target_record_id}``,
        or a name, domain or email looked up (one query per target object); a name several records share
        means all of them."""
        if isinstance(value, Mapping):
            rid = value.get("target_record_id", value.get("record_id", value.get("id")))
            obj = value.get("target_object", value.get("object"))
            pairs = await self._records(at, rid)
            return [(obj if isinstance(obj, str) else o, r) for o, r in pairs]
        if not isinstance(value, str) or not value.strip():
            raise _invalid(f"{at.attr.slug} compares a record id; got {value!r}", at.where)
        obj, rid = id_or_name(value)
        if rid is not None:
            return [(obj, rid)]
        objects = at.attr.allowed_objects
        if not objects:
            raise _invalid(f"{at.attr.slug} may point at any object; pass the record id", at.where)
        matches = await find_records(self.ws, objects, value)
        exact = [m for m in matches if m.exact]
        pick = exact or matches
        kinds = " or ".join(objects)
        if not pick:
            raise _invalid(
                f"no {kinds} record is named {value.strip()!r}",
                at.where,
                "pass the record id (records_search finds it), or check the name.",
            )
        if not exact and len(pick) > 1:
            raise _invalid(
                f"{len(pick)} {kinds} records match {value.strip()!r}",
                at.where,
                "pass the id of the one you mean (listed in Valid), or the exact name.",
                [m.choice() for m in pick],
            )
        named = "" if exact else f" ({show(pick[0].label)})"
        self.notes.add(at.where, value, ", ".join(show(m.id) for m in pick) + named)
        return [(m.object, m.id) for m in pick]

    async def _label_path(self, at: _At, op: str, operand: Any) -> dict[str, Any]:
        """``{"company": {"$contains": "acme"}}``: the text operator on the referenced record's name."""
        found = []
        for obj in at.attr.allowed_objects:
            schema = await self._object(obj, at.where)
            label = label_slug(schema)
            if label is None:
                continue
            self.notes.say(f"{at.where}: {op} on the {schema.slug} record's {label}")
            inner = _At(
                schema, schema.attributes[label], at.where, (*at.prefix, (at.owner.slug, at.attr.slug))
            )
            found.append(await self._as_filter(inner, None, op, operand))
        if not found:
            raise _invalid(
                f"{op} does not apply to {at.attr.slug} (a record reference)",
                at.where,
                "compare it with a record id or name.",
                ["$eq", "$ne", "$in", "$nin"],
                part="operator",
            )
        return _any(found)

    async def _member(self, at: _At, value: Any) -> tuple[str, str]:
        """``("workspace-member", id)`` for a member's email, name or id."""
        if not isinstance(value, str) or not value.strip():
            raise _invalid(f"{at.attr.slug} compares a workspace member: pass an email or id", at.where)
        members = await self.members()
        key = value.strip().lower()
        for m in members:
            ident = str(m.workspace_member_id or "")
            name = f"{m.first_name or ''} {m.last_name or ''}".strip().lower()
            if key in (ident.lower(), str(m.email_address or "").lower(), name):
                if key != ident.lower():
                    self.notes.add(at.where, value, show(ident))
                return "workspace-member", ident
        if not members and UUID_RE.match(key):
            return "workspace-member", key
        raise _invalid(
            f"no workspace member {value.strip()!r}",
            at.where,
            "use a member's email or id (members_list shows them).",
            [str(m.email_address) for m in members if m.email_address],
        )

    async def _actor(self, at: _At, prop: str | None, op: str, operand: Any) -> list[_Leaf] | dict[str, Any]:
        """An actor reference: Attio compares its type and id together, with $eq only."""
        if op in ("$ne", "$nin"):
            return _not(_as_dict(at, await self._actor(at, prop, "$eq" if op == "$ne" else "$in", operand)))
        if op == "$in":
            items = operand if isinstance(operand, list) else [operand]
            return _any([_render(at, await self._actor_leaves(at, prop, v)) for v in items])
        if op in ("$not_empty", "$empty") and isinstance(operand, bool):
            built = await self._presence(at)
            return built if (op == "$not_empty") == operand else _not(built)
        if op != "$eq":
            raise _invalid(
                f"{op} does not apply to {at.attr.slug} (a workspace member)",
                at.where,
                "compare it with a member's email or id.",
                ["$eq", "$ne", "$in", "$nin", "$not_empty"],
                part="operator",
            )
        return await self._actor_leaves(at, prop, operand)

    async def _actor_leaves(self, at: _At, prop: str | None, operand: Any) -> list[_Leaf]:
        if prop == "referenced_actor_type":
            if operand not in _ACTOR_TYPES:
                raise _invalid(
                    f"referenced_actor_type is one of {', '.join(_ACTOR_TYPES)}",
                    at.where,
                    options=list(_ACTOR_TYPES),
                )
            return [_Leaf(prop, "$eq", operand)]
        if prop == "referenced_actor_id" and (
            operand is None or (isinstance(operand, str) and UUID_RE.match(operand))
        ):
            return [_Leaf(prop, "$eq", operand.lower() if isinstance(operand, str) else None)]
        if isinstance(operand, Mapping):
            return [
                leaf
                for k, v in operand.items()
                for leaf in await self._actor_leaves(at, self._property(at, str(k)) or str(k), v)
            ]
        kind, ident = await self._member(at, operand)
        return [_Leaf("referenced_actor_type", "$eq", kind), _Leaf("referenced_actor_id", "$eq", ident)]

    async def _no_default(self, at: _At, op: str, operand: Any) -> list[_Leaf] | dict[str, Any]:
        """An operator given straight to a location or an interaction, which have no default property."""
        if at.kind == "interaction":
            types = operand if isinstance(operand, list) else [operand]
            by_type = op in ("$not_empty", "$empty") or (
                op in ("$eq", "$in", "$ne", "$nin") and all(t in _INTERACTION_TYPES for t in types)
            )
            prop = "interaction_type" if by_type else "interacted_at"
            self.notes.add(at.where, op, f"{prop} {op}")
            return await self._clause(at, prop, op, operand)
        if at.kind != "location":
            raise _invalid(f"{at.attr.slug} ({at.attr.type}) cannot be filtered", at.where)
        if op in ("$ne", "$nin"):
            return _not(await self._location(at, "$eq" if op == "$ne" else "$in", operand))
        return await self._location(at, op, operand)

    async def _location(self, at: _At, op: str, operand: Any) -> dict[str, Any]:
        """A location compared as a whole: any of its address lines (and its country, for a 2-letter code)."""
        if op == "$in":
            items = operand if isinstance(operand, list) else [operand]
            return _any([await self._location(at, "$eq", v) for v in items])
        if op not in _S:
            raise _invalid(
                f"{op} does not apply to {at.attr.slug} (a location)",
                at.where,
                f'compare a part of it: {{"{at.attr.slug}": {{"locality": "London"}}}}.',
                list(_TABLE["location"][1]),
                part="operator",
            )
        if not isinstance(operand, str):
            raise _invalid(f"{at.attr.slug} compares text", at.where)
        props = ["line_1", "locality", "region", "postcode"]
        alternatives = [_render(at, [_Leaf(p, op, operand)]) for p in props]
        country = op == "$eq" and len(operand.strip()) == 2 and operand.strip().isalpha()
        if country:
            alternatives.append(_render(at, [_Leaf("country_code", "$eq", operand.strip().upper())]))
        self.notes.add(
            at.where, operand, f"{op} on any of {', '.join(props)}" + (", country_code" if country else "")
        )
        return _any(alternatives)

    async def _presence(self, at: _At) -> dict[str, Any]:
        """A filter that holds exactly when the attribute has a value, from documented forms only."""
        kind = at.kind
        single = {
            "email-address": _Leaf(None, "$contains", "@"),
            "phone-number": _Leaf(None, "$starts_with", "+"),
        }
        found: list[dict[str, Any]] = []
        if kind in single:
            found = [_render(at, [single[kind]])]
        elif kind in ("number", "currency", "rating"):
            found = [_render(at, [_Leaf(None, "$gte", 0)]), _render(at, [_Leaf(None, "$lt", 0)])]
        elif kind in ("date", "timestamp"):
            edge = _LONG_AGO.isoformat() if kind == "date" else _midnight(_LONG_AGO)
            found = [_render(at, [_Leaf(None, "$gte", edge)]), _render(at, [_Leaf(None, "$lt", edge)])]
        elif kind == "checkbox":
            found = [_render(at, [_Leaf(None, "$eq", True)]), _render(at, [_Leaf(None, "$eq", False)])]
        elif kind in ("select", "status"):
            found = [_render(at, [_Leaf(None, "$eq", o)]) for o in at.attr.options]
        elif kind == "actor-reference" and at.attr.writable:
            found = [
                _render(
                    at,
                    [
                        _Leaf("referenced_actor_type", "$eq", "workspace-member"),
                        _Leaf("referenced_actor_id", "$eq", m.workspace_member_id),
                    ],
                )
                for m in await self.members()
                if m.workspace_member_id
            ]
        elif kind == "record-reference":
            # linked to a record: one that was created at some time (every object has created_at)
            for obj in at.attr.allowed_objects:
                schema = await self._object(obj, at.where)
                if (created := schema.get("created_at")) is not None:
                    inner = _At(schema, created, at.where, (*at.prefix, (at.owner.slug, at.attr.slug)))
                    found.append(_render(inner, [_Leaf(None, "$gte", _midnight(_LONG_AGO))]))
        if not found:
            never = kind == "actor-reference"
            raise _invalid(
                f"{at.attr.slug} is set by Attio on every record, so it is never empty"
                if never
                else f"Attio's filter has no documented emptiness test for {at.attr.slug} ({at.attr.type})",
                at.where,
                "filter on a value instead (equals, contains, starts_with), or read the records and check.",
            )
        self.notes.say(f"{at.where}: emptiness tested with documented operators")
        return _any(found)


def _as_dict(at: _At, got: list[_Leaf] | dict[str, Any]) -> dict[str, Any]:
    return got if isinstance(got, dict) else _render(at, got)


# -- sorts -------------------------------------------------------------------------------------------------

_SORT_KEYS = ("attribute", "direction", "field", "path")
_SORT_WORDS = {
    **dict.fromkeys(
        ("attribute", "attr", "by", "key", "sort_by", "order_by", "column", "slug", "name"), "attribute"
    ),
    **dict.fromkeys(("direction", "order", "dir", "sort", "sort_order", "sort_direction"), "direction"),
    "field": "field",
    "property": "field",
    "path": "path",
}
_DIRECTIONS = {
    "asc": "asc", "ascending": "asc", "1": "asc", "+1": "asc",
    "desc": "desc", "descending": "desc", "-1": "desc",
}  # fmt: skip
_DERIVED = {"updated_at": "created_at", "id": "record_id"}


def _direction(value: Any) -> str | None:
    return _DIRECTIONS.get(str(value).strip().lower()) if isinstance(value, str | int) else None


async def _sort(c: _Compiler, target: TargetSchema, sort: Any, where: str) -> dict[str, Any]:
    if isinstance(sort, str):  # "-deal_value", "deal_value desc"
        text = sort.strip()
        name, _, word = text.replace(":", " ").partition(" ")
        sort = (
            {"attribute": text[1:], "direction": "desc"}
            if text.startswith("-")
            else {"attribute": name, "direction": word or "asc"}
        )
        c.notes.add(where, text, show(sort))
    if not isinstance(sort, Mapping):
        raise _invalid(
            "each sort is an object", where, 'pass [{"attribute": "<slug>", "direction": "asc"|"desc"}].'
        )
    item: dict[str, Any] = {}
    for raw_key, value in sort.items():
        key = str(raw_key)
        slot = _SORT_WORDS.get(key.strip().lower())
        if slot is None and len(sort) == 1 and _direction(value) is not None:
            item = {"attribute": key, "direction": value}
            c.notes.add(where, {key: value}, f"attribute {key}, direction {_direction(value)}")
            break
        if slot is None or slot in item:
            raise _invalid(
                f"unknown sort key {key!r}",
                where,
                'pass {"attribute": "<slug>", "direction": "asc"|"desc", "field"?: "<property>"}.',
                list(_SORT_KEYS),
            )
        if slot != key:
            c.notes.add(where, key, slot)
        item[slot] = value
    if "attribute" not in item and "path" not in item and isinstance(item.get("field"), str):
        if target.get(item["field"]) is not None:
            c.notes.add(where, "field", "attribute")
            item["attribute"] = item.pop("field")
    if "direction" not in item:
        c.notes.say(f"{where}: no direction → asc")
        item["direction"] = "asc"
    direction = _direction(item["direction"])
    if direction is not None and direction != item["direction"]:
        c.notes.add(f"{where}.direction", item["direction"], direction)
    if direction is None:
        raise _invalid(
            "direction must be asc or desc",
            f"{where}.direction",
            "set direction on every sort.",
            ["asc", "desc"],
        )
    item["direction"] = direction
    if ("attribute" in item) == ("path" in item):
        raise _invalid(
            "give exactly one of attribute or path",
            where,
            'pass {"attribute": "<slug>", "direction": "asc"}.',
        )
    if "path" in item:
        hops, owner, attr = await c.walk(target, item["path"], f"{where}.path")
        item["path"] = [list(h) for h in hops] + [[owner.slug, attr.slug]]
    else:
        hops, owner, attr = await _sort_attribute(c, target, item, where)
        if hops:
            del item["attribute"]
            item["path"] = [list(h) for h in hops] + [[owner.slug, attr.slug]]
        else:
            item["attribute"] = attr.slug
    if "field" in item:
        item["field"] = _sort_field(c, attr, item["field"], f"{where}.field")
    return item


async def _sort_attribute(
    c: _Compiler, target: TargetSchema, item: dict[str, Any], where: str
) -> tuple[tuple[tuple[str, str], ...], TargetSchema, AttrInfo]:
    name = str(item["attribute"])
    at = f"{where}.attribute"
    attr = c._find(target, name, at, loose=False) or (
        None if "." in name else c._find(target, name, at, loose=True)
    )
    if attr is not None:
        return (), target, attr
    if "." in name:  # "company.name": through the reference
        head, _, rest = name.partition(".")
        path = [[target.slug, head]]
        ref = c._find(target, head, at, loose=True)
        if ref is None or ref.type != "record-reference" or not ref.allowed_objects:
            raise c._unknown([target], head, at)
        path[0][1] = ref.slug
        for obj in ref.allowed_objects:
            schema = await c._object(obj, at)
            if (tail := c._find(schema, rest, at, loose=True)) is not None:
                c.notes.say(f"{at}: {name!r} → path {target.slug}.{ref.slug} → {schema.slug}.{tail.slug}")
                return ((target.slug, ref.slug),), schema, tail
        raise c._unknown([await c._object(o, at) for o in ref.allowed_objects], rest, at)
    if name in _DERIVED:
        raise _invalid(
            f"{name} is not an attribute Attio can sort by",
            at,
            f"sort by {_DERIVED[name]} instead.",
        )
    raise c._unknown([target], name, at)


def _sort_field(c: _Compiler, attr: AttrInfo, value: Any, where: str) -> str:
    default, props = _TABLE.get(attr.type, (None, {}))
    if not isinstance(value, str):
        raise _invalid(
            "field must be a property name such as last_name", where, "drop field or name one property."
        )
    if not props or value in props:
        return value
    alias = _PROPERTY_WORDS.get(attr.type, {}).get(value.strip().lower())
    if alias is None:
        raise _invalid(
            f"{attr.slug} ({attr.type}) has no property {value!r}",
            where,
            "name one listed in Valid, or drop field.",
            list(props),
        )
    c.notes.add(where, value, alias)
    return alias


# -- entry points ------------------------------------------------------------------------------------------


async def compile_filter(
    ws: Workspace,
    target: TargetSchema,
    node: Any,
    notes: Interpreted,
    *,
    parents: Sequence[TargetSchema] = (),
    where: str = "filter",
) -> dict[str, Any]:
    """``node`` (a model's filter) as Attio's filter for ``target``; on a list, ``parents`` are the schemas of
    its parent objects, whose attributes are filtered through ``parent_record``."""
    compiler = _Compiler(ws, notes, ws.now(), parents)
    return await compiler.node(target, node, where)


async def compile_sorts(
    ws: Workspace, target: TargetSchema, sorts: Sequence[Any], notes: Interpreted
) -> list[dict[str, Any]]:
    """``sorts`` as Attio's ``[{direction, attribute | path, field?}]``."""
    compiler = _Compiler(ws, notes, ws.now())
    return [await _sort(compiler, target, s, f"sorts.{i}") for i, s in enumerate(sorts)]


def _midnight(day: date) -> str:
    return f"{day.isoformat()}T00:00:00.000000000Z"


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + ".000000000Z"


def _full_stamp(iso: str) -> str:
    """``2024-06-01T10:00:00Z`` -> Attio's nanosecond form ``2024-06-01T10:00:00.000000000Z``."""
    head, _, fraction = iso.rstrip("Z").partition(".")
    return f"{head}.{fraction.ljust(9, '0')[:9]}Z"


def _squash(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())
