"""Per-caller Attio keys: each caller's own ``Workspace``, and the one SDK hook that hands it to a request.

With ``Settings.allow_request_keys`` (HTTP) a caller may send its own Attio key in ``X-Attio-Api-Key``.
``build_server`` then keeps a ``CallerWorkspaces`` pool, opened and closed by the server's lifespan (which
streamable HTTP enters once per process), and puts ``caller_workspace_middleware`` in the server's middleware:
a request carrying a key runs with that key's ``Workspace`` (client, schema cache, members) instead of the
lifespan's. No cached data is shared between keys; the pool is keyed by the key's SHA-256, and the key itself
is never logged. With ``Settings.oauth`` the key is the signed-in user's Attio token, which the sign-in broker
keeps server-side (``oauth.signed_in_attio_token``): each user gets a workspace the same way.

What a stream of new keys can cost is bounded (issue #20):

- every caller's client sends through one shared connection pool (``SHARED_CONNECTIONS`` sockets at most,
  one TLS context), so a key costs its limiter and caches, not a socket and a TLS context;
- ``max_keys`` workspaces are kept warm (LRU). A request holds a *lease* on its workspace: an evicted
  workspace that is not in use is closed at once, one that is in use is closed when its last request ends,
  never under it. At most ``max_live`` workspaces exist at any time, evicted ones included; past that, a
  request with a new key gets ``RATE_LIMIT`` until a running request ends;
- one peer address may bring ``new_keys_per_minute`` keys the pool has not seen (a token bucket): a key
  spray from one address gets ``RATE_LIMIT`` instead of churning everyone else's workspaces out of the LRU.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import anyio
import httpx
from mcp import MCPError
from mcp.server.context import CallNext, HandlerResult, ServerMiddleware, ServerRequestContext
from mcp.types import INTERNAL_ERROR, CallToolResult, TextContent

from attio_mcp.attio import AttioClient
from attio_mcp.workspace import SchemaCache, Workspace, WorkspaceError

if TYPE_CHECKING:
    from attio_mcp.workspace.search.service import SearchService

logger = logging.getLogger("attio_mcp.server")

API_KEY_HEADER = "x-attio-api-key"
MAX_KEY_LENGTH = 512
MAX_CALLER_KEYS = 32  # workspaces kept warm
MAX_LIVE_CALLERS = 64  # workspaces alive at once: the warm ones plus evicted ones still serving a request
NEW_KEYS_PER_MINUTE = 30  # keys one peer address may bring that the pool does not hold
MAX_PEERS_TRACKED = 4096
SHARED_CONNECTIONS = 64  # sockets to Attio for all callers together
# Requests that never touch a workspace: no lease, so a key sent with them costs nothing.
_NO_WORKSPACE = frozenset(
    {
        "initialize",
        "ping",
        "tools/list",
        "resources/list",
        "resources/templates/list",
        "prompts/list",
        "server/discover",
    }
)

CallerKey = Callable[[Any], str | None]
"""Reads a caller's own Attio key from the transport's request (``ctx.request``: a Starlette ``Request`` over
HTTP, None over stdio and in memory); None means the server's own key."""

CallerClientFactory = Callable[[str, httpx.AsyncBaseTransport | None], AttioClient]
"""Builds a caller's client from its key and, when the pool has one, the shared transport to send through."""


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


def request_peer(request: Any) -> str:
    """The client address of an HTTP request (behind a trusted proxy: the one it forwards, else the peer's);
    ``"local"`` without one."""
    client = getattr(request, "client", None)
    host = getattr(client, "host", None)
    return str(host) if host else "local"


class CallerRefused(WorkspaceError):
    """A request with a new key cannot get a workspace now (always RATE_LIMIT)."""

    def __init__(self, message: str, next_step: str) -> None:
        super().__init__("RATE_LIMIT", message, next_step=next_step)


class SharedTransport(httpx.AsyncBaseTransport):
    """One connection pool for every caller's client. A client's ``aclose`` leaves it open; the pool's owner
    closes it with ``close``."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        """Called by each caller's client on close: the shared pool stays open."""

    async def close(self) -> None:
        await self.inner.aclose()


def shared_network_transport() -> httpx.AsyncBaseTransport:
    """The real network, for every caller's client together."""
    limits = httpx.Limits(
        max_connections=SHARED_CONNECTIONS, max_keepalive_connections=16, keepalive_expiry=30.0
    )
    return httpx.AsyncHTTPTransport(limits=limits)


@dataclass(eq=False)
class _Entry:
    workspace: Workspace
    leases: int = 0
    evicted: bool = False


class PeerRate:
    """A token bucket per peer address: ``per_minute`` events (new keys; sign-in requests), refilled
    continuously."""

    def __init__(self, per_minute: float, clock: Callable[[], float]) -> None:
        self.capacity = max(1.0, per_minute)
        self.rate = per_minute / 60.0
        self.clock = clock
        self.peers: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, peer: str) -> float:
        """0.0 when ``peer`` may bring a new key now (and counts it), else seconds until it may."""
        now = self.clock()
        tokens, last = self.peers.pop(peer, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - last) * self.rate)
        wait = 0.0
        if tokens >= 1.0:
            tokens -= 1.0
        else:
            wait = (1.0 - tokens) / self.rate if self.rate > 0 else float("inf")
        self.peers[peer] = (tokens, now)
        while len(self.peers) > MAX_PEERS_TRACKED:  # the oldest peers have refilled long ago
            self.peers.popitem(last=False)
        return wait


class CallerWorkspaces:
    """A ``Workspace`` per caller key, leased to each request that uses it (see the module docstring).

    An async context manager, entered by the server lifespan: on exit every client is closed. It serves one
    lifespan at a time (the HTTP one); entering it again while it is open is an error, not a shared pool.
    """

    def __init__(
        self,
        factory: CallerClientFactory,
        *,
        schema_ttl: float,
        max_keys: int = MAX_CALLER_KEYS,
        max_live: int = MAX_LIVE_CALLERS,
        new_keys_per_minute: float = NEW_KEYS_PER_MINUTE,
        network: Callable[[], httpx.AsyncBaseTransport] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not 0 < max_keys <= max_live:
            raise ValueError("need 0 < max_keys <= max_live")
        self._factory = factory
        self._schema_ttl = schema_ttl
        self._max_keys = max_keys
        self._max_live = max_live
        self._rate = PeerRate(new_keys_per_minute, clock)
        self._network = network
        self._shared: SharedTransport | None = None
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._evicted: set[_Entry] = set()  # evicted while in use: closed by their last lease
        self._open = False
        # Builds each caller's search service (#18): its own index, keyed by what its key can read.
        self.search: Callable[[], SearchService] | None = None

    def __len__(self) -> int:
        """Warm workspaces (the LRU)."""
        return len(self._entries)

    @property
    def live(self) -> int:
        """Workspaces whose client is open: the warm ones and evicted ones still serving a request."""
        return len(self._entries) + len(self._evicted)

    @asynccontextmanager
    async def lease(self, api_key: str, peer: str = "local") -> AsyncIterator[Workspace]:
        """The ``Workspace`` for ``api_key``, not closed before this block ends.

        Raises ``CallerRefused`` (RATE_LIMIT) for a new key beyond the peer's rate or the live cap.
        """
        entry, retired = self._acquire(api_key, peer)
        try:
            if retired is not None:
                await _close(retired)
            yield entry.workspace
        finally:
            entry.leases -= 1
            if entry.evicted and entry.leases == 0:
                self._evicted.discard(entry)
                await _close(entry.workspace)

    def _acquire(self, api_key: str, peer: str) -> tuple[_Entry, Workspace | None]:
        """Take a lease (no await, so the bookkeeping is atomic); also the idle workspace it evicted, if any."""
        if not self._open:
            raise RuntimeError("the per-caller pool is not open (the server lifespan opens it)")
        digest = hashlib.sha256(api_key.encode()).hexdigest()
        entry = self._entries.get(digest)
        if entry is not None:
            self._entries.move_to_end(digest)
            entry.leases += 1
            return entry, None
        wait = self._rate.take(peer)
        if wait > 0:
            raise CallerRefused(
                f"this address brought more than {self._rate.capacity:g} new Attio keys in a minute",
                f"wait {wait:.0f} s, or reuse a key: each new X-Attio-Api-Key costs the server a client.",
            )
        retired = self._make_room() if len(self._entries) >= self._max_keys else None
        client = self._factory(api_key, self._shared)
        search = self.search() if self.search is not None else None
        entry = _Entry(
            Workspace(client=client, schema=SchemaCache(client, ttl=self._schema_ttl), search=search),
            leases=1,
        )
        self._entries[digest] = entry
        logger.debug("caller keys: %d warm, %d live", len(self._entries), self.live)
        return entry, retired

    def _make_room(self) -> Workspace | None:
        """Evict the least recently used idle workspace (returned for closing), else an in-use one while the
        live cap allows; else refuse."""
        for digest, entry in self._entries.items():
            if entry.leases == 0:
                del self._entries[digest]
                return entry.workspace
        if self.live >= self._max_live:
            raise CallerRefused(
                f"{self.live} callers' keys have requests running, the most this server serves at once",
                "retry in a few seconds, when one of them has finished.",
            )
        _, entry = self._entries.popitem(last=False)
        entry.evicted = True
        self._evicted.add(entry)
        return None

    async def __aenter__(self) -> CallerWorkspaces:
        if self._open:
            raise RuntimeError("the per-caller pool is already open: it serves one lifespan (HTTP) at a time")
        self._open = True
        self._shared = SharedTransport(self._network()) if self._network is not None else None
        return self

    async def __aexit__(self, *exc: object) -> None:
        workspaces = [e.workspace for e in [*self._entries.values(), *self._evicted]]
        self._entries.clear()
        self._evicted.clear()
        self._open = False
        for workspace in workspaces:
            await _close(workspace)
        if self._shared is not None:
            with anyio.CancelScope(shield=True):
                await self._shared.close()
            self._shared = None


async def _close(workspace: Workspace) -> None:
    """Close a caller's workspace: its search index (a SQLite connection) and its Attio client."""
    if workspace.search is not None:
        workspace.search.close()
    with anyio.CancelScope(shield=True):
        await workspace.client.aclose()


def caller_workspace_middleware(pool: CallerWorkspaces, caller_key: CallerKey) -> ServerMiddleware[Any]:
    """The one place the SDK forces a hook: run a request with its caller's ``Workspace``.

    The SDK gives every request the lifespan's state (``ctx.lifespan_context``) and has no per-request
    provider for it. Its server middleware (``MCPServer(middleware=...)``, provisional in 2.x) may rewrite
    the context with ``dataclasses.replace`` before the handler runs; the tools, resources and prompts then
    see the caller's ``Workspace`` as their lifespan context. ``build_server`` passes this first in the
    list, so it runs inside the SDK's built-in middleware and outside ours (the skills' resource binding).
    The request holds a lease on the workspace until its handler returns.
    """

    async def select_caller_workspace(
        ctx: ServerRequestContext[Any, Any], call_next: CallNext
    ) -> HandlerResult:
        key = caller_key(ctx.request)
        if not key or ctx.request_id is None or ctx.method in _NO_WORKSPACE:
            return await call_next(ctx)
        async with AsyncExitStack() as stack:
            try:
                workspace = await stack.enter_async_context(pool.lease(key, request_peer(ctx.request)))
            except CallerRefused as refused:
                logger.warning("caller key refused: %s", refused.message)
                if ctx.method != "tools/call":
                    raise MCPError(code=INTERNAL_ERROR, message=refused.render()) from None
                return CallToolResult(
                    content=[TextContent(type="text", text=refused.render())], is_error=True
                )
            return await call_next(replace(ctx, lifespan_context=workspace))

    return select_caller_workspace
