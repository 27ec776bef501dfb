"""What a call's input was read as, when it was not taken literally: the ``interpreted`` list of a result.

The compilation layer (filters, sorts, write values, object names, dates in words) accepts what a model means
when exactly one reading fits, and says so here, one short line per interpretation:
``"stage: 'discovery' → 'Discovery'"``, ``"company: 'Acme Inc' → 203667de…"``. A tool passes one
``Interpreted`` down to every workspace function it calls and puts ``interpreted.out()`` on its result, which
is ``None`` (so the key is omitted) when nothing was interpreted.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["Interpreted", "show"]

_MAX_NOTES = 12
_MAX_TEXT = 48
_UUID = re.compile(r"\b([0-9a-f]{8})-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.IGNORECASE)


def show(value: Any) -> str:
    """A short rendering of an input or what it became: quoted strings, ids cut to 8 characters."""
    if isinstance(value, str):
        if _UUID.fullmatch(value):
            return value[:8] + "…"
        text = value if len(value) <= _MAX_TEXT else value[: _MAX_TEXT - 1] + "…"
        return repr(text)
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)
    text = _UUID.sub(lambda m: m.group(1) + "…", text)
    return text if len(text) <= _MAX_TEXT * 2 else text[: _MAX_TEXT * 2 - 1] + "…"


class Interpreted:
    """The interpretations made while compiling one call's input, in order, without repeats."""

    def __init__(self) -> None:
        self._notes: list[str] = []
        self._dropped = 0

    def add(self, where: str, given: Any, meant: str) -> None:
        """Record that ``given`` (at ``where``, e.g. ``stage`` or ``filter.deal_value``) was read as ``meant``
        (shown as is: pass ``show(value)`` for a value, a bare slug or operator for a name)."""
        self.say(f"{where}: {show(given)} → {meant}")

    def say(self, text: str) -> None:
        """Record a note in free words (``"filter.industry: $in → $or of $eq"``)."""
        if text in self._notes:
            return
        if len(self._notes) >= _MAX_NOTES:
            self._dropped += 1
            return
        self._notes.append(text)

    def __bool__(self) -> bool:
        return bool(self._notes)

    def __len__(self) -> int:
        return len(self._notes)

    def out(self) -> list[str] | None:
        """The notes for a result (``None`` when there are none, so the key is left out)."""
        if not self._notes:
            return None
        return self._notes + ([f"… and {self._dropped} more"] if self._dropped else [])
