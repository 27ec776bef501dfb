"""Write normalisation: every documented write shorthand -> stored value dicts (read shape minus history).

``normalise(attr, raw, ctx, path)`` returns the list of *cores* for an attribute write: dicts holding
``attribute_type`` and the type-specific keys exactly as Attio renders them. The store adds
``active_from``/``active_until``/``created_by_actor`` when it applies them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Protocol

from ._clock import format_ts, parse_date, parse_ts
from ._errors import SandboxError, invalid_value, validation_error, value_not_found
from ._refs import normalise_actor, normalise_reference
from ._schema import AttrDef, Schema
from ._values_contact import (
    LOCATION_KEYS,
    json_type,
    normalise_domain,
    normalise_email,
    normalise_location,
    normalise_name,
    normalise_phone,
)

__all__ = ["ValueContext", "identity", "normalise", "unique_payload"]

Path = list[str | int]


class ValueContext(Protocol):
    """What value normalisation needs from the store."""

    schema: Schema

    def member_by_email(self, email: str) -> dict[str, Any] | None: ...
    def member_by_id(self, member_id: str) -> dict[str, Any] | None: ...
    def record_exists(self, object_id: str, record_id: str) -> bool: ...
    def find_by_unique(self, object_id: str, attr: AttrDef, core: dict[str, Any]) -> str | None: ...


def _scalar(item: Any, key: str = "value") -> Any:
    if isinstance(item, dict):
        if key in item:
            return item[key]
        if "value" in item:
            return item["value"]
    return item


def _type_name(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _text(attr: AttrDef, item: Any, ctx: ValueContext, path: Path) -> dict[str, Any]:
    value = _scalar(item)
    if not isinstance(value, str):
        raise validation_error(
            f'Attribute "{attr.slug}" expects a string.', path, expected="string", received=_type_name(value)
        )
    return {"value": value}


def _as_number(value: Any, attr: AttrDef, path: Path) -> int | float:
    if isinstance(value, bool) or value is None:
        raise validation_error(f'Attribute "{attr.slug}" expects a number.', path, expected="number")
    if isinstance(value, str):
        try:
            parsed = float(value.strip())
        except ValueError as exc:
            raise validation_error(
                f'"{value}" is not a number (attribute "{attr.slug}").',
                path,
                expected="number",
                received="string",
            ) from exc
        value = (
            int(parsed) if parsed.is_integer() and "." not in value and "e" not in value.lower() else parsed
        )
    if not isinstance(value, int | float) or (isinstance(value, float) and not math.isfinite(value)):
        raise validation_error(
            f'Attribute "{attr.slug}" expects a number.', path, expected="number", received=_type_name(value)
        )
    return value


def _number(attr: AttrDef, item: Any, ctx: ValueContext, path: Path) -> dict[str, Any]:
    return {"value": _as_number(_scalar(item), attr, path)}


def _currency(attr: AttrDef, item: Any, ctx: ValueContext, path: Path) -> dict[str, Any]:
    amount = _as_number(_scalar(item, "currency_value"), attr, path)
    return {"currency_value": amount, "currency_code": attr.currency_code}


def _checkbox(attr: AttrDef, item: Any, ctx: ValueContext, path: Path) -> dict[str, Any]:
    value = _scalar(item)
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        value = value.strip().lower() == "true"
    if not isinstance(value, bool):
        raise validation_error(
            f'Attribute "{attr.slug}" expects a boolean.',
            path,
            expected="boolean",
            received=_type_name(value),
        )
    return {"value": value}


def _rating(attr: AttrDef, item: Any, ctx: ValueContext, path: Path) -> dict[str, Any]:
    value = _as_number(_scalar(item), attr, path)
    if value != int(value) or not 0 <= value <= 5:
        raise validation_error(
            f'Rating "{attr.slug}" must be a whole number from 0 to 5.', path, issue_code="too_big"
        )
    return {"value": int(value)}


def _date(attr: AttrDef, item: Any, ctx: ValueContext, path: Path) -> dict[str, Any]:
    value = _scalar(item)
    if not isinstance(value, str):
        raise validation_error(f'Attribute "{attr.slug}" expects a date string.', path, expected="string")
    try:
        return {"value": parse_date(value).isoformat()}
    except ValueError as exc:
        raise validation_error(f'"{value}" is not a valid date.', path, issue_code="invalid_date") from exc


def _timestamp(attr: AttrDef, item: Any, ctx: ValueContext, path: Path) -> dict[str, Any]:
    value = _scalar(item)
    if not isinstance(value, str):
        raise validation_error(
            f'Attribute "{attr.slug}" expects a timestamp string.', path, expected="string"
        )
    try:
        return {"value": format_ts(parse_ts(value))}
    except ValueError as exc:
        raise validation_error(
            f'"{value}" is not a valid timestamp.', path, issue_code="invalid_date"
        ) from exc


def _pick(choices: list[dict[str, Any]], item: Any, key: str, id_key: str) -> dict[str, Any] | None:
    """The option/status an input names; None if it names none.

    A bare string is always a *title*, matched exactly (case and spaces included). An id is only taken in
    the object form ``{"option": "<id or title>"}`` / ``{"status": "<id or title>"}``.
    """
    if isinstance(item, dict):
        ref = item[key]
        return next((c for c in choices if ref in (c["id"][id_key], c["title"])), None)
    return next((c for c in choices if c["title"] == item), None)


def _choice_input(attr: AttrDef, item: Any, key: str) -> Any:
    """A select/status input is a title string or exactly ``{key: <non-empty string>}``, as in the spec."""
    if isinstance(item, str):
        return item
    if not isinstance(item, dict):
        raise _shape_error(attr, [], f"Expected string, received {json_type(item)}", json_type(item))
    extra = sorted(k for k in item if k != key)
    if extra:
        message = f"Unrecognized key(s) in object: {', '.join(map(repr, extra))}"
        raise invalid_value(
            attr.slug, [{"code": "unrecognized_keys", "path": [], "keys": extra, "message": message}]
        )
    if key not in item:
        raise _shape_error(attr, [key], "Required", "undefined")
    if not isinstance(item[key], str) or not item[key]:
        received = json_type(item[key])
        raise _shape_error(attr, [key], f"Expected a non-empty string, received {received}", received)
    return item


def _shape_error(attr: AttrDef, path: Path, message: str, received: str) -> SandboxError:
    issue = {
        "code": "invalid_type",
        "path": path,
        "message": message,
        "expected": "string",
        "received": received,
    }
    return invalid_value(attr.slug, [issue])


def _select(attr: AttrDef, item: Any, ctx: ValueContext, path: Path) -> dict[str, Any]:
    ref = _choice_input(attr, item, "option")
    option = _pick(attr.options, ref, "option", "option_id")
    if option is None:
        raise value_not_found(
            f'Cannot find select attribute with select option title "{_label(ref, "option")}".'
        )
    return {"option": option}


def _status(attr: AttrDef, item: Any, ctx: ValueContext, path: Path) -> dict[str, Any]:
    ref = _choice_input(attr, item, "status")
    status = _pick(attr.statuses, ref, "status", "status_id")
    if status is None:
        raise value_not_found(
            f'Cannot find status attribute with status option title "{_label(ref, "status")}".'
        )
    return {"status": status}


def _label(ref: Any, key: str) -> str:
    return str(ref[key]) if isinstance(ref, dict) else str(ref)


def _wrap(fn: Callable[[Any, Path, str], dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    return lambda attr, item, ctx, path: fn(item, path, attr.slug)


def _interaction(attr: AttrDef, item: Any, ctx: ValueContext, path: Path) -> dict[str, Any]:
    raise validation_error(f'Interaction attribute "{attr.slug}" cannot be written.', path)


_NORMALISERS: dict[str, Callable[..., dict[str, Any]]] = {
    "text": _text,
    "number": _number,
    "currency": _currency,
    "checkbox": _checkbox,
    "rating": _rating,
    "date": _date,
    "timestamp": _timestamp,
    "select": _select,
    "status": _status,
    "email-address": _wrap(normalise_email),
    "domain": _wrap(normalise_domain),
    "phone-number": _wrap(normalise_phone),
    "personal-name": _wrap(normalise_name),
    "location": _wrap(normalise_location),
    "record-reference": normalise_reference,
    "actor-reference": normalise_actor,
    "interaction": _interaction,
}


def normalise(attr: AttrDef, raw: Any, ctx: ValueContext, path: Path) -> list[dict[str, Any]]:
    """Normalise one attribute's write input into value cores (``[]`` clears the attribute).

    Multi-value attributes take an array only: the spec's value map allows "a single value (for single-select
    attributes), or an array of values", and a bare string on ``domains`` was observed to fail. A bare value
    (null included) on a multi-value attribute is a 400 ``validation_type``.
    """
    if isinstance(raw, list):
        items: list[Any] = raw
    elif attr.multi:
        raise invalid_value(
            attr.slug,
            [
                {
                    "code": "invalid_type",
                    "path": [],
                    "message": f"Expected array, received {json_type(raw)}",
                    "expected": "array",
                    "received": json_type(raw),
                }
            ],
        )
    elif raw is None:
        items = []
    else:
        items = [raw]
    if not attr.multi and len(items) > 1:
        raise validation_error(
            f'Attribute "{attr.slug}" accepts a single value, but {len(items)} were given.',
            path,
            issue_code="too_big",
        )
    fn = _NORMALISERS[attr.type]
    cores: list[dict[str, Any]] = []
    seen: set[Any] = set()
    for index, item in enumerate(items):
        item_path = [*path, index] if isinstance(raw, list) else path
        core = {"attribute_type": attr.type, **fn(attr, item, ctx, item_path)}
        key = identity(core)
        if key not in seen:
            seen.add(key)
            cores.append(core)
    return cores


def identity(core: dict[str, Any]) -> Any:
    """What makes two values of one attribute "the same" (dedup on append, uniqueness checks)."""
    kind = core["attribute_type"]
    if kind == "select":
        return core["option"]["id"]["option_id"]
    if kind == "status":
        return core["status"]["id"]["status_id"]
    if kind == "record-reference":
        return (core["target_object"], core["target_record_id"])
    if kind == "actor-reference":
        return (core["referenced_actor_type"], core["referenced_actor_id"])
    if kind == "email-address":
        return core["email_address"]
    if kind == "domain":
        return core["domain"]
    if kind == "phone-number":
        return core["phone_number"]
    if kind == "currency":
        return core["currency_value"]
    if kind == "personal-name":
        return (core["first_name"], core["last_name"], core["full_name"])
    if kind == "location":
        return tuple(core[k] for k in LOCATION_KEYS)
    if kind == "interaction":
        return (core.get("interaction_type"), core.get("interacted_at"))
    return core.get("value")


def unique_payload(core: dict[str, Any]) -> dict[str, Any]:
    """The value as Attio quotes it in a ``uniqueness_conflict`` message."""
    kind = core["attribute_type"]
    if kind == "email-address":
        return {"email_address": core["email_address"]}
    if kind == "domain":
        return {"domain": core["domain"]}
    if kind == "phone-number":
        return {"phone_number": core["phone_number"]}
    if kind == "currency":
        return {"currency_value": core["currency_value"]}
    return {"value": identity(core)}
