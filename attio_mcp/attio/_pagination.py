"""Async iterators over Attio's two paging styles: offset/limit and ``pagination.next_cursor``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

__all__ = ["paginate_cursor", "paginate_offset"]

T = TypeVar("T")


async def paginate_offset(
    fetch_page: Callable[[int, int], Awaitable[Sequence[T]]],
    page_size: int,
    *,
    start: int = 0,
) -> AsyncIterator[T]:
    """Yield items from ``fetch_page(limit, offset)`` pages until a page comes back short.

    Attio gives no total or "has more" flag on offset endpoints; a page shorter than ``limit`` is the end.
    """
    if page_size < 1:
        raise ValueError("page_size must be >= 1")
    offset = start
    while True:
        page = await fetch_page(page_size, offset)
        for item in page:
            yield item
        if len(page) < page_size:
            return
        offset += len(page)


async def paginate_cursor(
    fetch_page: Callable[[str | None], Awaitable[Mapping[str, Any]]],
) -> AsyncIterator[Any]:
    """Yield ``data`` items from ``fetch_page(cursor)`` bodies, following ``pagination.next_cursor``.

    The first call gets ``None``. Iteration stops when the cursor is null/empty or repeats itself.
    """
    cursor: str | None = None
    seen: set[str] = set()
    while True:
        body = await fetch_page(cursor)
        data = body.get("data")
        for item in data if isinstance(data, list) else []:
            yield item
        pagination = body.get("pagination")
        next_cursor = pagination.get("next_cursor") if isinstance(pagination, Mapping) else None
        if not isinstance(next_cursor, str) or not next_cursor or next_cursor in seen:
            return
        seen.add(next_cursor)
        cursor = next_cursor
