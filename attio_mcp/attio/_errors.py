"""Exceptions raised by the Attio client.

The tree splits failures by who is at fault::

    AttioError                          .message .attempts
     ├── AttioTransportError            no usable response (connect, protocol, read failure)
     │    └── AttioTimeoutError         a connect/read/write/pool timeout
     ├── AttioResponseError             a 2xx answer whose body is not JSON
     ├── InvalidArgumentError           (also ValueError) an argument the client refuses to send
     ├── AttioClientClosedError         (also RuntimeError) the client was closed before or during the call
     └── AttioStatusError               Attio answered with an error status
          ├── BadRequestError           400 (and other 4xx such as 413/422)
          ├── AuthError                 401, 403
          ├── NotFoundError             404
          ├── ConflictError             409
          ├── RateLimitError            429 (.retry_at)
          └── ServerError               5xx

The machine codes agents see (VALIDATION_ERROR, NOT_FOUND, …) are assigned by the layer above the client.
Errors carry the method and path, never headers, so the API key cannot leak.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from http import HTTPStatus
from typing import Any

import httpx

__all__ = [
    "AttioClientClosedError",
    "AttioError",
    "AttioResponseError",
    "AttioStatusError",
    "AttioTimeoutError",
    "AttioTransportError",
    "AuthError",
    "BadRequestError",
    "ConflictError",
    "InvalidArgumentError",
    "NotFoundError",
    "RateLimitError",
    "ServerError",
    "error_from_response",
    "error_from_transport",
]

_MAX_TEXT = 200  # characters of a non-JSON error body kept in the message
_MAX_VALIDATION_SHOWN = 3
_TITLE_RE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


class AttioError(Exception):
    """Base class of every error the Attio client raises for a failed call."""

    def __init__(self, message: str, *, attempts: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.attempts = attempts

    def _describe(self) -> str:
        return self.message

    def __str__(self) -> str:
        text = self._describe()
        if self.attempts > 1:
            text += f" (after {self.attempts} attempts)"
        return text


class AttioTransportError(AttioError):
    """No usable response: the connection failed, broke or spoke bad HTTP.

    ``sent`` is False when the request never left this machine (no connection could be made, or none was
    free in the pool): Attio cannot have acted on it. Otherwise it may have.
    """

    def __init__(
        self, message: str, *, method: str = "", path: str = "", attempts: int = 1, sent: bool = True
    ) -> None:
        super().__init__(message, attempts=attempts)
        self.method = method
        self.path = path
        self.sent = sent

    def _describe(self) -> str:
        return f"{self.method} {self.path}: {self.message}" if self.method else self.message


class AttioTimeoutError(AttioTransportError):
    """Attio did not answer within the configured timeout."""


class AttioResponseError(AttioError):
    """Attio answered with a success status but a body the client cannot decode."""


class InvalidArgumentError(AttioError, ValueError):
    """The client refused to send a request, e.g. an empty path segment or an empty update."""


class AttioStatusError(AttioError):
    """Attio answered with a non-2xx status; carries Attio's error body fields."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        type: str | None = None,
        code: str | None = None,
        validation_errors: list[dict[str, Any]] | None = None,
        method: str = "",
        path: str = "",
        attempts: int = 1,
        retry_at: datetime | None = None,
    ) -> None:
        super().__init__(message, attempts=attempts)
        self.status = status
        self.type = type
        self.code = code
        self.validation_errors = list(validation_errors or [])
        self.method = method
        self.path = path
        self.retry_at = retry_at
        # Set by the client when a complexity-scored query kept drawing 429s (see HttpCore.request).
        self.repeated_on_query = False

    def _describe(self) -> str:
        where = f" from {self.method} {self.path}" if self.method else ""
        code = f" {self.code}" if self.code else ""
        text = f"HTTP {self.status}{code}{where}: {self.message}"
        problems = [_format_validation(item) for item in self.validation_errors[:_MAX_VALIDATION_SHOWN]]
        if problems:
            more = len(self.validation_errors) - len(problems)
            text += " [" + "; ".join(problems) + (f"; +{more} more" if more > 0 else "") + "]"
        return text


class BadRequestError(AttioStatusError):
    """400 (or another 4xx): invalid request, value or filter; uniqueness_conflict maps to CONFLICT."""


class AuthError(AttioStatusError):
    """401/403: the token is missing, invalid, or lacks a scope or plan feature."""


class NotFoundError(AttioStatusError):
    """404: the object, list, attribute, record, entry, note, task or member does not exist."""


class ConflictError(AttioStatusError):
    """409: a slug, uniqueness or concurrent-write conflict."""


class RateLimitError(AttioStatusError):
    """429: rate limited; ``retry_at`` says when Attio will accept the request again."""


class ServerError(AttioStatusError):
    """5xx: Attio (or something in front of it) failed."""


class AttioClientClosedError(AttioError, RuntimeError):
    """The client was closed (``aclose()``) before or while the call was sent: the server is shutting down.

    An ``AttioError``, so a tool reports it with a machine code like any other failure; also a
    ``RuntimeError`` for callers that caught the old misuse error.
    """


def _class_for(status: int) -> type[AttioStatusError]:
    if status in (401, 403):
        return AuthError
    if status == 404:
        return NotFoundError
    if status == 409:
        return ConflictError
    if status == 429:
        return RateLimitError
    if 400 <= status < 500:
        return BadRequestError
    if status >= 500:
        return ServerError
    return AttioStatusError


def _format_validation(item: Mapping[str, Any]) -> str:
    path = item.get("path")
    where = ".".join(str(part) for part in path) if isinstance(path, list) else str(path or "")
    message = str(item.get("message") or item.get("code") or "invalid")
    return f"{where}: {message}" if where else message


def _decode_body(body: bytes | str | Mapping[str, Any] | None) -> tuple[Mapping[str, Any] | None, str]:
    """Return (parsed JSON object or None, raw text)."""
    if isinstance(body, Mapping):
        return body, ""
    if body is None:
        return None, ""
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    try:
        parsed = json.loads(text)
    except ValueError:
        return None, text
    return (parsed, text) if isinstance(parsed, Mapping) else (None, text)


def _text_summary(text: str) -> str:
    """A short, single-line summary of a non-JSON body (an HTML page's title, or its first characters)."""
    stripped = text.strip()
    if not stripped:
        return ""
    if stripped.startswith("<"):
        match = _TITLE_RE.search(stripped)
        return " ".join(match.group(1).split())[:_MAX_TEXT] if match else ""
    return " ".join(stripped.split())[:_MAX_TEXT]


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def error_from_response(
    method: str,
    path: str,
    status: int,
    body: bytes | str | Mapping[str, Any] | None,
    attempts: int = 1,
    *,
    retry_at: datetime | None = None,
) -> AttioStatusError:
    """Build the typed error for a non-2xx response, tolerating non-JSON and HTML bodies.

    Attio's body is ``{status_code|statusCode, type, code, message, validation_errors?}``.
    """
    parsed, text = _decode_body(body)
    fields = parsed or {}
    message = _str_or_none(fields.get("message"))
    if message is None:
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = "error"
        summary = _text_summary(text)
        message = f"{phrase}: {summary}" if summary and summary != phrase else phrase
    raw_validation = fields.get("validation_errors")
    validation = (
        [v for v in raw_validation if isinstance(v, Mapping)] if isinstance(raw_validation, list) else []
    )
    cls = _class_for(status)
    return cls(
        message,
        status=status,
        type=_str_or_none(fields.get("type")),
        code=_str_or_none(fields.get("code")),
        validation_errors=[dict(v) for v in validation],
        method=method,
        path=path,
        attempts=attempts,
        retry_at=retry_at,
    )


def error_from_transport(
    exc: httpx.RequestError, *, method: str, path: str, attempts: int = 1
) -> AttioTransportError:
    """Translate an httpx request failure; the caller raises the result ``from exc``."""
    detail = str(exc).strip()
    kind = type(exc).__name__
    message = f"{kind}: {detail}" if detail else kind
    sent = not isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout))
    if isinstance(exc, httpx.TimeoutException):
        return AttioTimeoutError(
            f"timed out ({message})", method=method, path=path, attempts=attempts, sent=sent
        )
    return AttioTransportError(
        f"request failed ({message})", method=method, path=path, attempts=attempts, sent=sent
    )
