"""comments_* tools end to end against the seeded sandbox."""

from __future__ import annotations

from typing import Any

import pytest

from tests.tools._activity import member_emails, record_id, tools_with_scopes

pytestmark = pytest.mark.anyio

MISSING = "00000000-0000-4000-8000-000000000000"


def _store_threads(
    store: Any, *, record: str | None = None, entry: str | None = None
) -> dict[str, list[dict]]:
    """thread id -> its comments (oldest first) on a record (not its entries) or on an entry, from the store."""
    out: dict[str, list[dict]] = {}
    for c in sorted(store.comments.values(), key=lambda c: c["created_at"]):
        out.setdefault(c["thread_id"], []).append(c)
    keep = {}
    for tid, comments in out.items():
        head = comments[0]
        if entry is not None and head["entry"] and head["entry"]["entry_id"] == entry:
            keep[tid] = comments
        if record is not None and head["entry"] is None and head["record"]["record_id"] == record:
            keep[tid] = comments
    return keep


async def test_list_threads_of_a_record_with_authors_times_and_resolution(
    tools: Any, sandbox_app: Any
) -> None:
    store = sandbox_app.state.sandbox
    acme = record_id(store, "companies", "Acme Inc")
    out = await tools.ok("comments_list", {"resource_type": "companies", "record_id": acme})
    expected = _store_threads(store, record=acme)
    assert out["has_more"] is False and "next_offset" not in out
    assert {t["id"] for t in out["threads"]} == set(expected)
    emails = member_emails(store)
    for thread in out["threads"]:
        want = expected[thread["id"]]
        assert [c["id"] for c in thread["comments"]] == [c["id"]["comment_id"] for c in want]
        assert [c["text"] for c in thread["comments"]] == [c["content_plaintext"] for c in want]
        assert [c["author"] for c in thread["comments"]] == [emails[c["author"]["id"]] for c in want]
        for got, raw in zip(thread["comments"], want, strict=True):
            assert got["at"] == raw["created_at"].replace(".000000000Z", "Z")
            assert ("resolved_at" in got) == bool(raw["resolved_at"])
            if raw["resolved_at"]:
                assert got["resolved_by"] == emails[raw["resolved_by"]["id"]]
    assert any("resolved_at" in c for t in out["threads"] for c in t["comments"])


async def test_list_threads_of_an_entry_and_paging(tools: Any, sandbox_app: Any) -> None:
    store = sandbox_app.state.sandbox
    acme = record_id(store, "companies", "Acme Inc")
    entries = (await tools.ok("records_get_entries", {"resource_type": "companies", "record_id": acme}))[
        "entries"
    ]
    customers = next(e for e in entries if e["list_api_slug"] == "customers")
    out = await tools.ok("comments_list", {"list_id": "customers", "entry_id": customers["entry_id"]})
    assert [t["id"] for t in out["threads"]] == list(_store_threads(store, entry=customers["entry_id"]))
    first = await tools.ok("comments_list", {"resource_type": "companies", "record_id": acme, "limit": 1})
    assert first["has_more"] is True and first["next_offset"] == 1 and len(first["threads"]) == 1
    second = await tools.ok("comments_list", {"resource_type": "companies", "record_id": acme, "offset": 1})
    assert second["has_more"] is False and first["threads"][0]["id"] != second["threads"][0]["id"]


async def test_start_a_thread_reply_and_delete(tools: Any, sandbox_app: Any) -> None:
    store = sandbox_app.state.sandbox
    deal = record_id(store, "deals", "Globex Corporation - Enterprise Expansion")
    me = (await tools.ok("whoami"))["authorized_by_member_id"]
    started = await tools.ok(
        "comments_create", {"content": "Pricing approved", "resource_type": "deal", "record_id": deal}
    )
    assert started["author"] == member_emails(store)[me] and started["text"] == "Pricing approved"
    assert started["thread_id"] and started["id"] and started["at"]
    reply = await tools.ok("comments_create", {"content": "Great news", "thread_id": started["thread_id"]})
    assert reply["thread_id"] == started["thread_id"]
    listed = await tools.ok("comments_list", {"resource_type": "deals", "record_id": deal, "limit": 50})
    mine = next(t for t in listed["threads"] if t["id"] == started["thread_id"])
    assert [c["text"] for c in mine["comments"]] == ["Pricing approved", "Great news"]
    assert await tools.ok("comments_delete", {"comment_id": reply["id"]}) == {
        "deleted": True,
        "id": reply["id"],
    }
    await tools.ok("comments_delete", {"comment_id": started["id"]})  # the first comment takes the thread
    after = await tools.ok("comments_list", {"resource_type": "deals", "record_id": deal, "limit": 50})
    assert started["thread_id"] not in {t["id"] for t in after["threads"]}
    text = await tools.fail("comments_delete", {"comment_id": started["id"]}, code="NOT_FOUND")
    assert "comment_id" in text and "comments_list" in text


async def test_comment_on_a_list_entry(tools: Any) -> None:
    entry = (await tools.ok("list_entries_get", {"list_id": "active_deals", "limit": 1}))["entries"][0]
    made = await tools.ok(
        "comments_create",
        {"content": "Forecast: commit", "list_id": "active_deals", "entry_id": entry["entry_id"]},
    )
    listed = await tools.ok("comments_list", {"list_id": "active_deals", "entry_id": entry["entry_id"]})
    assert made["thread_id"] in {t["id"] for t in listed["threads"]}


async def test_comment_errors_name_the_field(tools: Any, sandbox_app: Any) -> None:
    acme = record_id(sandbox_app.state.sandbox, "companies", "Acme Inc")
    text = await tools.fail("comments_list", {}, code="VALIDATION_ERROR")
    assert "record_id" in text
    text = await tools.fail("comments_list", {"record_id": acme}, code="VALIDATION_ERROR")
    assert "(field: resource_type)" in text
    text = await tools.fail(
        "comments_list",
        {"resource_type": "companies", "record_id": acme, "list_id": "customers"},
        code="VALIDATION_ERROR",
    )
    await tools.fail(
        "comments_list", {"resource_type": "companies", "record_id": "acme"}, code="VALIDATION_ERROR"
    )
    text = await tools.fail(
        "comments_list", {"resource_type": "compnies", "record_id": acme}, code="NOT_FOUND"
    )
    assert "companies" in text
    text = await tools.fail("comments_create", {"content": "x", "thread_id": MISSING}, code="NOT_FOUND")
    assert "(field: thread_id)" in text and "comments_list" in text
    text = await tools.fail(
        "comments_create",
        {"content": "x", "resource_type": "companies", "record_id": MISSING},
        code="NOT_FOUND",
    )
    assert "(field: record_id)" in text
    text = await tools.fail(
        "comments_create",
        {"content": "x", "thread_id": MISSING, "resource_type": "companies", "record_id": acme},
        code="VALIDATION_ERROR",
    )
    assert "(field: thread_id)" in text
    await tools.fail("comments_create", {"content": "", "thread_id": MISSING})


async def test_a_key_without_comment_scopes_gets_auth_error_naming_them() -> None:
    async with tools_with_scopes("record_permission:read object_configuration:read") as tools:
        found = await tools.ok("records_search", {"resource_type": "companies", "query": "Acme"})
        acme = found["records"][0]["id"]
        text = await tools.fail(
            "comments_list", {"resource_type": "companies", "record_id": acme}, code="AUTH_ERROR"
        )
        assert "comment:read" in text and "whoami" in text
        text = await tools.fail("comments_delete", {"comment_id": MISSING}, code="AUTH_ERROR")
        assert "comment:read-write" in text
