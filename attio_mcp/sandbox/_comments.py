"""Comments and threads: validation, storage and listing.

A thread is the comments sharing a ``thread_id``; the first comment (by ``created_at``) starts it and says
where it lives: a record, or a list entry (whose comments also name the entry's parent record, as Attio's
comment schema requires a ``record``). Deleting a thread's first comment deletes the whole thread.
"""

from __future__ import annotations

from typing import Any

from ._clock import format_ts, parse_ts
from ._errors import not_found, validation_error, value_not_found
from ._ids import is_uuid
from ._store import Store

__all__ = ["create_comment", "delete_comment", "list_threads", "thread_of", "threads"]

_COMMON = frozenset({"format", "content", "author", "created_at"})
_TARGETS = ("thread_id", "record", "entry")
_NO_THREAD = "The referenced Thread could not be found, it might have been deleted."


def threads(store: Store) -> dict[str, list[dict[str, Any]]]:
    """thread_id -> its comments, oldest first."""
    out: dict[str, list[dict[str, Any]]] = {}
    for comment in sorted(store.comments.values(), key=lambda c: (c["created_at"], c["id"]["comment_id"])):
        out.setdefault(comment["thread_id"], []).append(comment)
    return out


def thread_of(store: Store, thread_id: str, comments: list[dict[str, Any]]) -> dict[str, Any]:
    """The thread object Attio returns."""
    return {
        "id": {"workspace_id": store.workspace_id, "thread_id": thread_id},
        "comments": comments,
        "created_at": comments[0]["created_at"],
    }


def list_threads(
    store: Store,
    *,
    object_id: str | None = None,
    record_id: str | None = None,
    list_id: str | None = None,
    entry_id: str | None = None,
) -> list[dict[str, Any]]:
    """Threads on one record (not on its entries) or on one list entry, oldest first."""
    found = []
    for thread_id, comments in threads(store).items():
        head = comments[0]
        if entry_id is not None:
            entry = head["entry"]
            if entry is None or entry["entry_id"] != entry_id or entry["list_id"] != list_id:
                continue
        elif head["entry"] is not None or head["record"] != {"record_id": record_id, "object_id": object_id}:
            continue
        found.append(thread_of(store, thread_id, comments))
    return found


def _issue(path: list[str | int], message: str, code: str = "invalid_type") -> dict[str, Any]:
    return {"code": code, "path": path, "message": message}


def _check_shape(data: dict[str, Any]) -> str:
    """The one target key (thread_id, record or entry) of a create body; 400 for any other shape."""
    targets = [k for k in _TARGETS if k in data]
    if len(targets) != 1:
        raise validation_error(
            "Body payload validation error: give exactly one of thread_id, record or entry.",
            issues=[_issue(["data"], "Expected exactly one of thread_id, record or entry", "invalid_union")],
        )
    extra = sorted(set(data) - _COMMON - {targets[0]})
    if extra:
        raise validation_error(
            f"Body payload validation error: unrecognized keys {', '.join(extra)}.",
            issues=[
                {**_issue(["data"], f"Unrecognized key: {k!r}", "unrecognized_keys"), "keys": [k]}
                for k in extra
            ],
        )
    absent = [k for k in ("format", "content", "author") if k not in data]
    if absent:
        raise validation_error(
            "Body payload validation error.",
            issues=[{**_issue(["data", k], "Required"), "received": "undefined"} for k in absent],
        )
    return targets[0]


def _author(store: Store, raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict) or raw.get("type") != "workspace-member" or not is_uuid(raw.get("id")):
        raise validation_error(
            'author must be {"type": "workspace-member", "id": <member UUID>}.', ["data", "author"]
        )
    if set(raw) - {"type", "id"}:
        raise validation_error(
            "Unrecognized keys in author.", ["data", "author"], issue_code="unrecognized_keys"
        )
    if store.member_by_id(raw["id"]) is None:
        raise value_not_found(f'Workspace member with ID "{raw["id"]}" not found.')
    return {"type": "workspace-member", "id": raw["id"]}


def _created_at(store: Store, raw: Any) -> str:
    now = store.clock.now_str()
    if raw is None:
        return now
    if not isinstance(raw, str):
        raise validation_error('"created_at" must be a string.', ["data", "created_at"], expected="string")
    try:
        moment = parse_ts(raw)
    except ValueError as exc:
        raise validation_error('"created_at" is not a valid timestamp.', ["data", "created_at"]) from exc
    stamp = format_ts(moment)
    if moment.year < 1970 or stamp > now:
        raise validation_error(
            '"created_at" must be after 1970 and not in the future.', ["data", "created_at"]
        )
    return stamp


def _place(store: Store, key: str, raw: Any) -> tuple[str | None, dict[str, Any], dict[str, Any] | None]:
    """(thread_id to reply to, record, entry) of a new comment."""
    if key == "thread_id":
        if not is_uuid(raw):
            raise validation_error(
                "thread_id must be a UUID.", ["data", "thread_id"], issue_code="invalid_string"
            )
        head = threads(store).get(raw)
        if head is None:
            raise value_not_found(_NO_THREAD)
        return raw, dict(head[0]["record"]), head[0]["entry"] and dict(head[0]["entry"])
    if not isinstance(raw, dict):
        raise validation_error(f"{key} must be an object.", ["data", key], expected="object")
    if key == "record":
        if set(raw) != {"object", "record_id"} or not isinstance(raw["object"], str):
            raise validation_error("record needs exactly object and record_id.", ["data", "record"])
        obj = store.schema.object(raw["object"])
        object_id = obj["id"]["object_id"]
        if not is_uuid(raw["record_id"]):
            raise validation_error("record_id must be a UUID.", ["data", "record", "record_id"])
        if not store.record_exists(object_id, raw["record_id"]):
            raise value_not_found(f'Record with ID "{raw["record_id"]}" not found.')
        return None, {"record_id": raw["record_id"], "object_id": object_id}, None
    if (
        set(raw) != {"list", "entry_id"}
        or not isinstance(raw["list"], str)
        or not isinstance(raw["entry_id"], str)
    ):
        raise validation_error("entry needs exactly list and entry_id.", ["data", "entry"])
    lst = store.schema.list(raw["list"])
    list_id = lst["id"]["list_id"]
    item = store.entries.get(list_id, {}).get(raw["entry_id"]) if is_uuid(raw["entry_id"]) else None
    if item is None:
        raise value_not_found(f'Entry with ID "{raw["entry_id"]}" not found.')
    parent = store.schema.object(item.parent_object or "")
    record = {"record_id": item.parent_record_id, "object_id": parent["id"]["object_id"]}
    return None, record, {"entry_id": item.id, "list_id": list_id}


def create_comment(store: Store, data: dict[str, Any]) -> dict[str, Any]:
    """POST /v2/comments body (``data``) -> the stored comment."""
    key = _check_shape(data)
    if data["format"] != "plaintext":
        raise validation_error(
            '"format" must be "plaintext".', ["data", "format"], issue_code="invalid_enum_value"
        )
    content = data["content"]
    if not isinstance(content, str) or not content.strip():
        raise validation_error(
            '"content" must be a non-empty string.', ["data", "content"], expected="string"
        )
    author = _author(store, data["author"])
    thread_id, record, entry = _place(store, key, data[key])
    created_at = _created_at(store, data.get("created_at"))
    if thread_id is not None and created_at < threads(store)[thread_id][0]["created_at"]:
        raise validation_error(
            '"created_at" must not be before the first comment of the thread.', ["data", "created_at"]
        )
    comment_id = store.ids.new("comment")
    comment = {
        "id": {"workspace_id": store.workspace_id, "comment_id": comment_id},
        "thread_id": thread_id or store.ids.new("thread"),
        "content_plaintext": content,
        "entry": entry,
        "record": record,
        "resolved_at": None,
        "resolved_by": {"type": None, "id": None},
        "created_at": created_at,
        "author": author,
    }
    store.comments[comment_id] = comment
    store.save_counter()
    store.save_doc("comment", comment_id, comment)
    return comment


def delete_comment(store: Store, comment_id: str) -> None:
    """Delete a comment; the first comment of a thread takes the whole thread with it."""
    comment = store.comments.get(comment_id) if is_uuid(comment_id) else None
    if comment is None:
        raise not_found(f'Could not find Comment with ID "{comment_id}".')
    siblings = threads(store)[comment["thread_id"]]
    doomed = siblings if siblings[0] is comment else [comment]
    with store.transaction():
        for item in doomed:
            cid = item["id"]["comment_id"]
            del store.comments[cid]
            store.forget("comment", cid)
