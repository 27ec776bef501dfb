"""Write normalisation: turn the loose `data` an agent sends into Attio's `{api_slug: value}` payload.

Keys may be an attribute slug, id or title (case-insensitive). Values are checked and coerced against the
live schema (`TargetSchema`) by the per-type table in `_coerce`; every problem becomes an `InputError` that
names the field and the next step. `None` or `[]` clears an attribute (`[]` on the wire).

Cardinality: a multiselect attribute always gets a list (a scalar is wrapped); a single-value attribute
given a one-element list is unwrapped (`industry: ["Technology"]`), a longer list is an error.
Record references are always sent as a list, which Attio accepts for single references too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from attio_mcp.tools._coerce import TYPES, TypeSpec
from attio_mcp.tools._suggest import InputError, did_you_mean, format_choices

if TYPE_CHECKING:
    from attio_mcp.attio import WorkspaceMember
    from attio_mcp.tools._schema import AttrInfo, TargetSchema

__all__ = ["InputError", "normalise_value", "prepare_values", "validate_all"]

_DEFAULT_SPEC = TypeSpec(lambda _a, v, _m: v, "a value", ())


def prepare_values(
    schema: TargetSchema,
    data: Mapping[str, Any],
    *,
    for_create: bool,
    members: Sequence[WorkspaceMember] = (),
) -> dict[str, Any]:
    """Return the Attio write payload for `data`, or raise one `InputError` describing every problem."""
    payload, errors = _prepare(schema, data, for_create=for_create, members=members)
    if errors:
        raise InputError.combine(errors)
    return payload


def validate_all(
    schema: TargetSchema,
    data: Mapping[str, Any],
    *,
    for_create: bool,
    members: Sequence[WorkspaceMember] = (),
) -> list[InputError]:
    """Every problem with `data` (empty when it is valid), e.g. to check a bulk import up front."""
    return _prepare(schema, data, for_create=for_create, members=members)[1]


def _as_array(value: Any) -> list[Any]:
    """Attio's OpenAPI spec types every written value as an array (one element for a single value)."""
    return value if isinstance(value, list) else [value]


def normalise_value(attr: AttrInfo, raw: Any, members: Sequence[WorkspaceMember] = ()) -> Any:
    """Coerce one attribute's input into its write form, applying the cardinality rules."""
    if raw is None or (isinstance(raw, list | tuple) and not raw):
        return []
    spec = TYPES.get(attr.type, _DEFAULT_SPEC)
    items = list(raw) if isinstance(raw, list | tuple) else [raw]
    if not attr.multi and len(items) > 1:
        raise InputError(
            f"Invalid value for {attr.slug!r} ({attr.type}): it holds one value, got a list of {len(items)}.",
            field=attr.slug,
            hint="Send a single value.",
        )
    out = [spec.coerce(attr, _unwrap(item, spec.unwrap), members) for item in items]
    return out if attr.multi or spec.always_list else out[0]


def _unwrap(item: Any, keys: tuple[str, ...]) -> Any:
    """`{"value": x}` / `{"option": "High"}` style wrappers -> x."""
    if isinstance(item, Mapping) and len(item) == 1:
        (key, inner), *_ = item.items()
        if key in keys:
            return inner
    return item


def _prepare(
    schema: TargetSchema, data: Mapping[str, Any], *, for_create: bool, members: Sequence[WorkspaceMember]
) -> tuple[dict[str, Any], list[InputError]]:
    if not isinstance(data, Mapping):
        return {}, [InputError("Values must be an object mapping attribute slugs to values.", field="data")]
    payload: dict[str, Any] = {}
    errors: list[InputError] = []
    for key, raw in data.items():
        attr = schema.get(str(key))
        if attr is None:
            errors.append(_unknown(schema, str(key)))
        elif not attr.writable or attr.archived:
            state = "archived" if attr.archived else "read-only"
            errors.append(
                InputError(
                    f"{attr.slug!r} is a {state} attribute of {schema.slug} and cannot be written.",
                    field=attr.slug,
                    hint="Remove it from the values.",
                )
            )
        elif attr.slug in payload:
            errors.append(InputError(f"{attr.slug!r} is given twice (as {key!r}).", field=attr.slug))
        else:
            try:
                payload[attr.slug] = _as_array(normalise_value(attr, raw, members))
            except InputError as exc:
                errors.append(exc)
    if for_create:
        missing = [
            a.slug
            for a in schema.attributes.values()
            if a.required and not a.default_enabled and a.writable and not a.archived
            if payload.get(a.slug) in (None, []) and not any(e.field == a.slug for e in errors)
        ]
        if missing:
            errors.append(
                InputError(
                    f"Missing required attribute(s) for a new {schema.kind} in {schema.slug}: "
                    f"{format_choices(missing)}.",
                    field=", ".join(missing),
                    hint="Add values for them.",
                    options=missing,
                )
            )
    return payload, errors


def _unknown(schema: TargetSchema, key: str) -> InputError:
    writable = [schema.attributes[s] for s in schema.writable()]
    owner = {a.slug: a.slug for a in writable} | {a.title: a.slug for a in writable}
    close = list(dict.fromkeys(owner[name] for name in did_you_mean(key, owner)))
    message = f"Unknown attribute {key!r} on {schema.kind} {schema.slug!r}."
    if close:
        message += f" Did you mean {format_choices(close)}?"
    slugs = [a.slug for a in writable]
    return InputError(
        message,
        field=key,
        hint="Use a writable attribute slug (see options).",
        options=close + [s for s in slugs if s not in close],
    )
