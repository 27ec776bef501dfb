"""Retry policy: which failures to retry, and how long to wait before the next attempt.

429 is always retried (Attio did not process a throttled request). 5xx and transport failures are retried
only when the call site declared the operation idempotent; 409 only for ``concurrent_write_conflict``.
"""

from __future__ import annotations

import math
import random as _random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

__all__ = ["backoff", "parse_retry_after", "rate_limit_delay", "retry_at_from", "should_retry"]

MAX_RETRY_AFTER_SECONDS = 60.0  # never sleep longer than this for one server-requested delay
BACKOFF_INITIAL_SECONDS = 0.5
BACKOFF_MAX_SECONDS = 8.0
BACKOFF_JITTER = 0.25  # a backoff delay is scaled by a random factor in [1 - JITTER, 1]
RETRY_AFTER_JITTER_SECONDS = 0.25  # added on top of Retry-After so waiters do not stampede together
DEFAULT_RATE_LIMIT_DELAY_SECONDS = 1.0  # a 429 without Retry-After: Attio's window is about a second
RETRYABLE_CONFLICT_CODE = "concurrent_write_conflict"


def _seconds_until(value: str | None, now: datetime) -> float | None:
    """Seconds from ``now`` until a Retry-After value (HTTP-date or seconds), uncapped; None if unreadable."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        when = None
    if when is not None:
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max(0.0, (when - now).total_seconds())
    try:
        seconds = float(text)
    except ValueError:
        return None
    if not math.isfinite(seconds) or seconds < 0:
        return None
    return seconds


def parse_retry_after(
    value: str | None, now: datetime, *, cap: float = MAX_RETRY_AFTER_SECONDS
) -> float | None:
    """Seconds to wait for a ``Retry-After`` value: HTTP-date first (Attio's form), then seconds; capped."""
    seconds = _seconds_until(value, now)
    return None if seconds is None else min(seconds, cap)


def retry_at_from(value: str | None, now: datetime) -> datetime | None:
    """The absolute UTC time a ``Retry-After`` value points at (uncapped), or None."""
    seconds = _seconds_until(value, now)
    if seconds is None:
        return None
    try:
        return now + timedelta(seconds=seconds)
    except OverflowError:
        return None


def backoff(attempt: int, *, random: Callable[[], float] = _random.random) -> float:
    """Exponential backoff with jitter after failed attempt number ``attempt`` (1-based)."""
    exponent = max(0, attempt - 1)
    base = min(BACKOFF_MAX_SECONDS, BACKOFF_INITIAL_SECONDS * (2.0 ** min(exponent, 32)))
    return base * (1.0 - BACKOFF_JITTER * random())


def rate_limit_delay(retry_after: float | None, *, random: Callable[[], float] = _random.random) -> float:
    """How long to sleep after a 429: the server's delay (or a default) plus a little jitter."""
    base = DEFAULT_RATE_LIMIT_DELAY_SECONDS if retry_after is None else retry_after
    return base + RETRY_AFTER_JITTER_SECONDS * random()


def should_retry(status: int | None, code: str | None, idempotent: bool) -> bool:
    """Whether a failed attempt may be repeated.

    ``status`` is None for a transport failure (timeout, connection error), where the request may or may
    not have been processed.
    """
    if status == 429:
        return True
    if status is None or status >= 500:
        return idempotent
    if status == 409:
        return idempotent and code == RETRYABLE_CONFLICT_CODE
    return False
