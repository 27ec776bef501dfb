"""Attio -> ``Doc``: read the workspace's notes, tasks, comments and call transcripts as searchable items.

Every builder here turns Attio's read form into one :class:`Doc` with a ``context`` that lets a query find it
by what surrounds it: the record it belongs to (with the object's noun), the author, the assignees, the
meeting's title and linked companies, and each transcript speaker's job title when Attio links the speaker to
a person record ("James Carter (CFO)"). The ``version`` is a hash of everything indexed, so an unchanged
item is never re-embedded. ``url`` is always an app URL (a record's ``web_url``, a recording's), never an
API URL.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from attio_mcp.attio import CallRecording, Comment, Meeting, Note, Record, Task, Thread, Transcript
from attio_mcp.workspace.activity import instant, meeting_times, record_names, utc_text
from attio_mcp.workspace.context import Workspace
from attio_mcp.workspace.errors import LookupFailure, WorkspaceError
from attio_mcp.workspace.labels import record_label
from attio_mcp.workspace.render import compact_timestamp
from attio_mcp.workspace.schema import TargetSchema
from attio_mcp.workspace.search.model import Doc, RecordRef, Turn
from attio_mcp.workspace.transcript import Position, read_transcript

__all__ = [
    "APP_URL",
    "Known",
    "comment_doc",
    "doc_version",
    "load_records",
    "note_doc",
    "task_doc",
    "task_record",
    "transcript_doc",
    "transcript_turns",
]

APP_URL = "https://app.attio.com"
_TITLE_CHARS = 80
_WHOLE = 10**9  # a transcript budget no call reaches: read every turn


def doc_version(*parts: object) -> str:
    """A short hash of what is indexed (title, text, context, time, record, url, turns)."""
    raw = json.dumps(parts, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def _finish(doc: Doc) -> Doc:
    version = doc_version(
        doc.title,
        doc.text,
        doc.context,
        doc.time,
        doc.record,
        doc.url,
        [list(t.__dict__.values()) for t in doc.turns],
    )
    return replace(doc, version=version)


@dataclass
class Known:
    """What the builders look up once per sync: record labels and app URLs, member names, object slugs and
    nouns, the workspace slug (for the tasks page URL) and people's job titles by name."""

    workspace_slug: str | None = None
    members: dict[str, str] = field(default_factory=dict)  # member id -> "Name <email>"
    member_names: set[str] = field(default_factory=set)  # lower-cased full names of members
    slugs: dict[str, str] = field(default_factory=dict)  # object id -> slug
    nouns: dict[str, str] = field(default_factory=dict)  # slug -> singular noun
    records: dict[tuple[str, str], Record] = field(default_factory=dict)
    schemas: dict[str, TargetSchema | None] = field(default_factory=dict)

    @classmethod
    async def of(cls, d: Workspace, workspace_slug: str | None) -> Known:
        known = cls(workspace_slug=workspace_slug)
        try:
            members = await d.call(d.members())
        except WorkspaceError:  # a key without user_management:read: authors stay ids
            members = []
        for m in members:
            name = m.full_name or ""
            if m.workspace_member_id:
                known.members[m.workspace_member_id] = " ".join(
                    p for p in (name, f"<{m.email_address}>" if m.email_address else "") if p
                )
            if name:
                known.member_names.add(name.lower())
        for obj in await d.schema.objects():
            if obj.object_id and obj.api_slug:
                known.slugs[obj.object_id] = obj.api_slug
                known.nouns[obj.api_slug] = obj.singular_noun or obj.api_slug
        return known

    def slug(self, object_ref: str | None) -> str | None:
        if not object_ref:
            return None
        return self.slugs.get(object_ref, object_ref)

    def ref(self, obj: str | None, record_id: str | None) -> RecordRef | None:
        obj = self.slug(obj)
        if not obj or not record_id:
            return None
        record = self.records.get((obj, record_id))
        label = record_label(record, self.schemas.get(obj)) if record is not None else None
        return RecordRef(obj, record_id, label)

    def url(self, ref: RecordRef | None) -> str | None:
        if ref is None:
            return None
        record = self.records.get((ref.object, ref.record_id))
        return record.web_url if record is not None and record.web_url else None

    def about(self, ref: RecordRef | None) -> str:
        """``"Acme Inc (Company)"``: the record's label and noun, for a context string; a person's job title and
        company where known (``"Liam Patel (Person, CTO at Northwind)"``)."""
        if ref is None:
            return ""
        noun = self.nouns.get(ref.object, ref.object)
        role = self.role(ref)
        if role:
            noun = f"{noun}, {role}"
        return f"{ref.label} ({noun})" if ref.label else noun

    def role(self, ref: RecordRef) -> str | None:
        """A person's ``job_title`` and the label of their ``company``, when the records are loaded."""
        record = self.records.get((ref.object, ref.record_id))
        if record is None or ref.object != "people":
            return None
        job = _text_value(record.values.get("job_title"))
        employer = next(iter(employer_refs(record)), None)
        company = self.ref(*employer) if employer is not None else None
        at = company.label if company is not None and company.label else None
        return " at ".join(p for p in (job, at) if p) or None

    def member(self, actor: Mapping[str, Any] | None) -> str | None:
        if not actor:
            return None
        ident = actor.get("id") or actor.get("referenced_actor_id")
        kind = actor.get("type") or actor.get("referenced_actor_type")
        if kind == "workspace-member" and isinstance(ident, str):
            return self.members.get(ident, ident)
        return None

    def tasks_url(self) -> str | None:
        return f"{APP_URL}/{self.workspace_slug}/tasks" if self.workspace_slug else None


async def load_records(
    d: Workspace, known: Known, refs: Iterable[tuple[str, str]], *, employers: bool = True
) -> None:
    """Fetch the records ``refs`` name that ``known`` lacks (one query per object and 100 ids), then (with
    ``employers``) the companies of the people among them; records of objects the key cannot read keep no
    label."""
    wanted: dict[str, list[str]] = {}
    for obj, rid in refs:
        slug = known.slug(obj)
        if slug and rid and (slug, rid) not in known.records and rid not in wanted.setdefault(slug, []):
            wanted[slug].append(rid)
    for slug, ids in wanted.items():
        if not ids:
            continue
        if slug not in known.schemas:
            try:
                known.schemas[slug] = await d.schema.object(slug)
            except LookupFailure:
                known.schemas[slug] = None
        if known.schemas[slug] is None:
            continue
        try:
            found = await record_names(d, [(slug, rid) for rid in ids])
        except WorkspaceError:  # labels are a nicety: the item is indexed without them
            continue
        known.records.update(((slug, rid), record) for rid, record in found.items())
    if not employers:
        return
    # People are described by their employer too: load the companies the loaded people work at (one round).
    companies = [
        ref
        for (slug, _), record in list(known.records.items())
        if slug == "people"
        for ref in employer_refs(record)
        if (known.slug(ref[0]), ref[1]) not in known.records
    ]
    if companies:
        await load_records(d, known, companies, employers=False)


def employer_refs(record: Record) -> list[tuple[str, str]]:
    """``(object, record_id)`` of a person's ``company`` reference values."""
    out: list[tuple[str, str]] = []
    for value in record.values.get("company") or []:
        if isinstance(value, Mapping) and value.get("target_record_id"):
            out.append((str(value.get("target_object") or "companies"), str(value["target_record_id"])))
    return out


def _text_value(values: Any) -> str | None:
    """The first value of a text attribute's value list, if any."""
    if isinstance(values, list) and values and isinstance(values[0], Mapping):
        text = values[0].get("value")
        return str(text) if text else None
    return None


def _when(stamp: str | None) -> str | None:
    """A timestamp as ``2026-09-07T15:00:00Z`` (UTC, seconds): the form ``since`` compares against."""
    moment = instant(stamp)
    return utc_text(moment) if moment is not None else None


def _first_line(text: str) -> str:
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return line if len(line) <= _TITLE_CHARS else line[: _TITLE_CHARS - 1].rstrip() + "…"


def _join(*parts: str | None) -> str:
    return ". ".join(p for p in parts if p)


def note_doc(note: Note, known: Known) -> Doc:
    """A note: its title and plaintext; context is its record and author."""
    ref = known.ref(note.parent_object, note.parent_record_id)
    author = known.member(note.created_by_actor)
    text = note.content_plaintext or note.content_markdown or ""
    return _finish(
        Doc(
            id=f"note:{note.note_id}",
            kind="note",
            title=note.title or _first_line(text) or "Note",
            text=text,
            version="",
            url=known.url(ref),
            time=_when(note.created_at),
            record=ref,
            context=_join(
                f"Note on {known.about(ref)}" if ref else "Note", f"by {author}" if author else None
            ),
            metadata={"meeting_id": note.meeting_id} if note.meeting_id else {},
        )
    )


def task_record(task: Task) -> tuple[str, str] | None:
    """(object id or slug, record id) of a task's first linked record."""
    for link in task.linked_records:
        obj = link.get("target_object_id") or link.get("target_object")
        rid = link.get("target_record_id")
        if obj and rid:
            return str(obj), str(rid)
    return None


def task_doc(task: Task, known: Known) -> Doc:
    """A task: its content; context is every linked record, the assignees, the deadline and whether done."""
    links = [
        known.ref(link.get("target_object_id") or link.get("target_object"), link.get("target_record_id"))
        for link in task.linked_records
    ]
    refs = [r for r in links if r is not None]
    ref = refs[0] if refs else None
    assignees = [a for a in (known.member(x) for x in task.assignees) if a]
    text = task.content_plaintext or ""
    context = _join(
        "Task" + (" for " + ", ".join(known.about(r) for r in refs) if refs else ""),
        "assigned to " + ", ".join(assignees) if assignees else None,
        f"due {compact_timestamp(task.deadline_at)}" if task.deadline_at else None,
        "completed" if task.is_completed else "open",
    )
    return _finish(
        Doc(
            id=f"task:{task.task_id}",
            kind="task",
            title=_first_line(text) or "Task",
            text=text,
            version="",
            url=known.url(ref) or known.tasks_url(),
            time=_when(task.created_at),
            record=ref,
            context=context,
            metadata={"is_completed": task.is_completed, "deadline_at": task.deadline_at},
        )
    )


def comment_doc(comment: Comment, thread: Thread | None, known: Known) -> Doc:
    """One comment; context is its record, its author and, for a reply, the comment that opened the thread."""
    target = comment.record or {}
    ref = known.ref(target.get("object_id") or target.get("object"), target.get("record_id"))
    author = known.member(comment.author)
    opener = thread.comments[0] if thread is not None and thread.comments else None
    replying = opener is not None and opener.comment_id != comment.comment_id
    text = comment.content_plaintext or ""
    return _finish(
        Doc(
            id=f"comment:{comment.comment_id}",
            kind="comment",
            title=f"Comment on {ref.label or known.about(ref)}" if ref else "Comment",
            text=text,
            version="",
            url=known.url(ref),
            time=_when(comment.created_at),
            record=ref,
            context=_join(
                f"Comment on {known.about(ref)}" if ref else "Comment",
                f"by {author}" if author else None,
                f"in reply to: {_first_line(opener.content_plaintext or '')}"
                if replying and opener
                else None,
            ),
            metadata={
                k: v
                for k, v in (
                    ("thread_id", comment.thread_id),
                    ("entry_id", (comment.entry or {}).get("entry_id")),
                )
                if v
            },
        )
    )


async def transcript_turns(d: Workspace, meeting_id: str, recording_id: str) -> tuple[list[Turn], str | None]:
    """Every speaker turn of a recording's transcript, and the transcript's web_url."""

    async def fetch(cursor: str | None) -> Transcript:
        return await d.call(d.client.get_transcript(meeting_id, recording_id, cursor=cursor))

    whole = await read_transcript(fetch, Position(), budget=_WHOLE)
    return [Turn(s, float(at), text) for s, at, text in whole.turns], whole.web_url


def _speakers(turns: Sequence[Turn], meeting: Meeting, known: Known) -> list[str]:
    """Each speaker once, with a role where one is known: a linked person's job title, or our team."""
    titles: dict[str, str] = {}
    for link in meeting.linked_records:
        record = known.records.get((str(link.get("object_slug")), str(link.get("record_id"))))
        if record is None or link.get("object_slug") != "people":
            continue
        name = record_label(record, known.schemas.get("people"))
        job = record.values.get("job_title") or []
        title = job[0].get("value") if job and isinstance(job[0], Mapping) else None
        if name:
            titles[name.lower()] = str(title) if title else "contact"
    out: list[str] = []
    for speaker in dict.fromkeys(t.speaker for t in turns):
        role = titles.get(speaker.lower()) or ("our team" if speaker.lower() in known.member_names else None)
        out.append(f"{speaker} ({role})" if role else speaker)
    return out


def transcript_doc(
    meeting: Meeting, recording: CallRecording, turns: Sequence[Turn], web_url: str | None, known: Known
) -> Doc:
    """A call transcript: turns as ``Speaker: text`` lines; context is the meeting's title, its linked
    records (companies, deals, people with job titles), the participants and the speakers with roles."""
    linked = [
        known.ref(str(link.get("object_slug")), str(link.get("record_id")))
        for link in meeting.linked_records
        if link.get("object_slug") and link.get("record_id")
    ]
    refs = [r for r in linked if r is not None]
    ref = (
        next((r for r in refs if r.object == "companies"), None)
        or next((r for r in refs if r.object != "people"), None)
        or (refs[0] if refs else None)
    )
    emails = [str(p.get("email_address")) for p in meeting.participants if p.get("email_address")]
    start, _ = meeting_times(meeting)
    context = _join(
        f"Call: {meeting.title}" if meeting.title else "Call",
        "with " + ", ".join(known.about(r) for r in refs) if refs else None,
        "speakers: " + ", ".join(_speakers(turns, meeting, known)) if turns else None,
        "participants: " + ", ".join(emails) if emails else None,
    )
    return _finish(
        Doc(
            id=f"transcript:{meeting.meeting_id}:{recording.call_recording_id}",
            kind="transcript",
            title=meeting.title or "Call transcript",
            text="\n".join(f"{t.speaker}: {t.text}" for t in turns),
            version="",
            url=web_url or recording.web_url,
            time=utc_text(start) if start else _when(recording.created_at),
            record=ref,
            context=context,
            turns=tuple(turns),
            metadata={"meeting_id": meeting.meeting_id, "recording_id": recording.call_recording_id},
        )
    )
