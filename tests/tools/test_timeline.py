"""records_timeline end to end: every source, newest first, de-duplicated, paged, filtered, degraded."""

from __future__ import annotations

from typing import Any

import pytest

from attio_mcp.sandbox import _routes_comments
from tests.tools._activity import record_id, tools_with_scopes

pytestmark = pytest.mark.anyio

MISSING = "00000000-0000-4000-8000-000000000000"


async def _timeline(tools: Any, rid: str, **args: Any) -> dict[str, Any]:
    return await tools.ok(
        "records_timeline", {"resource_type": "companies", "record_id": rid, "limit": 100, **args}
    )


def _acme_facts(store: Any) -> dict[str, Any]:
    """What the store says Acme's timeline must hold."""
    acme = record_id(store, "companies", "Acme Inc")
    entries = {e.id for lst in store.entries.values() for e in lst.values() if e.parent_record_id == acme}
    comments = {
        c["id"]["comment_id"]
        for c in store.comments.values()
        if (c["entry"] is None and c["record"]["record_id"] == acme)
        or (c["entry"] and c["entry"]["entry_id"] in entries)
    }
    meetings = {
        i for i, m in store.meetings.items() if acme in {link["record_id"] for link in m["linked_records"]}
    }
    recordings = {
        r["id"]["call_recording_id"]
        for r in store.call_recordings.values()
        if r["id"]["meeting_id"] in meetings
    }
    deals_id = store.schema.object("deals")["id"]["object_id"]
    deals = [
        d for d in store.records[deals_id].values() if d.current("company")[0]["target_record_id"] == acme
    ]
    moves = sum(len(d.values["stage"]) for d in deals)
    notes = {i for i, n in store.notes.items() if n["parent_record_id"] == acme}
    tasks = {
        i
        for i, t in store.tasks.items()
        if {"target_object_id": "companies", "target_record_id": acme} in t["linked_records"]
    }
    return dict(acme=acme, comments=comments, meetings=meetings, recordings=recordings, deals=deals, moves=moves,
                notes=notes, tasks=tasks)  # fmt: skip


async def test_acme_timeline_holds_every_source_newest_first(tools: Any, sandbox_app: Any) -> None:
    facts = _acme_facts(sandbox_app.state.sandbox)
    out = await _timeline(tools, facts["acme"])
    items = out["items"]
    assert out["has_more"] is False and "skipped" not in out
    assert [i["at"] for i in items] == sorted((i["at"] for i in items), reverse=True)
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        by_kind.setdefault(item["kind"], []).append(item)
        assert item["text"] and len(item["text"]) <= 120 and "\n" not in item["text"]
    assert {i["id"] for i in by_kind["comment"]} == facts["comments"]
    assert {i["id"] for i in by_kind["meeting"]} == facts["meetings"]
    assert {i["id"] for i in by_kind["recording"]} == facts["recordings"]
    assert all(i["meeting_id"] in facts["meetings"] for i in by_kind["recording"])
    assert {i["id"] for i in by_kind["note"]} == facts["notes"]
    assert {i["id"] for i in by_kind["task"]} == facts["tasks"]
    stage_moves = [i for i in by_kind["change"] if i.get("object") == "deals"]
    assert len(stage_moves) == facts["moves"]  # every stage a deal of Acme's entered, with who and when
    assert {i["id"] for i in stage_moves} == {d.id for d in facts["deals"]}
    assert all(" → " in i["text"] for i in stage_moves if not i["text"].endswith(": Lead"))
    assert all(i["by"].endswith("@demo-sales.example") for i in stage_moves)
    assert any(i["text"].endswith("(upcoming)") for i in by_kind["meeting"])
    assert len(items) == len({(i["kind"], i["id"], i["at"], i["text"]) for i in items})


async def test_pages_walk_the_same_feed_without_gaps_or_repeats(tools: Any, sandbox_app: Any) -> None:
    acme = record_id(sandbox_app.state.sandbox, "companies", "Acme Inc")
    whole = (await _timeline(tools, acme))["items"]
    walked: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = await _timeline(tools, acme, limit=7, **({"cursor": cursor} if cursor else {}))
        assert len(page["items"]) <= 7
        walked += page["items"]
        cursor = page.get("next_cursor")
        assert page["has_more"] is bool(cursor)
        if not cursor:
            break
    assert walked == whole


async def test_since_and_types_filter(tools: Any, sandbox_app: Any) -> None:
    acme = record_id(sandbox_app.state.sandbox, "companies", "Acme Inc")
    whole = (await _timeline(tools, acme))["items"]
    since = "2026-11-01"
    recent = (await _timeline(tools, acme, since=since))["items"]
    assert recent == [i for i in whole if i["at"] >= "2026-11-01T00:00:00Z"] and 0 < len(recent) < len(whole)
    only = (await _timeline(tools, acme, types=["comment", "change"]))["items"]
    assert only == [i for i in whole if i["kind"] in ("comment", "change")]
    calls = (await _timeline(tools, acme, types=["recording"]))["items"]
    assert calls and calls == [i for i in whole if i["kind"] == "recording"]


async def test_a_deal_timeline_shows_its_own_stage_history(tools: Any, sandbox_app: Any) -> None:
    store = sandbox_app.state.sandbox
    deal = record_id(store, "deals", "Acme Inc - Platform License")
    out = await tools.ok(
        "records_timeline", {"resource_type": "deals", "record_id": deal, "types": ["change"]}
    )
    stages = [i for i in out["items"] if i["text"].startswith("stage: ")]
    history = sorted(store.records[store.schema.object("deals")["id"]["object_id"]][deal].values["stage"],
                     key=lambda v: v["active_from"])  # fmt: skip
    assert [i["text"].split(": ", 1)[1].split(" → ")[-1] for i in reversed(stages)] == [
        v["status"]["title"] for v in history
    ]
    assert "object" not in stages[0] and stages[0]["id"] == deal


async def test_a_comment_reached_twice_is_listed_once(
    tools: Any, sandbox_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If Attio lists a record's entry threads with the record's own, each comment still appears once."""
    store = sandbox_app.state.sandbox
    acme = record_id(store, "companies", "Acme Inc")
    before = (await _timeline(tools, acme, types=["comment"]))["items"]
    original = _routes_comments.list_threads

    def generous(store: Any, **where: Any) -> list[dict[str, Any]]:
        found = original(store, **where)
        if where.get("record_id"):
            extra = [
                t
                for entry in (
                    e for lst in store.entries.values() for e in lst.values() if e.parent_record_id == acme
                )
                for t in original(store, list_id=entry.parent_id, entry_id=entry.id)
            ]
            found += extra
        return found

    monkeypatch.setattr(_routes_comments, "list_threads", generous)
    after = (await _timeline(tools, acme, types=["comment"]))["items"]
    assert after == before


async def test_sources_the_key_cannot_read_are_skipped_and_named() -> None:
    async with tools_with_scopes(
        "record_permission:read object_configuration:read user_management:read note:read task:read comment:read"
    ) as tools:
        acme = (await tools.ok("records_search", {"resource_type": "companies", "query": "Acme"}))["records"][
            0
        ]["id"]
        out = await _timeline(tools, acme)
        assert {i["kind"] for i in out["items"]} == {"note", "task", "comment", "change"}
        skipped = sorted(out["skipped"])
        assert len(skipped) == 2 and "list_entry:read" in skipped[0] and "meeting:read" in skipped[1]
    async with tools_with_scopes("record_permission:read object_configuration:read") as tools:
        out = await _timeline(tools, acme)
        assert {i["kind"] for i in out["items"]} == {"change"}
        assert [s.split(":")[0] for s in out["skipped"]] == ["comment", "meeting", "note", "task"]
        for source, scope in zip(
            out["skipped"], ("comment:read", "meeting:read", "note:read", "task:read"), strict=True
        ):
            assert scope in source
        # without user_management:read the members cannot be listed, so actors read as member ids
        assert out["items"] and all("@" not in i["by"] and len(i["by"]) == 36 for i in out["items"])


async def test_timeline_errors(tools: Any) -> None:
    text = await tools.fail(
        "records_timeline", {"resource_type": "companies", "record_id": MISSING}, code="NOT_FOUND"
    )
    assert "(field: record_id)" in text
    args = {"resource_type": "companies", "record_id": MISSING}
    text = await tools.fail("records_timeline", {**args, "since": "a while ago"}, code="VALIDATION_ERROR")
    assert "(field: since)" in text
    text = await tools.fail("records_timeline", {**args, "cursor": "%%%"}, code="VALIDATION_ERROR")
    assert "(field: cursor)" in text
    await tools.fail("records_timeline", {**args, "types": ["emails"]})
