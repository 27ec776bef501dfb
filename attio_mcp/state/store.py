"""Key-value state with a time to live: JSON objects under namespaced keys, in memory or in Redis.

The shape is what the OAuth broker needs: ``get``, ``put`` with an optional TTL, ``take`` (get and delete
in one atomic step, so a one-time code or state can be redeemed once across all replicas) and ``delete``.
Key names are stored as given (under ``attio-mcp:st:``), so callers put digests in them, never secrets.
``RedisStore`` seals every value with AES-256-GCM (``Sealer``) bound to its key name.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from typing import Any, Protocol

import redis.asyncio as aioredis

from .crypto import Sealer

__all__ = ["STORE_PREFIX", "MemoryStore", "RedisStore", "StateStore"]

STORE_PREFIX = "attio-mcp:st:"


class StateStore(Protocol):
    """Shared state: JSON objects with an optional time to live (seconds)."""

    async def get(self, key: str) -> dict[str, Any] | None: ...

    async def put(self, key: str, value: dict[str, Any], ttl: float | None = None) -> None: ...

    async def take(self, key: str) -> dict[str, Any] | None:
        """Get and delete in one atomic step: a single-use value is handed out once."""
        ...

    async def delete(self, *keys: str) -> None: ...


def _check_key(key: str) -> None:
    if not isinstance(key, str) or not key:
        raise ValueError("a state key must be a non-empty string")


def _check_ttl(ttl: float | None) -> None:
    if ttl is not None and not (ttl > 0 and math.isfinite(ttl)):
        raise ValueError("ttl must be a positive number of seconds, or None to keep the value")


def _encode(value: dict[str, Any]) -> bytes:
    if not isinstance(value, dict):
        raise TypeError("a state value must be a JSON object (dict)")
    return json.dumps(value, separators=(",", ":")).encode("utf-8")


def _decode(raw: bytes) -> dict[str, Any]:
    value = json.loads(raw)
    if not isinstance(value, dict):
        raise ValueError("a stored state value is not a JSON object")
    return value


class MemoryStore:
    """One process's store: a dict of JSON text with deadlines (expired entries go on read and on write)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._items: dict[str, tuple[bytes, float | None]] = {}
        self._clock = clock
        self._writes = 0

    def __len__(self) -> int:
        self._sweep()
        return len(self._items)

    def _sweep(self) -> None:
        now = self._clock()
        for key in [
            k for k, (_, deadline) in self._items.items() if deadline is not None and deadline <= now
        ]:
            del self._items[key]

    def _live(self, key: str) -> bytes | None:
        item = self._items.get(key)
        if item is None:
            return None
        raw, deadline = item
        if deadline is not None and deadline <= self._clock():
            del self._items[key]
            return None
        return raw

    async def get(self, key: str) -> dict[str, Any] | None:
        _check_key(key)
        raw = self._live(key)
        return None if raw is None else _decode(raw)

    async def put(self, key: str, value: dict[str, Any], ttl: float | None = None) -> None:
        _check_key(key)
        _check_ttl(ttl)
        self._items[key] = (_encode(value), None if ttl is None else self._clock() + ttl)
        self._writes += 1
        if self._writes % 1000 == 0:  # expired entries nobody reads again do not pile up
            self._sweep()

    async def take(self, key: str) -> dict[str, Any] | None:
        _check_key(key)
        raw = self._live(key)  # no await between the read and the delete: atomic on the event loop
        self._items.pop(key, None)
        return None if raw is None else _decode(raw)

    async def delete(self, *keys: str) -> None:
        for key in keys:
            self._items.pop(key, None)


class RedisStore:
    """The store every replica shares: values sealed with AES-256-GCM, TTLs kept by Redis (``PX``).

    Redis errors are not hidden here: grants and codes cannot fall back to one process's memory without
    breaking sign-in on the other replicas, so a caller sees the failure.
    """

    def __init__(self, client: aioredis.Redis, sealer: Sealer, *, prefix: str = STORE_PREFIX) -> None:
        self._client = client
        self._sealer = sealer
        self._prefix = prefix

    def redis_key(self, key: str) -> str:
        """The Redis key a state key is stored under."""
        _check_key(key)
        return self._prefix + key

    def _open(self, key: str, raw: bytes | str | None) -> dict[str, Any] | None:
        if raw is None:
            return None
        sealed = raw.encode("latin-1") if isinstance(raw, str) else raw  # bytes unless decode_responses
        return _decode(self._sealer.open(self.redis_key(key), sealed))

    async def get(self, key: str) -> dict[str, Any] | None:
        raw = await self._client.get(self.redis_key(key))
        return self._open(key, raw)

    async def put(self, key: str, value: dict[str, Any], ttl: float | None = None) -> None:
        _check_ttl(ttl)
        name = self.redis_key(key)
        sealed = self._sealer.seal(name, _encode(value))
        if ttl is None:
            await self._client.set(name, sealed)
        else:
            await self._client.set(name, sealed, px=max(1, math.ceil(ttl * 1000)))

    async def take(self, key: str) -> dict[str, Any] | None:
        raw = await self._client.getdel(self.redis_key(key))  # GETDEL: atomic in Redis
        return self._open(key, raw)

    async def delete(self, *keys: str) -> None:
        if keys:
            await self._client.delete(*(self.redis_key(key) for key in keys))
