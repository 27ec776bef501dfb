"""In-memory sandbox state with optional SQLite write-through persistence."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from ._clock import Clock
from ._errors import not_found
from ._ids import IdFactory, is_uuid, stable_id
from ._persist import Persistence
from ._schema import AttrDef, Schema
from ._values import identity

__all__ = ["Item", "Store", "request_actor"]

log = logging.getLogger("attio_mcp.sandbox")

# The actor of the request being served when it is not the API token (an OAuth token's workspace member).
request_actor: ContextVar[dict[str, Any] | None] = ContextVar("sandbox_request_actor", default=None)


@dataclass
class Item:
    """A record or list entry: its id, owner (object/list id) and full value history per attribute slug."""

    id: str
    parent_id: str
    created_at: str
    values: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    parent_object: str | None = None  # entries only: object slug of the parent record
    parent_record_id: str | None = None  # entries only

    def current(self, slug: str) -> list[dict[str, Any]]:
        """Active values of one attribute, in display order."""
        return [v for v in self.values.get(slug, ()) if v["active_until"] is None]

    def to_doc(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "parent_id": self.parent_id,
            "created_at": self.created_at,
            "values": self.values,
            "parent_object": self.parent_object,
            "parent_record_id": self.parent_record_id,
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Item:
        return cls(**doc)


class Store:
    """Everything the sandbox knows: workspace, schema, members, records, entries, notes and tasks."""

    def __init__(self, persistence: Persistence | None = None, clock: Clock | None = None) -> None:
        self.persistence = persistence
        self.clock = clock or Clock()
        self.ids = IdFactory()
        self.lock = threading.RLock()
        self.workspace: dict[str, Any] = {}
        self.schema = Schema("")
        self.members: dict[str, dict[str, Any]] = {}
        self.records: dict[str, dict[str, Item]] = {}
        self.entries: dict[str, dict[str, Item]] = {}
        self.notes: dict[str, dict[str, Any]] = {}
        self.tasks: dict[str, dict[str, Any]] = {}
        # Comments (threads are their thread_id groups), meetings, call recordings and transcript plans.
        self.comments: dict[str, dict[str, Any]] = {}
        self.meetings: dict[str, dict[str, Any]] = {}
        self.call_recordings: dict[str, dict[str, Any]] = {}
        self.transcripts: dict[str, dict[str, Any]] = {}
        self.acting_as: dict[str, Any] | None = None  # seeding writes as a workspace member
        self.seeding = False  # seeding may fill read-only (enriched) attributes

    # -- workspace -----------------------------------------------------------------------------------
    def init_workspace(self, name: str, slug: str, authorized_by: str) -> None:
        workspace_id = stable_id("workspace", slug)
        self.workspace = {
            "workspace_id": workspace_id,
            "workspace_name": name,
            "workspace_slug": slug,
            "authorized_by_workspace_member_id": authorized_by,
            "token_id": stable_id("api-token", slug),
            "client_id": stable_id("client", slug),
        }
        self.schema = Schema(workspace_id)

    @property
    def workspace_id(self) -> str:
        return self.workspace["workspace_id"]

    def api_actor(self) -> dict[str, Any]:
        """The actor recorded for writes (the member the seed acts as, an OAuth token's member, or the API token)."""
        if self.acting_as is not None:
            return dict(self.acting_as)
        actor = request_actor.get()
        if actor is not None:
            return dict(actor)
        return {"type": "api-token", "id": self.workspace["token_id"]}

    def current_member_id(self) -> str:
        return self.workspace["authorized_by_workspace_member_id"]

    # -- ValueContext --------------------------------------------------------------------------------
    def member_by_email(self, email: str) -> dict[str, Any] | None:
        folded = email.strip().lower()
        return next((m for m in self.members.values() if m["email_address"].lower() == folded), None)

    def member_by_id(self, member_id: str) -> dict[str, Any] | None:
        return self.members.get(member_id)

    def record_exists(self, object_id: str, record_id: str) -> bool:
        return record_id in self.records.get(object_id, {})

    def find_by_unique(self, object_id: str, attr: AttrDef, core: dict[str, Any]) -> str | None:
        """Id of the record (or entry, for list attributes) whose current ``attr`` value matches ``core``."""
        items = self.entries if attr.parent_kind == "list" else self.records
        wanted = identity(core)
        for item in items.get(object_id, {}).values():
            if any(identity(v) == wanted for v in item.current(attr.slug)):
                return item.id
        return None

    # -- lookups -------------------------------------------------------------------------------------
    def object_records(self, object_id: str) -> dict[str, Item]:
        return self.records.setdefault(object_id, {})

    def list_entries(self, list_id: str) -> dict[str, Item]:
        return self.entries.setdefault(list_id, {})

    def get_record(self, object_id: str, record_id: str) -> Item:
        item = self.records.get(object_id, {}).get(record_id) if is_uuid(record_id) else None
        if item is None:
            raise not_found(f'Record with ID "{record_id}" not found.')
        return item

    def get_entry(self, list_id: str, entry_id: str) -> Item:
        item = self.entries.get(list_id, {}).get(entry_id) if is_uuid(entry_id) else None
        if item is None:
            raise not_found(f'Entry with ID "{entry_id}" not found.')
        return item

    # -- rendering -----------------------------------------------------------------------------------
    def current_values(self, item: Item) -> dict[str, list[dict[str, Any]]]:
        """Every attribute slug of the owner -> its active values (``[]`` when unset)."""
        return {slug: item.current(slug) for slug in self.schema.attrs(item.parent_id)}

    def render_record(self, item: Item) -> dict[str, Any]:
        return {
            "id": {"workspace_id": self.workspace_id, "object_id": item.parent_id, "record_id": item.id},
            "created_at": item.created_at,
            "web_url": self.schema.web_url(self.workspace["workspace_slug"], item.parent_id, item.id),
            "values": self.current_values(item),
        }

    def render_entry(self, item: Item) -> dict[str, Any]:
        return {
            "id": {"workspace_id": self.workspace_id, "list_id": item.parent_id, "entry_id": item.id},
            "parent_record_id": item.parent_record_id,
            "parent_object": item.parent_object,
            "created_at": item.created_at,
            "entry_values": self.current_values(item),
        }

    # -- persistence ---------------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group the persistence writes of one operation into one SQLite transaction (all or nothing)."""
        with self.persistence.batch() if self.persistence is not None else nullcontext():
            yield

    def save_record(self, item: Item) -> None:
        if self.persistence is not None:
            self.persistence.put("record", item.id, item.to_doc())

    def save_entry(self, item: Item) -> None:
        if self.persistence is not None:
            self.persistence.put("entry", item.id, item.to_doc())

    def save_doc(self, kind: str, doc_id: str, body: dict[str, Any]) -> None:
        if self.persistence is not None:
            self.persistence.put(kind, doc_id, body)

    def forget(self, kind: str, doc_id: str) -> None:
        if self.persistence is not None:
            self.persistence.delete(kind, doc_id)

    def save_counter(self) -> None:
        if self.persistence is not None:
            self.persistence.put_meta("id_counter", self.ids.counter)

    def save_all(self) -> None:
        """Write the whole state (after seeding a fresh database)."""
        if self.persistence is None:
            return
        with self.persistence.batch():
            self.persistence.put_meta("workspace", self.workspace)
            self.persistence.put_meta("schema", self.schema.to_doc())
            self.save_counter()
            for member in self.members.values():
                self.persistence.put("member", member["id"]["workspace_member_id"], member)
            for records in self.records.values():
                for item in records.values():
                    self.save_record(item)
            for entries in self.entries.values():
                for item in entries.values():
                    self.save_entry(item)
            for note_id, note in self.notes.items():
                self.persistence.put("note", note_id, note)
            for task_id, task in self.tasks.items():
                self.persistence.put("task", task_id, task)
            for kind, docs in self._activity_docs().items():
                for doc_id, doc in docs.items():
                    self.persistence.put(kind, doc_id, doc)

    def load(self) -> None:
        """Rebuild the state from the database."""
        assert self.persistence is not None
        meta = self.persistence.load_meta()
        self.workspace = meta["workspace"]
        self.schema = Schema.from_doc(meta["schema"])
        self.ids = IdFactory(int(meta.get("id_counter", 0)))
        latest = ""
        for member in self.persistence.load("member"):
            self.members[member["id"]["workspace_member_id"]] = member
        for doc in self.persistence.load("record"):
            item = Item.from_doc(doc)
            self.object_records(item.parent_id)[item.id] = item
            latest = max(latest, _latest_ts(item))
        for doc in self.persistence.load("entry"):
            item = Item.from_doc(doc)
            self.list_entries(item.parent_id)[item.id] = item
            latest = max(latest, _latest_ts(item))
        for note in self.persistence.load("note"):
            self.notes[note["id"]["note_id"]] = note
            latest = max(latest, note["created_at"])
        for task in self.persistence.load("task"):
            self.tasks[task["id"]["task_id"]] = task
            latest = max(latest, task["created_at"])
        for kind, docs in self._activity_docs().items():
            for doc in self.persistence.load(kind):
                docs[_activity_key(kind, doc)] = doc
                latest = max(latest, doc.get("created_at") or "")
        if latest:
            self.clock.advance_past(latest)
        log.info("sandbox state loaded: %d records", sum(len(r) for r in self.records.values()))

    def _activity_docs(self) -> dict[str, dict[str, dict[str, Any]]]:
        """Persistence kind -> the dict holding those documents (comments, meetings, recordings...)."""
        return {
            "comment": self.comments,
            "meeting": self.meetings,
            "call_recording": self.call_recordings,
            "transcript": self.transcripts,
        }


def _activity_key(kind: str, doc: dict[str, Any]) -> str:
    """A persisted comment, meeting, recording or transcript plan's id (transcripts: their recording's)."""
    key = {"comment": "comment_id", "meeting": "meeting_id"}.get(kind, "call_recording_id")
    return str(doc["id"][key])


def _latest_ts(item: Item) -> str:
    stamps = [item.created_at]
    for values in item.values.values():
        for value in values:
            stamps.append(value["active_from"])
            if value["active_until"]:
                stamps.append(value["active_until"])
    return max(stamps)
