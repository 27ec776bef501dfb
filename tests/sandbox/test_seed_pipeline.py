"""Sandbox: the demo deals' stage histories, and generated pipelines for benchmarks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from attio_mcp.sandbox import create_app
from attio_mcp.sandbox._clock import parse_ts
from attio_mcp.sandbox._seed_data import DEAL_PLAN
from attio_mcp.sandbox._seed_pipeline import HISTORY_END, OPEN_STAGES, add_pipeline_deals
from attio_mcp.sandbox._store import Item, Store

from ._support import data

ORDER = [*OPEN_STAGES, "Closed Won", "Closed Lost"]


def _deals(store: Store) -> list[Item]:
    return list(store.object_records(store.schema.object("deals")["id"]["object_id"]).values())


def _walk(item: Item, slug: str = "stage") -> list[dict[str, Any]]:
    return sorted(item.values[slug], key=lambda v: v["active_from"])


def _check_history(item: Item, order: list[str], members: set[str]) -> None:
    history = _walk(item)
    assert history[0]["active_from"] == item.created_at  # set when the record was created
    for before, after in zip(history, history[1:], strict=False):
        assert before["active_until"] == after["active_from"]  # each move closes the previous stage
        assert order.index(after["status"]["title"]) > order.index(before["status"]["title"])  # forward only
        assert after["created_by_actor"]["type"] == "workspace-member"
        assert after["created_by_actor"]["id"] in members
    assert history[-1]["active_until"] is None
    assert [v for v in item.values["stage"] if v["active_until"] is None] == [history[-1]]


def test_demo_deals_walk_the_pipeline_to_their_planned_stage(app: Starlette) -> None:
    store: Store = app.state.sandbox
    deals = _deals(store)
    assert [d.current("stage")[0]["status"]["title"] for d in deals] == [plan[2] for plan in DEAL_PLAN]
    for deal in deals:
        _check_history(deal, ORDER, set(store.members))
    lasts = [parse_ts(_walk(d)[-1]["active_from"]) for d in deals]
    assert max(lasts) <= HISTORY_END
    assert max(lasts) - min(lasts) > timedelta(days=60)  # spread over months
    moved = [d for d in deals if len(_walk(d)) > 1]
    assert len(moved) >= 25
    assert sum(1 for t in lasts if t > HISTORY_END - timedelta(days=14)) >= 3  # recent moves
    assert sum(1 for t in lasts if t < HISTORY_END - timedelta(days=30)) >= 5  # stale deals
    lost_from = {
        _walk(d)[-2]["status"]["title"]
        for d in deals
        if d.current("stage")[0]["status"]["title"] == "Closed Lost"
    }
    assert lost_from <= set(OPEN_STAGES[:4])


def test_prospecting_entries_have_histories(app: Starlette) -> None:
    store: Store = app.state.sandbox
    lst = store.schema.list("prospecting")["id"]["list_id"]
    entries = list(store.list_entries(lst).values())
    order = ["New", "Contacted", "Meeting Booked"]
    assert sum(1 for e in entries if len(_walk(e)) > 1) >= 5
    for entry in entries:
        _check_history(entry, order, set(store.members))


def test_two_fresh_sandboxes_have_the_same_histories() -> None:
    first, second = create_app().state.sandbox, create_app().state.sandbox
    assert [d.values["stage"] for d in _deals(first)] == [d.values["stage"] for d in _deals(second)]


@pytest.mark.anyio
async def test_history_is_served_and_later_writes_come_after_it(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    store: Store = app.state.sandbox
    deal = max(_deals(store), key=lambda d: len(d.values["stage"]))
    url = f"/v2/objects/deals/records/{deal.id}/attributes/stage/values"
    served = data(await client.get(url, params={"show_historic": "true"}))
    assert served == _walk(deal) and len(served) >= 4
    assert data(await client.get(url)) == [served[-1]]
    assert (
        data(await client.get(url, params={"show_historic": "true", "limit": 2, "offset": 1})) == served[1:3]
    )

    patched = data(
        await client.patch(
            f"/v2/objects/deals/records/{deal.id}", json={"data": {"values": {"stage": "Lead"}}}
        )
    )
    assert patched["values"]["stage"][0]["active_from"] > served[-1]["active_from"]
    after = data(await client.get(url, params={"show_historic": "true"}))
    assert after[:-1] == [
        *served[:-1],
        {**served[-1], "active_until": patched["values"]["stage"][0]["active_from"]},
    ]


def test_generated_pipeline_is_deterministic_and_consistent() -> None:
    def build() -> Store:
        store: Store = create_app().state.sandbox
        before = len(_deals(store))
        total = add_pipeline_deals(store, 300, end=datetime(2026, 11, 30, tzinfo=UTC), days=200, seed=5)
        assert total == before + 300
        return store

    one, two = build(), build()
    new = _deals(one)[35:]
    assert [d.values["stage"] for d in new] == [d.values["stage"] for d in _deals(two)[35:]]
    finals = {d.current("stage")[0]["status"]["title"] for d in new}
    assert finals == set(ORDER)  # every stage occurs
    for deal in new:
        _check_history(deal, ORDER, set(one.members))
        assert parse_ts(deal.created_at) >= datetime(2026, 11, 30, tzinfo=UTC) - timedelta(days=200)
        assert _walk(deal)[-1]["active_from"] <= "2026-11-30T00:00:00.000000000Z"
        assert deal.current("company")  # linked to a demo company
    assert one.clock.now_str() > max(v["active_from"] for d in new for v in d.values["stage"])
