"""workspace.pipeline: the scan-derived figures of a pipeline report and the moves in a value history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from attio_mcp.workspace import WorkspaceError
from attio_mcp.workspace.periods import Period
from attio_mcp.workspace.pipeline import StageItem, is_lost, is_won, moves_in, stage_attribute, summarise
from attio_mcp.workspace.schema import AttrInfo, TargetSchema

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
ORDER = ("Lead", "Qualified", "Proposal", "Won", "Lost")
Q4 = Period(datetime(2026, 10, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC), "2026-Q4")


def item(
    n: int, stage: str | None, days_in: float, *, created_days: float = 200, value: float | None = 100
) -> StageItem:
    return StageItem(
        f"i{n}",
        ("deals", f"r{n}"),
        f"Deal {n}",
        stage,
        NOW - timedelta(days=days_in) if stage else None,
        NOW - timedelta(days=created_days),
        value,
    )


def test_classifies_won_and_lost_by_title() -> None:
    assert [t for t in ("Closed Won", "Won 🎉", "Win", "Wonder", "Lead") if is_won(t)] == [
        "Closed Won",
        "Won 🎉",
        "Win",
    ]
    assert [
        t
        for t in ("Closed Lost", "Disqualified", "Churned", "Lost cause", "Closed Won", "Lots")
        if is_lost(t)
    ] == [
        "Closed Lost",
        "Disqualified",
        "Churned",
        "Lost cause",
    ]


def test_summary_figures() -> None:
    items = [
        item(1, "Lead", 40),  # stale
        item(2, "Lead", 5, created_days=5),  # created in the period, never moved
        item(3, "Qualified", 10, value=250.5),
        item(4, "Proposal", 70),  # stale, moved before the period
        item(5, "Won", 20),  # won in the period
        item(6, "Won", 100),  # won before the period
        item(7, "Lost", 30),  # lost in the period
        item(8, "Lost", 3),
        item(9, None, 1, value=None),  # no stage: counted in the total, in no row
        item(10, "Archived stage", 12),
    ]
    s = summarise(items, ORDER, Q4, NOW, stale_days=30, with_value=True)
    assert s.columns == ["stage", "count", "value", "days", "stale", "conv"]
    rows = {r[0]: r[1:] for r in s.stages}
    assert [r[0] for r in s.stages] == [*ORDER, "Archived stage"]
    # non-lost items at or past each open level: Lead 1,2 / Qualified 3 / Proposal 4 / Archived 10 / Won 5,6
    # levels: Lead 0, Qualified 1, Proposal 2, Archived stage 3, Won 4
    assert rows["Lead"] == [2, 200, 22.5, 1, 0.714]  # 5 of 7 past Lead
    assert rows["Qualified"] == [1, 250.5, 10.0, 0, 0.8]  # 4 of 5
    assert rows["Proposal"] == [1, 100, 70.0, 1, 0.75]  # 3 of 4
    assert rows["Archived stage"] == [1, 100, 12.0, 0, 0.667]  # 2 of 3: the last open stage converts into won
    assert rows["Won"] == [2, 200, 60.0, None, None]
    assert rows["Lost"] == [2, 200, 16.5, None, None]
    assert (s.won, s.lost) == (["Won"], ["Lost"])
    assert (s.won_in_period, s.lost_in_period) == (1, 2)
    assert [i.id for i in s.stale] == ["i4", "i1"]  # stalest first; closed items are never stale
    assert [i.id for i in s.moved] == [
        "i8",
        "i3",
        "i10",
        "i5",
        "i7",
        "i1",
    ]  # latest first; not i2 (created so)
    assert s.created == 1 and s.value == 1050.5


def test_without_won_stages_the_last_stage_has_no_conversion() -> None:
    items = [item(1, "New", 3), item(2, "Contacted", 3), item(3, "Disqualified", 3)]
    s = summarise(items, ("New", "Contacted", "Disqualified"), Q4, NOW, stale_days=30, with_value=False)
    assert s.columns == ["stage", "count", "days", "stale", "conv"]
    assert [r[-1] for r in s.stages] == [0.5, None, None]
    assert s.won == [] and s.lost == ["Disqualified"]


def _status(title: str, at: str, until: str | None = None, who: str = "m1") -> dict[str, Any]:
    return {
        "active_from": at,
        "active_until": until,
        "created_by_actor": {"type": "workspace-member", "id": who},
        "attribute_type": "status",
        "status": {"title": title},
    }


def test_moves_in_a_history() -> None:
    history = [
        _status("Proposal", "2026-10-20T09:00:00.000000000Z", None, "m3"),  # served in any order
        _status("Lead", "2026-09-01T09:00:00.000000000Z", "2026-09-30T23:59:59.000000000Z"),
        _status("Qualified", "2026-09-30T23:59:59.000000000Z", "2026-10-20T09:00:00.000000000Z", "m2"),
    ]
    moves = moves_in(history, Q4)
    assert [(f, t, a["id"] if a else None, at.isoformat()) for f, t, a, at in moves] == [
        ("Qualified", "Proposal", "m3", "2026-10-20T09:00:00+00:00")
    ]
    assert [
        (f, t) for f, t, _, _ in moves_in(history, Period(datetime(2026, 1, 1, tzinfo=UTC), None, "x"))
    ] == [
        ("Lead", "Qualified"),
        ("Qualified", "Proposal"),
    ]
    assert moves_in(history[:1], Q4) == []  # the first value is the creation, not a move


def test_stage_attribute_choice() -> None:
    stage = AttrInfo("stage", "1", "Stage", "status", options=ORDER)
    other = AttrInfo("health", "2", "Health", "status", options=("Good", "Bad"))
    name = AttrInfo("name", "3", "Name", "text")
    one = TargetSchema("object", "deals", "o", "Deals", {"stage": stage, "name": name})
    two = TargetSchema("object", "deals", "o", "Deals", {"stage": stage, "health": other, "name": name})
    assert stage_attribute(one, None) is stage
    assert stage_attribute(two, "Health") is other
    for schema, name_, message in (
        (two, None, "2 status attributes"),
        (one, "name", "name is a text"),
        (one, "stge", "no attribute"),
    ):
        with pytest.raises(WorkspaceError) as caught:
            stage_attribute(schema, name_)
        assert caught.value.field == "stage_attribute" and message in caught.value.message
        assert "stage" in caught.value.options
