"""tasks_* tools end to end against the seeded sandbox."""

from __future__ import annotations

from typing import Any

import pytest

from attio_mcp.tools.tasks import _assignees

pytestmark = pytest.mark.anyio

MISSING = "00000000-0000-4000-8000-000000000000"
MARCUS = "marcus.reed@demo-sales.example"


async def a_deal(tools: Any, index: int = 0) -> str:
    found = await tools.ok("records_search", {"resource_type": "deals", "limit": index + 1})
    return found["records"][index]["id"]


async def member(tools: Any, email: str) -> dict[str, Any]:
    return (await tools.ok("members_list", {"query": email}))["members"][0]


async def test_seed_task_with_title_link_due_and_assignee(tools: Any) -> None:
    deal_id = await a_deal(tools)
    marcus = await member(tools, MARCUS)
    task = await tools.ok(
        "tasks_create",
        {
            "content": "Schedule discovery call",
            "title": "Discovery Call",
            "linked_records": [{"target_object": "deals", "target_record_id": deal_id}],
            "due_at": "2024-12-16T10:00:00Z",
            "assignees": [marcus["id"]],
        },
    )
    assert task["content"] == "Discovery Call — Schedule discovery call"
    assert task["due_at"].startswith("2024-12-16T10:00:00")
    assert task["is_completed"] is False
    assert task["linked_records"] == [{"object": "deals", "record_id": deal_id}]
    assert task["assignees"] == [MARCUS]
    assert task["id"] and task["created_at"]


async def test_seed_task_without_title_and_assignee_by_email(tools: Any) -> None:
    company = (await tools.ok("records_search", {"resource_type": "companies", "limit": 1}))["records"][0]
    task = await tools.ok(
        "tasks_create",
        {
            "content": "Schedule qualification call",
            "linked_records": [{"target_object": "companies", "target_record_id": company["id"]}],
            "assignees": [MARCUS.upper()],
            "due_at": "2024-12-17",
        },
    )
    assert task["content"] == "Schedule qualification call"
    assert task["assignees"] == [MARCUS]
    assert task["due_at"].startswith("2024-12-17T09:00:00"), "a bare date means 09:00 UTC"


async def test_create_errors(tools: Any) -> None:
    deal_id = await a_deal(tools)
    text = await tools.fail(
        "tasks_create", {"content": "x", "assignees": ["nobody@example.com"]}, code="VALIDATION_ERROR"
    )
    assert MARCUS in text and "members_list" in text
    text = await tools.fail(
        "tasks_create", {"content": "x", "due_at": "end of quarter"}, code="VALIDATION_ERROR"
    )
    assert "(field: due_at)" in text and "today is" in text and "tomorrow" in text
    text = await tools.fail(
        "tasks_create", {"content": "y" * 1990, "title": "A long title"}, code="VALIDATION_ERROR"
    )
    assert "2000" in text
    await tools.fail("tasks_create", {"content": "z" * 2001}, code="VALIDATION_ERROR")
    await tools.fail(
        "tasks_create",
        {"content": "x", "linked_records": [{"target_object": "deals", "target_record_id": "nope"}]},
        code="VALIDATION_ERROR",
    )
    text = await tools.fail(
        "tasks_create",
        {"content": "x", "linked_records": [{"target_object": "dealz", "target_record_id": deal_id}]},
        code="NOT_FOUND",
    )
    assert "deals" in text
    await tools.fail(
        "tasks_create", {"content": "x", "linked_records": [{"object": "deals"}]}, code="VALIDATION_ERROR"
    )


async def test_list_tasks_by_link_assignee_and_completion(tools: Any) -> None:
    deal_id = await a_deal(tools, 1)
    link = [{"object": "deals", "record_id": deal_id}]
    made = []
    for i, done in enumerate((False, True, False)):
        task = await tools.ok(
            "tasks_create",
            {"content": f"Step {i}", "linked_records": link, "assignees": [MARCUS], "is_completed": done},
        )
        made.append(task["id"])
    linked = await tools.ok(
        "tasks_list", {"linked_object": "deals", "linked_record_id": deal_id, "limit": 100}
    )
    assert set(made) <= {t["id"] for t in linked["tasks"]}
    assert all({"object": "deals", "record_id": deal_id} in t["linked_records"] for t in linked["tasks"])
    open_only = await tools.ok(
        "tasks_list",
        {"linked_object": "deals", "linked_record_id": deal_id, "is_completed": False, "limit": 100},
    )
    assert {made[0], made[2]} <= {t["id"] for t in open_only["tasks"]}
    assert made[1] not in {t["id"] for t in open_only["tasks"]}
    assert all(t["is_completed"] is False for t in open_only["tasks"])
    marcus = await tools.ok("tasks_list", {"assignee": MARCUS, "limit": 100})
    assert set(made) <= {t["id"] for t in marcus["tasks"]}
    assert all(MARCUS in t["assignees"] for t in marcus["tasks"])


async def test_list_tasks_pages_and_sorts(tools: Any, sandbox_app: Any) -> None:
    total = len(sandbox_app.state.sandbox.tasks)
    first = await tools.ok("tasks_list", {"limit": 5, "sort": "created_at:desc"})
    assert len(first["tasks"]) == 5 and first["has_more"] is True and first["next_offset"] == 5
    stamps = [t["created_at"] for t in first["tasks"]]
    assert stamps == sorted(stamps, reverse=True)
    rest = await tools.ok("tasks_list", {"limit": 100, "offset": 5, "sort": "created_at:desc"})
    assert rest["has_more"] is False and len(rest["tasks"]) == total - 5


async def test_list_tasks_errors(tools: Any) -> None:
    await tools.fail("tasks_list", {"linked_object": "deals"}, code="VALIDATION_ERROR")
    await tools.fail("tasks_list", {"assignee": "ghost@example.com"}, code="VALIDATION_ERROR")
    await tools.fail(
        "tasks_list", {"linked_object": "deals", "linked_record_id": "bad"}, code="VALIDATION_ERROR"
    )


async def test_update_task_fields_and_clear_due_date(tools: Any) -> None:
    first, second = await a_deal(tools, 0), await a_deal(tools, 1)
    task = await tools.ok(
        "tasks_create",
        {
            "content": "Follow up on proposal",
            "title": "Proposal Follow-up",
            "linked_records": [{"target_object": "deals", "target_record_id": first}],
            "due_at": "2024-12-19",
        },
    )
    priya = await member(tools, "priya")
    updated = await tools.ok(
        "tasks_update",
        {
            "task_id": task["id"],
            "is_completed": True,
            "due_at": "2024-12-20T15:30:00+01:00",
            "linked_records": [{"target_object": "deals", "target_record_id": second}],
            "assignees": [priya["email"]],
        },
    )
    assert updated["is_completed"] is True
    assert updated["due_at"].startswith("2024-12-20T14:30:00")
    assert updated["linked_records"] == [{"object": "deals", "record_id": second}]
    assert updated["assignees"] == [priya["email"]]
    assert updated["content"] == "Proposal Follow-up — Follow up on proposal"
    cleared = await tools.ok("tasks_update", {"task_id": task["id"], "due_at": "", "assignees": []})
    assert "due_at" not in cleared and "assignees" not in cleared and cleared["is_completed"] is True


async def test_update_and_delete_errors(tools: Any) -> None:
    task = await tools.ok("tasks_create", {"content": "Temporary"})
    text = await tools.fail("tasks_update", {"task_id": task["id"]}, code="VALIDATION_ERROR")
    assert "create a new task" in text
    await tools.fail("tasks_update", {"task_id": "nope", "is_completed": True}, code="VALIDATION_ERROR")
    await tools.fail("tasks_update", {"task_id": MISSING, "is_completed": True}, code="NOT_FOUND")
    await tools.fail("tasks_update", {"task_id": task["id"], "assignees": ["ghost"]}, code="VALIDATION_ERROR")
    assert await tools.ok("tasks_delete", {"task_id": task["id"]}) == {"deleted": True, "id": task["id"]}
    text = await tools.fail("tasks_delete", {"task_id": task["id"]}, code="NOT_FOUND")
    assert "tasks_list" in text
    await tools.fail("tasks_delete", {"task_id": "x"}, code="VALIDATION_ERROR")


async def test_assignees_without_member_list_pass_emails_through() -> None:
    """With no members to check against, an email is sent as Attio's email form (it was a KeyError)."""

    class NoMembers:
        async def members(self) -> list[Any]:
            return []

    uid = "6f1c5c0e-8d1b-4bb5-9d8e-2f6f1f0e9a11"
    assert await _assignees(NoMembers(), ["Ada@Acme.com", uid]) == [  # type: ignore[arg-type]
        {"workspace_member_email_address": "ada@acme.com"},
        {"referenced_actor_type": "workspace-member", "referenced_actor_id": uid},
    ]


async def test_unknown_objects_name_the_parameter_at_fault(tools: Any) -> None:
    """Every family resolves objects through one helper; the failure names the caller's own parameter."""
    rid = "6f1c5c0e-8d1b-4bb5-9d8e-2f6f1f0e9a11"
    link = {"target_object": "compnies", "target_record_id": rid}
    cases = [
        ("tasks_create", {"content": "x", "linked_records": [link]}, "linked_records.0.target_object"),
        ("tasks_list", {"linked_object": "compnies", "linked_record_id": rid}, "linked_object"),
        ("notes_create", {"parent_object": "compnies", "parent_record_id": rid, "title": "t", "content": "c"},
         "parent_object"),
        ("list_entries_add", {"list_id": "target_accounts", "record_id": rid, "resource_type": "compnies"},
         "resource_type"),
        ("records_import", {"resource_type": "compnies", "rows": [{"name": "x"}]}, "resource_type"),
    ]  # fmt: skip
    for name, args, field in cases:
        text = await tools.fail(name, args, code="NOT_FOUND")
        assert f"(field: {field})" in text and "did you mean companies?" in text, name
