"""What the ``search`` and ``fetch`` tools call: one search box over records and the indexed text, and the
whole item behind a result, read live from Attio.

``SearchService`` lives on the ``Workspace`` (one per server, or per caller key). It opens the index lazily,
on the first search: one SQLite file per workspace *and* permission set, keyed by the workspace id and a
short hash of the token's client id, authorising member and scopes (``GET /v2/self``), so two keys that see
different things never share an index. It builds the index on first use (with progress), refreshes it when
the last sync is older than ``refresh_seconds``, and before every search applies the writes this server made
(``wrote``), so an item written through the tools is found (or gone) on the very next search.

Records come from Attio's own records search (every object, at most 25); text hits from the index. The two
lists are fused by reciprocal rank (k = 60).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
from pydantic import BaseModel

from attio_mcp.attio import Record
from attio_mcp.workspace.activity import instant, utc_text
from attio_mcp.workspace.context import Subject, Workspace
from attio_mcp.workspace.errors import WorkspaceError
from attio_mcp.workspace.interpret import Interpreted, show
from attio_mcp.workspace.labels import record_label
from attio_mcp.workspace.render import compact_timestamp, flatten_record
from attio_mcp.workspace.search import rank
from attio_mcp.workspace.search.collect import Known, load_records, transcript_turns
from attio_mcp.workspace.search.model import DOC_KINDS, DocKind, Hit
from attio_mcp.workspace.search.sync import Change, Index, Progress, SyncReport, apply_changes, sync_index
from attio_mcp.workspace.values import UUID_PATTERN, words_to_iso

__all__ = [
    "TYPE_NAMES",
    "FetchOut",
    "IndexOptions",
    "SearchItem",
    "SearchOut",
    "SearchService",
    "index_key",
    "parse_types",
    "wrote",
]

logger = logging.getLogger("attio_mcp.search")

TYPE_NAMES = ("records", "notes", "comments", "tasks", "transcripts")
_TYPE_WORDS: dict[str, str] = {
    **{t: t for t in TYPE_NAMES},
    **{t[:-1]: t for t in TYPE_NAMES},
    **dict.fromkeys(("call", "calls", "recording", "recordings", "meeting", "meetings"), "transcripts"),
    **dict.fromkeys(("record", "company", "companies", "people", "person", "deal", "deals"), "records"),
}
_RRF_K = 60
RECORDS_MAX = 25
FETCH_CHARS = 90_000  # under the tools' 100,000-character result cap, which would cut the text to 2,000
_ID_SHAPES = (
    "record:<object>:<record_id>, note:<note_id>, comment:<comment_id>, task:<task_id> or "
    "transcript:<meeting_id>:<call_recording_id>"
)
_ID = re.compile(
    rf"^(?:record:(?P<object>[A-Za-z0-9_-]{{1,100}}):(?P<record>{UUID_PATTERN})"
    rf"|(?P<kind>note|comment|task):(?P<item>{UUID_PATTERN})"
    rf"|transcript:(?P<meeting>{UUID_PATTERN}):(?P<recording>{UUID_PATTERN}))$"
)


# -- results ----------------------------------------------------------------------------------------------


class RecordOut(BaseModel):
    """The record a result is, or belongs to."""

    object: str
    id: str
    name: str | None = None


class SearchItem(BaseModel):
    """One result: ``id`` for fetch, ``url`` in Attio's app; transcripts say who spoke and when (``at``)."""

    id: str
    title: str
    url: str | None = None
    snippet: str | None = None
    kind: str
    record: RecordOut | None = None
    time: str | None = None
    speaker: str | None = None
    at: str | None = None


class SearchOut(BaseModel):
    """Results, best first; ``index`` says what the text index did or why it is not used."""

    results: list[SearchItem]
    index: str | None = None
    interpreted: list[str] | None = None


class FetchOut(BaseModel):
    """The whole item behind a search result."""

    id: str
    title: str
    text: str
    url: str | None = None
    metadata: dict[str, Any]


# -- options and the service ------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexOptions:
    """From the settings: whether the index is on, where its files live (None: the user cache dir), how old
    a sync may get before a search refreshes it, and ``in_memory`` (the in-memory sandbox: nothing on disk)."""

    enabled: bool = True
    index_dir: str | None = None
    refresh_seconds: float = 300.0
    in_memory: bool = False


IndexOpener = Callable[[str], Index]
"""Opens the index at a path (or ``":memory:"``); the default builds ``index.SearchIndex``."""


def _default_opener(path: str) -> Index:
    from attio_mcp.workspace.search.embed import default_embedder
    from attio_mcp.workspace.search.index import SearchIndex  # numpy and the model load only when used

    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    index: Index = SearchIndex(path, embedder=default_embedder)
    return index


def index_key(
    workspace_id: str | None, client_id: str | None, member_id: str | None, scopes: str | None
) -> str:
    """``<workspace id>-<12 hex>``: the hash of the token's client id, authorising member and scopes."""
    who = "|".join([client_id or "", member_id or "", " ".join(sorted((scopes or "").split()))])
    return f"{workspace_id or 'workspace'}-{hashlib.sha256(who.encode()).hexdigest()[:12]}"


class SearchService:
    """The index of one workspace and key, opened on first use; and the queue of this server's writes."""

    def __init__(self, options: IndexOptions | None = None, *, opener: IndexOpener | None = None) -> None:
        self.options = options or IndexOptions()
        self._opener = opener or _default_opener
        self._index: Index | None = None
        self._path: str | None = None
        self._slug: str | None = None
        self._pending: list[Change] = []
        self._lock: Any = None
        self.last_report: SyncReport | None = None

    @property
    def enabled(self) -> bool:
        return self.options.enabled

    @property
    def workspace_slug(self) -> str | None:
        """The workspace's slug (for app URLs), once ``path`` has read ``GET /v2/self``."""
        return self._slug

    def wrote(self, doc_id: str, *, deleted: bool = False) -> None:
        """An item written through this server: the next search re-reads it (or drops it) first."""
        if self.options.enabled:
            self._pending.append(Change(doc_id, deleted))

    async def path(self, d: Workspace) -> str:
        """Where this key's index lives (``":memory:"`` in memory); reads ``GET /v2/self`` once."""
        if self._path is None:
            info = await d.call(d.client.get_self())
            self._slug = info.workspace_slug
            if self.options.in_memory:
                self._path = ":memory:"
            else:
                from attio_mcp.workspace.search.paths import default_index_dir, index_file

                folder = Path(self.options.index_dir) if self.options.index_dir else default_index_dir()
                key = index_key(
                    info.workspace_id, info.client_id, info.authorized_by_workspace_member_id, info.scope
                )
                self._path = str(index_file(folder, key))
        return self._path

    async def index(self, d: Workspace) -> Index:
        if self._index is None:
            self._index = self._opener(await self.path(d))
        return self._index

    def _guard(self) -> Any:
        if self._lock is None:
            self._lock = anyio.Lock()
        return self._lock

    async def refresh(
        self, d: Workspace, *, progress: Progress | None = None, force: bool = False
    ) -> str | None:
        """Sync when never synced, when the last sync is older than ``refresh_seconds`` or with ``force``;
        then apply this server's pending writes. Returns what happened, for the search's ``index`` note."""
        async with self._guard():
            index = await self.index(d)
            last = instant(index.get_state("last_sync"))
            stale = last is None or (d.now() - last).total_seconds() >= self.options.refresh_seconds
            said = None
            if force or stale:
                pending, self._pending = self._pending, []
                report = await sync_index(
                    d, index, workspace_slug=self._slug, progress=progress, full=True if force else None
                )
                self.last_report = report
                await apply_changes(d, index, pending, workspace_slug=self._slug)
                verb = "built" if last is None else "refreshed"
                changed = report.added + report.updated
                said = f"{verb}: {sum(report.seen.values())} items ({changed} new or changed) in {report.seconds:.1f} s"
            if self._pending:
                pending, self._pending = self._pending, []
                await apply_changes(d, index, pending, workspace_slug=self._slug)
            for note in _skipped_notes(index.get_state("skipped")):
                said = (said + "; " if said else "") + note
            return said

    def close(self) -> None:
        index, self._index = self._index, None
        closer = getattr(index, "close", None)
        if callable(closer):
            closer()


def _skipped_notes(raw: str | None) -> list[str]:
    """What the last sync could not read: kinds the key may not read, and kinds Attio failed to list."""
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        return []
    if not isinstance(data, dict):
        return []
    denied = sorted(str(k) for k, v in data.items() if str(v).startswith("AUTH_ERROR"))
    failed = sorted(
        f"{k} ({str(v).split(':')[0]})" for k, v in data.items() if not str(v).startswith("AUTH_ERROR")
    )
    notes = [f"not indexed (the key cannot read them): {', '.join(denied)}"] if denied else []
    if failed:
        notes.append(f"not refreshed (Attio failed; the previous copy is searched): {', '.join(failed)}")
    return notes


def wrote(d: Workspace, doc_id: str, *, deleted: bool = False) -> None:
    """Tell the workspace's search (if any) about a write made through this server."""
    if d.search is not None:
        d.search.wrote(doc_id, deleted=deleted)


# -- search -----------------------------------------------------------------------------------------------


def parse_types(types: Sequence[str] | None, notes: Interpreted) -> tuple[bool, list[DocKind]]:
    """(include records, text kinds) for ``types``; singular forms and synonyms are read and noted."""
    if not types:
        return True, list(DOC_KINDS)
    chosen: list[str] = []
    for given in types:
        word = given.strip().lower()
        meant = _TYPE_WORDS.get(word)
        if meant is None:
            raise WorkspaceError(
                "VALIDATION_ERROR",
                f"{show(given)} is not a type of result",
                field="types",
                options=list(TYPE_NAMES),
                next_step="pass some of the valid types, or omit types to search everything.",
            )
        if word != meant:
            notes.add("types", given, meant)
        if meant not in chosen:
            chosen.append(meant)
    kinds: list[DocKind] = [k for k in DOC_KINDS if f"{k}s" in chosen]
    return "records" in chosen, kinds


def parse_since(since: str | None, d: Workspace, notes: Interpreted) -> str | None:
    """``since`` as a UTC timestamp: an ISO date or time, or a date in words (noted)."""
    if not since or not since.strip():
        return None
    text = since.strip()
    moment = instant(text)
    if moment is not None:
        return utc_text(moment)
    words = words_to_iso(text, date_only=False, now=d.now())
    if words is None:
        raise WorkspaceError(
            "VALIDATION_ERROR",
            f"{show(text)} is not an ISO date or a date in words",
            field="since",
            next_step="pass e.g. 2026-09-01, or 'yesterday', '3 days ago', 'next week'.",
        )
    notes.add("since", text, words)
    return words


def _snippet(text: str) -> str:
    """The index's snippet (already cut around the match, ``rank.SNIPPET_CHARS``) on one line."""
    return " ".join(text.split())


def _mmss(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    whole = int(seconds)
    return f"{whole // 60:02d}:{whole % 60:02d}"


def text_item(hit: Hit) -> SearchItem:
    ref = hit.record
    return SearchItem(
        id=hit.doc_id,
        title=hit.title,
        url=hit.url,
        snippet=_snippet(hit.snippet) or None,
        kind=hit.kind,
        record=RecordOut(object=ref.object, id=ref.record_id, name=ref.label) if ref else None,
        time=hit.time,
        speaker=hit.speaker,
        at=_mmss(hit.start_seconds) if hit.kind == "transcript" else None,
    )


def record_item(result: Any, record: Record | None) -> SearchItem:
    """A records-search result (``attio.SearchResult``) as a search item."""
    obj, rid = result.object_slug or "", result.record_id or ""
    extras = [*result.domains, *result.email_addresses]
    return SearchItem(
        id=f"record:{obj}:{rid}",
        title=result.record_text or rid,
        url=record.web_url if record is not None else None,
        snippet=", ".join(extras[:3]) or None,
        kind="record",
        record=RecordOut(object=obj, id=rid, name=result.record_text),
    )


def fuse(records: Sequence[SearchItem], texts: Sequence[SearchItem], limit: int) -> list[SearchItem]:
    """Reciprocal-rank fusion of the two ranked lists (the index's own ``rank.fuse``); a tie keeps records
    first."""
    by_id = {item.id: item for item in (*texts, *records)}
    ranked = rank.fuse([[r.id for r in records], [t.id for t in texts]], k=_RRF_K)
    return [by_id[item_id] for item_id, _ in ranked[:limit]]


async def search_records(d: Workspace, query: str, objects: Sequence[str], limit: int) -> list[SearchItem]:
    """Attio's records search over ``objects`` (at most 25), each result with its record's app URL."""
    found = await d.call(d.client.search_records(query[:256], list(objects), limit=min(limit, RECORDS_MAX)))
    known = Known()
    await load_records(d, known, [(r.object_slug or "", r.record_id or "") for r in found])
    return [record_item(r, known.records.get((r.object_slug or "", r.record_id or ""))) for r in found]


async def run_search(
    d: Workspace,
    query: str,
    *,
    types: Sequence[str] | None = None,
    resource_type: str | None = None,
    record_id: str | None = None,
    since: str | None = None,
    limit: int = 10,
    progress: Progress | None = None,
) -> SearchOut:
    """The ``search`` tool: records (Attio's records search) and text hits (the index), fused."""
    from attio_mcp.workspace.lookup import record_id as named_record

    notes = Interpreted()
    with_records, kinds = parse_types(types, notes)
    floor = parse_since(since, d, notes)
    if record_id and not resource_type:
        raise WorkspaceError(
            "VALIDATION_ERROR",
            "record_id needs resource_type",
            field="resource_type",
            next_step="pass the record's object slug too, e.g. companies.",
        )
    scope: tuple[str, str] | None = None
    objects: list[str] = []
    if resource_type:
        schema = await d.object(resource_type, notes=notes)
        objects = [schema.slug]
        if record_id:
            rid = await named_record(d, [schema.slug], record_id, field="record_id", notes=notes)
            scope = (schema.slug, rid)
    else:
        objects = [o.api_slug for o in await d.schema.objects() if o.api_slug]
    service = d.search
    said: str | None = None
    texts: list[SearchItem] = []
    if kinds and (service is None or not service.enabled):
        said = "off: records only (the server runs with --no-index)"
    elif kinds and service is not None:
        try:
            said = await service.refresh(d, progress=progress)
            index = await service.index(d)
            # in a worker thread: the first dense query loads the model, and the loop keeps serving meanwhile
            hits = await anyio.to_thread.run_sync(
                lambda: index.search(query, kinds=kinds, record=scope, since=floor, limit=limit)
            )
            texts = [text_item(h) for h in hits]
        except WorkspaceError:
            raise
        except Exception as exc:  # noqa: BLE001 - the index is an aid: records search still answers
            logger.warning("search index unavailable: %s", exc, exc_info=True)
            said = f"unavailable ({type(exc).__name__}): records only"
    records: list[SearchItem] = []
    if with_records and scope is None and floor is None and objects:
        records = await search_records(d, query, objects, limit)
    elif with_records and floor is not None and scope is None:
        notes.say("since: records are not dated, so only notes, comments, tasks and transcripts are searched")
    return SearchOut(results=fuse(records, texts, limit), index=said, interpreted=notes.out())


# -- fetch ------------------------------------------------------------------------------------------------


def _bad_id(given: str) -> WorkspaceError:
    return WorkspaceError(
        "VALIDATION_ERROR",
        f"{show(given)} is not an id search returns",
        field="id",
        options=[_ID_SHAPES],
        next_step="pass an id from search results unchanged: " + _ID_SHAPES + ".",
    )


def _line(key: str, value: Any) -> str:
    if isinstance(value, list):
        value = ", ".join(str(_plain(v)) for v in value)
    return f"{key}: {_plain(value)}"


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {v}" for k, v in value.items() if v not in (None, "", []))
    return value


async def fetch_item(d: Workspace, item_id: str, *, max_chars: int = FETCH_CHARS) -> FetchOut:
    """The ``fetch`` tool: the whole item, read live from Attio; a text longer than ``max_chars`` (a very
    long call) is cut at a line and says so in ``metadata.truncated``."""
    out = await _fetch(d, item_id)
    if len(out.text) > max_chars:
        cut = out.text.rfind("\n", 0, max_chars)
        kept = out.text[: cut if cut > 0 else max_chars]
        where = (
            "call_transcript_get reads it page by page"
            if out.id.startswith("transcript:")
            else "open the url"
        )
        out.metadata["truncated"] = f"text cut at {len(kept):,} of {len(out.text):,} characters; {where}"
        out.text = kept
    return out


async def _fetch(d: Workspace, item_id: str) -> FetchOut:
    match = _ID.match(item_id.strip())
    if match is None:
        raise _bad_id(item_id)
    ident = item_id.strip()
    if match["object"]:
        return await _fetch_record(d, ident, match["object"], match["record"])
    if match["meeting"]:
        return await _fetch_transcript(d, ident, match["meeting"], match["recording"])
    kind, uid = match["kind"], match["item"]
    known = await Known.of(d, await _slug(d))
    if kind == "note":
        return await _fetch_note(d, ident, uid, known)
    if kind == "task":
        return await _fetch_task(d, ident, uid, known)
    return await _fetch_comment(d, ident, uid, known)


async def _slug(d: Workspace) -> str | None:
    service = d.search
    if service is not None and service.workspace_slug is not None:
        return service.workspace_slug
    info = await d.call(d.client.get_self())
    return info.workspace_slug


async def _fetch_record(d: Workspace, ident: str, obj: str, rid: str) -> FetchOut:
    schema = await d.object(obj, field="id")
    record = await d.call(
        d.client.get_record(schema.slug, rid), subject=Subject(f"{schema.slug} record {rid}", "id")
    )
    flat = flatten_record(record, schema.slug, schema)
    lines = [
        _line(k, v) for k, v in flat.items() if k not in ("id", "object", "web_url") and v not in (None, [])
    ]
    return FetchOut(
        id=ident,
        title=record_label(record, schema) or rid,
        text="\n".join(lines),
        url=record.web_url,
        metadata={"object": schema.slug, "record_id": rid, "created_at": flat.get("created_at")},
    )


def _record_meta(known: Known, obj: str | None, rid: str | None) -> dict[str, Any]:
    ref = known.ref(obj, rid)
    if ref is None:
        return {}
    return {"record": {"object": ref.object, "id": ref.record_id, "name": ref.label}}


async def _fetch_note(d: Workspace, ident: str, uid: str, known: Known) -> FetchOut:
    note = await d.call(d.client.get_note(uid), subject=Subject(f"note {uid}", "id"))
    await load_records(d, known, [(note.parent_object or "", note.parent_record_id or "")])
    ref = known.ref(note.parent_object, note.parent_record_id)
    return FetchOut(
        id=ident,
        title=note.title or "Note",
        text=note.content_plaintext or note.content_markdown or "",
        url=known.url(ref),
        metadata={
            **_record_meta(known, note.parent_object, note.parent_record_id),
            "created_at": compact_timestamp(note.created_at),
            "author": known.member(note.created_by_actor),
        },
    )


async def _fetch_task(d: Workspace, ident: str, uid: str, known: Known) -> FetchOut:
    task = await d.call(d.client.get_task(uid), subject=Subject(f"task {uid}", "id"))
    links = [
        (str(x.get("target_object_id") or ""), str(x.get("target_record_id") or ""))
        for x in task.linked_records
    ]
    await load_records(d, known, links)
    refs = [r for r in (known.ref(o, i) for o, i in links) if r is not None]
    assignees = [a for a in (known.member(x) for x in task.assignees) if a]
    text = task.content_plaintext or ""
    return FetchOut(
        id=ident,
        title=text.splitlines()[0][:80] if text else "Task",
        text=text,
        url=(known.url(refs[0]) if refs else None) or known.tasks_url(),
        metadata={
            "deadline_at": compact_timestamp(task.deadline_at),
            "is_completed": task.is_completed,
            "assignees": assignees,
            "records": [{"object": r.object, "id": r.record_id, "name": r.label} for r in refs],
            "created_at": compact_timestamp(task.created_at),
        },
    )


async def _fetch_comment(d: Workspace, ident: str, uid: str, known: Known) -> FetchOut:
    comment = await d.call(d.client.get_comment(uid), subject=Subject(f"comment {uid}", "id"))
    thread = None
    if comment.thread_id:
        thread = await d.call(d.client.get_thread(comment.thread_id), subject=Subject("thread", "id"))
    target = comment.record or {}
    await load_records(d, known, [(str(target.get("object_id") or ""), str(target.get("record_id") or ""))])
    ref = known.ref(target.get("object_id"), target.get("record_id"))
    lines = []
    for c in thread.comments if thread is not None else [comment]:
        mark = " (this comment)" if c.comment_id == comment.comment_id else ""
        lines.append(
            f"[{compact_timestamp(c.created_at) or ''}] {known.member(c.author) or 'someone'}{mark}: "
            f"{c.content_plaintext or ''}"
        )
    return FetchOut(
        id=ident,
        title=f"Comment on {ref.label or ref.object}" if ref else "Comment",
        text="\n".join(lines),
        url=known.url(ref),
        metadata={
            **_record_meta(known, target.get("object_id"), target.get("record_id")),
            "thread_id": comment.thread_id,
            "author": known.member(comment.author),
            "created_at": compact_timestamp(comment.created_at),
            "resolved": bool(comment.resolved_at),
        },
    )


async def _fetch_transcript(d: Workspace, ident: str, meeting_id: str, recording_id: str) -> FetchOut:
    meeting = await d.call(d.client.get_meeting(meeting_id), subject=Subject(f"meeting {meeting_id}", "id"))
    turns, url = await _turns(d, meeting_id, recording_id)
    text = "\n".join(f"[{_mmss(t.start_seconds)}] {t.speaker}: {t.text}" for t in turns)
    return FetchOut(
        id=ident,
        title=meeting.title or "Call transcript",
        text=text,
        url=url,
        metadata={
            "meeting_id": meeting_id,
            "call_recording_id": recording_id,
            "start": meeting.start.get("datetime") or meeting.start.get("date"),
            "participants": [p.get("email_address") for p in meeting.participants if p.get("email_address")],
            "speakers": list(dict.fromkeys(t.speaker for t in turns)),
        },
    )


async def _turns(d: Workspace, meeting_id: str, recording_id: str) -> tuple[list[Any], str | None]:
    try:
        return await transcript_turns(d, meeting_id, recording_id)
    except WorkspaceError as exc:
        if exc.code == "NOT_FOUND":
            raise WorkspaceError(
                "NOT_FOUND",
                f"call recording {recording_id} of meeting {meeting_id} not found",
                field="id",
                next_step="search finds transcript ids; call_recordings_list lists a meeting's recordings.",
            ) from None
        raise
