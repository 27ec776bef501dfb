"""Issue #15 end to end: the first calls a model makes from tools/list alone work, and say what was assumed.

Through the MCP client against the sandbox, which refuses what Attio refuses: each call below only passes if
what the tools compiled is a request real Attio accepts.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from attio_mcp.workspace import dates

pytestmark = pytest.mark.anyio

ACME = "203667de-ecd5-52d7-a606-e37f61bc7302"
MARCUS = "marcus.reed@demo-sales.example"
NOW = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)  # a Monday


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dates, "utc_now", lambda: NOW)


def records(out: dict[str, Any]) -> list[dict[str, Any]]:
    assert out["records"], out
    return out["records"]


async def search(tools: Any, resource_type: str, **args: Any) -> dict[str, Any]:
    return await tools.ok("records_search", {"resource_type": resource_type, "limit": 100, **args})


async def test_in_on_a_select(tools: Any) -> None:
    out = await search(tools, "companies", filter={"industry": {"$in": ["Technology", "Finance"]}})
    assert {r["industry"] for r in records(out)} == {"Technology", "Finance"}
    assert out["interpreted"] == ["filter.industry: '$in' → $or of $eq"]


async def test_a_comparison_written_as_a_symbol(tools: Any) -> None:
    out = await search(tools, "deals", filter={"deal_value": {">": 50000}})
    assert all(r["deal_value"] > 50000 for r in records(out))
    assert out["interpreted"] == ["filter.deal_value: '>' → $gt"]


async def test_a_status_in_another_case_as_on_create(tools: Any) -> None:
    out = await search(tools, "deals", filter={"stage": "discovery"})
    assert {r["stage"] for r in records(out)} == {"Discovery"}
    assert out["interpreted"] == ["filter.stage: 'discovery' → 'Discovery'"]
    text = await tools.fail("records_search", {"resource_type": "deals", "filter": {"stage": "won"}})
    assert "Valid: Lead, Discovery, Qualified, Proposal Sent, Negotiation, Closed Won, Closed Lost" in text


async def test_a_filter_through_a_reference_as_people_write_it(tools: Any) -> None:
    out = await search(tools, "deals", filter={"company": {"name": {"$eq": "Acme Inc"}}})
    assert {r["company"] for r in records(out)} == {ACME}
    assert out["interpreted"] == ["filter.company.name: path deals.company → companies.name"]
    out = await search(tools, "deals", filter={"company": {"domains": "acme.com"}})
    assert {r["company"] for r in records(out)} == {ACME}


async def test_a_record_reference_by_name_on_write(tools: Any) -> None:
    deal = await tools.ok(
        "records_create",
        {"resource_type": "deals", "data": {"name": "Q4 Enterprise Deal - Acme Inc", "stage": "Discovery",
                                            "company": "Acme Inc", "deal_value": "$50,000"}},
    )  # fmt: skip
    assert deal["company"] == ACME and deal["deal_value"] == 50000
    assert deal["interpreted"] == [
        "company: 'Acme Inc' → companies 203667de…",
        "deal_value: '$50,000' → 50000",
    ]
    # several candidates: refused, listing each with its id
    text = await tools.fail(
        "records_create",
        {"resource_type": "deals", "data": {"name": "x", "stage": "Lead", "company": "Tech"}},
    )
    assert "(field: company)" in text and "Valid:" in text and "(companies " in text
    text = await tools.fail(
        "records_create",
        {"resource_type": "deals", "data": {"name": "x", "stage": "Lead", "company": "No Such Company"}},
    )
    assert "no companies record is named 'No Such Company'" in text


async def test_an_object_by_its_usual_crm_name(tools: Any) -> None:
    out = await search(tools, "accounts", query="Acme")
    assert ACME in [r["id"] for r in records(out)]
    assert out["interpreted"] == ["resource_type: 'accounts' → companies"]
    for name, slug in (("contacts", "people"), ("opportunities", "deals")):
        got = await tools.ok("attributes_list", {"resource_type": name})
        assert got["object"] == slug and got["interpreted"] == [f"resource_type: '{name}' → {slug}"]
    text = await tools.fail("records_search", {"resource_type": "tickets"}, code="NOT_FOUND")
    assert "Valid: people, companies, deals, users, workspaces, projects." in text


async def test_a_due_date_in_words_against_the_clock(tools: Any) -> None:
    task = await tools.ok(
        "tasks_create", {"content": "Send proposal", "due_at": "tomorrow", "assignees": ["Marcus Reed"]}
    )
    assert task["due_at"] == "2026-12-01T09:00:00Z" and task["assignees"] == [MARCUS]
    assert task["interpreted"] == [
        "assignees: 'Marcus Reed' → 691af20a…",
        "due_at: 'tomorrow' → '2026-12-01T09:00:00Z'",
    ]
    later = await tools.ok("tasks_update", {"task_id": task["id"], "due_at": "friday at 4pm"})
    assert later["due_at"] == "2026-12-04T16:00:00Z"
    text = await tools.fail("tasks_create", {"content": "x", "due_at": "end of the quarter"})
    assert "today is Monday 2026-11-30 (UTC)" in text


async def test_literal_input_carries_no_interpreted_key(tools: Any) -> None:
    out = await search(
        tools, "deals", filter={"stage": "Discovery"}, sorts=[{"attribute": "name", "direction": "asc"}]
    )
    assert "interpreted" not in out
    deal = await tools.ok(
        "records_create",
        {"resource_type": "deals", "data": {"name": "Literal", "stage": "Lead", "company": ACME}},
    )
    assert "interpreted" not in deal


async def test_writes_read_slug_variants_and_dates_in_words(tools: Any) -> None:
    deal = await tools.ok(
        "records_create",
        {"resource_type": "opportunities",
         "data": {"name": "Pilot", "Deal stage": "lead", "amount": "50k", "close date": "next friday"}},
    )  # fmt: skip
    assert (deal["stage"], deal["deal_value"], deal["close_date"]) == ("Lead", 50000, "2026-12-04")
    assert deal["interpreted"] == [
        "resource_type: 'opportunities' → deals",
        "'Deal stage' → stage",
        "stage: 'lead' → 'Lead'",
        "'amount' → deal_value",
        "deal_value: '50k' → 50000",
        "'close date' → close_date",
        "close_date: 'next friday' → '2026-12-04'",
    ]
    text = await tools.fail("records_create", {"resource_type": "deals", "data": {"name": "x", "close": 1}})
    assert "could mean any of" in text and "close_date" in text and "close_probability" in text


async def test_list_entries_filter_reads_the_same_way(tools: Any) -> None:
    out = await tools.ok(
        "list_entries_filter",
        {
            "list_id": "Active Deals",
            "filter": {"priority": "high", "stage": {"$ne": "Negotiation"}},
            "fields": ["priority", "stage"],
        },
    )
    assert out["entries"] and all(
        e["priority"] == "High" and e["record"]["stage"] != "Negotiation" for e in out["entries"]
    )
    assert "list_id: 'Active Deals' → active_deals" in out["interpreted"]
    # a reference is empty or not, through documented operators only
    some = await tools.ok(
        "list_entries_filter",
        {"list_id": "active_deals", "attribute": "company", "filter_type": "is_not_empty"},
    )
    none = await tools.ok(
        "list_entries_filter", {"list_id": "active_deals", "attribute": "company", "filter_type": "is_empty"}
    )
    assert some["entries"] and not none["entries"]


async def test_notes_and_links_take_records_by_name(tools: Any) -> None:
    note = await tools.ok(
        "notes_create",
        {"parent_object": "account", "parent_record_id": "Acme Inc", "title": "QBR", "content": "ok"},
    )
    assert note["parent_record_id"] == ACME
    assert note["interpreted"] == [
        "parent_object: 'account' → companies",
        "parent_record_id: 'Acme Inc' → companies 203667de…",
    ]
    # something shaped like a mistyped id is refused as one, before any lookup
    text = await tools.fail(
        "notes_create",
        {"parent_object": "companies", "parent_record_id": "203667de-ecd5", "title": "t", "content": "c"},
    )
    assert "invalid UUID" in text
