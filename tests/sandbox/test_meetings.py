"""Sandbox: meetings (filters, sort, cursors), call recordings and paged transcripts, and the seeded calls."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
import pytest

from attio_mcp.sandbox._transcripts import PAGE_SEGMENTS

from ._support import data, error, find, rid

pytestmark = pytest.mark.anyio

UNKNOWN = "00000000-0000-4000-8000-000000000000"


def _start(meeting: dict[str, Any]) -> datetime:
    point = meeting["start"]
    return datetime.fromisoformat(
        point["datetime"] if "datetime" in point else point["date"] + "T00:00:00+00:00"
    )


async def _all(client: httpx.AsyncClient, path: str, **params: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    cursor = None
    while True:
        resp = await client.get(path, params={**params, **({"cursor": cursor} if cursor else {})})
        assert resp.status_code == 200, resp.text
        body = resp.json()
        out += body["data"]
        cursor = body["pagination"]["next_cursor"]
        if cursor is None:
            return out


async def test_seeded_meetings_link_people_companies_and_deals(client: httpx.AsyncClient, app: Any) -> None:
    store = app.state.sandbox
    meetings = await _all(client, "/v2/meetings", limit=200)
    assert len(meetings) == len(store.meetings) >= 30
    people = {
        v["email_address"]
        for r in data(await client.post("/v2/objects/people/records/query", json={}))
        for v in r["values"]["email_addresses"]
    }
    for meeting in meetings:
        slugs = {link["object_slug"] for link in meeting["linked_records"]}
        assert "companies" in slugs
        emails = {p["email_address"] for p in meeting["participants"]}
        linked_people = [link for link in meeting["linked_records"] if link["object_slug"] == "people"]
        assert len(emails & people) == len(linked_people) >= 1  # each person participant is linked
        assert sum(p["is_organizer"] for p in meeting["participants"]) == 1
    assert sum("deals" in {link["object_slug"] for link in m["linked_records"]} for m in meetings) >= 30
    assert any(m["is_all_day"] and set(m["start"]) == {"date"} for m in meetings)


async def test_sort_filters_and_cursor(client: httpx.AsyncClient) -> None:
    ascending = await _all(client, "/v2/meetings", limit=7)
    starts = [_start(m) for m in ascending]
    assert starts == sorted(starts)
    descending = await _all(client, "/v2/meetings", sort="start_desc", limit=200)
    assert [m["id"] for m in descending] == [m["id"] for m in reversed(ascending)]
    acme = await find(client, "companies", "name", "Acme Inc")
    linked = await _all(client, "/v2/meetings", linked_object="companies", linked_record_id=rid(acme))
    assert linked and all(rid(acme) in {link["record_id"] for link in m["linked_records"]} for m in linked)
    email = linked[0]["participants"][-1]["email_address"]
    with_them = await _all(client, "/v2/meetings", participants=f"nobody@example.com,{email.upper()}")
    assert with_them and all(email in {p["email_address"] for p in m["participants"]} for m in with_them)
    cut = _start(ascending[len(ascending) // 2]).isoformat()
    before = await _all(client, "/v2/meetings", starts_before=cut, limit=200)
    after = await _all(client, "/v2/meetings", ends_from=cut, limit=200)
    assert before and after and all(_start(m).isoformat() < cut for m in before)
    assert {m["id"]["meeting_id"] for m in before} | {m["id"]["meeting_id"] for m in after} >= {
        m["id"]["meeting_id"] for m in ascending
    }


async def test_meeting_errors(client: httpx.AsyncClient) -> None:
    error(await client.get("/v2/meetings?limit=201"), 400, "validation_type")
    error(await client.get("/v2/meetings?sort=newest"), 400, "validation_type")
    error(await client.get("/v2/meetings?linked_object=companies"), 400, "validation_type")
    error(
        await client.get(f"/v2/meetings?linked_object=planets&linked_record_id={UNKNOWN}"), 404, "not_found"
    )
    error(await client.get("/v2/meetings?ends_from=yesterday"), 400, "validation_type")
    error(await client.get("/v2/meetings?cursor=garbage"), 400, "validation_type")
    page = (await client.get("/v2/meetings?limit=2")).json()
    other_query = f"/v2/meetings?limit=2&sort=start_desc&cursor={page['pagination']['next_cursor']}"
    error(await client.get(other_query), 400, "validation_type")  # a cursor continues only its own query
    error(await client.get(f"/v2/meetings/{UNKNOWN}"), 404, "not_found")
    error(await client.get("/v2/meetings/nope"), 400, "validation_type")
    error(await client.get(f"/v2/meetings/{UNKNOWN}/call_recordings"), 404, "not_found")


async def test_recordings_and_paged_transcripts(client: httpx.AsyncClient, app: Any) -> None:
    store = app.state.sandbox
    assert len(store.call_recordings) >= 10
    lengths = sorted(plan["minutes"] for plan in store.transcripts.values())
    assert sum(45 <= m <= 60 for m in lengths) == 3
    longest = max(store.transcripts.values(), key=lambda plan: plan["minutes"])
    recording = store.call_recordings[longest["id"]["call_recording_id"]]
    meeting_id, recording_id = recording["id"]["meeting_id"], recording["id"]["call_recording_id"]
    listed = data(await client.get(f"/v2/meetings/{meeting_id}/call_recordings"))
    assert [r["id"] for r in listed] == [recording["id"]] and listed[0]["status"] == "completed"
    assert data(await client.get(f"/v2/meetings/{meeting_id}/call_recordings/{recording_id}")) == listed[0]
    words: list[dict[str, Any]] = []
    cursor = None
    pages = 0
    while True:
        url = f"/v2/meetings/{meeting_id}/call_recordings/{recording_id}/transcript"
        body = (await client.get(url, params={"cursor": cursor} if cursor else None)).json()
        page = body["data"]["transcript"]
        assert len(page) <= PAGE_SEGMENTS and body["data"]["raw_transcript"].startswith("[")
        words += page
        pages += 1
        cursor = body["pagination"]["next_cursor"]
        if cursor is None:
            break
    assert pages > 10
    assert words[-1]["end_time"] >= 45 * 60 * 0.95
    assert [w["start_time"] for w in words] == sorted(w["start_time"] for w in words)
    assert len({w["speaker"]["name"] for w in words}) >= 3
    text = " ".join(w["speech"] for w in words)
    assert "pricing" in text and "single sign on" in text
    again = (await client.get(f"/v2/meetings/{meeting_id}/call_recordings/{recording_id}/transcript")).json()
    assert again["data"]["transcript"] == words[: len(again["data"]["transcript"])]  # deterministic
    other = next(r for r in store.call_recordings.values() if r["id"]["meeting_id"] != meeting_id)
    error(
        await client.get(f"/v2/meetings/{meeting_id}/call_recordings/{other['id']['call_recording_id']}"),
        404,
        "not_found",
    )
    error(
        await client.get(f"/v2/meetings/{meeting_id}/call_recordings/{recording_id}/transcript?cursor=x.y"),
        400,
        "validation_type",
    )


async def test_two_sandboxes_seed_the_same_activity() -> None:
    from attio_mcp.sandbox import create_app

    one, two = create_app().state.sandbox, create_app().state.sandbox
    assert one.meetings == two.meetings and one.call_recordings == two.call_recordings
    assert one.transcripts == two.transcripts
    assert [c["content_plaintext"] for c in one.comments.values()] == [
        c["content_plaintext"] for c in two.comments.values()
    ]
