"""The client's comment, meeting, call-recording and transcript endpoints: wire format, paging, retries."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from attio_mcp.attio import AttioClient, AuthError, InvalidArgumentError, ServerError
from attio_mcp.sandbox import DEMO_TOKEN, create_app

from .conftest import FakeClock, Recorder, attio_error, ok

pytestmark = pytest.mark.anyio


@pytest.fixture
def app() -> Any:
    return create_app(token_scopes={"no-calls": "meeting:read record_permission:read"})


@pytest.fixture
async def attio(app: Any, clock: FakeClock) -> AsyncIterator[AttioClient]:
    client = AttioClient(
        api_key=DEMO_TOKEN,
        base_url="http://sandbox.test",
        transport=httpx.ASGITransport(app=app),
        clock=clock,
        sleep=clock.sleep,
        jitter=lambda: 0.0,
    )
    async with client:
        yield client


async def _acme(attio: AttioClient) -> str:
    found = await attio.query_records("companies", filter={"name": "Acme Inc"}, limit=1)
    return found[0].record_id or ""


async def test_threads_and_comments_against_the_sandbox(attio: AttioClient) -> None:
    acme = await _acme(attio)
    threads = await attio.list_threads(object="companies", record_id=acme)
    assert len(threads) == 2 and all(t.thread_id and t.comments for t in threads)
    head = threads[0].comments[0]
    assert head.comment_id and head.author and head.author["type"] == "workspace-member"
    member = (await attio.list_members())[0].workspace_member_id or ""
    made = await attio.create_comment("Client test", author_id=member, record=("companies", acme))
    reply = await attio.create_comment("Reply", author_id=member, thread_id=made.thread_id)
    assert reply.thread_id == made.thread_id and reply.record == made.record
    assert len(await attio.list_threads(object="companies", record_id=acme, limit=50)) == 3
    await attio.delete_comment(made.comment_id or "")
    assert len(await attio.list_threads(object="companies", record_id=acme)) == 2
    entries = await attio.list_record_entries("companies", acme)
    customers = next(e for e in entries if e.list_api_slug == "customers")
    on_entry = await attio.list_threads(list="customers", entry_id=customers.entry_id)
    assert on_entry and on_entry[0].comments[0].entry == {
        "entry_id": customers.entry_id,
        "list_id": customers.list_id,
    }


async def test_create_comment_needs_exactly_one_place(attio: AttioClient) -> None:
    with pytest.raises(InvalidArgumentError):
        await attio.create_comment("x", author_id="m")
    with pytest.raises(InvalidArgumentError):
        await attio.create_comment("x", author_id="m", thread_id="t", record=("deals", "r"))


async def test_meetings_pages_recordings_and_transcript(attio: AttioClient) -> None:
    acme = await _acme(attio)
    first = await attio.list_meetings(
        linked_object="companies", linked_record_id=acme, sort="start_desc", limit=3
    )
    assert len(first.items) == 3 and first.next_cursor
    rest = await attio.list_meetings(
        linked_object="companies",
        linked_record_id=acme,
        sort="start_desc",
        limit=50,
        cursor=first.next_cursor,
    )
    assert rest.next_cursor is None
    meetings = first.items + rest.items
    assert len({m.meeting_id for m in meetings}) == len(meetings) >= 5
    assert all(acme in {link["record_id"] for link in m.linked_records} for m in meetings)
    one = await attio.get_meeting(meetings[0].meeting_id or "")
    assert one.title == meetings[0].title and one.participants
    email = one.participants[0]["email_address"]
    assert all(
        email in {p["email_address"] for p in m.participants}
        for m in (await attio.list_meetings(participants=[email, "nobody@example.com"])).items
    )
    recorded = []
    for meeting in meetings:
        page = await attio.list_call_recordings(meeting.meeting_id or "")
        recorded += page.items
    assert recorded and all(r.status == "completed" and r.call_recording_id for r in recorded)
    rec = recorded[0]
    transcript = await attio.get_transcript(rec.meeting_id or "", rec.call_recording_id or "")
    assert transcript.transcript and transcript.next_cursor and transcript.raw_transcript
    following = await attio.get_transcript(
        rec.meeting_id or "", rec.call_recording_id or "", cursor=transcript.next_cursor
    )
    assert following.transcript[0]["start_time"] >= transcript.transcript[-1]["start_time"]


async def test_missing_call_recording_scope_is_an_auth_error(app: Any, clock: FakeClock) -> None:
    client = AttioClient(
        api_key="no-calls",
        base_url="http://sandbox.test",
        transport=httpx.ASGITransport(app=app),
        clock=clock,
    )
    async with client:
        meeting = (await client.list_meetings(limit=1)).items[0]
        with pytest.raises(AuthError) as caught:
            await client.list_call_recordings(meeting.meeting_id or "")
    assert caught.value.status == 403 and "call_recording:read" in (caught.value.message or "")


async def test_a_comment_is_created_once_and_reads_are_retried(
    make_client: Callable[..., AttioClient],
) -> None:
    failing = Recorder([attio_error(503, "unavailable")])
    async with make_client(failing, max_attempts=3) as client:
        with pytest.raises(ServerError):
            await client.create_comment("x", author_id="m", record=("deals", "r"))
        assert failing.count == 1  # a create is never repeated after an ambiguous failure
        body = failing.body()
        assert body == {
            "data": {
                "format": "plaintext",
                "content": "x",
                "author": {"type": "workspace-member", "id": "m"},
                "record": {"object": "deals", "record_id": "r"},
            }
        }
    flaky = Recorder(
        [
            attio_error(503, "unavailable"),
            httpx.Response(200, json={"data": [], "pagination": {"next_cursor": None}}),
        ]
    )
    async with make_client(flaky, max_attempts=3) as client:
        page = await client.list_meetings(participants=["a@x.io", "b@x.io"], ends_from="2026-01-01T00:00:00Z")
        assert page.items == [] and page.next_cursor is None
    assert flaky.count == 2
    query = flaky.requests[-1].url.params
    assert query["participants"] == "a@x.io,b@x.io" and query["ends_from"] == "2026-01-01T00:00:00Z"
    assert "cursor" not in query and "linked_object" not in query
    deleting = Recorder([attio_error(503, "unavailable"), ok({})])
    async with make_client(deleting, max_attempts=3) as client:
        await client.delete_comment("c")
    assert deleting.count == 2 and deleting.requests[-1].url.path == "/v2/comments/c"
