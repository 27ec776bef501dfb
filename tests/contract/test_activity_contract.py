"""Contract: comment threads, comments, meetings, call recordings and transcripts, request and response.

Every request here is spec-valid and every response must match the spec (the ``contract_client`` fixture
fails the test otherwise). The sandbox's scope table is compared with the spec's per-operation security.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from attio_mcp.sandbox._scopes import ENDPOINT_SCOPES
from tests.contract.openapi import OpenAPIChecker

from .test_sandbox_contract import UNKNOWN, error, first_record, ok

pytestmark = pytest.mark.anyio


async def _pages(client: httpx.AsyncClient, path: str, **params: Any) -> tuple[list[Any], int]:
    """Every item of a cursor-paged list and the number of pages."""
    items: list[Any] = []
    pages = 0
    cursor = None
    while True:
        body = await ok(await client.get(path, params={**params, **({"cursor": cursor} if cursor else {})}))
        items += body["data"] if isinstance(body["data"], list) else body["data"]["transcript"]
        pages += 1
        cursor = body["pagination"]["next_cursor"]
        if cursor is None:
            return items, pages


def test_scope_table_is_the_specs_security(openapi_checker: OpenAPIChecker) -> None:
    for (method, template), scopes in ENDPOINT_SCOPES.items():
        operation = openapi_checker.operations[(method, template)]
        declared = [s for req in operation.get("security", []) for group in req.values() for s in group]
        assert sorted(scopes) == sorted(declared), (method, template)


async def test_threads_and_comments(contract_client: httpx.AsyncClient) -> None:
    client = contract_client
    member = (await ok(await client.get("/v2/workspace_members")))["data"][0]["id"]["workspace_member_id"]
    deal = await first_record(client, "deals")
    deal_id = deal["id"]["record_id"]
    author = {"type": "workspace-member", "id": member}
    start = {"format": "plaintext", "content": "Contract comment", "author": author}
    on_deal = {
        **start,
        "record": {"object": "deals", "record_id": deal_id},
        "created_at": "2026-01-01T09:00:00Z",
    }
    made = (await ok(await client.post("/v2/comments", json={"data": on_deal})))["data"]
    reply = {"format": "plaintext", "content": "Reply", "author": author, "thread_id": made["thread_id"]}
    await ok(
        await client.post("/v2/comments", json={"data": {**reply, "created_at": "2026-01-05T10:00:00.000Z"}})
    )
    threads = (await ok(await client.get(f"/v2/threads?object=deals&record_id={deal_id}&limit=50")))["data"]
    assert made["thread_id"] in {t["id"]["thread_id"] for t in threads}
    await ok(await client.get(f"/v2/threads/{made['thread_id']}"))
    await ok(await client.get(f"/v2/comments/{made['id']['comment_id']}"))
    entry = (await ok(await client.post("/v2/lists/active_deals/entries/query", json={"limit": 1})))["data"][
        0
    ]
    on_entry = {**start, "entry": {"list": "active_deals", "entry_id": entry["id"]["entry_id"]}}
    await ok(await client.post("/v2/comments", json={"data": on_entry}))
    await ok(await client.get(f"/v2/threads?list=active_deals&entry_id={entry['id']['entry_id']}&offset=0"))
    for company in (await ok(await client.post("/v2/objects/companies/records/query", json={"limit": 10})))[
        "data"
    ]:
        await ok(await client.get(f"/v2/threads?object=companies&record_id={company['id']['record_id']}"))
    assert await ok(await client.delete(f"/v2/comments/{made['id']['comment_id']}")) == {}
    await error(await client.get(f"/v2/threads/{made['thread_id']}"), 404, "not_found")
    await error(await client.get(f"/v2/comments/{UNKNOWN}"), 404, "not_found")
    await error(await client.delete(f"/v2/comments/{UNKNOWN}"), 404, "not_found")


async def test_unknown_thread_uses_the_shared_error_spelling(contract_client: httpx.AsyncClient) -> None:
    """The spec spells this 400 body ``statusCode`` (digest §12: a typo); the sandbox keeps ``status_code``
    like every other Attio error, which is exactly one violation."""
    client = contract_client
    member = (await ok(await client.get("/v2/workspace_members")))["data"][0]["id"]["workspace_member_id"]
    body = {
        "format": "plaintext",
        "content": "x",
        "author": {"type": "workspace-member", "id": member},
        "thread_id": UNKNOWN,
    }
    await error(await client.post("/v2/comments", json={"data": body}), 400, "value_not_found")
    violations = list(client.contract.violations)
    client.contract.violations.clear()
    assert len(violations) == 1 and "'statusCode' is a required property" in violations[0], violations


async def test_meetings_recordings_and_transcripts(contract_client: httpx.AsyncClient) -> None:
    client = contract_client
    meetings, pages = await _pages(client, "/v2/meetings", limit=40)
    assert len(meetings) >= 30 and pages >= 2
    company = await first_record(client, "companies")
    await ok(
        await client.get(
            "/v2/meetings",
            params={
                "linked_object": "companies",
                "linked_record_id": company["id"]["record_id"],
                "sort": "start_desc",
                "ends_from": "2026-09-01T00:00:00Z",
                "starts_before": "2027-01-01T00:00:00Z",
                "timezone": "Europe/London",
                "participants": meetings[0]["participants"][0]["email_address"],
            },
        )
    )
    recorded = 0
    for meeting in meetings:
        meeting_id = meeting["id"]["meeting_id"]
        await ok(await client.get(f"/v2/meetings/{meeting_id}"))
        recordings, _ = await _pages(client, f"/v2/meetings/{meeting_id}/call_recordings", limit=1)
        for recording in recordings:
            recorded += 1
            base = f"/v2/meetings/{meeting_id}/call_recordings/{recording['id']['call_recording_id']}"
            await ok(await client.get(base))
            words, _ = await _pages(client, base + "/transcript")
            assert words
    assert recorded >= 10
    await error(await client.get(f"/v2/meetings/{UNKNOWN}"), 404, "not_found")
    await error(await client.get(f"/v2/meetings/{UNKNOWN}/call_recordings/{UNKNOWN}"), 404, "not_found")


def test_every_activity_operation_is_in_the_scope_table(openapi_checker: OpenAPIChecker) -> None:
    served = {"/v2/threads", "/v2/comments", "/v2/meetings"}
    for method, template in openapi_checker.operations:
        if not any(template.startswith(p) for p in served) or method != "GET" and "comments" not in template:
            continue
        assert (method, template) in ENDPOINT_SCOPES, (method, template)
    assert all(re.match(r"^/v2/", t) for _, t in ENDPOINT_SCOPES)
