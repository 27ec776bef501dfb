"""HTTP plumbing shared by the sandbox routes: auth, body parsing, query params, error handlers."""

from __future__ import annotations

import json
import logging
from collections.abc import Collection
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from ._errors import SandboxError, validation_error
from ._oauth import ACCESS_TOKEN_PREFIX, OAuthRegistry
from ._store import Store, request_actor

__all__ = [
    "AuthMiddleware",
    "bool_param",
    "exception_handlers",
    "expect_object",
    "int_param",
    "json_body",
    "ok",
    "require_data",
    "store_of",
]

log = logging.getLogger("attio_mcp.sandbox")


def store_of(request: Request) -> Store:
    """The sandbox store behind the app serving ``request``."""
    return request.app.state.sandbox


def ok(data: Any) -> JSONResponse:
    """``{"data": ...}`` with status 200."""
    return JSONResponse({"data": data})


def _js_int(text: str) -> int | float:
    """A JSON integer as JavaScript (Attio) reads it: beyond a double's range it is no usable number."""
    if len(text.lstrip("-")) > 308:
        raise ValueError("number out of range")
    return int(text)


def _no_constant(text: str) -> Any:
    raise ValueError(f"{text} is not JSON")


async def json_body(request: Request) -> Any:
    """The parsed JSON body; a missing or malformed body is a 400 ``validation_type``.

    Strict JSON, as Attio parses it: ``NaN``/``Infinity`` are refused, and so is an integer too long for a
    double (a 4,300-digit one used to reach the filters and crash them with a 500).
    """
    raw = await request.body()
    if not raw.strip():
        raise validation_error("Body payload validation error.", [], expected="object", received="undefined")
    try:
        return json.loads(raw, parse_int=_js_int, parse_constant=_no_constant)
    except (ValueError, UnicodeDecodeError) as exc:
        raise validation_error(
            "Body payload validation error: invalid JSON.", [], issue_code="invalid_json"
        ) from exc


def _type_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return "string"


def expect_object(value: Any, path: list[str | int], *, missing: bool = False) -> dict[str, Any]:
    """``value`` if it is a JSON object, else a 400 ``validation_type`` naming ``path``."""
    if isinstance(value, dict):
        return value
    received = "undefined" if missing else _type_of(value)
    issue = {
        "code": "invalid_type",
        "path": list(path),
        "message": "Required" if missing else f"Expected object, received {received}",
        "expected": "object",
        "received": received,
    }
    raise validation_error("Body payload validation error.", issues=[issue])


def require_data(body: Any) -> dict[str, Any]:
    """``body["data"]`` as an object (the create/update envelope)."""
    body = expect_object(body, [])
    return expect_object(body.get("data"), ["data"], missing="data" not in body)


def int_param(
    request: Request, name: str, default: int | None, *, minimum: int = 0, maximum: int | None = None
) -> int | None:
    """An integer query parameter within bounds (400 ``validation_type`` otherwise)."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise validation_error(
            f'Query parameter "{name}" must be an integer.', [name], expected="number"
        ) from exc
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        raise validation_error(f'Query parameter "{name}" must be {bound}.', [name], issue_code="too_big")
    return value


def bool_param(request: Request, name: str) -> bool | None:
    """A boolean query parameter (``true``/``false``), or None when absent."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    if raw.lower() in ("true", "1"):
        return True
    if raw.lower() in ("false", "0"):
        return False
    raise validation_error(f'Query parameter "{name}" must be a boolean.', [name], expected="boolean")


async def _sandbox_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SandboxError)
    return exc.response()


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        return SandboxError(
            405, "method_not_allowed", f"Method {request.method} is not allowed on {request.url.path}."
        ).response()
    if exc.status_code == 404:
        return SandboxError(
            404, "not_found", f"No route matches {request.method} {request.url.path}."
        ).response()
    return SandboxError(exc.status_code, "http_error", str(exc.detail)).response()


async def _server_error(request: Request, exc: Exception) -> Response:
    log.exception("sandbox internal error on %s %s", request.method, request.url.path)
    return SandboxError(500, "internal_server_error", "An unexpected error occurred.", "api_error").response()


exception_handlers: dict[Any, Any] = {
    SandboxError: _sandbox_error,
    HTTPException: _http_error,
    Exception: _server_error,
}


class AuthMiddleware:
    """401 Attio-shaped unless the request carries ``Authorization: Bearer <token>`` (a known one if set).

    A token with the OAuth prefix must be a live token of ``oauth`` (whatever ``tokens`` says); the request
    then carries its ``TokenInfo`` as ``scope["attio_oauth"]`` and writes as its workspace member.
    """

    def __init__(
        self, app: ASGIApp, tokens: Collection[str] | None = None, oauth: OAuthRegistry | None = None
    ) -> None:
        self.app = app
        self.tokens = None if tokens is None else frozenset(tokens)
        self.oauth = oauth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        header = ""
        for key, value in scope.get("headers", ()):
            if key == b"authorization":
                header = value.decode("latin-1")
                break
        scheme, _, token = header.partition(" ")
        token = token.strip()
        valid = scheme.lower() == "bearer" and bool(token)
        info = None
        if valid and self.oauth is not None and token.startswith(ACCESS_TOKEN_PREFIX):
            info = self.oauth.lookup(token)
            valid = info is not None
        elif valid and self.tokens is not None:
            valid = token in self.tokens
        if not valid:
            error = SandboxError(
                401,
                "unauthorized",
                "Authentication failed: provide a valid API token as 'Authorization: Bearer <token>'.",
                "auth_error",
            )
            await error.response()(scope, receive, send)
            return
        if info is None:
            await self.app(scope, receive, send)
            return
        scope["attio_oauth"] = info
        reset = request_actor.set({"type": "workspace-member", "id": info.member_id})
        try:
            await self.app(scope, receive, send)
        finally:
            request_actor.reset(reset)
