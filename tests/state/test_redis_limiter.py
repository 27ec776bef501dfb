"""The Redis token bucket against a real redis-server: shared by clients and processes, hashed keys,
429 pauses every replica honours, and the per-process fallback while Redis is away."""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import anyio
import httpx
import pytest
import redis.asyncio as aioredis

from attio_mcp.attio import AttioClient, RateLimitError
from attio_mcp.state import RedisHealth, RedisLimiter, bucket_key, pause_key
from attio_mcp.state.connection import connect
from tests.redis_server import RedisServer, free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(redis_url)
    yield client
    await client.aclose()


async def redis_now(client: aioredis.Redis) -> float:
    seconds, micros = await client.time()
    return float(seconds) + float(micros) / 1_000_000


def limiter_for(
    client: aioredis.Redis,
    token: str,
    *,
    writes: float = 20,
    health: RedisHealth | None = None,
    sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
) -> RedisLimiter:
    return RedisLimiter(
        client,
        token,
        reads_per_second=100,
        writes_per_second=writes,
        burst=2,
        health=health or RedisHealth("test"),
        sleep=sleep,
    )


@pytest.mark.anyio
async def test_independent_clients_share_one_bucket(redis_url: str, redis_client: aioredis.Redis) -> None:
    token, rate, seconds = secrets.token_hex(16), 25.0, 1.5
    clients = [aioredis.Redis.from_url(redis_url) for _ in range(4)]  # four connection pools: four replicas
    healths = [RedisHealth("test") for _ in clients]
    limiters = [limiter_for(c, token, writes=rate, health=h) for c, h in zip(clients, healths, strict=True)]
    granted = [0] * len(limiters)
    start = await redis_now(redis_client)
    deadline = anyio.current_time() + seconds

    async def caller(index: int) -> None:
        while anyio.current_time() < deadline:
            await limiters[index].acquire("write")
            granted[index] += 1

    async with anyio.create_task_group() as tg:
        for index in range(len(limiters)):
            for _ in range(3):
                tg.start_soon(caller, index)
    end = await redis_now(redis_client)
    for client in clients:
        await client.aclose()

    total = sum(granted)
    ceiling = rate * (end - start) + 2  # the bucket starts full (burst 2) and refills at the rate
    assert total <= ceiling, (granted, end - start)
    assert total >= 0.5 * rate * seconds, (granted, end - start)  # generous: nobody is starved for long
    assert all(n > 0 for n in granted)  # every replica got a share
    assert [h.outages for h in healths] == [0, 0, 0, 0]


def test_processes_share_one_bucket(redis_url: str) -> None:
    """Three OS processes, five callers each, one bucket: together no more than rate x time + burst."""
    import redis as syncredis

    client = syncredis.Redis.from_url(redis_url)
    token, run, rate, seconds, count = secrets.token_hex(16), secrets.token_hex(4), 20.0, 2.0, 3
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [
        sys.executable,
        "-m",
        "tests.state._bucket_worker",
        redis_url,
        token,
        str(rate),
        str(seconds),
        run,
    ]
    processes = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True) for _ in range(count)
    ]
    try:
        while int(client.get(f"test:{run}:ready") or 0) < count:
            assert all(p.poll() is None for p in processes), "a worker died before it was ready"
            time.sleep(0.02)
        seconds_now, micros = client.time()
        start = seconds_now + micros / 1_000_000
        client.set(f"test:{run}:go", 1)
        outputs = [p.communicate(timeout=60)[0].split() for p in processes]
        seconds_now, micros = client.time()
        end = seconds_now + micros / 1_000_000
    finally:
        for p in processes:
            if p.poll() is None:
                p.kill()
        client.close()
    assert all(p.returncode == 0 for p in processes)
    granted = [int(out[0]) for out in outputs]
    assert [int(out[1]) for out in outputs] == [0] * count  # Redis answered throughout
    total = sum(granted)
    assert total <= rate * (end - start) + 2, (granted, end - start)
    # Each process alone would take rate x seconds; three unshared buckets would take about three times that.
    assert total >= 0.5 * rate * seconds, (granted, end - start)
    assert all(n > 0 for n in granted)


@pytest.mark.anyio
async def test_keys_carry_the_token_hash_never_the_token(redis_client: aioredis.Redis) -> None:
    token = "attio-token-" + secrets.token_hex(16)
    limiter = limiter_for(redis_client, token)
    await limiter.acquire("write")
    await limiter.acquire("read")
    await limiter.pause("read", 5)
    digest = hashlib.sha256(token.encode()).hexdigest()
    keys = sorted(
        k.decode() if isinstance(k, bytes) else k for k in await redis_client.keys(f"attio-mcp:rl:{digest}:*")
    )
    assert keys == [
        f"attio-mcp:rl:{digest}:read",
        f"attio-mcp:rl:{digest}:read:pause",
        f"attio-mcp:rl:{digest}:write",
    ]
    assert bucket_key(token, "write") == f"attio-mcp:rl:{digest}:write"
    for key in await redis_client.keys("*"):
        assert token.encode() not in key
        kind = await redis_client.type(key)
        values = (
            list((await redis_client.hgetall(key)).values())
            if kind == b"hash"
            else [await redis_client.get(key)]
        )
        assert all(token.encode() not in (v or b"") for v in values)
    # The bucket expires once it would be full again: idle tokens leave nothing behind.
    assert 0 < await redis_client.pttl(bucket_key(token, "write")) <= 2 * 1000 / 20 + 1000


@pytest.mark.anyio
async def test_a_pause_holds_back_another_replica(redis_url: str, redis_client: aioredis.Redis) -> None:
    token = secrets.token_hex(16)
    other = aioredis.Redis.from_url(redis_url)
    waits: list[float] = []

    async def recording_sleep(seconds: float) -> None:
        waits.append(seconds)
        await anyio.sleep(seconds)

    first = limiter_for(redis_client, token)
    second = limiter_for(other, token, sleep=recording_sleep)
    await first.pause("write", 2.0)
    assert 0 < await other.pttl(pause_key(token, "write")) <= 2000
    # The bucket's queue now starts when the pause ends, and the saved burst (2) is gone.
    bucket = await other.hgetall(bucket_key(token, "write"))
    assert float(bucket[b"tokens"]) == 0
    assert float(bucket[b"ts"]) > await redis_now(other) + 1.0
    await second.acquire("write")
    assert waits and 1.0 < waits[0] <= 2.0 + 1 / 20  # the rest of the pause, then the first slot after it
    # Reads are not paused by a write 429.
    waits.clear()
    await second.acquire("read")
    assert waits == []
    # A shorter pause never cuts a longer one.
    await first.pause("write", 30)
    await first.pause("write", 0.1)
    assert await other.pttl(pause_key(token, "write")) > 20_000
    await other.aclose()


@pytest.mark.anyio
async def test_attio_429_with_retry_after_pauses_every_replica(
    redis_url: str, redis_client: aioredis.Redis
) -> None:
    """Replica A gets Attio's 429 (Retry-After as an HTTP date); replica B, on its own Redis connection,
    waits out that pause before sending anything."""
    api_key = "attio-key-" + secrets.token_hex(8)
    now = datetime.now(UTC).replace(microsecond=0)

    def throttled(request: httpx.Request) -> httpx.Response:
        headers = {"Date": format_datetime(now, usegmt=True)}
        headers["Retry-After"] = format_datetime(now + timedelta(seconds=2), usegmt=True)
        return httpx.Response(429, json={"status_code": 429, "type": "rate_limit_error"}, headers=headers)

    sent: list[float] = []

    def ok(request: httpx.Request) -> httpx.Response:
        sent.append(anyio.current_time())
        note = {"id": {"workspace_id": "w", "note_id": "n"}, "parent_object": "people", "title": "t"}
        return httpx.Response(200, json={"data": note})

    other = aioredis.Redis.from_url(redis_url)
    waits: list[float] = []

    async def recording_sleep(seconds: float) -> None:
        waits.append(seconds)
        await anyio.sleep(seconds)

    replica_a = AttioClient(
        api_key=api_key,
        transport=httpx.MockTransport(throttled),
        max_attempts=1,
        limiter=limiter_for(redis_client, api_key),
    )
    replica_b = AttioClient(
        api_key=api_key,
        transport=httpx.MockTransport(ok),
        limiter=limiter_for(other, api_key, sleep=recording_sleep),
    )
    async with replica_a, replica_b:
        with pytest.raises(RateLimitError):
            await replica_a.create_note(parent_object="people", parent_record_id="r1", title="t", content="c")
        remaining = await redis_client.pttl(pause_key(api_key, "write"))
        assert 1000 < remaining <= 2000
        await replica_b.create_note(parent_object="people", parent_record_id="r1", title="t", content="c")
    assert waits and waits[0] > 0.9  # B slept on the pause A's 429 set, before its request went out
    assert len(sent) == 1
    await other.aclose()


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    """A redis-server this test may stop and start again (same port)."""
    server = RedisServer()
    server.start()
    yield server
    server.close()


@pytest.mark.anyio
async def test_redis_stopped_mid_run_falls_back_then_recovers(
    own_redis: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    token = secrets.token_hex(16)
    client = connect(own_redis.url)
    health = RedisHealth("test", retry_seconds=0.3)
    limiter = limiter_for(client, token, writes=200, health=health)
    caplog.set_level(logging.INFO, logger="attio_mcp.state")

    for _ in range(5):
        await limiter.acquire("write")
    assert await client.exists(bucket_key(token, "write")) == 1
    assert not health.down

    own_redis.stop()
    served = 0
    with anyio.fail_after(20):
        for _ in range(300):  # about 1.5 s at 200/s from the per-process bucket: several retry windows
            await limiter.acquire("write")
            served += 1
    assert served == 300
    assert health.down and health.outages == 1
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and r.name == "attio_mcp.state"]
    assert len(warnings) == 1  # one warning for the outage, not one per request or per retry
    assert "not answering" in warnings[0].getMessage()

    own_redis.start()  # same port, empty: the bucket comes back when Redis answers again
    with anyio.fail_after(20):
        while health.down:
            await limiter.acquire("write")
            await anyio.sleep(0.01)
    assert await client.exists(bucket_key(token, "write")) == 1
    assert health.outages == 1
    assert any("answers again" in r.getMessage() for r in caplog.records if r.levelno == logging.INFO)
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1
    await client.aclose()


@pytest.mark.anyio
async def test_redis_down_at_start_serves_with_the_local_bucket(caplog: pytest.LogCaptureFixture) -> None:
    client = connect(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    health = RedisHealth("test", retry_seconds=60)
    limiter = limiter_for(client, secrets.token_hex(16), writes=1000, health=health)
    caplog.set_level(logging.INFO, logger="attio_mcp.state")
    with anyio.fail_after(20):
        for _ in range(50):
            await limiter.acquire("write")
            await limiter.acquire("read")
        await limiter.pause("write", 1)
    assert health.down and health.outages == 1
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1
    await client.aclose()


@pytest.mark.anyio
async def test_waiters_on_different_replicas_get_distinct_slots_in_order(redis_url: str) -> None:
    """An empty bucket hands each caller the next free slot, one token interval apart, in the order asked."""
    token, rate = secrets.token_hex(16), 2.0
    clients = [aioredis.Redis.from_url(redis_url) for _ in range(5)]
    waits: list[list[float]] = [[] for _ in clients]

    def recorder(index: int) -> Callable[[float], Awaitable[None]]:
        async def sleep(seconds: float) -> None:
            waits[index].append(seconds)
            await anyio.sleep(seconds)

        return sleep

    limiters = [limiter_for(c, token, writes=rate, sleep=recorder(i)) for i, c in enumerate(clients)]
    async with anyio.create_task_group() as tg:
        for limiter in limiters:  # asked one after another, then all wait together
            tg.start_soon(limiter.acquire, "write")
            await anyio.sleep(0.005)
    # Burst 2: the first two go at once; the others wait for slots 0.5 s apart (one script call each).
    assert waits[0] == [] and waits[1] == []
    slots = [w[0] for w in waits[2:]]
    assert [len(w) for w in waits[2:]] == [1, 1, 1]
    assert slots == sorted(slots)
    # The slots are 0.5 s apart, so the waits differ by 0.5 s less the time between the two asks.
    assert all(0 < b - a <= 0.5 + 1e-5 for a, b in zip(slots, slots[1:], strict=False))
    for client in clients:
        await client.aclose()


@pytest.mark.anyio
async def test_a_slot_inside_a_new_pause_queues_again(redis_client: aioredis.Redis) -> None:
    token = secrets.token_hex(16)
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        await anyio.sleep(seconds)

    limiter = limiter_for(redis_client, token, writes=2, sleep=sleep)
    await limiter.acquire("write")
    await limiter.acquire("write")  # the burst is spent: the next caller gets a slot 0.5 s away
    async with anyio.create_task_group() as tg:
        tg.start_soon(limiter.acquire, "write")
        await anyio.sleep(0.05)
        await limiter.pause("write", 0.8)  # a 429 elsewhere, while the caller sleeps towards its slot
    assert len(waits) == 2, waits
    assert waits[0] <= 0.5 and waits[1] > 0.2  # woke inside the pause, then took a slot after it


@pytest.mark.anyio
async def test_a_pause_costs_its_length_once_however_long_the_queue(redis_client: aioredis.Redis) -> None:
    """The slot after a pause comes after both the pause and the slots already handed out, not after
    their sum: a queue longer than the pause keeps its pace, a shorter one resumes when the pause ends."""
    waits: list[float] = []
    stop_after_sleep = False

    class Stop(Exception):
        pass

    async def record(seconds: float) -> None:  # the caller 'wakes' at once: only the script's answers matter
        waits.append(seconds)
        if stop_after_sleep:
            raise Stop  # (it would wake inside the pause and queue again, which a test of its own covers)

    for pause, expected in ((1.5, 5.5), (15.0, 15.5)):
        limiter = limiter_for(redis_client, secrets.token_hex(16), writes=2, sleep=record)
        for _ in range(12):  # burst 2, then ten slots 0.5 s apart: a queue of 5 s
            await limiter.acquire("write")
        assert len(waits) == 10 and 4.5 < waits[-1] <= 5.0
        await limiter.pause("write", pause)
        stop_after_sleep = True
        with pytest.raises(Stop):
            await limiter.acquire("write")
        stop_after_sleep = False
        # After the queue (5 s) or after the pause (15 s), whichever is later, plus the caller's own slot.
        assert expected - 0.5 < waits[-1] <= expected, (pause, waits[-1])
        waits.clear()
