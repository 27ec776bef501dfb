"""``AttioClient``: one async method per Attio endpoint the server uses.

The client owns an ``HttpCore`` (connection pool, rate limiters, retries, typed errors) and sends every call
through it. Each method declares at its call site whether the operation is a read (read bucket) and whether
it is idempotent (safe to repeat after a 5xx or timeout). Creates and PATCH updates are not: a create
replayed after a lost response duplicates the record, and PATCH appends to multiselect attributes.
"""

from __future__ import annotations

import enum
import random
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, Literal, Self, TypedDict, TypeVar, Unpack

import anyio
import httpx

from ._errors import InvalidArgumentError
from ._http import REDACTED, HttpCore, QueryValue, api_path
from ._limiter import Limiter
from ._models import (
    AttioList,
    AttioModel,
    AttioObject,
    Attribute,
    Entry,
    Note,
    Record,
    RecordEntry,
    SearchResult,
    SelectOption,
    Status,
    Task,
    TokenInfo,
    WorkspaceMember,
)
from ._models_activity import CallRecording, Comment, CursorPage, Meeting, Thread, Transcript, next_cursor

__all__ = ["AttioClient", "Target", "UNSET", "Unset"]

M = TypeVar("M", bound=AttioModel)
Target = Literal["objects", "lists"]


class Unset(enum.Enum):
    """Type of ``UNSET``: marks an update argument that was not given (as opposed to ``None``)."""

    UNSET = "UNSET"


UNSET = Unset.UNSET


# -- request bodies and response envelopes -------------------------------------------------------------


def _data(body: object) -> object:
    """Unwrap Attio's ``{"data": …}`` envelope (``/v2/self`` has none)."""
    if isinstance(body, Mapping) and "data" in body:
        return body["data"]
    return body


def _one(model: type[M], body: object) -> M:
    data = _data(body)
    return model.model_validate(data if isinstance(data, Mapping) else {})


def _many(model: type[M], body: object) -> list[M]:
    data = _data(body)
    items = data if isinstance(data, list) else []
    return [model.model_validate(item) for item in items if isinstance(item, Mapping)]


def _query_body(
    filter: Mapping[str, Any] | None, sorts: Sequence[Any] | None, limit: int | None, offset: int | None
) -> dict[str, object]:
    body: dict[str, object] = {}
    if filter is not None:
        body["filter"] = dict(filter)
    if sorts is not None:
        body["sorts"] = list(sorts)
    if limit is not None:
        body["limit"] = limit
    if offset is not None:
        body["offset"] = offset
    return body


def _timestamp(value: str | datetime | None) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else value


def _archived(show_archived: bool) -> dict[str, QueryValue] | None:
    return {"show_archived": True} if show_archived else None


def _check_target(target: str) -> None:
    if target not in ("objects", "lists"):
        raise InvalidArgumentError(f"target must be 'objects' or 'lists', not {target!r}")


class AttioClient:
    """Async client for Attio's REST API v2.

    Use one instance per process (it holds a connection pool and the rate limiters) and close it::

        async with AttioClient(api_key=key) as attio:
            people = await attio.query_records("people", limit=10)

    Pass ``transport=httpx.ASGITransport(app=...)`` or ``httpx.MockTransport(handler)`` to run offline;
    ``clock``/``sleep``/``jitter`` are injectable so tests never wait. Methods unwrap ``{"data": …}`` and
    return tolerant models. ``limiter`` replaces the in-process read/write buckets (e.g. one shared by
    replicas through Redis, from ``attio_mcp.state``).
    """

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str = "https://api.attio.com",
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 30.0,
        connect_timeout: float = 10.0,
        reads_per_second: float = 100,
        writes_per_second: float = 25,
        max_attempts: int = 4,
        max_retry_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
        user_agent: str = "attio-mcp",
        jitter: Callable[[], float] = random.random,
        limiter: Limiter | None = None,
    ) -> None:
        self._core = HttpCore(
            api_key=api_key,
            base_url=base_url,
            transport=transport,
            timeout=timeout,
            connect_timeout=connect_timeout,
            reads_per_second=reads_per_second,
            writes_per_second=writes_per_second,
            max_attempts=max_attempts,
            max_retry_seconds=max_retry_seconds,
            clock=clock,
            sleep=sleep,
            user_agent=user_agent,
            jitter=jitter,
            limiter=limiter,
        )

    # -- lifecycle -------------------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        return self._core.closed

    async def aclose(self) -> None:
        """Close the connection pool; later calls raise ``AttioClientClosedError``. Safe to call twice."""
        await self._core.aclose()

    async def __aenter__(self) -> Self:
        self._core.check_open()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"{type(self).__name__}(base_url={self._core.base_url!r}, api_key='{REDACTED}', {state})"

    # -- the four call shapes --------------------------------------------------------------------------

    async def _get(self, path: str, params: Mapping[str, QueryValue] | None = None) -> object:
        return await self._core.request("GET", path, params=params, idempotent=True, read=True)

    async def _query(self, path: str, body: Mapping[str, object], *, scored: bool = False) -> object:
        """Read-style POST (query/search): a read, and safe to repeat. ``scored``: Attio gives the query a
        complexity score (records and entries queries), so a 429 that repeats may never clear."""
        return await self._core.request("POST", path, json=body, idempotent=True, read=True, scored=scored)

    async def _write(
        self,
        method: Literal["POST", "PUT", "PATCH", "DELETE"],
        path: str,
        body: Mapping[str, object] | None = None,
        *,
        idempotent: bool,
        params: Mapping[str, QueryValue] | None = None,
    ) -> object:
        """A write; ``idempotent`` says whether repeating it after an ambiguous failure is harmless."""
        return await self._core.request(
            method, path, params=params, json=body, idempotent=idempotent, read=False
        )

    async def _create(self, path: str, body: Mapping[str, object]) -> object:
        """Create POST: never repeated after an ambiguous failure, or it could create a duplicate."""
        return await self._write("POST", path, body, idempotent=False)

    async def _delete(self, path: str) -> None:
        await self._write("DELETE", path, idempotent=True)

    async def _update(self, path: str, data: Mapping[str, object], *, overwrite: bool) -> object:
        """PUT replaces multiselect values and may be repeated; PATCH appends them, so it is sent once."""
        method: Literal["PUT", "PATCH"] = "PUT" if overwrite else "PATCH"
        return await self._write(method, path, {"data": dict(data)}, idempotent=overwrite)

    # -- token, objects, attributes --------------------------------------------------------------------

    async def get_self(self) -> TokenInfo:
        """Describe the token: active flag, scopes and workspace."""
        return _one(TokenInfo, await self._get(api_path("self")))

    async def list_objects(self) -> list[AttioObject]:
        """All objects in the workspace (no pagination)."""
        return _many(AttioObject, await self._get(api_path("objects")))

    async def list_attributes(
        self, target: Target, identifier: str, *, show_archived: bool = False
    ) -> list[Attribute]:
        """Attributes of an object or list, in UI order."""
        _check_target(target)
        path = api_path(target, identifier, "attributes")
        return _many(Attribute, await self._get(path, _archived(show_archived)))

    async def list_select_options(
        self, target: Target, identifier: str, attribute: str, *, show_archived: bool = False
    ) -> list[SelectOption]:
        """Options of a select attribute."""
        _check_target(target)
        path = api_path(target, identifier, "attributes", attribute, "options")
        return _many(SelectOption, await self._get(path, _archived(show_archived)))

    async def list_statuses(
        self, target: Target, identifier: str, attribute: str, *, show_archived: bool = False
    ) -> list[Status]:
        """Statuses of a status attribute."""
        _check_target(target)
        path = api_path(target, identifier, "attributes", attribute, "statuses")
        return _many(Status, await self._get(path, _archived(show_archived)))

    # -- records ---------------------------------------------------------------------------------------

    async def query_records(
        self,
        object: str,
        *,
        filter: Mapping[str, Any] | None = None,
        sorts: Sequence[Any] | None = None,
        limit: int | None = None,
        offset: int | None = None,
    ) -> list[Record]:
        """One page of records matching ``filter`` (Attio's default limit is 500)."""
        body = _query_body(filter, sorts, limit, offset)
        return _many(
            Record, await self._query(api_path("objects", object, "records", "query"), body, scored=True)
        )

    async def search_records(self, query: str, objects: list[str], *, limit: int = 25) -> list[SearchResult]:
        """Fuzzy search over names, domains, emails and phones (eventually consistent; limit 1–25)."""
        body = {"query": query, "objects": list(objects), "limit": limit, "request_as": {"type": "workspace"}}
        return _many(SearchResult, await self._query(api_path("objects", "records", "search"), body))

    async def create_record(self, object: str, values: Mapping[str, Any]) -> Record:
        """Create a record; fails with ``uniqueness_conflict`` on a duplicate unique value. Not retried on 5xx."""
        body = {"data": {"values": dict(values)}}
        return _one(Record, await self._create(api_path("objects", object, "records"), body))

    async def assert_record(self, object: str, matching_attribute: str, values: Mapping[str, Any]) -> Record:
        """Upsert by a unique attribute: update the match or create a record."""
        body = {"data": {"values": dict(values)}}
        path = api_path("objects", object, "records")
        params: dict[str, QueryValue] = {"matching_attribute": matching_attribute}
        return _one(Record, await self._write("PUT", path, body, params=params, idempotent=True))

    async def get_record(self, object: str, record_id: str) -> Record:
        """One record by id."""
        return _one(Record, await self._get(api_path("objects", object, "records", record_id)))

    async def update_record(
        self, object: str, record_id: str, values: Mapping[str, Any], *, overwrite: bool = False
    ) -> Record:
        """PATCH (appends to multiselects; not retried on 5xx) or, with ``overwrite``, PUT (replaces them)."""
        path = api_path("objects", object, "records", record_id)
        return _one(Record, await self._update(path, {"values": dict(values)}, overwrite=overwrite))

    async def delete_record(self, object: str, record_id: str) -> None:
        """Delete a record permanently."""
        await self._delete(api_path("objects", object, "records", record_id))

    async def list_record_entries(
        self, object: str, record_id: str, *, limit: int | None = None, offset: int | None = None
    ) -> list[RecordEntry]:
        """The list entries a record has, across all lists."""
        path = api_path("objects", object, "records", record_id, "entries")
        return _many(RecordEntry, await self._get(path, {"limit": limit, "offset": offset}))

    # -- lists and entries -----------------------------------------------------------------------------

    async def list_lists(self) -> list[AttioList]:
        """All lists the token can see (no pagination)."""
        return _many(AttioList, await self._get(api_path("lists")))

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
        return _many(Entry, await self._query(api_path("lists", list, "entries", "query"), body, scored=True))

    async def create_entry(
        self,
        list: str,
        parent_object: str,
        parent_record_id: str,
        entry_values: Mapping[str, Any] | None = None,
    ) -> Entry:
        """Add a record to a list (a record may be added more than once). Not retried on 5xx."""
        data = {
            "parent_record_id": parent_record_id,
            "parent_object": parent_object,
            "entry_values": dict(entry_values or {}),
        }
        return _one(Entry, await self._create(api_path("lists", list, "entries"), {"data": data}))

    async def get_entry(self, list: str, entry_id: str) -> Entry:
        """One entry by id."""
        return _one(Entry, await self._get(api_path("lists", list, "entries", entry_id)))

    async def update_entry(
        self, list: str, entry_id: str, entry_values: Mapping[str, Any], *, overwrite: bool = False
    ) -> Entry:
        """PATCH (appends to multiselects; not retried on 5xx) or, with ``overwrite``, PUT (replaces them)."""
        path = api_path("lists", list, "entries", entry_id)
        return _one(
            Entry, await self._update(path, {"entry_values": dict(entry_values)}, overwrite=overwrite)
        )

    async def delete_entry(self, list: str, entry_id: str) -> None:
        """Remove an entry from its list (the parent record stays)."""
        await self._delete(api_path("lists", list, "entries", entry_id))

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
        params: dict[str, QueryValue] = {
            "parent_object": parent_object,
            "parent_record_id": parent_record_id,
            "limit": limit,
            "offset": offset,
        }
        return _many(Note, await self._get(api_path("notes"), params))

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
        data: dict[str, object] = {
            "parent_object": parent_object,
            "parent_record_id": parent_record_id,
            "title": title,
            "format": format,
            "content": content,
        }
        if created_at is not None:
            data["created_at"] = _timestamp(created_at)
        return _one(Note, await self._create(api_path("notes"), {"data": data}))

    async def get_note(self, note_id: str) -> Note:
        """One note by id."""
        return _one(Note, await self._get(api_path("notes", note_id)))

    async def delete_note(self, note_id: str) -> None:
        """Delete a note permanently."""
        await self._delete(api_path("notes", note_id))

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
        params: dict[str, QueryValue] = {
            "linked_object": linked_object,
            "linked_record_id": linked_record_id,
            "assignee": assignee,
            "is_completed": is_completed,
            "sort": sort,
            "limit": limit,
            "offset": offset,
        }
        return _many(Task, await self._get(api_path("tasks"), params))

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
        return _one(Task, await self._create(api_path("tasks"), {"data": data}))

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
        data: dict[str, object] = {}
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
        path = api_path("tasks", task_id)
        return _one(Task, await self._write("PATCH", path, {"data": data}, idempotent=False))

    async def get_task(self, task_id: str) -> Task:
        """One task by id."""
        return _one(Task, await self._get(api_path("tasks", task_id)))

    async def delete_task(self, task_id: str) -> None:
        """Delete a task permanently."""
        await self._delete(api_path("tasks", task_id))

    # -- comments, meetings, call recordings ---------------------------------------------------------

    async def list_threads(
        self,
        *,
        object: str | None = None,
        record_id: str | None = None,
        list: str | None = None,
        entry_id: str | None = None,
        limit: int | None = None,
        offset: int | None = None,
    ) -> list[Thread]:
        """Comment threads on one record (``object`` + ``record_id``) or one entry (``list`` + ``entry_id``);
        Attio's default limit is 10, max 50."""
        params: dict[str, QueryValue] = {
            "object": object,
            "record_id": record_id,
            "list": list,
            "entry_id": entry_id,
            "limit": limit,
            "offset": offset,
        }
        return _many(Thread, await self._get(api_path("threads"), params))

    async def get_thread(self, thread_id: str) -> Thread:
        """One comment thread with its comments, oldest first."""
        return _one(Thread, await self._get(api_path("threads", thread_id)))

    async def get_comment(self, comment_id: str) -> Comment:
        """One comment by id."""
        return _one(Comment, await self._get(api_path("comments", comment_id)))

    async def create_comment(
        self,
        content: str,
        *,
        author_id: str,
        thread_id: str | None = None,
        record: tuple[str, str] | None = None,
        entry: tuple[str, str] | None = None,
    ) -> Comment:
        """Reply in ``thread_id``, or start a thread on ``record`` (object, record_id) or ``entry`` (list,
        entry_id), written as the member ``author_id``. Not retried on 5xx."""
        if sum(x is not None for x in (thread_id, record, entry)) != 1:
            raise InvalidArgumentError("create_comment needs exactly one of thread_id, record or entry")
        data: dict[str, object] = {
            "format": "plaintext",
            "content": content,
            "author": {"type": "workspace-member", "id": author_id},
        }
        if thread_id is not None:
            data["thread_id"] = thread_id
        elif record is not None:
            data["record"] = {"object": record[0], "record_id": record[1]}
        elif entry is not None:
            data["entry"] = {"list": entry[0], "entry_id": entry[1]}
        return _one(Comment, await self._create(api_path("comments"), {"data": data}))

    async def delete_comment(self, comment_id: str) -> None:
        """Delete a comment; deleting the first comment of a thread deletes the whole thread."""
        await self._delete(api_path("comments", comment_id))

    async def list_meetings(
        self,
        *,
        linked_object: str | None = None,
        linked_record_id: str | None = None,
        participants: Sequence[str] = (),
        ends_from: str | None = None,
        starts_before: str | None = None,
        sort: Literal["start_asc", "start_desc"] | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> CursorPage[Meeting]:
        """One page of meetings (beta; limit 1-200, default 50): linked to a record, with any of the
        ``participants`` emails, ending at or after ``ends_from``, starting before ``starts_before``."""
        params: dict[str, QueryValue] = {
            "linked_object": linked_object,
            "linked_record_id": linked_record_id,
            "participants": ",".join(participants) or None,
            "ends_from": ends_from,
            "starts_before": starts_before,
            "sort": sort,
            "limit": limit,
            "cursor": cursor,
        }
        body = await self._get(api_path("meetings"), params)
        return CursorPage(_many(Meeting, body), next_cursor(body))

    async def get_meeting(self, meeting_id: str) -> Meeting:
        """One meeting by id (beta)."""
        return _one(Meeting, await self._get(api_path("meetings", meeting_id)))

    async def list_call_recordings(
        self, meeting_id: str, *, limit: int | None = None, cursor: str | None = None
    ) -> CursorPage[CallRecording]:
        """One page of a meeting's call recordings (beta; limit up to 200, default 50)."""
        path = api_path("meetings", meeting_id, "call_recordings")
        body = await self._get(path, {"limit": limit, "cursor": cursor})
        return CursorPage(_many(CallRecording, body), next_cursor(body))

    async def get_transcript(
        self, meeting_id: str, call_recording_id: str, *, cursor: str | None = None
    ) -> Transcript:
        """One page of a call recording's transcript (beta); ``next_cursor`` continues it."""
        path = api_path("meetings", meeting_id, "call_recordings", call_recording_id, "transcript")
        body = await self._get(path, {"cursor": cursor})
        page = _one(Transcript, body)
        page.next_cursor = next_cursor(body)
        return page

    # -- workspace members -----------------------------------------------------------------------------

    async def list_members(self) -> list[WorkspaceMember]:
        """All workspace members (no pagination)."""
        return _many(WorkspaceMember, await self._get(api_path("workspace_members")))

    # -- attribute values (current or historic) --------------------------------------------------------

    async def list_record_values(
        self, object: str, record_id: str, attribute: str, **window: Unpack[ValuesWindow]
    ) -> list[dict[str, Any]]:
        """Values of one attribute of a record; with ``show_historic`` every value it ever had, oldest first."""
        path = api_path("objects", object, "records", record_id, "attributes", attribute, "values")
        return await self._values(path, **window)

    async def list_entry_values(
        self, list: str, entry_id: str, attribute: str, **window: Unpack[ValuesWindow]
    ) -> list[dict[str, Any]]:
        """Values of one attribute of a list entry; with ``show_historic`` its whole history, oldest first."""
        path = api_path("lists", list, "entries", entry_id, "attributes", attribute, "values")
        return await self._values(path, **window)

    async def _values(
        self, path: str, *, show_historic: bool = False, limit: int | None = None, offset: int | None = None
    ) -> list[dict[str, Any]]:
        params: dict[str, QueryValue] = {"show_historic": True if show_historic else None}
        return _values(await self._get(path, {**params, "limit": limit, "offset": offset}))


class ValuesWindow(TypedDict, total=False):
    """Which values of an attribute to read: the current ones, or its history (``show_historic``), paged."""

    show_historic: bool
    limit: int | None
    offset: int | None


def _values(body: object) -> list[dict[str, Any]]:
    """Raw value dicts (``{active_from, active_until, created_by_actor, attribute_type, …}``), as in ``values``."""
    data = _data(body)
    items = data if isinstance(data, list) else []
    return [dict(item) for item in items if isinstance(item, Mapping)]
