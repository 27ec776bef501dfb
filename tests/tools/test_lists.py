"""lists_get_all / lists_get end to end, plus the annotations of every lists/notes/tasks/members tool."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client

pytestmark = pytest.mark.anyio

DEMO_LISTS = {
    "prospecting": "companies",
    "qualified": "companies",
    "customers": "companies",
    "active_deals": "deals",
    "q4_pipeline": "deals",
    "discovery_stage": "deals",
    "proposal_stage": "deals",
    "enrichment_queue": "companies",
    "target_accounts": "companies",
}

# name -> (title, read_only, destructive, idempotent)
EXPECTED_HINTS = {
    "lists_get_all": ("List all lists", True, False, True),
    "lists_get": ("Get list", True, False, True),
    "list_entries_get": ("Get list entries", True, False, True),
    "list_entries_filter": ("Filter list entries", True, False, True),
    "list_entries_add": ("Add record to list", False, False, False),
    "list_entries_update": ("Update list entry", False, True, False),
    "list_entries_remove": ("Remove list entry", False, True, True),
    "notes_create": ("Create note", False, False, False),
    "notes_list": ("List notes", True, False, True),
    "notes_get": ("Get note", True, False, True),
    "notes_delete": ("Delete note", False, True, True),
    "tasks_create": ("Create task", False, False, False),
    "tasks_list": ("List tasks", True, False, True),
    "tasks_update": ("Update task", False, True, True),
    "tasks_delete": ("Delete task", False, True, True),
    "members_list": ("List members", True, False, True),
}


async def test_lists_get_all_returns_every_list_with_its_parent(tools: Any) -> None:
    out = await tools.ok("lists_get_all", {})
    by_slug = {lst["api_slug"]: lst for lst in out["lists"]}
    assert set(by_slug) == set(DEMO_LISTS)
    for slug, parent in DEMO_LISTS.items():
        lst = by_slug[slug]
        assert lst["parent_object"] == [parent]
        assert lst["id"] and lst["name"]
    assert by_slug["active_deals"]["name"] == "Active Deals"


async def test_lists_get_by_slug_shows_entry_attributes_with_options(tools: Any) -> None:
    out = await tools.ok("lists_get", {"list_id": "prospecting"})
    assert out["api_slug"] == "prospecting" and out["parent_object"] == ["companies"]
    attrs = {a["slug"]: a for a in out["attributes"]}
    assert attrs["priority"]["type"] == "select"
    assert attrs["priority"]["options"] == ["High", "Medium", "Low"]
    assert attrs["stage"]["type"] == "status" and "Contacted" in attrs["stage"]["options"]
    assert attrs["follow_up_date"]["type"] == "date"
    assert attrs["created_at"]["writable"] is False


async def test_lists_get_accepts_uuid_and_name(tools: Any) -> None:
    all_lists = await tools.ok("lists_get_all", {})
    active = next(lst for lst in all_lists["lists"] if lst["api_slug"] == "active_deals")
    by_id = await tools.ok("lists_get", {"list_id": active["id"]})
    by_name = await tools.ok("lists_get", {"list_id": "active deals"})
    assert by_id["api_slug"] == by_name["api_slug"] == "active_deals"
    assert by_id["id"] == active["id"]
    assert {"priority", "follow_up_date", "forecast_category"} <= {a["slug"] for a in by_id["attributes"]}


async def test_lists_get_unknown_list_suggests_the_closest(tools: Any) -> None:
    text = await tools.fail("lists_get", {"list_id": "prospectng"}, code="NOT_FOUND")
    assert "prospecting" in text and "lists_get_all" in text


async def test_annotations_and_titles(mcp: Client) -> None:
    listed = {t.name: t for t in (await mcp.list_tools()).tools}
    for name, (title, read_only, destructive, idempotent) in EXPECTED_HINTS.items():
        hints = listed[name].annotations
        assert hints is not None, name
        assert hints.title == title, name
        assert hints.read_only_hint is read_only, name
        assert hints.destructive_hint is destructive, name
        assert hints.idempotent_hint is idempotent, name
        assert hints.open_world_hint is True, name
