"""End to end: the real client against the in-process sandbox through ``httpx.ASGITransport``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from attio_mcp.attio import (
    AttioClient,
    AuthError,
    BadRequestError,
    NotFoundError,
    ServerError,
)
from attio_mcp.sandbox import DEMO_TOKEN, FaultConfig, create_app
from attio_mcp.workspace.errors import code_of

from .conftest import FakeClock

pytestmark = pytest.mark.anyio

DOMAIN = "client-e2e-widgets.example"


def _client(app: Any, clock: FakeClock, *, api_key: str = DEMO_TOKEN, **kwargs: Any) -> AttioClient:
    return AttioClient(
        api_key=api_key,
        base_url="http://sandbox.test",
        transport=httpx.ASGITransport(app=app),
        clock=clock,
        sleep=clock.sleep,
        jitter=lambda: 0.0,
        **kwargs,
    )


@pytest.fixture
async def attio(clock: FakeClock) -> AsyncIterator[AttioClient]:
    async with _client(create_app(), clock) as client:
        yield client


async def test_token_objects_schema_and_members(attio: AttioClient) -> None:
    token = await attio.get_self()
    assert token.active and token.workspace_id and "record_permission:read-write" in token.scopes
    objects = {obj.api_slug: obj for obj in await attio.list_objects()}
    assert {"people", "companies", "deals"} <= objects.keys()
    assert objects["people"].object_id and objects["people"].singular_noun
    attrs = {a.api_slug: a for a in await attio.list_attributes("objects", "people")}
    assert attrs["email_addresses"].is_unique and attrs["email_addresses"].attribute_id
    assert attrs["company"].type == "record-reference"
    members = await attio.list_members()
    assert members and all(m.workspace_member_id and m.email_address for m in members)


async def test_record_lifecycle(attio: AttioClient) -> None:
    created = await attio.create_record("companies", {"name": "Widgets E2E", "domains": [DOMAIN]})
    record_id = created.record_id
    assert record_id and created.first_value("name") == created.values["name"][0]
    fetched = await attio.get_record("companies", record_id)
    assert fetched.record_id == record_id
    assert (fetched.first_value("domains") or {}).get("domain") == DOMAIN

    with pytest.raises(BadRequestError) as dup:
        await attio.create_record("companies", {"name": "Again", "domains": [DOMAIN]})
    assert code_of(dup.value) == "CONFLICT"

    asserted = await attio.assert_record(
        "companies", "domains", {"domains": [DOMAIN], "description": "Upserted"}
    )
    assert asserted.record_id == record_id
    assert (asserted.first_value("description") or {}).get("value") == "Upserted"

    updated = await attio.update_record("companies", record_id, {"description": "Patched"})
    assert (updated.first_value("description") or {}).get("value") == "Patched"

    found = await attio.query_records("companies", filter={"domains": DOMAIN}, limit=10)
    assert [r.record_id for r in found] == [record_id]
    first = await attio.query_records("companies", limit=7)
    second = await attio.query_records("companies", limit=7, offset=7)
    assert len(first) == 7 and second
    assert not {r.record_id for r in first} & {r.record_id for r in second}

    await attio.delete_record("companies", record_id)
    with pytest.raises(NotFoundError) as gone:
        await attio.get_record("companies", record_id)
    assert gone.value.code == "not_found" and code_of(gone.value) == "NOT_FOUND"


async def test_lists_and_entries(attio: AttioClient) -> None:
    lists = await attio.list_lists()
    by_slug = {lst.api_slug: lst for lst in lists}
    assert "prospecting" in by_slug and by_slug["prospecting"].parent_object == ["companies"]
    company = await attio.create_record("companies", {"name": "Entry Co", "domains": ["entry-co.example"]})
    entry = await attio.create_entry("prospecting", "companies", company.record_id or "", {"notes": "first"})
    assert entry.entry_id and entry.parent_record_id == company.record_id
    got = await attio.get_entry("prospecting", entry.entry_id)
    assert (got.entry_values["notes"][0]).get("value") == "first"
    updated = await attio.update_entry("prospecting", entry.entry_id, {"notes": "second"})
    assert updated.entry_values["notes"][0]["value"] == "second"
    memberships = await attio.list_record_entries("companies", company.record_id or "")
    assert [(m.list_api_slug, m.entry_id) for m in memberships] == [("prospecting", entry.entry_id)]
    page = await attio.query_entries("prospecting", limit=500)
    assert entry.entry_id in {e.entry_id for e in page}
    await attio.delete_entry("prospecting", entry.entry_id)
    with pytest.raises(NotFoundError):
        await attio.get_entry("prospecting", entry.entry_id)


async def test_notes_and_tasks(attio: AttioClient) -> None:
    company = await attio.create_record("companies", {"name": "Notes Co", "domains": ["notes-co.example"]})
    rid = company.record_id or ""
    note = await attio.create_note(
        parent_object="companies", parent_record_id=rid, title="Kickoff", content="Hi"
    )
    assert note.note_id and note.title == "Kickoff" and note.content_plaintext == "Hi"
    assert (await attio.get_note(note.note_id)).parent_record_id == rid
    notes = await attio.list_notes(parent_object="companies", parent_record_id=rid)
    assert [n.note_id for n in notes] == [note.note_id]
    await attio.delete_note(note.note_id)
    with pytest.raises(NotFoundError):
        await attio.get_note(note.note_id)

    member = (await attio.list_members())[0]
    task = await attio.create_task(
        content="Send proposal",
        deadline_at="2030-06-01T09:00:00Z",
        linked_records=[{"target_object": "companies", "target_record_id": rid}],
        assignees=[{"workspace_member_email_address": member.email_address}],
    )
    assert task.task_id and task.content_plaintext == "Send proposal" and not task.is_completed
    assert task.linked_records[0]["target_record_id"] == rid
    done = await attio.update_task(task.task_id, is_completed=True)
    assert done.is_completed
    linked = await attio.list_tasks(linked_object="companies", linked_record_id=rid)
    assert [(t.task_id, t.is_completed) for t in linked] == [(task.task_id, True)]
    await attio.delete_task(task.task_id)
    assert await attio.list_tasks(linked_object="companies", linked_record_id=rid) == []
    with pytest.raises(NotFoundError):
        await attio.delete_task(task.task_id)


async def test_search_finds_a_seeded_record(attio: AttioClient) -> None:
    some = (await attio.query_records("companies", limit=1))[0]
    name = (some.first_value("name") or {}).get("value")
    assert name
    hits = await attio.search_records(name, ["companies"], limit=5)
    assert some.record_id in {h.record_id for h in hits}


async def test_bad_token_and_unknown_object(clock: FakeClock) -> None:
    async with _client(create_app(tokens={"good-token"}), clock, api_key="wrong-token") as client:
        with pytest.raises(AuthError) as info:
            await client.list_objects()
        assert code_of(info.value) == "AUTH_ERROR" and "wrong-token" not in str(info.value)
    async with _client(create_app(), clock) as client:
        with pytest.raises(NotFoundError):
            await client.query_records("no_such_object")


async def test_injected_503s_are_retried_for_reads_not_creates(clock: FakeClock) -> None:
    app = create_app(faults=FaultConfig(seed=3, rate_503=0.4))
    async with _client(app, clock, max_attempts=20) as client:
        for _ in range(15):  # reads ride out the 503s
            assert await client.list_objects()
        outcomes: dict[str, bool] = {}
        for i in range(10):  # a create is sent once: it either succeeds or fails, never replays
            domain = f"fault-{i}.example"
            try:
                await client.create_record("companies", {"name": f"Fault {i}", "domains": [domain]})
                outcomes[domain] = True
            except ServerError as exc:
                assert exc.attempts == 1 and "attempt" not in str(exc)
                outcomes[domain] = False
        assert set(outcomes.values()) == {True, False}
        for domain, created in outcomes.items():
            rows = await client.query_records("companies", filter={"domains": domain})
            assert len(rows) == (1 if created else 0)


async def test_injected_429s_are_retried_even_for_creates(clock: FakeClock) -> None:
    app = create_app(faults=FaultConfig(seed=5, rate_429=0.5))
    async with _client(app, clock, max_attempts=30, max_retry_seconds=600) as client:
        for i in range(8):
            created = await client.create_record(
                "companies", {"name": f"RL {i}", "domains": [f"rl-{i}.example"]}
            )
            assert created.record_id
        assert clock.sleeps, "expected at least one 429 to be slept through"
        for i in range(8):
            assert len(await client.query_records("companies", filter={"domains": f"rl-{i}.example"})) == 1
