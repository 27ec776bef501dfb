"""Reports tools: answers computed by the server instead of pages for an agent to add up.

``records_aggregate`` and ``pipeline_report`` read every matching record (500 a request, paced by the read
limiter, with MCP progress from the second page on; cancelling the call stops the scan) and return a small
table. ``records_history`` reads Attio's value history of one record; ``records_changes`` finds the records
created, or whose select/status values were set, since a time. The work is in ``workspace.aggregate``,
``workspace.pipeline`` and ``workspace.history``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from mcp.server.mcpserver import Context
from pydantic import Field

from attio_mcp.tools._params import Limit, Offset, RecordId
from attio_mcp.tools._registry import tool, workspace_of
from attio_mcp.toolsets import R_ENTRY, R_LIST, R_OBJ, R_REC, R_USERS
from attio_mcp.workspace.aggregate import AggregateResult, aggregate_records
from attio_mcp.workspace.history import (
    ChangesPage,
    HistoryResult,
    attribute_history,
    change_attributes,
    changed_records,
    history_attributes,
)
from attio_mcp.workspace.periods import parse_instant, parse_period
from attio_mcp.workspace.pipeline import PipelineReport, report_pipeline
from attio_mcp.workspace.scan import Progress
from attio_mcp.workspace.values import require_uuid

# Terse on purpose: these four tools' names, descriptions and input schemas cost at most 2,500 B of tools/list.
ResourceType = Annotated[str, Field(description="Object slug", max_length=100)]
Filter = Annotated[dict[str, Any] | None, Field(description="As in records_search")]
GroupBy = Annotated[
    str | None,
    Field(
        description="select/status/actor/reference slug or date:day|week|month|quarter|year", max_length=100
    ),
]
Metrics = Annotated[
    list[Annotated[str, Field(max_length=100)]] | None,
    Field(description="sum:|avg:|min:|max:<number slug>; count always given"),
]
LimitGroups = Annotated[int, Field(ge=1, le=500, description="Max groups")]
OptionalResourceType = Annotated[str | None, Field(description="Object slug", max_length=100)]
OptionalListId = Annotated[str | None, Field(description="Or list slug or id", max_length=100)]
StageAttribute = Annotated[str | None, Field(description="Default: the only status", max_length=100)]
Period = Annotated[
    str | None, Field(description="2026, 2026-Q4, 2026-11, d1..d2, 30d (default 90d)", max_length=40)
]
StaleDays = Annotated[int, Field(ge=1, description="Stale after N days in a stage")]
Attribute = Annotated[str | None, Field(description="Default: status/select ones", max_length=100)]
Since = Annotated[str, Field(description="ISO date or time", max_length=40)]
Watched = Annotated[
    list[Annotated[str, Field(max_length=100)]] | None,
    Field(description="Select/status slugs (default: all)"),
]


def _progress(ctx: Context) -> Progress:
    async def report(done: int, message: str) -> None:
        await ctx.report_progress(done, None, message)

    return report


@tool("reports", title="Aggregate records", read_only=True, idempotent=True)
async def records_aggregate(
    ctx: Context,
    resource_type: ResourceType,
    filter: Filter = None,
    group_by: GroupBy = None,
    metrics: Metrics = None,
    limit_groups: LimitGroups = 50,
) -> AggregateResult:
    """Count, sum, avg, min or max of all matching records by group."""
    d = workspace_of(ctx)
    schema = await d.object(resource_type)
    return await aggregate_records(
        d,
        schema,
        filter=filter,
        group_by=group_by,
        metrics=metrics,
        limit_groups=limit_groups,
        progress=_progress(ctx),
    )


@tool(
    "reports",
    title="Pipeline report",
    read_only=True,
    idempotent=True,
    scopes=(R_REC, R_OBJ, R_LIST, R_ENTRY, R_USERS),
)
async def pipeline_report(
    ctx: Context,
    resource_type: OptionalResourceType = None,
    list_id: OptionalListId = None,
    stage_attribute: StageAttribute = None,
    period: Period = None,
    stale_days: StaleDays = 30,
) -> PipelineReport:
    """Per stage: count, value, days, conversion, stale; win rate and stage moves in a period."""
    now = datetime.now(UTC)
    span = parse_period(period, now)
    d = workspace_of(ctx)
    schema = await d.target(resource_type, list_id)
    return await report_pipeline(
        d,
        schema,
        stage_name=stage_attribute,
        period=span,
        now=now,
        stale_days=stale_days,
        progress=_progress(ctx),
    )


@tool("reports", title="Record history", read_only=True, idempotent=True)
async def records_history(
    ctx: Context, resource_type: ResourceType, record_id: RecordId, attribute: Attribute = None
) -> HistoryResult:
    """A record attribute's history: value, from, until, set by."""
    rid = require_uuid(record_id, "record_id")
    d = workspace_of(ctx)
    schema = await d.object(resource_type)
    return await attribute_history(d, schema, rid, history_attributes(schema, attribute))


@tool("reports", title="Changed records", read_only=True, idempotent=True)
async def records_changes(
    ctx: Context,
    resource_type: ResourceType,
    since: Since,
    attributes: Watched = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> ChangesPage:
    """Records created or whose select/status changed since a time (other edits are not findable)."""
    moment = parse_instant(since, "since")
    d = workspace_of(ctx)
    schema = await d.object(resource_type)
    return await changed_records(
        d, schema, moment, change_attributes(schema, attributes), limit=limit, offset=offset
    )
