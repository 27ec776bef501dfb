"""Async client for Attio's REST API v2: ``AttioClient``, the response models callers use, and the error tree.

This package never imports ``mcp``, the tools or the server. ``__all__`` lists what the rest of the project
imports from here, plus every typed error; everything else (the request core, rate limiter, retry policy,
error builders) stays in the private modules.
"""

from __future__ import annotations

from ._client import UNSET, AttioClient
from ._errors import (
    AttioClientClosedError,
    AttioError,
    AttioResponseError,
    AttioStatusError,
    AttioTimeoutError,
    AttioTransportError,
    AuthError,
    BadRequestError,
    ConflictError,
    InvalidArgumentError,
    NotFoundError,
    RateLimitError,
    ServerError,
)
from ._limiter import Kind, Limiter, LocalLimiter
from ._models import (
    AttioList,
    AttioObject,
    Attribute,
    Entry,
    Note,
    Record,
    SelectOption,
    Status,
    Task,
    WorkspaceMember,
)
from ._models_activity import CallRecording, Comment, CursorPage, Meeting, Thread, Transcript

__all__ = [
    "AttioClient",
    "AttioClientClosedError",
    "AttioError",
    "AttioList",
    "AttioObject",
    "AttioResponseError",
    "AttioStatusError",
    "AttioTimeoutError",
    "AttioTransportError",
    "Attribute",
    "AuthError",
    "BadRequestError",
    "CallRecording",
    "Comment",
    "ConflictError",
    "CursorPage",
    "Entry",
    "InvalidArgumentError",
    "Kind",
    "Limiter",
    "LocalLimiter",
    "Meeting",
    "NotFoundError",
    "Note",
    "RateLimitError",
    "Record",
    "SelectOption",
    "ServerError",
    "Status",
    "Task",
    "Thread",
    "Transcript",
    "UNSET",
    "WorkspaceMember",
]
