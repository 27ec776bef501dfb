"""The values the search index, its sync and the search tools pass between them.

A ``Doc`` is one searchable item of the workspace: a note, a comment, a task or a call transcript. The index
cuts it into chunks, keeps a lexical (FTS5) and a dense (embedding) representation of each, and answers
queries with ``Hit``s that cite where in the item the match is. Nothing here talks to Attio or to MCP.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

DocKind = Literal["note", "comment", "task", "transcript"]
DOC_KINDS: tuple[DocKind, ...] = ("note", "comment", "task", "transcript")
SearchMode = Literal["hybrid", "lexical", "dense"]


@dataclass(frozen=True)
class RecordRef:
    """The record an item belongs to (a note's parent, a task's first linked record, a call's company)."""

    object: str  # object slug
    record_id: str
    label: str | None = None  # the record's display name, when known


@dataclass(frozen=True)
class Turn:
    """One speaker turn of a transcript: who, from which second, what was said."""

    speaker: str
    start_seconds: float
    text: str


@dataclass(frozen=True)
class Doc:
    """One item as the index stores it.

    ``id`` is the search id the tools show and ``fetch`` takes: ``note:<note_id>``, ``comment:<comment_id>``,
    ``task:<task_id>`` or ``transcript:<meeting_id>:<call_recording_id>``. ``context`` holds words that help a
    query find the item without being its text (the record's name, the meeting title, participants, the
    thread's target); it is indexed with every chunk but never shown as a snippet. ``version`` changes when
    the item's content does (a hash): an upsert with the stored version re-embeds nothing.
    """

    id: str
    kind: DocKind
    title: str
    text: str
    version: str
    url: str | None = None
    time: str | None = None  # ISO 8601: created_at, or the meeting's start for a transcript
    record: RecordRef | None = None
    context: str = ""
    turns: tuple[Turn, ...] = ()  # transcripts only: ``text`` is then the turns joined
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Hit:
    """One ranked result: the item, the best-matching chunk as a snippet, and where it is in the item."""

    doc_id: str
    kind: DocKind
    title: str
    snippet: str
    score: float
    url: str | None = None
    time: str | None = None
    record: RecordRef | None = None
    chunk: int = 0  # ordinal of the matching chunk within the item
    speaker: str | None = None  # transcripts: who said the snippet
    start_seconds: float | None = None  # transcripts: when


@dataclass(frozen=True)
class IndexStatus:
    """What an index holds: items by kind, chunks, bytes on disk, the model, the last sync time."""

    path: str
    docs: dict[str, int]
    chunks: int
    bytes: int
    model: str | None
    last_sync: str | None
    state: dict[str, str] = field(default_factory=dict)
    dense: bool = False  # whether dense (and so hybrid) search runs; False: every mode answers lexically
    vectors: int = 0  # chunks that have an embedding (the rest are embedded when a model is next available)
