"""The simple ``{attribute, filter_type, value}`` form of list_entries_filter, translated to Attio's grammar.

The attribute may be an entry attribute of the list (it wins), an attribute of the parent record (becomes a
``path`` filter through ``parent_record``) or ``record_id`` (the parent record's id). Values are normalised
with the value layer's per-type coercers, so option titles, dates and amounts read as they do on write.
Attio has no ``$neq``, no ``$in`` on selects and ``$not_empty`` on few types; those are built from ``$not``,
``$or`` and comparisons that hold for every value, using only documented properties and operators. Where no
documented form can say it (emptiness of free text, locations and record references; ``entry_id``), the
filter is refused with the form that does work, never sent as a guess.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from attio_mcp.attio import WorkspaceMember
from attio_mcp.workspace.errors import InputError, WorkspaceError, did_you_mean
from attio_mcp.workspace.schema import AttrInfo, TargetSchema
from attio_mcp.workspace.values import TYPES, require_uuid

__all__ = [
    "FILTER_TYPES",
    "FilterType",
    "parent_record_filter",
    "rewrite_entry_filter",
    "simple_entry_filter",
]

FilterType = Literal[
    "equals",
    "not_equals",
    "contains",
    "starts_with",
    "ends_with",
    "greater_than",
    "greater_than_or_equal",
    "less_than",
    "less_than_or_equal",
    "is_empty",
    "is_not_empty",
    "in",
]
FILTER_TYPES: tuple[str, ...] = FilterType.__args__  # type: ignore[attr-defined]

PARENT_ID_NAMES = ("record_id", "parent_record_id", "parent_record")
_CMP = {
    "greater_than": "$gt",
    "greater_than_or_equal": "$gte",
    "less_than": "$lt",
    "less_than_or_equal": "$lte",
}
_TEXT_OPS = {"contains": "$contains", "starts_with": "$starts_with", "ends_with": "$ends_with"}
_ORDERED = ("number", "currency", "rating", "date", "timestamp")
# Text-like types: the property that plain comparisons use (None: the attribute's default property).
_TEXTUAL: dict[str, str | None] = {
    "text": None,
    "personal-name": "full_name",
    "email-address": "email_address",
    "domain": "domain",
    "phone-number": "phone_number",
}
_STORED_NORMALISED = ("domain", "email-address", "phone-number")  # Attio stores these in a canonical form
_LOCATION_PROPS = ("line_1", "locality", "region", "postcode")
_LONG_AGO = "1900-01-01"
_ISO_COUNTRY = re.compile(r"^[A-Za-z]{2}$")
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class _Condition:
    """``alternatives`` are attribute-level conditions ORed together, then negated if ``negate``."""

    alternatives: list[Any]
    negate: bool = False


def simple_entry_filter(
    lst: TargetSchema,
    parents: Sequence[TargetSchema],
    attribute: str,
    filter_type: str,
    value: Any,
    members: Sequence[WorkspaceMember] = (),
) -> dict[str, Any]:
    """Attio filter for one condition on an entry attribute, a parent-record attribute or ``record_id``."""
    name = attribute.strip()
    if name.lower() == "entry_id":
        raise _invalid(
            "Attio's entry filter has no entry_id attribute",
            field="attribute",
            next_step="filter by record_id (the parent record) instead; list_entries_get shows entry ids.",
        )
    attr = lst.get(name)
    if attr is None and name.lower() in PARENT_ID_NAMES:
        cond = _id_condition(filter_type, value, "value")
        return _build(cond, lambda c: [_parent_path(lst, p.slug, "record_id", c) for p in parents])
    if attr is not None:
        cond = _condition(attr, filter_type, value, members)
        return _build(cond, lambda c: [{attr.slug: c}])
    found = [(p, a) for p in parents if (a := p.get(name)) is not None]
    if not found:
        raise _unknown(lst, parents, name)
    places: list[dict[str, Any]] = []
    negate = False
    for parent, parent_attr in found:
        cond = _condition(parent_attr, filter_type, value, members)
        negate = cond.negate
        places += [_parent_path(lst, parent.slug, parent_attr.slug, alt) for alt in cond.alternatives]
    return _build(_Condition(places, negate), lambda f: [f])


def parent_record_filter(
    lst: TargetSchema, parent_objects: Sequence[str], record_ids: Sequence[str]
) -> dict[str, Any]:
    """Entries whose parent record is one of ``record_ids`` (one path filter per parent object)."""
    ids = list(record_ids)
    constraint: dict[str, Any] = {"$eq": ids[0]} if len(ids) == 1 else {"$in": ids}
    return _any([_parent_path(lst, obj, "record_id", constraint) for obj in parent_objects])


def rewrite_entry_filter(
    lst: TargetSchema, parents: Sequence[TargetSchema], node: Any, where: str = "filter"
) -> dict[str, Any]:
    """Check a full Attio entries filter; parent-record attributes and ``record_id`` become path filters.

    Entry attribute names become slugs; ``path``/``constraints`` pass through unchanged for Attio to check.
    """
    if not isinstance(node, dict):
        raise _invalid(f"expected a filter object, got {type(node).__name__}", field=where)
    out: dict[str, Any] = {}
    extra: list[dict[str, Any]] = []
    for key, spec in node.items():
        if key in ("$and", "$or"):
            if not isinstance(spec, list) or not spec:
                raise _invalid(f"{key} takes a non-empty list of filters", field=f"{where}.{key}")
            out[key] = [rewrite_entry_filter(lst, parents, sub, f"{where}.{key}") for sub in spec]
        elif key == "$not":
            out[key] = rewrite_entry_filter(lst, parents, spec, f"{where}.$not")
        elif key.startswith("$"):
            raise _invalid(
                f"unknown logical operator {key!r}",
                field=where,
                next_step="combine conditions with $and/$or/$not; operators go under an attribute.",
            )
        elif key in ("path", "constraints", "entry_id", "parent_record"):
            out[key] = spec
        elif (attr := lst.get(key)) is not None:
            out[attr.slug] = spec
        elif key.lower() in PARENT_ID_NAMES:
            constraint = spec if isinstance(spec, dict) else {"$eq": spec}
            extra.append(_any([_parent_path(lst, p.slug, "record_id", constraint) for p in parents]))
        else:
            found = [(p, a) for p in parents if (a := p.get(key)) is not None]
            if not found:
                raise _unknown(lst, parents, key, field=f"{where}.{key}")
            constraint = spec if isinstance(spec, dict) else {"$eq": spec}
            extra.append(_any([_parent_path(lst, p.slug, a.slug, constraint) for p, a in found]))
    if not extra:
        return out
    parts = ([out] if out else []) + extra
    return parts[0] if len(parts) == 1 else {"$and": parts}


def _any(filters: list[dict[str, Any]]) -> dict[str, Any]:
    if not filters:
        raise _invalid("the list's parent object is not visible to this token", field="attribute")
    return filters[0] if len(filters) == 1 else {"$or": filters}


def _parent_path(lst: TargetSchema, obj: str, attr: str, constraints: Any) -> dict[str, Any]:
    return {"path": [[lst.slug, "parent_record"], [obj, attr]], "constraints": constraints}


def _build(cond: _Condition, place: Callable[[Any], list[dict[str, Any]]]) -> dict[str, Any]:
    out = _any([f for alt in cond.alternatives for f in place(alt)])
    return {"$not": out} if cond.negate else out


def _unknown(
    lst: TargetSchema, parents: Sequence[TargetSchema], name: str, field: str = "attribute"
) -> WorkspaceError:
    slugs = [*lst.attributes, *(s for p in parents for s in p.attributes), "record_id"]
    close = did_you_mean(name, slugs)
    hint = f"did you mean {', '.join(close)}? " if close else ""
    owners = " or ".join([f"list {lst.slug}", *(p.slug for p in parents)])
    return WorkspaceError(
        "VALIDATION_ERROR",
        f"no attribute {name!r} on {owners}",
        field=field,
        next_step=f"{hint}lists_get shows entry attributes; attributes_list the parent's.",
    )


def _invalid(
    message: str, *, field: str = "value", next_step: str | None = None, options: Any = None
) -> WorkspaceError:
    return WorkspaceError(
        "VALIDATION_ERROR",
        message,
        field=field,
        next_step=next_step or "fix the value or filter_type and call again.",
        options=options,
    )


def _id_condition(filter_type: str, value: Any, field: str) -> _Condition:
    if filter_type in ("equals", "not_equals"):
        uid = require_uuid(str(value), field)
        return _Condition([{"$eq": uid}], negate=filter_type == "not_equals")
    if filter_type == "in":
        return _Condition([{"$in": [require_uuid(str(v), field) for v in _as_list(value)]}])
    raise _invalid(f"record_id takes equals, not_equals or in, not {filter_type}", field="filter_type")


def _as_list(value: Any) -> list[Any]:
    items = value if isinstance(value, list) else [value]
    if not items:
        raise _invalid("'in' needs a non-empty array of values")
    return items


def _coerce(attr: AttrInfo, value: Any, members: Sequence[WorkspaceMember]) -> Any:
    """One filter operand in the attribute's write form (canonical option title, ISO date, number…)."""
    if attr.type == "record-reference" and isinstance(value, str):
        return {"target_record_id": require_uuid(value, "value")}
    if attr.type in _TEXTUAL or attr.type == "location":
        if isinstance(value, (dict, list)) or value is None:
            raise _invalid(f"{attr.slug} takes a string here")
        if attr.type in _STORED_NORMALISED:  # compare as stored: "https://www.acme.com" equals acme.com
            try:
                return TYPES[attr.type].coerce(attr, value, members)
            except InputError:
                pass  # not a valid domain/email/phone: compare the text as given
        return str(value)
    spec = TYPES.get(attr.type)
    if spec is None:
        return value
    try:
        operand = spec.coerce(attr, value, members)
        if attr.type in ("select", "status") and isinstance(operand, dict):
            return operand[attr.type if attr.type == "status" else "option"]  # filters compare ids bare
        return operand
    except InputError as err:
        hint = "compare with one of the listed values." if err.options else err.hint
        raise _invalid(err.message, field=err.field or "value", next_step=hint, options=err.options) from None


def _condition(
    attr: AttrInfo, filter_type: str, value: Any, members: Sequence[WorkspaceMember]
) -> _Condition:
    kind = attr.type
    if filter_type in ("is_empty", "is_not_empty"):
        return _Condition(_present(attr, members), negate=filter_type == "is_empty")
    if kind == "interaction":
        raise _invalid(
            f"{attr.slug} is an interaction; use the filter parameter with interacted_at",
            field="attribute",
        )
    if filter_type in ("equals", "not_equals"):
        negate = filter_type == "not_equals"
        if kind == "timestamp" and isinstance(value, str) and _DATE_ONLY.match(value.strip()):
            return _Condition([_day_range(value.strip())], negate=negate)  # the whole UTC day
        return _Condition(_equal(attr, _coerce(attr, value, members)), negate=negate)
    if filter_type == "in":
        items = [_coerce(attr, v, members) for v in _as_list(value)]
        if kind == "text":
            return _Condition([{"$in": [str(v) for v in items]}])
        if kind == "record-reference":
            ids = {"$in": [_ref_id(v) for v in items]}
            return _Condition([{"target_object": o, "target_record_id": ids} for o in _targets(attr, items)])
        return _Condition([alt for v in items for alt in _equal(attr, v)])
    if filter_type in _TEXT_OPS:
        return _Condition(_text_match(attr, _TEXT_OPS[filter_type], value))
    if filter_type in _CMP:
        if kind not in _ORDERED:
            raise _invalid(
                f"{filter_type} needs a number, currency, rating, date or timestamp; {attr.slug} is {kind}",
                field="filter_type",
            )
        operand = _coerce(attr, value, members)
        return _Condition([{_CMP[filter_type]: operand}])
    raise _invalid(f"unknown filter_type {filter_type!r}", field="filter_type", options=list(FILTER_TYPES))


def _targets(attr: AttrInfo, operands: Sequence[Any]) -> list[str]:
    """The objects a reference may point at: the one an operand names, else every allowed object."""
    named = {o["target_object"] for o in operands if isinstance(o, dict) and o.get("target_object")}
    targets = sorted(named) if named else list(attr.allowed_objects)
    if not targets:
        raise _invalid(f"{attr.slug} names no target object to compare with", field="attribute")
    return targets


def _ref_id(ref: Any) -> str:
    rid = ref.get("target_record_id") if isinstance(ref, dict) else None
    if not isinstance(rid, str):
        raise _invalid("a record-reference filter takes the target record's id")
    return require_uuid(rid, "value")


def _equal(attr: AttrInfo, operand: Any) -> list[Any]:
    kind = attr.type
    if kind == "record-reference":  # documented: target_object always beside target_record_id
        rid = _ref_id(operand)
        return [{"target_object": o, "target_record_id": rid} for o in _targets(attr, [operand])]
    if kind == "actor-reference":
        actor = operand.get("referenced_actor_id") if isinstance(operand, dict) else None
        if not actor:
            raise _invalid("a member filter takes a workspace member's id or email")
        return [{"referenced_actor_type": "workspace-member", "referenced_actor_id": actor}]
    if kind == "location":
        props = _LOCATION_PROPS
        if isinstance(operand, str) and _ISO_COUNTRY.match(operand):  # country_code is an ISO 3166 code
            return [{prop: {"$eq": operand}} for prop in props] + [{"country_code": {"$eq": operand.upper()}}]
        return [{prop: {"$eq": operand}} for prop in props]
    prop = _TEXTUAL.get(kind)
    return [{prop: {"$eq": operand}}] if prop else [{"$eq": operand}]


def _text_match(attr: AttrInfo, op: str, value: Any) -> list[Any]:
    kind = attr.type
    if isinstance(value, (dict, list)) or value is None:
        raise _invalid(f"{op.strip('$')} takes a string")
    text = str(value)
    if kind in ("select", "status"):
        # Attio cannot match option titles by substring: pick the matching options here, then OR them.
        test = {"$contains": str.__contains__, "$starts_with": str.startswith, "$ends_with": str.endswith}[op]
        hits = [o for o in attr.options if test(o.lower(), text.lower())]
        if not hits:
            raise _invalid(
                f"no {kind} option of {attr.slug} {op.strip('$').replace('_', ' ')} {text!r}",
                options=list(attr.options),
            )
        return [{"$eq": o} for o in hits]
    if kind == "location":
        return [{prop: {op: text}} for prop in _LOCATION_PROPS]
    if kind not in _TEXTUAL:
        raise _invalid(
            f"{op.strip('$')} needs a text-like attribute; {attr.slug} is {kind}", field="filter_type"
        )
    prop = _TEXTUAL[kind]
    return [{prop: {op: text}}] if prop else [{op: text}]


def _day_range(day: str) -> dict[str, str]:
    """A date given for a timestamp: every moment of that UTC day."""
    try:
        start = date.fromisoformat(day)
    except ValueError:
        raise _invalid(
            f"{day!r} is not a date", next_step='pass "YYYY-MM-DD" or a full ISO timestamp.'
        ) from None
    return {"$gte": f"{start}T00:00:00.000000000Z", "$lt": f"{start + timedelta(days=1)}T00:00:00.000000000Z"}


def _present(attr: AttrInfo, members: Sequence[WorkspaceMember] = ()) -> list[Any]:
    """Conditions that together hold exactly when the attribute has a value, from documented forms only."""
    kind = attr.type
    if kind in ("personal-name", "domain"):
        return [{_TEXTUAL[kind]: {"$not_empty": True}}]
    if kind == "interaction":
        return [{"interaction_type": {"$not_empty": True}}]
    if kind == "email-address":
        return [{"email_address": {"$contains": "@"}}]
    if kind == "phone-number":
        return [{"phone_number": {"$starts_with": "+"}}]
    if kind in ("number", "currency", "rating"):
        return [{"$gte": 0}, {"$lt": 0}]
    if kind in ("date", "timestamp"):
        edge = _LONG_AGO if kind == "date" else f"{_LONG_AGO}T00:00:00Z"
        return [{"$gte": edge}, {"$lt": edge}]
    if kind == "checkbox":
        return [{"$eq": True}, {"$eq": False}]
    if kind in ("select", "status"):
        if not attr.options:
            raise _invalid(f"{attr.slug} has no options to test", field="attribute")
        return [{"$eq": o} for o in attr.options]
    if kind == "actor-reference":
        return _members_present(attr, members)
    raise _invalid(
        f"Attio's filter has no documented emptiness test for {attr.slug} ({kind})",
        field="filter_type",
        next_step="filter on a value instead (equals, contains, starts_with), or read the entries and check.",
    )


def _members_present(attr: AttrInfo, members: Sequence[WorkspaceMember]) -> list[Any]:
    """Attio filters actors only by type and id together: "set" means "one of the workspace members"."""
    if not attr.writable:
        raise _invalid(
            f"{attr.slug} is set by Attio on every record, so it is never empty",
            field="filter_type",
            next_step=f"filter {attr.slug} by equals with a member's email instead.",
        )
    ids = [m.workspace_member_id for m in members if m.workspace_member_id]
    if not ids:
        raise _invalid(f"no workspace members to compare {attr.slug} with", field="attribute")
    return [{"referenced_actor_type": "workspace-member", "referenced_actor_id": i} for i in ids]
