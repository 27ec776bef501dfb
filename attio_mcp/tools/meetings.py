"""Meeting and call tools (Attio beta endpoints): meetings with their people and records, call recordings,
and transcripts read a page at a time or searched.

A meeting reads as ``{id, title, start, minutes | days, participants, linked_records}``: ``start`` in the
meeting's own timezone, participants as emails with ``person_id`` and ``name`` where Attio links the
email to a person record, other linked records (companies, deals) with their names. A transcript reads as
speaker turns ``[speaker, seconds from the start, text]``, about 6,000 characters a page.
"""

from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver import Context
from pydantic import BaseModel, Field

from attio_mcp.attio import Transcript
from attio_mcp.tools._registry import tool, workspace_of
from attio_mcp.workspace import Subject, WorkspaceError
from attio_mcp.workspace.activity import (
    CALL_SCOPES,
    MEETING_SCOPES,
    MeetingOut,
    RecordingOut,
    instant,
    meeting_times,
    meetings_out,
    recording_out,
    scoped,
)
from attio_mcp.workspace.transcript import decode_position, read_transcript
from attio_mcp.workspace.values import require_uuid

MeetingId = Annotated[str, Field(description="Meeting UUID", max_length=64)]
Cursor = Annotated[str | None, Field(description="From next_cursor", max_length=2000)]
When = Annotated[str | None, Field(description="ISO date/time", max_length=40)]

_NEXT_MEETINGS = "meetings_list finds meetings and their ids."
_NEXT_RECORDINGS = "call_recordings_list gives a meeting's recording ids."
_RECORDING_PAGES = 5


class MeetingPage(BaseModel):
    """Meetings, newest first; ``next_cursor`` is present exactly when ``has_more``."""

    meetings: list[MeetingOut]
    has_more: bool
    next_cursor: str | None = None


class Recordings(BaseModel):
    """A meeting's call recordings."""

    recordings: list[RecordingOut]


class TranscriptPage(BaseModel):
    """Speaker turns ``[speaker, seconds, text]`` (with a query: the matching passages)."""

    turns: list[tuple[str, int, str]]
    has_more: bool
    next_cursor: str | None = None
    web_url: str | None = None


def _when(value: str | None, field: str) -> str | None:
    if value is None:
        return None
    moment = instant(value.strip())
    if moment is None:
        raise WorkspaceError(
            "VALIDATION_ERROR",
            f"{value[:40]!r} is not an ISO date or timestamp",
            field=field,
            next_step="pass e.g. 2026-09-01 or 2026-09-01T15:00:00Z.",
        )
    return moment.isoformat()


@tool("meetings", title="List meetings", read_only=True, idempotent=True)
async def meetings_list(
    ctx: Context,
    resource_type: Annotated[str | None, Field(description="Object slug", max_length=100)] = None,
    record_id: Annotated[str | None, Field(description="Record UUID", max_length=64)] = None,
    participant_email: Annotated[str | None, Field(max_length=320)] = None,
    starts_after: When = None,
    starts_before: When = None,
    limit: Annotated[int, Field(ge=1, le=100)] = 20,
    cursor: Cursor = None,
) -> MeetingPage:
    """List meetings newest first: of a record, with a participant, or in a time window."""
    d = workspace_of(ctx)
    if bool(resource_type) != bool(record_id):
        raise WorkspaceError(
            "VALIDATION_ERROR",
            "resource_type and record_id go together",
            field="record_id" if resource_type else "resource_type",
            next_step="pass both, e.g. companies and the company's record id.",
        )
    obj = (await d.object(resource_type)).slug if resource_type else None
    rid = require_uuid(record_id, "record_id") if record_id else None
    after, before = _when(starts_after, "starts_after"), _when(starts_before, "starts_before")
    if participant_email is not None and "@" not in participant_email:
        raise WorkspaceError(
            "VALIDATION_ERROR", "participant_email is not an email", field="participant_email", next_step=None
        )
    page = await scoped(
        d,
        d.client.list_meetings(
            linked_object=obj,
            linked_record_id=rid,
            participants=[participant_email.strip()] if participant_email else (),
            ends_from=after,  # Attio filters on the end; meetings that start before `after` are dropped below
            starts_before=before,
            sort="start_desc",
            limit=limit,
            cursor=cursor or None,
        ),
        MEETING_SCOPES,
    )
    floor = instant(after)
    kept = [m for m in page.items if floor is None or ((s := meeting_times(m)[0]) is not None and s >= floor)]
    return MeetingPage(
        meetings=await meetings_out(d, kept),
        has_more=page.next_cursor is not None,
        next_cursor=page.next_cursor,
    )


@tool("meetings", title="Get meeting", read_only=True, idempotent=True)
async def meetings_get(ctx: Context, meeting_id: MeetingId) -> MeetingOut:
    """Get a meeting: description, participants, linked records."""
    mid = require_uuid(meeting_id, "meeting_id")
    d = workspace_of(ctx)
    meeting = await scoped(
        d,
        d.client.get_meeting(mid),
        MEETING_SCOPES,
        subject=Subject(f"meeting {mid}", "meeting_id", _NEXT_MEETINGS),
    )
    return (await meetings_out(d, [meeting], full=True))[0]


@tool("calls", title="List call recordings", read_only=True, idempotent=True)
async def call_recordings_list(ctx: Context, meeting_id: MeetingId) -> Recordings:
    """List a meeting's call recordings; call_transcript_get reads one."""
    mid = require_uuid(meeting_id, "meeting_id")
    d = workspace_of(ctx)
    found: list[RecordingOut] = []
    cursor = None
    for _ in range(_RECORDING_PAGES):
        page = await scoped(
            d,
            d.client.list_call_recordings(mid, limit=200, cursor=cursor),
            CALL_SCOPES,
            subject=Subject(f"meeting {mid}", "meeting_id", _NEXT_MEETINGS),
        )
        found += [recording_out(r) for r in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    return Recordings(recordings=found)


@tool("calls", title="Read call transcript", read_only=True, idempotent=True)
async def call_transcript_get(
    ctx: Context,
    meeting_id: MeetingId,
    call_recording_id: Annotated[str, Field(description="Recording UUID", max_length=64)],
    cursor: Cursor = None,
    query: Annotated[str | None, Field(description="Words to find", max_length=200)] = None,
) -> TranscriptPage:
    """Read a call transcript as [speaker, seconds, text] turns, 6k chars a page; query keeps matches."""
    mid = require_uuid(meeting_id, "meeting_id")
    rid = require_uuid(call_recording_id, "call_recording_id")
    start = decode_position(cursor)
    d = workspace_of(ctx)
    subject = Subject(f"call recording {rid} of meeting {mid}", "call_recording_id", _NEXT_RECORDINGS)

    async def fetch(upstream: str | None) -> Transcript:
        return await scoped(
            d, d.client.get_transcript(mid, rid, cursor=upstream), CALL_SCOPES, subject=subject
        )

    part = await read_transcript(fetch, start, query=(query or "").strip() or None)
    return TranscriptPage(
        turns=part.turns,
        has_more=part.next is not None,
        next_cursor=part.next.encode() if part.next else None,
        web_url=part.web_url,
    )
