"""Tolerant models for Attio's activity endpoints: comment threads, meetings, call recordings, transcripts.

Like ``_models``: unknown fields are kept, every field has a default and nulls become empties. Meetings,
recordings and transcripts are cursor-paged; a list call returns a :class:`CursorPage`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BeforeValidator, Field

from ._models import AnyDict, AttioModel, DictList, Flag, IdDict, IdPart, _list_or_empty

__all__ = ["CallRecording", "Comment", "CursorPage", "Meeting", "Thread", "Transcript", "next_cursor"]

T = TypeVar("T")


@dataclass
class CursorPage(Generic[T]):
    """One page of a cursor-paged list; ``next_cursor`` is None on the last page."""

    items: list[T] = field(default_factory=list)
    next_cursor: str | None = None


def next_cursor(body: object) -> str | None:
    """``pagination.next_cursor`` of a cursor-paged response (None when absent or empty)."""
    paging = body.get("pagination") if isinstance(body, Mapping) else None
    cursor = paging.get("next_cursor") if isinstance(paging, Mapping) else None
    return cursor if isinstance(cursor, str) and cursor else None


class Comment(AttioModel):
    """A comment; ``record`` is ``{record_id, object_id}``, ``entry`` ``{entry_id, list_id}`` or None."""

    id: IdDict = Field(default_factory=dict)
    thread_id: str | None = None
    content_plaintext: str | None = None
    entry: dict[str, Any] | None = None
    record: dict[str, Any] | None = None
    resolved_at: str | None = None
    resolved_by: dict[str, Any] | None = None
    created_at: str | None = None
    author: dict[str, Any] | None = None

    comment_id = IdPart("comment_id")


class Thread(AttioModel):
    """A comment thread: its comments, oldest first."""

    id: IdDict = Field(default_factory=dict)
    comments: Annotated[list[Comment], BeforeValidator(_list_or_empty)] = Field(default_factory=list)
    created_at: str | None = None

    thread_id = IdPart("thread_id")


class Meeting(AttioModel):
    """A meeting; ``start``/``end`` are ``{datetime, timezone}`` or ``{date}`` (all-day, end exclusive)."""

    id: IdDict = Field(default_factory=dict)
    title: str | None = None
    description: str | None = None
    is_all_day: Flag = False
    start: AnyDict = Field(default_factory=dict)
    end: AnyDict = Field(default_factory=dict)
    participants: DictList = Field(default_factory=list)
    linked_records: DictList = Field(default_factory=list)
    created_at: str | None = None
    created_by_actor: dict[str, Any] | None = None

    meeting_id = IdPart("meeting_id")


class CallRecording(AttioModel):
    """A call recording of a meeting (``status``: processing, completed or failed)."""

    id: IdDict = Field(default_factory=dict)
    status: str | None = None
    web_url: str | None = None
    created_by_actor: dict[str, Any] | None = None
    created_at: str | None = None

    meeting_id = IdPart("meeting_id")
    call_recording_id = IdPart("call_recording_id")


class Transcript(AttioModel):
    """One page of a call's transcript: ``transcript`` segments ``{speech, start_time, end_time, speaker}``."""

    id: IdDict = Field(default_factory=dict)
    transcript: DictList = Field(default_factory=list)
    raw_transcript: str | None = None
    web_url: str | None = None
    next_cursor: str | None = None  # from the response's pagination, not from ``data``
