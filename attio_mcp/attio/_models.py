"""Tolerant pydantic models for the Attio responses the client returns.

Real responses drift from the spec (extra keys, nulls where the spec says required, ``values`` keys that
come and go), so every model allows unknown fields, defaults every field and turns nulls into empties.
Each entity keeps Attio's composite ``id`` dict and adds properties such as ``record.record_id``.
"""

from __future__ import annotations

from typing import Annotated, Any, overload

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

__all__ = [
    "AttioList",
    "AttioModel",
    "AttioObject",
    "Attribute",
    "Entry",
    "Note",
    "Record",
    "RecordEntry",
    "SearchResult",
    "SelectOption",
    "Status",
    "Task",
    "TokenInfo",
    "WorkspaceMember",
]


def _dict_or_empty(value: object) -> object:
    return {} if value is None else value


def _list_or_empty(value: object) -> object:
    if value is None:
        return []
    if isinstance(value, (str, dict)):
        return [value]
    return value


def _flag(value: object) -> object:
    return False if value is None else value


def _value_map(value: object) -> object:
    """Normalise ``values``/``entry_values``: null -> {}, a bare value -> [value], scalars -> {"value": x}."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        return value
    out: dict[str, list[dict[str, Any]]] = {}
    for slug, items in value.items():
        if items is None:
            items = []
        elif not isinstance(items, list):
            items = [items]
        out[str(slug)] = [item if isinstance(item, dict) else {"value": item} for item in items]
    return out


IdDict = Annotated[dict[str, Any], BeforeValidator(_dict_or_empty)]
AnyDict = Annotated[dict[str, Any], BeforeValidator(_dict_or_empty)]
DictList = Annotated[list[dict[str, Any]], BeforeValidator(_list_or_empty)]
StrList = Annotated[list[str], BeforeValidator(_list_or_empty)]
Flag = Annotated[bool, BeforeValidator(_flag)]
ValueMap = Annotated[dict[str, list[dict[str, Any]]], BeforeValidator(_value_map)]


class IdPart:
    """A read-only attribute for one key of the model's composite ``id`` (``record.record_id``)."""

    def __init__(self, key: str) -> None:
        self.key = key

    @overload
    def __get__(self, obj: None, owner: type[Any] | None = None) -> IdPart: ...
    @overload
    def __get__(self, obj: AttioModel, owner: type[Any] | None = None) -> str | None: ...
    def __get__(self, obj: AttioModel | None, owner: type[Any] | None = None) -> IdPart | str | None:
        if obj is None:
            return self
        value = getattr(obj, "id", {}).get(self.key)
        return value if isinstance(value, str) else None


class AttioModel(BaseModel):
    """Base of the response models: unknown fields are kept, every field has a default."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, ignored_types=(IdPart,))


class TokenInfo(AttioModel):
    """``GET /v2/self``: what the token is and which workspace it belongs to."""

    active: Flag = False
    scope: str | None = None
    client_id: str | None = None
    workspace_id: str | None = None
    workspace_name: str | None = None
    workspace_slug: str | None = None
    authorized_by_workspace_member_id: str | None = None

    @property
    def scopes(self) -> list[str]:
        """The granted scopes, e.g. ``["record_permission:read", "note:read-write"]``."""
        return (self.scope or "").split()


class AttioObject(AttioModel):
    """An object type such as ``people``, ``companies`` or ``deals``."""

    id: IdDict = Field(default_factory=dict)
    api_slug: str | None = None
    singular_noun: str | None = None
    plural_noun: str | None = None
    created_at: str | None = None

    object_id = IdPart("object_id")


class Attribute(AttioModel):
    """An attribute of an object or list (for list attributes ``id.object_id`` holds the list id)."""

    id: IdDict = Field(default_factory=dict)
    title: str | None = None
    description: str | None = None
    api_slug: str | None = None
    type: str | None = None
    is_system_attribute: Flag = False
    is_writable: Flag = False
    is_required: Flag = False
    is_unique: Flag = False
    is_multiselect: Flag = False
    is_default_value_enabled: Flag = False
    is_archived: Flag = False
    default_value: Any = None
    relationship: dict[str, Any] | None = None
    config: AnyDict = Field(default_factory=dict)
    created_at: str | None = None

    attribute_id = IdPart("attribute_id")

    object_id = IdPart("object_id")

    @property
    def allowed_object_ids(self) -> list[str]:
        """``config.record_reference.allowed_object_ids`` (object UUIDs) for record-reference attributes."""
        ref = self.config.get("record_reference")
        ids = ref.get("allowed_object_ids") if isinstance(ref, dict) else None
        return [i for i in ids if isinstance(i, str)] if isinstance(ids, list) else []

    @property
    def allowed_objects(self) -> list[str]:
        """Objects a record-reference may point at: ``allowed_objects`` slugs if present, else the UUIDs."""
        ref = self.config.get("record_reference")
        slugs = ref.get("allowed_objects") if isinstance(ref, dict) else None
        if isinstance(slugs, list) and slugs:
            return [s for s in slugs if isinstance(s, str)]
        return self.allowed_object_ids


class SelectOption(AttioModel):
    """An option of a select attribute."""

    id: IdDict = Field(default_factory=dict)
    title: str | None = None
    is_archived: Flag = False

    option_id = IdPart("option_id")


class Status(AttioModel):
    """A status of a status attribute (a pipeline stage)."""

    id: IdDict = Field(default_factory=dict)
    title: str | None = None
    is_archived: Flag = False
    celebration_enabled: Flag = False
    target_time_in_status: str | None = None

    status_id = IdPart("status_id")


class Record(AttioModel):
    """A record; ``values`` maps attribute slug to a list of value dicts (empty list = unset)."""

    id: IdDict = Field(default_factory=dict)
    created_at: str | None = None
    web_url: str | None = None
    values: ValueMap = Field(default_factory=dict)

    record_id = IdPart("record_id")

    object_id = IdPart("object_id")

    def first_value(self, slug: str) -> dict[str, Any] | None:
        """The first value of attribute ``slug``, or None when unset."""
        items = self.values.get(slug) or []
        return items[0] if items else None


class SearchResult(AttioModel):
    """One hit of ``POST /v2/objects/records/search``."""

    id: IdDict = Field(default_factory=dict)
    record_text: str | None = None
    record_image: str | None = None
    object_slug: str | None = None
    domains: StrList = Field(default_factory=list)
    email_addresses: StrList = Field(default_factory=list)
    phone_numbers: StrList = Field(default_factory=list)

    record_id = IdPart("record_id")

    object_id = IdPart("object_id")


class AttioList(AttioModel):
    """A list; ``parent_object`` holds the slugs of the objects its entries belong to."""

    id: IdDict = Field(default_factory=dict)
    api_slug: str | None = None
    name: str | None = None
    parent_object: StrList = Field(default_factory=list)
    workspace_access: str | None = None
    workspace_member_access: DictList = Field(default_factory=list)
    created_by_actor: dict[str, Any] | None = None
    created_at: str | None = None

    list_id = IdPart("list_id")


class Entry(AttioModel):
    """A list entry; ``entry_values`` holds only the list's own attributes."""

    id: IdDict = Field(default_factory=dict)
    parent_record_id: str | None = None
    parent_object: str | None = None
    created_at: str | None = None
    entry_values: ValueMap = Field(default_factory=dict)

    entry_id = IdPart("entry_id")

    list_id = IdPart("list_id")


class RecordEntry(AttioModel):
    """A record's membership in a list (``GET …/records/{id}/entries``)."""

    list_id: str | None = None
    list_api_slug: str | None = None
    entry_id: str | None = None
    created_at: str | None = None


class Note(AttioModel):
    """A note attached to a record."""

    id: IdDict = Field(default_factory=dict)
    parent_object: str | None = None
    parent_record_id: str | None = None
    title: str | None = None
    content_plaintext: str | None = None
    content_markdown: str | None = None
    tags: DictList = Field(default_factory=list)
    created_by_actor: dict[str, Any] | None = None
    created_at: str | None = None
    meeting_id: str | None = None

    note_id = IdPart("note_id")


class Task(AttioModel):
    """A task; ``linked_records`` items read as ``{target_object_id, target_record_id}``."""

    id: IdDict = Field(default_factory=dict)
    content_plaintext: str | None = None
    deadline_at: str | None = None
    is_completed: Flag = False
    linked_records: DictList = Field(default_factory=list)
    assignees: DictList = Field(default_factory=list)
    created_by_actor: dict[str, Any] | None = None
    created_at: str | None = None
    completed_at: str | None = None

    task_id = IdPart("task_id")


class WorkspaceMember(AttioModel):
    """A workspace member (members are suspended, never deleted)."""

    id: IdDict = Field(default_factory=dict)
    first_name: str | None = None
    last_name: str | None = None
    email_address: str | None = None
    access_level: str | None = None
    avatar_url: str | None = None
    created_at: str | None = None

    workspace_member_id = IdPart("workspace_member_id")

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)
