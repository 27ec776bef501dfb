"""Sandbox: list entries (query, create, assert, update append/overwrite, delete, values)."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette

from ._support import core, create, data, error, find, rid

pytestmark = pytest.mark.anyio


async def _entries(client: httpx.AsyncClient, lst: str, **query: object) -> list[dict]:
    return data(await client.post(f"/v2/lists/{lst}/entries/query", json=query))


async def test_create_get_update_delete_entry(client: httpx.AsyncClient) -> None:
    company = await create(client, "companies", {"name": "Listed Co", "domains": ["listed.example"]})
    body = {
        "data": {
            "parent_record_id": rid(company),
            "parent_object": "companies",
            "entry_values": {"priority": "High", "follow_up_date": "2026-12-20", "stage": "New"},
        }
    }
    entry = data(await client.post("/v2/lists/prospecting/entries", json=body))
    assert entry["parent_record_id"] == rid(company) and entry["parent_object"] == "companies"
    assert entry["entry_values"]["priority"][0]["option"]["title"] == "High"
    assert entry["entry_values"]["follow_up_date"][0]["value"] == "2026-12-20"
    assert entry["entry_values"]["notes"] == []
    entry_id = entry["id"]["entry_id"]
    url = f"/v2/lists/prospecting/entries/{entry_id}"
    assert data(await client.get(url)) == entry

    patched = data(
        await client.patch(url, json={"data": {"entry_values": {"priority": "Low", "notes": "Call back"}}})
    )
    assert patched["entry_values"]["priority"][0]["option"]["title"] == "Low"
    assert patched["entry_values"]["stage"][0]["status"]["title"] == "New"
    history = data(await client.get(f"{url}/attributes/priority/values?show_historic=true"))
    assert [v["option"]["title"] for v in history] == ["High", "Low"]

    listed = data(await client.get(f"/v2/objects/companies/records/{rid(company)}/entries"))
    assert [(e["list_api_slug"], e["entry_id"]) for e in listed] == [("prospecting", entry_id)]

    assert (await client.delete(url)).json() == {}
    error(await client.get(url), 404, "not_found")
    assert data(await client.get(f"/v2/objects/companies/records/{rid(company)}/entries")) == []


async def test_entry_validation_errors(client: httpx.AsyncClient) -> None:
    acme = await find(client, "companies", "name", "Acme Inc")
    missing = "00000000-0000-4000-8000-000000000000"
    body = {"data": {"parent_record_id": missing, "parent_object": "companies", "entry_values": {}}}
    resp = error(await client.post("/v2/lists/prospecting/entries", json=body), 400, "value_not_found")
    assert missing in resp["message"]
    body = {"data": {"parent_record_id": rid(acme), "parent_object": "deals", "entry_values": {}}}
    assert (await client.post("/v2/lists/prospecting/entries", json=body)).status_code == 400
    body = {"data": {"parent_record_id": rid(acme), "parent_object": "companies"}}
    error(await client.post("/v2/lists/prospecting/entries", json=body), 400, "validation_type")
    body = {
        "data": {
            "parent_record_id": rid(acme),
            "parent_object": "companies",
            "entry_values": {"priority": "Urgent"},
        }
    }
    error(await client.post("/v2/lists/prospecting/entries", json=body), 400, "value_not_found")
    body = {
        "data": {
            "parent_record_id": rid(acme),
            "parent_object": "companies",
            "entry_values": {"industry": "Media"},
        }
    }
    error(await client.post("/v2/lists/prospecting/entries", json=body), 400, "value_not_found")
    error(await client.post("/v2/lists/nope/entries", json=body), 404, "not_found")
    error(await client.get("/v2/lists/prospecting/entries/not-a-uuid"), 400, "validation_type")


async def test_entry_parent_is_immutable(client: httpx.AsyncClient) -> None:
    entry = (await _entries(client, "prospecting", limit=1))[0]
    other = await find(client, "companies", "name", "Hooli")
    url = f"/v2/lists/prospecting/entries/{entry['id']['entry_id']}"
    resp = await client.patch(url, json={"data": {"parent_record_id": rid(other), "entry_values": {}}})
    error(resp, 400, "immutable_value")


async def test_assert_entry_by_parent(client: httpx.AsyncClient) -> None:
    company = await create(client, "companies", {"name": "Assert Entry Co"})
    body = {
        "data": {
            "parent_record_id": rid(company),
            "parent_object": "companies",
            "entry_values": {"priority": "Medium"},
        }
    }
    first = data(await client.put("/v2/lists/target_accounts/entries", json=body))
    body["data"]["entry_values"] = {"priority": "High", "account_owner": "priya.shah@demo-sales.example"}
    second = data(await client.put("/v2/lists/target_accounts/entries", json=body))
    assert second["id"]["entry_id"] == first["id"]["entry_id"]
    assert second["entry_values"]["priority"][0]["option"]["title"] == "High"
    assert second["entry_values"]["account_owner"][0]["referenced_actor_type"] == "workspace-member"

    # the same record may be added twice with create; assert then cannot pick one
    await client.post("/v2/lists/target_accounts/entries", json=body)
    body["data"]["entry_values"] = {}
    error(await client.put("/v2/lists/target_accounts/entries", json=body), 400, "multiple_match_results")


async def test_query_entries_with_filter_and_paging(client: httpx.AsyncClient) -> None:
    everything = await _entries(client, "active_deals")
    assert len(everything) == 26
    page = await _entries(client, "active_deals", limit=4, offset=2)
    assert [e["id"]["entry_id"] for e in page] == [e["id"]["entry_id"] for e in everything[2:6]]
    commit = await _entries(client, "active_deals", filter={"forecast_category": "Commit"})
    assert commit and all(
        e["entry_values"]["forecast_category"][0]["option"]["title"] == "Commit" for e in commit
    )
    error(
        await client.post("/v2/lists/active_deals/entries/query", json={"filter": {"$bogus": 1}}),
        400,
        "filter_error",
    )


async def test_list_entry_put_overwrites(client: httpx.AsyncClient) -> None:
    entry = (await _entries(client, "customers", limit=1))[0]
    url = f"/v2/lists/customers/entries/{entry['id']['entry_id']}"
    put = data(await client.put(url, json={"data": {"entry_values": {"health": 1}}}))
    assert put["entry_values"]["health"][0]["value"] == 1
    assert put["entry_values"]["renewal_date"] == entry["entry_values"]["renewal_date"]
    assert [core(v) for v in put["entry_values"]["account_tier"]] == [
        core(v) for v in entry["entry_values"]["account_tier"]
    ]
    error(await client.patch(url, json={"data": {}}), 400, "validation_type")


async def test_deleting_a_record_drops_entry_values_that_reference_it(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    """Record-reference list attributes lose their reference when the target record is deleted."""
    store = app.state.sandbox
    lst = store.schema.list("prospecting")
    store.schema.add_attribute(
        "list",
        lst["id"]["list_id"],
        "partner",
        "Partner",
        "record-reference",
        "2026-01-01T00:00:00.000000000Z",
        allowed_objects=["companies"],
    )
    owner = await create(client, "companies", {"name": "Owner Co", "domains": ["owner.example"]})
    partner = await create(client, "companies", {"name": "Partner Co", "domains": ["partner.example"]})
    body = {
        "data": {
            "parent_record_id": rid(owner),
            "parent_object": "companies",
            "entry_values": {"partner": [{"target_object": "companies", "target_record_id": rid(partner)}]},
        }
    }
    entry = data(await client.post("/v2/lists/prospecting/entries", json=body))
    assert [v["target_record_id"] for v in entry["entry_values"]["partner"]] == [rid(partner)]
    assert (await client.delete(f"/v2/objects/companies/records/{rid(partner)}")).status_code == 200
    url = f"/v2/lists/prospecting/entries/{entry['id']['entry_id']}"
    assert data(await client.get(url))["entry_values"]["partner"] == []
