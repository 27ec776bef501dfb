"""Retry-After parsing, backoff and the retry decision table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from attio_mcp.attio._retry import backoff, parse_retry_after, rate_limit_delay, retry_at_from, should_retry

NOW = datetime(2023, 5, 23, 14, 42, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Tue, 23 May 2023 14:42:01 GMT", 1.0),  # Attio's form: an HTTP-date, usually the next second
        ("Tue, 23 May 2023 14:42:30 GMT", 30.0),
        ("Tue, 23 May 2023 14:41:00 GMT", 0.0),  # in the past: retry now
        ("Tue, 23 May 2023 15:42:00 GMT", 60.0),  # capped
        ("Tue, 23 May 2023 14:42:05 -0000", 5.0),  # naive date read as UTC
        ("2", 2.0),
        ("0", 0.0),
        ("1.5", 1.5),
        (" 7 ", 7.0),
        ("3600", 60.0),  # capped
        ("-1", None),
        ("nan", None),
        ("inf", None),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, NOW) == expected


def test_parse_retry_after_custom_cap() -> None:
    assert parse_retry_after("3600", NOW, cap=5000) == 3600.0


def test_retry_at_is_absolute_and_uncapped() -> None:
    assert retry_at_from("Tue, 23 May 2023 15:42:00 GMT", NOW) == NOW + timedelta(hours=1)
    assert retry_at_from("5", NOW) == NOW + timedelta(seconds=5)
    assert retry_at_from("junk", NOW) is None


def test_backoff_grows_exponentially_with_bounded_jitter() -> None:
    no_jitter = [backoff(n, random=lambda: 0.0) for n in range(1, 8)]
    assert no_jitter == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    full_jitter = [backoff(n, random=lambda: 1.0) for n in range(1, 8)]
    assert all(0.75 * a == b for a, b in zip(no_jitter, full_jitter, strict=True))
    assert backoff(10_000, random=lambda: 0.0) == 8.0


def test_rate_limit_delay_adds_jitter_to_server_delay() -> None:
    assert rate_limit_delay(1.0, random=lambda: 0.0) == 1.0
    assert rate_limit_delay(1.0, random=lambda: 1.0) == 1.25
    assert rate_limit_delay(None, random=lambda: 0.0) == 1.0


@pytest.mark.parametrize(
    ("status", "code", "idempotent", "expected"),
    [
        (429, "rate_limit_exceeded", False, True),
        (429, "rate_limit_exceeded", True, True),
        (500, None, True, True),
        (503, None, True, True),
        (503, None, False, False),
        (None, None, True, True),  # timeout / connection failure
        (None, None, False, False),
        (409, "concurrent_write_conflict", True, True),
        (409, "concurrent_write_conflict", False, False),
        (409, "slug_conflict", True, False),
        (400, "uniqueness_conflict", True, False),
        (400, "validation_type", True, False),
        (401, "unauthorized", True, False),
        (404, "not_found", True, False),
    ],
)
def test_should_retry(status: int | None, code: str | None, idempotent: bool, expected: bool) -> None:
    assert should_retry(status, code, idempotent) is expected
