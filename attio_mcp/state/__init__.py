"""State that replicas share: the Attio rate limiter and the key-value store for sign-in grants and tokens.

``build_shared_state(settings)`` is the one entry point. Without ``--redis-url`` everything stays in the
process (today's in-process token buckets, a ``MemoryStore``). With it, every replica takes its rate-limit
tokens from one Redis bucket per Attio token (``RedisLimiter``), and the store lives in Redis, sealed with
ATTIO_MCP_STATE_KEY (``RedisStore``). Redis with sign-in but no state key is refused
(``require_state_key``); Redis for the limiter alone needs no key, since no secret is stored then.

This package imports the Attio client layer (the ``Limiter`` seam) and nothing from the MCP layers.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

import anyio

from attio_mcp.attio import Limiter, LocalLimiter
from attio_mcp.attio._http import BURST

from .connection import RedisHealth, connect, describe_url
from .crypto import MIN_SECRET_LENGTH, Sealer, StateDecryptError
from .limiter import REDIS_FAILURES, RedisLimiter, bucket_key, pause_key, token_hash
from .store import MemoryStore, RedisStore, StateStore

__all__ = [
    "SHARED_RATE_SHARE",
    "MemoryStore",
    "RedisHealth",
    "RedisLimiter",
    "RedisStore",
    "Sealer",
    "SharedState",
    "StateDecryptError",
    "StateSettings",
    "StateStore",
    "bucket_key",
    "build_shared_state",
    "pause_key",
    "require_state_key",
    "token_hash",
]

logger = logging.getLogger("attio_mcp.state")

LIMITER_CACHE_SIZE = 4096  # Attio tokens whose limiters a process keeps (one per signed-in user)


class _Secret(Protocol):
    def get_secret_value(self) -> str: ...


class StateSettings(Protocol):
    """The settings this package reads (``attio_mcp.server.settings.Settings`` has them all)."""

    @property
    def redis_url(self) -> _Secret | None: ...
    @property
    def state_key(self) -> _Secret | None: ...
    @property
    def oauth(self) -> bool: ...
    @property
    def reads_per_second(self) -> float: ...
    @property
    def writes_per_second(self) -> float: ...


def require_state_key(settings: StateSettings) -> None:
    """Raise a one-line ``ValueError`` when Redis would hold grants and tokens without ATTIO_MCP_STATE_KEY.

    Redis used for the rate limiter alone (no ``--oauth``) stores no secret and needs no key. A key that is
    set must be long enough to be a secret.
    """
    key = settings.state_key.get_secret_value() if settings.state_key is not None else ""
    if settings.redis_url is not None and settings.oauth and not key:
        raise ValueError(
            "--redis-url with --oauth stores sign-in grants and tokens in Redis: set ATTIO_MCP_STATE_KEY "
            f"to a random secret of at least {MIN_SECRET_LENGTH} characters to encrypt them "
            "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))')"
        )
    if key and len(key) < MIN_SECRET_LENGTH:
        raise ValueError(f"ATTIO_MCP_STATE_KEY must be at least {MIN_SECRET_LENGTH} characters long")


async def _always() -> bool:
    return True


@dataclass
class SharedState:
    """What the server and the sign-in broker use: a limiter per Attio token, the store, and ``close``."""

    limiter_factory: Callable[[str], Limiter]
    store: StateStore
    close: Callable[[], Awaitable[None]]
    redis_url: str | None = None  # scheme://host:port/db without the password, for logs; None: memory
    health: RedisHealth | None = field(default=None, repr=False)
    ping: Callable[[], Awaitable[bool]] = field(default=_always, repr=False)
    """True when Redis answers PING (always True in memory mode): for a readiness check or doctor."""


# The shared limiter runs at 96% of the configured rates. Attio counts fixed one-second windows while the
# shared bucket hands out evenly spaced slots from Redis's clock, so at exactly 25/s a window now and then
# catches a 26th write; its 429 then pauses every replica for the Retry-After (1-2 s). Measured with 3
# replicas x 30 callers under the sandbox's Attio limits: at 100%, 24.3-25.1 writes/s with a 429 in one
# run of five; at 96%, 23.9-24.0 writes/s and no 429 in four runs (benchmarks/limiter_replicas.py).
SHARED_RATE_SHARE = 0.96


def build_shared_state(settings: StateSettings) -> SharedState:
    """Shared state for these settings; no I/O, so a server starts (and falls back) while Redis is down.

    ``limiter_factory(token)`` returns the same limiter for the same token within this process.
    """
    require_state_key(settings)
    reads, writes = settings.reads_per_second, settings.writes_per_second
    key = settings.state_key.get_secret_value() if settings.state_key is not None else ""

    if settings.redis_url is None:

        def local_limiter(token: str) -> Limiter:
            return LocalLimiter(
                reads_per_second=reads,
                writes_per_second=writes,
                burst=BURST,
                clock=time.monotonic,
                sleep=anyio.sleep,
            )

        return SharedState(limiter_factory=_cached(local_limiter), store=MemoryStore(), close=_nothing)

    url = settings.redis_url.get_secret_value()
    where = describe_url(url)
    client = connect(url)
    health = RedisHealth(where)

    def redis_limiter(token: str) -> Limiter:
        return RedisLimiter(
            client,
            token,
            reads_per_second=reads * SHARED_RATE_SHARE,
            writes_per_second=writes * SHARED_RATE_SHARE,
            burst=BURST,
            health=health,
        )

    store: StateStore = RedisStore(client, Sealer(key)) if key else MemoryStore()

    async def close() -> None:
        await client.aclose()

    async def ping() -> bool:
        try:
            return bool(await client.ping())
        except REDIS_FAILURES:
            return False

    logger.info(
        "shared state in Redis at %s: rate limiter%s",
        where,
        " and encrypted store" if key else " (store in memory)",
    )
    return SharedState(
        limiter_factory=_cached(redis_limiter),
        store=store,
        close=close,
        redis_url=where,
        health=health,
        ping=ping,
    )


def _cached(make: Callable[[str], Limiter]) -> Callable[[str], Limiter]:
    """One limiter per token (by hash), the least recently used dropped past ``LIMITER_CACHE_SIZE``."""
    limiters: OrderedDict[str, Limiter] = OrderedDict()

    def factory(token: str) -> Limiter:
        digest = token_hash(token)
        limiter = limiters.get(digest)
        if limiter is None:
            limiter = limiters[digest] = make(token)
            if len(limiters) > LIMITER_CACHE_SIZE:
                limiters.popitem(last=False)
        else:
            limiters.move_to_end(digest)
        return limiter

    return factory


async def _nothing() -> None:
    return None
