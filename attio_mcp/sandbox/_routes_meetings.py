"""Routes: meetings, their call recordings and transcripts (Attio's beta endpoints, cursor-paged)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ._http import int_param, store_of
from ._meetings import decode_cursor, encode_cursor, list_meetings, meeting_of, recording_of, recordings_of
from ._routes_records import uuid_param
from ._transcripts import PAGE_SEGMENTS, transcript_page

__all__ = ["routes"]

_MEETING_FILTERS = (
    "linked_object",
    "linked_record_id",
    "participants",
    "sort",
    "ends_from",
    "starts_before",
    "timezone",
)


def _paged(items: list[dict[str, Any]], offset: int, limit: int, query: dict[str, Any]) -> JSONResponse:
    more = offset + limit < len(items)
    return JSONResponse(
        {
            "data": items[offset : offset + limit],
            "pagination": {"next_cursor": encode_cursor(offset + limit, query) if more else None},
        }
    )


async def get_meetings(request: Request) -> JSONResponse:
    store = store_of(request)
    limit = int_param(request, "limit", 50, minimum=1, maximum=200) or 50
    params = request.query_params
    query = {"route": "meetings", **{k: params.get(k) for k in _MEETING_FILTERS}}
    offset = decode_cursor(params.get("cursor"), query)
    return _paged(list_meetings(store, params), offset, limit, query)


async def get_meeting(request: Request) -> JSONResponse:
    store = store_of(request)
    return JSONResponse({"data": meeting_of(store, uuid_param(request, "meeting_id"))})


async def get_recordings(request: Request) -> JSONResponse:
    store = store_of(request)
    meeting_id = uuid_param(request, "meeting_id")
    limit = int_param(request, "limit", 50, minimum=1, maximum=200) or 50
    query = {"route": "call_recordings", "meeting_id": meeting_id}
    offset = decode_cursor(request.query_params.get("cursor"), query)
    return _paged(recordings_of(store, meeting_id), offset, limit, query)


async def get_recording(request: Request) -> JSONResponse:
    store = store_of(request)
    meeting_id = uuid_param(request, "meeting_id")
    recording = recording_of(store, meeting_id, uuid_param(request, "call_recording_id"))
    return JSONResponse({"data": recording})


async def get_transcript(request: Request) -> JSONResponse:
    store = store_of(request)
    meeting_id = uuid_param(request, "meeting_id")
    recording = recording_of(store, meeting_id, uuid_param(request, "call_recording_id"))
    recording_id = recording["id"]["call_recording_id"]
    query = {"route": "transcript", "call_recording_id": recording_id}
    offset = decode_cursor(request.query_params.get("cursor"), query)
    plan = store.transcripts.get(recording_id)
    words, raw, more = transcript_page(plan, offset) if plan else ([], "", False)
    data = {
        "id": dict(recording["id"]),
        "transcript": words,
        "raw_transcript": raw,
        "web_url": recording["web_url"] + "/transcript",
    }
    next_cursor = encode_cursor(offset + PAGE_SEGMENTS, query) if more else None
    return JSONResponse({"data": data, "pagination": {"next_cursor": next_cursor}})


routes = [
    Route("/v2/meetings", get_meetings, methods=["GET"]),
    Route("/v2/meetings/{meeting_id}", get_meeting, methods=["GET"]),
    Route("/v2/meetings/{meeting_id}/call_recordings", get_recordings, methods=["GET"]),
    Route("/v2/meetings/{meeting_id}/call_recordings/{call_recording_id}", get_recording, methods=["GET"]),
    Route(
        "/v2/meetings/{meeting_id}/call_recordings/{call_recording_id}/transcript",
        get_transcript,
        methods=["GET"],
    ),
]
