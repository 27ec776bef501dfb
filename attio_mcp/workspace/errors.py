"""The one domain error: a machine code, what failed, the field at fault, the valid values and the next step.

Everything below the tools raises :class:`WorkspaceError` (or a subclass); the tool decorator is the only
place that turns it into what an agent reads: ``CODE: what failed (field: x). Valid: … Next: …``.
:func:`error_from_attio` is the code table for the HTTP client's typed errors, so ``attio/`` knows nothing
of machine codes. ``did_you_mean`` and ``format_choices`` build the suggestions these errors carry.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import Literal

from attio_mcp.attio import (
    AttioError,
    AttioStatusError,
    AttioTransportError,
    AuthError,
    ConflictError,
    InvalidArgumentError,
    NotFoundError,
    RateLimitError,
)

Code = Literal["VALIDATION_ERROR", "NOT_FOUND", "RATE_LIMIT", "CONFLICT", "AUTH_ERROR", "UPSTREAM_ERROR"]
CODES: tuple[Code, ...] = (
    "VALIDATION_ERROR",
    "NOT_FOUND",
    "RATE_LIMIT",
    "CONFLICT",
    "AUTH_ERROR",
    "UPSTREAM_ERROR",
)
_MAX_OPTIONS = 25

NEXT_BY_CODE: dict[str, str] = {
    "VALIDATION_ERROR": "fix the value and call again; attributes_list shows slugs, types and options.",
    "NOT_FOUND": "check the id or slug; records_search and objects_list find valid ones.",
    "CONFLICT": "a record already holds this unique value; find it with records_search or use records_upsert.",
    "AUTH_ERROR": "check ATTIO_API_KEY and its scopes (whoami shows them).",
    "RATE_LIMIT": "wait a moment, then retry.",
    "UPSTREAM_ERROR": "Attio did not answer; retry later.",
}
_MAYBE_APPLIED = (
    "the write may or may not have been applied; look the record up before retrying, "
    "or use an upsert so a retry cannot duplicate it."
)


class WorkspaceError(Exception):
    """A failure an agent can act on. ``maybe_applied``: Attio may have applied a write before failing."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        field: str | None = None,
        next_step: str | None = None,
        options: Sequence[str] | None = None,
        maybe_applied: bool = False,
    ) -> None:
        if code not in CODES:
            raise ValueError(f"unknown machine code {code!r}")
        self.code = code
        self.message = message
        self.field = field
        self.next_step = next_step
        self.options = list(options or ())
        self.maybe_applied = maybe_applied
        super().__init__(self.render())

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code}, {self.message!r}, field={self.field!r})"

    def render(self) -> str:
        text = f"{self.code}: {self.message.rstrip('.')}"
        if self.field:
            text += f" (field: {self.field})"
        text += "."
        if self.options:
            shown = self.options[:_MAX_OPTIONS]
            more = len(self.options) - len(shown)
            text += " Valid: " + ", ".join(shown) + (f" … and {more} more" if more > 0 else "") + "."
        if self.next_step:
            text += f" Next: {self.next_step}"
        return text

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"code": self.code, "message": self.message}
        if self.field:
            out["field"] = self.field
        if self.options:
            out["options"] = self.options
        if self.next_step:
            out["next"] = self.next_step
        return out

    def during_write(self) -> WorkspaceError:
        """This error as a write tool reports it: after an upstream failure the write may have been applied."""
        if self.maybe_applied:
            self.next_step = _MAYBE_APPLIED
            self.args = (self.render(),)
        return self


class InputError(WorkspaceError):
    """Bad input found before calling Attio: VALIDATION_ERROR with the field, valid options and a hint."""

    DEFAULT_NEXT = "attributes_list shows every writable slug, its type and options."

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        hint: str | None = None,
        options: Sequence[str] | None = None,
    ) -> None:
        super().__init__(
            "VALIDATION_ERROR", message, field=field, next_step=hint or self.DEFAULT_NEXT, options=options
        )
        self.hint = hint

    @classmethod
    def combine(cls, errors: Sequence[InputError]) -> InputError:
        """One error for several problems: the single error itself, or a joined message."""
        if len(errors) == 1:
            return errors[0]
        fields = [e.field for e in errors if e.field]
        return cls(
            f"{len(errors)} problems: " + " ".join(e.message for e in errors),
            field=", ".join(dict.fromkeys(fields)) or None,
            hint=next((e.hint for e in errors if e.hint), None),
        )


class LookupFailure(WorkspaceError):
    """NOT_FOUND for an object or list that the workspace does not have, with the closest names."""

    def __init__(
        self,
        kind: Literal["object", "list"],
        value: str,
        suggestions: Sequence[str],
        available: Sequence[str],
        *,
        field: str | None = None,
    ) -> None:
        tool_name = "objects_list" if kind == "object" else "lists_get_all"
        hint = f"did you mean {', '.join(suggestions[:3])}? " if suggestions else ""
        super().__init__(
            "NOT_FOUND",
            f"no {kind} {value!r} in this workspace",
            field=field or ("resource_type" if kind == "object" else "list_id"),
            next_step=f"{hint}{tool_name} lists them all.",
        )
        self.kind = kind
        self.value = value
        self.suggestions = list(suggestions)
        self.available = list(available)

    def for_field(self, field: str) -> LookupFailure:
        """The same failure naming another parameter (``parent_object``, ``linked_records.0…``)."""
        return LookupFailure(self.kind, self.value, self.suggestions, self.available, field=field)


def code_of(exc: AttioError) -> str:
    """The machine code of a client error (the table lives here, not in the HTTP client)."""
    if isinstance(exc, InvalidArgumentError):
        return "VALIDATION_ERROR"
    if not isinstance(exc, AttioStatusError):
        return "UPSTREAM_ERROR"
    status = exc.status
    if isinstance(exc, ConflictError) or (status == 400 and exc.code == "uniqueness_conflict"):
        return "CONFLICT"
    if isinstance(exc, AuthError) or status in (401, 403):
        return "AUTH_ERROR"
    if isinstance(exc, NotFoundError) or status == 404:
        return "NOT_FOUND"
    if isinstance(exc, RateLimitError) or status == 429:
        return "RATE_LIMIT"
    if 400 <= status < 500:
        return "VALIDATION_ERROR"
    return "UPSTREAM_ERROR"


def error_from_attio(exc: AttioError, *, subject: str | None = None) -> WorkspaceError:
    """Translate a client error; ``subject`` names what was asked for (``"deals record 1234…"``)."""
    code = code_of(exc)
    message = exc.message or code.lower()
    if code == "NOT_FOUND" and subject:
        message = f"{subject} not found"
    next_step = NEXT_BY_CODE[code]
    field = None
    if isinstance(exc, AttioStatusError):
        field = _field_of(exc)
        if code == "RATE_LIMIT" and exc.repeated_on_query:
            message = f"Attio refused this query for over 10 seconds ({exc.attempts} attempts)"
            next_step = (
                "it is over Attio's per-query complexity limit, which waiting does not fix: simplify the filter "
                "(fewer conditions, $or branches, path hops and sorts) or narrow it, then call again."
            )
        elif code == "RATE_LIMIT" and exc.retry_at is not None:
            next_step = "Attio is throttling this key; wait a few seconds, then retry."
    if code == "UPSTREAM_ERROR":
        attempts = exc.attempts or 1
        if attempts > 1 and "attempt" not in message:
            message = f"{message} (after {attempts} attempts)"
        if not was_sent(exc):
            next_step = (
                "the request never reached Attio, so nothing was applied; retry once Attio is reachable."
            )
    return WorkspaceError(
        code, message, field=field, next_step=next_step, maybe_applied=may_have_applied(exc)
    )


def was_sent(exc: AttioError) -> bool:
    """False when the request never left this machine (no connection could be made): Attio did nothing."""
    return not (isinstance(exc, AttioTransportError) and not exc.sent)


def may_have_applied(exc: AttioError) -> bool:
    """Whether Attio may have carried out the request although the call failed: a 5xx, a timeout or a
    dropped connection after the request was sent. 4xx answers (429 included) and unsent requests did not."""
    if isinstance(exc, AttioStatusError):
        return exc.status >= 500
    return isinstance(exc, AttioTransportError) and exc.sent


def field_of(exc: AttioError) -> str | None:
    """The attribute path Attio's validation errors point at, without the payload's wrapper keys."""
    return _field_of(exc) if isinstance(exc, AttioStatusError) else None


def _field_of(exc: AttioStatusError) -> str | None:
    for item in exc.validation_errors or ():
        path = item.get("path") if isinstance(item, dict) else None
        if isinstance(path, list) and path:
            tail = [
                str(p) for p in path if not isinstance(p, int) and p not in ("data", "values", "entry_values")
            ]
            if tail:
                return ".".join(tail)
    return None


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
