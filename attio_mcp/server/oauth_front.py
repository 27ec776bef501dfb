"""The ASGI layer in front of the SDK's app with ``--oauth`` (see ``OAuthFront``); the broker is in ``oauth.py``."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable

from redis.exceptions import RedisError
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from attio_mcp.server.callers import PeerRate
from attio_mcp.server.oauth import MCP_PATH, SANDBOX_PREFIX, AttioOAuthBroker, store_trouble
from attio_mcp.state import StateDecryptError

logger = logging.getLogger("attio_mcp.server")

RETRY_AFTER = 5  # seconds, on 503 while the shared store is unreachable
REGISTRATIONS_PER_MINUTE = 20  # per peer address and replica: clients register once per install
AUTHORIZATIONS_PER_MINUTE = 60  # per peer address and replica: sign-ins started


class OAuthFront:
    """ASGI layer in front of the SDK's app in OAuth mode.

    - ``/mcp`` without ``Authorization``: 401 with ``WWW-Authenticate: Bearer resource_metadata="…"`` (a bad
      or expired token goes on to the SDK, which adds ``error="invalid_token"``);
    - ``/.well-known/oauth-authorization-server``: the broker's metadata (the SDK's plus client ID metadata
      documents and ``iss``);
    - ``/sandbox/authorize`` (``--sandbox --oauth``): the emulated Attio consent page; nothing else of the
      sandbox is served;
    - ``/register`` and ``/authorize`` take no token, and each stores something: one peer address may
      register ``REGISTRATIONS_PER_MINUTE`` clients and start ``AUTHORIZATIONS_PER_MINUTE`` sign-ins (per
      replica; behind a trusted proxy uvicorn has put the forwarded client address in ``scope["client"]``,
      see ``Settings.forwarded_allow_ips``), else 429 with ``Retry-After``.
    """

    def __init__(
        self,
        app: ASGIApp,
        broker: AttioOAuthBroker,
        sandbox: ASGIApp | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.broker = broker
        self.sandbox = sandbox
        self._rates = {
            "/register": PeerRate(REGISTRATIONS_PER_MINUTE, clock),
            "/authorize": PeerRate(AUTHORIZATIONS_PER_MINUTE, clock),
        }
        self._metadata = broker.metadata().model_dump(mode="json", exclude_none=True)
        self._challenge = f'Bearer resource_metadata="{broker.resource_metadata_url}"'

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        given = sum(1 for k, _ in scope.get("headers") or () if k.lower() == b"authorization")
        if given > 1:
            body = {"error": "invalid_request", "error_description": "send Authorization once"}
            await JSONResponse(body, status_code=400)(scope, receive, send)
            return
        if path == MCP_PATH and not given:
            body = {"error": "unauthorized", "error_description": "sign in: this server uses OAuth"}
            response: Response = JSONResponse(
                body, status_code=401, headers={"WWW-Authenticate": self._challenge}
            )
            await response(scope, receive, send)
            return
        rate = self._rates.get(path)
        if rate is not None and scope.get("method") in ("GET", "POST"):
            client = scope.get("client")
            wait = rate.take(str(client[0]) if client else "unknown")
            if wait > 0:
                body = {"error": "slow_down", "error_description": f"too many {path[1:]} requests from here"}
                headers = {"Retry-After": str(math.ceil(wait))}
                await JSONResponse(body, status_code=429, headers=headers)(scope, receive, send)
                return
        if path == "/.well-known/oauth-authorization-server" and scope.get("method") in ("GET", "HEAD"):
            response = JSONResponse(self._metadata, headers={"Cache-Control": "public, max-age=300"})
            await response(scope, receive, send)
            return
        if self.sandbox is not None and path.startswith(SANDBOX_PREFIX + "/"):
            inner = path[len(SANDBOX_PREFIX) :]
            if inner != "/authorize":
                await JSONResponse({"error": "not_found"}, status_code=404)(scope, receive, send)
                return
            # As a Starlette Mount would: the path stays whole, the prefix goes to root_path.
            await self.sandbox(
                {**scope, "root_path": scope.get("root_path", "") + SANDBOX_PREFIX}, receive, send
            )
            return
        await self._unless_store_down(scope, receive, send)

    async def _unless_store_down(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The SDK's app, with its 500 for an unreachable store (Redis down) turned into 503 + Retry-After."""
        trouble: list[str] = []
        token = store_trouble.set(trouble)
        swallowed = False

        async def watch(message: Message) -> None:
            nonlocal swallowed
            if message["type"] == "http.response.start" and message["status"] == 500 and trouble:
                swallowed = True
                logger.warning("sign-in state unavailable (%s): answered 503", trouble[0])
                body = {
                    "error": "temporarily_unavailable",
                    "error_description": "sign-in state is unavailable",
                }
                unavailable = JSONResponse(body, status_code=503, headers={"Retry-After": str(RETRY_AFTER)})
                await unavailable(scope, receive, send)
            elif not swallowed:
                await send(message)

        try:
            await self.app(scope, receive, watch)
        except (RedisError, StateDecryptError, OSError):
            if not swallowed:
                raise
        finally:
            store_trouble.reset(token)
