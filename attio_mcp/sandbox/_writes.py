"""Record and entry writes: create, update (append/overwrite), assert, delete, relationship sync."""

from __future__ import annotations

import json
from typing import Any

from ._errors import SandboxError, bad_request, validation_error, value_not_found
from ._ids import is_uuid
from ._schema import AttrDef
from ._store import Item, Store
from ._values import identity, normalise, unique_payload

__all__ = [
    "assert_entry",
    "assert_record",
    "create_entry",
    "create_record",
    "delete_entry",
    "delete_record",
    "update_item",
]

Prepared = dict[str, tuple[AttrDef, list[dict[str, Any]]]]
Path = list[str | int]


# -- preparation ---------------------------------------------------------------------------------------
def prepare(store: Store, parent_id: str, raw: Any, path: Path) -> Prepared:
    """Resolve attribute keys (slug or id) and normalise every value before anything is mutated."""
    if not isinstance(raw, dict):
        raise validation_error("Expected an object of attribute values.", path, expected="object")
    prepared: Prepared = {}
    for key, value in raw.items():
        attr = store.schema.find_attr(parent_id, key)
        if attr is None:
            raise value_not_found(f'Cannot find attribute with slug/ID "{key}".')
        if not attr.writable and not store.seeding:
            raise bad_request(
                "system_edit_unauthorized",
                f'Cannot write to attribute "{attr.slug}": it is a read-only system attribute.',
            )
        prepared[attr.slug] = (attr, normalise(attr, value, store, [*path, key]))
    return prepared


def _default_cores(store: Store, attr: AttrDef) -> list[dict[str, Any]]:
    default = attr.data.get("default_value")
    if not default:
        return []
    if default["type"] == "dynamic" and default["template"] == "current-user":
        return [
            {
                "attribute_type": "actor-reference",
                "referenced_actor_type": "workspace-member",
                "referenced_actor_id": store.current_member_id(),
            }
        ]
    if default["type"] == "static":
        # Templates name options/statuses by id, which only the object form {"status": id} accepts.
        key = "status" if attr.type == "status" else "option"
        refs = [{key: t[key]} if key in t else t.get("value") for t in default["template"]]
        return normalise(attr, refs, store, [])
    return []


def _missing(attr: AttrDef) -> SandboxError:
    return bad_request(
        "missing_value",
        f'Required value for attribute with ID "{attr.id}" (api_slug "{attr.slug}") was not provided.',
    )


def _check_unique(store: Store, prepared: Prepared, self_id: str | None) -> None:
    for attr, cores in prepared.values():
        if not attr.unique:
            continue
        for core in cores:
            owner = store.find_by_unique(attr.parent_id, attr, core)
            if owner is not None and owner != self_id:
                payload = json.dumps(unique_payload(core), separators=(",", ":"))
                raise bad_request(
                    "uniqueness_conflict",
                    f'The value "{payload}" provided for attribute with ID "{attr.id}" conflicts with one '
                    "already in the system.",
                )


# -- low-level value edits ------------------------------------------------------------------------------
def _stamp(core: dict[str, Any], ts: str, actor: dict[str, Any]) -> dict[str, Any]:
    return {**core, "active_from": ts, "active_until": None, "created_by_actor": dict(actor)}


def set_values(
    item: Item, attr: AttrDef, cores: list[dict[str, Any]], *, append: bool, ts: str, actor: dict[str, Any]
) -> bool:
    """Apply cores to one attribute. Returns True if anything changed.

    Multiselect + append: new values are prepended, existing kept. Otherwise the current values are replaced;
    unchanged ones keep their history entry, the rest get ``active_until``.
    """
    history = item.values.setdefault(attr.slug, [])
    current = [v for v in history if v["active_until"] is None]
    by_key = {identity(v): v for v in current}
    if attr.multi and append:
        fresh = [_stamp(c, ts, actor) for c in cores if identity(c) not in by_key]
        if not fresh:
            return False
        past = [v for v in history if v["active_until"] is not None]
        item.values[attr.slug] = past + fresh + current
        return True
    wanted = [identity(c) for c in cores]
    if wanted == list(by_key):
        return False
    for value in current:
        if identity(value) not in wanted:
            value["active_until"] = ts
    past = [v for v in history if v["active_until"] is not None]
    new_current = [by_key.get(identity(c)) or _stamp(c, ts, actor) for c in cores]
    item.values[attr.slug] = past + new_current
    return True


def _ref_ids(item: Item, slug: str) -> list[str]:
    return [v["target_record_id"] for v in item.current(slug)]


def _unlink(item: Item, slug: str, target_id: str, ts: str) -> None:
    for value in item.current(slug):
        if value["target_record_id"] == target_id:
            value["active_until"] = ts


def _sync_relationship(
    store: Store, item: Item, attr: AttrDef, before: list[str], ts: str, actor: dict[str, Any], touched: dict
) -> None:
    """Mirror a change of ``attr`` on ``item`` into the paired attribute of the referenced records."""
    reverse = store.schema.reverse_of(attr)
    if reverse is None:
        return
    after = _ref_ids(item, attr.slug)
    own_slug = store.schema.object_slug(item.parent_id)
    others = store.object_records(reverse.parent_id)
    for target_id in [t for t in before if t not in after]:
        other = others.get(target_id)
        if other is not None:
            _unlink(other, reverse.slug, item.id, ts)
            touched[other.id] = other
    for target_id in [t for t in after if t not in before]:
        other = others.get(target_id)
        if other is None:
            continue
        if not reverse.multi:
            for old_id in _ref_ids(other, reverse.slug):
                if old_id != item.id and (previous := store.object_records(item.parent_id).get(old_id)):
                    _unlink(previous, attr.slug, other.id, ts)
                    touched[previous.id] = previous
        core = {"attribute_type": "record-reference", "target_object": own_slug, "target_record_id": item.id}
        set_values(other, reverse, [core], append=reverse.multi, ts=ts, actor=actor)
        touched[other.id] = other


def _apply(
    store: Store, item: Item, prepared: Prepared, *, append_slugs: set[str], ts: str, actor: dict[str, Any]
) -> dict[str, Item]:
    touched: dict[str, Item] = {item.id: item}
    for slug, (attr, cores) in prepared.items():
        before = _ref_ids(item, slug) if attr.type == "record-reference" else []
        changed = set_values(item, attr, cores, append=slug in append_slugs, ts=ts, actor=actor)
        if changed and attr.type == "record-reference" and item.parent_object is None:
            _sync_relationship(store, item, attr, before, ts, actor, touched)
    return touched


def _persist(store: Store, touched: dict[str, Item]) -> None:
    with store.transaction():
        for item in touched.values():
            if item.parent_object is None:
                store.save_record(item)
            else:
                store.save_entry(item)


# -- creation ----------------------------------------------------------------------------------------
def _system_cores(store: Store, item: Item, id_slug: str) -> Prepared:
    attrs = store.schema.attrs(item.parent_id)
    actor = store.api_actor()
    system = {
        id_slug: {"attribute_type": "text", "value": item.id},
        "created_at": {"attribute_type": "timestamp", "value": item.created_at},
        "created_by": {
            "attribute_type": "actor-reference",
            "referenced_actor_type": actor["type"],
            "referenced_actor_id": actor["id"],
        },
    }
    return {slug: (attrs[slug], [core]) for slug, core in system.items() if slug in attrs}


def _create(store: Store, item: Item, raw: Any, path: Path, id_slug: str) -> Item:
    prepared = prepare(store, item.parent_id, raw, path)
    for attr in store.schema.attrs(item.parent_id).values():
        if attr.slug in prepared and prepared[attr.slug][1]:
            continue
        defaults = _default_cores(store, attr)
        if defaults:
            prepared[attr.slug] = (attr, defaults)
        elif attr.required:
            raise _missing(attr)
    _check_unique(store, prepared, None)
    prepared = {**_system_cores(store, item, id_slug), **prepared}
    touched = _apply(store, item, prepared, append_slugs=set(), ts=item.created_at, actor=store.api_actor())
    if item.parent_object is None:
        store.object_records(item.parent_id)[item.id] = item
    else:
        store.list_entries(item.parent_id)[item.id] = item
    with store.transaction():
        store.save_counter()
        _persist(store, touched)
    return item


def create_record(store: Store, object_id: str, raw: Any, *, record_id: str | None = None) -> Item:
    """POST /records: create with defaults and required/unique checks."""
    item = Item(record_id or store.ids.new("record"), object_id, store.clock.now_str())
    return _create(store, item, raw, ["data", "values"], "record_id")


def update_item(
    store: Store,
    item: Item,
    raw: Any,
    *,
    overwrite: bool,
    path: Path,
    append_extra: frozenset[str] = frozenset(),
) -> Item:
    """PATCH (append to multiselects) or PUT (overwrite multiselects) on a record or entry."""
    prepared = prepare(store, item.parent_id, raw, path)
    for attr, cores in prepared.values():
        if attr.required and not cores:
            raise _missing(attr)
    _check_unique(store, prepared, item.id)
    append = set() if overwrite else {slug for slug, (attr, _) in prepared.items() if attr.multi}
    touched = _apply(
        store,
        item,
        prepared,
        append_slugs=append | set(append_extra),
        ts=store.clock.now_str(),
        actor=store.api_actor(),
    )
    _persist(store, touched)
    return item


def assert_record(store: Store, object_id: str, matching: str, raw: Any) -> Item:
    """PUT /records?matching_attribute=: update the record holding the matching value, else create one."""
    attr = store.schema.find_attr(object_id, matching)
    if attr is None:
        raise value_not_found(f'No attribute was found for matching_attribute slug/ID "{matching}".')
    if not attr.unique:
        raise bad_request(
            "matching_attribute_definition_not_unique",
            f'The matching attribute "{attr.slug}" is not unique. Use a unique attribute to assert records.',
        )
    if not isinstance(raw, dict):
        raise validation_error(
            "Expected an object of attribute values.", ["data", "values"], expected="object"
        )
    key = next((k for k in raw if k in (attr.slug, attr.id)), None)
    cores = normalise(attr, raw[key], store, ["data", "values", key]) if key is not None else []
    if not cores:
        raise _missing(attr)
    owners = {o for c in cores if (o := store.find_by_unique(object_id, attr, c)) is not None}
    if len(owners) > 1:
        raise bad_request("multiple_match_results", "Multiple records match the matching attribute values.")
    if not owners:
        return create_record(store, object_id, raw)
    item = store.object_records(object_id)[owners.pop()]
    return update_item(
        store, item, raw, overwrite=True, path=["data", "values"], append_extra=frozenset({attr.slug})
    )


def delete_record(store: Store, object_id: str, record_id: str) -> None:
    """Delete a record, its list entries and notes, and drop references to it from records, entries and
    tasks (one transaction, so a crash never leaves dangling references on disk)."""
    store.get_record(object_id, record_id)
    ts = store.clock.now_str()
    with store.transaction():
        del store.object_records(object_id)[record_id]
        store.forget("record", record_id)
        for list_id, entries in store.entries.items():
            for entry_id in [e.id for e in entries.values() if e.parent_record_id == record_id]:
                delete_entry(store, list_id, entry_id)
        touched: dict[str, Item] = {}
        for group in (*store.records.values(), *store.entries.values()):
            for other in group.values():
                for values in other.values.values():
                    for value in values:
                        if value["active_until"] is None and value.get("target_record_id") == record_id:
                            value["active_until"] = ts
                            touched[other.id] = other
        _persist(store, touched)
        for note_id in [n for n, note in store.notes.items() if note["parent_record_id"] == record_id]:
            del store.notes[note_id]
            store.forget("note", note_id)
        for task_id, task in store.tasks.items():
            kept = [r for r in task["linked_records"] if r["target_record_id"] != record_id]
            if len(kept) != len(task["linked_records"]):
                task["linked_records"] = kept
                store.save_doc("task", task_id, task)


# -- entries -----------------------------------------------------------------------------------------------
def _parent_record(store: Store, lst: dict[str, Any], data: dict[str, Any]) -> tuple[str, str]:
    parent_object = data.get("parent_object")
    record_id = data.get("parent_record_id")
    obj = store.schema.find_object(parent_object) if isinstance(parent_object, str) else None
    if obj is None:
        raise value_not_found(f'Object with slug/ID "{parent_object}" not found.')
    if obj["api_slug"] not in lst["parent_object"]:
        raise validation_error(
            f'List "{lst["api_slug"]}" only accepts records of {", ".join(lst["parent_object"])}.',
            ["data", "parent_object"],
        )
    if not is_uuid(record_id) or not store.record_exists(obj["id"]["object_id"], record_id):
        raise value_not_found(f'Parent record with slug/ID "{record_id}" not found.')
    return obj["api_slug"], record_id


def create_entry(
    store: Store, lst: dict[str, Any], data: dict[str, Any], *, entry_id: str | None = None
) -> Item:
    """POST /entries: add a record to a list."""
    parent_object, record_id = _parent_record(store, lst, data)
    list_id = lst["id"]["list_id"]
    item = Item(
        entry_id or store.ids.new("entry"), list_id, store.clock.now_str(), {}, parent_object, record_id
    )
    return _create(store, item, data.get("entry_values", {}), ["data", "entry_values"], "entry_id")


def assert_entry(store: Store, lst: dict[str, Any], data: dict[str, Any]) -> Item:
    """PUT /entries: update the only entry of the parent record (multiselects overwritten), else create."""
    _, record_id = _parent_record(store, lst, data)
    list_id = lst["id"]["list_id"]
    matches = [e for e in store.list_entries(list_id).values() if e.parent_record_id == record_id]
    if len(matches) > 1:
        raise bad_request(
            "multiple_match_results",
            "Multiple entries were found for the given parent record. Please remove duplicates or use the "
            "update or create entry endpoints instead.",
        )
    if not matches:
        return create_entry(store, lst, data)
    return update_item(
        store, matches[0], data.get("entry_values", {}), overwrite=True, path=["data", "entry_values"]
    )


def delete_entry(store: Store, list_id: str, entry_id: str) -> None:
    store.get_entry(list_id, entry_id)
    del store.list_entries(list_id)[entry_id]
    store.forget("entry", entry_id)
