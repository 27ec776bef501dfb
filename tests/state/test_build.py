"""build_shared_state and require_state_key: which limiter and store each setting gives, and the refusals."""

from __future__ import annotations

import secrets

import anyio
import pytest
import redis.asyncio as aioredis

from attio_mcp.attio import LocalLimiter
from attio_mcp.server.settings import Settings
from attio_mcp.state import (
    SHARED_RATE_SHARE,
    MemoryStore,
    RedisLimiter,
    RedisStore,
    bucket_key,
    build_shared_state,
    require_state_key,
)

STATE_KEY = "k" * 32


def make_settings(**fields: object) -> Settings:
    return Settings.model_validate(fields)


def test_memory_mode_without_redis() -> None:
    shared = build_shared_state(make_settings(sandbox=True))
    assert isinstance(shared.store, MemoryStore)
    assert shared.redis_url is None and shared.health is None
    first = shared.limiter_factory("token-a")
    assert isinstance(first, LocalLimiter)
    assert shared.limiter_factory("token-a") is first  # one limiter per token in a process
    assert shared.limiter_factory("token-b") is not first
    assert anyio.run(shared.ping) is True
    anyio.run(shared.close)


@pytest.mark.anyio
async def test_redis_mode_shares_the_limiter_and_seals_the_store(redis_url: str) -> None:
    settings = make_settings(
        sandbox=True, redis_url=redis_url, state_key=STATE_KEY, oauth=True, writes_per_second=7
    )
    shared = build_shared_state(settings)
    check = aioredis.Redis.from_url(redis_url)
    try:
        assert isinstance(shared.store, RedisStore)
        assert shared.redis_url is not None and shared.redis_url.startswith("redis://127.0.0.1:")
        token = secrets.token_hex(16)
        limiter = shared.limiter_factory(token)
        assert isinstance(limiter, RedisLimiter)
        assert shared.limiter_factory(token) is limiter
        await limiter.acquire("write")
        # The bucket is in Redis under the token's hash, kept until it would be full again (burst 2, at the
        # shared share of 7/s).
        assert limiter._rates["write"] == pytest.approx(7 * SHARED_RATE_SHARE)
        assert 0 < await check.pttl(bucket_key(token, "write")) <= 1 / (7 * SHARED_RATE_SHARE) * 1000 + 1000
        assert await shared.ping() is True
        await shared.store.put("grant:x", {"a": 1}, ttl=60)
        assert await shared.store.take("grant:x") == {"a": 1}
    finally:
        await shared.close()
    await check.aclose()


def test_redis_for_the_limiter_alone_needs_no_key(redis_url: str) -> None:
    shared = build_shared_state(make_settings(sandbox=True, redis_url=redis_url))
    assert isinstance(shared.store, MemoryStore)  # nothing secret goes to Redis without a state key
    assert isinstance(shared.limiter_factory("t"), RedisLimiter)
    anyio.run(shared.close)


def test_redis_with_sign_in_requires_a_state_key() -> None:
    settings = make_settings(sandbox=True, redis_url="redis://127.0.0.1:1/0", oauth=True)
    with pytest.raises(ValueError, match="ATTIO_MCP_STATE_KEY") as caught:
        require_state_key(settings)
    assert "\n" not in str(caught.value)
    with pytest.raises(ValueError, match="ATTIO_MCP_STATE_KEY"):
        build_shared_state(settings)
    with pytest.raises(ValueError, match="at least 16"):
        require_state_key(
            make_settings(sandbox=True, redis_url="redis://127.0.0.1:1/0", oauth=True, state_key="short")
        )
    require_state_key(
        make_settings(sandbox=True, oauth=True)
    )  # sign-in in one process: memory, nothing at rest
    require_state_key(
        make_settings(sandbox=True, redis_url="redis://127.0.0.1:1/0", oauth=True, state_key=STATE_KEY)
    )


def test_the_password_in_a_redis_url_is_never_shown(redis_url: str) -> None:
    url = redis_url.replace("redis://", "redis://user:s3cret-pass@")
    shared = build_shared_state(make_settings(sandbox=True, redis_url=url))
    assert (
        shared.redis_url is not None and "s3cret" not in shared.redis_url and "user" not in shared.redis_url
    )
    assert "s3cret" not in repr(shared)
    anyio.run(shared.close)


@pytest.mark.anyio
async def test_ping_says_false_when_redis_is_away() -> None:
    from tests.redis_server import free_port

    shared = build_shared_state(make_settings(sandbox=True, redis_url=f"redis://127.0.0.1:{free_port()}/0"))
    assert await shared.ping() is False
    await shared.close()
