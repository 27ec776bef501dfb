"""Token-bucket spacing, measured on a fake clock."""

from __future__ import annotations

import math
from collections.abc import Callable

import anyio
import httpx
import pytest

from attio_mcp.attio import AttioClient
from attio_mcp.attio._http import BURST
from attio_mcp.attio._limiter import TokenBucket

from .conftest import FakeClock, Recorder, ok


def bucket(clock: FakeClock, rate: float) -> TokenBucket:
    return TokenBucket(rate, clock=clock, sleep=clock.sleep)


@pytest.mark.anyio
async def test_burst_then_steady_rate(clock: FakeClock) -> None:
    writes = bucket(clock, 25)
    start = clock.now
    for _ in range(25):
        await writes.acquire()
    assert clock.now == start  # a full bucket allows one second of burst
    for _ in range(5):
        await writes.acquire()
    assert clock.now - start == pytest.approx(5 / 25)


@pytest.mark.anyio
async def test_concurrent_tasks_are_spaced(clock: FakeClock) -> None:
    writes = bucket(clock, 25)
    start = clock.now
    stamps: list[float] = []

    async def one() -> None:
        await writes.acquire()
        stamps.append(clock.now)

    async with anyio.create_task_group() as tg:
        for _ in range(30):
            tg.start_soon(one)
    assert len(stamps) == 30
    assert clock.now - start >= 0.2 - 1e-9
    late = sorted(stamps)[25:]
    gaps = [b - a for a, b in zip(late, late[1:], strict=False)]
    assert all(gap == pytest.approx(1 / 25) for gap in gaps)


@pytest.mark.anyio
async def test_refills_while_idle(clock: FakeClock) -> None:
    reads = bucket(clock, 10)
    for _ in range(10):
        await reads.acquire()
    assert reads.available() == pytest.approx(0)
    clock.now += 0.5
    assert reads.available() == pytest.approx(5)
    clock.now += 10
    assert reads.available() == pytest.approx(10)  # never beyond capacity


@pytest.mark.anyio
async def test_unlimited_rate_never_sleeps(clock: FakeClock) -> None:
    free = bucket(clock, math.inf)
    for _ in range(1000):
        await free.acquire()
    assert clock.sleeps == []


def test_invalid_rate_rejected(clock: FakeClock) -> None:
    with pytest.raises(ValueError):
        bucket(clock, 0)


@pytest.mark.anyio
async def test_client_writes_are_spaced_and_reads_independent(
    make_client: Callable[..., AttioClient], clock: FakeClock
) -> None:
    rec = Recorder([ok({"id": {"record_id": "r"}})])
    async with make_client(rec, reads_per_second=100, writes_per_second=25) as attio:
        start = clock.now
        for _ in range(30):
            await attio.create_record("people", {"name": "x"})
        write_time = clock.now - start
        # A burst of BURST tokens, then the steady 25/s.
        assert write_time == pytest.approx((30 - BURST) / 25)
        # The read bucket is untouched by all those writes: 100 reads take what they would alone.
        before_reads = clock.now
        for _ in range(100):
            await attio.get_record("people", "r")
        assert clock.now - before_reads == pytest.approx((100 - BURST) / 100)
        # Query POSTs draw from the read bucket too.
        await attio.query_records("people", limit=1)
        assert clock.now - before_reads == pytest.approx((100 - BURST + 1) / 100)
    assert rec.count == 131


@pytest.mark.anyio
async def test_request_read_flag_selects_bucket(
    make_client: Callable[..., AttioClient], clock: FakeClock
) -> None:
    rec = Recorder([httpx.Response(200, json={})])
    async with make_client(rec, reads_per_second=2, writes_per_second=2) as attio:
        for _ in range(2):
            await attio._core.request("POST", "/v2/x", json={}, idempotent=True, read=True)
        assert clock.sleeps == []
        for _ in range(2):
            await attio._core.request("POST", "/v2/x", json={}, idempotent=False, read=False)
        assert clock.sleeps == []
        await attio._core.request("POST", "/v2/x", json={}, idempotent=False, read=False)
        assert clock.sleeps == [pytest.approx(0.5)]
