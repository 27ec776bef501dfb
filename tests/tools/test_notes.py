"""notes_* tools end to end against the seeded sandbox."""

from __future__ import annotations

from typing import Any

import pytest

from attio_mcp.tools.notes import PREVIEW_CHARS, fetch_pages

pytestmark = pytest.mark.anyio

MISSING = "00000000-0000-4000-8000-000000000000"


async def a_deal(tools: Any) -> str:
    found = await tools.ok("records_search", {"resource_type": "deals", "limit": 1})
    return found["records"][0]["id"]


async def test_seed_create_plaintext_note_on_a_deal(tools: Any) -> None:
    deal_id = await a_deal(tools)
    content = "Source: Inbound demo request. Key stakeholders: CTO, VP Eng. Budget confirmed: $50k."
    note = await tools.ok(
        "notes_create",
        {
            "parent_object": "deals",
            "parent_record_id": deal_id,
            "title": "Opportunity Context",
            "content": content,
        },
    )
    assert note["id"] and note["created_at"]
    assert note["parent_object"] == "deals" and note["parent_record_id"] == deal_id
    assert note["title"] == "Opportunity Context" and note["content"] == content
    assert await tools.ok("notes_get", {"note_id": note["id"]}) == note


async def test_markdown_note_reads_back_as_markdown(tools: Any) -> None:
    deal_id = await a_deal(tools)
    markdown = "# Recap\n- point **one**\n- point *two*"
    note = await tools.ok(
        "notes_create",
        {
            "parent_object": "deal",
            "parent_record_id": deal_id,
            "title": "QBR",
            "content": markdown,
            "format": "markdown",
        },
    )
    got = await tools.ok("notes_get", {"note_id": note["id"]})
    assert got["content"] == markdown and got["parent_object"] == "deals"


async def test_list_notes_of_a_record_with_previews_and_paging(tools: Any) -> None:
    deal_id = await a_deal(tools)
    long_text = ("Detailed minutes. " * 40).strip()
    ids = []
    for i in range(3):
        note = await tools.ok(
            "notes_create",
            {
                "parent_object": "deals",
                "parent_record_id": deal_id,
                "title": f"Call {i}",
                "content": long_text,
            },
        )
        ids.append(note["id"])
    listed = await tools.ok(
        "notes_list", {"parent_object": "deals", "parent_record_id": deal_id, "limit": 50}
    )
    mine = [n for n in listed["notes"] if n["id"] in ids]
    assert len(mine) == 3 and all(n["parent_record_id"] == deal_id for n in listed["notes"])
    for note in mine:
        assert note["truncated"] is True and note["content"].endswith("…")
        assert len(note["content"]) <= PREVIEW_CHARS + 1
    full = await tools.ok("notes_get", {"note_id": ids[0]})
    assert full["content"] == long_text
    assert "truncated" not in full
    total = len(listed["notes"])
    first = await tools.ok("notes_list", {"parent_object": "deals", "parent_record_id": deal_id, "limit": 2})
    assert first["has_more"] is (total > 2)
    if total > 2:
        assert first["next_offset"] == 2
        rest = await tools.ok(
            "notes_list", {"parent_object": "deals", "parent_record_id": deal_id, "limit": 50, "offset": 2}
        )
        assert {n["id"] for n in first["notes"]}.isdisjoint(n["id"] for n in rest["notes"])
        assert len(first["notes"]) + len(rest["notes"]) == total


async def test_list_notes_with_a_limit_above_attios_page_size(tools: Any, sandbox_app: Any) -> None:
    out = await tools.ok("notes_list", {"limit": 100})
    assert len(out["notes"]) == len(sandbox_app.state.sandbox.notes) > 0
    assert out["has_more"] is False


async def test_fetch_pages_never_asks_for_more_than_a_page() -> None:
    data = list(range(120))
    asked: list[tuple[int, int]] = []

    async def fetch(size: int, at: int) -> list[int]:
        asked.append((size, at))
        assert size <= 50
        return data[at : at + size]

    assert await fetch_pages(fetch, want=101, offset=5, page_max=50) == data[5:106]
    assert asked == [(50, 5), (50, 55), (1, 105)]
    asked.clear()
    assert await fetch_pages(fetch, want=51, offset=100, page_max=50) == data[100:]
    assert asked == [(50, 100)]


async def test_delete_note_then_it_is_gone(tools: Any) -> None:
    deal_id = await a_deal(tools)
    note = await tools.ok(
        "notes_create",
        {"parent_object": "deals", "parent_record_id": deal_id, "title": "Temp", "content": "x"},
    )
    assert await tools.ok("notes_delete", {"note_id": note["id"]}) == {"deleted": True, "id": note["id"]}
    text = await tools.fail("notes_get", {"note_id": note["id"]}, code="NOT_FOUND")
    assert "notes_list" in text
    await tools.fail("notes_delete", {"note_id": note["id"]}, code="NOT_FOUND")


async def test_note_errors(tools: Any) -> None:
    deal_id = await a_deal(tools)
    await tools.fail("notes_get", {"note_id": "nope"}, code="VALIDATION_ERROR")
    await tools.fail("notes_get", {"note_id": MISSING}, code="NOT_FOUND")
    text = await tools.fail(
        "notes_create",
        {"parent_object": "dealz", "parent_record_id": deal_id, "title": "t", "content": "c"},
        code="NOT_FOUND",
    )
    assert "deals" in text
    await tools.fail(
        "notes_create",
        {"parent_object": "deals", "parent_record_id": MISSING, "title": "t", "content": "c"},
        code="NOT_FOUND",
    )
    await tools.fail(
        "notes_create",
        {"parent_object": "deals", "parent_record_id": "1", "title": "t", "content": "c"},
        code="VALIDATION_ERROR",
    )
    await tools.fail("notes_list", {"parent_record_id": deal_id}, code="VALIDATION_ERROR")
