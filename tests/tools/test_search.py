"""search and fetch end to end: a real MCP client, the server, the seeded sandbox and the real index (WordLlama)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from mcp import Client

from attio_mcp.sandbox import create_app
from attio_mcp.server.app import build_server
from attio_mcp.server.settings import Settings
from tests.conftest import Tools
from tests.tools._activity import RECORDS, record_id, tools_with_scopes

pytestmark = pytest.mark.anyio

MISSING = "00000000-0000-4000-8000-000000000000"
# Building the demo index takes ~450 reads, which Attio's 100 a second would pace to ~4.5 s per test; the
# in-process sandbox does not need the pacing.
FAST = {"reads_per_second": 2000.0}


@pytest.fixture
def settings() -> Settings:
    return Settings(sandbox=True, **FAST)


@asynccontextmanager
async def serving(app: Any, **settings: Any) -> AsyncIterator[Tools]:
    server = build_server(Settings(sandbox=True, **FAST, **settings), transport=httpx.ASGITransport(app=app))
    async with Client(server) as client:
        yield Tools(client)


def _note(store: Any, title: str) -> dict[str, Any]:
    return next(n for n in store.notes.values() if n["title"] == title)


def _kinds(out: dict[str, Any]) -> set[str]:
    return {r["kind"] for r in out["results"]}


async def test_a_paraphrase_finds_the_seeded_note_with_its_record_and_app_url(
    tools: Any, sandbox_app: Any
) -> None:
    store = sandbox_app.state.sandbox
    recap = _note(store, "Discovery call recap")  # "Budget approved for Q1", on a deal
    out = await tools.ok("search", {"query": "a note that the budget was signed off", "types": ["notes"]})
    assert out["index"].startswith("built: ")
    first = out["results"][0]
    assert first["id"] == f"note:{recap['id']['note_id']}"
    assert first["kind"] == "note" and first["title"] == "Discovery call recap"
    assert first["record"]["id"] == recap["parent_record_id"] and first["record"]["object"] == "deals"
    deal = store.render_record(
        store.get_record(store.schema.object("deals")["id"]["object_id"], recap["parent_record_id"])
    )
    assert first["url"] == deal["web_url"] and first["url"].startswith("https://app.attio.com/")
    assert "Budget approved" in first["snippet"]
    assert _kinds(out) == {"note"}


async def test_a_misspelt_company_name_finds_the_record(tools: Any, sandbox_app: Any) -> None:
    store = sandbox_app.state.sandbox
    globex = record_id(store, "companies", "Globex Corporation")
    out = await tools.ok("search", {"query": "Globx", "types": ["records"]})
    first = out["results"][0]
    assert first == {
        "id": f"record:companies:{globex}",
        "title": "Globex Corporation",
        "url": f"https://app.attio.com/demo-sales-co/company/{globex}",
        "snippet": "globex.com",
        "kind": "record",
        "record": {"object": "companies", "id": globex, "name": "Globex Corporation"},
    }
    assert "index" not in out  # records only: the index was not needed


async def test_records_and_text_are_ranked_together(tools: Any, sandbox_app: Any) -> None:
    out = await tools.ok("search", {"query": "Globex", "limit": 8})
    kinds = [r["kind"] for r in out["results"]]
    assert "record" in kinds and {"task", "note", "comment"} & set(kinds)
    assert len(out["results"]) == 8
    assert all(r["url"].startswith("https://app.attio.com/") for r in out["results"])


async def test_transcript_hits_cite_speaker_and_time(tools: Any) -> None:
    out = await tools.ok(
        "search", {"query": "the CFO's concerns at Acme", "types": ["transcript"], "limit": 3}
    )
    assert out["interpreted"] == ["types: 'transcript' → transcripts"]
    hit = out["results"][0]
    assert hit["kind"] == "transcript" and "Acme" in hit["title"]
    assert hit["id"].startswith("transcript:") and hit["url"].endswith("/transcript")
    assert hit["speaker"] and hit["snippet"]
    minutes, seconds = hit["at"].split(":")
    assert minutes.isdigit() and seconds.isdigit() and int(seconds) < 60
    assert hit["record"]["object"] == "companies" and hit["record"]["name"] == "Acme Inc"


async def test_types_record_and_since_filter(tools: Any, sandbox_app: Any) -> None:
    store = sandbox_app.state.sandbox
    acme = record_id(store, "companies", "Acme Inc")
    scoped = await tools.ok(
        "search", {"query": "renewal", "resource_type": "companies", "record_id": acme, "limit": 25}
    )
    assert scoped["results"] and all(r["record"]["id"] == acme for r in scoped["results"])
    assert "record" not in _kinds(scoped)  # scoped to a record: records search is skipped
    named = await tools.ok(
        "search", {"query": "renewal", "resource_type": "companies", "record_id": "Acme Inc", "limit": 25}
    )
    assert named["results"] == scoped["results"]
    assert named["interpreted"] == [f"record_id: 'Acme Inc' → companies {acme[:8]}…"]

    tasks = await tools.ok("search", {"query": "follow up", "types": ["tasks", "comments"], "limit": 25})
    assert tasks["results"] and _kinds(tasks) <= {"task", "comment"}

    recent = await tools.ok("search", {"query": "pricing", "since": "2026-11-01", "limit": 25})
    assert recent["results"] and all(r["time"] >= "2026-11-01T00:00:00Z" for r in recent["results"])
    assert any("records are not dated" in note for note in recent["interpreted"])
    everything = await tools.ok(
        "search", {"query": "pricing", "types": ["notes", "tasks", "comments", "transcripts"], "limit": 25}
    )
    assert any(r["time"] < "2026-11-01" for r in everything["results"])  # the filter removed something


async def test_bad_filters_are_refused(tools: Any) -> None:
    text = await tools.fail("search", {"query": "x", "types": ["emails"]}, "VALIDATION_ERROR")
    assert "(field: types)" in text and "transcripts" in text
    text = await tools.fail("search", {"query": "x", "record_id": MISSING}, "VALIDATION_ERROR")
    assert "resource_type" in text
    text = await tools.fail("search", {"query": "x", "since": "whenever"}, "VALIDATION_ERROR")
    assert "(field: since)" in text
    await tools.fail("search", {"query": "x", "limit": 26}, "VALIDATION_ERROR")


async def test_since_in_words_is_read_and_said(tools: Any) -> None:
    out = await tools.ok("search", {"query": "pricing", "since": "3 days ago", "types": ["notes"]})
    assert out["interpreted"][0].startswith("since: '3 days ago' → ")


async def test_a_note_written_through_the_server_is_found_by_the_next_search_and_gone_after_delete(
    tools: Any, sandbox_app: Any
) -> None:
    store = sandbox_app.state.sandbox
    await tools.ok("search", {"query": "warm up", "types": ["notes"]})  # the index is built before the write
    acme = record_id(store, "companies", "Acme Inc")
    note = await tools.ok(
        "notes_create",
        {
            "parent_object": "companies",
            "parent_record_id": acme,
            "title": "Zanzibar offsite",
            "content": "Acme wants the quarterly planning offsite held in Zanzibar.",
        },
    )
    out = await tools.ok("search", {"query": "Zanzibar offsite", "types": ["notes"]})
    assert out["results"][0]["id"] == f"note:{note['id']}"
    assert out["results"][0]["record"] == {"object": "companies", "id": acme, "name": "Acme Inc"}
    await tools.ok("notes_delete", {"note_id": note["id"]})
    out = await tools.ok("search", {"query": "Zanzibar offsite", "types": ["notes"]})
    assert all(r["id"] != f"note:{note['id']}" for r in out["results"])


async def test_tasks_and_comments_are_written_through(tools: Any, sandbox_app: Any) -> None:
    store = sandbox_app.state.sandbox
    acme = record_id(store, "companies", "Acme Inc")
    await tools.ok("search", {"query": "warm up", "types": ["tasks"]})
    task = await tools.ok(
        "tasks_create",
        {
            "content": "Send the Kilimanjaro case study",
            "linked_records": [{"target_object": "companies", "target_record_id": acme}],
        },
    )
    comment = await tools.ok(
        "comments_create",
        {"content": "Kilimanjaro reference call booked", "resource_type": "companies", "record_id": acme},
    )
    found = await tools.ok("search", {"query": "Kilimanjaro", "types": ["tasks", "comments"]})
    written = {f"task:{task['id']}", f"comment:{comment['id']}"}
    assert {r["id"] for r in found["results"][:2]} == written
    await tools.ok("tasks_delete", {"task_id": task["id"]})
    await tools.ok("comments_delete", {"comment_id": comment["id"]})
    gone = await tools.ok("search", {"query": "Kilimanjaro", "types": ["tasks", "comments"]})
    assert not written & {r["id"] for r in gone["results"]}


async def test_fetch_each_kind_reads_the_whole_item(tools: Any, sandbox_app: Any) -> None:
    store = sandbox_app.state.sandbox
    acme = record_id(store, "companies", "Acme Inc")
    record = await tools.ok("fetch", {"id": f"record:companies:{acme}"})
    assert record["title"] == "Acme Inc" and record["url"].startswith("https://app.attio.com/demo-sales-co/")
    assert "domains: acme.com" in record["text"].splitlines()
    assert record["metadata"]["object"] == "companies"

    recap = _note(store, "Discovery call recap")
    note = await tools.ok("fetch", {"id": f"note:{recap['id']['note_id']}"})
    assert note["text"] == recap["content_plaintext"] and note["title"] == "Discovery call recap"
    assert note["metadata"]["record"]["id"] == recap["parent_record_id"]

    task_raw = next(iter(store.tasks.values()))
    task = await tools.ok("fetch", {"id": f"task:{task_raw['id']['task_id']}"})
    assert task["text"] == task_raw["content_plaintext"] and task["url"].startswith("https://app.attio.com/")

    reply = next(c for c in store.comments.values() if c["content_plaintext"].startswith("I can take it."))
    thread = sorted(
        (c for c in store.comments.values() if c["thread_id"] == reply["thread_id"]),
        key=lambda c: c["created_at"],
    )
    comment = await tools.ok("fetch", {"id": f"comment:{reply['id']['comment_id']}"})
    lines = comment["text"].splitlines()
    assert (
        len(lines) == len(thread)
        and "(this comment)" in lines[1]
        and lines[1].endswith(reply["content_plaintext"])
    )
    assert comment["metadata"]["thread_id"] == reply["thread_id"]

    recording = next(iter(store.call_recordings.values()))
    meeting_id, recording_id = recording["id"]["meeting_id"], recording["id"]["call_recording_id"]
    transcript = await tools.ok("fetch", {"id": f"transcript:{meeting_id}:{recording_id}"})
    first = transcript["text"].splitlines()[0]
    assert first.startswith("[00:0") and "]: " not in first and ": " in first
    assert transcript["title"] == store.meetings[meeting_id]["title"]
    assert transcript["url"] == recording["web_url"] + "/transcript"
    assert transcript["metadata"]["speakers"]


async def test_fetch_refuses_bad_ids_and_reports_missing_items(tools: Any) -> None:
    for bad in ("acme", "note:12", "record:companies", "transcript:" + MISSING, "meeting:" + MISSING):
        text = await tools.fail("fetch", {"id": bad}, "VALIDATION_ERROR")
        assert "(field: id)" in text and "transcript:<meeting_id>:<call_recording_id>" in text
    for missing in (
        f"note:{MISSING}",
        f"task:{MISSING}",
        f"comment:{MISSING}",
        f"record:companies:{MISSING}",
    ):
        text = await tools.fail("fetch", {"id": missing}, "NOT_FOUND")
        assert "(field: id)" in text
    await tools.fail("fetch", {"id": f"transcript:{MISSING}:{MISSING}"}, "NOT_FOUND")


async def test_no_index_searches_records_only_and_says_so() -> None:
    app = create_app()
    async with serving(app, index_enabled=False) as tools:
        out = await tools.ok("search", {"query": "Acme"})
        assert out["index"].startswith("off")
        assert out["results"] and _kinds(out) == {"record"}
        acme = record_id(app.state.sandbox, "companies", "Acme Inc")
        fetched = await tools.ok("fetch", {"id": f"record:companies:{acme}"})
        assert fetched["title"] == "Acme Inc"


async def test_a_key_without_note_scope_still_searches_the_other_kinds() -> None:
    scopes = f"{RECORDS} task:read comment:read meeting:read call_recording:read list_configuration:read list_entry:read"
    async with tools_with_scopes(scopes) as tools:
        out = await tools.ok("search", {"query": "pricing discount", "limit": 25})
        assert "not indexed (the key cannot read them): note" in out["index"]
        kinds = _kinds(out)
        assert "note" not in kinds and {"comment", "transcript"} <= kinds


async def test_the_index_file_is_reused_across_restarts(tmp_path: Path) -> None:
    app = create_app()
    async with serving(app, index_dir=str(tmp_path)) as tools:
        first = await tools.ok("search", {"query": "security review", "types": ["notes"]})
    files = list(tmp_path.glob("*.sqlite3"))
    assert len(files) == 1 and files[0].name.startswith(app.state.sandbox.workspace_id + "-")
    assert first["index"].startswith("built: ")
    async with serving(app, index_dir=str(tmp_path), index_refresh_seconds=0) as tools:
        again = await tools.ok("search", {"query": "security review", "types": ["notes"]})
    assert again["index"].startswith("refreshed: ") and "(0 new or changed)" in again["index"]
    assert again["results"] == first["results"]


async def test_a_caller_with_its_own_key_gets_its_own_index() -> None:
    app = create_app(token_scopes={"caller-key": f"{RECORDS} note:read"})
    server = build_server(
        Settings(sandbox=True),
        transport=httpx.ASGITransport(app=app),
        caller_key=lambda _request: "caller-key",
    )
    async with Client(server) as client:
        tools = Tools(client)
        out = await tools.ok("search", {"query": "security review", "limit": 25})
    assert out["index"].startswith("built: 12 items")  # the caller's key reads notes only
    assert "cannot read them): comment" in out["index"] and "task, transcript" in out["index"]
    assert _kinds(out) <= {"note", "record"} and "note" in _kinds(out)


async def test_the_first_search_reports_progress_while_it_builds_the_index(mcp: Client) -> None:
    seen: list[tuple[float, float | None, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append((progress, total, message))

    result = await mcp.call_tool("search", {"query": "security review"}, progress_callback=on_progress)
    assert not result.is_error
    messages = [m for _, _, m in seen]
    assert "reading comment threads" in messages and "index up to date" in messages
    assert any(m and m.startswith("embedded ") for m in messages)
    assert [p for p, _, _ in seen] == sorted(p for p, _, _ in seen) and seen[-1][:2] == (5, 5)
    seen.clear()
    await mcp.call_tool("search", {"query": "pricing"}, progress_callback=on_progress)
    assert seen == []  # the index is fresh: nothing to report
