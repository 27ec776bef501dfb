"""What the index holds and when it is refreshed: a bounded crawl of Attio, applied as versioned upserts.

One sync reads, with the key the server runs with (so only what that key can read is indexed):

- notes: ``GET /v2/notes`` in pages of 50, at most ``MAX_NOTES``;
- tasks: ``GET /v2/tasks`` newest first in pages of 500, at most ``MAX_TASKS``;
- call transcripts: ``GET /v2/meetings`` (newest first, at most ``MAX_MEETINGS`` that have started), the
  call recordings of each meeting not checked yet or that ended within ``RECHECK_DAYS`` of its last check,
  and the transcript pages of each completed recording not indexed yet (a transcript does not change once
  complete; a known one is re-contextualised from the index, not re-read);
- comments: Attio lists threads per record or per list entry only (``GET /v2/threads?object=&record_id=``,
  ``?list=&entry_id=``); there is no workspace-wide listing. So a sync lists the threads of at most
  ``MAX_THREAD_TARGETS`` records (the records the notes, tasks and meetings above belong to first, then the
  first records of companies, deals and people) and of at most ``MAX_ENTRY_TARGETS`` list entries (the
  first entries of each list, in list order). Comments elsewhere are found only once written through this
  server (write-through) or once their record or entry is among those crawled.

Comment threads cost a request per record or entry, and re-listing every meeting's recordings one per
meeting, so only a *full* sync (the first, ``index build``, then one every ``FULL_SYNC_SECONDS``) does them;
the refreshes in between re-read notes, tasks and meetings and the recordings of meetings that ended within
``RECHECK_DAYS`` of their last check, and keep the comments and transcripts they did not re-read.

A kind the key may not read (403) is skipped and recorded in the index state (``skipped``); it never fails
the search. Items are upserted by version (a hash of what is indexed: unchanged ones are not re-embedded);
what a complete listing no longer returns is deleted (a capped or failed listing deletes nothing).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Protocol, TypeVar

import anyio

from attio_mcp.attio import CallRecording, Comment, Meeting, Note, Task, Thread
from attio_mcp.workspace.activity import instant, meeting_times, utc_text
from attio_mcp.workspace.context import Workspace
from attio_mcp.workspace.errors import WorkspaceError
from attio_mcp.workspace.scan import run_all
from attio_mcp.workspace.search.collect import (
    Known,
    comment_doc,
    load_records,
    note_doc,
    task_doc,
    task_record,
    transcript_doc,
    transcript_turns,
)
from attio_mcp.workspace.search.model import Doc, DocKind, Hit, IndexStatus, Turn

__all__ = [
    "MAX_THREAD_TARGETS",
    "Change",
    "Index",
    "Progress",
    "SyncReport",
    "apply_changes",
    "sync_index",
]

logger = logging.getLogger("attio_mcp.search")

MAX_NOTES = 5000
MAX_TASKS = 5000
MAX_MEETINGS = 2000
MAX_THREAD_TARGETS = 250
MAX_ENTRY_TARGETS = 250
RECHECK_DAYS = 3
FULL_SYNC_SECONDS = 6 * 3600
CRAWL_OBJECTS = ("companies", "deals", "people")
_CONCURRENCY = 4
T = TypeVar("T")

Progress = Callable[[float, float | None, str], Awaitable[None]]


class Index(Protocol):
    """The part of ``SearchIndex`` a sync uses."""

    def upsert(self, docs: Sequence[Doc], *, progress: Callable[[int, int], None] | None = None) -> Any: ...
    def delete(self, ids: Iterable[str]) -> int: ...
    def versions(self, kind: str | None = None) -> dict[str, str]: ...
    def get(self, id: str) -> Doc | None: ...
    def get_state(self, key: str) -> str | None: ...
    def set_state(self, key: str, value: str) -> None: ...
    def status(self) -> IndexStatus: ...
    def search(
        self,
        query: str,
        *,
        kinds: Collection[DocKind] | None = None,
        record: tuple[str, str] | None = None,
        since: str | None = None,
        limit: int = 10,
    ) -> list[Hit]: ...


@dataclass
class SyncReport:
    """What one sync did: items seen per kind, what the index changed, kinds skipped and listings capped."""

    seen: dict[str, int] = field(default_factory=dict)
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    chunks_embedded: int = 0
    skipped: dict[str, str] = field(default_factory=dict)
    capped: list[str] = field(default_factory=list)
    seconds: float = 0.0


@dataclass(frozen=True)
class Change:
    """A write made through this server: ``doc_id`` to re-read from Attio (or drop, when ``deleted``)."""

    doc_id: str
    deleted: bool = False


async def _pages(
    fetch: Callable[[int, int], Awaitable[list[T]]], size: int, cap: int
) -> tuple[list[T], bool]:
    """Offset pages until a short page, reading one item past ``cap`` to know; (items, capped)."""
    out: list[T] = []
    while True:
        want = min(size, cap + 1 - len(out))
        page = await fetch(want, len(out))
        out.extend(page)
        if len(out) > cap:
            return out[:cap], True
        if len(page) < want:
            return out, False


class _Crawl:
    def __init__(self, d: Workspace, index: Index, report: SyncReport, now: datetime) -> None:
        self.d, self.index, self.report, self.now = d, index, report, now
        self.notes: list[Note] = []
        self.tasks: list[Task] = []
        self.meetings: list[Meeting] = []
        self.recordings: list[tuple[Meeting, CallRecording]] = []
        self.threads: list[Thread] = []
        self.thread_targets: list[tuple[str, str]] = []
        self.entry_targets: list[tuple[str, str]] = []
        self.complete: set[str] = set()  # kinds whose listing was complete (so deletions are safe)
        self.checked: dict[str, str] = _json(index.get_state("calls_checked"))
        self.full = True
        self.relisted: set[str] = set()  # meetings whose recordings were listed in full

    async def guarded(self, kind: str, fn: Callable[[], Awaitable[None]]) -> None:
        try:
            await fn()
        except WorkspaceError as exc:
            self.report.skipped[kind] = f"{exc.code}: {exc.message}"
            logger.info("search sync skipped %s: %s %s", kind, exc.code, exc.message)
        else:
            self.complete.add(kind)

    async def list_notes(self) -> None:
        d = self.d

        async def fetch(size: int, at: int) -> list[Note]:
            return await d.call(d.client.list_notes(limit=size, offset=at))

        self.notes, capped = await _pages(fetch, 50, MAX_NOTES)
        if capped:
            self.report.capped.append("note")

    async def list_tasks(self) -> None:
        d = self.d

        async def fetch(size: int, at: int) -> list[Task]:
            return await d.call(d.client.list_tasks(sort="created_at:desc", limit=size, offset=at))

        self.tasks, capped = await _pages(fetch, 500, MAX_TASKS)
        if capped:
            self.report.capped.append("task")

    async def list_meetings(self) -> None:
        d = self.d
        cursor: str | None = None
        while len(self.meetings) < MAX_MEETINGS:
            page = await d.call(d.client.list_meetings(sort="start_desc", limit=200, cursor=cursor))
            for meeting in page.items:
                start, _ = meeting_times(meeting)
                if meeting.meeting_id and start is not None and start <= self.now:
                    self.meetings.append(meeting)
            cursor = page.next_cursor
            if cursor is None:
                break
        else:
            self.report.capped.append("transcript")
        due = [m for m in self.meetings if self.full or self._recheck(m)]

        async def recordings(meeting: Meeting) -> None:
            mid = meeting.meeting_id or ""
            rec_cursor: str | None = None
            while True:
                page = await d.call(d.client.list_call_recordings(mid, cursor=rec_cursor))
                self.recordings.extend((meeting, r) for r in page.items)
                rec_cursor = page.next_cursor
                if rec_cursor is None:
                    break
            self.relisted.add(mid)
            if all(r.status != "processing" for m, r in self.recordings if m is meeting):
                self.checked[mid] = utc_text(self.now)

        await run_all([partial(recordings, m) for m in due], concurrency=_CONCURRENCY)

    def _recheck(self, meeting: Meeting) -> bool:
        """Whether a meeting's recordings are listed again: never checked, or its end was within
        ``RECHECK_DAYS`` of the last check (a recording may still have been on its way)."""
        checked = instant(self.checked.get(meeting.meeting_id or ""))
        if checked is None:
            return True
        _, end = meeting_times(meeting)
        return end is None or checked - end < timedelta(days=RECHECK_DAYS)

    async def list_threads(self) -> None:
        d = self.d
        targets: dict[tuple[str, str], None] = {}
        for target in self._activity_targets(await d.object_slugs()):
            if len(targets) >= MAX_THREAD_TARGETS:
                break
            targets[target] = None
        for slug in CRAWL_OBJECTS:
            room = MAX_THREAD_TARGETS - len(targets)
            if room <= 0:
                self.report.capped.append("comment")
                break
            try:
                schema = await d.object(slug)
            except WorkspaceError:
                continue
            records = await d.call(d.client.query_records(schema.slug, limit=room + 1))
            if len(records) > room:
                self.report.capped.append("comment")
            for record in records[:room]:
                if record.record_id:
                    targets[(schema.slug, record.record_id)] = None
        self.thread_targets = list(targets)
        try:
            self.entry_targets = await self._entries()
        except WorkspaceError as exc:  # a key without list scopes: record threads only
            self.report.skipped["comment (list entries)"] = f"{exc.code}: {exc.message}"

        async def threads(target: tuple[str, str, str]) -> None:
            offset = 0
            where, parent, ident = target
            while True:
                if where == "record":
                    pending = d.client.list_threads(object=parent, record_id=ident, limit=50, offset=offset)
                else:
                    pending = d.client.list_threads(list=parent, entry_id=ident, limit=50, offset=offset)
                page = await d.call(pending)
                self.threads.extend(page)
                if len(page) < 50:
                    break
                offset += 50

        jobs = [("record", o, r) for o, r in self.thread_targets] + [
            ("entry", li, e) for li, e in self.entry_targets
        ]
        await run_all([partial(threads, t) for t in jobs], concurrency=_CONCURRENCY)

    async def _entries(self) -> list[tuple[str, str]]:
        """(list slug, entry id) of the first entries of each list, ``MAX_ENTRY_TARGETS`` in all."""
        d = self.d
        out: list[tuple[str, str]] = []
        for lst in await d.call(d.client.list_lists()):
            room = MAX_ENTRY_TARGETS - len(out)
            slug = lst.api_slug or lst.list_id
            if room <= 0 or not slug:
                if room <= 0:
                    self.report.capped.append("comment")
                break
            entries = await d.call(d.client.query_entries(slug, limit=room))
            out += [(slug, e.entry_id) for e in entries if e.entry_id]
        return out

    def _activity_targets(self, slugs: dict[str, str]) -> Iterable[tuple[str, str]]:
        """The records the listed notes, tasks and meetings belong to, in that order."""
        for note in self.notes:
            if note.parent_object and note.parent_record_id:
                yield slugs.get(note.parent_object, note.parent_object), note.parent_record_id
        for task in self.tasks:
            target = task_record(task)
            if target is not None:
                yield slugs.get(target[0], target[0]), target[1]
        for meeting in self.meetings:
            for link in meeting.linked_records:
                if link.get("object_slug") and link.get("record_id"):
                    yield str(link["object_slug"]), str(link["record_id"])


def _json(raw: str | None) -> dict[str, str]:
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


async def _say(progress: Progress | None, done: float, total: float | None, message: str) -> None:
    if progress is not None:
        await progress(done, total, message)


async def sync_index(
    d: Workspace,
    index: Index,
    *,
    workspace_slug: str | None = None,
    progress: Progress | None = None,
    full: bool | None = None,
) -> SyncReport:
    """Read the workspace (see the module doc) and bring ``index`` up to date with it. The embedding work
    runs in a worker thread, so the server keeps answering (and reporting progress) meanwhile.

    ``full`` (default: when the last full sync is older than ``FULL_SYNC_SECONDS``, or there was none) also
    crawls comment threads and re-lists every meeting's recordings; a lighter sync in between re-reads
    notes, tasks and meetings, and the recordings of recent meetings only.
    """
    started = time.monotonic()
    report = SyncReport()
    crawl = _Crawl(d, index, report, d.now())
    last_full = instant(index.get_state("last_full_sync"))
    crawl.full = (
        full
        if full is not None
        else (last_full is None or (crawl.now - last_full).total_seconds() >= FULL_SYNC_SECONDS)
    )
    await _say(progress, 0, 5, "reading notes, tasks and meetings")
    await crawl.guarded("note", crawl.list_notes)
    await crawl.guarded("task", crawl.list_tasks)
    await crawl.guarded("transcript", crawl.list_meetings)
    await _say(progress, 1, 5, "reading comment threads")
    known = await Known.of(d, workspace_slug)
    if crawl.full:
        await crawl.guarded("comment", crawl.list_threads)
    await _say(progress, 2, 5, "reading call transcripts")
    refs: list[tuple[str, str]] = []
    refs += [(n.parent_object or "", n.parent_record_id or "") for n in crawl.notes]
    refs += [
        (str(link.get("target_object_id") or ""), str(link.get("target_record_id") or ""))
        for t in crawl.tasks
        for link in t.linked_records
    ]
    refs += [
        (str(link.get("object_slug") or ""), str(link.get("record_id") or ""))
        for m in crawl.meetings
        for link in m.linked_records
    ]
    refs += [
        (str((c.record or {}).get("object_id") or ""), str((c.record or {}).get("record_id") or ""))
        for th in crawl.threads
        for c in th.comments
    ]
    await load_records(d, known, refs)
    docs: list[Doc] = [note_doc(n, known) for n in crawl.notes if n.note_id]
    docs += [task_doc(t, known) for t in crawl.tasks if t.task_id]
    docs += [comment_doc(c, th, known) for th in crawl.threads for c in th.comments if c.comment_id]
    docs += await _transcripts(d, index, crawl, known, report)
    for doc in docs:
        report.seen[doc.kind] = report.seen.get(doc.kind, 0) + 1
    await _say(progress, 3, 5, f"indexing {len(docs)} items")
    stats = await _upsert(index, docs, progress)
    report.added += int(getattr(stats, "added", 0))
    report.updated += int(getattr(stats, "updated", 0))
    report.unchanged += int(getattr(stats, "unchanged", 0))
    report.chunks_embedded += int(getattr(stats, "chunks_embedded", 0))
    await _say(progress, 4, 5, "removing what is gone")
    report.deleted += index.delete(_gone(index, crawl, docs))
    index.set_state("calls_checked", json.dumps(crawl.checked, sort_keys=True))
    index.set_state("skipped", json.dumps(report.skipped, sort_keys=True))
    index.set_state("last_sync", utc_text(d.now()))
    if crawl.full:
        index.set_state("last_full_sync", utc_text(crawl.now))
    if workspace_slug:
        index.set_state("workspace_slug", workspace_slug)
    report.seconds = round(time.monotonic() - started, 3)
    await _say(progress, 5, 5, "index up to date")
    return report


async def _report(progress: Progress, done: float, message: str) -> None:
    await progress(done, 5, message)


async def _upsert(index: Index, docs: Sequence[Doc], progress: Progress | None) -> Any:
    """``index.upsert`` in a worker thread; its per-batch embedding progress goes to ``progress``."""

    def embedded(done: int, total: int) -> None:
        if progress is not None:
            anyio.from_thread.run(
                _report, progress, 3 + done / max(total, 1), f"embedded {done} of {total} chunks"
            )

    return await anyio.to_thread.run_sync(lambda: index.upsert(docs, progress=embedded))


async def _transcripts(
    d: Workspace, index: Index, crawl: _Crawl, known: Known, report: SyncReport
) -> list[Doc]:
    """A doc per completed recording: turns from the index when already there, else from Attio."""
    out: list[Doc] = []
    failed = False

    async def one(pair: tuple[Meeting, CallRecording]) -> None:
        nonlocal failed
        meeting, recording = pair
        doc_id = f"transcript:{meeting.meeting_id}:{recording.call_recording_id}"
        stored = index.get(doc_id)
        turns: Sequence[Turn]
        if stored is not None and stored.turns:
            turns, url = stored.turns, stored.url
        else:
            try:
                turns, url = await transcript_turns(
                    d, meeting.meeting_id or "", recording.call_recording_id or ""
                )
            except WorkspaceError as exc:
                report.skipped.setdefault("transcript", f"{exc.code}: {exc.message}")
                failed = True
                return
        out.append(transcript_doc(meeting, recording, turns, url, known))

    completed = [(m, r) for m, r in crawl.recordings if r.status == "completed" and r.call_recording_id]
    await run_all([partial(one, pair) for pair in completed], concurrency=_CONCURRENCY)
    if failed:
        crawl.complete.discard("transcript")
    return out


def _gone(index: Index, crawl: _Crawl, docs: Sequence[Doc]) -> list[str]:
    """Ids the index holds that complete listings no longer return."""
    seen = {doc.id for doc in docs}
    gone: list[str] = []
    kinds: dict[DocKind, bool] = {
        "note": "note" in crawl.complete and "note" not in crawl.report.capped,
        "task": "task" in crawl.complete and "task" not in crawl.report.capped,
    }
    for kind, complete in kinds.items():
        if complete:
            gone += [i for i in index.versions(kind) if i not in seen]
    if "transcript" in crawl.complete:
        listed = {m.meeting_id for m in crawl.meetings}
        listed_recordings = {r.call_recording_id for _, r in crawl.recordings}
        for doc_id in index.versions("transcript"):
            _, meeting_id, recording_id = (doc_id.split(":") + ["", ""])[:3]
            if doc_id in seen:
                continue
            # a meeting no longer listed, or one whose recordings were listed without this one
            if meeting_id not in listed and "transcript" not in crawl.report.capped:
                gone.append(doc_id)
            elif meeting_id in crawl.relisted and recording_id not in listed_recordings:
                gone.append(doc_id)
    if "comment" in crawl.complete:
        records = set(crawl.thread_targets)
        entries = {entry for _, entry in crawl.entry_targets}
        for doc_id in index.versions("comment"):
            stored = index.get(doc_id) if doc_id not in seen else None
            if stored is None:
                continue
            entry = stored.metadata.get("entry_id")
            if entry is not None:
                if entry in entries:
                    gone.append(doc_id)
            elif stored.record is not None and (stored.record.object, stored.record.record_id) in records:
                gone.append(doc_id)
    return gone


async def apply_changes(
    d: Workspace, index: Index, changes: Sequence[Change], *, workspace_slug: str | None
) -> int:
    """Bring the writes made through this server into the index: re-read each item from Attio (a write's
    result), or drop it. Returns how many items changed."""
    if not changes:
        return 0
    known = await Known.of(d, workspace_slug)
    fresh: list[Doc] = []
    drop: list[str] = []
    for change in dict.fromkeys(changes):
        kind, _, ident = change.doc_id.partition(":")
        if change.deleted:
            drop.append(change.doc_id)
            if kind == "comment":
                drop += await _dead_thread(d, index, change.doc_id)
            continue
        try:
            doc = await _read_one(d, known, kind, ident)
        except WorkspaceError as exc:
            if exc.code != "NOT_FOUND":
                logger.info("search write-through of %s failed: %s", change.doc_id, exc.code)
                continue
            doc = None
        if doc is None:
            drop.append(change.doc_id)
        else:
            fresh.append(doc)
    if fresh:
        await _upsert(index, fresh, None)
    return len(fresh) + (index.delete(drop) if drop else 0)


async def _read_one(d: Workspace, known: Known, kind: str, ident: str) -> Doc | None:
    if kind == "note":
        note = await d.call(d.client.get_note(ident), subject=f"note {ident}")
        await load_records(d, known, [(note.parent_object or "", note.parent_record_id or "")])
        return note_doc(note, known)
    if kind == "task":
        task = await d.call(d.client.get_task(ident), subject=f"task {ident}")
        await load_records(
            d,
            known,
            [
                (str(x.get("target_object_id") or ""), str(x.get("target_record_id") or ""))
                for x in task.linked_records
            ],
        )
        return task_doc(task, known)
    if kind == "comment":
        comment: Comment = await d.call(d.client.get_comment(ident), subject=f"comment {ident}")
        thread = None
        if comment.thread_id:
            thread = await d.call(
                d.client.get_thread(comment.thread_id), subject=f"thread {comment.thread_id}"
            )
        target = comment.record or {}
        await load_records(
            d, known, [(str(target.get("object_id") or ""), str(target.get("record_id") or ""))]
        )
        return comment_doc(comment, thread, known)
    return None


async def _dead_thread(d: Workspace, index: Index, doc_id: str) -> list[str]:
    """Deleting a thread's first comment deletes the thread: then its other comments go too."""
    stored = index.get(doc_id)
    thread_id = stored.metadata.get("thread_id") if stored is not None else None
    if not thread_id:
        return []
    try:
        await d.call(d.client.get_thread(str(thread_id)), subject=f"thread {thread_id}")
        return []
    except WorkspaceError as exc:
        if exc.code != "NOT_FOUND":
            return []
    out = []
    for other in index.versions("comment"):
        doc = index.get(other)
        if doc is not None and doc.metadata.get("thread_id") == thread_id:
            out.append(other)
    return out
