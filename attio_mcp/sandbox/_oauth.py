"""The sandbox's emulation of Attio's OAuth 2.0 authorization-code flow: apps, codes and tokens.

Attio's flow (docs.attio.com, "OAuth 2.0"): the app sends the user to ``https://app.attio.com/authorize``
with ``client_id``, ``response_type=code``, ``redirect_uri`` (exactly one of the app's registered URIs) and
an optional ``state``; after consent Attio redirects (302) to ``redirect_uri`` with ``code`` and ``state``.
The app posts ``client_id``, ``client_secret``, ``grant_type=authorization_code`` and ``code`` form-encoded
to ``https://app.attio.com/oauth/token`` and gets ``{"access_token", "token_type": "Bearer"}``. Tokens do not
expire. ``POST /oauth/introspect`` with the token as Bearer describes it like ``GET /v2/self``. Scopes are
set on the app, not requested at authorize time. Attio documents no refresh, revoke or error bodies.

**Interface** (what the MCP server's OAuth broker codes against). Paths are relative to the sandbox's base
URL (``http://127.0.0.1:8787`` under ``attio-mcp sandbox serve``; a prefix when mounted):

- ``GET /authorize?client_id&redirect_uri&response_type=code[&state]``: an HTML test consent page. An unknown
  ``client_id`` or a ``redirect_uri`` not registered for the app gives a 400 HTML error page, never a redirect.
  Other errors redirect to ``redirect_uri`` with ``error`` (RFC 6749 §4.1.2.1) and ``state``:
  ``invalid_request`` (no ``response_type``), ``unsupported_response_type`` (not ``code``).
- ``POST /authorize`` (form-encoded; what the consent page submits, and what a test may post directly):
  the same four fields plus ``member`` (a workspace member's id or email address; required to approve) and
  ``decision`` (``approve`` or ``deny``). Optional ``scope`` fields (repeated, or space-separated) pick the
  scopes to grant, a subset of what the member may grant (else ``error=invalid_scope``); with none the
  member's full set is granted. The page's own form also sends ``scope_choice=1``: then each ticked box
  grants what the member may of it (``x:read`` of ``x:read-write``; none if every box is unticked). Approve: 302 to ``redirect_uri?code=…&state=…``; deny: 302 with
  ``error=access_denied&state=…``. Codes are single-use and expire after ``CODE_TTL_SECONDS`` (600).
- ``POST /oauth/token`` (``application/x-www-form-urlencoded`` only): client authentication by
  ``client_id`` + ``client_secret`` in the body or HTTP Basic (RFC 6749 §2.3.1), not both.
  ``grant_type=authorization_code`` needs ``code`` and ``redirect_uri`` (the one of the authorize request).
  Answer: ``{"access_token", "token_type": "Bearer"}``; for an app with ``expiring=True`` also
  ``expires_in`` and ``refresh_token``, and ``grant_type=refresh_token`` (``refresh_token``) then rotates
  both. Errors are RFC 6749 §5.2 bodies ``{"error", "error_description"}``: 400 ``invalid_request``,
  ``invalid_grant``, ``unsupported_grant_type``, ``unauthorized_client``; 401 ``invalid_client``. A code used
  twice is refused and the tokens issued for it are revoked (RFC 6749 §4.1.2).
- ``POST /oauth/revoke`` (Attio's): the token (access or refresh) as ``Authorization: Bearer <token>`` or as
  the form field ``token``, the same one if both (else 400), and no other field (400: stricter than Attio's
  docs, which name no other). 204 with no body, also for an unknown token; it revokes the whole grant (the
  access token and its refresh token). No client authentication, as Attio documents none.
- ``POST /oauth/introspect`` (Attio's): ``Authorization: Bearer <token>``; 200 with the ``GET /v2/self`` body,
  or ``{"active": false}`` for an unknown, revoked or expired token.

Access tokens start with ``ACCESS_TOKEN_PREFIX``. A Bearer token with that prefix is looked up among issued
tokens (unknown, revoked or expired: 401 Attio-shaped on every API route), acts with the scopes granted at
consent, records ``{"type": "workspace-member", "id": <member>}`` as the actor of its writes, and is
described by ``GET /v2/self`` with its app's ``client_id``, the member, ``token_level: "user"`` and
``exp`` (null unless the app expires tokens). Every other token works as before (the static API tokens).

Apps: ``create_app(oauth_apps=[OAuthApp(...)])`` registers them next to ``DEMO_OAUTH_APP``; after creation,
``oauth_registry(app).register(...)`` / ``.add_redirect_uri(client_id, uri)`` do the same. Test hooks:
``OAuthApp.member_scopes`` (member id or email -> the scopes that member's tokens get), unticking scopes on
the consent form, and ``OAuthRegistry.now`` (a replaceable clock, in epoch seconds, for code and token
expiry). Grants live in memory only: a restarted sandbox has forgotten every OAuth token.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from ._ids import stable_id
from ._scopes import ALL_SCOPES, missing

__all__ = [
    "ACCESS_TOKEN_PREFIX",
    "CODE_TTL_SECONDS",
    "DEMO_OAUTH_APP",
    "Grant",
    "OAuthApp",
    "OAuthError",
    "OAuthRegistry",
    "TokenInfo",
    "authenticate_client",
    "parse_form",
]

ACCESS_TOKEN_PREFIX = "sbx_oat_"
REFRESH_TOKEN_PREFIX = "sbx_ort_"
CODE_PREFIX = "sbx_code_"
CODE_TTL_SECONDS = 600
_KNOWN_SCOPES = frozenset(ALL_SCOPES) | {s.replace(":read-write", ":read") for s in ALL_SCOPES}


class OAuthError(Exception):
    """An RFC 6749 §5.2 error: ``{"error", "error_description"}`` with status 400 or 401."""

    def __init__(self, error: str, description: str, status: int = 400, *, basic: bool = False) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status
        self.basic = basic  # the client tried HTTP Basic: a 401 must then carry WWW-Authenticate

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


def _check_redirect_uri(uri: str) -> None:
    parts = urlsplit(uri)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.fragment:
        raise ValueError(f"redirect URI {uri!r} must be an absolute http(s) URL without a fragment")


def _check_scopes(scopes: Iterable[str], where: str) -> tuple[str, ...]:
    out = tuple(dict.fromkeys(scopes))
    unknown = [s for s in out if s not in _KNOWN_SCOPES]
    if unknown:
        raise ValueError(f"{where}: unknown scope(s) {', '.join(unknown)}")
    return out


@dataclass(frozen=True)
class OAuthApp:
    """An Attio app with OAuth enabled, as its creator configured it on build.attio.com.

    ``scopes``: what the app's tokens may hold (Attio: set on the app). ``member_scopes``: a member (id or
    email) -> the scopes that member's tokens get instead, space-separated (a test hook; must stay within
    ``scopes``). ``expiring``: emulate expiring tokens (``expires_in`` + ``refresh_token``, refresh grant);
    off by default because Attio's tokens do not expire. ``access_token_ttl``: their lifetime in seconds.
    """

    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]
    scopes: tuple[str, ...] = ALL_SCOPES
    name: str = "Sandbox OAuth app"
    expiring: bool = False
    access_token_ttl: int = 3600
    member_scopes: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.client_id or not self.client_secret:
            raise ValueError("an OAuth app needs a client_id and a client_secret")
        object.__setattr__(self, "redirect_uris", tuple(self.redirect_uris))
        for uri in self.redirect_uris:
            _check_redirect_uri(uri)
        object.__setattr__(self, "scopes", _check_scopes(self.scopes, self.client_id))
        for member, scopes in self.member_scopes.items():
            extra = missing(_check_scopes(scopes.split(), member), self.scopes)
            if extra:
                raise ValueError(
                    f"member_scopes[{member!r}] goes beyond the app's scopes: {', '.join(extra)}"
                )
        if self.access_token_ttl < 1:
            raise ValueError("access_token_ttl must be at least one second")

    def scopes_for(self, member: Mapping[str, Any]) -> tuple[str, ...]:
        """The scopes ``member`` may grant this app (``member_scopes`` by id or email, else the app's)."""
        member_id = member["id"]["workspace_member_id"]
        email = str(member["email_address"]).lower()
        for key, scopes in self.member_scopes.items():
            if key == member_id or key.lower() == email:
                return tuple(scopes.split())
        return self.scopes


DEMO_OAUTH_APP = OAuthApp(
    client_id=stable_id("oauth-app", "demo"),
    client_secret="sandbox-demo-client-secret",
    redirect_uris=("http://127.0.0.1:8976/callback", "http://localhost:8976/callback"),
    name="Sandbox demo app",
)


@dataclass
class Grant:
    """One consent: the app, the member and the scopes; its live access and refresh tokens."""

    client_id: str
    member_id: str
    scopes: tuple[str, ...]
    access_tokens: set[str] = field(default_factory=set)
    refresh_token: str | None = None


@dataclass(frozen=True)
class TokenInfo:
    """An issued access token."""

    token: str
    grant: Grant
    issued_at: int
    expires_at: int | None

    @property
    def client_id(self) -> str:
        return self.grant.client_id

    @property
    def member_id(self) -> str:
        return self.grant.member_id

    @property
    def scopes(self) -> tuple[str, ...]:
        return self.grant.scopes


@dataclass
class _Code:
    grant: Grant
    redirect_uri: str
    expires_at: float
    used: bool = False


class OAuthRegistry:
    """The sandbox's OAuth apps, pending codes and issued tokens (in memory, thread-safe)."""

    def __init__(self, apps: Iterable[OAuthApp] = (), *, now: Callable[[], float] = time.time) -> None:
        self.now = now
        self._lock = threading.Lock()
        self._apps: dict[str, OAuthApp] = {}
        self._codes: dict[str, _Code] = {}
        self._access: dict[str, TokenInfo] = {}
        self._refresh: dict[str, Grant] = {}
        for app in apps:
            self.register(app)

    # -- apps ----------------------------------------------------------------------------------------
    def register(self, app: OAuthApp) -> None:
        """Add (or replace, by client_id) an app."""
        with self._lock:
            self._apps[app.client_id] = app

    def add_redirect_uri(self, client_id: str, uri: str) -> None:
        """Register one more redirect URI for an app (e.g. a server's callback, known once it listens)."""
        _check_redirect_uri(uri)
        with self._lock:
            app = self._apps[client_id]
            if uri not in app.redirect_uris:
                self._apps[client_id] = replace(app, redirect_uris=(*app.redirect_uris, uri))

    def app(self, client_id: str) -> OAuthApp | None:
        return self._apps.get(client_id)

    # -- codes ---------------------------------------------------------------------------------------
    def issue_code(self, app: OAuthApp, member_id: str, scopes: tuple[str, ...], redirect_uri: str) -> str:
        code = CODE_PREFIX + secrets.token_urlsafe(24)
        now = self.now()
        with self._lock:
            for stale in [c for c, pending in self._codes.items() if pending.expires_at <= now]:
                del self._codes[stale]
            grant = Grant(app.client_id, member_id, scopes)
            self._codes[code] = _Code(grant, redirect_uri, now + CODE_TTL_SECONDS)
        return code

    def redeem_code(self, app: OAuthApp, code: str, redirect_uri: str) -> dict[str, Any]:
        """Exchange a code for tokens (the token endpoint's answer), or raise ``invalid_grant``."""
        with self._lock:
            pending = self._codes.get(code)
            if pending is None or pending.expires_at <= self.now():
                raise OAuthError("invalid_grant", "The authorization code is invalid or has expired.")
            if pending.grant.client_id != app.client_id:
                raise OAuthError("invalid_grant", "The authorization code was issued to another client.")
            if pending.used:
                self._revoke_grant(pending.grant)
                raise OAuthError(
                    "invalid_grant",
                    "The authorization code has already been used; the tokens issued for it are revoked.",
                )
            if not hmac.compare_digest(pending.redirect_uri, redirect_uri):
                raise OAuthError("invalid_grant", "redirect_uri does not match the authorization request.")
            pending.used = True
            return self._issue(app, pending.grant)

    # -- tokens --------------------------------------------------------------------------------------
    def refresh(self, app: OAuthApp, refresh_token: str) -> dict[str, Any]:
        """Rotate a refresh token: a new access token and a new refresh token; the old refresh token dies."""
        with self._lock:
            grant = self._refresh.get(refresh_token)
            if grant is None or grant.client_id != app.client_id:
                raise OAuthError("invalid_grant", "The refresh token is invalid, revoked or already used.")
            del self._refresh[refresh_token]
            grant.refresh_token = None
            return self._issue(app, grant)

    def _issue(self, app: OAuthApp, grant: Grant) -> dict[str, Any]:
        token = ACCESS_TOKEN_PREFIX + secrets.token_urlsafe(32)
        issued = int(self.now())
        expires = issued + app.access_token_ttl if app.expiring else None
        self._access[token] = TokenInfo(token, grant, issued, expires)
        grant.access_tokens.add(token)
        answer: dict[str, Any] = {"access_token": token, "token_type": "Bearer"}
        if app.expiring:
            refresh = REFRESH_TOKEN_PREFIX + secrets.token_urlsafe(32)
            grant.refresh_token = refresh
            self._refresh[refresh] = grant
            answer.update(expires_in=app.access_token_ttl, refresh_token=refresh)
        return answer

    def issued_tokens(self) -> list[str]:
        """Every live access and refresh token (a test hook, e.g. to show none reaches an MCP client)."""
        with self._lock:
            return [*self._access, *self._refresh]

    def lookup(self, token: str) -> TokenInfo | None:
        """The live access token ``token`` (None if unknown, revoked or expired)."""
        info = self._access.get(token)
        if info is None or (info.expires_at is not None and info.expires_at <= self.now()):
            return None
        return info

    def revoke(self, token: str) -> None:
        """Revoke the grant behind an access or refresh token (unknown tokens: nothing happens)."""
        with self._lock:
            info = self._access.get(token)
            grant = info.grant if info is not None else self._refresh.get(token)
            if grant is not None:
                self._revoke_grant(grant)

    def _revoke_grant(self, grant: Grant) -> None:
        for token in grant.access_tokens:
            self._access.pop(token, None)
        grant.access_tokens.clear()
        if grant.refresh_token is not None:
            self._refresh.pop(grant.refresh_token, None)
            grant.refresh_token = None


def parse_form(body: bytes) -> dict[str, str]:
    """An ``application/x-www-form-urlencoded`` body; a repeated parameter is ``invalid_request`` (§3.2)."""
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError as exc:
        raise OAuthError("invalid_request", "The request body is not valid UTF-8.") from exc
    out: dict[str, str] = {}
    for key, value in pairs:
        if key in out:
            raise OAuthError("invalid_request", f"Parameter {key!r} is repeated.")
        out[key] = value
    return out


def _basic_credentials(header: str) -> tuple[str, str] | None:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise OAuthError("invalid_client", "Malformed HTTP Basic credentials.", 401, basic=True) from exc
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise OAuthError("invalid_client", "Malformed HTTP Basic credentials.", 401, basic=True)
    return unquote(client_id), unquote(secret)


def authenticate_client(registry: OAuthRegistry, form: Mapping[str, str], authorization: str) -> OAuthApp:
    """The app authenticating with ``client_secret_post`` or ``client_secret_basic`` (exactly one)."""
    basic = _basic_credentials(authorization) if authorization else None
    if basic is not None and ("client_secret" in form or form.get("client_id", basic[0]) != basic[0]):
        raise OAuthError("invalid_request", "Use one client authentication method, not both.")
    client_id, secret = basic if basic is not None else (form.get("client_id", ""), form.get("client_secret"))
    if not client_id:
        raise OAuthError("invalid_client", "client_id is required.", 401)
    app = registry.app(client_id)
    if app is None or secret is None or not hmac.compare_digest(secret.encode(), app.client_secret.encode()):
        raise OAuthError("invalid_client", "Client authentication failed.", 401, basic=basic is not None)
    return app
