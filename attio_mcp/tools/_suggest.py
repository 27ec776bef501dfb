"""`InputError` plus did-you-mean helpers for unknown slugs, titles and option names."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["InputError", "did_you_mean", "format_choices"]


class InputError(Exception):
    """Bad tool input, found before calling Attio; the tools layer reports it as VALIDATION_ERROR.

    `field` is the attribute (or parameter) at fault, `hint` the next step, `options` the valid choices.
    """

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        hint: str | None = None,
        options: list[str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.hint = hint
        self.options = options

    def __repr__(self) -> str:
        return f"InputError({self.message!r}, field={self.field!r})"

    @classmethod
    def combine(cls, errors: list[InputError]) -> InputError:
        """One error for several problems: the single error itself, or a joined message."""
        if len(errors) == 1:
            return errors[0]
        fields = [e.field for e in errors if e.field]
        return cls(
            f"{len(errors)} problems: " + " ".join(e.message for e in errors),
            field=", ".join(dict.fromkeys(fields)) or None,
            hint=next((e.hint for e in errors if e.hint), None),
        )


def did_you_mean(value: str, candidates: Iterable[str], *, n: int = 3, cutoff: float = 0.6) -> list[str]:
    """Return up to `n` candidates close to `value`, best first, compared case-insensitively.

    Close spellings (difflib) come first, then candidates that contain `value` or are contained in it
    (`value` -> `deal_value`), so a partial slug still finds its attribute.
    """
    needle = value.strip().lower()
    if not needle:
        return []
    by_lower: dict[str, str] = {}
    for cand in candidates:
        by_lower.setdefault(cand.lower(), cand)
    found = difflib.get_close_matches(needle, list(by_lower), n=n, cutoff=cutoff)
    if len(found) < n and len(needle) >= 3:
        for low in by_lower:
            if low not in found and (needle in low or (len(low) >= 3 and low in needle)):
                found.append(low)
            if len(found) >= n:
                break
    return [by_lower[low] for low in found]


def format_choices(choices: Iterable[str], *, limit: int = 25) -> str:
    """Render choices as `'a', 'b', 'c'` (with `… (+N more)` past `limit`)."""
    items = list(choices)
    text = ", ".join(repr(c) for c in items[:limit])
    if len(items) > limit:
        text += f", … (+{len(items) - limit} more)"
    return text
