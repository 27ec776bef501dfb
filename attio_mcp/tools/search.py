"""search and fetch: one search box over records and the workspace's text, and the whole item behind a hit.

The pair keeps the contract ChatGPT connectors and deep research expect: results carry ``id``, ``title`` and
``url`` (Attio's app, never the API); fetch returns ``id``, ``title``, ``text``, ``url`` and ``metadata``.
The work is in ``workspace.search.service``.
"""

from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver import Context
from pydantic import Field

from attio_mcp.tools._registry import tool, workspace_of
from attio_mcp.workspace.search.service import FetchOut, SearchOut, fetch_item, run_search


@tool("search", title="Search", read_only=True, idempotent=True)
async def search(
    ctx: Context,
    query: Annotated[str, Field(min_length=1, max_length=500)],
    types: Annotated[
        list[Annotated[str, Field(max_length=20)]] | None,
        Field(description="records, notes, comments, tasks, transcripts", max_length=5),
    ] = None,
    resource_type: Annotated[str | None, Field(description="Object slug", max_length=100)] = None,
    record_id: Annotated[str | None, Field(description="Only items on this record", max_length=100)] = None,
    since: Annotated[str | None, Field(description="ISO date or e.g. '30 days ago'", max_length=40)] = None,
    limit: Annotated[int, Field(ge=1, le=25)] = 10,
) -> SearchOut:
    """Search records, notes, comments, tasks and call transcripts by meaning; ids go to fetch."""

    async def progress(done: float, total: float | None, message: str) -> None:
        await ctx.report_progress(done, total, message)

    return await run_search(
        workspace_of(ctx),
        query,
        types=types,
        resource_type=resource_type,
        record_id=record_id,
        since=since,
        limit=limit,
        progress=progress,
    )


@tool("search", title="Fetch", read_only=True, idempotent=True)
async def fetch(
    ctx: Context, id: Annotated[str, Field(description="An id from search", max_length=200)]
) -> FetchOut:
    """The whole item behind a search result: a record's values, a note, task, comment thread or transcript."""
    return await fetch_item(workspace_of(ctx), id)
