"""Activity around records: comment threads, meetings and call recordings, in compact read forms.

Attio's activity endpoints need their own scopes (``comment:*``, ``meeting:read``, ``call_recording:read``).
:func:`scoped` turns Attio's 403 into an ``AUTH_ERROR`` that names them, whatever Attio's message says.
Actors read as a member's email (``api-token``/``system``/``app`` otherwise); times drop Attio's padding.
Meeting participants that Attio links to person records get the person's id and name, and the other
linked records (companies, deals) their names, with one records query per object.
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from pydantic import BaseModel

from attio_mcp.attio import (
    AttioStatusError,
    AuthError,
    CallRecording,
    Comment,
    Meeting,
    Record,
    Thread,
    WorkspaceMember,
)
from attio_mcp.workspace.context import Subject, Workspace
from attio_mcp.workspace.errors import WorkspaceError
from attio_mcp.workspace.page import Page
from attio_mcp.workspace.periods import parse_moment
from attio_mcp.workspace.render import compact_timestamp, flatten_values
from attio_mcp.workspace.schema import TargetSchema

__all__ = [
    "COMMENT_SCOPES",
    "CALL_SCOPES",
    "MEETING_SCOPES",
    "CommentOut",
    "LinkedOut",
    "MeetingOut",
    "Participant",
    "RecordingOut",
    "ThreadOut",
    "ThreadPage",
    "actor_label",
    "comment_out",
    "instant",
    "label",
    "meeting_times",
    "meetings_out",
    "members_or_none",
    "post_comment",
    "record_names",
    "recording_out",
    "scoped",
    "thread_out",
    "utc_text",
]

T = TypeVar("T")

COMMENT_SCOPES = ("comment:read",)
MEETING_SCOPES = ("meeting:read", "record_permission:read")
CALL_SCOPES = ("meeting:read", "call_recording:read")
_LABEL_TYPES = ("personal-name", "email-address", "domain")


async def _lacking(pending: Awaitable[T], scopes: Sequence[str]) -> T:
    try:
        return await pending
    except AuthError as exc:
        if exc.status != 403:
            raise
        raise WorkspaceError(
            "AUTH_ERROR",
            f"the Attio key or sign-in lacks a scope this needs: {', '.join(scopes)}",
            next_step="grant it in Attio (a key: Workspace settings > Developers; a sign-in: to the Attio app, "
            "then sign in again); whoami lists the scopes held.",
        ) from None


async def members_or_none(d: Workspace) -> Sequence[WorkspaceMember]:
    """The workspace members, or none when the key may not list them (actors then read as member ids)."""
    try:
        return await d.call(d.members())
    except WorkspaceError as exc:
        if exc.code != "AUTH_ERROR":
            raise
        return ()


async def _missing_as(pending: Awaitable[T], fields: Mapping[str, str], scopes: Sequence[str]) -> T:
    """A 400 ``value_not_found`` (an unknown thread, record, entry or author) as NOT_FOUND naming the field."""
    try:
        return await _lacking(pending, scopes)
    except AttioStatusError as exc:
        text = (exc.message or "").lower()
        field = next((f for word, f in fields.items() if word in text), None)
        if exc.code != "value_not_found" or field is None:
            raise
        raise WorkspaceError(
            "NOT_FOUND", exc.message or f"{field} not found", field=field, next_step=_WHERE_NEXT.get(field)
        ) from None


_WHERE_NEXT = {
    "thread_id": "comments_list shows a record's or entry's threads and their ids.",
    "record_id": "records_search finds record ids.",
    "entry_id": "records_get_entries or list_entries_get give entry ids.",
}


async def post_comment(
    d: Workspace,
    content: str,
    *,
    author_id: str,
    thread_id: str | None = None,
    record: tuple[str, str] | None = None,
    entry: tuple[str, str] | None = None,
) -> Comment:
    """Create a comment (a reply, or a new thread on a record or entry); an unknown place is NOT_FOUND."""
    fields = {"thread": "thread_id", "record": "record_id", "entry": "entry_id"}
    pending = d.client.create_comment(
        content, author_id=author_id, thread_id=thread_id, record=record, entry=entry
    )
    return await d.call(_missing_as(pending, fields, ("comment:read-write",)))


async def scoped(
    d: Workspace, pending: Awaitable[T], scopes: Sequence[str], *, subject: Subject | None = None
) -> T:
    """``Workspace.call`` for an activity endpoint: a 403 is AUTH_ERROR naming ``scopes``."""
    return await d.call(_lacking(pending, scopes), subject=subject)


def actor_label(actor: Mapping[str, Any] | None, members: Sequence[WorkspaceMember]) -> str | None:
    """A member's email (its id when unknown), ``api-token``, ``system`` or ``app``; None when absent."""
    if not actor:
        return None
    kind, ident = actor.get("type"), actor.get("id")
    if kind == "workspace-member" and ident:
        return next(
            (m.email_address for m in members if m.workspace_member_id == ident and m.email_address), ident
        )
    return str(kind) if kind else None


def instant(text: str | None) -> datetime | None:
    """An ISO timestamp or date as an aware UTC datetime (None when missing or unreadable)."""
    return parse_moment(text)


def utc_text(moment: datetime) -> str:
    """``2026-09-07T15:00:00Z``: UTC, seconds, the form the timeline sorts by."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- comments --------------------------------------------------------------------------------------------


class CommentOut(BaseModel):
    """One comment: author (member email), time, text; resolution only when resolved."""

    id: str | None = None
    thread_id: str | None = None
    author: str | None = None
    at: str | None = None
    text: str | None = None
    resolved_at: str | None = None
    resolved_by: str | None = None


class ThreadOut(BaseModel):
    """A thread and its comments, oldest first."""

    id: str | None = None
    comments: list[CommentOut]


class ThreadPage(Page[ThreadOut]):
    """A page of comment threads."""

    ITEMS = "threads"

    threads: list[ThreadOut]


def comment_out(
    comment: Comment, members: Sequence[WorkspaceMember], *, with_thread: bool = False
) -> CommentOut:
    resolved = bool(comment.resolved_at)
    return CommentOut(
        id=comment.comment_id,
        thread_id=comment.thread_id if with_thread else None,
        author=actor_label(comment.author, members),
        at=compact_timestamp(comment.created_at) or None,
        text=comment.content_plaintext,
        resolved_at=compact_timestamp(comment.resolved_at) if resolved else None,
        resolved_by=actor_label(comment.resolved_by, members) if resolved else None,
    )


def thread_out(thread: Thread, members: Sequence[WorkspaceMember]) -> ThreadOut:
    return ThreadOut(id=thread.thread_id, comments=[comment_out(c, members) for c in thread.comments])


# -- meetings --------------------------------------------------------------------------------------------


class Participant(BaseModel):
    """A meeting participant; ``person_id``/``name`` when Attio links the email to a person record."""

    email: str | None = None
    name: str | None = None
    person_id: str | None = None
    status: str | None = None  # omitted when accepted
    organizer: bool | None = None  # only when true


class LinkedOut(BaseModel):
    """A record linked to a meeting (other than its participants)."""

    object: str | None = None
    id: str | None = None
    name: str | None = None


class MeetingOut(BaseModel):
    """A meeting: start in the meeting's timezone, length in minutes (days for all-day meetings)."""

    id: str | None = None
    title: str | None = None
    start: str | None = None
    minutes: int | None = None
    days: int | None = None
    description: str | None = None
    participants: list[Participant] | None = None
    linked_records: list[LinkedOut] | None = None


class RecordingOut(BaseModel):
    """A call recording of a meeting."""

    id: str | None = None
    status: str | None = None
    created_at: str | None = None
    web_url: str | None = None


def meeting_times(meeting: Meeting) -> tuple[datetime | None, datetime | None]:
    """(start, exclusive end) in UTC; all-day dates count from UTC midnight."""

    def point(p: Mapping[str, Any]) -> datetime | None:
        return instant(p.get("datetime") or p.get("date"))

    return point(meeting.start), point(meeting.end)


def _local(text: str | None) -> str | None:
    """Attio's ``2026-09-07T11:00:00.000-04:00`` without the zero milliseconds."""
    return text.replace(".000", "", 1) if text else text


async def record_names(d: Workspace, refs: Iterable[tuple[str, str]]) -> dict[str, Record]:
    """record id -> record for ``(object slug, record id)`` pairs: one query per object, ids in ``$in``."""
    by_object: dict[str, list[str]] = {}
    for obj, ident in refs:
        if ident not in by_object.setdefault(obj, []):
            by_object[obj].append(ident)
    out: dict[str, Record] = {}
    for obj, ids in by_object.items():
        for start in range(0, len(ids), 100):
            chunk = ids[start : start + 100]
            found = await d.call(
                d.client.query_records(obj, filter={"record_id": {"$in": chunk}}, limit=len(chunk))
            )
            out.update({r.record_id: r for r in found if r.record_id})
    return out


def label(record: Record | None, schema: TargetSchema | None) -> str | None:
    """A record's name: its ``name``, else a personal name, email or domain."""
    if record is None:
        return None
    slug = "name"
    if schema is not None and "name" not in schema.attributes:
        slug = next((a.slug for t in _LABEL_TYPES for a in schema.attributes.values() if a.type == t), "name")
    value = flatten_values(record.values, schema, fields=[slug]).get(slug)
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, Mapping):
        value = value.get("full_name")
    return str(value) if value not in (None, "") else None


def _emails(record: Record) -> set[str]:
    return {str(v.get("email_address", "")).lower() for v in record.values.get("email_addresses", [])}


async def meetings_out(d: Workspace, meetings: Sequence[Meeting], *, full: bool = False) -> list[MeetingOut]:
    """Compact meetings; linked people become their participants' ``person_id``/``name``."""
    refs = [
        (str(link.get("object_slug")), str(link.get("record_id")))
        for m in meetings
        for link in m.linked_records
        if link.get("object_slug") and link.get("record_id")
    ]
    records = await record_names(d, refs) if refs else {}
    schemas: dict[str, TargetSchema | None] = {}
    for obj, _ in refs:
        if obj not in schemas:
            try:
                schemas[obj] = await d.object(obj)
            except WorkspaceError:
                schemas[obj] = None
    out = []
    for meeting in meetings:
        people = {
            email: rec
            for link in meeting.linked_records
            if link.get("object_slug") == "people"
            and (rec := records.get(str(link.get("record_id")))) is not None
            for email in _emails(rec)
        }
        participants = []
        for p in meeting.participants:
            email = p.get("email_address")
            person = people.get(str(email or "").lower())
            participants.append(
                Participant(
                    email=email,
                    name=label(person, schemas.get("people")),
                    person_id=person.record_id if person else None,
                    status=None if p.get("status") in (None, "accepted") else p.get("status"),
                    organizer=True if p.get("is_organizer") else None,
                )
            )
        shown = {p.person_id for p in participants if p.person_id}
        linked = [
            LinkedOut(
                object=str(link.get("object_slug")),
                id=link.get("record_id"),
                name=label(
                    records.get(str(link.get("record_id"))), schemas.get(str(link.get("object_slug")))
                ),
            )
            for link in meeting.linked_records
            if link.get("record_id") not in shown
        ]
        start, end = meeting_times(meeting)
        span = (end - start).total_seconds() if start and end else None
        out.append(
            MeetingOut(
                id=meeting.meeting_id,
                title=meeting.title,
                start=_local(meeting.start.get("datetime")) or meeting.start.get("date"),
                minutes=round(span / 60) if span is not None and not meeting.is_all_day else None,
                days=round(span / 86400) if span is not None and meeting.is_all_day else None,
                description=(meeting.description or None) if full else None,
                participants=participants or None,
                linked_records=linked or None,
            )
        )
    return out


def recording_out(recording: CallRecording) -> RecordingOut:
    return RecordingOut(
        id=recording.call_recording_id,
        status=recording.status,
        created_at=compact_timestamp(recording.created_at) or None,
        web_url=recording.web_url,
    )
