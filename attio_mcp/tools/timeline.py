"""records_timeline: what is going on with a record, as one dated feed (see ``workspace.timeline``)."""

from __future__ import annotations

from typing import Annotated, Literal

from mcp.server.mcpserver import Context
from pydantic import Field

from attio_mcp.tools._params import RecordId, ResourceType
from attio_mcp.tools._registry import tool, workspace_of
from attio_mcp.workspace import WorkspaceError
from attio_mcp.workspace.activity import instant
from attio_mcp.workspace.timeline import KINDS, Timeline, record_timeline
from attio_mcp.workspace.values import require_uuid

Kind = Literal["note", "task", "comment", "meeting", "recording", "change"]


@tool("timeline", title="Record timeline", read_only=True, idempotent=True)
async def records_timeline(
    ctx: Context,
    resource_type: ResourceType,
    record_id: RecordId,
    since: Annotated[str | None, Field(description="ISO date/time", max_length=40)] = None,
    types: Annotated[list[Kind] | None, Field(description="Kinds to keep", max_length=6)] = None,
    limit: Annotated[int, Field(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Field(description="From next_cursor", max_length=500)] = None,
) -> Timeline:
    """One newest-first feed of a record's notes, tasks, comments, meetings, calls and stage changes."""
    rid = require_uuid(record_id, "record_id")
    floor = instant(since.strip()) if since else None
    if since and floor is None:
        raise WorkspaceError(
            "VALIDATION_ERROR",
            f"{since[:40]!r} is not an ISO date or timestamp",
            field="since",
            next_step="pass e.g. 2026-09-01 or 2026-09-01T15:00:00Z.",
        )
    return await record_timeline(
        workspace_of(ctx), resource_type, rid, kinds=types or KINDS, since=floor, limit=limit, cursor=cursor
    )
