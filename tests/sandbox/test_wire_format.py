"""Sandbox: record/entry wire format matches the real Attio samples (keys, empties, timestamps, shapes)."""

from __future__ import annotations

import httpx
import pytest

from ._support import COMMON_KEYS, TS_RE, core, data, find, records, rid

pytestmark = pytest.mark.anyio

TYPE_KEYS = {
    "text": {"value"},
    "number": {"value"},
    "checkbox": {"value"},
    "date": {"value"},
    "timestamp": {"value"},
    "rating": {"value"},
    "currency": {"currency_value", "currency_code"},
    "select": {"option"},
    "status": {"status"},
    "record-reference": {"target_object", "target_record_id"},
    "actor-reference": {"referenced_actor_type", "referenced_actor_id"},
    "domain": {"domain", "root_domain"},
    "email-address": {
        "original_email_address",
        "email_address",
        "email_domain",
        "email_root_domain",
        "email_local_specifier",
    },
    "phone-number": {"original_phone_number", "country_code", "phone_number"},
    "personal-name": {"first_name", "last_name", "full_name"},
    "location": {
        "line_1",
        "line_2",
        "line_3",
        "line_4",
        "locality",
        "region",
        "postcode",
        "country_code",
        "latitude",
        "longitude",
    },
}


@pytest.mark.parametrize("obj", ["people", "companies", "deals", "users", "workspaces", "projects"])
async def test_every_record_has_every_attribute_and_exact_shapes(client: httpx.AsyncClient, obj: str) -> None:
    attrs = {a["api_slug"]: a for a in data(await client.get(f"/v2/objects/{obj}/attributes"))}
    object_id = data(await client.get(f"/v2/objects/{obj}"))["id"]["object_id"]
    rows = await records(client, obj)
    assert rows, obj
    assert [rid(r) for r in rows] == sorted(rid(r) for r in rows)  # unsorted queries: record_id ascending
    seen_types: set[str] = set()
    for record in rows:
        assert set(record) == {"id", "created_at", "web_url", "values"}
        assert set(record["id"]) == {"workspace_id", "object_id", "record_id"}
        assert record["id"]["object_id"] == object_id
        assert set(record["values"]) == set(attrs)
        assert TS_RE.match(record["created_at"])
        assert record["values"]["record_id"][0]["value"] == rid(record)
        assert record["values"]["created_at"][0]["value"] == record["created_at"]
        for slug, values in record["values"].items():
            assert isinstance(values, list)
            if not attrs[slug]["is_multiselect"]:
                assert len(values) <= 1, slug
            for value in values:
                kind = attrs[slug]["type"]
                seen_types.add(kind)
                assert value["attribute_type"] == kind
                assert set(value) == COMMON_KEYS | TYPE_KEYS[kind], (slug, value)
                assert TS_RE.match(value["active_from"]) and value["active_until"] is None
                assert set(value["created_by_actor"]) == {"type", "id"}
                if kind == "timestamp":
                    assert TS_RE.match(value["value"])
    assert "record-reference" in seen_types or obj == "users"


async def test_web_urls_follow_attio_conventions(client: httpx.AsyncClient) -> None:
    company = (await records(client, "companies", limit=1))[0]
    deal = (await records(client, "deals", limit=1))[0]
    person = (await records(client, "people", limit=1))[0]
    assert company["web_url"] == f"https://app.attio.com/demo-sales-co/company/{rid(company)}"
    assert person["web_url"] == f"https://app.attio.com/demo-sales-co/person/{rid(person)}"
    assert deal["web_url"] == f"https://app.attio.com/demo-sales-co/deals/record/{rid(deal)}"


async def test_seeded_value_shapes_by_type(client: httpx.AsyncClient) -> None:
    acme = await find(client, "companies", "name", "Acme Inc")
    v = acme["values"]
    assert core(v["domains"][0]) == {"domain": "acme.com", "root_domain": "acme.com"}
    assert v["industry"][0]["option"]["title"] == "Manufacturing"
    assert set(v["industry"][0]["option"]) == {"id", "title", "is_archived"}
    assert v["annual_revenue"][0]["currency_code"] == "USD"
    assert isinstance(v["annual_revenue"][0]["currency_value"], int)
    loc = core(v["primary_location"][0])
    assert loc["line_1"] == "1 Main St" and loc["locality"] == "Springfield"
    assert loc["region"] == "IL" and loc["postcode"] == "62701" and loc["country_code"] == "US"
    assert {t["target_object"] for t in v["team"]} == {"people"}
    assert v["last_email_interaction"] == []

    person = await find(client, "people", "name", "James Carter")
    pv = person["values"]
    assert core(pv["name"][0]) == {"first_name": "James", "last_name": "Carter", "full_name": "James Carter"}
    email = core(pv["email_addresses"][0])
    assert email == {
        "original_email_address": "james.carter@acme.com",
        "email_address": "james.carter@acme.com",
        "email_domain": "acme.com",
        "email_root_domain": "acme.com",
        "email_local_specifier": "james.carter",
    }
    assert core(pv["phone_numbers"][0])["phone_number"] == "+14155550100"
    assert pv["company"][0]["target_record_id"] == rid(acme)

    deal = (await records(client, "deals", limit=1))[0]["values"]
    status = deal["stage"][0]["status"]
    assert set(status) == {"id", "title", "is_archived", "celebration_enabled", "target_time_in_status"}
    assert deal["owner"][0]["referenced_actor_type"] == "workspace-member"
    assert len(deal["close_date"][0]["value"]) == 10

    project = (await records(client, "projects", limit=1))[0]["values"]
    assert isinstance(project["is_active"][0]["value"], bool)
    assert 0 <= project["health"][0]["value"] <= 5
    assert TS_RE.match(project["kickoff_at"][0]["value"])


async def test_entries_wire_format(client: httpx.AsyncClient) -> None:
    attrs = {a["api_slug"] for a in data(await client.get("/v2/lists/prospecting/attributes"))}
    entries = data(await client.post("/v2/lists/prospecting/entries/query", json={}))
    assert entries
    lst = data(await client.get("/v2/lists/prospecting"))
    for entry in entries:
        assert set(entry) == {"id", "parent_record_id", "parent_object", "created_at", "entry_values"}
        assert entry["id"]["list_id"] == lst["id"]["list_id"]
        assert entry["parent_object"] == "companies"
        assert set(entry["entry_values"]) == attrs
        assert entry["entry_values"]["stage"][0]["attribute_type"] == "status"
        assert TS_RE.match(entry["created_at"])
    ids = [e["id"]["entry_id"] for e in entries]
    assert ids == sorted(ids)


async def test_seed_is_deterministic(client: httpx.AsyncClient) -> None:
    from attio_mcp.sandbox import create_app

    other = create_app()
    transport = httpx.ASGITransport(app=other)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://x", headers={"Authorization": "Bearer y"}
    ) as c:
        assert await records(c, "deals") == await records(client, "deals")
        assert data(await c.get("/v2/tasks")) == data(await client.get("/v2/tasks"))
