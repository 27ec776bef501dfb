"""Offset and cursor pagination helpers, and the client's iterators built on them."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from attio_mcp.attio import AttioClient, paginate_cursor, paginate_offset

from .conftest import Recorder


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("total", "page_size", "calls"), [(0, 5, 1), (3, 5, 1), (5, 5, 2), (12, 5, 3), (10, 1, 11)]
)
async def test_offset_stops_on_short_page(total: int, page_size: int, calls: int) -> None:
    seen: list[tuple[int, int]] = []

    async def fetch(limit: int, offset: int) -> list[int]:
        seen.append((limit, offset))
        return list(range(total))[offset : offset + limit]

    items = [item async for item in paginate_offset(fetch, page_size)]
    assert items == list(range(total))
    assert len(seen) == calls
    assert [offset for _, offset in seen] == [page_size * i for i in range(calls)]


@pytest.mark.anyio
async def test_offset_rejects_bad_page_size() -> None:
    async def fetch(limit: int, offset: int) -> list[int]:
        return []

    with pytest.raises(ValueError):
        [item async for item in paginate_offset(fetch, 0)]


@pytest.mark.anyio
async def test_cursor_follows_next_cursor() -> None:
    pages = {
        None: {"data": [1, 2], "pagination": {"next_cursor": "c1"}},
        "c1": {"data": [3], "pagination": {"next_cursor": "c2"}},
        "c2": {"data": [4], "pagination": {"next_cursor": None}},
    }
    asked: list[str | None] = []

    async def fetch(cursor: str | None) -> dict[str, Any]:
        asked.append(cursor)
        return pages[cursor]

    assert [item async for item in paginate_cursor(fetch)] == [1, 2, 3, 4]
    assert asked == [None, "c1", "c2"]


@pytest.mark.anyio
async def test_cursor_stops_on_missing_pagination_or_repeated_cursor() -> None:
    async def no_pagination(cursor: str | None) -> dict[str, Any]:
        return {"data": [1]}

    assert [item async for item in paginate_cursor(no_pagination)] == [1]
    calls = 0

    async def stuck(cursor: str | None) -> dict[str, Any]:
        nonlocal calls
        calls += 1
        return {"data": [calls], "pagination": {"next_cursor": "same"}}

    assert [item async for item in paginate_cursor(stuck)] == [1, 2]


def _paged(total: int) -> Callable[[httpx.Request], httpx.Response]:
    def reply(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        start, limit = body.get("offset", 0), body["limit"]
        rows = [
            {"id": {"record_id": f"r{i}", "entry_id": f"e{i}"}}
            for i in range(start, min(total, start + limit))
        ]
        return httpx.Response(200, json={"data": rows})

    return reply


@pytest.mark.anyio
async def test_iter_records_and_entries_page_through(make_client: Callable[..., AttioClient]) -> None:
    rec = Recorder([_paged(7)])
    async with make_client(rec) as attio:
        records = [r.record_id async for r in attio.iter_records("people", filter={"x": 1}, page_size=3)]
        assert records == [f"r{i}" for i in range(7)]
        assert [rec.body(i) for i in range(3)] == [
            {"filter": {"x": 1}, "limit": 3, "offset": 0},
            {"filter": {"x": 1}, "limit": 3, "offset": 3},
            {"filter": {"x": 1}, "limit": 3, "offset": 6},
        ]
        entries = [e.entry_id async for e in attio.iter_entries("pipeline", page_size=7)]
        assert entries == [f"e{i}" for i in range(7)]
    assert rec.count == 3 + 2
    assert rec.requests[-1].url.path == "/v2/lists/pipeline/entries/query"
