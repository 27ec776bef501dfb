"""Sandbox: comment threads on records and list entries, replies, deletes and the seeded threads."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from ._support import TS_RE, data, error, find, rid

pytestmark = pytest.mark.anyio

UNKNOWN = "00000000-0000-4000-8000-000000000000"


async def _member(client: httpx.AsyncClient, n: int = 0) -> str:
    return data(await client.get("/v2/workspace_members"))[n]["id"]["workspace_member_id"]


def _body(author: str, content: str = "Looks good", **target: Any) -> dict[str, Any]:
    return {
        "data": {
            "format": "plaintext",
            "content": content,
            "author": {"type": "workspace-member", "id": author},
            **target,
        }
    }


async def test_seeded_threads_cover_records_and_entries(client: httpx.AsyncClient, app: Any) -> None:
    store = app.state.sandbox
    comments = list(store.comments.values())
    assert len(comments) >= 40
    assert {c["entry"] is None for c in comments} == {True, False}
    assert any(c["resolved_at"] for c in comments)
    acme = await find(client, "companies", "name", "Acme Inc")
    threads = data(await client.get(f"/v2/threads?object=companies&record_id={rid(acme)}"))
    assert len(threads) == 2
    for thread in threads:
        stamps = [c["created_at"] for c in thread["comments"]]
        assert stamps == sorted(stamps) and thread["created_at"] == stamps[0]
        assert all(TS_RE.match(s) for s in stamps)
        assert {c["thread_id"] for c in thread["comments"]} == {thread["id"]["thread_id"]}
        assert all(c["record"]["record_id"] == rid(acme) and c["entry"] is None for c in thread["comments"])


async def test_entry_threads_are_listed_by_entry_not_by_record(client: httpx.AsyncClient) -> None:
    acme = await find(client, "companies", "name", "Acme Inc")
    entries = data(await client.get(f"/v2/objects/companies/records/{rid(acme)}/entries"))
    customers = next(e for e in entries if e["list_api_slug"] == "customers")
    threads = data(await client.get(f"/v2/threads?list=customers&entry_id={customers['entry_id']}"))
    assert len(threads) == 1
    head = threads[0]["comments"][0]
    assert head["entry"] == {"entry_id": customers["entry_id"], "list_id": customers["list_id"]}
    assert head["record"]["record_id"] == rid(acme)  # an entry comment still names its parent record
    by_record = data(await client.get(f"/v2/threads?object=companies&record_id={rid(acme)}"))
    assert threads[0]["id"] not in [t["id"] for t in by_record]


async def test_start_reply_get_and_delete(client: httpx.AsyncClient) -> None:
    author = await _member(client)
    deal = data(await client.post("/v2/objects/deals/records/query", json={"limit": 1}))[0]
    first = data(
        await client.post(
            "/v2/comments", json=_body(author, record={"object": "deals", "record_id": rid(deal)})
        )
    )
    assert first["record"] == {"record_id": rid(deal), "object_id": deal["id"]["object_id"]}
    assert first["author"] == {"type": "workspace-member", "id": author}
    assert first["resolved_at"] is None and TS_RE.match(first["created_at"])
    reply = data(
        await client.post("/v2/comments", json=_body(author, "Agreed", thread_id=first["thread_id"]))
    )
    assert reply["thread_id"] == first["thread_id"] and reply["record"] == first["record"]
    thread = data(await client.get(f"/v2/threads/{first['thread_id']}"))
    assert [c["content_plaintext"] for c in thread["comments"]] == ["Looks good", "Agreed"]
    assert data(await client.get(f"/v2/comments/{reply['id']['comment_id']}")) == reply
    # Deleting a reply keeps the thread; deleting the first comment removes the thread with its replies.
    another = data(
        await client.post("/v2/comments", json=_body(author, "Third", thread_id=first["thread_id"]))
    )
    assert (await client.delete(f"/v2/comments/{another['id']['comment_id']}")).json() == {}
    assert len(data(await client.get(f"/v2/threads/{first['thread_id']}"))["comments"]) == 2
    assert (await client.delete(f"/v2/comments/{first['id']['comment_id']}")).json() == {}
    error(await client.get(f"/v2/threads/{first['thread_id']}"), 404, "not_found")
    error(await client.get(f"/v2/comments/{reply['id']['comment_id']}"), 404, "not_found")
    error(await client.delete(f"/v2/comments/{reply['id']['comment_id']}"), 404, "not_found")


async def test_comment_on_an_entry(client: httpx.AsyncClient) -> None:
    author = await _member(client, 1)
    entry = data(await client.post("/v2/lists/active_deals/entries/query", json={"limit": 1}))[0]
    made = data(
        await client.post(
            "/v2/comments",
            json=_body(author, entry={"list": "active_deals", "entry_id": entry["id"]["entry_id"]}),
        )
    )
    assert made["entry"] == {"entry_id": entry["id"]["entry_id"], "list_id": entry["id"]["list_id"]}
    assert made["record"]["record_id"] == entry["parent_record_id"]


async def test_create_refuses_what_attio_refuses(client: httpx.AsyncClient) -> None:
    author = await _member(client)
    deal = data(await client.post("/v2/objects/deals/records/query", json={"limit": 1}))[0]
    on_deal = {"record": {"object": "deals", "record_id": rid(deal)}}
    error(await client.post("/v2/comments", json=_body(author, thread_id=UNKNOWN)), 400, "value_not_found")
    error(
        await client.post(
            "/v2/comments", json=_body(author, record={"object": "deals", "record_id": UNKNOWN})
        ),
        400,
        "value_not_found",
    )
    error(
        await client.post(
            "/v2/comments", json=_body(author, entry={"list": "active_deals", "entry_id": UNKNOWN})
        ),
        400,
        "value_not_found",
    )
    error(await client.post("/v2/comments", json=_body(UNKNOWN, **on_deal)), 400, "value_not_found")
    error(await client.post("/v2/comments", json=_body(author, "", **on_deal)), 400, "validation_type")
    both = _body(author, thread_id=UNKNOWN, **on_deal)
    error(await client.post("/v2/comments", json=both), 400, "validation_type")
    error(await client.post("/v2/comments", json=_body(author)), 400, "validation_type")
    markdown = _body(author, **on_deal)
    markdown["data"]["format"] = "markdown"
    error(await client.post("/v2/comments", json=markdown), 400, "validation_type")
    extra = _body(author, **on_deal)
    extra["data"]["title"] = "no titles on comments"
    error(await client.post("/v2/comments", json=extra), 400, "validation_type")
    bot = _body(author, **on_deal)
    bot["data"]["author"] = {"type": "api-token", "id": author}
    error(await client.post("/v2/comments", json=bot), 400, "validation_type")
    future = _body(author, **on_deal)
    future["data"]["created_at"] = "2999-01-01T00:00:00Z"
    error(await client.post("/v2/comments", json=future), 400, "validation_type")
    started = data(await client.post("/v2/comments", json=_body(author, **on_deal)))
    early = _body(author, thread_id=started["thread_id"])
    early["data"]["created_at"] = "2020-01-01T00:00:00Z"  # a reply cannot predate the thread it answers
    error(await client.post("/v2/comments", json=early), 400, "validation_type")
    error(
        await client.post(
            "/v2/comments", json=_body(author, record={"object": "planets", "record_id": rid(deal)})
        ),
        404,
        "not_found",
    )


async def test_thread_listing_validates_its_pairs_and_pages(client: httpx.AsyncClient) -> None:
    acme = await find(client, "companies", "name", "Acme Inc")
    error(await client.get("/v2/threads"), 400, "validation_type")
    error(await client.get(f"/v2/threads?record_id={rid(acme)}"), 400, "validation_type")
    error(await client.get("/v2/threads?object=companies&record_id=nope"), 400, "validation_type")
    error(
        await client.get(f"/v2/threads?object=companies&record_id={rid(acme)}&limit=51"),
        400,
        "validation_type",
    )
    one = data(await client.get(f"/v2/threads?object=companies&record_id={rid(acme)}&limit=1"))
    rest = data(await client.get(f"/v2/threads?object=companies&record_id={rid(acme)}&limit=1&offset=1"))
    assert len(one) == len(rest) == 1 and one != rest
    error(await client.get(f"/v2/threads/{UNKNOWN}"), 404, "not_found")
