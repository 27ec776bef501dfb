"""Attio sign-in per user (``--oauth``): this server is the MCP client's authorization server and protected
resource, and brokers Attio's OAuth authorization-code flow behind it.

The flow, per the MCP authorization spec:

1. An MCP client without a token gets 401 on ``/mcp`` with ``WWW-Authenticate: Bearer resource_metadata=…``,
   reads the protected-resource metadata (RFC 9728), then this server's authorization-server metadata
   (RFC 8414), and registers (RFC 7591) or presents a client ID metadata document URL.
2. ``/authorize`` (PKCE S256 required) stores the pending MCP authorization under a random ``state`` and
   redirects the browser to Attio's authorize URL with the Attio app's client id and ``<public>/oauth/callback``.
3. ``/oauth/callback`` takes that state back (once), exchanges Attio's code at Attio's token URL with the app's
   id and secret, reads the user's scopes and member from ``/v2/self``, keeps Attio's token server-side in a
   *grant*, and redirects to the MCP client's ``redirect_uri`` with this server's own authorization code.
4. ``/token`` issues opaque tokens of this server (access: ``ACCESS_TTL``; refresh: rotating) that map to the
   grant. Attio's token never leaves the server: requests run with the user's own ``Workspace`` (the
   callers' pool, keyed by the Attio token's hash) and each tool checks the user's Attio scopes first.
5. ``/revoke`` drops the grant and its tokens, and revokes Attio's token at Attio's revoke URL (unless set to none).

Everything replicas must share (clients, pending authorizations, codes, grants, tokens) goes through one
``attio_mcp.state`` store (Redis with ``--redis-url``, its values sealed with the state key; memory otherwise);
only SHA-256 digests of tokens and codes are used as keys.
"""

from __future__ import annotations

import contextvars
import hashlib
import ipaddress
import json
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode, urlsplit

import anyio
import httpx
from mcp.server.auth.provider import (
    AccessToken,
    AuthorizationCode,
    AuthorizationParams,
    AuthorizeError,
    RefreshToken,
    TokenError,
    construct_redirect_uri,
)
from mcp.server.auth.routes import build_metadata, build_resource_metadata_url
from mcp.server.auth.settings import AuthSettings, ClientRegistrationOptions, RevocationOptions
from mcp.server.context import CallNext, HandlerResult, ServerMiddleware, ServerRequestContext
from mcp.shared.auth import OAuthClientInformationFull, OAuthMetadata, OAuthToken
from mcp.types import CallToolResult, TextContent
from pydantic import AnyHttpUrl, PrivateAttr, ValidationError
from redis.exceptions import RedisError
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from attio_mcp.attio import AttioClient, AttioError
from attio_mcp.state import StateDecryptError, StateStore
from attio_mcp.tools import ALL_TOOLS
from attio_mcp.toolsets import missing_scopes

logger = logging.getLogger("attio_mcp.server")
T = TypeVar("T")

ACCESS_TTL = 3600  # our access tokens: one hour
REFRESH_TTL = 30 * 86400  # our refresh tokens (rotating) and the grant behind them
CODE_TTL = 300  # our authorization codes
PENDING_TTL = 600  # a browser's round trip through Attio's consent
ATTIO_REFRESH_MARGIN = 60  # refresh Attio's token this many seconds before it expires
CALLBACK_PATH = "/oauth/callback"
MCP_PATH = "/mcp"
SANDBOX_PREFIX = "/sandbox"
CIMD_MAX_BYTES = 16_384
CIMD_TTL = 3600


KeyValueStore = StateStore
"""What the broker keeps its state in: ``attio_mcp.state``'s store (memory, or Redis sealed with the state key)."""

# Set by ``OAuthFront`` for each request: the store marks it when it could not be reached.
store_trouble: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "store_trouble", default=None
)


class GuardedStore:
    """The broker's store, noting a failure (Redis down, a value the state key cannot open) for ``OAuthFront``
    to answer 503 instead of the SDK's 500; the error itself propagates unchanged."""

    def __init__(self, inner: StateStore) -> None:
        self.inner = inner

    async def get(self, key: str) -> dict[str, Any] | None:
        return await self._run(self.inner.get(key))

    async def put(self, key: str, value: dict[str, Any], ttl: float | None = None) -> None:
        await self._run(self.inner.put(key, value, ttl))

    async def take(self, key: str) -> dict[str, Any] | None:
        return await self._run(self.inner.take(key))

    async def delete(self, *keys: str) -> None:
        await self._run(self.inner.delete(*keys))

    async def _run(self, pending: Awaitable[T]) -> T:
        try:
            return await pending
        except (RedisError, StateDecryptError, OSError) as exc:
            trouble = store_trouble.get()
            if trouble is not None:
                trouble.append(type(exc).__name__)
            raise


def digest(secret: str) -> str:
    """The SHA-256 of a token or code: what the store's keys carry instead of the secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


class UserAccessToken(AccessToken):
    """Our access token as the SDK sees it; the user's Attio token rides along server-side only."""

    _attio_token: str = PrivateAttr(default="")
    _attio_scopes: tuple[str, ...] | None = PrivateAttr(default=None)

    @property
    def attio_token(self) -> str:
        return self._attio_token

    @property
    def attio_scopes(self) -> tuple[str, ...] | None:
        """The user's Attio scopes at sign-in; None when ``/v2/self`` named none (Attio then decides alone)."""
        return self._attio_scopes


@dataclass(frozen=True)
class AttioApp:
    """The Attio OAuth app this server signs users in with, and where Attio's endpoints are."""

    client_id: str
    client_secret: str
    authorize_url: str  # the browser goes there
    token_url: str  # this server posts there
    revoke_url: str | None = (
        None  # None: Attio's tokens are only dropped here (the settings default to Attio's)
    )


def user_access_token(request: Any) -> UserAccessToken | None:
    """The verified token of an HTTP request (the SDK's bearer backend put it on the scope)."""
    scope = getattr(request, "scope", None)
    user = scope.get("user") if isinstance(scope, Mapping) else None
    token = getattr(user, "access_token", None)
    return token if isinstance(token, UserAccessToken) else None


def signed_in_attio_token(request: Any) -> str | None:
    """``callers.CallerKey`` for OAuth mode: the signed-in user's Attio token, never sent to the client."""
    token = user_access_token(request)
    return token.attio_token if token is not None and token.attio_token else None


IdentityReader = Callable[[str], Awaitable[tuple[list[str] | None, str | None]]]
"""Reads an Attio token's scopes and member id (``GET /v2/self``)."""


class AttioOAuthBroker:
    """``OAuthAuthorizationServerProvider`` for the SDK's auth routes, plus Attio's callback.

    ``http`` sends this server's own requests to Attio's token and revoke URLs; ``identity`` reads a new
    Attio token's scopes and member. ``clock`` is wall-clock seconds (tests move it).
    """

    def __init__(
        self,
        *,
        store: KeyValueStore,
        app: AttioApp,
        public_url: str,
        http: Callable[[], httpx.AsyncClient],
        identity: IdentityReader,
        cimd_http: Callable[[], httpx.AsyncClient] | None = None,
        access_ttl: int = ACCESS_TTL,
        refresh_ttl: int = REFRESH_TTL,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = GuardedStore(store)
        self.app = app
        self.public_url = public_url.rstrip("/")
        self.callback_url = self.public_url + CALLBACK_PATH
        self.resource_url = self.public_url + MCP_PATH
        self._http = http
        self.cimd_http = cimd_http  # None: client ID metadata documents are refused
        self._identity = identity
        self.access_ttl = access_ttl
        self.refresh_ttl = refresh_ttl
        self.clock = clock
        self.issuer = str(self.metadata().issuer)  # as clients compare it (RFC 9207)
        self._refreshing: dict[str, anyio.Lock] = {}

    # -- settings for the SDK ---------------------------------------------------------------------

    def auth_settings(self) -> AuthSettings:
        return AuthSettings.model_validate(
            {
                "issuer_url": self.public_url,  # a string: AuthSettings keeps an empty path empty
                "resource_server_url": self.resource_url,
                "client_registration_options": ClientRegistrationOptions(enabled=True),
                "revocation_options": RevocationOptions(enabled=True),
                "validate_token_resource": False,  # authorize() refuses any other resource
            }
        )

    def metadata(self) -> OAuthMetadata:
        """RFC 8414 metadata: the SDK's, plus client ID metadata documents (public clients, ``none``) and
        RFC 9207's ``iss`` on the authorization response."""
        meta = build_metadata(
            self.auth_settings().issuer_url,
            None,
            ClientRegistrationOptions(enabled=True),
            RevocationOptions(enabled=True),
        )
        meta.client_id_metadata_document_supported = True
        meta.authorization_response_iss_parameter_supported = True
        meta.token_endpoint_auth_methods_supported = ["client_secret_post", "client_secret_basic", "none"]
        return meta

    @property
    def resource_metadata_url(self) -> str:
        return str(build_resource_metadata_url(AnyHttpUrl(self.resource_url)))

    def now(self) -> int:
        return int(self.clock())

    # -- clients ----------------------------------------------------------------------------------

    async def get_client(self, client_id: str) -> OAuthClientInformationFull | None:
        if client_id.startswith("https://"):
            return await self._metadata_document_client(client_id)
        stored = await self.store.get(f"client:{client_id}")
        return OAuthClientInformationFull.model_validate(stored) if stored else None

    async def register_client(self, client_info: OAuthClientInformationFull) -> None:
        if client_info.client_id is None:
            raise ValueError("registration without a client id")
        # Unused registrations go after REFRESH_TTL; every token issued to the client renews it.
        await self.store.put(
            f"client:{client_info.client_id}", client_info.model_dump(mode="json"), ttl=self.refresh_ttl
        )

    async def _metadata_document_client(self, url: str) -> OAuthClientInformationFull | None:
        """A client whose id is the HTTPS URL of its metadata document (a public client, no secret)."""
        key = f"cimd:{digest(url)}"
        cached = await self.store.get(key)
        if cached is not None:
            return OAuthClientInformationFull.model_validate(cached) if cached.get("ok") else None
        parts = urlsplit(url)
        client = None
        if (
            parts.path not in ("", "/")
            and not parts.username
            and not parts.password
            and self.cimd_http
            and _public_host(parts.hostname or "")
        ):
            client = await self._fetch_metadata_document(url)
        record = {"ok": True, **client.model_dump(mode="json")} if client else {"ok": False}
        await self.store.put(key, record, ttl=CIMD_TTL if client else 60)
        return client

    async def _fetch_metadata_document(self, url: str) -> OAuthClientInformationFull | None:
        assert self.cimd_http is not None
        try:
            body = b""
            async with (
                self.cimd_http() as http,
                http.stream("GET", url, headers={"Accept": "application/json"}) as response,
            ):
                if response.status_code != 200:
                    return None
                async for chunk in response.aiter_bytes():  # read no more than the cap
                    body += chunk
                    if len(body) > CIMD_MAX_BYTES:
                        return None
            document = json.loads(body)
            if not isinstance(document, dict) or document.get("client_id") != url:
                return None
            document.pop("client_secret", None)
            document.update(client_id=url, token_endpoint_auth_method="none")
            return OAuthClientInformationFull.model_validate(document)
        except (httpx.HTTPError, ValueError, ValidationError) as exc:
            logger.info("client metadata document not usable: %s", type(exc).__name__)
            return None

    # -- authorize and Attio's callback -------------------------------------------------------------

    async def authorize(self, client: OAuthClientInformationFull, params: AuthorizationParams) -> str:
        if params.resource is not None and params.resource.rstrip("/") != self.resource_url:
            raise AuthorizeError("invalid_target", "this server only issues tokens for its /mcp resource")
        state = secrets.token_urlsafe(32)
        pending = {
            "client_id": client.client_id,
            "client_state": params.state,
            "scopes": params.scopes or [],
            "code_challenge": params.code_challenge,
            "redirect_uri": str(params.redirect_uri),
            "redirect_uri_provided_explicitly": params.redirect_uri_provided_explicitly,
            "resource": params.resource,
        }
        await self.store.put(f"pending:{digest(state)}", pending, ttl=PENDING_TTL)
        query = urlencode(
            {
                "client_id": self.app.client_id,
                "response_type": "code",
                "redirect_uri": self.callback_url,
                "state": state,
            }
        )
        separator = "&" if "?" in self.app.authorize_url else "?"
        return f"{self.app.authorize_url}{separator}{query}"

    async def callback(self, request: Request) -> Response:
        """``GET /oauth/callback``: Attio's answer; ends with a redirect to the MCP client."""
        state = request.query_params.get("state") or ""
        pending = await self.store.take(f"pending:{digest(state)}") if state else None
        if pending is None:
            return _page(400, "This sign-in link has expired or was already used. Start the sign-in again.")
        redirect_uri = pending["redirect_uri"]
        client_state = pending.get("client_state")
        error = request.query_params.get("error")
        code = request.query_params.get("code")
        if error or not code:
            return _redirect(
                redirect_uri,
                error="access_denied",
                state=client_state,
                iss=self.issuer,
                error_description="Attio sign-in was not completed",
            )
        try:
            attio = await self._attio_token_request(
                {"grant_type": "authorization_code", "code": code, "redirect_uri": self.callback_url}
            )
            scopes, member = await self._identity(attio["access_token"])
        except (AttioSignInError, AttioError, httpx.HTTPError) as exc:
            logger.warning("Attio sign-in failed: %s", _safe_reason(exc))
            return _redirect(
                redirect_uri,
                error="server_error",
                state=client_state,
                iss=self.issuer,
                error_description="Attio did not complete the sign-in",
            )
        grant_id = secrets.token_urlsafe(24)
        grant = {
            "client_id": pending["client_id"],
            "scopes": pending["scopes"],
            "resource": pending.get("resource"),
            "member": member,
            "attio_scopes": scopes,
            **_attio_fields(attio, self.now()),
            "tokens": [],
        }
        # Until its code is redeemed the grant lives as long as the code; _issue extends it.
        await self.store.put(f"grant:{grant_id}", grant, ttl=2 * CODE_TTL)
        ours = secrets.token_urlsafe(32)
        code_record = {**pending, "grant_id": grant_id, "expires_at": self.now() + CODE_TTL}
        await self.store.put(f"code:{digest(ours)}", code_record, ttl=CODE_TTL)
        logger.info("user signed in with Attio (member %s)", member or "unknown")
        return _redirect(redirect_uri, code=ours, state=client_state, iss=self.issuer)

    # -- codes and tokens ---------------------------------------------------------------------------

    async def load_authorization_code(
        self, client: OAuthClientInformationFull, authorization_code: str
    ) -> AuthorizationCode | None:
        record = await self.store.get(f"code:{digest(authorization_code)}")
        if record is None:
            # A code redeemed already (RFC 6749 §4.1.2): the tokens issued for it are revoked.
            await self._end_if_replayed("code", authorization_code, "an authorization code")
            return None
        if record["client_id"] != client.client_id:
            return None
        return _GrantCode(
            code=authorization_code,
            scopes=record["scopes"],
            expires_at=record["expires_at"],
            client_id=record["client_id"],
            code_challenge=record["code_challenge"],
            redirect_uri=AnyHttpUrl(record["redirect_uri"]),
            redirect_uri_provided_explicitly=record["redirect_uri_provided_explicitly"],
            resource=record.get("resource"),
            subject=record["grant_id"],
        )

    async def _end_if_replayed(self, kind: str, secret: str, what: str) -> None:
        """End the sign-in behind ``secret`` when it was redeemed before (``used-<kind>:<digest>``)."""
        used = await self.store.take(f"used-{kind}:{digest(secret)}")
        if used is not None:
            logger.warning("%s was presented again: ending that sign-in", what)
            await self.end_grant(used["grant_id"], f"ended after {kind} reuse")

    async def exchange_authorization_code(
        self, client: OAuthClientInformationFull, authorization_code: AuthorizationCode
    ) -> OAuthToken:
        record = await self.store.take(f"code:{digest(authorization_code.code)}")
        if record is None:  # used by a concurrent exchange a moment ago
            raise TokenError("invalid_grant", "authorization code was already used")
        await self.store.put(
            f"used-code:{digest(authorization_code.code)}", {"grant_id": record["grant_id"]}, ttl=2 * CODE_TTL
        )
        return await self._issue(record["grant_id"], client, record["scopes"])

    async def load_refresh_token(
        self, client: OAuthClientInformationFull, refresh_token: str
    ) -> RefreshToken | None:
        record = await self.store.get(f"refresh:{digest(refresh_token)}")
        if record is None:
            # A refresh token used once already: stolen, or replayed. Either way the sign-in ends.
            await self._end_if_replayed("refresh", refresh_token, "a rotated refresh token")
            return None
        if record["client_id"] != client.client_id:
            return None
        return RefreshToken(
            token=refresh_token,
            client_id=record["client_id"],
            scopes=record["scopes"],
            expires_at=record["expires_at"],
            subject=record["grant_id"],
        )

    async def exchange_refresh_token(
        self, client: OAuthClientInformationFull, refresh_token: RefreshToken, scopes: list[str]
    ) -> OAuthToken:
        record = await self.store.take(f"refresh:{digest(refresh_token.token)}")
        if record is None:
            raise TokenError("invalid_grant", "refresh token was already used")
        grant_id = record["grant_id"]
        await self.store.put(
            f"used-refresh:{digest(refresh_token.token)}", {"grant_id": grant_id}, ttl=self.refresh_ttl
        )
        grant = await self.store.get(f"grant:{grant_id}")
        if grant is None:
            raise TokenError("invalid_grant", "the sign-in behind this refresh token has ended")
        await self.store.delete(*[f"access:{h[1:]}" for h in grant.get("tokens", []) if h.startswith("a")])
        return await self._issue(grant_id, client, scopes)

    async def _issue(
        self, grant_id: str, client: OAuthClientInformationFull, scopes: list[str]
    ) -> OAuthToken:
        grant = await self.store.get(f"grant:{grant_id}")
        if grant is None:
            raise TokenError("invalid_grant", "the sign-in has ended")
        client_id = client.client_id or ""
        if not client_id.startswith("https://"):  # a registered client lives as long as its sign-ins
            await self.register_client(client)
        access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = self.now()
        common = {
            "grant_id": grant_id,
            "client_id": client_id,
            "scopes": scopes,
            "resource": grant.get("resource"),
        }
        await self.store.put(
            f"access:{digest(access)}", {**common, "expires_at": now + self.access_ttl}, ttl=self.access_ttl
        )
        await self.store.put(
            f"refresh:{digest(refresh)}",
            {**common, "expires_at": now + self.refresh_ttl},
            ttl=self.refresh_ttl,
        )
        grant["tokens"] = ["a" + digest(access), "r" + digest(refresh)]
        await self.store.put(f"grant:{grant_id}", grant, ttl=self.refresh_ttl)
        return OAuthToken(
            access_token=access,
            expires_in=self.access_ttl,
            refresh_token=refresh,
            scope=" ".join(scopes) or None,
        )

    async def load_access_token(self, token: str) -> UserAccessToken | None:
        record = await self.store.get(f"access:{digest(token)}")
        if record is None or record["expires_at"] <= self.now():
            return None
        grant_id = record["grant_id"]
        grant = await self.store.get(f"grant:{grant_id}")
        if grant is None:
            return None
        if self._attio_due(grant):
            grant = await self._refresh_attio_once(grant_id)
            if grant is None:
                return None
        out = UserAccessToken(
            token=token,
            client_id=record["client_id"],
            scopes=record["scopes"],
            expires_at=record["expires_at"],
            resource=record.get("resource"),
            subject=grant_id,
        )
        out._attio_token = grant["attio_token"]
        scopes = grant.get("attio_scopes")
        out._attio_scopes = tuple(scopes) if isinstance(scopes, list) else None
        return out

    async def revoke_token(self, token: AccessToken | RefreshToken) -> None:
        await self.store.delete(f"access:{digest(token.token)}", f"refresh:{digest(token.token)}")
        if token.subject:
            await self.end_grant(token.subject, "revoked")

    async def end_grant(self, grant_id: str, why: str) -> None:
        """Sign the user out: the grant and every token of ours for it go, and Attio's token is revoked at
        Attio when its revoke URL is known."""
        grant = await self.store.take(f"grant:{grant_id}")
        if grant is None:
            return
        keys = [("access:" if h[0] == "a" else "refresh:") + h[1:] for h in grant.get("tokens", [])]
        await self.store.delete(*keys)
        if self.app.revoke_url:
            try:
                # As Attio documents it: the token alone, no client credentials; 204 on success.
                await self._attio_post(self.app.revoke_url, {"token": grant["attio_token"]}, as_client=False)
            except (AttioSignInError, httpx.HTTPError) as exc:
                logger.warning("revoking the Attio token at Attio failed: %s", _safe_reason(exc))
        logger.info("sign-in %s (member %s)", why, grant.get("member") or "unknown")

    # -- Attio's token endpoint ---------------------------------------------------------------------

    def _attio_due(self, grant: Mapping[str, Any]) -> bool:
        expires = grant.get("attio_expires_at")
        return isinstance(expires, int | float) and expires - ATTIO_REFRESH_MARGIN <= self.now()

    async def _refresh_attio_once(self, grant_id: str) -> dict[str, Any] | None:
        """Refresh at Attio once per grant in this process, however many requests find it due together:
        the others wait and read what the first stored (Attio rotates refresh tokens)."""
        lock = self._refreshing.setdefault(grant_id, anyio.Lock())
        try:
            async with lock:
                grant = await self.store.get(f"grant:{grant_id}")
                if grant is None or not self._attio_due(grant):
                    return grant
                return await self._refresh_attio(grant_id, grant)
        finally:
            if not lock.locked() and lock.statistics().tasks_waiting == 0:
                self._refreshing.pop(grant_id, None)

    async def _refresh_attio(self, grant_id: str, grant: dict[str, Any]) -> dict[str, Any] | None:
        """A fresh Attio token for the grant; None when Attio refuses (the user signs in again)."""
        if not grant.get("attio_refresh"):
            return None
        try:
            attio = await self._attio_token_request(
                {"grant_type": "refresh_token", "refresh_token": grant["attio_refresh"]}
            )
        except (AttioSignInError, httpx.HTTPError) as exc:
            # Another replica may have rotated it a moment ago: use what it stored.
            current = await self.store.get(f"grant:{grant_id}")
            if current and current.get("attio_token") != grant["attio_token"]:
                return current
            logger.warning("refreshing an Attio token failed: %s", _safe_reason(exc))
            return None
        fields = _attio_fields(attio, self.now())
        if not fields["attio_refresh"]:
            fields["attio_refresh"] = grant["attio_refresh"]
        grant = {**grant, **fields}
        await self.store.put(f"grant:{grant_id}", grant, ttl=self.refresh_ttl)
        return grant

    async def _attio_token_request(self, form: dict[str, str]) -> dict[str, Any]:
        body = await self._attio_post(self.app.token_url, form)
        if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
            raise AttioSignInError("Attio's token response has no access_token")
        return body

    async def _attio_post(self, url: str, form: dict[str, str], *, as_client: bool = True) -> Any:
        """POST ``form`` to Attio (with the app's client id and secret when ``as_client``); its JSON, or {}."""
        data = (
            {**form, "client_id": self.app.client_id, "client_secret": self.app.client_secret}
            if as_client
            else form
        )
        async with self._http() as http:
            response = await http.post(url, data=data, headers={"Accept": "application/json"})
        if response.status_code >= 400:
            raise AttioSignInError(f"Attio answered {response.status_code} at {urlsplit(url).path}")
        try:
            return response.json() if response.content else {}
        except ValueError:
            raise AttioSignInError("Attio's answer is not JSON") from None


class _GrantCode(AuthorizationCode):
    """Our authorization code; ``subject`` is the grant it opens."""


class AttioSignInError(Exception):
    """Attio's token or revoke endpoint refused or answered something unreadable (no secrets in the text)."""


def _attio_fields(attio: Mapping[str, Any], now: int) -> dict[str, Any]:
    expires_in = attio.get("expires_in")
    return {
        "attio_token": attio["access_token"],
        "attio_refresh": attio.get("refresh_token") or None,
        "attio_expires_at": now + int(expires_in)
        if isinstance(expires_in, int | float) and expires_in > 0
        else None,
    }


def _public_host(host: str) -> bool:
    """A metadata document's host may not be this machine or a private network (a name is resolved by the
    client library; literal addresses and ``localhost`` names are refused here)."""
    name = host.strip("[]").lower().rstrip(".")
    if not name or name == "localhost" or name.endswith((".localhost", ".local", ".internal")):
        return False
    try:
        return ipaddress.ip_address(name).is_global
    except ValueError:
        return True


def _safe_reason(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, AttioSignInError) else type(exc).__name__


def _redirect(uri: str, **params: str | None) -> Response:
    return RedirectResponse(
        construct_redirect_uri(uri, **params), status_code=302, headers={"Cache-Control": "no-store"}
    )


def _page(status: int, text: str) -> Response:
    html = f"<!doctype html><title>attio-mcp sign-in</title><p>{text}</p>"
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


# -- the pieces build_server and build_http_app put in place --------------------------------------------


def scope_gate() -> ServerMiddleware[Any]:
    """Server middleware for a signed-in user's Attio scopes: ``tools/list`` leaves out the tools they do not
    cover, and a ``tools/call`` of such a tool (a client may have kept an older list) gets ``AUTH_ERROR``
    naming the scope, before anything is sent to Attio. A sign-in whose scopes ``/v2/self`` did not name is
    left to Attio."""

    async def check_scopes(ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        token = user_access_token(ctx.request)
        if ctx.method == "tools/list" and token is not None and token.attio_scopes is not None:
            return _usable_tools(await call_next(ctx), token.attio_scopes)
        if ctx.method == "tools/call" and token is not None and ctx.params is not None:
            spec = ALL_TOOLS.get(str(ctx.params.get("name", "")))
            granted = token.attio_scopes
            lacking = missing_scopes(spec.scopes, granted) if spec is not None and granted is not None else []
            if spec is not None and lacking:
                text = (
                    f"AUTH_ERROR: {spec.name} needs the Attio scope {', '.join(lacking)}, which your sign-in "
                    f"does not grant (field: scope). Next: ask a workspace admin to grant "
                    f"{', '.join(lacking)} to the Attio app, then sign in again."
                )
                return CallToolResult(content=[TextContent(type="text", text=text)], is_error=True)
        return await call_next(ctx)

    return check_scopes


def _usable_tools(listed: HandlerResult, granted: tuple[str, ...]) -> HandlerResult:
    """``listed`` (a ``tools/list`` result) without the tools whose Attio scopes ``granted`` lacks."""

    def usable(name: str) -> bool:
        spec = ALL_TOOLS.get(name)
        return spec is None or not missing_scopes(spec.scopes, granted)

    # Server middleware sees the result as its wire dict (the SDK's runner dumps the handler's model first).
    if isinstance(listed, dict) and isinstance(listed.get("tools"), list):
        return {**listed, "tools": [t for t in listed["tools"] if usable(str(t.get("name", "")))]}
    return listed


async def read_identity(client: AttioClient) -> tuple[list[str] | None, str | None]:
    """``GET /v2/self`` with a user's new Attio token: its scopes and the member who signed in."""
    async with client:
        info = await client.get_self()
    if not info.active:
        raise AttioSignInError("Attio says the new token is not active")
    return (info.scopes if info.scope is not None else None), info.authorized_by_workspace_member_id
