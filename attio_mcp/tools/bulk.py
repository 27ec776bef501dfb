"""Bulk tools: ``records_import`` validates a whole batch against the live schema, then writes it.

The engine (``workspace.importing``) does the work; this module adds MCP progress notifications. Rows are written one request each, paced by the client's write
limiter (Attio's ~25 writes/s), with ``DEFAULT_WORKERS`` requests in flight at most. When the caller cancels
the call, workers stop taking rows and in-flight requests are cancelled. MCP never answers a cancelled call,
so its summary is kept (per caller, the latest one) and returned as ``cancelled_earlier`` by that caller's
next ``records_import``, besides going to the server log (INFO). An upsert is safe to re-run after that.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from weakref import WeakKeyDictionary

import anyio
from mcp.server.mcpserver import Context
from pydantic import Field

from attio_mcp.attio import AttioClient
from attio_mcp.tools._params import ResourceType
from attio_mcp.tools._registry import tool, workspace_of
from attio_mcp.workspace import WorkspaceError
from attio_mcp.workspace.importing import (
    DEFAULT_WORKERS,
    MAX_ROWS,
    ImportPlan,
    ImportRun,
    needs_members,
    plan_import,
)
from attio_mcp.workspace.importing.plan import ImportResult

Rows = Annotated[
    list[dict[str, Any]],
    Field(description="Rows of attribute slug -> value (update mode: plus record_id); max 10,000"),
]
Mode = Annotated[
    Literal["upsert", "create", "update"],
    Field(
        description="upsert by matching_attribute (retry-safe); update by record_id; create (not retry-safe)"
    ),
]
Matching = Annotated[
    str | None,
    Field(
        description="Unique attribute upserts match on (default: the object's, e.g. domains)", max_length=100
    ),
]
DryRun = Annotated[bool, Field(description="Only validate every row; write nothing")]
StopOnError = Annotated[
    bool, Field(description="Write nothing if any row is invalid; stop at the first failed write")
]
ReturnIds = Annotated[bool, Field(description="List the record id written for every row")]

_LISTED_IN_ERROR = 20
# The summary of a caller's latest cancelled import, until its next records_import returns it. Keyed by the
# caller's client (each per-request key has its own), so no caller sees another's.
_CANCELLED: WeakKeyDictionary[AttioClient, ImportResult] = WeakKeyDictionary()


# Destructive: upsert and update overwrite the values a row gives (multi-selects replaced) and a null or []
# clears one, so --disable-destructive hides it, like records_update and records_upsert (issue #20).
@tool("bulk", title="Import records", destructive=True)
async def records_import(
    ctx: Context,
    resource_type: ResourceType,
    rows: Rows,
    mode: Mode = "upsert",
    matching_attribute: Matching = None,
    dry_run: DryRun = False,
    stop_on_error: StopOnError = False,
    return_ids: ReturnIds = False,
) -> ImportResult:
    """Validate rows against the schema, then upsert, create or update them in bulk with progress.

    Upsert and update overwrite the values a row gives on existing records (multi-selects replaced; null or
    [] clears). Phase 1 checks every row (slugs, types, options, required attributes, duplicate unique values
    within the batch) and reports each problem by row index and field; invalid rows are skipped. Upsert rows must carry
    the object's required attributes too, since any of them may create a record. Phase 2 writes one
    request per row. Upsert counts split into created/updated by comparing each record's created_at with the
    time its request started. A cancelled call's summary comes back as cancelled_earlier in the next call.
    """
    if len(rows) > MAX_ROWS:
        raise WorkspaceError(
            "VALIDATION_ERROR",
            f"{len(rows):,} rows is more than the {MAX_ROWS:,} allowed in one call",
            field="rows",
            next_step=f"split the rows into batches of at most {MAX_ROWS:,} and import each batch.",
        )
    d = workspace_of(ctx)
    schema = await d.object(resource_type)
    members = await d.members() if needs_members(schema, rows) else ()
    plan = plan_import(
        schema, rows, mode=mode, matching_attribute=matching_attribute, members=members, max_rows=MAX_ROWS
    )
    if dry_run:
        return _with_earlier(d.client, plan.result())
    if stop_on_error and plan.errors:
        raise _refused(plan)

    async def progress(done: int, total: int, failed: int) -> None:
        await ctx.report_progress(done, total, f"{done}/{total} rows, {failed} failed")

    run = ImportRun(plan)
    try:
        await run.execute(
            d.client, workers=DEFAULT_WORKERS, stop_on_error=stop_on_error, on_progress=progress
        )
    except anyio.get_cancelled_exc_class():
        _CANCELLED[d.client] = run.result(return_ids=return_ids)
        raise
    return _with_earlier(d.client, run.result(return_ids=return_ids))


def _with_earlier(client: AttioClient, result: ImportResult) -> ImportResult:
    """``result`` carrying the summary of this caller's cancelled import, if one is waiting (given once)."""
    result.cancelled_earlier = _CANCELLED.pop(client, None)
    return result


def _refused(plan: ImportPlan) -> WorkspaceError:
    shown = "; ".join(
        f"row {e.row}" + (f" {e.field}" if e.field else "") + f": {e.message.rstrip('.')}"
        for e in plan.errors[:_LISTED_IN_ERROR]
    )
    more = len(plan.errors) - _LISTED_IN_ERROR
    if more > 0:
        shown += f"; … and {more} more"
    return WorkspaceError(
        "VALIDATION_ERROR",
        f"{plan.invalid} of {plan.total} rows are invalid and stop_on_error is set, so nothing was written: "
        + shown,
        next_step="fix those rows (dry_run=true re-checks them), or drop stop_on_error to skip them.",
    )
