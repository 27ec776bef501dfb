"""The Attio client's limiter seam: every request asks the injected limiter first, by traffic class, and a
429's Retry-After reaches it as a pause; without one the client keeps its in-process buckets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from attio_mcp.attio import AttioClient, Kind, LocalLimiter, RateLimitError


class RecordingLimiter:
    def __init__(self) -> None:
        self.events: list[tuple[str, Kind, float | None]] = []

    async def acquire(self, kind: Kind) -> None:
        self.events.append(("acquire", kind, None))

    async def pause(self, kind: Kind, seconds: float) -> None:
        self.events.append(("pause", kind, seconds))


async def _no_sleep(seconds: float) -> None:
    return None


@pytest.mark.anyio
async def test_reads_and_writes_ask_the_injected_limiter() -> None:
    limiter = RecordingLimiter()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(200, json={"data": []})
        note = {"id": {"workspace_id": "w", "note_id": "n"}, "parent_object": "people", "title": "t"}
        return httpx.Response(200, json={"data": note})

    async with AttioClient(api_key="k", transport=httpx.MockTransport(handler), limiter=limiter) as attio:
        await attio.list_objects()
        await attio.create_note(parent_object="people", parent_record_id="r", title="t", content="c")
    assert limiter.events == [("acquire", "read", None), ("acquire", "write", None)]


@pytest.mark.anyio
async def test_a_429_pauses_the_limiter_for_the_servers_delay_then_retries() -> None:
    limiter = RecordingLimiter()
    now = datetime(2026, 1, 5, 12, 0, 0, tzinfo=UTC)
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            headers = {
                "Date": format_datetime(now, usegmt=True),
                "Retry-After": format_datetime(now + timedelta(seconds=3), usegmt=True),
            }
            return httpx.Response(429, json={"status_code": 429}, headers=headers)
        if calls == 2:
            return httpx.Response(429, json={"status_code": 429})  # no Retry-After: no shared pause
        return httpx.Response(200, json={"data": []})

    async with AttioClient(
        api_key="k", transport=httpx.MockTransport(handler), limiter=limiter, sleep=_no_sleep
    ) as attio:
        await attio.list_objects()
    assert limiter.events == [
        ("acquire", "read", None),
        ("pause", "read", 3.0),
        ("acquire", "read", None),
        ("acquire", "read", None),
    ]


@pytest.mark.anyio
async def test_a_429_on_a_write_pauses_writes_even_when_not_retried() -> None:
    limiter = RecordingLimiter()

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, json={"status_code": 429}, headers={"Retry-After": "7"})

    async with AttioClient(
        api_key="k", transport=httpx.MockTransport(handler), limiter=limiter, max_attempts=1
    ) as attio:
        with pytest.raises(RateLimitError):
            await attio.create_note(parent_object="people", parent_record_id="r", title="t", content="c")
    assert limiter.events == [("acquire", "write", None), ("pause", "write", 7.0)]


@pytest.mark.anyio
async def test_without_a_limiter_the_in_process_buckets_are_used() -> None:
    clock = [0.0]

    async def sleep(seconds: float) -> None:
        clock[0] += seconds

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"data": []})

    async with AttioClient(
        api_key="k",
        transport=httpx.MockTransport(handler),
        reads_per_second=10,
        clock=lambda: clock[0],
        sleep=sleep,
    ) as attio:
        for _ in range(5):
            await attio.list_objects()
        # Burst 2, then one every 1/10 s: three waits on the fake clock.
        assert clock[0] == pytest.approx(0.3)
        assert attio._core.reads.available() == pytest.approx(0.0)


@pytest.mark.anyio
async def test_local_limiter_alone() -> None:
    now = [0.0]

    async def sleep(seconds: float) -> None:
        now[0] += seconds

    limiter = LocalLimiter(
        reads_per_second=100, writes_per_second=4, burst=1, clock=lambda: now[0], sleep=sleep
    )
    await limiter.pause("write", 10)  # in one process the 429's own retry delay does the spacing
    for _ in range(3):
        await limiter.acquire("write")
    assert now[0] == pytest.approx(0.5)
    await limiter.acquire("read")
    assert now[0] == pytest.approx(0.5)
