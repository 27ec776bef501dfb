"""Sandbox: notes and tasks."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from ._support import TS_RE, data, error, find, rid

pytestmark = pytest.mark.anyio


def _task_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "content": "Call the champion",
        "format": "plaintext",
        "deadline_at": None,
        "is_completed": False,
        "linked_records": [],
        "assignees": [],
    }
    body.update(overrides)
    return {"data": body}


async def test_notes_list_paging_and_parent_filter(client: httpx.AsyncClient) -> None:
    default_page = data(await client.get("/v2/notes"))
    assert len(default_page) == 10
    everything = data(await client.get("/v2/notes?limit=50"))
    assert len(everything) == 12
    assert data(await client.get("/v2/notes?limit=5&offset=10")) == everything[10:]
    acme = await find(client, "companies", "name", "Acme Inc")
    mine = data(await client.get(f"/v2/notes?parent_object=companies&parent_record_id={rid(acme)}"))
    assert [n["title"] for n in mine] == ["Account overview"]
    assert all(
        n["parent_object"] == "deals"
        for n in data(await client.get("/v2/notes?parent_object=deals&limit=50"))
    )
    error(await client.get("/v2/notes?limit=51"), 400, "validation_type")
    error(await client.get("/v2/notes?parent_object=spaceships"), 404, "not_found")


async def test_create_get_delete_note(client: httpx.AsyncClient) -> None:
    acme = await find(client, "companies", "name", "Acme Inc")
    body = {
        "data": {
            "parent_object": "companies",
            "parent_record_id": rid(acme),
            "title": "QBR",
            "format": "markdown",
            "content": "# Recap\n- point **one**\n- [link](https://x.example)",
        }
    }
    note = data(await client.post("/v2/notes", json=body))
    assert note["content_markdown"] == body["data"]["content"]
    assert note["content_plaintext"] == "Recap\n- point one\n- link"
    assert note["created_by_actor"]["type"] == "api-token" and TS_RE.match(note["created_at"])
    assert note["tags"] == [] and note["meeting_id"] is None
    url = f"/v2/notes/{note['id']['note_id']}"
    assert data(await client.get(url)) == note
    plain = data(
        await client.post(
            "/v2/notes",
            json={
                "data": {
                    **body["data"],
                    "format": "plaintext",
                    "content": "a\nb",
                    "created_at": "2024-01-01T10:00:00Z",
                }
            },
        )
    )
    assert plain["content_plaintext"] == plain["content_markdown"] == "a\nb"
    assert plain["created_at"] == "2024-01-01T10:00:00.000000000Z"
    assert (await client.delete(url)).json() == {}
    body_404 = error(await client.get(url), 404, "not_found")
    assert "was not found" in body_404["message"]


async def test_note_errors(client: httpx.AsyncClient) -> None:
    acme = await find(client, "companies", "name", "Acme Inc")
    base = {
        "parent_object": "companies",
        "parent_record_id": rid(acme),
        "title": "t",
        "format": "plaintext",
        "content": "c",
    }
    error(
        await client.post("/v2/notes", json={"data": {**base, "parent_object": "spaceships"}}),
        404,
        "not_found",
    )
    missing = "00000000-0000-4000-8000-000000000000"
    error(
        await client.post("/v2/notes", json={"data": {**base, "parent_record_id": missing}}), 404, "not_found"
    )
    error(await client.post("/v2/notes", json={"data": {**base, "format": "html"}}), 400, "validation_type")
    body = error(await client.post("/v2/notes", json={"data": {"title": "t"}}), 400, "validation_type")
    assert {tuple(e["path"]) for e in body["validation_errors"]} >= {
        ("data", "content"),
        ("data", "parent_object"),
    }
    error(
        await client.post("/v2/notes", json={"data": {**base, "created_at": "2999-01-01T00:00:00Z"}}),
        400,
        "validation_type",
    )


async def test_task_lifecycle(client: httpx.AsyncClient) -> None:
    members = data(await client.get("/v2/workspace_members"))
    marcus = next(m for m in members if m["first_name"] == "Marcus")
    priya = next(m for m in members if m["first_name"] == "Priya")
    acme = await find(client, "companies", "name", "Acme Inc")
    body = _task_body(
        deadline_at="2026-12-16T10:00:00Z",
        linked_records=[
            {"target_object": "companies", "target_record_id": rid(acme)},
            {"target_object": "people", "email_addresses": [{"email_address": "james.carter@acme.com"}]},
        ],
        assignees=[
            {"workspace_member_email_address": marcus["email_address"]},
            {
                "referenced_actor_type": "workspace-member",
                "referenced_actor_id": priya["id"]["workspace_member_id"],
            },
        ],
    )
    task = data(await client.post("/v2/tasks", json=body))
    assert task["content_plaintext"] == "Call the champion"
    assert task["deadline_at"] == "2026-12-16T10:00:00.000000000Z"
    assert task["linked_records"][0] == {"target_object_id": "companies", "target_record_id": rid(acme)}
    assert task["linked_records"][1]["target_object_id"] == "people"
    assert task["assignees"] == [
        {
            "referenced_actor_type": "workspace-member",
            "referenced_actor_id": marcus["id"]["workspace_member_id"],
        },
        {
            "referenced_actor_type": "workspace-member",
            "referenced_actor_id": priya["id"]["workspace_member_id"],
        },
    ]
    url = f"/v2/tasks/{task['id']['task_id']}"
    assert data(await client.get(url)) == task

    done = data(
        await client.patch(url, json={"data": {"is_completed": True, "deadline_at": None, "assignees": []}})
    )
    assert done["is_completed"] is True and done["deadline_at"] is None and done["assignees"] == []
    assert done["content_plaintext"] == task["content_plaintext"]
    error(await client.patch(url, json={"data": {"content": "new"}}), 400, "validation_type")
    assert (await client.delete(url)).json() == {}
    error(await client.get(url), 404, "not_found")


async def test_task_filters_and_sorting(client: httpx.AsyncClient) -> None:
    tasks = data(await client.get("/v2/tasks"))
    assert len(tasks) == 12
    assert [t["created_at"] for t in tasks] == sorted(t["created_at"] for t in tasks)
    newest_first = data(await client.get("/v2/tasks?sort=created_at:desc"))
    assert newest_first == tasks[::-1]
    assert data(await client.get("/v2/tasks?limit=3&offset=1")) == tasks[1:4]
    completed = data(await client.get("/v2/tasks?is_completed=true"))
    assert completed and all(t["is_completed"] for t in completed)
    member = data(await client.get("/v2/workspace_members"))[1]
    by_email = data(await client.get(f"/v2/tasks?assignee={member['email_address']}"))
    by_id = data(await client.get(f"/v2/tasks?assignee={member['id']['workspace_member_id']}"))
    assert by_email == by_id and by_email
    link = tasks[0]["linked_records"][0]
    linked = data(
        await client.get(
            f"/v2/tasks?linked_object={link['target_object_id']}&linked_record_id={link['target_record_id']}"
        )
    )
    assert tasks[0] in linked
    error(await client.get("/v2/tasks?sort=name"), 400, "validation_type")


async def test_task_errors(client: httpx.AsyncClient) -> None:
    error(await client.post("/v2/tasks", json={"data": {"content": "x"}}), 400, "validation_type")
    error(await client.post("/v2/tasks", json=_task_body(content="x" * 2001)), 400, "validation_type")
    error(await client.post("/v2/tasks", json=_task_body(format="markdown")), 400, "validation_type")
    ghost = _task_body(assignees=[{"workspace_member_email_address": "ghost@demo-sales.example"}])
    error(await client.post("/v2/tasks", json=ghost), 400, "value_not_found")
    missing = _task_body(
        linked_records=[
            {"target_object": "deals", "target_record_id": "00000000-0000-4000-8000-000000000000"}
        ]
    )
    error(await client.post("/v2/tasks", json=missing), 404, "not_found")
    error(await client.get("/v2/tasks/00000000-0000-4000-8000-000000000000"), 404, "not_found")
