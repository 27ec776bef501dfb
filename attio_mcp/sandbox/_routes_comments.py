"""Routes: comment threads and comments."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ._comments import create_comment, delete_comment, list_threads, thread_of, threads
from ._errors import not_found, validation_error
from ._http import int_param, json_body, ok, require_data, store_of
from ._ids import is_uuid
from ._routes_records import uuid_param
from ._scopes import R_ENTRY, R_LIST, R_OBJ, R_REC, require

__all__ = ["routes"]


def _pair(request: Request, ident: str, owner: str) -> tuple[str | None, str | None]:
    params = request.query_params
    value, parent = params.get(ident) or None, params.get(owner) or None
    if (value is None) != (parent is None):
        raise validation_error(
            f"{ident} and {owner} must be given together.", [ident if value is None else owner]
        )
    if value is not None and not is_uuid(value):
        raise validation_error(f"{ident} must be a UUID.", [ident], issue_code="invalid_string")
    return value, parent


async def get_threads(request: Request) -> JSONResponse:
    store = store_of(request)
    limit = int_param(request, "limit", 10, minimum=1, maximum=50) or 10
    offset = int_param(request, "offset", 0) or 0
    record_id, obj = _pair(request, "record_id", "object")
    entry_id, lst = _pair(request, "entry_id", "list")
    if (record_id is None) == (entry_id is None):
        raise validation_error("Give either record_id and object, or entry_id and list.", ["record_id"])
    if record_id is not None:
        require(request, R_OBJ, R_REC)
        object_id = store.schema.object(obj or "")["id"]["object_id"]
        found = list_threads(store, object_id=object_id, record_id=record_id)
    else:
        require(request, R_LIST, R_ENTRY)
        list_id = store.schema.list(lst or "")["id"]["list_id"]
        found = list_threads(store, list_id=list_id, entry_id=entry_id)
    return ok(found[offset : offset + limit])


async def get_thread(request: Request) -> JSONResponse:
    store = store_of(request)
    thread_id = uuid_param(request, "thread_id")
    comments = threads(store).get(thread_id)
    if comments is None:
        raise not_found(f'Thread with ID "{thread_id}" was not found.')
    return ok(thread_of(store, thread_id, comments))


async def post_comment(request: Request) -> JSONResponse:
    store = store_of(request)
    data = require_data(await json_body(request))
    with store.lock:
        return ok(create_comment(store, data))


async def get_comment(request: Request) -> JSONResponse:
    store = store_of(request)
    comment_id = uuid_param(request, "comment_id")
    comment = store.comments.get(comment_id)
    if comment is None:
        raise not_found(f'Comment with ID "{comment_id}" was not found.')
    return ok(comment)


async def delete(request: Request) -> JSONResponse:
    store = store_of(request)
    comment_id = uuid_param(request, "comment_id")
    with store.lock:
        delete_comment(store, comment_id)
    return JSONResponse({})


routes = [
    Route("/v2/threads", get_threads, methods=["GET"]),
    Route("/v2/threads/{thread_id}", get_thread, methods=["GET"]),
    Route("/v2/comments", post_comment, methods=["POST"]),
    Route("/v2/comments/{comment_id}", get_comment, methods=["GET"]),
    Route("/v2/comments/{comment_id}", delete, methods=["DELETE"]),
]
