"""Routes: lists and list entries."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ._errors import bad_request, validation_error
from ._http import json_body, ok, require_data, store_of
from ._resolver import entry_row
from ._routes_records import (
    parse_query,
    query_budget,
    query_response,
    run_query,
    uuid_param,
    values_response,
)
from ._store import Item, Store
from ._writes import assert_entry, create_entry, delete_entry, update_item

__all__ = ["routes"]


def _list(request: Request) -> dict[str, Any]:
    return store_of(request).schema.list(request.path_params["list"])


def _entry(request: Request) -> tuple[Store, dict[str, Any], Item]:
    store = store_of(request)
    lst = _list(request)
    return store, lst, store.get_entry(lst["id"]["list_id"], uuid_param(request, "entry_id"))


def _entry_values(data: dict[str, Any], *, required: bool) -> Any:
    if "entry_values" not in data:
        if required:
            raise validation_error(
                "Body payload validation error.",
                ["data", "entry_values"],
                expected="object",
                received="undefined",
            )
        return {}
    return data["entry_values"]


def _parent_fields(data: dict[str, Any]) -> None:
    missing = [k for k in ("parent_record_id", "parent_object", "entry_values") if k not in data]
    if missing:
        issues = [
            {"code": "invalid_type", "path": ["data", k], "message": "Required", "received": "undefined"}
            for k in missing
        ]
        raise validation_error("Body payload validation error.", issues=issues)


async def list_lists(request: Request) -> JSONResponse:
    return ok(list(store_of(request).schema.lists.values()))


async def get_list(request: Request) -> JSONResponse:
    return ok(_list(request))


async def query_entries(request: Request) -> JSONResponse:
    store = store_of(request)
    lst = _list(request)
    list_id = lst["id"]["list_id"]
    params = await parse_query(request)
    with store.lock:
        items = list(store.list_entries(list_id).values())
        rows, score = run_query(store, list_id, items, entry_row, params, query_budget(request))
        return query_response([store.render_entry(row.item) for row in rows], score)


async def create(request: Request) -> JSONResponse:
    store = store_of(request)
    lst = _list(request)
    data = require_data(await json_body(request))
    _parent_fields(data)
    with store.lock:
        return ok(store.render_entry(create_entry(store, lst, data)))


async def assert_(request: Request) -> JSONResponse:
    store = store_of(request)
    lst = _list(request)
    data = require_data(await json_body(request))
    _parent_fields(data)
    with store.lock:
        return ok(store.render_entry(assert_entry(store, lst, data)))


async def get_entry(request: Request) -> JSONResponse:
    store, _, item = _entry(request)
    return ok(store.render_entry(item))


async def _update(request: Request, *, overwrite: bool) -> JSONResponse:
    body = await json_body(request)
    # Look the entry up only after the body has arrived: it may have been deleted meanwhile.
    store, _, item = _entry(request)
    data = require_data(body)
    for key in ("parent_record_id", "parent_object"):
        if key in data and data[key] != getattr(item, key):
            raise bad_request(
                "immutable_value", "The parent record for a list entry cannot be updated once created."
            )
    with store.lock:
        update_item(
            store,
            item,
            _entry_values(data, required=True),
            overwrite=overwrite,
            path=["data", "entry_values"],
        )
        return ok(store.render_entry(item))


async def patch_entry(request: Request) -> JSONResponse:
    return await _update(request, overwrite=False)


async def put_entry(request: Request) -> JSONResponse:
    return await _update(request, overwrite=True)


async def delete(request: Request) -> JSONResponse:
    store, lst, item = _entry(request)
    with store.lock:
        delete_entry(store, lst["id"]["list_id"], item.id)
    return JSONResponse({})


async def entry_values(request: Request) -> JSONResponse:
    store, _, item = _entry(request)
    return values_response(request, store, item)


routes = [
    Route("/v2/lists", list_lists, methods=["GET"]),
    Route("/v2/lists/{list}", get_list, methods=["GET"]),
    Route("/v2/lists/{list}/entries/query", query_entries, methods=["POST"]),
    Route("/v2/lists/{list}/entries", create, methods=["POST"]),
    Route("/v2/lists/{list}/entries", assert_, methods=["PUT"]),
    Route("/v2/lists/{list}/entries/{entry_id}", get_entry, methods=["GET"]),
    Route("/v2/lists/{list}/entries/{entry_id}", patch_entry, methods=["PATCH"]),
    Route("/v2/lists/{list}/entries/{entry_id}", put_entry, methods=["PUT"]),
    Route("/v2/lists/{list}/entries/{entry_id}", delete, methods=["DELETE"]),
    Route("/v2/lists/{list}/entries/{entry_id}/attributes/{attribute}/values", entry_values, methods=["GET"]),
]
