"""meetings_*, call_recordings_list and call_transcript_get end to end against the seeded sandbox."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from attio_mcp.sandbox._transcripts import segments
from attio_mcp.workspace.transcript import PAGE_CHARS
from tests.tools._activity import record_id, tools_with_scopes

pytestmark = pytest.mark.anyio

MISSING = "00000000-0000-4000-8000-000000000000"


def _start(meeting: dict[str, Any]) -> datetime:
    point = meeting["start"]
    text = point.get("datetime") or point["date"] + "T00:00:00+00:00"
    return datetime.fromisoformat(text).astimezone(UTC)


def _linked(store: Any, rid: str) -> list[dict[str, Any]]:
    return [m for m in store.meetings.values() if rid in {link["record_id"] for link in m["linked_records"]}]


def _people(store: Any) -> dict[str, tuple[str, str]]:
    """email -> (person id, full name) of every seeded person."""
    object_id = store.schema.object("people")["id"]["object_id"]
    out = {}
    for item in store.records[object_id].values():
        for email in item.current("email_addresses"):
            out[email["email_address"]] = (item.id, item.current("name")[0]["full_name"])
    return out


async def _all_meetings(tools: Any, **args: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = await tools.ok("meetings_list", {**args, **({"cursor": cursor} if cursor else {})})
        out += page["meetings"]
        assert page["has_more"] is ("next_cursor" in page)
        cursor = page.get("next_cursor")
        if not cursor:
            return out


async def test_meetings_of_a_record_newest_first_with_people_resolved(tools: Any, sandbox_app: Any) -> None:
    store = sandbox_app.state.sandbox
    acme = record_id(store, "companies", "Acme Inc")
    got = await _all_meetings(tools, resource_type="companies", record_id=acme, limit=3)
    raw = {m["id"]["meeting_id"]: m for m in _linked(store, acme)}
    assert [m["id"] for m in got] == sorted(raw, key=lambda i: (_start(raw[i]), i), reverse=True)
    people = _people(store)
    for meeting in got:
        source = raw[meeting["id"]]
        assert meeting["title"] == source["title"]
        assert [p["email"] for p in meeting["participants"]] == [
            p["email_address"] for p in source["participants"]
        ]
        assert sum(p.get("organizer", False) for p in meeting["participants"]) == 1
        for p in meeting["participants"]:
            if p["email"] in people:
                assert (p["person_id"], p["name"]) == people[p["email"]]
            else:
                assert "person_id" not in p  # a member, not a person record
        shown = {p.get("person_id") for p in meeting["participants"]}
        assert {link["id"] for link in meeting["linked_records"]} == {
            link["record_id"] for link in source["linked_records"]
        } - shown
        assert all(link["name"] for link in meeting["linked_records"])
        assert "Acme Inc" in {link["name"] for link in meeting["linked_records"]}
        assert (meeting.get("minutes") or meeting.get("days") or 0) > 0


async def test_time_window_and_participant_filters(tools: Any, sandbox_app: Any) -> None:
    store = sandbox_app.state.sandbox
    after, before = "2026-10-01", "2026-11-01T00:00:00Z"
    got = await _all_meetings(tools, starts_after=after, starts_before=before, limit=100)
    low, high = datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)
    expected = {i for i, m in store.meetings.items() if low <= _start(m) < high}
    assert expected and {m["id"] for m in got} == expected
    email = next(iter(store.meetings.values()))["participants"][-1]["email_address"]
    with_them = await _all_meetings(tools, participant_email=email, limit=100)
    assert {m["id"] for m in with_them} == {
        i for i, m in store.meetings.items() if email in {p["email_address"] for p in m["participants"]}
    }


async def test_get_meeting_and_errors(tools: Any, sandbox_app: Any) -> None:
    store = sandbox_app.state.sandbox
    meeting_id, source = next(iter(store.meetings.items()))
    got = await tools.ok("meetings_get", {"meeting_id": meeting_id})
    assert got["id"] == meeting_id and got["description"] == source["description"]
    text = await tools.fail("meetings_get", {"meeting_id": MISSING}, code="NOT_FOUND")
    assert "(field: meeting_id)" in text and "meetings_list" in text
    await tools.fail("meetings_get", {"meeting_id": "today"}, code="VALIDATION_ERROR")
    text = await tools.fail("meetings_list", {"record_id": MISSING}, code="VALIDATION_ERROR")
    assert "(field: resource_type)" in text
    text = await tools.fail("meetings_list", {"starts_after": "last tuesday"}, code="VALIDATION_ERROR")
    assert "(field: starts_after)" in text
    await tools.fail("meetings_list", {"participant_email": "nobody"}, code="VALIDATION_ERROR")


def _recorded(store: Any, *, longest: bool = False) -> tuple[str, str, dict[str, Any]]:
    plans = sorted(store.transcripts.values(), key=lambda p: p["minutes"], reverse=longest)
    plan = plans[0]
    recording = store.call_recordings[plan["id"]["call_recording_id"]]
    return recording["id"]["meeting_id"], recording["id"]["call_recording_id"], plan


def _turns(plan: dict[str, Any]) -> list[tuple[str, str]]:
    """(speaker, text) turns of the whole call, straight from the sandbox's words."""
    out: list[tuple[str, str]] = []
    for word in segments(plan):
        speaker = word["speaker"]["name"]
        if out and out[-1][0] == speaker:
            out[-1] = (speaker, out[-1][1] + " " + word["speech"])
        else:
            out.append((speaker, word["speech"]))
    return out


async def test_recordings_of_a_meeting(tools: Any, sandbox_app: Any) -> None:
    store = sandbox_app.state.sandbox
    meeting_id, recording_id, _ = _recorded(store)
    got = await tools.ok("call_recordings_list", {"meeting_id": meeting_id})
    assert [r["id"] for r in got["recordings"]] == [recording_id]
    assert got["recordings"][0]["status"] == "completed" and got["recordings"][0]["web_url"].startswith(
        "https://"
    )
    silent = next(
        i for i in store.meetings if i not in {r["id"]["meeting_id"] for r in store.call_recordings.values()}
    )
    assert (await tools.ok("call_recordings_list", {"meeting_id": silent}))["recordings"] == []
    await tools.fail("call_recordings_list", {"meeting_id": MISSING}, code="NOT_FOUND")


async def test_a_long_call_reads_in_bounded_pages_that_add_up_to_the_whole(
    tools: Any, sandbox_app: Any
) -> None:
    meeting_id, recording_id, plan = _recorded(sandbox_app.state.sandbox, longest=True)
    assert plan["minutes"] >= 45
    args = {"meeting_id": meeting_id, "call_recording_id": recording_id}
    turns: list[list[Any]] = []
    pages = 0
    cursor = None
    while True:
        page = await tools.ok("call_transcript_get", {**args, **({"cursor": cursor} if cursor else {})})
        pages += 1
        assert sum(len(t[2]) for t in page["turns"]) <= PAGE_CHARS
        assert len(json.dumps(page)) < 2 * PAGE_CHARS
        turns += page["turns"]
        cursor = page.get("next_cursor")
        assert page["has_more"] is bool(cursor)
        if not cursor:
            break
    whole = _turns(plan)
    assert pages >= sum(len(t[1]) for t in whole) // PAGE_CHARS >= 4
    # Pages end at turn boundaries, so the turns read page by page are exactly the call's turns.
    assert [(t[0], t[2]) for t in turns] == whole
    seconds = [t[1] for t in turns]
    assert seconds == sorted(seconds) and seconds[-1] > 40 * 60


async def test_a_query_returns_only_the_matching_passages_with_their_times(
    tools: Any, sandbox_app: Any
) -> None:
    meeting_id, recording_id, plan = _recorded(sandbox_app.state.sandbox, longest=True)
    found = await tools.ok(
        "call_transcript_get",
        {"meeting_id": meeting_id, "call_recording_id": recording_id, "query": "Single Sign"},
    )
    matching = [t for t in _turns(plan) if "single" in t[1].lower() and "sign" in t[1].lower()]
    assert found["has_more"] is False and len(found["turns"]) == len(matching) > 0
    for (speaker, _, passage), (who, text) in zip(found["turns"], matching, strict=True):
        assert speaker == who and "single sign" in passage.lower()
        assert len(passage) <= 320 and (passage == text or len(text) > 320)
    nothing = await tools.ok(
        "call_transcript_get", {"meeting_id": meeting_id, "call_recording_id": recording_id, "query": "zebra"}
    )
    assert nothing == {"turns": [], "has_more": False, "web_url": nothing["web_url"]}


async def test_transcript_errors(tools: Any, sandbox_app: Any) -> None:
    meeting_id, recording_id, _ = _recorded(sandbox_app.state.sandbox)
    text = await tools.fail(
        "call_transcript_get",
        {"meeting_id": meeting_id, "call_recording_id": recording_id, "cursor": "not-a-cursor!"},
        code="VALIDATION_ERROR",
    )
    assert "(field: cursor)" in text
    text = await tools.fail(
        "call_transcript_get", {"meeting_id": meeting_id, "call_recording_id": MISSING}, code="NOT_FOUND"
    )
    assert "(field: call_recording_id)" in text and "call_recordings_list" in text


async def test_keys_without_meeting_or_call_scopes_get_auth_error_naming_them(sandbox_app: Any) -> None:
    meeting_id, recording_id, _ = _recorded(sandbox_app.state.sandbox)  # seeded ids are the same everywhere
    base = "record_permission:read object_configuration:read"
    async with tools_with_scopes(base) as tools:
        text = await tools.fail("meetings_list", {}, code="AUTH_ERROR")
        assert "meeting:read" in text
        assert "meeting:read" not in (await tools.ok("whoami"))["scopes"]
    async with tools_with_scopes(base + " meeting:read") as tools:
        assert (await tools.ok("meetings_get", {"meeting_id": meeting_id}))["id"] == meeting_id
        text = await tools.fail("call_recordings_list", {"meeting_id": meeting_id}, code="AUTH_ERROR")
        assert "call_recording:read" in text
        args = {"meeting_id": meeting_id, "call_recording_id": recording_id}
        text = await tools.fail("call_transcript_get", args, code="AUTH_ERROR")
        assert "call_recording:read" in text
