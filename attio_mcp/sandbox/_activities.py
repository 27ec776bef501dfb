"""Notes and tasks: validation, storage and listing."""

from __future__ import annotations

import re
from typing import Any

from ._clock import format_ts, parse_ts
from ._errors import SandboxError, not_found, validation_error, value_not_found
from ._ids import is_uuid
from ._refs import resolve_matching
from ._store import Store

__all__ = [
    "create_note",
    "create_task",
    "list_notes",
    "list_tasks",
    "markdown_to_plaintext",
    "resolve_assignee",
    "update_task",
]

_TASK_FIELDS = ("content", "format", "deadline_at", "is_completed", "linked_records", "assignees")
_TASK_PATCH_FIELDS = ("deadline_at", "is_completed", "linked_records", "assignees")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+", re.MULTILINE)
_MD_EMPHASIS = re.compile(r"(\*\*|__|~~|==|\*|_)(?=\S)(.+?)(?<=\S)\1")


def markdown_to_plaintext(markdown: str) -> str:
    """Strip the markdown Attio supports (headings, emphasis, strike, highlight, links) to plain text."""
    text = _MD_LINK.sub(r"\1", markdown)
    text = _MD_HEADING.sub("", text)
    previous = None
    while previous != text:
        previous, text = text, _MD_EMPHASIS.sub(r"\2", text)
    return text


def _required(data: dict[str, Any], fields: tuple[str, ...]) -> None:
    missing = [f for f in fields if f not in data]
    if missing:
        issues = [
            {"code": "invalid_type", "path": ["data", f], "message": "Required", "received": "undefined"}
            for f in missing
        ]
        raise validation_error("Body payload validation error.", issues=issues)


def _string(data: dict[str, Any], key: str, *, max_length: int | None = None) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise validation_error(f'"{key}" must be a string.', ["data", key], expected="string")
    if max_length is not None and len(value) > max_length:
        raise validation_error(
            f'"{key}" is longer than {max_length} characters.', ["data", key], issue_code="too_big"
        )
    return value


def _parent(store: Store, object_ident: Any, record_id: Any) -> tuple[dict[str, Any], str]:
    obj = store.schema.find_object(object_ident) if isinstance(object_ident, str) else None
    if obj is None:
        raise not_found(f'Object with slug/ID "{object_ident}" not found.')
    if not is_uuid(record_id) or not store.record_exists(obj["id"]["object_id"], record_id):
        raise not_found(f'Record with ID "{record_id}" not found.')
    return obj, record_id


# -- notes -------------------------------------------------------------------------------------------------
def create_note(store: Store, data: dict[str, Any]) -> dict[str, Any]:
    """POST /v2/notes body -> stored note."""
    _required(data, ("parent_object", "parent_record_id", "title", "format", "content"))
    title = _string(data, "title")
    content = _string(data, "content")
    fmt = data.get("format")
    if fmt not in ("plaintext", "markdown"):
        raise validation_error('"format" must be "plaintext" or "markdown".', ["data", "format"])
    obj, record_id = _parent(store, data["parent_object"], data["parent_record_id"])
    if data.get("meeting_id") is not None:
        raise not_found(f'Meeting with ID "{data["meeting_id"]}" not found.')
    created_at = store.clock.now_str()
    if data.get("created_at") is not None:
        try:
            backdated = parse_ts(_string(data, "created_at"))
        except ValueError as exc:
            raise validation_error('"created_at" is not a valid timestamp.', ["data", "created_at"]) from exc
        if backdated.year < 1970 or format_ts(backdated) > created_at:
            raise validation_error(
                '"created_at" must be after 1970 and not in the future.', ["data", "created_at"]
            )
        created_at = format_ts(backdated)
    note_id = store.ids.new("note")
    note = {
        "id": {"workspace_id": store.workspace_id, "note_id": note_id},
        "parent_object": obj["api_slug"],
        "parent_record_id": record_id,
        "title": title,
        "meeting_id": None,
        "content_plaintext": content if fmt == "plaintext" else markdown_to_plaintext(content),
        "content_markdown": content,
        "tags": [],
        "created_by_actor": store.api_actor(),
        "created_at": created_at,
    }
    store.notes[note_id] = note
    store.save_counter()
    store.save_doc("note", note_id, note)
    return note


def list_notes(store: Store, parent_object: str | None, parent_record_id: str | None) -> list[dict[str, Any]]:
    """Notes in creation order, optionally for one parent object/record."""
    notes = sorted(store.notes.values(), key=lambda n: n["created_at"])
    if parent_object is not None:
        obj = store.schema.object(parent_object)
        notes = [n for n in notes if n["parent_object"] == obj["api_slug"]]
    if parent_record_id is not None:
        notes = [n for n in notes if n["parent_record_id"] == parent_record_id]
    return notes


# -- tasks -------------------------------------------------------------------------------------------------
def resolve_assignee(store: Store, item: Any, path: list[str | int]) -> dict[str, Any]:
    """An assignee in any accepted form -> ``{referenced_actor_type, referenced_actor_id}``."""
    ref = item
    if isinstance(item, dict):
        if "workspace_member_email_address" in item:
            ref = item["workspace_member_email_address"]
        elif "referenced_actor_id" in item:
            if item.get("referenced_actor_type", "workspace-member") != "workspace-member":
                raise validation_error(
                    "Only workspace members can be assigned.", [*path, "referenced_actor_type"]
                )
            ref = item["referenced_actor_id"]
    if not isinstance(ref, str):
        raise validation_error("Assignees must be workspace members.", path, expected="object")
    member = store.member_by_id(ref) if is_uuid(ref) else store.member_by_email(ref)
    if member is None:
        raise value_not_found(f'Workspace member "{ref}" not found.')
    return {
        "referenced_actor_type": "workspace-member",
        "referenced_actor_id": member["id"]["workspace_member_id"],
    }


def _linked_records(store: Store, raw: Any) -> list[dict[str, Any]]:
    if not isinstance(raw, list):
        raise validation_error(
            '"linked_records" must be an array.', ["data", "linked_records"], expected="array"
        )
    out: list[dict[str, Any]] = []
    for index, link in enumerate(raw):
        path: list[str | int] = ["data", "linked_records", index]
        if not isinstance(link, dict) or "target_object" not in link:
            raise validation_error("Linked records need target_object.", path, expected="object")
        obj = (
            store.schema.find_object(link["target_object"])
            if isinstance(link["target_object"], str)
            else None
        )
        if obj is None:
            raise not_found(f'Object with slug/ID "{link["target_object"]}" not found.')
        if "target_record_id" in link:
            record_id = link["target_record_id"]
            if not is_uuid(record_id) or not store.record_exists(obj["id"]["object_id"], record_id):
                raise not_found(f'Record with ID "{record_id}" not found.')
        else:
            keys = [k for k in link if k != "target_object"]
            if len(keys) != 1:
                raise validation_error(
                    "Linked records need target_record_id or one matching attribute.", path
                )
            record_id = resolve_matching(obj, keys[0], link[keys[0]], store, [*path, keys[0]])
            if record_id is None:
                raise not_found(f"No {obj['api_slug']} record matches {keys[0]}.")
        entry = {"target_object_id": obj["api_slug"], "target_record_id": record_id}
        if entry not in out:
            out.append(entry)
    return out


def _assignees(store: Store, raw: Any) -> list[dict[str, Any]]:
    if not isinstance(raw, list):
        raise validation_error('"assignees" must be an array.', ["data", "assignees"], expected="array")
    out: list[dict[str, Any]] = []
    for index, item in enumerate(raw):
        actor = resolve_assignee(store, item, ["data", "assignees", index])
        if actor not in out:
            out.append(actor)
    return out


def _deadline(raw: Any) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise validation_error('"deadline_at" must be a timestamp string or null.', ["data", "deadline_at"])
    try:
        return format_ts(parse_ts(raw))
    except ValueError as exc:
        raise validation_error('"deadline_at" is not a valid timestamp.', ["data", "deadline_at"]) from exc


def _completed(raw: Any) -> bool:
    if not isinstance(raw, bool):
        raise validation_error(
            '"is_completed" must be a boolean.', ["data", "is_completed"], expected="boolean"
        )
    return raw


def create_task(store: Store, data: dict[str, Any]) -> dict[str, Any]:
    """POST /v2/tasks body -> stored task (read shape)."""
    _required(data, _TASK_FIELDS)
    content = _string(data, "content", max_length=2000)
    if data["format"] != "plaintext":
        raise validation_error('"format" must be "plaintext".', ["data", "format"])
    now = store.clock.now_str()
    is_completed = _completed(data["is_completed"])
    task_id = store.ids.new("task")
    task = {
        "id": {"workspace_id": store.workspace_id, "task_id": task_id},
        "content_plaintext": content,
        "deadline_at": _deadline(data["deadline_at"]),
        "is_completed": is_completed,
        "completed_at": now if is_completed else None,
        "linked_records": _linked_records(store, data["linked_records"] or []),
        "assignees": _assignees(store, data["assignees"] or []),
        "created_by_actor": store.api_actor(),
        "created_at": now,
    }
    store.tasks[task_id] = task
    store.save_counter()
    store.save_doc("task", task_id, task)
    return task


def update_task(store: Store, task: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """PATCH /v2/tasks/{id}: only deadline_at, is_completed, linked_records and assignees."""
    extra = [k for k in data if k not in _TASK_PATCH_FIELDS]
    if extra:
        issues = [
            {
                "code": "unrecognized_keys",
                "path": ["data"],
                "message": f"Unrecognized key: {k!r}",
                "keys": [k],
            }
            for k in extra
        ]
        raise validation_error(f"Tasks cannot update: {', '.join(extra)}.", issues=issues)
    if not data:
        raise validation_error(
            "You passed an empty payload. Please ensure you are updating at least one property in your "
            "request.",
            ["data"],
        )
    changes: dict[str, Any] = {}
    if "deadline_at" in data:
        changes["deadline_at"] = _deadline(data["deadline_at"])
    if "is_completed" in data:
        changes["is_completed"] = _completed(data["is_completed"])
        if changes["is_completed"] != task["is_completed"]:
            changes["completed_at"] = store.clock.now_str() if changes["is_completed"] else None
    if "linked_records" in data:
        changes["linked_records"] = _linked_records(store, data["linked_records"] or [])
    if "assignees" in data:
        changes["assignees"] = _assignees(store, data["assignees"] or [])
    task.update(changes)
    store.save_doc("task", task["id"]["task_id"], task)
    return task


def list_tasks(
    store: Store,
    *,
    sort: str | None,
    linked_object: str | None,
    linked_record_id: str | None,
    assignee: str | None,
    assignee_given: bool,
    is_completed: bool | None,
) -> list[dict[str, Any]]:
    """Tasks filtered and sorted as GET /v2/tasks does."""
    if sort not in (None, "created_at:asc", "created_at:desc"):
        raise validation_error(
            '"sort" must be created_at:asc or created_at:desc.', ["sort"], issue_code="invalid_enum_value"
        )
    if (linked_object is None) != (linked_record_id is None):
        raise validation_error(
            "linked_object and linked_record_id must be given together.", ["linked_object"]
        )
    tasks = sorted(store.tasks.values(), key=lambda t: t["created_at"], reverse=sort == "created_at:desc")
    if linked_object is not None:
        slug = store.schema.object(linked_object)["api_slug"]
        tasks = [
            t
            for t in tasks
            if {"target_object_id": slug, "target_record_id": linked_record_id} in t["linked_records"]
        ]
    if assignee_given:
        if assignee in (None, "", "null"):
            tasks = [t for t in tasks if not t["assignees"]]
        else:
            try:
                actor = resolve_assignee(store, assignee, ["assignee"])
            except SandboxError:
                return []
            tasks = [t for t in tasks if actor in t["assignees"]]
    if is_completed is not None:
        tasks = [t for t in tasks if t["is_completed"] is is_completed]
    return tasks
