"""One feed per record: notes, tasks, comments, meetings, call recordings and status/select changes.

Attio has no activity feed endpoint, so :func:`record_timeline` reads every source of one record and
merges them, newest first, each item one short line ``{kind, at, by, text, id}`` with the id to fetch the
whole (``notes_get``, ``comments_list``, ``meetings_get``, ``call_transcript_get``…):

- notes of the record, tasks linked to it, comments in threads on it and on its list entries;
- meetings linked to it (upcoming ones marked) and the recordings of those that have started;
- changes of its status and single-select values, from their value history, with who and when; and the
  stage moves of records that point at it (a company's deals, a person's deals) when their object has a
  status attribute.

Sources are read concurrently. One the key has no scope for is skipped and named in ``skipped`` rather
than failing the feed. Items are de-duplicated (a comment reached twice, a task linked twice) and paged
by an opaque cursor: the sort key of the last item returned.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio
from pydantic import BaseModel

from attio_mcp.attio import Record, WorkspaceMember
from attio_mcp.workspace.activity import (
    CALL_SCOPES,
    COMMENT_SCOPES,
    MEETING_SCOPES,
    actor_label,
    instant,
    label,
    meeting_times,
    scoped,
    utc_text,
)
from attio_mcp.workspace.context import Subject, Workspace
from attio_mcp.workspace.errors import WorkspaceError
from attio_mcp.workspace.schema import AttrInfo, TargetSchema

__all__ = ["KINDS", "Timeline", "TimelineItem", "record_timeline"]

KINDS = ("note", "task", "comment", "meeting", "recording", "change")
PREVIEW = 120
RELATED_LIMIT = 25
_CONCURRENCY = 6
_PAGES = 20  # at most this many pages of one source (1,000 notes, threads…)


class TimelineItem(BaseModel):
    """One event: ``thread_id`` for comments, ``meeting_id`` for recordings, ``object`` for a change of
    another record (its id is ``id``)."""

    kind: str
    at: str
    by: str | None = None
    text: str
    id: str
    object: str | None = None
    thread_id: str | None = None
    meeting_id: str | None = None

    def key(self) -> tuple[str, str, str, str]:
        return (self.at, self.kind, self.id, hashlib.sha256(self.text.encode()).hexdigest()[:8])


class Timeline(BaseModel):
    """A page of a record's timeline, newest first; ``skipped`` names sources the key may not read."""

    items: list[TimelineItem]
    has_more: bool
    next_cursor: str | None = None
    skipped: list[str] | None = None


def one_line(text: str | None, limit: int = PREVIEW) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _at(stamp: str | None) -> str | None:
    moment = instant(stamp)
    return utc_text(moment) if moment else None


def _encode(key: tuple[str, str, str, str]) -> str:
    return (
        base64.urlsafe_b64encode(json.dumps(list(key), separators=(",", ":")).encode()).decode().rstrip("=")
    )


def _decode(text: str) -> tuple[str, str, str, str]:
    try:
        raw = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        if not (isinstance(raw, list) and len(raw) == 4 and all(isinstance(x, str) for x in raw)):
            raise ValueError
    except (ValueError, TypeError, binascii.Error):
        raise WorkspaceError(
            "VALIDATION_ERROR",
            "not a cursor records_timeline returned",
            field="cursor",
            next_step="pass next_cursor from the previous page unchanged, or omit it for the newest items.",
        ) from None
    return (raw[0], raw[1], raw[2], raw[3])


class _Feed:
    """The reads behind one timeline; each source returns items or raises."""

    def __init__(
        self, d: Workspace, schema: TargetSchema, record: Record, kinds: set[str], since: datetime | None
    ) -> None:
        self.d = d
        self.schema = schema
        self.obj = schema.slug
        self.rid = record.record_id or ""
        self.record = record
        self.kinds = kinds
        self.since = since
        self.members: Sequence[WorkspaceMember] = ()
        self.skipped: list[str] = []
        self.now = datetime.now(UTC)

    def who(self, actor: Mapping[str, Any] | None) -> str | None:
        return actor_label(actor, self.members)

    async def pages(self, fetch: Callable[[int, int], Awaitable[list[Any]]], size: int) -> list[Any]:
        out: list[Any] = []
        for page in range(_PAGES):
            rows = await fetch(size, page * size)
            out += rows
            if len(rows) < size:
                break
        return out

    # -- sources ---------------------------------------------------------------------------------------

    async def notes(self) -> list[TimelineItem]:
        client = self.d.client

        async def fetch(size: int, at: int) -> list[Any]:
            pending = client.list_notes(
                parent_object=self.obj, parent_record_id=self.rid, limit=size, offset=at
            )
            return await scoped(self.d, pending, ("note:read",))

        out = []
        for note in await self.pages(fetch, 50):
            text = one_line(
                ": ".join(p for p in (note.title, note.content_plaintext or note.content_markdown) if p)
            )
            at = _at(note.created_at)
            if note.note_id and at:
                out.append(
                    TimelineItem(
                        kind="note", at=at, by=self.who(note.created_by_actor), text=text, id=note.note_id
                    )
                )
        return out

    async def tasks(self) -> list[TimelineItem]:
        pending = self.d.client.list_tasks(linked_object=self.obj, linked_record_id=self.rid)
        rows = await scoped(self.d, pending, ("task:read",))
        out = []
        for task in rows:
            state = (
                " (done)"
                if task.is_completed
                else (f" (due {task.deadline_at[:10]})" if task.deadline_at else "")
            )
            at = _at(task.created_at)
            if task.task_id and at:
                text = one_line(task.content_plaintext, PREVIEW - len(state)) + state
                out.append(
                    TimelineItem(
                        kind="task", at=at, by=self.who(task.created_by_actor), text=text, id=task.task_id
                    )
                )
        return out

    async def comments(self) -> list[TimelineItem]:
        client = self.d.client

        def on(**where: str) -> Callable[[int, int], Awaitable[list[Any]]]:
            async def fetch(size: int, at: int) -> list[Any]:
                return await scoped(
                    self.d, client.list_threads(**where, limit=size, offset=at), COMMENT_SCOPES
                )

            return fetch

        threads = await self.pages(on(object=self.obj, record_id=self.rid), 50)
        try:
            entries = await scoped(
                self.d, client.list_record_entries(self.obj, self.rid), ("list_entry:read",)
            )
        except WorkspaceError as exc:
            if exc.code != "AUTH_ERROR":
                raise
            entries = []
            self.skipped.append("comments on list entries: " + exc.message)
        for entry in entries:
            if entry.list_id and entry.entry_id:
                threads += await self.pages(on(list=entry.list_id, entry_id=entry.entry_id), 50)
        out = []
        for thread in threads:
            for comment in thread.comments:
                at = _at(comment.created_at)
                if comment.comment_id and at:
                    resolved = " (resolved)" if comment.resolved_at else ""
                    out.append(
                        TimelineItem(
                            kind="comment",
                            at=at,
                            by=self.who(comment.author),
                            text=one_line(comment.content_plaintext, PREVIEW - len(resolved)) + resolved,
                            id=comment.comment_id,
                            thread_id=comment.thread_id,
                        )
                    )
        return out

    async def meetings(self) -> list[TimelineItem]:
        client = self.d.client
        found = []
        cursor: str | None = None
        ends_from = self.since.isoformat() if self.since else None
        for _ in range(_PAGES):
            page = await scoped(
                self.d,
                client.list_meetings(
                    linked_object=self.obj,
                    linked_record_id=self.rid,
                    ends_from=ends_from,
                    sort="start_desc",
                    limit=200,
                    cursor=cursor,
                ),
                MEETING_SCOPES,
            )
            found += page.items
            cursor = page.next_cursor
            if cursor is None:
                break
        out = []
        started = []
        for meeting in found:
            start, _ = meeting_times(meeting)
            if not meeting.meeting_id or start is None:
                continue
            organizer = next(
                (p.get("email_address") for p in meeting.participants if p.get("is_organizer")), None
            )
            upcoming = " (upcoming)" if start > self.now else ""
            if "meeting" in self.kinds:
                text = one_line(meeting.title, PREVIEW - len(upcoming)) + upcoming
                out.append(
                    TimelineItem(
                        kind="meeting", at=utc_text(start), by=organizer, text=text, id=meeting.meeting_id
                    )
                )
            if not upcoming:
                started.append(meeting)
        if "recording" in self.kinds and started:
            try:
                out += await self.recordings(started)
            except WorkspaceError as exc:
                if exc.code != "AUTH_ERROR":
                    raise
                self.skipped.append("recording: " + exc.message)
        return out

    async def recordings(self, meetings: Sequence[Any]) -> list[TimelineItem]:
        async def one(meeting: Any) -> list[TimelineItem]:
            page = await scoped(self.d, self.d.client.list_call_recordings(meeting.meeting_id), CALL_SCOPES)
            items = []
            for rec in page.items:
                at = _at(rec.created_at)
                if rec.call_recording_id and at:
                    text = one_line(f"Call recording: {meeting.title}")
                    items.append(
                        TimelineItem(
                            kind="recording",
                            at=at,
                            by=self.who(rec.created_by_actor),
                            text=text,
                            id=rec.call_recording_id,
                            meeting_id=meeting.meeting_id,
                        )
                    )
            return items

        results = await _gather([functools.partial(one, m) for m in meetings])
        return [item for items in results for item in items]

    async def changes(self) -> list[TimelineItem]:
        jobs: list[Callable[[], Awaitable[list[TimelineItem]]]] = [
            functools.partial(self.history, self.schema, self.record, a, own=True)
            for a in _tracked(self.schema, status_only=False)
        ]
        for other, attr in await self._pointers():
            rows = await self.d.call(
                self.d.client.query_records(
                    other.slug,
                    filter={attr.slug: {"target_object": self.obj, "target_record_id": self.rid}},
                    limit=RELATED_LIMIT,
                )
            )
            for row in rows:
                for status in _tracked(other, status_only=True):
                    jobs.append(functools.partial(self.history, other, row, status, own=False))
        results = await _gather(jobs)
        return [item for items in results for item in items]

    async def _pointers(self) -> list[tuple[TargetSchema, AttrInfo]]:
        """(object, attribute) pairs whose record-reference points at this record's object, for objects
        with a status attribute."""
        out = []
        for obj in await self.d.schema.objects():
            if not obj.api_slug or obj.api_slug == self.obj:
                continue
            other = await self.d.object(obj.api_slug)
            if not _tracked(other, status_only=True):
                continue
            for attr in other.attributes.values():
                if attr.type == "record-reference" and not attr.archived and self.obj in attr.allowed_objects:
                    out.append((other, attr))
        return out

    async def history(
        self, schema: TargetSchema, record: Record, attr: AttrInfo, *, own: bool
    ) -> list[TimelineItem]:
        rid = record.record_id or ""
        values = await self.d.call(
            self.d.client.list_record_values(schema.slug, rid, attr.slug, show_historic=True)
        )
        values = sorted(values, key=lambda v: str(v.get("active_from") or ""))
        created = instant(record.created_at)
        name = None if own else (label(record, schema) or rid)
        out = []
        previous: str | None = None
        for n, value in enumerate(values):
            title = _title(value)
            moment = instant(value.get("active_from"))
            if moment is None or title is None:
                continue
            initial = n == 0 and created is not None and moment - created < timedelta(minutes=1)
            if not initial or attr.type == "status":
                change = f"{previous} → {title}" if previous else title
                text = one_line(f"{name}: {attr.slug}: {change}" if name else f"{attr.slug}: {change}")
                out.append(
                    TimelineItem(
                        kind="change",
                        at=utc_text(moment),
                        by=self.who(value.get("created_by_actor")),
                        text=text,
                        id=rid,
                        object=None if own else schema.slug,
                    )
                )
            previous = title
        return out


def _title(value: Mapping[str, Any]) -> str | None:
    inner = value.get("status") or value.get("option")
    title = inner.get("title") if isinstance(inner, Mapping) else None
    return str(title) if title else None


def _tracked(schema: TargetSchema, *, status_only: bool) -> list[AttrInfo]:
    """Attributes whose history the timeline shows: statuses, and single selects unless ``status_only``."""
    return [
        a
        for a in schema.attributes.values()
        if not a.archived and not a.multi and (a.type == "status" or (a.type == "select" and not status_only))
    ]


async def _gather(jobs: Sequence[Callable[[], Awaitable[Any]]]) -> list[Any]:
    """Run ``jobs`` with bounded concurrency, keeping order; the first failure is re-raised as it is."""
    results: list[Any] = [None] * len(jobs)
    failures: list[BaseException] = []
    limiter = anyio.CapacityLimiter(_CONCURRENCY)

    async def run(index: int, job: Callable[[], Awaitable[Any]]) -> None:
        try:
            async with limiter:
                results[index] = await job()
        except Exception as exc:  # re-raised below, without an ExceptionGroup wrapper
            failures.append(exc)

    async with anyio.create_task_group() as tg:
        for index, job in enumerate(jobs):
            tg.start_soon(run, index, job)
    if failures:
        raise failures[0]
    return results


async def record_timeline(
    d: Workspace,
    resource_type: str,
    record_id: str,
    *,
    kinds: Iterable[str] = KINDS,
    since: datetime | None = None,
    limit: int = 20,
    cursor: str | None = None,
) -> Timeline:
    """The record's timeline page: newest first, from ``cursor`` (None: the newest), ``since`` onwards."""
    after = _decode(cursor) if cursor else None
    schema = await d.object(resource_type)
    record = await d.call(
        d.client.get_record(schema.slug, record_id),
        subject=Subject(f"{schema.slug} record {record_id}", "record_id", "records_search finds record ids."),
    )
    feed = _Feed(d, schema, record, set(kinds), since)
    try:
        feed.members = await d.call(d.members())
    except WorkspaceError as exc:
        if exc.code != "AUTH_ERROR":
            raise
    sources: dict[str, Callable[[], Awaitable[list[TimelineItem]]]] = {
        "note": feed.notes,
        "task": feed.tasks,
        "comment": feed.comments,
        "meeting": feed.meetings,
        "change": feed.changes,
    }
    wanted = [
        (name, fn)
        for name, fn in sources.items()
        if name in feed.kinds or (name == "meeting" and "recording" in feed.kinds)
    ]

    async def guarded(name: str, fn: Callable[[], Awaitable[list[TimelineItem]]]) -> list[TimelineItem]:
        try:
            return await fn()
        except WorkspaceError as exc:
            if exc.code != "AUTH_ERROR":
                raise
            feed.skipped.append(f"{name}: {exc.message}")
            return []

    results = await _gather([functools.partial(guarded, n, f) for n, f in wanted])
    seen: dict[tuple[str, str, str, str], TimelineItem] = {}
    floor = utc_text(since) if since else None
    for item in (i for items in results for i in items):
        if item.kind in feed.kinds and (floor is None or item.at >= floor):
            seen.setdefault(item.key() if item.kind == "change" else (item.kind, item.id, "", ""), item)
    ordered = sorted(seen.values(), key=lambda i: i.key(), reverse=True)
    if after is not None:
        ordered = [i for i in ordered if i.key() < after]
    page, more = ordered[:limit], len(ordered) > limit
    return Timeline(
        items=page,
        has_more=more,
        next_cursor=_encode(page[-1].key()) if more and page else None,
        skipped=sorted(feed.skipped) or None,
    )
