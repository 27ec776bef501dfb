"""Routes: notes and tasks."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ._activities import create_note, create_task, list_notes, list_tasks, update_task
from ._errors import not_found, validation_error
from ._http import bool_param, int_param, json_body, ok, require_data, store_of
from ._ids import is_uuid
from ._routes_records import uuid_param
from ._store import Store

__all__ = ["routes"]


def _note(request: Request) -> tuple[Store, dict[str, Any]]:
    store = store_of(request)
    note_id = uuid_param(request, "note_id")
    note = store.notes.get(note_id)
    if note is None:
        raise not_found(f'Note with ID "{note_id}" was not found.')
    return store, note


def _task(request: Request) -> tuple[Store, dict[str, Any]]:
    store = store_of(request)
    task_id = uuid_param(request, "task_id")
    task = store.tasks.get(task_id)
    if task is None:
        raise not_found(f'Could not find Task with ID "{task_id}".')
    return store, task


async def get_notes(request: Request) -> JSONResponse:
    store = store_of(request)
    limit = int_param(request, "limit", 10, minimum=1, maximum=50) or 10
    offset = int_param(request, "offset", 0) or 0
    parent_record_id = request.query_params.get("parent_record_id") or None
    if parent_record_id is not None and not is_uuid(parent_record_id):
        raise validation_error(
            "parent_record_id must be a UUID.", ["parent_record_id"], issue_code="invalid_string"
        )
    notes = list_notes(store, request.query_params.get("parent_object") or None, parent_record_id)
    return ok(notes[offset : offset + limit])


async def post_note(request: Request) -> JSONResponse:
    store = store_of(request)
    data = require_data(await json_body(request))
    with store.lock:
        return ok(create_note(store, data))


async def get_note(request: Request) -> JSONResponse:
    return ok(_note(request)[1])


async def delete_note(request: Request) -> JSONResponse:
    store, note = _note(request)
    with store.lock:
        note_id = note["id"]["note_id"]
        del store.notes[note_id]
        store.forget("note", note_id)
    return JSONResponse({})


async def get_tasks(request: Request) -> JSONResponse:
    store = store_of(request)
    limit = int_param(request, "limit", 500, minimum=1) or 500
    offset = int_param(request, "offset", 0) or 0
    params = request.query_params
    tasks = list_tasks(
        store,
        sort=params.get("sort") or None,
        linked_object=params.get("linked_object") or None,
        linked_record_id=params.get("linked_record_id") or None,
        assignee=params.get("assignee"),
        assignee_given="assignee" in params,
        is_completed=bool_param(request, "is_completed"),
    )
    return ok(tasks[offset : offset + limit])


async def post_task(request: Request) -> JSONResponse:
    store = store_of(request)
    data = require_data(await json_body(request))
    with store.lock:
        return ok(create_task(store, data))


async def get_task(request: Request) -> JSONResponse:
    return ok(_task(request)[1])


async def patch_task(request: Request) -> JSONResponse:
    body = await json_body(request)
    # Look the task up only after the body has arrived: it may have been deleted meanwhile.
    store, task = _task(request)
    data = require_data(body)
    with store.lock:
        return ok(update_task(store, task, data))


async def delete_task(request: Request) -> JSONResponse:
    store, task = _task(request)
    with store.lock:
        task_id = task["id"]["task_id"]
        del store.tasks[task_id]
        store.forget("task", task_id)
    return JSONResponse({})


routes = [
    Route("/v2/notes", get_notes, methods=["GET"]),
    Route("/v2/notes", post_note, methods=["POST"]),
    Route("/v2/notes/{note_id}", get_note, methods=["GET"]),
    Route("/v2/notes/{note_id}", delete_note, methods=["DELETE"]),
    Route("/v2/tasks", get_tasks, methods=["GET"]),
    Route("/v2/tasks", post_task, methods=["POST"]),
    Route("/v2/tasks/{task_id}", get_task, methods=["GET"]),
    Route("/v2/tasks/{task_id}", patch_task, methods=["PATCH"]),
    Route("/v2/tasks/{task_id}", delete_task, methods=["DELETE"]),
]
