"""members_list end to end against the seeded sandbox (four demo members)."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.anyio


async def test_members_list_returns_every_member(tools: Any, sandbox_app: Any) -> None:
    out = await tools.ok("members_list", {})
    assert len(out["members"]) == len(sandbox_app.state.sandbox.members) == 4
    for member in out["members"]:
        assert set(member) == {"id", "name", "email", "access_level"}
    admin = next(m for m in out["members"] if m["access_level"] == "admin")
    assert admin["name"] == "Olivia Bennett" and admin["email"] == "olivia.bennett@demo-sales.example"


async def test_members_list_filters_by_name_or_email_substring(tools: Any) -> None:
    by_name = await tools.ok("members_list", {"query": "PRIYA"})
    assert [m["name"] for m in by_name["members"]] == ["Priya Shah"]
    by_email = await tools.ok("members_list", {"query": "marcus.reed@"})
    assert [m["email"] for m in by_email["members"]] == ["marcus.reed@demo-sales.example"]
    by_domain = await tools.ok("members_list", {"query": "demo-sales.example"})
    assert len(by_domain["members"]) == 4
    assert (await tools.ok("members_list", {"query": "nobody"}))["members"] == []
