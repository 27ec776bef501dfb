"""Attio-shaped error bodies for the sandbox.

Every failure the sandbox reports is a :class:`SandboxError`; the HTTP layer turns it into
``{"status_code", "type", "code", "message"}`` (plus ``validation_errors`` for body validation failures, and
any ``extra`` keys such as the ``path`` of ``unknown_filter_attribute_slug``).
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

__all__ = [
    "SandboxError",
    "ValidationIssue",
    "bad_request",
    "invalid_value",
    "not_found",
    "validation_error",
    "value_not_found",
]

ValidationIssue = dict[str, Any]


class SandboxError(Exception):
    """An error the sandbox reports to the caller with Attio's error envelope."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        type: str = "invalid_request_error",
        *,
        validation_errors: list[ValidationIssue] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.type = type
        self.validation_errors = validation_errors
        self.headers = headers
        self.extra = extra

    def body(self) -> dict[str, Any]:
        """The JSON body Attio would send."""
        out: dict[str, Any] = {
            "status_code": self.status,
            "type": self.type,
            "code": self.code,
            "message": self.message,
        }
        if self.validation_errors is not None:
            out["validation_errors"] = self.validation_errors
        if self.extra:
            out.update(self.extra)
        return out

    def response(self) -> JSONResponse:
        """The error as a Starlette response."""
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers)


def not_found(message: str) -> SandboxError:
    """404 ``not_found``."""
    return SandboxError(404, "not_found", message)


def value_not_found(message: str) -> SandboxError:
    """400 ``value_not_found`` (unknown option, attribute, target record, member...)."""
    return SandboxError(400, "value_not_found", message)


def bad_request(code: str, message: str) -> SandboxError:
    """400 with an arbitrary Attio error code."""
    return SandboxError(400, code, message)


def validation_error(
    message: str,
    path: list[str | int] | None = None,
    *,
    issue_code: str = "invalid_type",
    expected: str | None = None,
    received: str | None = None,
    issues: list[ValidationIssue] | None = None,
) -> SandboxError:
    """400 ``validation_type`` with a zod-like ``validation_errors`` list."""
    if issues is None:
        issue: ValidationIssue = {"code": issue_code, "path": list(path or []), "message": message}
        if expected is not None:
            issue["expected"] = expected
        if received is not None:
            issue["received"] = received
        issues = [issue]
    return SandboxError(400, "validation_type", message, validation_errors=issues)


def invalid_value(slug: str, issues: list[ValidationIssue]) -> SandboxError:
    """400 ``validation_type`` for a value Attio rejects, as recorded from live workspaces.

    The message names the attribute and each issue's ``path`` is relative to the value, e.g. for a
    personal-name object without ``last_name``: ``An invalid value was passed to attribute with slug "name".``
    with ``[{"code": "invalid_type", "path": ["last_name"], "message": "Required", ...}]``.
    """
    return SandboxError(
        400,
        "validation_type",
        f'An invalid value was passed to attribute with slug "{slug}".',
        validation_errors=issues,
    )
