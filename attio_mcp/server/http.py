"""Streamable HTTP at ``/mcp``: health route, bearer auth, DNS-rebinding protection and the per-caller key header.

Layers, outermost first: ``HealthCheck`` (``GET /healthz``, open for orchestrators), ``BearerAuth`` (401
without the token, when one is set), ``ApiKeyHeaderGuard`` (400 for an ``X-Attio-Api-Key`` header the server
does not accept), then the SDK's app, whose transport security answers a foreign ``Host`` with 421 and a
foreign ``Origin`` with 403.

The server arrives complete from ``build_server``: with ``allow_request_keys`` it already selects each
caller's own ``Workspace`` (``callers.py``) and its lifespan owns those clients. Nothing here changes it.
"""

from __future__ import annotations

import hmac
import logging

import anyio
from mcp.server.transport_security import TransportSecuritySettings
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from attio_mcp.server.app import AttioServer
from attio_mcp.server.callers import API_KEY_HEADER, valid_api_key
from attio_mcp.server.settings import LOOPBACK_HOSTS, Settings

logger = logging.getLogger("attio_mcp.server")

WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", ""})
HEALTH_PATH = "/healthz"
_LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


async def _reject(scope: Scope, receive: Receive, send: Send, status: int, error: str, message: str) -> None:
    headers = {"WWW-Authenticate": 'Bearer realm="attio-mcp"'} if status == 401 else None
    response = JSONResponse({"error": error, "message": message}, status_code=status, headers=headers)
    await response(scope, receive, send)


class HealthCheck:
    """Answers ``GET /healthz`` with 200 ``{"ok": true}``, before the token, key and Host checks."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") != HEALTH_PATH:
            await self.app(scope, receive, send)
            return
        response: Response
        if scope.get("method") in ("GET", "HEAD"):
            response = JSONResponse({"ok": True})
        else:
            response = PlainTextResponse(
                "Method Not Allowed", status_code=405, headers={"Allow": "GET, HEAD"}
            )
        await response(scope, receive, send)


class BearerAuth:
    """Rejects requests without ``Authorization: Bearer <token>`` (401)."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app, self._token = app, token.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        header = dict(scope.get("headers") or ()).get(b"authorization", b"")
        scheme, _, given = header.partition(b" ")
        if scheme.lower() != b"bearer" or not hmac.compare_digest(given.strip(), self._token):
            await _reject(scope, receive, send, 401, "unauthorized", "missing or invalid bearer token")
            return
        await self.app(scope, receive, send)


class ApiKeyHeaderGuard:
    """400 for an ``X-Attio-Api-Key`` header when per-caller keys are off, repeated, or malformed."""

    def __init__(self, app: ASGIApp, *, enabled: bool) -> None:
        self.app, self.enabled = app, enabled

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
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


def _split_port(name: str) -> tuple[str, bool]:
    """``name`` with IPv6 literals bracketed, and whether it carries a port."""
    if name.startswith("["):
        return name, "]:" in name
    if name.count(":") > 1:
        return f"[{name}]", False
    return name, ":" in name


def transport_security(settings: Settings) -> TransportSecuritySettings:
    """Host/Origin checks: loopback names (any port), the bound address and ``allowed_hosts``; '*' turns them off."""
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


def build_http_app(server: AttioServer, settings: Settings) -> ASGIApp:
    """The ASGI app: the SDK's streamable HTTP app (with its lifespan) inside the layers above.

    ``server`` must come from ``build_server`` with the same settings: with ``allow_request_keys`` it has to
    select callers' workspaces itself, since nothing is added to it here.
    """
    if settings.allow_request_keys and not server.caller_keys:
        raise ValueError(
            "allow_request_keys is on but the server was built without caller keys: build it with "
            "build_server(settings) from the same settings"
        )
    app = server.streamable_http_app(host=settings.host, transport_security=transport_security(settings))
    outer: ASGIApp = ApiKeyHeaderGuard(app, enabled=settings.allow_request_keys)
    if settings.http_auth_token is not None:
        outer = BearerAuth(outer, settings.http_auth_token.get_secret_value())
    return HealthCheck(outer)


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
