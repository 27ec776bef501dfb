"""Routes of the emulated ``app.attio.com`` OAuth endpoints: consent page, token, revoke, introspect.

They live on the sandbox's own host next to ``/v2/...``, but outside the API's middleware (rate limits,
faults, Bearer auth, scopes): ``OAuthDispatch`` sends these paths to a small app of their own. The interface
is documented in ``_oauth``.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from ._oauth import OAuthApp, OAuthError, OAuthRegistry, authenticate_client, parse_form
from ._scopes import missing, route_path
from ._store import Store

__all__ = ["OAUTH_PATHS", "OAuthDispatch", "build_oauth_app"]

OAUTH_PATHS = frozenset({"/authorize", "/oauth/token", "/oauth/revoke", "/oauth/introspect"})
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_PAGE_HEADERS = {
    **_NO_STORE,
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
}


class _ErrorPage(Exception):
    """A request that must not be redirected (unknown client, unregistered redirect URI): a 400 page."""


class _RedirectError(Exception):
    """An authorization error reported to the (verified) redirect URI (RFC 6749 §4.1.2.1)."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description


def _registry(request: Request) -> OAuthRegistry:
    return request.app.state.oauth


def _store(request: Request) -> Store:
    return request.app.state.sandbox


def _single(params: list[tuple[str, str]], name: str) -> str | None:
    values = [v for k, v in params if k == name]
    if len(values) > 1:
        raise _ErrorPage(f"Parameter {name!r} is repeated.")
    return values[0] if values else None


def _with_query(uri: str, params: Mapping[str, str | None]) -> str:
    """``uri`` with ``params`` added to its query (keeping the query it already has, RFC 6749 §3.1.2)."""
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query += [(k, v) for k, v in params.items() if v is not None]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _client_and_redirect(registry: OAuthRegistry, params: list[tuple[str, str]]) -> tuple[OAuthApp, str]:
    client_id = _single(params, "client_id")
    if not client_id:
        raise _ErrorPage("The request has no client_id.")
    app = registry.app(client_id)
    if app is None:
        raise _ErrorPage(f"No app has the client_id {client_id!r}.")
    redirect_uri = _single(params, "redirect_uri")
    if not redirect_uri:
        raise _ErrorPage("The request has no redirect_uri.")
    if redirect_uri not in app.redirect_uris:
        raise _ErrorPage(f"The redirect_uri {redirect_uri!r} is not registered for {app.name}.")
    return app, redirect_uri


def _check_response_type(params: list[tuple[str, str]]) -> None:
    response_type = _single(params, "response_type")
    if not response_type:
        raise _RedirectError("invalid_request", "response_type is required.")
    if response_type != "code":
        raise _RedirectError("unsupported_response_type", "Only response_type=code is supported.")


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    doc = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>body{{font-family:sans-serif;max-width:40em;"
        "margin:2em auto}label{display:block;margin:.2em 0}fieldset{margin:1em 0}</style></head>"
        f"<body><h1>{html.escape(title)}</h1>{body}</body></html>"
    )
    return HTMLResponse(doc, status_code=status, headers=_PAGE_HEADERS)


def _error_page(message: str) -> HTMLResponse:
    return _page("Authorization request refused", f"<p>{html.escape(message)}</p>", 400)


def _consent_page(store: Store, app: OAuthApp, params: list[tuple[str, str]], redirect_uri: str) -> Response:
    esc = html.escape
    hidden = "".join(
        f"<input type='hidden' name='{esc(name)}' value='{esc(value)}'>"
        for name in ("client_id", "redirect_uri", "response_type", "state")
        if (value := _single(params, name)) is not None
    )
    members = "".join(
        f"<label><input type='radio' name='member' value='{esc(m['id']['workspace_member_id'])}'"
        f"{' checked' if i == 0 else ''}> {esc(m['first_name'])} {esc(m['last_name'])} "
        f"&lt;{esc(m['email_address'])}&gt; ({esc(m['access_level'])}); may grant "
        f"{len(app.scopes_for(m))} of {len(app.scopes)} scopes</label>"
        for i, m in enumerate(store.members.values())
    )
    scopes = "".join(
        f"<label><input type='checkbox' name='scope' value='{esc(s)}' checked> {esc(s)}</label>"
        for s in app.scopes
    )
    workspace = store.workspace.get("workspace_name", "")
    body = (
        f"<p><strong>{esc(app.name)}</strong> (client_id <code>{esc(app.client_id)}</code>) asks to access "
        f"the workspace <strong>{esc(workspace)}</strong>. You will be sent back to "
        f"<code>{esc(redirect_uri)}</code>.</p><p>This is the Attio sandbox's test consent: there is no "
        "password; pick the workspace member to sign in as.</p>"
        f"<form method='post' action='authorize'>{hidden}<input type='hidden' name='scope_choice' value='1'>"
        f"<fieldset><legend>Sign in as</legend>{members}</fieldset>"
        f"<fieldset><legend>Scopes (untick to grant fewer)</legend>{scopes}</fieldset>"
        "<button type='submit' name='decision' value='approve'>Approve</button> "
        "<button type='submit' name='decision' value='deny'>Deny</button></form>"
    )
    return _page(f"Authorize {app.name}", body)


async def authorize_page(request: Request) -> Response:
    params = list(request.query_params.multi_items())
    try:
        app, redirect_uri = _client_and_redirect(_registry(request), params)
    except _ErrorPage as exc:
        return _error_page(str(exc))
    try:
        _check_response_type(params)
        return _consent_page(_store(request), app, params, redirect_uri)
    except _ErrorPage as exc:
        return _error_page(str(exc))
    except _RedirectError as exc:
        return _redirect_error(redirect_uri, exc, params)


def _redirect_error(redirect_uri: str, exc: _RedirectError, params: list[tuple[str, str]]) -> Response:
    state = next((v for k, v in params if k == "state"), None)
    target = _with_query(
        redirect_uri, {"error": exc.error, "error_description": exc.description, "state": state}
    )
    return RedirectResponse(target, status_code=302, headers=_NO_STORE)


def _member(store: Store, raw: str | None) -> dict[str, Any]:
    if not raw:
        raise _ErrorPage("Choose the workspace member to sign in as.")
    member = store.member_by_id(raw) or store.member_by_email(raw)
    if member is None:
        raise _ErrorPage(f"No workspace member {raw!r}.")
    return member


def _grantable(scope: str, allowed: tuple[str, ...]) -> str | None:
    """``scope``, or its ``:read`` half when only that is allowed, or None."""
    name, _, level = scope.partition(":")
    for candidate in (scope, f"{name}:read") if level == "read-write" else (scope,):
        if not missing([candidate], allowed):
            return candidate
    return None


def _chosen_scopes(params: list[tuple[str, str]], allowed: tuple[str, ...]) -> tuple[str, ...]:
    """The scopes to grant: the member's whole set, or those asked for (``x:read`` is within ``x:read-write``).

    From the consent page (``scope_choice``) a ticked box grants what the member may of it (``x:read`` of
    ``x:read-write``, or nothing; the page lists every app scope for every member); a direct post asking for
    a scope the member may not grant is ``invalid_scope``.
    """
    chosen = [s for k, v in params if k == "scope" for s in v.split()]
    if _single(params, "scope_choice") is not None:
        return tuple(dict.fromkeys(g for s in chosen if (g := _grantable(s, allowed)) is not None))
    if not chosen:
        return allowed
    extra = missing(chosen, allowed)
    if extra:
        raise _RedirectError("invalid_scope", f"Scope(s) not available to this member: {', '.join(extra)}.")
    return tuple(dict.fromkeys(chosen))


async def authorize_decision(request: Request) -> Response:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        return _error_page("The consent form must be posted as application/x-www-form-urlencoded.")
    try:
        form = list(parse_qsl((await request.body()).decode("utf-8"), keep_blank_values=True))
    except UnicodeDecodeError:
        return _error_page("The form is not valid UTF-8.")
    registry, store = _registry(request), _store(request)
    try:
        app, redirect_uri = _client_and_redirect(registry, form)
    except _ErrorPage as exc:
        return _error_page(str(exc))
    try:
        state = _single(form, "state")
        _check_response_type(form)
        decision = _single(form, "decision")
        if decision == "deny":
            raise _RedirectError("access_denied", "The member denied the request.")
        if decision != "approve":
            raise _ErrorPage("decision must be 'approve' or 'deny'.")
        member = _member(store, _single(form, "member"))
        scopes = _chosen_scopes(form, app.scopes_for(member))
    except _ErrorPage as exc:
        return _error_page(str(exc))
    except _RedirectError as exc:
        return _redirect_error(redirect_uri, exc, form)
    code = registry.issue_code(app, member["id"]["workspace_member_id"], scopes, redirect_uri)
    return RedirectResponse(_with_query(redirect_uri, {"code": code, "state": state}), 302, headers=_NO_STORE)


def _oauth_error(exc: OAuthError) -> JSONResponse:
    headers = dict(_NO_STORE)
    if exc.status == 401 and exc.basic:
        headers["WWW-Authenticate"] = 'Basic realm="attio-sandbox"'
    return JSONResponse(exc.body(), status_code=exc.status, headers=headers)


async def _client_form(request: Request) -> tuple[OAuthRegistry, OAuthApp, dict[str, str]]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise OAuthError(
            "invalid_request",
            "The body must be application/x-www-form-urlencoded (Attio documents no other).",
        )
    form = parse_form(await request.body())
    registry = _registry(request)
    app = authenticate_client(registry, form, request.headers.get("authorization", ""))
    return registry, app, form


def _required(form: Mapping[str, str], name: str) -> str:
    value = form.get(name)
    if not value:
        raise OAuthError("invalid_request", f"{name} is required.")
    return value


async def token(request: Request) -> JSONResponse:
    try:
        registry, app, form = await _client_form(request)
        grant_type = _required(form, "grant_type")
        if grant_type == "authorization_code":
            code = _required(form, "code")
            answer = registry.redeem_code(app, code, _required(form, "redirect_uri"))
        elif grant_type == "refresh_token":
            if not app.expiring:
                raise OAuthError(
                    "unauthorized_client",
                    "This app's tokens do not expire, so it has no refresh tokens (Attio's default).",
                )
            answer = registry.refresh(app, _required(form, "refresh_token"))
        else:
            raise OAuthError("unsupported_grant_type", f"grant_type {grant_type!r} is not supported.")
    except OAuthError as exc:
        return _oauth_error(exc)
    return JSONResponse(answer, headers=_NO_STORE)


async def revoke(request: Request) -> Response:
    """Attio's revoke as documented: the token as ``Authorization: Bearer`` or a form ``token`` (the same one
    if both), nothing else in the body; 204 with no body, also for a token it does not know."""
    try:
        body = await request.body()
        form: dict[str, str] = {}
        if body:
            content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if content_type != "application/x-www-form-urlencoded":
                raise OAuthError("invalid_request", "The body must be application/x-www-form-urlencoded.")
            form = parse_form(body)
        extra = sorted(set(form) - {"token"})
        if extra:
            raise OAuthError("invalid_request", f"Unexpected field(s) {', '.join(extra)}: send only token.")
        header = request.headers.get("authorization", "")
        scheme, _, credential = header.partition(" ")
        if header and (scheme.lower() != "bearer" or not credential.strip()):
            raise OAuthError("invalid_request", "The Authorization header must be Bearer <token>.")
        in_header, in_body = credential.strip() or None, form.get("token") or None
        if in_header and in_body and in_header != in_body:
            raise OAuthError("invalid_request", "The token in the header does not match the one in the body.")
        token = in_header or in_body
        if not token:
            raise OAuthError("invalid_request", "No token in the Authorization header or the body.")
        _registry(request).revoke(token)
    except OAuthError as exc:
        return _oauth_error(exc)
    return Response(status_code=204, headers=_NO_STORE)


def build_oauth_app(registry: OAuthRegistry, store: Store) -> Starlette:
    """The app serving ``/authorize``, ``/oauth/token`` and ``/oauth/revoke`` (introspect: ``OAuthDispatch``)."""
    app = Starlette(
        routes=[
            Route("/authorize", authorize_page, methods=["GET"]),
            Route("/authorize", authorize_decision, methods=["POST"]),
            Route("/oauth/token", token, methods=["POST"]),
            Route("/oauth/revoke", revoke, methods=["POST"]),
        ]
    )
    app.state.oauth = registry
    app.state.sandbox = store
    return app


class OAuthDispatch:
    """Outermost middleware: the OAuth paths go to ``oauth_app``; everything else to the API stack.

    ``POST /oauth/introspect`` is answered by the API's own ``GET /v2/self`` (same auth, same body); a 401
    there becomes Attio's ``{"active": false}``.
    """

    def __init__(self, app: ASGIApp, oauth_app: ASGIApp) -> None:
        self.app = app
        self.oauth_app = oauth_app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or route_path(scope) not in OAUTH_PATHS:
            await self.app(scope, receive, send)
            return
        if route_path(scope) != "/oauth/introspect":
            await self.oauth_app(scope, receive, send)
            return
        if scope["method"] != "POST":
            await JSONResponse(
                {"error": "invalid_request", "error_description": "Use POST."}, status_code=405
            )(scope, receive, send)
            return
        await self._introspect(scope, receive, send)

    async def _introspect(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("root_path", "") + "/v2/self"
        inner = {**scope, "method": "GET", "path": path, "raw_path": path.encode(), "query_string": b""}
        started: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: Any) -> None:
            if message["type"] == "http.response.start":
                started.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(inner, receive, capture)
        if started.get("status") == 401:
            await JSONResponse({"active": False}, headers=_NO_STORE)(scope, receive, send)
            return
        await send(started)
        await send({"type": "http.response.body", "body": b"".join(chunks), "more_body": False})
