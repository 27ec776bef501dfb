"""Cutting items into the chunks the index searches: windows of about 60-120 words.

Notes, comments and tasks are cut on paragraph and sentence boundaries; a transcript groups consecutive
speaker turns, each written ``Speaker: words``, and its chunk cites the first turn's speaker and second. A
window that is full starts the next one with its last sentence (or turn) again when that is short, so a
passage cut in two is still found whole in one of them. The same item always gives the same chunks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from attio_mcp.workspace.search.model import Doc, Turn

__all__ = ["MAX_WORDS", "MIN_WORDS", "OVERLAP_WORDS", "Chunk", "chunk_doc"]

MIN_WORDS = 60  # a window may close at a paragraph end once it holds this many words
MAX_WORDS = 120  # a window never grows past this (a longer sentence is cut by words)
OVERLAP_WORDS = 25  # the last unit of a full window is repeated in the next one when at most this long
_TAIL_WORDS = 30  # a last window this short is merged into the one before when they fit together

_PARAGRAPHS = re.compile(r"\n\s*\n")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")


@dataclass(frozen=True)
class Chunk:
    """One window of an item: ``text`` is what a snippet shows, ``indexed`` what FTS and the embedder see
    (the item's title and context, then the text)."""

    doc_id: str
    ordinal: int
    text: str
    indexed: str
    speaker: str | None = None
    start_seconds: float | None = None


@dataclass(frozen=True)
class _Unit:
    """A sentence or a turn: the smallest piece a window is built from."""

    text: str
    words: int
    breaks: bool  # ends a paragraph (or a turn): a good place to close a window
    turn: Turn | None = None


def chunk_doc(doc: Doc) -> list[Chunk]:
    """The chunks of ``doc``, in order; at least one, even for an item without text."""
    if doc.kind == "transcript" and doc.turns:
        units = [u for turn in doc.turns for u in _turn_units(turn)]
    else:
        units = _text_units(doc.text)
    head = "\n".join(part for part in (doc.title.strip(), doc.context.strip()) if part)
    windows = _windows(units) or [[_Unit(doc.title.strip(), len(doc.title.split()), True)]]
    chunks = []
    for ordinal, window in enumerate(windows):
        text = _join(window)
        first = window[0].turn
        chunks.append(
            Chunk(
                doc_id=doc.id,
                ordinal=ordinal,
                text=text,
                indexed=f"{head}\n{text}" if head and text != head else text or head,
                speaker=first.speaker if first else None,
                start_seconds=first.start_seconds if first else None,
            )
        )
    return chunks


def _text_units(text: str) -> list[_Unit]:
    units = []
    for paragraph in _PARAGRAPHS.split(text.strip()):
        sentences = [s.strip() for s in _SENTENCE_END.split(paragraph) if s and s.strip()]
        for i, sentence in enumerate(sentences):
            pieces = _cut(sentence)
            for j, piece in enumerate(pieces):
                last = i == len(sentences) - 1 and j == len(pieces) - 1
                units.append(_Unit(piece, len(piece.split()), last))
    return units


def _turn_units(turn: Turn) -> list[_Unit]:
    """A turn as one unit, or as several (each still ``Speaker: ...``) when it is longer than a window."""
    words = turn.text.split()
    if len(words) <= MAX_WORDS:
        return [_Unit(f"{turn.speaker}: {turn.text.strip()}", len(words), True, turn)]
    parts = [_join(w) for w in _windows(_text_units(turn.text), overlap=False)]
    return [
        _Unit(f"{turn.speaker}: {part}", len(part.split()), i == len(parts) - 1, turn)
        for i, part in enumerate(parts)
    ]


def _cut(sentence: str) -> list[str]:
    words = sentence.split()
    if len(words) <= MAX_WORDS:
        return [sentence]
    return [" ".join(words[i : i + MAX_WORDS]) for i in range(0, len(words), MAX_WORDS)]


def _windows(units: list[_Unit], overlap: bool = True) -> list[list[_Unit]]:
    """Greedy windows: add units up to MAX_WORDS, close early at a paragraph end past MIN_WORDS."""
    windows: list[list[_Unit]] = []
    current: list[_Unit] = []
    fresh = 0  # words in ``current`` that the previous window does not already hold
    for unit in units:
        if current and _words(current) + unit.words > MAX_WORDS:
            windows.append(current)
            carry = current[-1]
            keep = overlap and len(current) > 1 and carry.words <= OVERLAP_WORDS
            current = [carry] if keep else []
            fresh = 0
        current.append(unit)
        fresh += unit.words
        if unit.breaks and _words(current) >= MIN_WORDS:
            windows.append(current)
            current, fresh = [], 0
    if current and fresh:
        previous = windows[-1] if windows else None
        if previous is not None and fresh < _TAIL_WORDS:
            extra = current[1:] if current[0] is previous[-1] else current
            if _words(previous) + _words(extra) <= MAX_WORDS + _TAIL_WORDS:
                previous.extend(extra)
                return windows
        windows.append(current)
    return windows


def _words(units: list[_Unit]) -> int:
    return sum(u.words for u in units)


def _join(window: list[_Unit]) -> str:
    """Sentences of one paragraph joined by a space; paragraphs and turns each on their own line."""
    parts: list[str] = []
    for i, unit in enumerate(window):
        if i:
            parts.append("\n" if unit.turn is not None or window[i - 1].breaks else " ")
        parts.append(unit.text)
    return "".join(parts).strip()
