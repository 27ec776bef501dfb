"""The one bridge from failures to what an agent reads: ``CODE: what failed (field: x). Next: …``.

``ToolFailure`` is a ``ToolError`` with a machine code, the field at fault and the next step. Client errors
(``AttioError``) are translated here and nowhere else; anything unexpected propagates so bugs show in the
server log instead of being dressed up for the model.
"""

from __future__ import annotations

from collections.abc import Sequence

from mcp.server.mcpserver.exceptions import ToolError

from attio_mcp.attio import AttioError, AttioStatusError, AttioTransportError

CODES = ("VALIDATION_ERROR", "NOT_FOUND", "RATE_LIMIT", "CONFLICT", "AUTH_ERROR", "UPSTREAM_ERROR")
_MAX_OPTIONS = 25

_NEXT_BY_CODE = {
    "VALIDATION_ERROR": "fix the value and call again; attributes_list shows slugs, types and options.",
    "NOT_FOUND": "check the id or slug; records_search and objects_list find valid ones.",
    "CONFLICT": "a record already holds this unique value; find it with records_search or use records_upsert.",
    "AUTH_ERROR": "check ATTIO_API_KEY and its scopes (whoami shows them).",
    "RATE_LIMIT": "wait a moment, then retry.",
    "UPSTREAM_ERROR": "Attio did not answer; retry later.",
}


class ToolFailure(ToolError):
    """A failure the agent can act on, rendered with its machine code first."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        field: str | None = None,
        next_step: str | None = None,
        options: Sequence[str] | None = None,
    ) -> None:
        if code not in CODES:
            raise ValueError(f"unknown machine code {code!r}")
        self.code = code
        self.message = message
        self.field = field
        self.next_step = next_step
        self.options = list(options or ())
        super().__init__(self.render())

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


def failure_from_attio(exc: AttioError, *, subject: str | None = None, write: bool = False) -> ToolFailure:
    """Translate a client error; ``subject`` names what was asked for (``"deals record 1234…"``)."""
    code = exc.machine_code
    message = exc.message or code.lower()
    if code == "NOT_FOUND" and subject:
        message = f"{subject} not found"
    next_step = _NEXT_BY_CODE[code]
    field = None
    if isinstance(exc, AttioStatusError):
        field = _field_of(exc)
        if code == "RATE_LIMIT" and exc.retry_at is not None:
            next_step = "Attio is throttling this key; wait a few seconds, then retry."
    if code == "UPSTREAM_ERROR":
        attempts = getattr(exc, "attempts", 1) or 1
        if attempts > 1:
            message = f"{message} (after {attempts} attempts)" if "attempt" not in message else message
        if write and isinstance(exc, (AttioTransportError, AttioStatusError)):
            next_step = (
                "the write may or may not have been applied; look the record up before retrying, "
                "or use an upsert so a retry cannot duplicate it."
            )
    return ToolFailure(code, message, field=field, next_step=next_step)


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
