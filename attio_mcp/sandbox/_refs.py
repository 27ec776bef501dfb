"""Normalisation of record-reference and actor-reference writes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._errors import validation_error, value_not_found
from ._ids import is_uuid

if TYPE_CHECKING:
    from ._schema import AttrDef
    from ._values import ValueContext

__all__ = ["SHORTHAND_ATTRIBUTES", "normalise_actor", "normalise_reference", "resolve_matching"]

Path = list[str | int]

# The attribute a bare string resolves through when a reference targets one standard object.
SHORTHAND_ATTRIBUTES = {
    "companies": "domains",
    "people": "email_addresses",
    "users": "user_id",
    "workspaces": "workspace_id",
}
_SHORTHAND_TYPES = ("text", "domain", "email-address", "phone-number", "number")


def _allowed(attr: AttrDef, ctx: ValueContext) -> list[dict[str, Any]]:
    objects = [ctx.schema.objects[i] for i in attr.allowed_object_ids if i in ctx.schema.objects]
    return objects or list(ctx.schema.objects.values())


def _target_object(attr: AttrDef, ctx: ValueContext, ident: Any, path: Path) -> dict[str, Any]:
    allowed = _allowed(attr, ctx)
    if ident is None:
        if len(allowed) == 1:
            return allowed[0]
        raise validation_error(
            f'"target_object" is required for attribute "{attr.slug}".', [*path, "target_object"]
        )
    if not isinstance(ident, str):
        raise validation_error("target_object must be a string.", [*path, "target_object"], expected="string")
    obj = ctx.schema.find_object(ident)
    if obj is None:
        raise value_not_found(f'Object with slug/ID "{ident}" not found.')
    if obj not in allowed:
        raise validation_error(
            f'Attribute "{attr.slug}" cannot reference records of object "{obj["api_slug"]}".',
            [*path, "target_object"],
        )
    return obj


def _ref(obj: dict[str, Any], record_id: str) -> dict[str, Any]:
    return {"target_object": obj["api_slug"], "target_record_id": record_id}


def resolve_matching(
    obj: dict[str, Any], attr_ident: str, raw: Any, ctx: ValueContext, path: Path
) -> str | None:
    """Record id of ``obj`` whose unique attribute ``attr_ident`` holds ``raw`` (None if no such record)."""
    from ._values import normalise  # local: _values imports this module

    object_id = obj["id"]["object_id"]
    match_attr = ctx.schema.find_attr(object_id, attr_ident)
    if match_attr is None:
        raise value_not_found(
            f'Cannot find attribute with slug/ID "{attr_ident}" on object "{obj["api_slug"]}".'
        )
    if not match_attr.unique:
        raise validation_error(
            f'Attribute "{match_attr.slug}" is not unique, so it cannot be used to match records.', path
        )
    items = raw if isinstance(raw, list) else [raw]
    if len(items) != 1:
        raise validation_error("Matching values must be an array with exactly one value.", path)
    single = match_attr.data | {"is_multiselect": False}
    probe = type(match_attr)(single, match_attr.parent_kind, match_attr.parent_id)
    cores = normalise(probe, items[0], ctx, path)
    if not cores:
        raise validation_error("A matching value is required.", path)
    return ctx.find_by_unique(object_id, match_attr, cores[0])


def normalise_reference(attr: AttrDef, item: Any, ctx: ValueContext, path: Path) -> dict[str, Any]:
    """Resolve any record-reference write form to ``{target_object, target_record_id}``."""
    if isinstance(item, dict):
        obj = _target_object(attr, ctx, item.get("target_object"), path)
        if "target_record_id" in item:
            record_id = item["target_record_id"]
            if not is_uuid(record_id) or not ctx.record_exists(obj["id"]["object_id"], record_id):
                raise value_not_found(f'Could not find {obj["api_slug"]} record with ID "{record_id}".')
            return _ref(obj, record_id)
        keys = [k for k in item if k != "target_object"]
        if len(keys) != 1:
            raise validation_error(
                "Record references need target_record_id or exactly one matching attribute.", path
            )
        found = resolve_matching(obj, keys[0], item[keys[0]], ctx, [*path, keys[0]])
        if found is None:
            raise value_not_found(
                f"Could not find a {obj['api_slug']} record matching {keys[0]} = {item[keys[0]]!r}."
            )
        return _ref(obj, found)
    if not isinstance(item, str) or not item.strip():
        raise validation_error(
            f'Attribute "{attr.slug}" expects a record reference.',
            path,
            expected="object",
            received=type(item).__name__,
        )
    allowed = _allowed(attr, ctx)
    text = item.strip()
    if is_uuid(text):
        for obj in allowed:
            if ctx.record_exists(obj["id"]["object_id"], text):
                return _ref(obj, text)
        raise value_not_found(f'Could not find record with ID "{text}" for attribute "{attr.slug}".')
    if len(allowed) != 1:
        raise validation_error(
            f'Attribute "{attr.slug}" references several objects; '
            'use {"target_object", "target_record_id"}.',
            path,
        )
    obj = allowed[0]
    shorthand = _shorthand_attr(obj, ctx)
    if shorthand is None:
        raise validation_error(f'Records of "{obj["api_slug"]}" cannot be referenced by a string.', path)
    found = resolve_matching(obj, shorthand, text, ctx, path)
    if found is None:
        raise value_not_found(f'Could not find a {obj["api_slug"]} record matching {shorthand} = "{text}".')
    return _ref(obj, found)


def _shorthand_attr(obj: dict[str, Any], ctx: ValueContext) -> str | None:
    slug = SHORTHAND_ATTRIBUTES.get(obj["api_slug"])
    if slug is not None:
        return slug
    attrs = ctx.schema.attrs(obj["id"]["object_id"]).values()
    return next((a.slug for a in attrs if a.unique and a.type in _SHORTHAND_TYPES), None)


def normalise_actor(attr: AttrDef, item: Any, ctx: ValueContext, path: Path) -> dict[str, Any]:
    """A member email string, ``{"workspace_member_email_address"}`` or ``{"referenced_actor_type":
    "workspace-member", "referenced_actor_id": <uuid>}`` (the spec's input shapes, no other keys).

    A bare string is always an email address (a member id only counts in the object form), as the docs
    describe; only workspace members can be written.
    """
    if isinstance(item, dict):
        keys = set(item)
        if keys == {"workspace_member_email_address"}:
            email = item["workspace_member_email_address"]
            if not isinstance(email, str):
                raise validation_error(
                    "workspace_member_email_address must be a string.",
                    [*path, "workspace_member_email_address"],
                    expected="string",
                )
            return _member(ctx.member_by_email(email), f'email "{email}"')
        if keys == {"referenced_actor_type", "referenced_actor_id"}:
            if item["referenced_actor_type"] != "workspace-member":
                raise validation_error(
                    "Only workspace members can be written to actor-reference attributes.",
                    [*path, "referenced_actor_type"],
                    issue_code="invalid_enum_value",
                )
            member_id = item["referenced_actor_id"]
            if not is_uuid(member_id):
                raise validation_error(
                    "referenced_actor_id must be a UUID.",
                    [*path, "referenced_actor_id"],
                    issue_code="invalid_string",
                )
            return _member(ctx.member_by_id(member_id), f'ID "{member_id}"')
        raise validation_error(
            'Actor references need {"workspace_member_email_address"} or both "referenced_actor_type" and '
            '"referenced_actor_id".',
            path,
        )
    if not isinstance(item, str):
        raise validation_error("Expected a workspace member email address.", path, expected="string")
    return _member(ctx.member_by_email(item), f'email "{item}"')


def _member(member: dict[str, Any] | None, label: str) -> dict[str, Any]:
    if member is None:
        raise value_not_found(f"Workspace member with {label} not found.")
    return {
        "referenced_actor_type": "workspace-member",
        "referenced_actor_id": member["id"]["workspace_member_id"],
    }
