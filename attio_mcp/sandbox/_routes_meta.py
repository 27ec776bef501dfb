"""Routes: token self-description, objects, attributes, options, statuses, workspace members."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ._errors import not_found
from ._http import bool_param, int_param, ok, store_of
from ._schema import AttrDef
from ._scopes import ALL_SCOPES, granted_scopes
from ._store import Store

__all__ = ["SCOPES", "routes"]

SCOPES = " ".join(ALL_SCOPES)  # a token given no scopes of its own holds them all


async def get_self(request: Request) -> JSONResponse:
    store = store_of(request)
    ws = store.workspace
    oauth = request.scope.get("attio_oauth")  # an OAuth access token (``_oauth.TokenInfo``)
    client_id = oauth.client_id if oauth is not None else ws["client_id"]
    body: dict[str, Any] = {
        "active": True,
        "scope": " ".join(granted_scopes(request)),
        "client_id": client_id,
        "token_type": "Bearer",
        "exp": oauth.expires_at if oauth is not None else None,
        "iat": oauth.issued_at if oauth is not None else ws.get("token_issued_at", 1767225600),
        "sub": ws["workspace_id"],
        "aud": client_id,
        "iss": "attio.com",
        "authorized_by_workspace_member_id": (
            oauth.member_id if oauth is not None else ws["authorized_by_workspace_member_id"]
        ),
        "workspace_id": ws["workspace_id"],
        "workspace_name": ws["workspace_name"],
        "workspace_slug": ws["workspace_slug"],
        "workspace_logo_url": None,
        "token_level": "user" if oauth is not None else "workspace",
    }
    return JSONResponse(body)


async def list_objects(request: Request) -> JSONResponse:
    return ok(list(store_of(request).schema.objects.values()))


async def get_object(request: Request) -> JSONResponse:
    return ok(store_of(request).schema.object(request.path_params["object"]))


def _parent_id(store: Store, target: str, identifier: str) -> str:
    if target == "objects":
        return store.schema.object(identifier)["id"]["object_id"]
    if target == "lists":
        return store.schema.list(identifier)["id"]["list_id"]
    raise not_found(f'Unknown target "{target}": expected "objects" or "lists".')


def _attribute(request: Request) -> AttrDef:
    store = store_of(request)
    params = request.path_params
    parent_id = _parent_id(store, params["target"], params["identifier"])
    return store.schema.attr(parent_id, params["attribute"])


async def list_attributes(request: Request) -> JSONResponse:
    store = store_of(request)
    params = request.path_params
    parent_id = _parent_id(store, params["target"], params["identifier"])
    limit = int_param(request, "limit", None, minimum=1)
    offset = int_param(request, "offset", 0) or 0
    show_archived = bool_param(request, "show_archived") or False
    attrs = [
        a.data for a in store.schema.attrs(parent_id).values() if show_archived or not a.data["is_archived"]
    ]
    end = None if limit is None else offset + limit
    return ok(attrs[offset:end])


async def get_attribute(request: Request) -> JSONResponse:
    return ok(_attribute(request).data)


async def list_options(request: Request) -> JSONResponse:
    attr = _attribute(request)
    show_archived = bool_param(request, "show_archived") or False
    return ok([o for o in attr.options if show_archived or not o["is_archived"]])


async def list_statuses(request: Request) -> JSONResponse:
    attr = _attribute(request)
    show_archived = bool_param(request, "show_archived") or False
    return ok([s for s in attr.statuses if show_archived or not s["is_archived"]])


async def list_members(request: Request) -> JSONResponse:
    return ok(list(store_of(request).members.values()))


async def get_member(request: Request) -> JSONResponse:
    member_id = request.path_params["workspace_member_id"]
    member = store_of(request).member_by_id(member_id)
    if member is None:
        raise not_found(f'Workspace member with ID "{member_id}" not found.')
    return ok(member)


routes = [
    Route("/v2/self", get_self, methods=["GET"]),
    Route("/v2/objects", list_objects, methods=["GET"]),
    Route("/v2/objects/{object}", get_object, methods=["GET"]),
    Route("/v2/{target}/{identifier}/attributes", list_attributes, methods=["GET"]),
    Route("/v2/{target}/{identifier}/attributes/{attribute}", get_attribute, methods=["GET"]),
    Route("/v2/{target}/{identifier}/attributes/{attribute}/options", list_options, methods=["GET"]),
    Route("/v2/{target}/{identifier}/attributes/{attribute}/statuses", list_statuses, methods=["GET"]),
    Route("/v2/workspace_members", list_members, methods=["GET"]),
    Route("/v2/workspace_members/{workspace_member_id}", get_member, methods=["GET"]),
]
