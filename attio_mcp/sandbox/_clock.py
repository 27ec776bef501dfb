"""Timestamps in Attio's wire format and a monotonic clock for the sandbox.

Attio timestamps look like ``2026-02-27T07:47:04.370000000Z``: UTC, 9 fractional digits, of which only
the first three (milliseconds) carry information.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

__all__ = ["Clock", "format_ts", "parse_date", "parse_ts"]

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_YEAR_ONLY = re.compile(r"^\d{4}$")
_YEAR_MONTH = re.compile(r"^\d{4}-\d{2}$")
_FRACTION = re.compile(r"\.(\d+)")


def format_ts(moment: datetime) -> str:
    """Render a datetime as Attio does: UTC, millisecond precision padded to 9 digits."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    millis = moment.microsecond // 1000
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{millis:03d}000000Z"


def parse_ts(text: str) -> datetime:
    """Parse an ISO 8601 date or datetime (naive means UTC) into an aware UTC datetime.

    Raises ValueError for anything that is not a recognisable date/time.
    """
    raw = text.strip()
    if not raw:
        raise ValueError("empty timestamp")
    if _YEAR_ONLY.match(raw):
        return datetime(int(raw), 1, 1, tzinfo=UTC)
    if _YEAR_MONTH.match(raw):
        return datetime(int(raw[:4]), int(raw[5:7]), 1, tzinfo=UTC)
    if _DATE_ONLY.match(raw):
        return datetime.fromisoformat(raw).replace(tzinfo=UTC)
    if raw.endswith(("Z", "z")):
        raw = raw[:-1] + "+00:00"
    # Python accepts at most 6 fractional digits; Attio sends 9.
    raw = _FRACTION.sub(lambda m: "." + (m.group(1) + "000000")[:6], raw, count=1)
    parsed = datetime.fromisoformat(raw.replace(" ", "T", 1))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def parse_date(text: str) -> date:
    """Coerce a date, year, year-month or timestamp string into a UTC calendar date."""
    return parse_ts(text).date()


class Clock:
    """Wall clock with millisecond resolution that never repeats or goes backwards.

    Strictly increasing timestamps keep value histories (``active_from``) and creation order stable.
    """

    def __init__(self, now: Callable[[], datetime] | None = None) -> None:
        self._now = now or (lambda: datetime.now(UTC))
        self._last: datetime | None = None

    def now(self) -> datetime:
        """The current time, truncated to milliseconds, strictly after the previous call."""
        moment = self._now().astimezone(UTC)
        moment = moment.replace(microsecond=(moment.microsecond // 1000) * 1000)
        if self._last is not None and moment <= self._last:
            moment = self._last + timedelta(milliseconds=1)
        self._last = moment
        return moment

    def now_str(self) -> str:
        """:meth:`now` in Attio's wire format."""
        return format_ts(self.now())

    def advance_past(self, text: str) -> None:
        """Make sure later timestamps sort after ``text`` (used after loading persisted state)."""
        moment = parse_ts(text)
        if self._last is None or moment > self._last:
            self._last = moment
