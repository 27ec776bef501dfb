"""Sandbox: record CRUD, references, relationships, assert, history, uniqueness, query and search."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from ._support import TS_RE, core, create, data, error, find, records, rid

pytestmark = pytest.mark.anyio


async def _values(
    client: httpx.AsyncClient, obj: str, record_id: str, slug: str, historic: bool = False
) -> list:
    flag = "true" if historic else "false"
    return data(
        await client.get(
            f"/v2/objects/{obj}/records/{record_id}/attributes/{slug}/values?show_historic={flag}"
        )
    )


async def test_create_get_update_delete(client: httpx.AsyncClient) -> None:
    me = (await client.get("/v2/self")).json()
    created = await create(client, "companies", {"name": "Zephyr Labs", "domains": ["zephyr.example"]})
    assert TS_RE.match(created["created_at"])
    created_by = created["values"]["created_by"][0]
    assert created_by["referenced_actor_type"] == "api-token"
    assert created["values"]["name"][0]["created_by_actor"] == {
        "type": "api-token",
        "id": created_by["referenced_actor_id"],
    }
    assert me["workspace_id"] == created["id"]["workspace_id"]
    record_id = rid(created)
    assert data(await client.get(f"/v2/objects/companies/records/{record_id}")) == created

    patched = data(
        await client.patch(
            f"/v2/objects/companies/records/{record_id}", json={"data": {"values": {"lead_score": 70}}}
        )
    )
    assert patched["values"]["lead_score"][0]["value"] == 70
    assert patched["values"]["name"][0]["value"] == "Zephyr Labs"  # untouched

    assert (await client.delete(f"/v2/objects/companies/records/{record_id}")).json() == {}
    error(await client.get(f"/v2/objects/companies/records/{record_id}"), 404, "not_found")
    error(await client.delete(f"/v2/objects/companies/records/{record_id}"), 404, "not_found")


async def test_record_ids_must_be_uuids(client: httpx.AsyncClient) -> None:
    error(await client.get("/v2/objects/companies/records/not-a-uuid"), 400, "validation_type")
    body = error(
        await client.get("/v2/objects/companies/records/00000000-0000-4000-8000-000000000000"),
        404,
        "not_found",
    )
    assert body["message"] == 'Record with ID "00000000-0000-4000-8000-000000000000" not found.'


async def test_reference_write_forms(client: httpx.AsyncClient) -> None:
    acme = await find(client, "companies", "name", "Acme Inc")
    person = await find(client, "people", "name", "James Carter")
    forms: list[Any] = [
        [{"target_object": "companies", "target_record_id": rid(acme)}],
        [{"target_object": "companies", "domains": [{"domain": "acme.com"}]}],
        "acme.com",
        ["https://acme.com"],
        rid(acme),
        [rid(acme)],
    ]
    for raw in forms:
        deal = await create(client, "deals", {"name": "Ref", "company": raw})
        assert [core(v) for v in deal["values"]["company"]] == [
            {"target_object": "companies", "target_record_id": rid(acme)}
        ], raw
    deal = await create(
        client,
        "deals",
        {
            "name": "People refs",
            "associated_people": [
                "james.carter@acme.com",
                {"target_object": "people", "email_addresses": [{"email_address": "Emma.Nguyen@acme.com"}]},
            ],
        },
    )
    assert rid(person) in [v["target_record_id"] for v in deal["values"]["associated_people"]]
    assert len(deal["values"]["associated_people"]) == 2


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("nowhere.example", "value_not_found"),
        ("00000000-0000-4000-8000-000000000000", "value_not_found"),
        (
            [{"target_object": "companies", "target_record_id": "00000000-0000-4000-8000-000000000000"}],
            "value_not_found",
        ),
        ([{"target_object": "companies", "domains": [{"domain": "nowhere.example"}]}], "value_not_found"),
        ([{"target_object": "companies", "name": [{"value": "Acme Inc"}]}], "validation_type"),
        (
            [{"target_object": "people", "target_record_id": "00000000-0000-4000-8000-000000000000"}],
            "validation_type",
        ),
    ],
)
async def test_bad_references_fail(client: httpx.AsyncClient, raw: Any, code: str) -> None:
    resp = await client.post(
        "/v2/objects/deals/records", json={"data": {"values": {"name": "x", "company": raw}}}
    )
    error(resp, 400, code)


async def test_relationships_stay_in_sync(client: httpx.AsyncClient) -> None:
    acme = await find(client, "companies", "name", "Acme Inc")
    globex = await find(client, "companies", "name", "Globex Corporation")
    person = await create(client, "people", {"name": "Rel, Test", "company": "acme.com"})
    team = await _values(client, "companies", rid(acme), "team")
    assert rid(person) in [v["target_record_id"] for v in team]

    # moving the person: old company's team loses them, new one gains them
    await client.patch(
        f"/v2/objects/people/records/{rid(person)}", json={"data": {"values": {"company": "globex.com"}}}
    )
    assert rid(person) not in [
        v["target_record_id"] for v in await _values(client, "companies", rid(acme), "team")
    ]
    assert rid(person) in [
        v["target_record_id"] for v in await _values(client, "companies", rid(globex), "team")
    ]

    # writing the multi side updates the single side (and the previous owner)
    resp = await client.patch(
        f"/v2/objects/companies/records/{rid(acme)}",
        json={"data": {"values": {"team": [{"target_object": "people", "target_record_id": rid(person)}]}}},
    )
    assert resp.status_code == 200
    company = await _values(client, "people", rid(person), "company")
    assert [v["target_record_id"] for v in company] == [rid(acme)]
    assert rid(person) not in [
        v["target_record_id"] for v in await _values(client, "companies", rid(globex), "team")
    ]

    deal = await create(
        client, "deals", {"name": "Sync deal", "company": rid(globex), "associated_people": [rid(person)]}
    )
    assert rid(deal) in [
        v["target_record_id"] for v in await _values(client, "companies", rid(globex), "associated_deals")
    ]
    assert rid(deal) in [
        v["target_record_id"] for v in await _values(client, "people", rid(person), "associated_deals")
    ]

    # deleting the deal removes the back-references
    await client.delete(f"/v2/objects/deals/records/{rid(deal)}")
    assert rid(deal) not in [
        v["target_record_id"] for v in await _values(client, "companies", rid(globex), "associated_deals")
    ]


async def test_assert_creates_then_updates_without_duplicates(client: httpx.AsyncClient) -> None:
    url = "/v2/objects/companies/records?matching_attribute=domains"
    body = {
        "data": {
            "values": {"name": "Upsert Co", "domains": ["upsert.example"], "categories": ["SaaS", "B2B"]}
        }
    }
    first = data(await client.put(url, json=body))
    count = len(await records(client, "companies"))
    body = {
        "data": {
            "values": {
                "name": "Upsert Company",
                "domains": ["upsert.example", "upsert.io"],
                "categories": ["AI"],
            }
        }
    }
    second = data(await client.put(url, json=body))
    assert rid(second) == rid(first)
    assert len(await records(client, "companies")) == count
    assert second["values"]["name"][0]["value"] == "Upsert Company"
    assert {v["domain"] for v in second["values"]["domains"]} == {"upsert.example", "upsert.io"}
    assert [v["option"]["title"] for v in second["values"]["categories"]] == [
        "AI"
    ]  # other multiselects replaced

    person = data(
        await client.put(
            "/v2/objects/people/records?matching_attribute=email_addresses",
            json={
                "data": {
                    "values": {"email_addresses": ["JAMES.CARTER@acme.com"], "job_title": "Chief Executive"}
                }
            },
        )
    )
    assert rid(person) == rid(await find(client, "people", "name", "James Carter"))
    assert person["values"]["job_title"][0]["value"] == "Chief Executive"


async def test_assert_errors(client: httpx.AsyncClient) -> None:
    values = {"data": {"values": {"name": "x", "domains": ["x.example"]}}}
    error(
        await client.put("/v2/objects/companies/records?matching_attribute=name", json=values),
        400,
        "matching_attribute_definition_not_unique",
    )
    body = error(
        await client.put("/v2/objects/companies/records?matching_attribute=nope", json=values),
        400,
        "value_not_found",
    )
    assert body["message"] == 'No attribute was found for matching_attribute slug/ID "nope".'
    error(
        await client.put(
            "/v2/objects/companies/records?matching_attribute=domains",
            json={"data": {"values": {"name": "x"}}},
        ),
        400,
        "missing_value",
    )
    error(await client.put("/v2/objects/companies/records", json=values), 400, "validation_type")
    user = data(
        await client.put(
            "/v2/objects/users/records?matching_attribute=user_id",
            json={"data": {"values": {"user_id": "usr_9", "primary_email_address": "u9@x.example"}}},
        )
    )
    assert user["values"]["user_id"][0]["value"] == "usr_9"


async def test_patch_appends_put_overwrites_with_history(client: httpx.AsyncClient) -> None:
    company = await create(
        client, "companies", {"name": "History", "categories": ["SaaS"], "industry": "Retail"}
    )
    url = f"/v2/objects/companies/records/{rid(company)}"
    patched = data(
        await client.patch(
            url, json={"data": {"values": {"categories": ["AI", "SaaS"], "industry": "Media"}}}
        )
    )
    assert [v["option"]["title"] for v in patched["values"]["categories"]] == ["AI", "SaaS"]
    assert [v["option"]["title"] for v in patched["values"]["industry"]] == ["Media"]

    put = data(await client.put(url, json={"data": {"values": {"categories": ["B2B"]}}}))
    assert [v["option"]["title"] for v in put["values"]["categories"]] == ["B2B"]
    assert put["values"]["name"][0]["value"] == "History"

    history = await _values(client, "companies", rid(company), "categories", historic=True)
    titles = [(v["option"]["title"], v["active_until"] is None) for v in history]
    assert sorted(titles) == [("AI", False), ("B2B", True), ("SaaS", False)]
    assert [v["active_from"] for v in history] == sorted(v["active_from"] for v in history)
    industry = await _values(client, "companies", rid(company), "industry", historic=True)
    assert [(v["option"]["title"], v["active_until"] is None) for v in industry] == [
        ("Retail", False),
        ("Media", True),
    ]
    assert industry[0]["active_until"] == industry[1]["active_from"]
    assert len(await _values(client, "companies", rid(company), "industry")) == 1

    cleared = data(await client.put(url, json={"data": {"values": {"industry": []}}}))
    assert cleared["values"]["industry"] == []


async def test_uniqueness_conflicts(client: httpx.AsyncClient) -> None:
    resp = await client.post(
        "/v2/objects/companies/records", json={"data": {"values": {"name": "Dup", "domains": ["acme.com"]}}}
    )
    body = error(resp, 400, "uniqueness_conflict")
    assert '{"domain":"acme.com"}' in body["message"]
    other = await create(client, "companies", {"name": "Other", "domains": ["other.example"]})
    resp = await client.patch(
        f"/v2/objects/companies/records/{rid(other)}",
        json={"data": {"values": {"domains": ["www.acme.com", "acme.com"]}}},
    )
    error(resp, 400, "uniqueness_conflict")
    resp = await client.post(
        "/v2/objects/people/records",
        json={"data": {"values": {"email_addresses": ["James.Carter@ACME.com"]}}},
    )
    error(resp, 400, "uniqueness_conflict")
    resp = await client.post(
        "/v2/objects/users/records",
        json={"data": {"values": {"user_id": "usr_1001", "primary_email_address": "n@x.example"}}},
    )
    error(resp, 400, "uniqueness_conflict")


async def test_required_attributes_and_defaults(client: httpx.AsyncClient) -> None:
    body = error(
        await client.post("/v2/objects/deals/records", json={"data": {"values": {"deal_value": 5}}}),
        400,
        "missing_value",
    )
    assert "name" in body["message"]
    error(
        await client.post("/v2/objects/users/records", json={"data": {"values": {"user_id": "u1"}}}),
        400,
        "missing_value",
    )
    deal = await create(client, "deals", {"name": "Defaults"})
    assert deal["values"]["stage"][0]["status"]["title"] == "Lead"
    me = (await client.get("/v2/self")).json()
    assert deal["values"]["owner"][0]["referenced_actor_id"] == me["authorized_by_workspace_member_id"]
    url = f"/v2/objects/deals/records/{rid(deal)}"
    error(await client.patch(url, json={"data": {"values": {"name": []}}}), 400, "missing_value")


async def test_query_limit_offset_filter_and_sorts(client: httpx.AsyncClient) -> None:
    all_deals = await records(client, "deals")
    assert len(all_deals) == 35
    page = await records(client, "deals", limit=5, offset=5)
    assert [rid(r) for r in page] == [rid(r) for r in all_deals[5:10]]
    tech = await records(client, "companies", filter={"name": {"$contains": "Tech"}})
    assert tech and all("tech" in r["values"]["name"][0]["value"].lower() for r in tech)
    won = await records(client, "deals", filter={"stage": "Closed Won"})
    assert len(won) == 6
    top = await records(client, "deals", sorts=[{"attribute": "deal_value", "direction": "desc"}], limit=1)
    assert top[0]["values"]["deal_value"][0]["currency_value"] == max(
        r["values"]["deal_value"][0]["currency_value"] for r in all_deals
    )
    body = error(
        await client.post("/v2/objects/deals/records/query", json={"filter": {"name": {"$like": 1}}}),
        400,
        "filter_error",
    )
    assert body["type"] == "invalid_request_error" and "path" not in body
    error(await client.post("/v2/objects/deals/records/query", json={"limit": -1}), 400, "validation_type")


async def test_unknown_filter_attribute_is_attios_recorded_answer(client: httpx.AsyncClient) -> None:
    """Recorded from Attio: code ``unknown_filter_attribute_slug``, the key path with indexes as strings."""
    flt = {"$or": [{"name": {"$contains": "a"}}, {"email": {"$contains": "a"}}]}
    resp = await client.post("/v2/objects/people/records/query", json={"filter": flt})
    assert resp.json() == {
        "status_code": 400,
        "type": "invalid_request_error",
        "code": "unknown_filter_attribute_slug",
        "message": "Unknown attribute slug: email.",
        "path": ["$or", "1", "email"],
    }
    resp = await client.post("/v2/lists/active_deals/entries/query", json={"filter": {"nope": 1}})
    assert error(resp, 400, "unknown_filter_attribute_slug")["path"] == ["nope"]
    sort = {"sorts": [{"attribute": "nope", "direction": "asc"}]}  # sorts are no filter: filter_error
    error(await client.post("/v2/objects/deals/records/query", json=sort), 400, "filter_error")


async def test_record_entries_and_search(client: httpx.AsyncClient) -> None:
    acme = await find(client, "companies", "name", "Acme Inc")
    entries = data(await client.get(f"/v2/objects/companies/records/{rid(acme)}/entries"))
    assert {e["list_api_slug"] for e in entries} >= {"qualified", "customers"}
    assert set(entries[0]) == {"list_id", "list_api_slug", "entry_id", "created_at"}

    body = {
        "query": "acme",
        "objects": ["companies", "people"],
        "request_as": {"type": "workspace"},
        "limit": 25,
    }
    results = data(await client.post("/v2/objects/records/search", json=body))
    assert results[0]["record_text"] == "Acme Inc" and results[0]["domains"] == ["acme.com"]
    people = [r for r in results if r["object_slug"] == "people"]
    assert people and all(set(r) >= {"email_addresses", "phone_numbers", "record_image"} for r in people)
    body["query"] = "JAMES CARTER"
    hit = data(await client.post("/v2/objects/records/search", json=body))[0]
    assert hit["record_text"] == "James Carter" and hit["email_addresses"] == ["james.carter@acme.com"]
    body["query"] = "+14155550100"
    assert (
        data(await client.post("/v2/objects/records/search", json=body))[0]["record_text"] == "James Carter"
    )
    body.update(query="", limit=3)
    assert len(data(await client.post("/v2/objects/records/search", json=body))) == 3


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"query": "a", "objects": ["companies"]}, "validation_type"),
        ({"query": "a", "objects": [], "request_as": {"type": "workspace"}}, "validation_type"),
        (
            {"query": "a", "objects": ["companies"], "request_as": {"type": "workspace"}, "limit": 26},
            "validation_type",
        ),
        ({"query": "a", "objects": ["spaceships"], "request_as": {"type": "workspace"}}, "value_not_found"),
    ],
)
async def test_search_validation(client: httpx.AsyncClient, body: dict, code: str) -> None:
    error(await client.post("/v2/objects/records/search", json=body), 400, code)


@pytest.mark.parametrize(
    ("obj", "flt"),
    [
        ("deals", {"owner": {"referenced_actor_type": "workspace-member"}}),  # one of the two properties
        ("deals", {"owner": {"referenced_actor_id": "4e4be400-0000-4000-8000-000000000001"}}),
        ("deals", {"owner": "olivia.bennett@demo-sales.example"}),
        ("deals", {"owner": {"referenced_actor_type": "app", "referenced_actor_id": None}}),
        ("deals", {"created_at": {"$gte": "2026-08-01"}}),  # a timestamp filter without a time
        ("companies", {"primary_location": {"country_code": "UK"}}),  # not an ISO 3166-1 alpha-2 code
        ("companies", {"primary_location": {"country_code": "gb"}}),
        ("people", {"phone_numbers": {"country_code": "XX"}}),
    ],
)
async def test_filters_attio_refuses_are_filter_errors(
    client: httpx.AsyncClient, obj: str, flt: dict
) -> None:
    error(await client.post(f"/v2/objects/{obj}/records/query", json={"filter": flt}), 400, "filter_error")


async def test_actor_timestamp_and_country_filters_attio_accepts(client: httpx.AsyncClient) -> None:
    deal = (await records(client, "deals", limit=1))[0]
    owner = deal["values"]["owner"][0]
    flt = {
        "owner": {
            "referenced_actor_type": owner["referenced_actor_type"],
            "referenced_actor_id": owner["referenced_actor_id"],
        },
        "created_at": {"$lte": "2100-01-01T00:00:00Z"},
    }
    assert rid(deal) in {rid(r) for r in await records(client, "deals", filter=flt)}
    gb = await records(client, "companies", filter={"primary_location": {"country_code": "GB"}})
    assert gb and all(r["values"]["primary_location"][0]["country_code"] == "GB" for r in gb)
