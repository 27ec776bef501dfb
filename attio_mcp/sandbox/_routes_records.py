"""Routes: records (query, create, assert, get, update, delete, values, entries) and search."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from . import _filters
from ._errors import SandboxError, validation_error
from ._http import bool_param, expect_object, int_param, json_body, ok, require_data, store_of
from ._ids import is_uuid
from ._resolver import StoreResolver, record_row
from ._scoring import SCORE_HEADER, QueryBudget
from ._search import search_records
from ._store import Item, Store
from ._writes import assert_record, create_record, delete_record, update_item

__all__ = [
    "QueryParams",
    "parse_query",
    "query_response",
    "routes",
    "run_query",
    "uuid_param",
    "values_response",
]

_AUDIT_SLUGS = ("record_id", "entry_id", "created_at", "created_by")
QueryParams = tuple[dict[str, Any] | None, list[dict[str, Any]] | None, int, int]


def uuid_param(request: Request, name: str) -> str:
    """A path parameter that must be a UUID (400 ``validation_type`` otherwise)."""
    value = request.path_params[name]
    if not is_uuid(value):
        raise validation_error(
            f'Path parameter "{name}" must be a UUID, got "{value}".', [name], issue_code="invalid_string"
        )
    return value


async def parse_query(request: Request) -> QueryParams:
    """``{filter, sorts, limit, offset}`` of a records/entries query body (all optional)."""
    raw = await request.body()
    body = expect_object(await json_body(request), []) if raw.strip() else {}
    filter_ = body.get("filter")
    sorts = body.get("sorts")
    if filter_ is not None and not isinstance(filter_, dict):
        raise validation_error("Body payload validation error.", ["filter"], expected="object")
    if sorts is not None and not isinstance(sorts, list):
        raise validation_error("Body payload validation error.", ["sorts"], expected="array")
    limit = _count(body, "limit", 500)
    offset = _count(body, "offset", 0)
    return filter_, sorts, limit, offset


def _count(body: dict[str, Any], key: str, default: int) -> int:
    value = body.get(key, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0 or int(value) != value:
        raise validation_error(
            f'"{key}" must be a non-negative integer.',
            [key],
            expected="number",
            received=type(value).__name__,
        )
    return int(value)


def run_query(
    store: Store,
    parent: str,
    items: list[Item],
    to_row: Callable[[Store, Item], Any],
    params: QueryParams,
    budget: QueryBudget | None = None,
) -> tuple[list[Any], int | None]:
    """Filter, sort and page rows through ``_filters``; returns the page and the query's score.

    A bad filter or sort is a 400 (``filter_error``, or ``unknown_filter_attribute_slug`` with its
    ``path``). A valid query is then scored and charged to ``budget`` (429 if over a limit) before it runs.
    """
    filter_, sorts, limit, offset = params
    resolver = StoreResolver(store)
    try:
        predicate = _filters.compile_filter(filter_, parent, resolver)
        _filters.sort_rows([], sorts, parent, resolver)  # validates the sorts before the query is charged
    except _filters.FilterError as exc:
        raise _filter_error(exc) from exc
    score = None
    if budget is not None:
        score = budget.score(filter_, sorts, limit, len(items))
        budget.charge(score)
    try:
        matched = [row for row in (to_row(store, item) for item in items) if predicate(row)]
        rows = _filters.sort_rows(matched, sorts, parent, resolver)
    except _filters.FilterError as exc:
        raise _filter_error(exc) from exc
    return rows[offset : offset + limit], score


def _filter_error(exc: _filters.FilterError) -> SandboxError:
    extra = None if exc.path is None else {"path": exc.path}
    return SandboxError(400, exc.code, exc.message or "Error in filter.", extra=extra)


def query_budget(request: Request) -> QueryBudget | None:
    """The app's score-based query limiter (None when off)."""
    return getattr(request.app.state, "query_budget", None)


def query_response(data: list[Any], score: int | None) -> JSONResponse:
    """``{"data": [...]}``, with the query's score in ``x-attio-record-query-score`` when it was scored."""
    response = ok(data)
    if score is not None:
        response.headers[SCORE_HEADER] = str(score)
    return response


def _object_id(request: Request) -> str:
    return store_of(request).schema.object(request.path_params["object"])["id"]["object_id"]


def _record(request: Request) -> tuple[Store, Item]:
    store = store_of(request)
    object_id = _object_id(request)
    return store, store.get_record(object_id, uuid_param(request, "record_id"))


def _values_of(data: dict[str, Any]) -> Any:
    if "values" not in data:
        raise validation_error(
            "Body payload validation error.", ["data", "values"], expected="object", received="undefined"
        )
    return data["values"]


async def query_records(request: Request) -> JSONResponse:
    store = store_of(request)
    object_id = _object_id(request)
    params = await parse_query(request)
    with store.lock:
        items = list(store.object_records(object_id).values())
        rows, score = run_query(store, object_id, items, record_row, params, query_budget(request))
        return query_response([store.render_record(row.item) for row in rows], score)


async def create(request: Request) -> JSONResponse:
    store = store_of(request)
    object_id = _object_id(request)
    data = require_data(await json_body(request))
    with store.lock:
        return ok(store.render_record(create_record(store, object_id, _values_of(data))))


async def assert_(request: Request) -> JSONResponse:
    store = store_of(request)
    object_id = _object_id(request)
    matching = request.query_params.get("matching_attribute")
    if not matching:
        raise validation_error(
            'Query parameter "matching_attribute" is required.', ["matching_attribute"], received="undefined"
        )
    data = require_data(await json_body(request))
    with store.lock:
        return ok(store.render_record(assert_record(store, object_id, matching, _values_of(data))))


async def get_record(request: Request) -> JSONResponse:
    store, item = _record(request)
    return ok(store.render_record(item))


async def _update(request: Request, *, overwrite: bool) -> JSONResponse:
    body = await json_body(request)
    # Look the record up only after the body has arrived: it may have been deleted meanwhile.
    store, item = _record(request)
    data = require_data(body)
    with store.lock:
        update_item(store, item, _values_of(data), overwrite=overwrite, path=["data", "values"])
        return ok(store.render_record(item))


async def patch_record(request: Request) -> JSONResponse:
    return await _update(request, overwrite=False)


async def put_record(request: Request) -> JSONResponse:
    return await _update(request, overwrite=True)


async def delete(request: Request) -> JSONResponse:
    store = store_of(request)
    object_id = _object_id(request)
    record_id = uuid_param(request, "record_id")
    with store.lock:
        delete_record(store, object_id, record_id)
    return JSONResponse({})


def values_response(request: Request, store: Store, item: Item) -> JSONResponse:
    """GET …/attributes/{attribute}/values for a record or an entry."""
    attr = store.schema.attr(item.parent_id, request.path_params["attribute"])
    show_historic = bool_param(request, "show_historic") or False
    enriched = attr.type == "interaction" or (not attr.writable and attr.slug not in _AUDIT_SLUGS)
    if show_historic and enriched:
        raise validation_error(
            "Cannot set show_historic param to true when querying a COMINT attribute.", ["show_historic"]
        )
    limit = int_param(request, "limit", None, minimum=1)
    offset = int_param(request, "offset", 0) or 0
    if show_historic:
        values = sorted(item.values.get(attr.slug, []), key=lambda v: v["active_from"])
    else:
        values = item.current(attr.slug)
    end = None if limit is None else offset + limit
    return ok(values[offset:end])


async def record_values(request: Request) -> JSONResponse:
    store, item = _record(request)
    return values_response(request, store, item)


async def record_entries(request: Request) -> JSONResponse:
    store, item = _record(request)
    limit = int_param(request, "limit", 100, minimum=1, maximum=1000) or 100
    offset = int_param(request, "offset", 0) or 0
    found = []
    for list_id, entries in store.entries.items():
        lst = store.schema.lists[list_id]
        for entry in entries.values():
            if entry.parent_record_id == item.id:
                found.append(
                    {
                        "list_id": list_id,
                        "list_api_slug": lst["api_slug"],
                        "entry_id": entry.id,
                        "created_at": entry.created_at,
                    }
                )
    found.sort(key=lambda e: e["created_at"])
    return ok(found[offset : offset + limit])


async def search(request: Request) -> JSONResponse:
    store = store_of(request)
    body = expect_object(await json_body(request), [])
    return ok(search_records(store, body))


routes = [
    Route("/v2/objects/records/search", search, methods=["POST"]),
    Route("/v2/objects/{object}/records/query", query_records, methods=["POST"]),
    Route("/v2/objects/{object}/records", create, methods=["POST"]),
    Route("/v2/objects/{object}/records", assert_, methods=["PUT"]),
    Route("/v2/objects/{object}/records/{record_id}", get_record, methods=["GET"]),
    Route("/v2/objects/{object}/records/{record_id}", patch_record, methods=["PATCH"]),
    Route("/v2/objects/{object}/records/{record_id}", put_record, methods=["PUT"]),
    Route("/v2/objects/{object}/records/{record_id}", delete, methods=["DELETE"]),
    Route("/v2/objects/{object}/records/{record_id}/entries", record_entries, methods=["GET"]),
    Route(
        "/v2/objects/{object}/records/{record_id}/attributes/{attribute}/values",
        record_values,
        methods=["GET"],
    ),
]
