"""``AttioClient``: one async method per Attio endpoint the server uses.

Record and schema methods come from ``_records``; this module adds lists, entries, notes, tasks and
workspace members. As there, every call site states whether it is a read and whether it is idempotent.
"""

from __future__ import annotations

import enum
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Literal

from ._errors import InvalidArgumentError
from ._http import _path
from ._models import AttioList, Entry, Note, Task, WorkspaceMember
from ._pagination import paginate_offset
from ._records import _many, _one, _query_body, _RecordsAPI, _timestamp

__all__ = ["AttioClient", "UNSET", "Unset"]


class Unset(enum.Enum):
    """Type of ``UNSET``: marks an update argument that was not given (as opposed to ``None``)."""

    UNSET = "UNSET"


UNSET = Unset.UNSET


class AttioClient(_RecordsAPI):
    """Async client for Attio's REST API v2.

    Use one instance per process (it holds a connection pool and the rate limiters) and close it::

        async with AttioClient(api_key=key) as attio:
            people = await attio.query_records("people", limit=10)

    Pass ``transport=httpx.ASGITransport(app=...)`` or ``httpx.MockTransport(handler)`` to run offline;
    ``clock``/``sleep`` are injectable so tests never wait. Methods unwrap ``{"data": …}`` and return
    tolerant models; ``request`` is the low-level escape hatch returning the whole parsed body.
    """

    # -- lists and entries -----------------------------------------------------------------------------

    async def list_lists(self) -> list[AttioList]:
        """All lists the token can see (no pagination)."""
        return _many(AttioList, await self._get(_path("lists")))

    async def get_list(self, list: str) -> AttioList:
        """One list by slug or UUID."""
        return _one(AttioList, await self._get(_path("lists", list)))

    async def query_entries(
        self,
        list: str,
        *,
        filter: Mapping[str, Any] | None = None,
        sorts: Sequence[Any] | None = None,
        limit: int | None = None,
        offset: int | None = None,
    ) -> list[Entry]:
        """One page of a list's entries matching ``filter``."""
        body = _query_body(filter, sorts, limit, offset)
        return _many(Entry, await self._query(_path("lists", list, "entries", "query"), body))

    async def iter_entries(
        self,
        list: str,
        *,
        filter: Mapping[str, Any] | None = None,
        sorts: Sequence[Any] | None = None,
        page_size: int = 500,
    ) -> AsyncIterator[Entry]:
        """Every matching entry, fetched page by page until a short page."""

        async def fetch(limit: int, offset: int) -> Sequence[Entry]:
            return await self.query_entries(list, filter=filter, sorts=sorts, limit=limit, offset=offset)

        async for entry in paginate_offset(fetch, page_size):
            yield entry

    @staticmethod
    def _entry_body(
        parent_object: str, parent_record_id: str, entry_values: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        return {
            "data": {
                "parent_record_id": parent_record_id,
                "parent_object": parent_object,
                "entry_values": dict(entry_values or {}),
            }
        }

    async def create_entry(
        self,
        list: str,
        parent_object: str,
        parent_record_id: str,
        entry_values: Mapping[str, Any] | None = None,
    ) -> Entry:
        """Add a record to a list (a record may be added more than once). Not retried on 5xx."""
        body = self._entry_body(parent_object, parent_record_id, entry_values)
        return _one(Entry, await self._create(_path("lists", list, "entries"), body))

    async def assert_entry(
        self,
        list: str,
        parent_object: str,
        parent_record_id: str,
        entry_values: Mapping[str, Any] | None = None,
    ) -> Entry:
        """Upsert the entry for a parent record (multiselects are replaced)."""
        body = self._entry_body(parent_object, parent_record_id, entry_values)
        path = _path("lists", list, "entries")
        return _one(Entry, await self.request("PUT", path, json=body, idempotent=True, read=False))

    async def get_entry(self, list: str, entry_id: str) -> Entry:
        """One entry by id."""
        return _one(Entry, await self._get(_path("lists", list, "entries", entry_id)))

    async def update_entry(
        self, list: str, entry_id: str, entry_values: Mapping[str, Any], *, overwrite: bool = False
    ) -> Entry:
        """PATCH (appends to multiselects; not retried on 5xx) or, with ``overwrite``, PUT (replaces them)."""
        body = {"data": {"entry_values": dict(entry_values)}}
        path = _path("lists", list, "entries", entry_id)
        method = "PUT" if overwrite else "PATCH"
        return _one(Entry, await self.request(method, path, json=body, idempotent=overwrite, read=False))

    async def delete_entry(self, list: str, entry_id: str) -> None:
        """Remove an entry from its list (the parent record stays)."""
        await self._delete(_path("lists", list, "entries", entry_id))

    # -- notes -----------------------------------------------------------------------------------------

    async def list_notes(
        self,
        *,
        parent_object: str | None = None,
        parent_record_id: str | None = None,
        limit: int | None = None,
        offset: int | None = None,
    ) -> list[Note]:
        """Notes, optionally of one parent record (Attio's default limit is 10, max 50)."""
        params = {
            "parent_object": parent_object,
            "parent_record_id": parent_record_id,
            "limit": limit,
            "offset": offset,
        }
        return _many(Note, await self._get(_path("notes"), params))

    async def create_note(
        self,
        *,
        parent_object: str,
        parent_record_id: str,
        title: str,
        content: str,
        format: Literal["plaintext", "markdown"] = "plaintext",
        created_at: str | datetime | None = None,
    ) -> Note:
        """Attach a note to a record. Not retried on 5xx."""
        data: dict[str, Any] = {
            "parent_object": parent_object,
            "parent_record_id": parent_record_id,
            "title": title,
            "format": format,
            "content": content,
        }
        if created_at is not None:
            data["created_at"] = _timestamp(created_at)
        return _one(Note, await self._create(_path("notes"), {"data": data}))

    async def get_note(self, note_id: str) -> Note:
        """One note by id."""
        return _one(Note, await self._get(_path("notes", note_id)))

    async def delete_note(self, note_id: str) -> None:
        """Delete a note permanently."""
        await self._delete(_path("notes", note_id))

    # -- tasks -----------------------------------------------------------------------------------------

    async def list_tasks(
        self,
        *,
        linked_object: str | None = None,
        linked_record_id: str | None = None,
        assignee: str | None = None,
        is_completed: bool | None = None,
        sort: str | None = None,
        limit: int | None = None,
        offset: int | None = None,
    ) -> list[Task]:
        """Tasks, filtered by linked record, assignee (email or member id) and completion."""
        params = {
            "linked_object": linked_object,
            "linked_record_id": linked_record_id,
            "assignee": assignee,
            "is_completed": is_completed,
            "sort": sort,
            "limit": limit,
            "offset": offset,
        }
        return _many(Task, await self._get(_path("tasks"), params))

    async def create_task(
        self,
        *,
        content: str,
        deadline_at: str | datetime | None = None,
        is_completed: bool = False,
        linked_records: Iterable[Mapping[str, Any]] = (),
        assignees: Iterable[Mapping[str, Any]] = (),
    ) -> Task:
        """Create a plaintext task; all six body fields are always sent. Not retried on 5xx."""
        data = {
            "content": content,
            "format": "plaintext",
            "deadline_at": _timestamp(deadline_at),
            "is_completed": is_completed,
            "linked_records": [dict(item) for item in linked_records],
            "assignees": [dict(item) for item in assignees],
        }
        return _one(Task, await self._create(_path("tasks"), {"data": data}))

    async def get_task(self, task_id: str) -> Task:
        """One task by id."""
        return _one(Task, await self._get(_path("tasks", task_id)))

    async def update_task(
        self,
        task_id: str,
        *,
        deadline_at: str | datetime | None | Unset = UNSET,
        is_completed: bool | Unset = UNSET,
        linked_records: Iterable[Mapping[str, Any]] | Unset = UNSET,
        assignees: Iterable[Mapping[str, Any]] | Unset = UNSET,
    ) -> Task:
        """PATCH only the given fields (content cannot be edited); ``deadline_at=None`` clears it."""
        data: dict[str, Any] = {}
        if not isinstance(deadline_at, Unset):
            data["deadline_at"] = _timestamp(deadline_at)
        if not isinstance(is_completed, Unset):
            data["is_completed"] = is_completed
        if not isinstance(linked_records, Unset):
            data["linked_records"] = [dict(item) for item in linked_records]
        if not isinstance(assignees, Unset):
            data["assignees"] = [dict(item) for item in assignees]
        if not data:
            raise InvalidArgumentError("update_task needs at least one field to change")
        path = _path("tasks", task_id)
        return _one(
            Task, await self.request("PATCH", path, json={"data": data}, idempotent=False, read=False)
        )

    async def delete_task(self, task_id: str) -> None:
        """Delete a task permanently."""
        await self._delete(_path("tasks", task_id))

    # -- workspace members -----------------------------------------------------------------------------

    async def list_members(self) -> list[WorkspaceMember]:
        """All workspace members (no pagination)."""
        return _many(WorkspaceMember, await self._get(_path("workspace_members")))

    async def get_member(self, member_id: str) -> WorkspaceMember:
        """One workspace member by id."""
        return _one(WorkspaceMember, await self._get(_path("workspace_members", member_id)))
