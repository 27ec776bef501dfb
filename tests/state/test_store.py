"""The state store: memory and Redis behave alike (TTL, one-time take, delete); Redis values are sealed."""

from __future__ import annotations

import json
import secrets
from collections.abc import AsyncIterator
from typing import Any

import anyio
import pytest
import redis.asyncio as aioredis

from attio_mcp.state import MemoryStore, RedisStore, Sealer, StateDecryptError, StateStore
from attio_mcp.state.store import STORE_PREFIX
from tests.clocks import FakeClock

STATE_KEY = "a-test-state-key-" + "x" * 16


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(redis_url)
    yield client
    await client.aclose()


@pytest.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest, redis_client: aioredis.Redis) -> StateStore:
    if request.param == "memory":
        return MemoryStore()
    # A prefix of its own per test: tests share one redis-server and never flush it.
    return RedisStore(redis_client, Sealer(STATE_KEY), prefix=f"{STORE_PREFIX}{secrets.token_hex(4)}:")


@pytest.mark.anyio
async def test_put_get_delete_take(store: StateStore) -> None:
    grant = {"user": "u1", "scopes": ["record:read"], "attio": {"access_token": "at-1"}}
    assert await store.get("grant:1") is None
    await store.put("grant:1", grant)
    await store.put("grant:2", {"n": 2})
    assert await store.get("grant:1") == grant
    await store.put("grant:1", {"replaced": True})
    assert await store.get("grant:1") == {"replaced": True}
    assert await store.take("grant:1") == {"replaced": True}
    assert await store.take("grant:1") is None
    assert await store.get("grant:1") is None
    await store.put("grant:3", {"n": 3})
    await store.delete("grant:2", "grant:3", "never-there")
    assert await store.get("grant:2") is None and await store.get("grant:3") is None
    await store.delete()  # no keys: nothing to do


@pytest.mark.anyio
async def test_bad_input_is_refused(store: StateStore) -> None:
    with pytest.raises(ValueError, match="ttl"):
        await store.put("k", {"a": 1}, ttl=0)
    with pytest.raises(ValueError, match="ttl"):
        await store.put("k", {"a": 1}, ttl=float("inf"))
    with pytest.raises(ValueError, match="key"):
        await store.put("", {"a": 1})
    with pytest.raises(TypeError):
        await store.put("k", ["not", "an", "object"])  # type: ignore[arg-type]
    assert await store.get("k") is None


@pytest.mark.anyio
async def test_memory_store_ttl_on_a_fake_clock() -> None:
    clock = FakeClock()
    store = MemoryStore(clock=clock)
    await store.put("code:a", {"v": 1}, ttl=300)
    await store.put("client:b", {"v": 2})  # no ttl: kept
    clock.now += 299.9
    assert await store.get("code:a") == {"v": 1}
    clock.now += 0.2
    assert await store.get("code:a") is None
    assert await store.take("code:a") is None
    assert await store.get("client:b") == {"v": 2}
    await store.put("code:c", {"v": 3}, ttl=1)
    clock.now += 2
    assert len(store) == 1  # expired entries are swept, not only hidden


@pytest.mark.anyio
async def test_redis_store_ttl_is_kept_by_redis(redis_client: aioredis.Redis) -> None:
    store = RedisStore(redis_client, Sealer(STATE_KEY), prefix=f"{STORE_PREFIX}{secrets.token_hex(4)}:")
    await store.put("code:a", {"v": 1}, ttl=1.0)
    await store.put("grant:b", {"v": 2}, ttl=3600)
    await store.put("client:c", {"v": 3})
    assert 0 < await redis_client.pttl(store.redis_key("code:a")) <= 1000
    assert 3_590_000 < await redis_client.pttl(store.redis_key("grant:b")) <= 3_600_000
    assert await redis_client.pttl(store.redis_key("client:c")) == -1  # no expiry
    with anyio.fail_after(5):
        while await redis_client.exists(store.redis_key("code:a")):
            await anyio.sleep(0.05)
    assert await store.get("code:a") is None
    assert await store.get("grant:b") == {"v": 2}


@pytest.mark.anyio
async def test_take_hands_a_one_time_code_to_exactly_one_replica(redis_url: str) -> None:
    """Ten replicas (own connections) race twenty takes each for the same code: one wins, once."""
    clients = [aioredis.Redis.from_url(redis_url) for _ in range(10)]
    prefix = f"{STORE_PREFIX}{secrets.token_hex(4)}:"
    stores = [RedisStore(c, Sealer(STATE_KEY), prefix=prefix) for c in clients]
    for round_ in range(5):
        key = f"code:{round_}"
        await stores[0].put(key, {"round": round_}, ttl=60)
        won: list[dict[str, Any]] = []

        async def racer(store: RedisStore, key: str = key, won: list[dict[str, Any]] = won) -> None:
            for _ in range(20):
                value = await store.take(key)
                if value is not None:
                    won.append(value)

        async with anyio.create_task_group() as tg:
            for store in stores:
                tg.start_soon(racer, store)
        assert won == [{"round": round_}]
    for client in clients:
        await client.aclose()


@pytest.mark.anyio
async def test_memory_take_is_one_time_under_concurrency() -> None:
    store = MemoryStore()
    await store.put("code:x", {"v": 1}, ttl=60)
    won: list[dict[str, Any]] = []

    async def racer() -> None:
        await anyio.sleep(0)
        value = await store.take("code:x")
        if value is not None:
            won.append(value)

    async with anyio.create_task_group() as tg:
        for _ in range(50):
            tg.start_soon(racer)
    assert won == [{"v": 1}]


@pytest.mark.anyio
async def test_redis_holds_ciphertext_bound_to_its_key(redis_client: aioredis.Redis) -> None:
    prefix = f"{STORE_PREFIX}{secrets.token_hex(4)}:"
    store = RedisStore(redis_client, Sealer(STATE_KEY), prefix=prefix)
    secret_token = "attio-access-" + secrets.token_hex(16)
    value = {"attio_access_token": secret_token, "email": "ada@example.com"}
    await store.put("grant:g1", value, ttl=600)
    await store.put("grant:g2", {"attio_access_token": "other"}, ttl=600)

    raw = await redis_client.get(store.redis_key("grant:g1"))
    assert isinstance(raw, bytes)
    for plain in (secret_token, "ada@example.com", "attio_access_token", json.dumps(value)):
        assert plain.encode() not in raw
    assert await store.get("grant:g1") == value  # and it reads back

    # One flipped bit anywhere: refused, never returned altered.
    for index in (0, 5, 20, len(raw) - 1):
        tampered = bytearray(raw)
        tampered[index] ^= 0x01
        await redis_client.set(store.redis_key("grant:g1"), bytes(tampered))
        with pytest.raises(StateDecryptError):
            await store.get("grant:g1")

    # g1's sealed value copied under g2 does not open there (the key name is the associated data).
    await redis_client.set(store.redis_key("grant:g1"), raw)
    await redis_client.set(store.redis_key("grant:g2"), raw)
    with pytest.raises(StateDecryptError, match="grant:g2"):
        await store.get("grant:g2")
    with pytest.raises(StateDecryptError):
        await store.take("grant:g2")
    assert await store.get("grant:g1") == value

    # Another state key (a replica configured differently) cannot read it either.
    other = RedisStore(redis_client, Sealer("a-different-state-key-000000"), prefix=prefix)
    with pytest.raises(StateDecryptError):
        await other.get("grant:g1")
    # Something that was never sealed is refused too.
    await redis_client.set(store.redis_key("grant:plain"), json.dumps(value))
    with pytest.raises(StateDecryptError):
        await store.get("grant:plain")


def test_sealer_uses_fresh_nonces_and_refuses_short_keys() -> None:
    sealer = Sealer(STATE_KEY)
    one, two = sealer.seal("k", b"same"), sealer.seal("k", b"same")
    assert one != two  # random nonce per value
    assert sealer.open("k", one) == sealer.open("k", two) == b"same"
    with pytest.raises(ValueError, match="at least 16"):
        Sealer("short")
