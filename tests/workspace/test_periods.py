"""workspace.periods: since instants, report periods and date buckets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from attio_mcp.workspace import WorkspaceError
from attio_mcp.workspace.periods import bucket_label, filter_instant, parse_instant, parse_period, stamp

NOW = datetime(2026, 11, 30, 16, 45, tzinfo=UTC)


def day(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "start", "end", "label"),
    [
        ("2026", "2026-01-01", "2027-01-01", "2026-01-01..2026-12-31"),
        ("2026-Q4", "2026-10-01", "2027-01-01", "2026-10-01..2026-12-31"),
        ("2026-q1", "2026-01-01", "2026-04-01", "2026-01-01..2026-03-31"),
        ("2026-02", "2026-02-01", "2026-03-01", "2026-02-01..2026-02-28"),
        ("2026-12", "2026-12-01", "2027-01-01", "2026-12-01..2026-12-31"),
        ("2026-10-05..2026-10-05", "2026-10-05", "2026-10-06", "2026-10-05..2026-10-05"),
        (" 2026-09-01 .. 2026-11-30 ", "2026-09-01", "2026-12-01", "2026-09-01..2026-11-30"),
    ],
)
def test_calendar_periods(text: str, start: str, end: str, label: str) -> None:
    period = parse_period(text, NOW)
    assert (period.start, period.end, period.label) == (day(start), day(end), label)
    assert day(start) in period and day(end) - timedelta(microseconds=1) in period
    assert day(end) not in period and day(start) - timedelta(microseconds=1) not in period


def test_last_days_and_default() -> None:
    period = parse_period("30d", NOW)
    assert period.start == NOW - timedelta(days=30) and period.end is None
    assert (
        NOW in period
        and NOW + timedelta(days=1) in period
        and period.start - timedelta(seconds=1) not in period
    )
    assert parse_period(None, NOW).start == parse_period("", NOW).start == NOW - timedelta(days=90)
    assert parse_period("7D", NOW).label == "2026-11-23..2026-11-30"


@pytest.mark.parametrize(
    "text",
    [
        "last week",
        "2026-13",
        "2026-Q5",
        "0d",
        "3651d",
        "2026-02-30..2026-03-01",
        "2026-11-30..2026-11-01",
        "Q4",
    ],
)
def test_bad_periods_say_which_forms_work(text: str) -> None:
    with pytest.raises(WorkspaceError) as caught:
        parse_period(text, NOW)
    error = caught.value
    assert (error.code, error.field) == ("VALIDATION_ERROR", "period")
    assert "2026-Q4" in error.options and "30d" in error.options


def test_instants() -> None:
    assert parse_instant("2026-11-01", "since") == day("2026-11-01")
    assert parse_instant("2026-11-01T09:30:00+02:00", "since") == datetime(2026, 11, 1, 7, 30, tzinfo=UTC)
    assert parse_instant("2026-11-01T09:30:00.123456789Z", "since").microsecond == 123456
    for bad in ("yesterday", "2026-11-31", "11/01/2026"):
        with pytest.raises(WorkspaceError) as caught:
            parse_instant(bad, "since")
        assert caught.value.field == "since"
    assert filter_instant(datetime(2026, 11, 1, 7, 30, 5, 123999, tzinfo=UTC)) == "2026-11-01T07:30:05.123Z"
    assert stamp(datetime(2026, 11, 1, 7, 30, tzinfo=UTC)) == "2026-11-01T07:30:00Z"
    assert stamp(datetime(2026, 11, 1, 7, 30, 0, 5000, tzinfo=UTC)) == "2026-11-01T07:30:00.005Z"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            "2026-12-31",
            {
                "day": "2026-12-31",
                "week": "2026-W53",
                "month": "2026-12",
                "quarter": "2026-Q4",
                "year": "2026",
            },
        ),
        (
            "2027-01-01",
            {
                "day": "2027-01-01",
                "week": "2026-W53",
                "month": "2027-01",
                "quarter": "2027-Q1",
                "year": "2027",
            },
        ),
        ("2026-04-01T23:30:00.000000000Z", {"day": "2026-04-01", "week": "2026-W14", "quarter": "2026-Q2"}),
        ("2026-04-01T23:30:00-02:00", {"day": "2026-04-02", "month": "2026-04"}),  # buckets are UTC
    ],
)
def test_buckets(value: str, expected: dict[str, str]) -> None:
    for bucket, label in expected.items():
        assert bucket_label(value, bucket) == label
    assert bucket_label(None, "day") is None and bucket_label("soon", "month") is None
