"""``pipeline_report``: where the items of a pipeline stand, how long they have been there, how they convert
and close, and which moved, from one scan plus a few value histories.

The pipeline is a status attribute of an object (``deals.stage``) or of a list's entries. Its statuses, in
their configured order, are the stages; statuses whose title says won (``Won``, ``Closed Won``) or lost
(``Lost``, ``Disqualified``, ``Churned``) close an item. Every figure but the list of moves comes from the
scan, that is from each item's *current* status value, whose ``active_from`` is when the item entered its
stage and whose ``created_by_actor`` moved it there:

- per stage: items, their value (the first currency attribute, ``deal_value``), the mean days they have been
  in it, how many of them are stale (no stage change for ``stale_days``; open stages only) and ``conv``: of
  the items at or past the stage that are not lost, the share already past it (the last open stage's
  ``conv`` is the share won). Lost items are left out of ``conv``: the scan cannot tell where they dropped.
- won and lost in the period (items whose current won/lost status was set in it) and the win rate
  won / (won + lost); items that changed stage in the period and items created in it; the stalest items.

The stage moves (what, from, to, who, when) need the previous stage, which only the value history holds:
Attio serves it per item (``show_historic``), so the report reads the histories of the ``moves`` items that
changed stage most recently, which contain the most recent moves of the period, one request each.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel

from attio_mcp.attio import Entry, Record
from attio_mcp.workspace.aggregate import Cell, metric_values, number
from attio_mcp.workspace.context import Workspace
from attio_mcp.workspace.errors import WorkspaceError, did_you_mean
from attio_mcp.workspace.labels import actor_label, member_labels, record_label, record_names
from attio_mcp.workspace.periods import Period, parse_moment, stamp
from attio_mcp.workspace.scan import MAX_SCANNED, Progress, run_all, scan_entries, scan_records
from attio_mcp.workspace.schema import AttrInfo, TargetSchema

__all__ = [
    "PipelineReport",
    "StageItem",
    "is_lost",
    "is_won",
    "moves_in",
    "report_pipeline",
    "stage_attribute",
    "summarise",
]

_WON = re.compile(r"\b(won|win)\b", re.IGNORECASE)
_LOST = re.compile(r"\b(lost|disqualified|churned|rejected|dead)\b", re.IGNORECASE)
STALEST = 10
HISTORY_PAGE = 100
_HISTORY_CONCURRENCY = 8
_SAME_WRITE = timedelta(seconds=1)  # a stage set this close to the item's creation was set by it


def is_won(title: str) -> bool:
    return bool(_WON.search(title))


def is_lost(title: str) -> bool:
    return not is_won(title) and bool(_LOST.search(title))


class PipelineReport(BaseModel):
    """``stages`` rows follow ``columns``; ``stalest`` rows are [name, stage, days, id] (stalest first) and
    ``moves`` rows [name, from, to, by, at] (latest first)."""

    target: str
    stage_attribute: str
    period: str
    columns: list[str]
    stages: list[list[Cell]]
    count: int
    value: int | float | None = None
    value_attribute: str | None = None
    currency: str | None = None
    won: list[str]
    lost: list[str]
    won_in_period: int
    lost_in_period: int
    win_rate: float | None = None
    moved: int
    created: int
    stale: int
    stalest: list[list[Cell]]
    moves: list[list[Cell]]
    scanned: int
    complete: bool
    note: str | None = None


@dataclass
class StageItem:
    """One record or entry as the report sees it: its stage, since when, and its value."""

    id: str
    ref: tuple[str, str] | None  # (object, record id) that names it
    name: str | None
    stage: str | None
    since: datetime | None
    created: datetime | None
    value: float | None


def stage_attribute(schema: TargetSchema, name: str | None) -> AttrInfo:
    """The status attribute named, or the target's only one; VALIDATION_ERROR with the choices otherwise."""
    statuses = [a for a in schema.attributes.values() if a.type == "status" and not a.archived]
    slugs = [a.slug for a in statuses]
    if name is None:
        if len(statuses) == 1:
            return statuses[0]
        raise WorkspaceError(
            "VALIDATION_ERROR",
            f"{schema.slug} has {'no' if not statuses else len(statuses)} status attributes",
            field="stage_attribute",
            options=slugs,
            next_step="name one in stage_attribute."
            if statuses
            else "a pipeline needs a status attribute; records_aggregate groups by a select instead.",
        )
    attr = schema.get(name)
    if attr is None or attr.type != "status":
        close = did_you_mean(name, list(schema.attributes)) if attr is None else []
        problem = (
            f"{schema.slug} has no attribute {name!r}" if attr is None else f"{attr.slug} is a {attr.type}"
        )
        hint = f"did you mean {', '.join(close)}? " if close else ""
        raise WorkspaceError(
            "VALIDATION_ERROR",
            problem,
            field="stage_attribute",
            options=slugs,
            next_step=f"{hint}name a status attribute.",
        )
    return attr


def _value_attribute(schema: TargetSchema) -> AttrInfo | None:
    money = [a for a in schema.attributes.values() if a.type == "currency" and not a.archived]
    named = [a for a in money if re.search(r"value|amount", f"{a.slug} {a.title}", re.IGNORECASE)]
    return (named or money)[0] if money else None


def _stage_of(
    values: Mapping[str, Sequence[Mapping[str, Any]]], slug: str
) -> tuple[str | None, datetime | None]:
    for value in values.get(slug) or ():
        if value.get("active_until") is None:
            status = value.get("status")
            title = status.get("title") if isinstance(status, Mapping) else status
            return (str(title) if title is not None else None), parse_moment(value.get("active_from"))
    return None, None


def _item(
    ident: str,
    ref: tuple[str, str] | None,
    name: str | None,
    values: Mapping[str, Sequence[Mapping[str, Any]]],
    created_at: str | None,
    stage: AttrInfo,
    money: AttrInfo | None,
) -> StageItem:
    title, since = _stage_of(values, stage.slug)
    amounts = metric_values(values, money) if money else []
    return StageItem(
        ident,
        ref,
        name,
        title,
        since,
        parse_moment(created_at),
        sum(a for a, _ in amounts) if amounts else None,
    )


def record_items(
    records: Sequence[Record], schema: TargetSchema, stage: AttrInfo, money: AttrInfo | None
) -> list[StageItem]:
    return [
        _item(
            r.record_id,
            (schema.slug, r.record_id),
            record_label(r, schema),
            r.values,
            r.created_at,
            stage,
            money,
        )
        for r in records
        if r.record_id
    ]


def entry_items(entries: Sequence[Entry], stage: AttrInfo, money: AttrInfo | None) -> list[StageItem]:
    return [
        _item(
            e.entry_id,
            (e.parent_object, e.parent_record_id) if e.parent_object and e.parent_record_id else None,
            None,
            e.entry_values,
            e.created_at,
            stage,
            money,
        )
        for e in entries
        if e.entry_id
    ]


@dataclass
class Summary:
    """The scan-derived part of the report."""

    columns: list[str]
    stages: list[list[Cell]]
    won: list[str]
    lost: list[str]
    won_in_period: int
    lost_in_period: int
    moved: list[StageItem]  # changed stage in the period, latest first
    created: int
    stale: list[StageItem]  # stalest first
    value: float | None


def _days(since: datetime | None, now: datetime) -> float | None:
    return None if since is None else (now - since).total_seconds() / 86400


def summarise(
    items: Sequence[StageItem],
    order: Sequence[str],
    period: Period,
    now: datetime,
    stale_days: int,
    *,
    with_value: bool,
) -> Summary:
    """Per-stage table, closes, moves and staleness of ``items``; ``order`` is the statuses in pipeline
    order (stages seen on items but not in it, such as archived ones, follow)."""
    titles = list(order) + sorted({i.stage for i in items if i.stage and i.stage not in order})
    won = [t for t in titles if is_won(t)]
    lost = [t for t in titles if is_lost(t)]
    open_ = [t for t in titles if t not in won and t not in lost]
    level = {t: n for n, t in enumerate(open_)} | dict.fromkeys(won, len(open_))
    by_stage: dict[str, list[StageItem]] = {t: [] for t in titles}
    for item in items:
        if item.stage is not None:
            by_stage[item.stage].append(item)
    cutoff = now - timedelta(days=stale_days)
    reached = [
        sum(1 for i in items if i.stage in level and level[i.stage] >= n) for n in range(len(open_) + 1)
    ]
    rows: list[list[Cell]] = []
    for title in titles:
        here = by_stage[title]
        ages = [d for i in here if (d := _days(i.since, now)) is not None]
        row: list[Cell] = [title, len(here)]
        if with_value:
            row.append(number(sum(i.value for i in here if i.value is not None)))
        row.append(round(sum(ages) / len(ages), 1) if ages else None)
        if title in open_:
            n = level[title]
            row.append(sum(1 for i in here if i.since is not None and i.since < cutoff))
            past = n + 1 < len(open_) or bool(won)  # the last open stage converts only into a won one
            row.append(round(reached[n + 1] / reached[n], 3) if reached[n] and past else None)
        else:
            row += [None, None]
        rows.append(row)
    stale = sorted(
        (i for i in items if i.stage in open_ and i.since is not None and i.since < cutoff),
        key=lambda i: (i.since, i.id),
    )
    moved = sorted(
        (
            i
            for i in items
            if i.since in period
            and (i.created is None or i.since is None or i.since - i.created > _SAME_WRITE)
        ),
        key=lambda i: (i.since, i.id),
        reverse=True,
    )
    values = [i.value for i in items if i.value is not None]
    return Summary(
        columns=["stage", "count", *(["value"] if with_value else []), "days", "stale", "conv"],
        stages=rows,
        won=won,
        lost=lost,
        won_in_period=sum(1 for i in items if i.stage in won and i.since in period),
        lost_in_period=sum(1 for i in items if i.stage in lost and i.since in period),
        moved=moved,
        created=sum(1 for i in items if i.created in period),
        stale=stale,
        value=sum(values) if with_value else None,
    )


def moves_in(
    history: Sequence[Mapping[str, Any]], period: Period
) -> list[tuple[str | None, str | None, Mapping[str, Any] | None, datetime]]:
    """(from, to, actor, at) for each change of a status value history that happened in ``period``."""
    ordered = sorted(
        ((at, v) for v in history if (at := parse_moment(v.get("active_from"))) is not None),
        key=lambda p: p[0],
    )
    out = []
    previous: str | None = None
    for n, (at, value) in enumerate(ordered):
        status = value.get("status")
        title = status.get("title") if isinstance(status, Mapping) else status
        title = str(title) if title is not None else None
        if n and at in period:
            actor = value.get("created_by_actor")
            out.append((previous, title, actor if isinstance(actor, Mapping) else None, at))
        previous = title
    return out


async def _history(
    d: Workspace, schema: TargetSchema, item: StageItem, stage: AttrInfo
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    while True:
        if schema.kind == "object":
            call = d.client.list_record_values(
                schema.slug, item.id, stage.slug, show_historic=True, limit=HISTORY_PAGE, offset=len(out)
            )
        else:
            call = d.client.list_entry_values(
                schema.slug, item.id, stage.slug, show_historic=True, limit=HISTORY_PAGE, offset=len(out)
            )
        page = await d.call(call, target=schema)
        out += page
        if len(page) < HISTORY_PAGE:
            return out


async def _recent_moves(
    d: Workspace,
    schema: TargetSchema,
    stage: AttrInfo,
    moved: Sequence[StageItem],
    period: Period,
    limit: int,
) -> list[tuple[StageItem, str | None, str | None, Mapping[str, Any] | None, datetime]]:
    """The ``limit`` latest moves of the period: they are all among the ``limit`` items whose current stage
    was set latest, since each item's latest move is its current stage's ``active_from``."""
    found: list[tuple[StageItem, str | None, str | None, Mapping[str, Any] | None, datetime]] = []

    def read(item: StageItem) -> Callable[[], Awaitable[None]]:
        async def job() -> None:
            history = await _history(d, schema, item, stage)
            found.extend((item, *move) for move in moves_in(history, period))

        return job

    await run_all([read(item) for item in moved[:limit]], concurrency=_HISTORY_CONCURRENCY)
    found.sort(key=lambda m: (m[4], m[0].id), reverse=True)
    return found[:limit]


async def report_pipeline(
    d: Workspace,
    schema: TargetSchema,
    *,
    stage_name: str | None,
    period: Period,
    now: datetime,
    stale_days: int = 30,
    moves: int = 10,
    cap: int = MAX_SCANNED,
    progress: Progress | None = None,
) -> PipelineReport:
    """Scan the object's records or the list's entries and report on the pipeline of ``stage_name``."""
    stage = stage_attribute(schema, stage_name)
    money = _value_attribute(schema)
    if schema.kind == "object":
        records = await scan_records(d, schema, cap=cap, progress=progress)
        items, scanned, complete = (
            record_items(records.rows, schema, stage, money),
            len(records.rows),
            records.complete,
        )
    else:
        entries = await scan_entries(d, schema, cap=cap, progress=progress)
        items, scanned, complete = (
            entry_items(entries.rows, stage, money),
            len(entries.rows),
            entries.complete,
        )
    summary = summarise(items, stage.options, period, now, stale_days, with_value=money is not None)
    recent = await _recent_moves(d, schema, stage, summary.moved, period, moves) if moves else []
    stalest = summary.stale[:STALEST]
    members = await member_labels(d) if recent else {}
    unnamed = [i.ref for i in [*stalest, *(m[0] for m in recent)] if i.name is None and i.ref]
    names = await record_names(d, unnamed) if unnamed else {}

    def name(item: StageItem) -> str | None:
        return (
            item.name or (names.get(item.ref[1]) if item.ref else None) or (item.ref[1] if item.ref else None)
        )

    return PipelineReport(
        target=schema.slug,
        stage_attribute=stage.slug,
        period=period.label,
        columns=summary.columns,
        stages=summary.stages,
        count=len(items),
        value=number(summary.value),
        value_attribute=money.slug if money else None,
        currency=money.currency_code if money else None,
        won=summary.won,
        lost=summary.lost,
        won_in_period=summary.won_in_period,
        lost_in_period=summary.lost_in_period,
        win_rate=round(summary.won_in_period / closed, 3)
        if (closed := summary.won_in_period + summary.lost_in_period)
        else None,
        moved=len(summary.moved),
        created=summary.created,
        stale=len(summary.stale),
        stalest=[[name(i), i.stage, round(_days(i.since, now) or 0.0, 1), i.id] for i in stalest],
        moves=[
            [name(item), before, after, actor_label(actor, members), stamp(at)]
            for item, before, after, actor, at in recent
        ],
        scanned=scanned,
        complete=complete,
        note=None
        if complete
        else f"stopped after {scanned:,} items, the most one call reads; the figures cover those items only.",
    )
