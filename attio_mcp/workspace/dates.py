"""Dates in words, read against the UTC clock: the small documented set a model may write for a date.

Understood (case-insensitive), always in UTC:

- ``today``, ``tomorrow``, ``yesterday``, ``now``;
- a weekday name (``friday``, ``fri``), optionally after ``next`` or ``this``: the next such day after today
  (never today itself);
- ``in N days`` / ``weeks`` / ``months``, ``N days from now``, ``N days ago`` (N in digits, or one to ten);
- ``next week`` (7 days from today), ``next month`` (the same day next month, or its last day);
- any of these followed by a time of day: ``tomorrow 15:00``, ``friday at 9am``, ``today at 2:30pm``.

Nothing else is guessed: ``"end of quarter"`` or ``"soon"`` is refused, and the error says today's date.
``utc_now`` is the one clock; tests replace it (``monkeypatch.setattr(dates, "utc_now", …)``) or pass
``now`` explicitly.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, time, timedelta

__all__ = ["DATE_WORDS", "parse_words", "today_is", "utc_now"]

DATE_WORDS = "today, tomorrow, yesterday, a weekday, 'in 3 days', 'next week'"

_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAYS = {name: i for i, name in enumerate(_DAY_NAMES)} | {
    name[:3]: i for i, name in enumerate(_DAY_NAMES)
}
_WEEKDAYS |= {"tues": 1, "thur": 3, "thurs": 3}
_NUMBERS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten".split())}
_NUMBERS |= {"a": 1, "an": 1}
_UNIT_DAYS = {"day": 1, "week": 7}
_TIME = re.compile(r"^(?:at\s+)?(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$")
_SPAN = re.compile(r"^(?:in\s+)?(\w+)\s+(day|week|month)s?(?:\s+(from now|ago|later))?$")


def utc_now() -> datetime:
    """The current time in UTC (the clock every date in words is read against)."""
    return datetime.now(UTC)


def today_is(now: datetime | None = None) -> str:
    """``"today is Monday 2026-11-30 (UTC)"``, for errors about dates."""
    moment = now or utc_now()
    return f"today is {_DAY_NAMES[moment.weekday()].title()} {moment.date().isoformat()} (UTC)"


def _add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _day(words: str, now: datetime) -> tuple[date, time | None] | None:
    today = now.date()
    if words == "now":
        return today, now.time().replace(microsecond=0)
    fixed = {"today": 0, "tomorrow": 1, "yesterday": -1, "next week": 7}
    if words in fixed:
        return today + timedelta(days=fixed[words]), None
    if words == "next month":
        return _add_months(today, 1), None
    name = re.sub(r"^(next|this|on|coming)\s+", "", words)
    if name in _WEEKDAYS:
        ahead = (_WEEKDAYS[name] - today.weekday() - 1) % 7 + 1
        return today + timedelta(days=ahead), None
    span = _SPAN.match(words)
    if span is None:
        return None
    count_text, unit, direction = span.groups()
    count = int(count_text) if count_text.isdigit() else _NUMBERS.get(count_text)
    if count is None or (direction is None and not words.startswith("in ")):
        return None
    sign = -1 if direction == "ago" else 1
    if words.startswith("in ") and direction == "ago":
        return None
    if unit == "month":
        return _add_months(today, sign * count), None
    return today + timedelta(days=sign * count * _UNIT_DAYS[unit]), None


def _clock_time(text: str) -> time | None:
    match = _TIME.match(text.strip())
    if match is None:
        return None
    hour, minute, half = int(match[1]), int(match[2] or 0), match[3]
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59 or (match[2] is None and half is None):
        return None  # a bare number is not a time: "in 3" is not "at 3"
    return time(hour, minute)


def parse_words(text: str, now: datetime | None = None) -> tuple[date, time | None] | None:
    """The UTC day (and time of day, if one was given) that ``text`` names in words, or None if it is not
    one of the documented forms. ISO dates are not parsed here."""
    words = re.sub(r"\s+", " ", text.strip().lower())
    if not words or (words[0].isdigit() and not re.search(r"(day|week|month)s?\b", words)):
        return None  # an ISO date or a number: not words
    moment = now or utc_now()
    found = _day(words, moment)
    if found is not None:
        return found
    # "<day words> [at] <time>": try each split point from the right
    parts = words.split(" ")
    for cut in range(len(parts) - 1, 0, -1):
        head, tail = " ".join(parts[:cut]), " ".join(parts[cut:])
        clock = _clock_time(tail)
        if clock is None:
            continue
        day = _day(head, moment)
        if day is not None and day[1] is None:
            return day[0], clock
    return None
