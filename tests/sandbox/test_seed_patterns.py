"""Sandbox: the payloads of shared/seed-integration-patterns.md, as API calls, work on the demo workspace."""

from __future__ import annotations

import httpx
import pytest

from ._support import data, find, rid

pytestmark = pytest.mark.anyio


async def _entry_for(client: httpx.AsyncClient, lst: str, record_id: str) -> dict | None:
    entries = data(await client.post(f"/v2/lists/{lst}/entries/query", json={}))
    return next((e for e in entries if e["parent_record_id"] == record_id), None)


async def test_pattern_1_deal_pipeline(client: httpx.AsyncClient) -> None:
    acme = await find(client, "companies", "name", "Acme Inc")
    values = {
        "name": "Q4 Enterprise Deal - Acme Inc",
        "deal_value": 50000,
        "stage": "Discovery",
        "close_date": "2024-12-31",
        "company": [rid(acme)],
    }
    deal = data(await client.post("/v2/objects/deals/records", json={"data": {"values": values}}))
    v = deal["values"]
    assert v["deal_value"][0]["currency_value"] == 50000 and v["stage"][0]["status"]["title"] == "Discovery"
    assert v["company"][0]["target_record_id"] == rid(acme) and v["close_date"][0]["value"] == "2024-12-31"

    for lst in ("active_deals", "discovery_stage"):
        entry = {"parent_record_id": rid(deal), "parent_object": "deals", "entry_values": {}}
        assert (await client.post(f"/v2/lists/{lst}/entries", json={"data": entry})).status_code == 200

    task = {
        "content": "Schedule discovery call",
        "format": "plaintext",
        "deadline_at": "2024-12-16T10:00:00Z",
        "is_completed": False,
        "linked_records": [{"target_object": "deals", "target_record_id": rid(deal)}],
        "assignees": [],
    }
    assert (await client.post("/v2/tasks", json={"data": task})).status_code == 200
    note = {
        "parent_object": "deals",
        "parent_record_id": rid(deal),
        "title": "Opportunity Context",
        "format": "plaintext",
        "content": "Source: Inbound demo request. Key stakeholders: CTO, VP Eng. Budget confirmed: $50k.",
    }
    assert (await client.post("/v2/notes", json={"data": note})).status_code == 200

    update = {"stage": "Proposal Sent", "close_probability": 0.65}
    moved = data(
        await client.patch(f"/v2/objects/deals/records/{rid(deal)}", json={"data": {"values": update}})
    )
    assert moved["values"]["stage"][0]["status"]["title"] == "Proposal Sent"
    assert moved["values"]["close_probability"][0]["value"] == 0.65

    discovery = await _entry_for(client, "discovery_stage", rid(deal))
    assert discovery is not None
    await client.delete(f"/v2/lists/discovery_stage/entries/{discovery['id']['entry_id']}")
    assert await _entry_for(client, "discovery_stage", rid(deal)) is None
    entry = {"parent_record_id": rid(deal), "parent_object": "deals", "entry_values": {}}
    assert (await client.post("/v2/lists/proposal_stage/entries", json={"data": entry})).status_code == 200


async def test_pattern_2_list_entry_attributes(client: httpx.AsyncClient) -> None:
    entry = data(await client.post("/v2/lists/prospecting/entries/query", json={"limit": 1}))[0]
    url = f"/v2/lists/prospecting/entries/{entry['id']['entry_id']}"
    updated = data(
        await client.patch(
            url, json={"data": {"entry_values": {"priority": "High", "follow_up_date": "2024-12-20"}}}
        )
    )
    assert updated["entry_values"]["priority"][0]["option"]["title"] == "High"
    assert updated["entry_values"]["follow_up_date"][0]["value"] == "2024-12-20"
    targets = data(await client.post("/v2/lists/target_accounts/entries/query", json={"limit": 100}))
    assert 0 < len(targets) <= 100


async def test_pattern_3_lead_qualification(client: httpx.AsyncClient) -> None:
    search = {"query": "Fresh Leads Inc", "objects": ["companies"], "request_as": {"type": "workspace"}}
    assert data(await client.post("/v2/objects/records/search", json=search)) == []
    values = {
        "name": "Fresh Leads Inc",
        "domains": ["freshleads.example"],
        "source": "Inbound Form",
        "lead_status": "Unqualified",
    }
    company = data(await client.post("/v2/objects/companies/records", json={"data": {"values": values}}))
    update = {"employee_count": 250, "industry": ["Technology"], "lead_score": 82, "lead_status": "Qualified"}
    company = data(
        await client.patch(f"/v2/objects/companies/records/{rid(company)}", json={"data": {"values": update}})
    )
    assert company["values"]["industry"][0]["option"]["title"] == "Technology"
    assert company["values"]["lead_status"][0]["option"]["title"] == "Qualified"
    assert [v["option"]["title"] for v in company["values"]["source"]] == ["Inbound Form"]

    entry = {"parent_record_id": rid(company), "parent_object": "companies", "entry_values": {}}
    assert (await client.post("/v2/lists/prospecting/entries", json={"data": entry})).status_code == 200
    rep = data(await client.get("/v2/workspace_members"))[1]["id"]["workspace_member_id"]
    task = {
        "content": "Schedule qualification call",
        "format": "plaintext",
        "deadline_at": "2026-12-01T09:00:00Z",
        "is_completed": False,
        "linked_records": [{"target_object": "companies", "target_record_id": rid(company)}],
        "assignees": [rep],
    }
    created = data(await client.post("/v2/tasks", json={"data": task}))
    assert created["assignees"][0]["referenced_actor_id"] == rep
    note = {
        "parent_object": "companies",
        "parent_record_id": rid(company),
        "title": "Lead Qualification",
        "format": "plaintext",
        "content": "Source: Inbound Form\nScore: 82\nReason: ICP fit",
    }
    assert data(await client.post("/v2/notes", json={"data": note}))["content_plaintext"].count("\n") == 2
    found = data(await client.post("/v2/objects/records/search", json=search))
    assert [r["record_text"] for r in found] == ["Fresh Leads Inc"]


async def test_pattern_6_enrichment_payloads(client: httpx.AsyncClient) -> None:
    company = await find(client, "companies", "name", "Initech")
    mapped = {
        "employee_count": 700,
        "industry": ["Technology"],
        "annual_revenue": 91000000,
        "headquarters": "Dallas, TX",
    }
    url = f"/v2/objects/companies/records/{rid(company)}"
    data(await client.patch(url, json={"data": {"values": mapped}}))
    done = data(
        await client.patch(
            url,
            json={
                "data": {
                    "values": {
                        "enrichment_status": "Completed",
                        "enrichment_date": "2026-11-26T12:34:56.789Z",
                    }
                }
            },
        )
    )
    assert done["values"]["enrichment_date"][0]["value"] == "2026-11-26T12:34:56.789000000Z"
    assert done["values"]["annual_revenue"][0]["currency_value"] == 91000000

    deal = data(await client.post("/v2/objects/deals/records/query", json={"limit": 1}))[0]
    intel = {
        "competitive_threat": "Two incumbents",
        "market_segment": ["Enterprise"],
        "estimated_close_value": 120000,
    }
    deal = data(
        await client.patch(f"/v2/objects/deals/records/{rid(deal)}", json={"data": {"values": intel}})
    )
    assert deal["values"]["market_segment"][0]["option"]["title"] == "Enterprise"

    person = await find(client, "people", "name", "James Carter")
    social = {
        "job_title": "Chief Executive Officer",
        "linkedin_url": "https://linkedin.com/in/jcarter",
        "seniority_level": ["C-Level"],
    }
    person = data(
        await client.patch(f"/v2/objects/people/records/{rid(person)}", json={"data": {"values": social}})
    )
    assert person["values"]["seniority_level"][0]["option"]["title"] == "C-Level"


async def test_demo_data_supports_pattern_queries(client: httpx.AsyncClient) -> None:
    tech = data(
        await client.post(
            "/v2/objects/companies/records/query", json={"filter": {"name": {"$contains": "Tech"}}}
        )
    )
    assert len(tech) >= 5
    prospects_in_tech = data(
        await client.post(
            "/v2/lists/prospecting/entries/query",
            json={
                "filter": {
                    "path": [["prospecting", "parent_record"], ["companies", "industry"]],
                    "constraints": {"option": {"$eq": "Technology"}},
                }
            },
        )
    )
    assert prospects_in_tech
    discovery = data(
        await client.post("/v2/objects/deals/records/query", json={"filter": {"stage": "Discovery"}})
    )
    assert len(discovery) == len(data(await client.post("/v2/lists/discovery_stage/entries/query", json={})))
