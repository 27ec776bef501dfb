"""Stage histories: the demo deals' walks through the pipeline, and large generated pipelines.

``_seed.py`` creates each demo deal in its final stage. :func:`seed_stage_histories` then rewrites the
``stage`` value history of every deal (and the ``stage`` of the prospecting list's entries) as a walk through
the pipeline that starts at the record's creation and ends at a move spread between its creation and
``HISTORY_END``, so pipeline reports see moves, stale deals, wins and losses over three months. The final
stage and every other value are unchanged. Moves are written with the same ``set_values`` as API writes, so
each superseded value gets ``active_until`` and the history reads exactly like Attio's.

:func:`add_pipeline_deals` adds thousands of deals with such histories (spread over a year) for
benchmarks. Everything is derived from seeded ``random.Random`` instances: the same call gives the same data.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ._clock import Clock, format_ts, parse_ts
from ._ids import stable_id
from ._schema import AttrDef
from ._seed_schema import EMAIL_DOMAIN, MEMBERS
from ._store import Item, Store
from ._values import normalise
from ._writes import create_record, set_values

if TYPE_CHECKING:
    from ._seed import SeedContext

__all__ = ["HISTORY_END", "OPEN_STAGES", "add_pipeline_deals", "seed_stage_histories", "stage_path"]

HISTORY_END = datetime(2026, 11, 27, 17, 0, tzinfo=UTC)
OPEN_STAGES = ("Lead", "Discovery", "Qualified", "Proposal Sent", "Negotiation")
WON, LOST = "Closed Won", "Closed Lost"
PROSPECT_STAGES = ("New", "Contacted", "Meeting Booked")
PRODUCTS = ("Platform License", "Pilot", "Annual Renewal", "Analytics Add-on", "Security Suite", "Expansion")


def stage_path(final: str, rng: random.Random, stages: Sequence[str] = OPEN_STAGES) -> list[str]:
    """The stages a deal went through to reach ``final``: in pipeline order, sometimes skipping one; a lost
    deal drops out after one of the first four stages."""
    if final == WON:
        path = [*stages, WON]
    elif final == LOST:
        path = [*stages[: rng.randint(1, 4)], LOST]
    else:
        path = list(stages[: stages.index(final) + 1])
    if len(path) > 3 and rng.random() < 0.2:  # a skipped stage (never the first or the last)
        del path[rng.randint(1, len(path) - 2)]
    return path


def _move_times(start: datetime, end: datetime, moves: int, rng: random.Random) -> list[datetime]:
    """``moves`` strictly increasing instants after ``start``, the last somewhere before ``end``."""
    if moves == 0:
        return []
    span = (end - start) * rng.uniform(0.12, 1.0)
    weights = [rng.uniform(0.5, 1.5) for _ in range(moves)]
    total = sum(weights)
    times, elapsed = [], 0.0
    for weight in weights:
        elapsed += weight
        times.append(start + span * (elapsed / total))
    # whole minutes, and never two moves in the same minute
    out: list[datetime] = []
    for moment in times:
        moment = moment.replace(second=0, microsecond=0)
        previous = out[-1] if out else start
        if moment <= previous:
            moment = previous.replace(second=0, microsecond=0) + timedelta(minutes=1)
        out.append(moment)
    return out


def _walk(
    store: Store,
    item: Item,
    attr: AttrDef,
    path: Sequence[str],
    times: Sequence[datetime],
    actors: Sequence[dict[str, Any]],
) -> datetime | None:
    """Reset ``item``'s ``attr`` to ``path[0]`` (as set at creation), then move it along ``path`` at ``times``
    (one per later stage); returns the last move's time."""
    first = item.values[attr.slug][0]
    start = dict(normalise(attr, path[0], store, [])[0])
    start.update(active_from=item.created_at, active_until=None, created_by_actor=first["created_by_actor"])
    item.values[attr.slug] = [start]
    for title, moment, actor in zip(path[1:], times, actors, strict=True):
        cores = normalise(attr, title, store, [])
        set_values(item, attr, cores, append=False, ts=format_ts(moment), actor=actor)
    return times[-1] if times else None


def _member(index: int) -> dict[str, Any]:
    return {"type": "workspace-member", "id": stable_id("member", MEMBERS[index % len(MEMBERS)][2])}


def _actors(owner: int, moves: int, rng: random.Random) -> list[dict[str, Any]]:
    """Mostly the owner; about one move in five by a teammate."""
    return [_member(owner if rng.random() < 0.8 else rng.randrange(len(MEMBERS))) for _ in range(moves)]


def seed_stage_histories(ctx: SeedContext) -> None:
    """Give the demo deals and prospecting entries stage histories; moves the seed clock past the last move."""
    store = ctx.store
    latest = ctx.cursor
    deals_id = store.schema.object("deals")["id"]["object_id"]
    stage = store.schema.attr(deals_id, "stage")
    for index, deal in enumerate(ctx.deals):
        rng = random.Random(f"stage-history/{deal.id}")
        final = deal.current("stage")[0]["status"]["title"]
        path = stage_path(final, rng)
        times = _move_times(parse_ts(deal.created_at), HISTORY_END, len(path) - 1, rng)
        last = _walk(store, deal, stage, path, times, _actors(index, len(times), rng))
        latest = max(latest, last or latest)
        store.save_record(deal)

    prospecting = store.schema.list("prospecting")
    list_id = prospecting["id"]["list_id"]
    entry_stage = store.schema.attr(list_id, "stage")
    for index, entry in enumerate(store.list_entries(list_id).values()):
        rng = random.Random(f"stage-history/{entry.id}")
        final = entry.current("stage")[0]["status"]["title"]
        if final not in PROSPECT_STAGES:
            continue
        path = list(PROSPECT_STAGES[: PROSPECT_STAGES.index(final) + 1])
        times = _move_times(parse_ts(entry.created_at), HISTORY_END, len(path) - 1, rng)
        last = _walk(store, entry, entry_stage, path, times, _actors(index, len(times), rng))
        latest = max(latest, last or latest)
        store.save_entry(entry)
    ctx.cursor = latest


def _final_stage(age_days: float, rng: random.Random) -> str:
    """Older deals are more often closed (won about one time in three); young ones sit in early stages."""
    if rng.random() < min(0.85, age_days / 150):
        return WON if rng.random() < 0.35 else LOST
    return OPEN_STAGES[min(len(OPEN_STAGES) - 1, int(rng.triangular(0, len(OPEN_STAGES), 0)))]


def add_pipeline_deals(
    store: Store, count: int, *, end: datetime | None = None, days: int = 365, seed: int = 17
) -> int:
    """Add ``count`` deals created over the ``days`` before ``end`` (default: now), each with a stage history.

    Deals reference the existing companies (if any) and are owned and moved by the demo members. Writes go
    through the sandbox's own write path. Returns the number of deals in the workspace afterwards.
    """
    rng = random.Random(seed)
    end = end or datetime.now(UTC)
    deals_id = store.schema.object("deals")["id"]["object_id"]
    stage = store.schema.attr(deals_id, "stage")
    companies = list(store.object_records(store.schema.object("companies")["id"]["object_id"]))
    created = sorted(end - timedelta(days=days * rng.random() ** 0.7) for _ in range(count))
    moment = created[0] if created else end
    clock, acting_as, seeding = store.clock, store.acting_as, store.seeding
    store.clock = Clock(lambda: moment)
    store.seeding = True
    latest = end - timedelta(days=days)
    try:
        for index, moment in enumerate(created):
            owner = rng.randrange(len(MEMBERS))
            store.acting_as = _member(owner)
            age = (end - moment).total_seconds() / 86400
            final = _final_stage(age, rng)
            path = stage_path(final, rng)
            amount = round(rng.lognormvariate(10.3, 0.8), -2)
            values: dict[str, Any] = {
                "name": f"Deal {index + 1:05d} - {rng.choice(PRODUCTS)}",
                "stage": path[0],
                "owner": f"{MEMBERS[owner][2]}@{EMAIL_DOMAIN}",
                "deal_value": amount,
                "close_date": (moment + timedelta(days=rng.randint(20, 160))).date().isoformat(),
            }
            if companies:
                values["company"] = rng.choice(companies)
            deal = create_record(
                store, deals_id, values, record_id=stable_id("record", "deals", "bulk", seed, index)
            )
            horizon = min(end, moment + timedelta(days=rng.uniform(10, 200)))
            times = _move_times(moment, horizon, len(path) - 1, rng)
            last = _walk(store, deal, stage, path, times, _actors(owner, len(times), rng))
            latest = max(latest, last or moment)
            store.save_record(deal)
    finally:
        store.clock, store.acting_as, store.seeding = clock, acting_as, seeding
    store.clock.advance_past(format_ts(latest))
    return len(store.object_records(deals_id))
