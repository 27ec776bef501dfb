"""Objects, lists, attributes, select options and statuses, held in Attio's own JSON shapes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ._errors import not_found
from ._ids import is_uuid, stable_id

__all__ = ["AttrDef", "Schema"]

SINGULAR_WEB_SEGMENTS = {"people": "person", "companies": "company"}


@dataclass
class AttrDef:
    """One attribute: its Attio JSON (``data``) plus its options/statuses and owner."""

    data: dict[str, Any]
    parent_kind: str  # "object" | "list"
    parent_id: str
    options: list[dict[str, Any]] = field(default_factory=list)
    statuses: list[dict[str, Any]] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.data["id"]["attribute_id"]

    @property
    def slug(self) -> str:
        return self.data["api_slug"]

    @property
    def type(self) -> str:
        return self.data["type"]

    @property
    def multi(self) -> bool:
        return bool(self.data["is_multiselect"])

    @property
    def unique(self) -> bool:
        return bool(self.data["is_unique"])

    @property
    def writable(self) -> bool:
        return bool(self.data["is_writable"])

    @property
    def required(self) -> bool:
        return bool(self.data["is_required"])

    @property
    def allowed_object_ids(self) -> list[str]:
        return list(self.data["config"]["record_reference"]["allowed_object_ids"] or [])

    @property
    def currency_code(self) -> str | None:
        return self.data["config"]["currency"]["default_currency_code"] if self.type == "currency" else None

    def filter_view(self) -> dict[str, Any]:
        """The attribute dict handed to the filter engine (carries options/statuses)."""
        return {**self.data, "options": self.options, "statuses": self.statuses}

    def to_doc(self) -> dict[str, Any]:
        return {
            "data": self.data,
            "parent_kind": self.parent_kind,
            "parent_id": self.parent_id,
            "options": self.options,
            "statuses": self.statuses,
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> AttrDef:
        return cls(doc["data"], doc["parent_kind"], doc["parent_id"], doc["options"], doc["statuses"])


class Schema:
    """Every object and list of the workspace, and their attributes (in UI order)."""

    def __init__(self, workspace_id: str) -> None:
        self.workspace_id = workspace_id
        self.objects: dict[str, dict[str, Any]] = {}
        self.lists: dict[str, dict[str, Any]] = {}
        self.attributes: dict[str, dict[str, AttrDef]] = {}

    # -- lookups -------------------------------------------------------------------------------------
    def find_object(self, ident: str) -> dict[str, Any] | None:
        """An object by api_slug or UUID, or None."""
        if ident in self.objects:
            return self.objects[ident]
        return next((o for o in self.objects.values() if o["api_slug"] == ident), None)

    def object(self, ident: str) -> dict[str, Any]:
        """An object by api_slug or UUID; 404 ``not_found`` if unknown."""
        obj = self.find_object(ident)
        if obj is None:
            raise not_found(f'Object with slug/ID "{ident}" not found.')
        return obj

    def find_list(self, ident: str) -> dict[str, Any] | None:
        """A list by api_slug or UUID, or None."""
        if ident in self.lists:
            return self.lists[ident]
        return next((lst for lst in self.lists.values() if lst["api_slug"] == ident), None)

    def list(self, ident: str) -> dict[str, Any]:
        """A list by api_slug or UUID; 404 ``not_found`` if unknown."""
        lst = self.find_list(ident)
        if lst is None:
            raise not_found(f'List with slug/ID "{ident}" not found.')
        return lst

    def object_slug(self, object_id: str) -> str:
        return self.objects[object_id]["api_slug"]

    def attrs(self, parent_id: str) -> dict[str, AttrDef]:
        """Attributes of an object or list (by its UUID), keyed by api_slug."""
        return self.attributes.setdefault(parent_id, {})

    def find_attr(self, parent_id: str, ident: str) -> AttrDef | None:
        """An attribute of a parent by api_slug or UUID, or None."""
        attrs = self.attrs(parent_id)
        if ident in attrs:
            return attrs[ident]
        if is_uuid(ident):
            return next((a for a in attrs.values() if a.id == ident), None)
        return None

    def attr(self, parent_id: str, ident: str) -> AttrDef:
        """An attribute by api_slug or UUID; 404 ``not_found`` if unknown."""
        found = self.find_attr(parent_id, ident)
        if found is None:
            raise not_found(f'Attribute with slug/ID "{ident}" not found.')
        return found

    def web_url(self, workspace_slug: str, object_id: str, record_id: str) -> str:
        slug = self.object_slug(object_id)
        if slug in SINGULAR_WEB_SEGMENTS:
            return f"https://app.attio.com/{workspace_slug}/{SINGULAR_WEB_SEGMENTS[slug]}/{record_id}"
        return f"https://app.attio.com/{workspace_slug}/{slug}/record/{record_id}"

    # -- construction --------------------------------------------------------------------------------
    def add_object(self, slug: str, singular: str, plural: str, created_at: str) -> dict[str, Any]:
        object_id = stable_id("object", slug)
        obj = {
            "id": {"workspace_id": self.workspace_id, "object_id": object_id},
            "api_slug": slug,
            "singular_noun": singular,
            "plural_noun": plural,
            "created_at": created_at,
        }
        self.objects[object_id] = obj
        return obj

    def add_list(
        self,
        slug: str,
        name: str,
        parent_object: str,
        created_at: str,
        created_by: dict[str, Any],
        workspace_access: str | None = "full-access",
    ) -> dict[str, Any]:
        list_id = stable_id("list", slug)
        lst = {
            "id": {"workspace_id": self.workspace_id, "list_id": list_id},
            "api_slug": slug,
            "name": name,
            "parent_object": [parent_object],
            "workspace_access": workspace_access,
            "workspace_member_access": [],
            "created_by_actor": created_by,
            "created_at": created_at,
        }
        self.lists[list_id] = lst
        return lst

    def add_attribute(
        self,
        parent_kind: str,
        parent_id: str,
        slug: str,
        title: str,
        type: str,
        created_at: str,
        *,
        multi: bool = False,
        unique: bool = False,
        required: bool = False,
        writable: bool = True,
        system: bool = False,
        default_value: dict[str, Any] | None = None,
        allowed_objects: Iterable[str] = (),
        currency: str | None = None,
        options: Iterable[str] = (),
        statuses: Iterable[str | tuple[str, bool]] = (),
        description: str | None = None,
    ) -> AttrDef:
        """Define an attribute; select options and statuses are given by title."""
        attribute_id = stable_id("attribute", parent_id, slug)
        ids = {"workspace_id": self.workspace_id, "object_id": parent_id, "attribute_id": attribute_id}
        allowed_ids = [self.object(o)["id"]["object_id"] for o in allowed_objects] or None
        data = {
            "id": ids,
            "title": title,
            "description": description,
            "api_slug": slug,
            "type": type,
            "is_system_attribute": system,
            "is_writable": writable,
            "is_required": required,
            "is_unique": unique,
            "is_multiselect": multi,
            "is_default_value_enabled": default_value is not None,
            "is_archived": False,
            "default_value": default_value,
            "relationship": None,
            "created_at": created_at,
            "config": {
                # The spec's enums admit no null here, so non-currency attributes carry the workspace default.
                "currency": {"default_currency_code": currency or "USD", "display_type": "symbol"},
                "record_reference": {"allowed_object_ids": allowed_ids},
            },
        }
        attr = AttrDef(data, parent_kind, parent_id)
        for title_ in options:
            attr.options.append(
                {
                    "id": {**ids, "option_id": stable_id("option", attribute_id, title_)},
                    "title": title_,
                    "is_archived": False,
                }
            )
        for spec in statuses:
            status_title, celebrate = spec if isinstance(spec, tuple) else (spec, False)
            attr.statuses.append(
                {
                    "id": {**ids, "status_id": stable_id("status", attribute_id, status_title)},
                    "title": status_title,
                    "is_archived": False,
                    "celebration_enabled": celebrate,
                    "target_time_in_status": None,
                }
            )
        self.attrs(parent_id)[slug] = attr
        return attr

    def relate(self, left: AttrDef, right: AttrDef) -> None:
        """Make two record-reference attributes a two-way relationship pair."""
        for this, other in ((left, right), (right, left)):
            this.data["relationship"] = {
                "id": dict(other.data["id"]),
                "object_slug": self.object_slug(other.parent_id),
                "title": other.data["title"],
                "api_slug": other.slug,
                "is_multiselect": other.multi,
            }

    def reverse_of(self, attr: AttrDef) -> AttrDef | None:
        """The paired attribute of a relationship, if any."""
        rel = attr.data.get("relationship")
        if not rel:
            return None
        return self.find_attr(rel["id"]["object_id"], rel["api_slug"])

    # -- persistence ---------------------------------------------------------------------------------
    def to_doc(self) -> dict[str, Any]:
        return {
            "workspace_id": self.workspace_id,
            "objects": list(self.objects.values()),
            "lists": list(self.lists.values()),
            "attributes": [a.to_doc() for attrs in self.attributes.values() for a in attrs.values()],
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Schema:
        schema = cls(doc["workspace_id"])
        for obj in doc["objects"]:
            schema.objects[obj["id"]["object_id"]] = obj
        for lst in doc["lists"]:
            schema.lists[lst["id"]["list_id"]] = lst
        for attr_doc in doc["attributes"]:
            attr = AttrDef.from_doc(attr_doc)
            schema.attrs(attr.parent_id)[attr.slug] = attr
        return schema
