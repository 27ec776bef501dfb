"""Streamable HTTP at ``/mcp`` with ``/healthz``, DNS-rebinding protection and optional bearer auth."""

from __future__ import annotations

import hmac
import logging

import anyio
import uvicorn
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from attio_mcp.server.app import AttioServer
from attio_mcp.server.settings import LOOPBACK_HOSTS, Settings

logger = logging.getLogger("attio_mcp.server")


class BearerAuth:
    """Rejects requests to the MCP endpoint without ``Authorization: Bearer <token>`` (401)."""

    def __init__(
        self, app: ASGIApp, token: str, open_paths: frozenset[str] = frozenset({"/healthz"})
    ) -> None:
        self.app, self._token, self.open_paths = app, token.encode(), open_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in self.open_paths:
            await self.app(scope, receive, send)
            return
        header = dict(scope.get("headers") or ()).get(b"authorization", b"")
        scheme, _, given = header.partition(b" ")
        if scheme.lower() != b"bearer" or not hmac.compare_digest(given.strip(), self._token):
            response = JSONResponse(
                {"error": "unauthorized", "message": "missing or invalid bearer token"},
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer realm="attio-mcp"'},
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def build_http_app(server: AttioServer, settings: Settings) -> ASGIApp:
    """The ASGI app: the SDK's streamable HTTP app, a health route, and auth when a token is set."""

    @server.custom_route("/healthz", methods=["GET"], include_in_schema=False)
    async def healthz(_: Request) -> Response:
        return JSONResponse({"ok": True})

    security = None
    if settings.host not in LOOPBACK_HOSTS:
        from mcp.server.transport_security import TransportSecuritySettings

        # Bound beyond loopback: the SDK's automatic Host check would reject real host names,
        # so only the bearer token guards the endpoint; operators put TLS in front.
        security = TransportSecuritySettings(enable_dns_rebinding_protection=False)
    app: ASGIApp = server.streamable_http_app(host=settings.host, transport_security=security)
    if settings.http_auth_token is not None:
        app = BearerAuth(app, settings.http_auth_token.get_secret_value())
    return app


def run_http(server: AttioServer, settings: Settings) -> None:
    app = build_http_app(server, settings)
    config = uvicorn.Config(app, host=settings.host, port=settings.port, log_level="warning", lifespan="on")
    logger.info("serving MCP over streamable HTTP at http://%s:%s/mcp", settings.host, settings.port)
    anyio.run(uvicorn.Server(config).serve)
