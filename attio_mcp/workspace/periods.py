"""Time in reports: ``since`` instants, report periods and date buckets.

Attio writes timestamps as ``2026-11-19T20:02:00.000000000Z`` (UTC, nine fractional digits) and dates as
``YYYY-MM-DD``. Reports compare instants as aware UTC datetimes and label buckets in sortable ISO forms:
``2026-11-30`` (day), ``2026-W48`` (ISO week), ``2026-11`` (month), ``2026-Q4`` (quarter), ``2026`` (year),
so a chronological order is the labels' string order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from attio_mcp.workspace.errors import WorkspaceError

__all__ = [
    "BUCKETS",
    "PERIOD_FORMS",
    "Period",
    "bucket_label",
    "filter_instant",
    "parse_instant",
    "parse_moment",
    "parse_period",
    "stamp",
]

BUCKETS = ("day", "week", "month", "quarter", "year")
PERIOD_FORMS = ("2026", "2026-Q4", "2026-11", "2026-10-01..2026-11-30", "30d")
DEFAULT_PERIOD = "90d"
MAX_DAYS = 3650

_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*\.\.\s*(\d{4}-\d{2}-\d{2})$")
_DAYS = re.compile(r"^(\d{1,4})\s*d$", re.IGNORECASE)


def parse_moment(text: object) -> datetime | None:
    """An Attio date or timestamp -> an aware UTC datetime (dates at midnight); None if it is neither."""
    if not isinstance(text, str) or not text:
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("z", "Z"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def parse_instant(text: str, field: str) -> datetime:
    """A caller's ISO date or date-time (no zone means UTC); VALIDATION_ERROR naming ``field`` otherwise."""
    moment = parse_moment(text)
    if moment is None:
        raise WorkspaceError(
            "VALIDATION_ERROR",
            f"{text!r} is not an ISO date or time",
            field=field,
            next_step='pass e.g. "2026-11-01" or "2026-11-01T09:00:00Z".',
        )
    return moment


def filter_instant(moment: datetime) -> str:
    """An instant as Attio's timestamp filters want it: full date and time, UTC, milliseconds."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def stamp(moment: datetime) -> str:
    """An instant as output shows it: UTC, milliseconds only when there are any (``2026-11-19T20:02:00Z``)."""
    millis = moment.microsecond // 1000
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S") + (f".{millis:03d}Z" if millis else "Z")


@dataclass(frozen=True)
class Period:
    """``start <= t < end`` (``end`` None: up to now and beyond); ``label`` is what a report shows."""

    start: datetime
    end: datetime | None
    label: str

    def __contains__(self, moment: object) -> bool:
        return (
            isinstance(moment, datetime) and self.start <= moment and (self.end is None or moment < self.end)
        )


def _day(text: str) -> datetime:
    return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)


def _span(start: datetime, end: datetime) -> Period:
    last = (end - timedelta(days=1)).date().isoformat()
    return Period(start, end, f"{start.date().isoformat()}..{last}")


def _month_start(year: int, month: int) -> datetime:
    return datetime(year + (month - 1) // 12, (month - 1) % 12 + 1, 1, tzinfo=UTC)


def parse_period(text: str | None, now: datetime, field: str = "period") -> Period:
    """``2026``, ``2026-Q4``, ``2026-11``, ``2026-10-01..2026-11-30`` (inclusive) or ``30d`` (the last 30
    days up to now); None means the last 90 days."""
    raw = (text or DEFAULT_PERIOD).strip()
    try:
        if match := _DAYS.match(raw):
            days = int(match.group(1))
            if 1 <= days <= MAX_DAYS:
                start = now - timedelta(days=days)
                return Period(start, None, f"{start.date().isoformat()}..{now.date().isoformat()}")
        elif match := _YEAR.match(raw):
            year = int(match.group(1))
            return _span(datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC))
        elif match := _QUARTER.match(raw):
            year, quarter = int(match.group(1)), int(match.group(2))
            first = 3 * (quarter - 1) + 1
            return _span(_month_start(year, first), _month_start(year, first + 3))
        elif match := _MONTH.match(raw):
            year, month = int(match.group(1)), int(match.group(2))
            if 1 <= month <= 12:
                return _span(_month_start(year, month), _month_start(year, month + 1))
        elif match := _RANGE.match(raw):
            start, last = _day(match.group(1)), _day(match.group(2))
            if start <= last:
                return _span(start, last + timedelta(days=1))
    except ValueError:  # a date that does not exist (2026-02-30), or a year out of range
        pass
    raise WorkspaceError(
        "VALIDATION_ERROR",
        f"{raw!r} is not a period",
        field=field,
        options=list(PERIOD_FORMS),
        next_step=f"pass a year, quarter, month, an inclusive date range or the last N days (1-{MAX_DAYS}d).",
    )


def bucket_label(value: object, bucket: str) -> str | None:
    """The bucket an Attio date or timestamp falls in (UTC), or None when ``value`` is not one."""
    moment = parse_moment(value)
    if moment is None:
        return None
    if bucket == "day":
        return moment.date().isoformat()
    if bucket == "week":
        year, week, _ = moment.isocalendar()
        return f"{year}-W{week:02d}"
    if bucket == "month":
        return f"{moment.year}-{moment.month:02d}"
    if bucket == "quarter":
        return f"{moment.year}-Q{(moment.month - 1) // 3 + 1}"
    if bucket == "year":
        return f"{moment.year}"
    raise ValueError(f"unknown bucket {bucket!r}")
