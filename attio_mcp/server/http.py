"""Streamable HTTP at ``/mcp``: health route, bearer auth, DNS-rebinding protection and the per-caller key header.

Layers, outermost first: ``HttpOnly`` (anything but HTTP, e.g. a WebSocket, is refused before any check),
``HealthCheck`` (``GET /healthz``, open for orchestrators), ``BearerAuth`` (401 without the token, when one is
set; 400 for a repeated ``Authorization``), ``ApiKeyHeaderGuard`` (400 for an ``X-Attio-Api-Key`` header the
server does not accept), ``HostGuard`` (421 for a foreign or malformed ``Host``, 403 for a foreign
``Origin``, compared case-insensitively with numeric ports only), with ``--oauth`` ``oauth_front.OAuthFront`` (the
401 challenge, the authorization-server metadata, the sandbox's consent page), ``sessions.SessionGuard``
(bounded MCP sessions; not in stateless mode, where the SDK keeps none), then the SDK's app (with
``--oauth`` also its OAuth routes and bearer check). Under them all, uvicorn runs ``connections.GuardedH11Protocol``: header and
body read timeouts and a connection cap.

The server arrives complete from ``build_server``: with ``allow_request_keys`` it already selects each
caller's own ``Workspace`` (``callers.py``) and its lifespan owns those clients. Nothing here changes it.
"""

from __future__ import annotations

import hmac
import logging
import re
from urllib.parse import urlsplit

import anyio
from mcp.server.transport_security import TransportSecuritySettings
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from attio_mcp.server.app import AttioServer
from attio_mcp.server.callers import API_KEY_HEADER, valid_api_key
from attio_mcp.server.connections import connection_cap, protocol_class
from attio_mcp.server.oauth_front import OAuthFront
from attio_mcp.server.sessions import MAX_SESSIONS, SESSION_IDLE_SECONDS, SessionGuard
from attio_mcp.server.settings import LOOPBACK_HOSTS, Settings

logger = logging.getLogger("attio_mcp.server")

WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", ""})
HEALTH_PATH = "/healthz"
_LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


async def _reject(scope: Scope, receive: Receive, send: Send, status: int, error: str, message: str) -> None:
    headers = {"WWW-Authenticate": 'Bearer realm="attio-mcp"'} if status == 401 else None
    response = JSONResponse({"error": error, "message": message}, status_code=status, headers=headers)
    await response(scope, receive, send)


class HttpOnly:
    """Refuses every scope but HTTP and lifespan: the checks below only look at HTTP requests."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "lifespan"):
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008, "reason": "not served"})


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
        given_headers = [v for k, v in scope.get("headers") or () if k.lower() == b"authorization"]
        if len(given_headers) > 1:
            await _reject(scope, receive, send, 400, "invalid_authorization", "send Authorization once")
            return
        header = given_headers[0] if given_headers else b""
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


_HOST = re.compile(r"^(?:\[[0-9a-f:.]+\]|[a-z0-9._-]+)(?::([0-9]{1,5}))?$")


class HostGuard:
    """The DNS-rebinding check, strictly: ``Host`` and ``Origin`` compared case-insensitively, and a port
    wildcard (``name:*``) matching digits only, so ``localhost:evil`` is a foreign host (421) and
    ``LOCALHOST`` is localhost. Passes the SDK lower-cased headers, which its own check then accepts."""

    def __init__(self, app: ASGIApp, security: TransportSecuritySettings) -> None:
        self.app = app
        self.enabled = security.enable_dns_rebinding_protection
        self.hosts = frozenset(security.allowed_hosts)
        self.origins = frozenset(security.allowed_origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.enabled:
            await self.app(scope, receive, send)
            return
        headers = [(k.lower(), v) for k, v in scope.get("headers") or ()]
        hosts = [v for k, v in headers if k == b"host"]
        origins = [v for k, v in headers if k == b"origin"]
        host = hosts[0].decode("latin-1").strip().lower() if len(hosts) == 1 else ""
        if not _allowed(host, self.hosts, _HOST):
            await _reject(scope, receive, send, 421, "misdirected_request", "this Host is not served here")
            return
        origin = origins[0].decode("latin-1").strip().lower() if origins else None
        if origins and (len(origins) > 1 or not _allowed_origin(origin or "", self.origins)):
            await _reject(
                scope, receive, send, 403, "forbidden_origin", "this Origin may not call the server"
            )
            return
        rewritten = [(k, v) for k, v in headers if k not in (b"host", b"origin")]
        rewritten.append((b"host", host.encode("latin-1")))
        if origin is not None:
            rewritten.append((b"origin", origin.encode("latin-1")))
        await self.app({**scope, "headers": rewritten}, receive, send)


def _allowed(host: str, allowed: frozenset[str], shape: re.Pattern[str]) -> bool:
    match = shape.match(host)
    if match is None:
        return False
    if host in allowed:
        return True
    port = match.group(1)
    return port is not None and f"{host[: -len(port) - 1]}:*" in allowed


def _allowed_origin(origin: str, allowed: frozenset[str]) -> bool:
    scheme, sep, rest = origin.partition("://")
    if not sep or scheme not in ("http", "https"):
        return False
    return _allowed(
        rest, frozenset(a.partition("://")[2] for a in allowed if a.startswith(scheme + "://")), _HOST
    )


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
    if settings.public_url:  # browsers and clients come back through it (sign-in)
        names.append(urlsplit(settings.public_url).netloc)
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
    if settings.oauth and server.oauth is None:
        raise ValueError(
            "oauth is on but the server was built without it: build it with build_server(settings)"
        )
    security = transport_security(settings)
    app: ASGIApp
    if settings.stateless:
        # No session state in the process: any replica answers any request (legacy clients lose
        # server-to-client requests, which no tool here makes).
        app = server.streamable_http_app(host=settings.host, transport_security=security, stateless_http=True)
    else:
        # SessionGuard keeps to MAX_SESSIONS; the SDK's own cap, 100 above it, is the last resort.
        app = SessionGuard(
            server.streamable_http_app(
                host=settings.host,
                transport_security=security,
                session_idle_timeout=SESSION_IDLE_SECONDS,
                max_sessions=MAX_SESSIONS + 100,
            )
        )
    if server.oauth is not None:
        app = OAuthFront(app, server.oauth, server.sandbox_app)
    outer: ASGIApp = HostGuard(app, security)
    outer = ApiKeyHeaderGuard(outer, enabled=settings.allow_request_keys)
    if settings.http_auth_token is not None:
        outer = BearerAuth(outer, settings.http_auth_token.get_secret_value())
    return HttpOnly(HealthCheck(outer))


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
    if "*" in settings.forwarded_allow_ips:
        logger.warning(
            "ATTIO_MCP_FORWARDED_ALLOW_IPS is *: any peer may name its own address in X-Forwarded-For and so "
            "step around the per-address limits; list the proxy's address unless only the proxy can reach us"
        )
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_level="warning",
        log_config=None,  # uvicorn's records go through our handler: redacted and rate-limited
        lifespan="on",
        ws="none",
        http=protocol_class(max_connections=connection_cap(settings.max_connections)),
        # Given here, never read by uvicorn from FORWARDED_ALLOW_IPS: the settings are the one source.
        proxy_headers=bool(settings.forwarded_allow_ips),
        forwarded_allow_ips=list(settings.forwarded_allow_ips),
    )
    logger.info("serving MCP over streamable HTTP at http://%s:%s/mcp", settings.host, settings.port)
    if server.oauth is not None:
        logger.info(
            "users sign in with Attio: MCP clients find the authorization server at %s "
            "(stateless: any replica answers any request)%s",
            server.oauth.resource_metadata_url,
            f"; the sandbox's test consent page is {server.oauth.app.authorize_url}"
            if settings.sandbox
            else "",
        )
    elif settings.stateless:
        logger.info("stateless streamable HTTP (--redis-url): no MCP session is kept in this process")
    anyio.run(uvicorn.Server(config).serve)
