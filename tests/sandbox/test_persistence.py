"""Sandbox: SQLite write-through persistence survives a restart and is never reseeded."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from attio_mcp.sandbox import create_app

from ._support import create, data, find, records, rid

pytestmark = pytest.mark.anyio


@asynccontextmanager
async def _client(db: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(db_path=str(db))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://x", headers={"Authorization": "Bearer t"}
    ) as c:
        yield c
    app.state.sandbox.persistence.close()


async def test_state_survives_restart(tmp_path: Path) -> None:
    db = tmp_path / "sandbox.db"
    async with _client(db) as client:
        seeded_deals = await records(client, "deals")
        acme = await find(client, "companies", "name", "Acme Inc")
        company = await create(
            client, "companies", {"name": "Durable", "domains": ["durable.example"], "categories": ["SaaS"]}
        )
        await client.patch(
            f"/v2/objects/companies/records/{rid(company)}",
            json={"data": {"values": {"categories": ["AI"], "team": ["james.carter@acme.com"]}}},
        )
        entry = data(
            await client.post(
                "/v2/lists/prospecting/entries",
                json={
                    "data": {
                        "parent_record_id": rid(company),
                        "parent_object": "companies",
                        "entry_values": {"priority": "High"},
                    }
                },
            )
        )
        note = data(
            await client.post(
                "/v2/notes",
                json={
                    "data": {
                        "parent_object": "companies",
                        "parent_record_id": rid(company),
                        "title": "t",
                        "format": "plaintext",
                        "content": "kept",
                    }
                },
            )
        )
        task = data(
            await client.post(
                "/v2/tasks",
                json={
                    "data": {
                        "content": "kept",
                        "format": "plaintext",
                        "deadline_at": None,
                        "is_completed": False,
                        "linked_records": [],
                        "assignees": [],
                    }
                },
            )
        )
        await client.delete(f"/v2/objects/deals/records/{rid(seeded_deals[0])}")
        before = await records(client, "companies")

    async with _client(db) as client:
        after = await records(client, "companies")
        assert after == before
        assert len(await records(client, "deals")) == len(seeded_deals) - 1  # not reseeded
        saved = data(await client.get(f"/v2/objects/companies/records/{rid(company)}"))
        assert sorted(v["option"]["title"] for v in saved["values"]["categories"]) == ["AI", "SaaS"]
        history = data(
            await client.get(
                f"/v2/objects/companies/records/{rid(company)}/attributes/categories/values?show_historic=true"
            )
        )
        assert len(history) == 2
        person = await find(client, "people", "name", "James Carter")
        assert person["values"]["company"][0]["target_record_id"] == rid(company)
        acme_now = data(await client.get(f"/v2/objects/companies/records/{rid(acme)}"))
        assert rid(person) not in [v["target_record_id"] for v in acme_now["values"]["team"]]
        assert data(await client.get(f"/v2/lists/prospecting/entries/{entry['id']['entry_id']}")) == entry
        assert data(await client.get(f"/v2/notes/{note['id']['note_id']}")) == note
        assert data(await client.get(f"/v2/tasks/{task['id']['task_id']}")) == task

        newer = await create(client, "companies", {"name": "After restart"})
        assert rid(newer) not in {rid(r) for r in before}
        assert newer["created_at"] > company["created_at"]


async def test_empty_database_is_seeded_once(tmp_path: Path) -> None:
    db = tmp_path / "fresh.db"
    async with _client(db) as client:
        first = await records(client, "people")
    async with _client(db) as client:
        assert await records(client, "people") == first


async def test_delete_is_atomic_on_disk(tmp_path: Path) -> None:
    """A failure half-way through a delete must not leave a dangling reference in the database."""
    from attio_mcp.sandbox._writes import delete_record

    db = tmp_path / "sandbox.db"
    app = create_app(db_path=str(db))
    store = app.state.sandbox
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://x", headers={"Authorization": "Bearer t"}
    ) as client:
        company = await create(client, "companies", {"name": "Atomic Co", "domains": ["atomic.example"]})
        person = await create(
            client,
            "people",
            {
                "name": "Ann Atomic",
                "company": [{"target_object": "companies", "target_record_id": rid(company)}],
            },
        )

        def crash(*args: object) -> None:
            raise RuntimeError("disk gone")

        store.persistence.put = crash  # the delete removes the person, then fails saving the company
        with pytest.raises(RuntimeError):
            delete_record(store, person["id"]["object_id"], rid(person))
    store.persistence.close()

    async with _client(db) as client:
        # All or nothing: the person is still there and still referenced, never referenced-but-missing.
        kept = data(await client.get(f"/v2/objects/people/records/{rid(person)}"))
        team = data(await client.get(f"/v2/objects/companies/records/{rid(company)}"))["values"]["team"]
        assert [v["target_record_id"] for v in team] == [rid(kept)]
