"""Call transcripts as speaker turns, a bounded number of characters at a time, or only the passages that
match a query.

Attio pages a transcript by cursor, one word-level segment ``{speech, start_time, end_time, speaker}`` at a
time. Consecutive segments of one speaker make a turn ``[speaker, seconds, text]``. A page here holds turns
until ``budget`` characters of text; it ends at a turn boundary (a single turn longer than the budget is
split), and its ``next_cursor`` encodes Attio's cursor of the page where the next turn starts plus the
segment offset in it, so the next call resumes exactly there without refetching earlier pages.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from attio_mcp.attio import Transcript
from attio_mcp.workspace.errors import WorkspaceError

__all__ = ["PAGE_CHARS", "Position", "TranscriptSlice", "Turn", "decode_position", "read_transcript"]

PAGE_CHARS = 6000
PASSAGE_CHARS = 320
MAX_UPSTREAM_PAGES = 400  # a safety stop: ~200,000 words

Turn = tuple[str, int, str]
Fetch = Callable[[str | None], Awaitable[Transcript]]
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class Position:
    """Where a turn starts: Attio's cursor of its page (None: the first page) and the segment offset in it."""

    cursor: str | None = None
    offset: int = 0

    def encode(self) -> str:
        raw = json.dumps({"c": self.cursor, "o": self.offset}, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_position(text: str | None, *, field: str = "cursor") -> Position:
    """A ``next_cursor`` back to its position; VALIDATION_ERROR when it is not one."""
    if not text:
        return Position()
    try:
        data = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        cursor, offset = data["c"], data["o"]
        if (cursor is not None and not isinstance(cursor, str)) or not isinstance(offset, int) or offset < 0:
            raise ValueError
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise WorkspaceError(
            "VALIDATION_ERROR",
            "not a cursor this tool returned",
            field=field,
            next_step="pass next_cursor from the previous page unchanged, or omit it to start at the beginning.",
        ) from None
    return Position(cursor, offset)


@dataclass
class TranscriptSlice:
    """Turns (or matching passages) from a position, and where the next slice starts (None: the end)."""

    turns: list[Turn] = field(default_factory=list)
    next: Position | None = None
    web_url: str | None = None


@dataclass
class _Open:
    speaker: str
    start: float
    words: list[str]
    at: Position

    def text(self) -> str:
        return " ".join(self.words)


def _terms(query: str) -> list[str]:
    return [t for t in re.split(r"\W+", query.lower()) if t]


def _passage(text: str, terms: list[str]) -> str:
    """The turn, or the sentences of a long turn that hold a term, cut to ``PASSAGE_CHARS``."""
    if len(text) > PASSAGE_CHARS:
        hits = [s for s in _SENTENCE.split(text) if any(t in s.lower() for t in terms)]
        text = " … ".join(hits) or text
    return text if len(text) <= PASSAGE_CHARS else text[: PASSAGE_CHARS - 1].rstrip() + "…"


async def read_transcript(
    fetch: Fetch, start: Position, *, budget: int = PAGE_CHARS, query: str | None = None
) -> TranscriptSlice:
    """Turns from ``start`` until ``budget`` characters; with ``query``, only the turns holding every term
    of it (as passages), read onwards until ``budget`` characters of passages."""
    terms = _terms(query or "")
    out = TranscriptSlice()
    used = 0
    cursor, offset = start.cursor, start.offset
    current: _Open | None = None

    def close(turn: _Open) -> bool:
        """Add a finished turn; False once the slice is full (the turn is then left for the next slice)."""
        nonlocal used
        text = turn.text()
        if terms:
            lowered = text.lower()
            if not all(t in lowered for t in terms):
                return True
            text = _passage(text, terms)
        if out.turns and used + len(text) > budget:
            out.next = turn.at
            return False
        out.turns.append((turn.speaker, int(turn.start), text))
        used += len(text)
        return True

    for _ in range(MAX_UPSTREAM_PAGES):
        page = await fetch(cursor)
        out.web_url = out.web_url or page.web_url
        segments = page.transcript
        for index in range(offset, len(segments)):
            seg = segments[index]
            speaker = str((seg.get("speaker") or {}).get("name") or "?")
            word = str(seg.get("speech") or "").strip()
            at = Position(cursor, index)
            if current is not None and speaker != current.speaker:
                if not close(current):
                    return out
                current = None
            if current is None:
                current = _Open(speaker, float(seg.get("start_time") or 0), [], at)
            current.words.append(word)
            if not terms and used + len(current.text()) > budget:
                if out.turns:  # the slice is full: this turn opens the next one
                    out.next = current.at
                    return out
                if len(current.words) > 1:
                    # a single turn longer than the budget: end it here, the same speaker continues next time
                    current.words.pop()
                    close(current)
                    out.next = at
                    return out
        if page.next_cursor is None:
            break
        cursor, offset = page.next_cursor, 0
    else:  # the safety stop: hand back a cursor instead of claiming the end
        out.next = current.at if current is not None else Position(cursor, 0)
        return out
    if current is not None:
        close(current)
    return out
