"""Async client for Attio's REST API v2: ``AttioClient``, its response models and its error tree.

This package never imports ``mcp``, the tools or the server; everything public is listed in ``__all__``.
"""

from __future__ import annotations

from ._client import UNSET, AttioClient, Unset
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
    error_from_response,
    error_from_transport,
    machine_code_for,
)
from ._limiter import TokenBucket
from ._models import (
    AttioList,
    AttioModel,
    AttioObject,
    Attribute,
    Entry,
    Note,
    Record,
    RecordEntry,
    SearchResult,
    SelectOption,
    Status,
    Task,
    TokenInfo,
    WorkspaceMember,
)
from ._pagination import paginate_cursor, paginate_offset
from ._retry import backoff, parse_retry_after, rate_limit_delay, retry_at_from, should_retry

__all__ = [
    "AttioClient",
    "AttioClientClosedError",
    "AttioError",
    "AttioList",
    "AttioModel",
    "AttioObject",
    "AttioResponseError",
    "AttioStatusError",
    "AttioTimeoutError",
    "AttioTransportError",
    "Attribute",
    "AuthError",
    "BadRequestError",
    "ConflictError",
    "Entry",
    "InvalidArgumentError",
    "NotFoundError",
    "Note",
    "RateLimitError",
    "Record",
    "RecordEntry",
    "SearchResult",
    "SelectOption",
    "ServerError",
    "Status",
    "Task",
    "TokenBucket",
    "TokenInfo",
    "UNSET",
    "Unset",
    "WorkspaceMember",
    "backoff",
    "error_from_response",
    "error_from_transport",
    "machine_code_for",
    "paginate_cursor",
    "paginate_offset",
    "parse_retry_after",
    "rate_limit_delay",
    "retry_at_from",
    "should_retry",
]
