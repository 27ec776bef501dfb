"""Reading every record (or list entry) that matches a filter, for answers computed by the server.

Attio's query endpoints page by ``limit``/``offset`` with no total and no cursor, 500 rows per page at most,
so a scan asks for full pages until one comes back short. Requests go through ``Workspace.call`` and the
client's read limiter (Attio's 100 reads/s), one page at a time: a scan never has more than one request in
flight, and the fewest pages means the fewest requests. It stops at ``cap`` rows and then says so: a result
is never silently partial. Cancelling the caller cancels the page in flight; nothing is left running.

Pages are not a snapshot: a record created or deleted during a scan shifts later offsets. Rows are
de-duplicated by id, so a shift can skip a row but never count one twice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import anyio

from attio_mcp.attio import Entry, Record
from attio_mcp.workspace.context import Workspace
from attio_mcp.workspace.schema import TargetSchema

__all__ = ["MAX_SCANNED", "PAGE_SIZE", "Progress", "Scan", "run_all", "scan_entries", "scan_records"]

T = TypeVar("T")
PAGE_SIZE = 500  # Attio's largest (and default) query page
MAX_SCANNED = 50_000
Progress = Callable[[int, str], Awaitable[None]]


@dataclass
class Scan(Generic[T]):
    """What a scan read: the rows, whether that is all of them, and how many requests it took."""

    rows: list[T]
    complete: bool
    requests: int


async def _scan(
    fetch: Callable[[int, int], Awaitable[Sequence[T]]],
    key: Callable[[T], str | None],
    *,
    cap: int,
    noun: str,
    progress: Progress | None,
) -> Scan[T]:
    rows: list[T] = []
    seen: set[str] = set()
    offset = requests = 0
    while True:
        want = min(PAGE_SIZE, cap - len(rows))
        if want <= 0:  # at the cap: one row past it tells whether anything was left unread
            requests += 1
            return Scan(rows, not await fetch(offset, 1), requests)
        page = await fetch(offset, want)
        requests += 1
        for row in page:
            ident = key(row)
            if ident is None or ident not in seen:
                rows.append(row)
                if ident is not None:
                    seen.add(ident)
        offset += len(page)
        if len(page) < want:
            return Scan(rows, True, requests)
        if progress is not None:
            await progress(len(rows), f"{len(rows):,} {noun} read")


def _pages(
    d: Workspace,
    schema: TargetSchema,
    query: Callable[..., Awaitable[list[T]]],
    filter: Mapping[str, Any] | None,
) -> Callable[[int, int], Awaitable[list[T]]]:
    async def fetch(offset: int, limit: int) -> list[T]:
        return await d.call(query(schema.slug, filter=filter, limit=limit, offset=offset), target=schema)

    return fetch


async def scan_records(
    d: Workspace,
    schema: TargetSchema,
    filter: Mapping[str, Any] | None = None,
    *,
    cap: int = MAX_SCANNED,
    progress: Progress | None = None,
) -> Scan[Record]:
    """Every record of the object ``schema`` matching ``filter`` (up to ``cap``)."""
    fetch = _pages(d, schema, d.client.query_records, filter)
    return await _scan(fetch, lambda r: r.record_id, cap=cap, noun="records", progress=progress)


async def scan_entries(
    d: Workspace, schema: TargetSchema, filter: Mapping[str, Any] | None = None, **options: Any
) -> Scan[Entry]:
    """Every entry of the list ``schema`` matching ``filter``; ``options`` as for ``scan_records``."""
    fetch = _pages(d, schema, d.client.query_entries, filter)
    return await _scan(fetch, lambda e: e.entry_id, noun="entries", **options)


async def run_all(jobs: Sequence[Callable[[], Awaitable[None]]], *, concurrency: int = 8) -> None:
    """Run ``jobs`` concurrently (``concurrency`` at a time; the client's limiter still paces requests).

    The first failure cancels the other jobs and is re-raised as itself, not inside an exception group, so a
    ``WorkspaceError`` reaches the tool as one.
    """
    failures: list[Exception] = []
    limiter = anyio.CapacityLimiter(concurrency)

    async def run(job: Callable[[], Awaitable[None]], scope: anyio.CancelScope) -> None:
        try:
            async with limiter:
                await job()
        except Exception as exc:  # re-raised below, unwrapped
            failures.append(exc)
            scope.cancel()

    async with anyio.create_task_group() as tg:
        for job in jobs:
            tg.start_soon(run, job, tg.cancel_scope)
    if failures:
        raise failures[0]
