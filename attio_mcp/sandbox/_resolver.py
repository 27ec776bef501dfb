"""Rows and the schema resolver handed to the filter/sort engine (``_filters.py``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ._store import Item, Store

__all__ = ["EntryRow", "RecordRow", "StoreResolver", "entry_row", "record_row"]


@dataclass(frozen=True)
class RecordRow:
    """A record as the filter engine sees it: current values only."""

    record_id: str
    object_slug: str
    created_at: str
    values: Mapping[str, list[dict[str, Any]]]
    item: Item


@dataclass(frozen=True)
class EntryRow:
    """A list entry as the filter engine sees it: its own (list attribute) current values only."""

    entry_id: str
    list_slug: str
    parent_object: str
    parent_record_id: str
    created_at: str
    values: Mapping[str, list[dict[str, Any]]]
    item: Item


def record_row(store: Store, item: Item) -> RecordRow:
    return RecordRow(
        record_id=item.id,
        object_slug=store.schema.object_slug(item.parent_id),
        created_at=item.created_at,
        values=store.current_values(item),
        item=item,
    )


def entry_row(store: Store, item: Item) -> EntryRow:
    return EntryRow(
        entry_id=item.id,
        list_slug=store.schema.lists[item.parent_id]["api_slug"],
        parent_object=item.parent_object or "",
        parent_record_id=item.parent_record_id or "",
        created_at=item.created_at,
        values=store.current_values(item),
        item=item,
    )


class StoreResolver:
    """Implements the ``Resolver`` protocol of ``_filters.py`` over a :class:`Store`."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def _parent_id(self, parent: str) -> str:
        schema = self.store.schema
        found = schema.find_object(parent)
        if found is not None:
            return found["id"]["object_id"]
        lst = schema.find_list(parent)
        if lst is not None:
            return lst["id"]["list_id"]
        raise KeyError(parent)

    def attributes(self, parent: str) -> Mapping[str, dict[str, Any]]:
        """Attribute dicts (with ``options``/``statuses``) of an object or list, keyed by api_slug."""
        parent_id = self._parent_id(parent)
        return {slug: attr.filter_view() for slug, attr in self.store.schema.attrs(parent_id).items()}

    def parent_slug(self, parent: str) -> str:
        schema = self.store.schema
        found = schema.find_object(parent) or schema.find_list(parent)
        if found is None:
            raise KeyError(parent)
        return found["api_slug"]

    def record(self, object_slug: str, record_id: str) -> RecordRow | None:
        obj = self.store.schema.find_object(object_slug)
        if obj is None:
            return None
        item = self.store.records.get(obj["id"]["object_id"], {}).get(record_id)
        return None if item is None else record_row(self.store, item)

    def parent_record(self, entry: Any) -> RecordRow | None:
        return self.record(entry.parent_object, entry.parent_record_id)

    def parent_object_of(self, entry: Any) -> str:
        return entry.parent_object
