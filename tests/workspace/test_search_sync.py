"""The search sync against the seeded sandbox: what is indexed, what a second sync re-reads, deletions, kinds the
key cannot read, capped listings, write-through and the index key. The index is the real SQLite one, lexical
only (no embedder), so these tests stay fast; embedding is tested with the index and end to end."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from attio_mcp.attio import AttioClient
from attio_mcp.sandbox import DEMO_TOKEN, create_app
from attio_mcp.workspace import SchemaCache, Workspace
from attio_mcp.workspace.search import sync as sync_module
from attio_mcp.workspace.search.index import SearchIndex
from attio_mcp.workspace.search.service import index_key
from attio_mcp.workspace.search.sync import Change, apply_changes, sync_index

pytestmark = pytest.mark.anyio

ALL_BUT_CALLS = (
    "record_permission:read object_configuration:read user_management:read note:read task:read comment:read "
    "meeting:read list_configuration:read list_entry:read"
)


class Counting(httpx.AsyncBaseTransport):
    """The sandbox, counting requests by method and path."""

    def __init__(self, app: Any) -> None:
        self.inner = httpx.ASGITransport(app=app)
        self.seen: Counter[str] = Counter()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen[f"{request.method} {request.url.path}"] += 1
        return await self.inner.handle_async_request(request)

    def count(self, word: str) -> int:
        return sum(n for path, n in self.seen.items() if word in path)

    def listings(self) -> int:
        """Requests that listed a meeting's call recordings."""
        return sum(n for path, n in self.seen.items() if path.endswith("/call_recordings"))


@asynccontextmanager
async def workspace(app: Any, token: str = DEMO_TOKEN) -> AsyncIterator[tuple[Workspace, Counting]]:
    transport = Counting(app)
    async with AttioClient(
        api_key=token, base_url="http://sandbox.attio.local", transport=transport, reads_per_second=2000
    ) as client:
        yield Workspace(client=client, schema=SchemaCache(client)), transport


@pytest.fixture
def app() -> Any:
    return create_app()


@pytest.fixture
def index() -> SearchIndex:
    return SearchIndex(":memory:", embedder=None)


async def test_a_sync_indexes_every_seeded_item_and_a_second_one_rereads_no_transcript(
    app: Any, index: SearchIndex
) -> None:
    store = app.state.sandbox
    async with workspace(app) as (d, wire):
        first = await sync_index(d, index, workspace_slug="demo-sales-co")
        assert first.seen == {
            "note": len(store.notes),
            "task": len(store.tasks),
            "comment": len(store.comments),
            "transcript": len(store.call_recordings),
        }
        assert first.added == sum(first.seen.values()) and not first.skipped and not first.capped
        assert index.status().docs == first.seen
        transcripts = wire.count("/transcript")
        assert transcripts >= len(store.call_recordings)
        second = await sync_index(d, index, workspace_slug="demo-sales-co", full=True)
        assert second.unchanged == sum(first.seen.values()) and second.added == second.updated == 0
        assert wire.count("/transcript") == transcripts  # a complete transcript is not read again
    assert index.get_state("last_sync") is not None


async def test_docs_carry_record_labels_urls_and_context_for_multi_hop_queries(
    app: Any, index: SearchIndex
) -> None:
    store = app.state.sandbox
    async with workspace(app) as (d, _):
        await sync_index(d, index, workspace_slug="demo-sales-co")
    note = next(n for n in store.notes.values() if n["title"] == "Account overview")
    doc = index.get(f"note:{note['id']['note_id']}")
    assert doc is not None and doc.record is not None
    assert doc.record.label == "Acme Inc" and "Acme Inc (Company)" in doc.context
    assert doc.url is not None and doc.url.startswith("https://app.attio.com/demo-sales-co/company/")
    # a transcript names the meeting, its company and each speaker with what is known of their role
    docs = [index.get(i) for i in index.versions("transcript")]
    contexts = [x.context for x in docs if x is not None]
    titled = [
        c
        for c in contexts
        if "speakers: " in c and "(our team)" in c and any(f"({t}" in c for t in ("CFO", "VP", "Head"))
    ]
    assert titled, contexts[:2]
    # a note on a person names the person's job title and employer, as read from their record
    person_note = next(n for n in store.notes.values() if n["parent_object"] == "people")
    async with workspace(app) as (d, _):
        person = await d.client.get_record("people", person_note["parent_record_id"])
        job = person.values["job_title"][0]["value"]
        employer = person.values["company"][0]["target_record_id"]
        company = await d.client.get_record("companies", employer)
    name = company.values["name"][0]["value"]
    person_doc = index.get(f"note:{person_note['id']['note_id']}")
    assert person_doc is not None and f"(Person, {job} at {name})" in person_doc.context
    task_without_record = next((t for t in store.tasks.values() if not t["linked_records"]), None)
    if task_without_record is not None:
        task_doc = index.get(f"task:{task_without_record['id']['task_id']}")
        assert task_doc is not None and task_doc.url == "https://app.attio.com/demo-sales-co/tasks"


async def test_a_refresh_between_full_syncs_skips_the_thread_crawl_and_old_meetings(
    app: Any, index: SearchIndex
) -> None:
    store = app.state.sandbox
    async with workspace(app) as (d, wire):
        await sync_index(d, index)
        assert index.get_state("last_full_sync") is not None
        threads, listings = wire.count("GET /v2/threads"), wire.listings()
        light = await sync_index(d, index)  # the last full sync is recent
        assert wire.count("GET /v2/threads") == threads
        relisted = wire.listings() - listings
        assert relisted < listings  # only meetings that ended shortly before their last check
        assert light.deleted == 0 and index.status().docs["comment"] == len(store.comments)
        full = await sync_index(d, index, full=True)
        assert wire.count("GET /v2/threads") > threads and wire.listings() - listings - relisted == listings
        assert full.unchanged == sum(full.seen.values())


async def test_items_gone_from_attio_are_deleted_and_changed_ones_updated(
    app: Any, index: SearchIndex
) -> None:
    store = app.state.sandbox
    note_id = next(iter(store.notes))
    task_id = next(iter(store.tasks))
    async with workspace(app) as (d, _):
        await sync_index(d, index)
        await d.client.delete_note(note_id)
        await d.client.update_task(task_id, is_completed=not store.tasks[task_id]["is_completed"])
        report = await sync_index(d, index)
    assert report.deleted == 1 and report.updated == 1
    assert index.get(f"note:{note_id}") is None
    task = index.get(f"task:{task_id}")
    assert task is not None and ("completed" in task.context) == store.tasks[task_id]["is_completed"]


async def test_a_kind_the_key_cannot_read_is_skipped_and_recorded_and_its_docs_kept(app: Any) -> None:
    index = SearchIndex(":memory:", embedder=None)
    limited = create_app(token_scopes={DEMO_TOKEN: ALL_BUT_CALLS})
    async with workspace(limited) as (d, _):
        report = await sync_index(d, index)
    assert "transcript" not in report.seen and report.seen["note"] > 0
    assert report.skipped["transcript"].startswith("AUTH_ERROR")
    assert json.loads(index.get_state("skipped") or "{}").keys() == {"transcript"}
    # a skipped kind deletes nothing: what a fuller key indexed stays
    async with workspace(app) as (d, _):
        await sync_index(d, index)
    assert index.status().docs["transcript"] > 0
    async with workspace(limited) as (d, _):
        await sync_index(d, index)
    assert index.status().docs["transcript"] > 0


async def test_a_capped_listing_deletes_nothing(
    app: Any, index: SearchIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with workspace(app) as (d, _):
        await sync_index(d, index)
        notes = len(index.versions("note"))
        monkeypatch.setattr(sync_module, "MAX_NOTES", 3)
        report = await sync_index(d, index)
    assert "note" in report.capped and report.seen["note"] == 3
    assert len(index.versions("note")) == notes


async def test_comment_crawl_is_bounded(
    app: Any, index: SearchIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sync_module, "MAX_THREAD_TARGETS", 2)
    monkeypatch.setattr(sync_module, "MAX_ENTRY_TARGETS", 1)
    async with workspace(app) as (d, wire):
        report = await sync_index(d, index)
    assert "comment" in report.capped
    assert wire.count("GET /v2/threads") <= 3
    assert 0 < report.seen.get("comment", 0) < len(app.state.sandbox.comments)


async def test_write_through_reads_a_new_item_and_a_deleted_thread_takes_its_replies(
    app: Any, index: SearchIndex
) -> None:
    store = app.state.sandbox
    reply = next(c for c in store.comments.values() if c["content_plaintext"].startswith("I can take it."))
    opener = min(
        (c for c in store.comments.values() if c["thread_id"] == reply["thread_id"]),
        key=lambda c: c["created_at"],
    )
    async with workspace(app) as (d, _):
        await sync_index(d, index)
        doc = index.get(f"comment:{reply['id']['comment_id']}")
        assert doc is not None and "in reply to: " in doc.context
        record = opener["record"]
        note = await d.client.create_note(
            parent_object="companies",
            parent_record_id=record["record_id"],
            title="Offsite",
            content="In Zanzibar.",
        )
        await d.client.delete_comment(opener["id"]["comment_id"])  # the thread's first: the thread goes
        changed = await apply_changes(
            d,
            index,
            [Change(f"note:{note.note_id}"), Change(f"comment:{opener['id']['comment_id']}", deleted=True)],
            workspace_slug=None,
        )
    assert index.get(f"note:{note.note_id}") is not None
    assert index.get(f"comment:{reply['id']['comment_id']}") is None
    assert changed >= 3


def test_the_index_key_separates_keys_that_see_different_things() -> None:
    base = index_key("ws", "client", "member", "note:read task:read")
    assert base.startswith("ws-") and len(base) == len("ws-") + 12
    assert index_key("ws", "client", "member", "task:read note:read") == base  # scope order does not matter
    assert index_key("ws", "client", "other", "note:read task:read") != base
    assert index_key("ws", "client", "member", "note:read") != base
    assert index_key("ws", "other", "member", "note:read task:read") != base


def test_the_search_says_which_kinds_were_denied_and_which_failed() -> None:
    from attio_mcp.workspace.search.service import _skipped_notes

    raw = json.dumps({"note": "AUTH_ERROR: missing note:read", "transcript": "RATE_LIMIT: slow down"})
    assert _skipped_notes(raw) == [
        "not indexed (the key cannot read them): note",
        "not refreshed (Attio failed; the previous copy is searched): transcript (RATE_LIMIT)",
    ]
    assert _skipped_notes("{}") == [] and _skipped_notes(None) == [] and _skipped_notes("not json") == []


async def test_fetch_cuts_a_very_long_text_at_a_line_and_says_so(app: Any) -> None:
    from attio_mcp.workspace.search.service import fetch_item

    recording = next(iter(app.state.sandbox.call_recordings.values()))["id"]
    ident = f"transcript:{recording['meeting_id']}:{recording['call_recording_id']}"
    async with workspace(app) as (d, _):
        whole = await fetch_item(d, ident)
        cut = await fetch_item(d, ident, max_chars=500)
    assert "truncated" not in whole.metadata and len(whole.text) > 500
    assert len(cut.text) <= 500 and whole.text.startswith(cut.text) and whole.text[len(cut.text)] == "\n"
    assert cut.metadata["truncated"].endswith("call_transcript_get reads it page by page")
