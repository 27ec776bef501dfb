"""Sandbox: token scopes are enforced per endpoint and reported by /v2/self; activity state persists."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from attio_mcp.sandbox import create_app
from attio_mcp.sandbox._scopes import ALL_SCOPES, missing, needed

from ._support import data, error, find, rid

pytestmark = pytest.mark.anyio

RECORDS = "record_permission:read object_configuration:read"


async def _client(app: Any, token: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://sandbox",
        headers={"Authorization": f"Bearer {token}"},
    )


def test_read_write_covers_read_and_the_table_matches_literal_routes_first() -> None:
    assert missing(["meeting:read", "note:read"], ["meeting:read-write"]) == ["note:read"]
    assert missing(["meeting:read-write"], ["meeting:read"]) == ["meeting:read-write"]
    assert needed("POST", "/v2/objects/records/search") == (
        "record_permission:read",
        "object_configuration:read",
    )
    assert needed("GET", "/v2/meetings/a/call_recordings/b/transcript") == (
        "meeting:read",
        "call_recording:read",
    )
    assert needed("GET", "/v2/self") == () and needed("GET", "/v2/unknown") == ()


async def test_a_token_without_a_scope_gets_403_naming_it() -> None:
    app = create_app(token_scopes={"records-only": RECORDS, "meetings": RECORDS + " meeting:read"})
    async with await _client(app, "records-only") as client:
        body = error(await client.get("/v2/meetings"), 403, "unauthorized")
        assert body["type"] == "auth_error" and "meeting:read" in body["message"]
        assert (await client.get("/v2/self")).json()["scope"] == RECORDS
        assert data(await client.post("/v2/objects/companies/records/query", json={"limit": 1}))
        error(await client.get("/v2/notes"), 403, "unauthorized")
    async with await _client(app, "meetings") as client:
        meetings = data(await client.get("/v2/meetings?limit=1"))
        body = error(
            await client.get(f"/v2/meetings/{meetings[0]['id']['meeting_id']}/call_recordings"),
            403,
            "unauthorized",
        )
        assert body["message"].endswith("call_recording:read.")
    async with await _client(app, "any-other-token") as client:  # tokens not named hold every scope
        assert (await client.get("/v2/self")).json()["scope"].split() == list(ALL_SCOPES)


async def test_thread_scopes_depend_on_where_the_thread_is() -> None:
    app = create_app(token_scopes={"comments": "comment:read list_configuration:read list_entry:read"})
    async with await _client(app, "comments") as client:
        acme = rid(await _acme(app))
        body = error(await client.get(f"/v2/threads?object=companies&record_id={acme}"), 403, "unauthorized")
        assert "record_permission:read" in body["message"]
        entry = next(e for e in app.state.sandbox.entries.values() for e in e.values())
        lst = app.state.sandbox.schema.lists[entry.parent_id]["api_slug"]
        assert (await client.get(f"/v2/threads?list={lst}&entry_id={entry.id}")).status_code == 200


async def _acme(app: Any) -> dict[str, Any]:
    async with await _client(app, "x") as client:
        return await find(client, "companies", "name", "Acme Inc")


async def test_comments_meetings_and_transcript_plans_survive_a_restart(tmp_path: Path) -> None:
    db = str(tmp_path / "sandbox.db")
    first = create_app(db_path=db)
    store = first.state.sandbox
    async with await _client(first, "x") as client:
        member = data(await client.get("/v2/workspace_members"))[0]["id"]["workspace_member_id"]
        acme = await find(client, "companies", "name", "Acme Inc")
        body = {
            "format": "plaintext",
            "content": "Persist me",
            "author": {"type": "workspace-member", "id": member},
            "record": {"object": "companies", "record_id": rid(acme)},
        }
        made = data(await client.post("/v2/comments", json={"data": body}))
    again = create_app(db_path=db).state.sandbox
    assert again.comments == store.comments and made["id"]["comment_id"] in again.comments
    assert again.meetings == store.meetings and again.call_recordings == store.call_recordings
    assert again.transcripts == store.transcripts
    assert again.clock.now_str() > made["created_at"]
