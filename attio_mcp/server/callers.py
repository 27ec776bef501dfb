"""Per-caller Attio keys: each caller's own ``Workspace``, and the one SDK hook that hands it to a request.

With ``Settings.allow_request_keys`` (HTTP) a caller may send its own Attio key in ``X-Attio-Api-Key``.
``build_server`` then keeps a ``CallerWorkspaces`` pool, opened and closed by the server's lifespan (which
streamable HTTP enters once per process), and puts ``caller_workspace_middleware`` in the server's middleware:
a request carrying a key runs with that key's ``Workspace`` (client, schema cache, members) instead of the
lifespan's. Nothing is shared between keys; the pool is keyed by the key's SHA-256, and the key itself is
never logged.
"""

from __future__ import annotations

import hashlib
import logging
from collections import OrderedDict
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import replace
from typing import Any

import anyio
from anyio.abc import TaskGroup
from mcp.server.context import CallNext, HandlerResult, ServerMiddleware, ServerRequestContext

from attio_mcp.attio import AttioClient
from attio_mcp.workspace import SchemaCache, Workspace

logger = logging.getLogger("attio_mcp.server")

API_KEY_HEADER = "x-attio-api-key"
MAX_KEY_LENGTH = 512
MAX_CALLER_KEYS = 32

CallerKey = Callable[[Any], str | None]
"""Reads a caller's own Attio key from the transport's request (``ctx.request``: a Starlette ``Request`` over
HTTP, None over stdio and in memory); None means the server's own key."""


def valid_api_key(value: str) -> bool:
    """A key the Attio client can send: printable ASCII, no whitespace, not absurdly long."""
    return 0 < len(value) <= MAX_KEY_LENGTH and value.isascii() and value.isprintable() and " " not in value


def header_api_key(request: Any) -> str | None:
    """The trimmed ``X-Attio-Api-Key`` header of an HTTP request; None without one, or without a request.

    ``http.ApiKeyHeaderGuard`` has already refused a repeated or malformed header with 400.
    """
    headers = getattr(request, "headers", None)
    key = headers.get(API_KEY_HEADER) if headers is not None else None
    return key.strip() or None if key else None


class CallerWorkspaces:
    """A ``Workspace`` per caller key, in an LRU; evicted clients close after a grace period.

    An async context manager, entered by the server lifespan: on exit every client is closed. It serves one
    lifespan at a time (the HTTP one); entering it again while it is open is an error, not a shared pool.
    """

    def __init__(
        self,
        factory: Callable[[str], AttioClient],
        *,
        schema_ttl: float,
        max_keys: int = MAX_CALLER_KEYS,
        grace_seconds: float = 120.0,
    ) -> None:
        self._factory = factory
        self._schema_ttl = schema_ttl
        self._max_keys = max_keys
        self._grace = grace_seconds
        self._entries: OrderedDict[str, Workspace] = OrderedDict()
        self._retiring: set[AttioClient] = set()
        self._stack: AsyncExitStack | None = None
        self._tg: TaskGroup | None = None

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, api_key: str) -> Workspace:
        """The ``Workspace`` for ``api_key`` (created on first use)."""
        digest = hashlib.sha256(api_key.encode()).hexdigest()
        found = self._entries.get(digest)
        if found is not None:
            self._entries.move_to_end(digest)
            return found
        client = self._factory(api_key)
        found = Workspace(client=client, schema=SchemaCache(client, ttl=self._schema_ttl))
        self._entries[digest] = found
        while len(self._entries) > self._max_keys:
            _, old = self._entries.popitem(last=False)
            self._retire(old.client)
        logger.debug("caller keys in use: %d", len(self._entries))
        return found

    def _retire(self, client: AttioClient) -> None:
        """Close an evicted client once calls that may still hold it have had time to finish."""
        self._retiring.add(client)
        if self._tg is not None:
            self._tg.start_soon(self._close_later, client)

    async def _close_later(self, client: AttioClient) -> None:
        try:
            await anyio.sleep(self._grace)
        finally:
            with anyio.CancelScope(shield=True):
                await client.aclose()
            self._retiring.discard(client)

    async def __aenter__(self) -> CallerWorkspaces:
        if self._stack is not None:
            raise RuntimeError("the per-caller pool is already open: it serves one lifespan (HTTP) at a time")
        self._stack = AsyncExitStack()
        self._tg = await self._stack.enter_async_context(anyio.create_task_group())
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._tg is not None:
            self._tg.cancel_scope.cancel()
        if self._stack is not None:
            await self._stack.aclose()
        self._tg = self._stack = None
        with anyio.CancelScope(shield=True):
            for client in [*(w.client for w in self._entries.values()), *self._retiring]:
                await client.aclose()
        self._entries.clear()
        self._retiring.clear()


def caller_workspace_middleware(pool: CallerWorkspaces, caller_key: CallerKey) -> ServerMiddleware[Any]:
    """The one place the SDK forces a hook: run a request with its caller's ``Workspace``.

    The SDK gives every request the lifespan's state (``ctx.lifespan_context``) and has no per-request
    provider for it. Its server middleware (``MCPServer(middleware=...)``, provisional in 2.x) may rewrite
    the context with ``dataclasses.replace`` before the handler runs; the tools, resources and prompts then
    see the caller's ``Workspace`` as their lifespan context. ``build_server`` passes this first in the
    list, so it runs inside the SDK's built-in middleware and outside ours (the skills' resource binding).
    """

    async def select_caller_workspace(
        ctx: ServerRequestContext[Any, Any], call_next: CallNext
    ) -> HandlerResult:
        key = caller_key(ctx.request)
        if key:
            ctx = replace(ctx, lifespan_context=pool.get(key))
        return await call_next(ctx)

    return select_caller_workspace
