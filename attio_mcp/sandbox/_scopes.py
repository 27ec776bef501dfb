"""Token scopes: which scopes each endpoint needs, what each token holds, and the 403 for a missing one.

The table below is the ``security`` of every operation the sandbox serves, as Attio's OpenAPI spec states
it (a test compares the two). A token not given scopes holds every scope (``ALL_SCOPES``); ``create_app``'s
``token_scopes`` gives a token fewer, an OAuth token holds what its grant holds (``_oauth``), and
``GET /v2/self`` reports them. ``:read-write`` covers ``:read``.

What Attio answers for a missing scope is not documented (digest §12, unconfirmed); the sandbox answers
``403 auth_error unauthorized`` naming the missing scopes, the shape the newer spec gives "forbidden for
this token" errors.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from ._errors import SandboxError

__all__ = [
    "ALL_SCOPES",
    "ENDPOINT_SCOPES",
    "ScopeMiddleware",
    "granted_scopes",
    "missing",
    "require",
    "route_path",
]

ALL_SCOPES: tuple[str, ...] = tuple(
    f"{name}:read-write"
    for name in (
        "user_management",
        "record_permission",
        "object_configuration",
        "list_entry",
        "list_configuration",
        "public_collection",
        "private_collection",
        "comment",
        "task",
        "note",
        "meeting",
        "call_recording",
        "webhook",
        "file",
    )
)

R_OBJ, R_REC, W_REC = "object_configuration:read", "record_permission:read", "record_permission:read-write"
R_LIST, R_ENTRY, W_ENTRY = "list_configuration:read", "list_entry:read", "list_entry:read-write"
R_MEET, R_CALL = "meeting:read", "call_recording:read"
R_TASK = ("task:read", R_OBJ, R_REC, "user_management:read")
W_TASK = ("task:read-write", R_OBJ, R_REC, "user_management:read")

# (method, path template) -> scopes, from the spec's per-operation ``security``.
ENDPOINT_SCOPES: dict[tuple[str, str], tuple[str, ...]] = {
    ("GET", "/v2/objects"): (R_OBJ,),
    ("GET", "/v2/objects/{object}"): (R_OBJ,),
    ("GET", "/v2/{target}/{identifier}/attributes"): (R_OBJ,),
    ("GET", "/v2/{target}/{identifier}/attributes/{attribute}"): (R_OBJ,),
    ("GET", "/v2/{target}/{identifier}/attributes/{attribute}/options"): (R_OBJ,),
    ("GET", "/v2/{target}/{identifier}/attributes/{attribute}/statuses"): (R_OBJ,),
    ("POST", "/v2/objects/{object}/records/query"): (R_REC, R_OBJ),
    ("POST", "/v2/objects/{object}/records"): (W_REC, R_OBJ),
    ("PUT", "/v2/objects/{object}/records"): (W_REC, R_OBJ),
    ("GET", "/v2/objects/{object}/records/{record_id}"): (R_REC, R_OBJ),
    ("PATCH", "/v2/objects/{object}/records/{record_id}"): (W_REC, R_OBJ),
    ("PUT", "/v2/objects/{object}/records/{record_id}"): (W_REC, R_OBJ),
    ("DELETE", "/v2/objects/{object}/records/{record_id}"): (R_OBJ, W_REC),
    ("GET", "/v2/objects/{object}/records/{record_id}/attributes/{attribute}/values"): (R_REC, R_OBJ),
    ("GET", "/v2/objects/{object}/records/{record_id}/entries"): (R_REC, R_OBJ, R_ENTRY),
    ("POST", "/v2/objects/records/search"): (R_REC, R_OBJ),
    ("GET", "/v2/lists"): (R_LIST,),
    ("GET", "/v2/lists/{list}"): (R_LIST,),
    ("POST", "/v2/lists/{list}/entries/query"): (R_ENTRY, R_LIST),
    ("POST", "/v2/lists/{list}/entries"): (W_ENTRY, R_LIST),
    ("PUT", "/v2/lists/{list}/entries"): (W_ENTRY, R_LIST),
    ("GET", "/v2/lists/{list}/entries/{entry_id}"): (R_ENTRY, R_LIST),
    ("PATCH", "/v2/lists/{list}/entries/{entry_id}"): (W_ENTRY, R_LIST),
    ("PUT", "/v2/lists/{list}/entries/{entry_id}"): (W_ENTRY, R_LIST),
    ("DELETE", "/v2/lists/{list}/entries/{entry_id}"): (W_ENTRY, R_LIST),
    ("GET", "/v2/lists/{list}/entries/{entry_id}/attributes/{attribute}/values"): (R_ENTRY, R_LIST),
    ("GET", "/v2/workspace_members"): ("user_management:read",),
    ("GET", "/v2/workspace_members/{workspace_member_id}"): ("user_management:read",),
    ("GET", "/v2/notes"): ("note:read", R_OBJ, R_REC),
    ("POST", "/v2/notes"): ("note:read-write", R_OBJ, R_REC),
    ("GET", "/v2/notes/{note_id}"): ("note:read", R_OBJ, R_REC),
    ("DELETE", "/v2/notes/{note_id}"): ("note:read-write",),
    ("GET", "/v2/tasks"): R_TASK,
    ("POST", "/v2/tasks"): W_TASK,
    ("GET", "/v2/tasks/{task_id}"): R_TASK,
    ("PATCH", "/v2/tasks/{task_id}"): W_TASK,
    ("DELETE", "/v2/tasks/{task_id}"): ("task:read-write",),
    ("GET", "/v2/threads"): ("comment:read",),
    ("GET", "/v2/threads/{thread_id}"): ("comment:read",),
    ("POST", "/v2/comments"): ("comment:read-write",),
    ("GET", "/v2/comments/{comment_id}"): ("comment:read",),
    ("DELETE", "/v2/comments/{comment_id}"): ("comment:read-write",),
    ("GET", "/v2/meetings"): (R_MEET, R_REC),
    ("GET", "/v2/meetings/{meeting_id}"): (R_MEET, R_REC),
    ("GET", "/v2/meetings/{meeting_id}/call_recordings"): (R_MEET, R_CALL),
    ("GET", "/v2/meetings/{meeting_id}/call_recordings/{call_recording_id}"): (R_MEET, R_CALL),
    ("GET", "/v2/meetings/{meeting_id}/call_recordings/{call_recording_id}/transcript"): (R_MEET, R_CALL),
    ("GET", "/v2/self"): (),
}


def route_path(scope: Scope) -> str:
    """The request path below the app's mount point (``root_path``), as Starlette routes it."""
    path: str = scope["path"]
    root = scope.get("root_path", "")
    if root and path.startswith(root) and (len(path) == len(root) or path[len(root)] == "/"):
        return path[len(root) :] or "/"
    return path


def _pattern(template: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$")


# Templates with more literal segments first, so /v2/objects/records/search beats a {object} match.
_MATCHERS = sorted(
    (
        (method, _pattern(template), scopes, template)
        for (method, template), scopes in ENDPOINT_SCOPES.items()
    ),
    key=lambda m: -sum(not part.startswith("{") for part in m[3].split("/")),
)


def needed(method: str, path: str) -> tuple[str, ...]:
    """The scopes an operation needs (none for a route the table does not know)."""
    for verb, pattern, scopes, _ in _MATCHERS:
        if verb == method and pattern.match(path):
            return scopes
    return ()


def missing(needed: Iterable[str], granted: Iterable[str]) -> list[str]:
    """The needed scopes ``granted`` does not cover (``x:read-write`` covers ``x:read``)."""
    have = set(granted)
    out = []
    for scope in needed:
        name, _, level = scope.partition(":")
        if scope in have or (level == "read" and f"{name}:read-write" in have):
            continue
        out.append(scope)
    return out


def _forbidden(scopes: list[str]) -> SandboxError:
    return SandboxError(
        403,
        "unauthorized",
        f"This API token is missing the required scope(s): {', '.join(scopes)}.",
        "auth_error",
    )


def granted_scopes(request: Request) -> tuple[str, ...]:
    """The scopes of the token that sent ``request``."""
    return tuple(request.scope.get("attio_scopes", ALL_SCOPES))


def require(request: Request, *scopes: str) -> None:
    """403 unless the request's token holds ``scopes`` (for scopes that depend on the request's content)."""
    lacking = missing(scopes, granted_scopes(request))
    if lacking:
        raise _forbidden(lacking)


class ScopeMiddleware:
    """Puts the token's scopes in the ASGI scope and refuses an operation whose scopes it does not hold."""

    def __init__(self, app: ASGIApp, token_scopes: Mapping[str, str] | None = None) -> None:
        self.app = app
        self.token_scopes = {token: tuple(scopes.split()) for token, scopes in (token_scopes or {}).items()}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = ""
        for key, value in scope.get("headers", ()):
            if key == b"authorization":
                token = value.decode("latin-1").partition(" ")[2].strip()
                break
        oauth = scope.get("attio_oauth")  # an OAuth token's grant (set by AuthMiddleware)
        granted = oauth.scopes if oauth is not None else self.token_scopes.get(token, ALL_SCOPES)
        scope["attio_scopes"] = granted
        lacking = missing(needed(scope["method"], route_path(scope)), granted)
        if lacking:
            await _forbidden(lacking).response()(scope, receive, send)
            return
        await self.app(scope, receive, send)
