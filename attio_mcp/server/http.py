"""Streamable HTTP at ``/mcp``: health route, bearer auth, DNS-rebinding protection and per-caller Attio keys.

Layers, outermost first: ``BearerAuth`` (401 without the token, when one is set), ``ApiKeyHeaderGuard`` (400 for
an ``X-Attio-Api-Key`` header the server does not accept), then the SDK's app, whose transport security answers
a foreign ``Host`` with 421 and a foreign ``Origin`` with 403. ``/healthz`` is open for orchestrators.

With ``allow_request_keys`` each caller may send its own Attio key; a server middleware then swaps the
lifespan ``Deps`` for that key's own ``Deps`` (client, schema cache, members cache), kept in a small LRU keyed
by a hash of the key. Nothing shared between keys, and the key itself is never logged or stored as a key.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import replace
from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from attio_mcp.attio import AttioClient
from attio_mcp.server.app import AttioServer
from attio_mcp.server.settings import LOOPBACK_HOSTS, Settings
from attio_mcp.tools import Deps, SchemaCache

logger = logging.getLogger("attio_mcp.server")

API_KEY_HEADER = "x-attio-api-key"
MAX_KEY_LENGTH = 512
MAX_CALLER_KEYS = 32
WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", ""})
OPEN_PATHS = frozenset({"/healthz"})
_LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


async def _reject(scope: Scope, receive: Receive, send: Send, status: int, error: str, message: str) -> None:
    headers = {"WWW-Authenticate": 'Bearer realm="attio-mcp"'} if status == 401 else None
    response = JSONResponse({"error": error, "message": message}, status_code=status, headers=headers)
    await response(scope, receive, send)


class BearerAuth:
    """Rejects requests to the MCP endpoint without ``Authorization: Bearer <token>`` (401)."""

    def __init__(self, app: ASGIApp, token: str, open_paths: frozenset[str] = OPEN_PATHS) -> None:
        self.app, self._token, self.open_paths = app, token.encode(), open_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in self.open_paths:
            await self.app(scope, receive, send)
            return
        header = dict(scope.get("headers") or ()).get(b"authorization", b"")
        scheme, _, given = header.partition(b" ")
        if scheme.lower() != b"bearer" or not hmac.compare_digest(given.strip(), self._token):
            await _reject(scope, receive, send, 401, "unauthorized", "missing or invalid bearer token")
            return
        await self.app(scope, receive, send)


def valid_api_key(value: str) -> bool:
    """A key the Attio client can send: printable ASCII, no whitespace, not absurdly long."""
    return 0 < len(value) <= MAX_KEY_LENGTH and value.isascii() and value.isprintable() and " " not in value


class ApiKeyHeaderGuard:
    """400 for an ``X-Attio-Api-Key`` header when per-caller keys are off, repeated, or malformed."""

    def __init__(self, app: ASGIApp, *, enabled: bool) -> None:
        self.app, self.enabled = app, enabled

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        given = [v for k, v in scope.get("headers") or () if k.lower() == API_KEY_HEADER.encode()]
        problem = None
        if given and not self.enabled:
            problem = "this server does not accept X-Attio-Api-Key (start it with --allow-request-keys)"
        elif len(given) > 1:
            problem = "send X-Attio-Api-Key once"
        elif given and not valid_api_key(given[0].decode("latin-1").strip()):
            problem = "X-Attio-Api-Key must be printable ASCII without spaces, at most 512 characters"
        if problem is not None:
            await _reject(scope, receive, send, 400, "invalid_api_key_header", problem)
            return
        await self.app(scope, receive, send)


class CallerDeps:
    """``Deps`` per caller key in an LRU keyed by the key's SHA-256; evicted clients close after a grace period.

    Use as an async context manager (the HTTP app's lifespan): on exit every client is closed.
    """

    def __init__(
        self,
        factory: Callable[..., AttioClient],
        *,
        schema_ttl: float,
        max_keys: int = MAX_CALLER_KEYS,
        grace_seconds: float = 120.0,
    ) -> None:
        self._factory = factory
        self._schema_ttl = schema_ttl
        self._max_keys = max_keys
        self._grace = grace_seconds
        self._entries: OrderedDict[str, Deps] = OrderedDict()
        self._retiring: set[AttioClient] = set()
        self._stack: AsyncExitStack | None = None
        self._tg: Any = None

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, api_key: str) -> Deps:
        """The ``Deps`` for ``api_key`` (created on first use)."""
        digest = hashlib.sha256(api_key.encode()).hexdigest()
        found = self._entries.get(digest)
        if found is not None:
            self._entries.move_to_end(digest)
            return found
        client = self._factory(api_key)
        found = Deps(client=client, schema=SchemaCache(client, ttl=self._schema_ttl))
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

    async def __aenter__(self) -> CallerDeps:
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
            for client in [*(d.client for d in self._entries.values()), *self._retiring]:
                await client.aclose()
        self._entries.clear()
        self._retiring.clear()

    def middleware(self) -> Callable[..., Any]:
        """Server middleware: a request carrying ``X-Attio-Api-Key`` runs with that key's ``Deps``."""

        async def select_caller_deps(ctx: Any, call_next: Callable[[Any], Any]) -> Any:
            headers = getattr(ctx.request, "headers", None)
            key = headers.get(API_KEY_HEADER) if headers is not None else None
            if key and key.strip():
                ctx = replace(ctx, lifespan_context=self.get(key.strip()))
            return await call_next(ctx)

        return select_caller_deps


def _split_port(name: str) -> tuple[str, bool]:
    """``name`` with IPv6 literals bracketed, and whether it carries a port."""
    if name.startswith("["):
        return name, "]:" in name
    if name.count(":") > 1:
        return f"[{name}]", False
    return name, ":" in name


def transport_security(settings: Settings) -> Any:
    """Host/Origin checks: loopback names (any port), the bound address and ``allowed_hosts``; '*' turns them off."""
    from mcp.server.transport_security import TransportSecuritySettings

    if "*" in settings.allowed_hosts:
        return TransportSecuritySettings(enable_dns_rebinding_protection=False)
    names = list(_LOOPBACK_NAMES)
    if settings.host not in LOOPBACK_HOSTS and settings.host not in WILDCARD_HOSTS:
        names.append(settings.host)
    names += settings.allowed_hosts
    hosts: list[str] = []
    origins: list[str] = []
    for raw in dict.fromkeys(n.strip().lower() for n in names if n.strip()):
        name, has_port = _split_port(raw)
        variants = [name] if has_port else [name, f"{name}:*"]
        hosts += variants
        origins += [f"{scheme}://{v}" for v in variants for scheme in ("http", "https")]
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True, allowed_hosts=hosts, allowed_origins=origins
    )


def _install_caller_keys(server: AttioServer, app: Any, settings: Settings) -> None:
    if server.client_factory is None:
        raise RuntimeError("server has no client factory; build it with build_server()")
    pool = CallerDeps(server.client_factory, schema_ttl=settings.schema_ttl)
    chain = server.middleware
    # Outside every attio_mcp middleware (e.g. the skills' resource binding), inside the SDK's own.
    at = next(
        (i for i, m in enumerate(chain) if getattr(m, "__module__", "").startswith("attio_mcp")), len(chain)
    )
    chain.insert(at, pool.middleware())
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(a: Any) -> AsyncIterator[Any]:
        async with pool, inner(a) as state:
            yield state

    app.router.lifespan_context = lifespan


def build_http_app(server: AttioServer, settings: Settings) -> ASGIApp:
    """The ASGI app: the SDK's streamable HTTP app with a health route, host checks, keys and auth."""

    @server.custom_route("/healthz", methods=["GET"], include_in_schema=False)
    async def healthz(_: Request) -> Response:
        return JSONResponse({"ok": True})

    app = server.streamable_http_app(host=settings.host, transport_security=transport_security(settings))
    if settings.allow_request_keys:
        _install_caller_keys(server, app, settings)
    outer: ASGIApp = ApiKeyHeaderGuard(app, enabled=settings.allow_request_keys)
    if settings.http_auth_token is not None:
        outer = BearerAuth(outer, settings.http_auth_token.get_secret_value())
    return outer


def run_http(server: AttioServer, settings: Settings) -> None:
    """Block serving ``build_http_app`` under uvicorn."""
    import uvicorn

    app = build_http_app(server, settings)
    if settings.host in WILDCARD_HOSTS and not settings.allowed_hosts:
        logger.warning(
            "listening on %s but ATTIO_MCP_ALLOWED_HOSTS is empty: only Host localhost/127.0.0.1 is accepted "
            "(others get 421); list the names clients use, e.g. --allowed-hosts mcp.example.com",
            settings.host or "all interfaces",
        )
    config = uvicorn.Config(app, host=settings.host, port=settings.port, log_level="warning", lifespan="on")
    logger.info("serving MCP over streamable HTTP at http://%s:%s/mcp", settings.host, settings.port)
    anyio.run(uvicorn.Server(config).serve)
