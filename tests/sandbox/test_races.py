"""Sandbox: a write whose body is still arriving must not act on (or resurrect) a concurrently deleted item."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from attio_mcp.sandbox import create_app

from ._support import create, data, error, find, rid

pytestmark = pytest.mark.anyio


def _client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://x", headers={"Authorization": "Bearer t"}
    )


async def _slow_write_during(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    body: dict[str, Any],
    meanwhile: Callable[[], Awaitable[None]],
) -> httpx.Response:
    """Send ``method url`` but hold its body back until ``meanwhile()`` has completed."""
    reached, gate = anyio.Event(), anyio.Event()

    async def content() -> AsyncIterator[bytes]:
        reached.set()
        await gate.wait()
        yield json.dumps(body).encode()

    result: dict[str, httpx.Response] = {}

    async def send() -> None:
        result["r"] = await client.request(
            method, url, content=content(), headers={"content-type": "application/json"}
        )

    async with anyio.create_task_group() as tg:
        tg.start_soon(send)
        await reached.wait()
        await meanwhile()
        gate.set()
    return result["r"]


async def test_record_update_racing_a_delete_neither_applies_nor_resurrects(tmp_path: Path) -> None:
    db = tmp_path / "sandbox.db"
    app = create_app(db_path=str(db))
    async with _client(app) as client:
        company = await find(client, "companies", "name", "Acme Inc")
        person = await create(
            client, "people", {"name": "Racy Person", "email_addresses": ["racy@x.example"]}
        )
        url = f"/v2/objects/people/records/{rid(person)}"

        async def delete() -> None:
            assert (await client.delete(url)).status_code == 200

        ref = {"target_object": "companies", "target_record_id": rid(company)}
        resp = await _slow_write_during(
            client, "PATCH", url, {"data": {"values": {"company": [ref]}}}, delete
        )
        error(resp, 404, "not_found")
        team = data(await client.get(f"/v2/objects/companies/records/{rid(company)}"))["values"]["team"]
        assert rid(person) not in {v["target_record_id"] for v in team}
    app.state.sandbox.persistence.close()

    app = create_app(db_path=str(db))
    async with _client(app) as client:
        error(await client.get(url), 404, "not_found")
    app.state.sandbox.persistence.close()


async def test_entry_update_racing_a_delete_does_not_resurrect(tmp_path: Path) -> None:
    db = tmp_path / "sandbox.db"
    app = create_app(db_path=str(db))
    async with _client(app) as client:
        company = await create(client, "companies", {"name": "Racy Co", "domains": ["racy.example"]})
        body = {"data": {"parent_record_id": rid(company), "parent_object": "companies", "entry_values": {}}}
        entry = data(await client.post("/v2/lists/prospecting/entries", json=body))
        url = f"/v2/lists/prospecting/entries/{entry['id']['entry_id']}"

        async def delete() -> None:
            assert (await client.delete(url)).status_code == 200

        resp = await _slow_write_during(
            client, "PATCH", url, {"data": {"entry_values": {"priority": "High"}}}, delete
        )
        error(resp, 404, "not_found")
    app.state.sandbox.persistence.close()

    app = create_app(db_path=str(db))
    async with _client(app) as client:
        error(await client.get(url), 404, "not_found")
    app.state.sandbox.persistence.close()


async def test_task_update_racing_a_delete_does_not_resurrect(tmp_path: Path) -> None:
    db = tmp_path / "sandbox.db"
    app = create_app(db_path=str(db))
    async with _client(app) as client:
        task = data(
            await client.post(
                "/v2/tasks",
                json={
                    "data": {
                        "content": "Racy task",
                        "format": "plaintext",
                        "deadline_at": None,
                        "is_completed": False,
                        "linked_records": [],
                        "assignees": [],
                    }
                },
            )
        )
        url = f"/v2/tasks/{task['id']['task_id']}"

        async def delete() -> None:
            assert (await client.delete(url)).status_code == 200

        resp = await _slow_write_during(client, "PATCH", url, {"data": {"is_completed": True}}, delete)
        error(resp, 404, "not_found")
    app.state.sandbox.persistence.close()

    app = create_app(db_path=str(db))
    async with _client(app) as client:
        error(await client.get(url), 404, "not_found")
    app.state.sandbox.persistence.close()
