"""A token bucket in Redis shared by every replica serving one Attio token, with a per-process fallback.

Each traffic class (reads, writes) of a token has one bucket, a Redis hash under
``attio-mcp:rl:<sha256 of the token>:read|write`` (the token itself never reaches Redis). A Lua script run by
EVALSHA refills it from Redis's own clock (``TIME``, so replicas' clocks do not matter) and reserves the
caller's token: now when one is there, else the next free slot (the count goes below zero), and answers how
long until that slot. The caller sleeps exactly that long: no polling, one script call per request, callers
served in the order they asked whichever replica they are on. A 429 pauses the class for the server's
Retry-After: the bucket's queue starts after the pause, without a saved burst, and ``…:pause`` tells
callers already asleep that their slot fell inside it, so they queue again. Same rates and burst as the
in-process buckets.

When Redis fails, each limiter falls back to its own ``LocalLimiter`` (what one process did before), the
shared ``RedisHealth`` logs one warning, and Redis is tried again every few seconds.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Awaitable, Callable

import anyio
import redis.asyncio as aioredis
from redis.exceptions import RedisError

from attio_mcp.attio import Kind, LocalLimiter

from .connection import RedisHealth

__all__ = ["KEY_PREFIX", "RedisLimiter", "bucket_key", "pause_key", "token_hash"]

KEY_PREFIX = "attio-mcp:rl:"
MAX_PAUSE_SECONDS = 120.0

# Both scripts: KEYS[1] the bucket hash, KEYS[2] the pause key; ARGV[1] tokens per second, ARGV[2] capacity.
# The bucket holds ``tokens`` as of time ``ts`` (Redis TIME, seconds). ``tokens`` below zero is the queue
# of reserved slots; ``ts`` in the future is a pause: nothing refills and no slot starts before it.
_PRELUDE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil or ts == nil then
  tokens = capacity
  ts = now
end
if now > ts then
  tokens = math.min(capacity, tokens + (now - ts) * rate)
  ts = now
end
local function save()
  redis.call('HSET', KEYS[1], 'tokens', string.format('%.9f', tokens), 'ts', string.format('%.6f', ts))
  -- Kept until the bucket would be full again; an expired bucket starts full.
  redis.call('PEXPIRE', KEYS[1], math.ceil((ts - now + (capacity - tokens) / rate) * 1000) + 1000)
end
"""

# Reserves the caller's token: now if there is one, else the next free slot (the count goes below zero),
# so waiters queue in the order they asked, each for its own slot, with one call per request.
# Returns the microseconds until the slot.
_ACQUIRE = (
    _PRELUDE
    + """
tokens = tokens - 1
local slot = ts
if tokens < 0 then
  slot = ts + (-tokens) / rate
end
save()
return math.max(0, math.ceil((slot - now) * 1000000))
"""
)

# ARGV[3] milliseconds. The next slot handed out comes after both the pause and the slots already handed
# out (whichever ends later): slots already handed out that fall inside the pause are given up by their
# callers, who see the pause key when they wake and queue again; the others keep their place. Any saved
# burst is dropped so the pause does not end in a spike. Lengthens a pause, never shortens one.
_PAUSE = (
    _PRELUDE
    + """
local ms = tonumber(ARGV[3])
local backlog = 0
if tokens < 0 then
  backlog = -tokens / rate
end
tokens = math.min(tokens, 0)
ts = math.max(ts, now + ms / 1000 - backlog)
save()
if redis.call('PTTL', KEYS[2]) < ms then
  redis.call('SET', KEYS[2], '1', 'PX', ms)
end
return 0
"""
)

REDIS_FAILURES: tuple[type[BaseException], ...] = (RedisError, OSError)


def token_hash(token: str) -> str:
    """The SHA-256 (hex) of an Attio token: what bucket keys carry instead of the token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def bucket_key(token: str, kind: Kind) -> str:
    return f"{KEY_PREFIX}{token_hash(token)}:{kind}"


def pause_key(token: str, kind: Kind) -> str:
    return f"{bucket_key(token, kind)}:pause"


class RedisLimiter:
    """The ``Limiter`` for one Attio token, shared through Redis by every process that uses the token."""

    def __init__(
        self,
        client: aioredis.Redis,
        token: str,
        *,
        reads_per_second: float,
        writes_per_second: float,
        burst: float,
        health: RedisHealth,
        fallback: LocalLimiter | None = None,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
    ) -> None:
        if not burst >= 1:
            raise ValueError("burst must be >= 1")
        self._client = client
        self._rates: dict[Kind, float] = {"read": float(reads_per_second), "write": float(writes_per_second)}
        self._burst = float(burst)
        self._keys: dict[Kind, tuple[str, str]] = {
            kind: (bucket_key(token, kind), pause_key(token, kind)) for kind in ("read", "write")
        }
        self._health = health
        self._fallback = fallback or LocalLimiter(
            reads_per_second=reads_per_second,
            writes_per_second=writes_per_second,
            burst=burst,
            clock=time.monotonic,
            sleep=sleep,
        )
        self._sleep = sleep
        self._acquire = client.register_script(_ACQUIRE)
        self._pause = client.register_script(_PAUSE)

    async def acquire(self, kind: Kind) -> None:
        rate = self._rates[kind]
        if math.isinf(rate):
            return
        keys = list(self._keys[kind])
        args = [repr(rate), repr(self._burst)]
        while True:
            if not self._health.should_try():
                await self._fallback.acquire(kind)
                return
            try:
                wait_us = int(await self._acquire(keys=keys, args=args))
                self._health.succeeded()
                if wait_us <= 0:
                    return
                await self._sleep(wait_us / 1_000_000)
                # A 429 may have paused this class while we slept: a slot inside the pause is given up
                # (the bucket keeps it spent) and the caller queues again, behind the pause.
                if await self._client.pttl(keys[1]) <= 0:
                    return
            except REDIS_FAILURES as exc:
                self._health.failed(exc)
                await self._fallback.acquire(kind)
                return

    async def pause(self, kind: Kind, seconds: float) -> None:
        rate = self._rates[kind]
        if not seconds > 0 or math.isinf(rate) or not self._health.should_try():
            return
        ms = max(1, math.ceil(min(seconds, MAX_PAUSE_SECONDS) * 1000))
        try:
            await self._pause(keys=list(self._keys[kind]), args=[repr(rate), repr(self._burst), ms])
        except REDIS_FAILURES as exc:
            self._health.failed(exc)
            return
        self._health.succeeded()
