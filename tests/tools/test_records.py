"""records_* tools end to end: MCP client -> server -> Attio client -> seeded sandbox."""

from __future__ import annotations

from typing import Any

import pytest

from attio_mcp.workspace.query import check_filter, combine_filters, text_query_filter
from attio_mcp.workspace.schema import AttrInfo, TargetSchema

pytestmark = pytest.mark.anyio

ENRICHED_AT = "2024-06-01T09:30:00Z"


async def acme_id(tools: Any) -> str:
    found = await tools.ok("records_search", {"resource_type": "companies", "query": "Acme"})
    assert found["records"], "the demo workspace has an Acme company"
    return found["records"][0]["id"]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# -- search ------------------------------------------------------------------------------------------------


async def test_seed_search_finds_acme_by_name(tools: Any) -> None:
    out = await tools.ok("records_search", {"resource_type": "companies", "query": "Acme"})
    assert out["records"]
    for rec in out["records"]:
        text = " ".join([rec.get("name", ""), *as_list(rec.get("domains", []))]).lower()
        assert "acme" in text
        assert rec["object"] == "companies" and rec["id"] and "web_url" not in rec
    assert out["has_more"] is False and "next_offset" not in out
    # One URL template instead of a URL per record, and it gives each record's real URL.
    got = await tools.ok("records_get", {"resource_type": "companies", "record_id": out["records"][0]["id"]})
    assert out["web_url"].replace("{id}", got["id"]) == got["web_url"]


async def test_search_query_is_case_insensitive_and_covers_domains(tools: Any) -> None:
    acme = await tools.ok("records_get", {"resource_type": "companies", "record_id": await acme_id(tools)})
    domain = as_list(acme["domains"])[0]
    by_domain = await tools.ok("records_search", {"resource_type": "companies", "query": domain.upper()})
    assert acme["id"] in [r["id"] for r in by_domain["records"]]
    by_url = await tools.ok(
        "records_search", {"resource_type": "companies", "query": f"https://www.{domain}"}
    )
    assert acme["id"] in [r["id"] for r in by_url["records"]]
    # Without a scheme too: a "www." host must still find the bare stored domain.
    by_host = await tools.ok("records_search", {"resource_type": "companies", "query": f"www.{domain}"})
    assert acme["id"] in [r["id"] for r in by_host["records"]]


async def test_search_query_covers_person_name_email_and_phone(tools: Any) -> None:
    person = await tools.ok(
        "records_create",
        {
            "resource_type": "people",
            "data": {
                "name": "Grace Hopperton",
                "email_addresses": ["grace@hopperton-labs.io"],
                "phone_numbers": ["(212) 555-2368"],
            },
        },
    )
    for query in ("hopperton", "GRACE HOPPERTON", "grace@hopperton", "212-555-2368", "+1 212 555 2368"):
        out = await tools.ok("records_search", {"resource_type": "people", "query": query})
        assert [r["id"] for r in out["records"]] == [person["id"]], query


async def test_search_query_and_filter_are_anded(tools: Any) -> None:
    acme = await acme_id(tools)
    name = "Acme Filter Probe Deal"
    await tools.ok(
        "records_create",
        {"resource_type": "deals", "data": {"name": name, "stage": "Discovery", "company": acme}},
    )
    await tools.ok(
        "records_create",
        {"resource_type": "deals", "data": {"name": name + " 2", "stage": "Proposal Sent", "company": acme}},
    )
    out = await tools.ok(
        "records_search",
        {"resource_type": "deals", "query": "Filter Probe", "filter": {"stage": "Discovery"}},
    )
    assert [r["name"] for r in out["records"]] == [name]


async def test_search_filter_grammar_and_sorts(tools: Any) -> None:
    acme = await acme_id(tools)
    for value in (1000, 3000, 2000):
        await tools.ok(
            "records_create",
            {
                "resource_type": "deals",
                "data": {
                    "name": f"Sorted probe {value}",
                    "stage": "Discovery",
                    "deal_value": value,
                    "company": acme,
                },
            },
        )
    flt = {
        "$and": [
            {"name": {"$starts_with": "Sorted probe"}},
            {"$or": [{"deal_value": {"$gte": 2000}}, {"deal_value": 1000}]},
            {"$not": {"stage": "Closed Won"}},
        ]
    }
    out = await tools.ok(
        "records_search",
        {
            "resource_type": "deals",
            "filter": flt,
            "sorts": [{"attribute": "deal_value", "direction": "desc"}],
            "fields": ["name", "deal_value"],
        },
    )
    assert [r["deal_value"] for r in out["records"]] == [3000, 2000, 1000]
    # attribute titles are accepted in filters and sorts and rewritten to slugs
    out = await tools.ok(
        "records_search",
        {
            "resource_type": "deals",
            "filter": {"Name": {"$starts_with": "Sorted probe"}},
            "sorts": [{"attribute": "deal_value", "direction": "asc"}],
        },
    )
    assert [r["deal_value"] for r in out["records"]] == [1000, 2000, 3000]


async def test_paging_is_consistent(tools: Any) -> None:
    everything = await tools.ok(
        "records_search", {"resource_type": "companies", "limit": 100, "fields": ["name"]}
    )
    assert not everything["has_more"]
    all_ids = [r["id"] for r in everything["records"]]
    assert len(all_ids) > 5
    seen: list[str] = []
    offset = 0
    while True:
        page = await tools.ok("records_search", {"resource_type": "companies", "limit": 3, "offset": offset})
        assert len(page["records"]) <= 3
        seen += [r["id"] for r in page["records"]]
        if not page["has_more"]:
            assert "next_offset" not in page
            break
        assert len(page["records"]) == 3 and page["next_offset"] == offset + 3
        offset = page["next_offset"]
    assert seen == all_ids
    assert len(set(seen)) == len(seen)
    last = await tools.ok(
        "records_search", {"resource_type": "companies", "limit": 3, "offset": len(all_ids)}
    )
    assert last == {"records": [], "has_more": False}


async def test_fields_projection(tools: Any) -> None:
    out = await tools.ok(
        "records_search",
        {"resource_type": "companies", "query": "Acme", "fields": ["name", "Domains", "updated_at"]},
    )
    for rec in out["records"]:
        assert set(rec) <= {"id", "object", "name", "domains", "updated_at"}
        assert {"id", "object", "name", "updated_at"} <= set(rec)
    got = await tools.ok(
        "records_get",
        {"resource_type": "companies", "record_id": out["records"][0]["id"], "fields": ["name"]},
    )
    assert set(got) == {"id", "object", "name"}


# -- get / create / update / upsert / delete ---------------------------------------------------------------


async def test_pattern1_deal_create_and_stage_update(tools: Any) -> None:
    acme = await acme_id(tools)
    deal = await tools.ok(
        "records_create",
        {
            "resource_type": "deals",
            "data": {
                "name": "Q4 Enterprise Deal - Acme Inc",
                "deal_value": 50000,
                "stage": "Discovery",
                "close_date": "2024-12-31",
                "company": [acme],
            },
        },
    )
    assert deal["object"] == "deals"
    assert deal["name"] == "Q4 Enterprise Deal - Acme Inc"
    assert deal["deal_value"] == 50000
    assert deal["stage"] == "Discovery"
    assert deal["close_date"] == "2024-12-31"
    assert as_list(deal["company"]) == [acme]
    assert deal["created_at"] and deal["updated_at"]

    updated = await tools.ok(
        "records_update",
        {
            "resource_type": "deals",
            "record_id": deal["id"],
            "data": {"stage": "Proposal Sent", "close_probability": 0.65},
        },
    )
    assert updated["stage"] == "Proposal Sent"
    assert updated["close_probability"] == 0.65
    assert updated["deal_value"] == 50000
    assert updated["updated_at"] > deal["updated_at"]
    assert updated["created_at"] == deal["created_at"]

    got = await tools.ok("records_get", {"resource_type": "deals", "record_id": deal["id"]})
    assert got == updated


async def test_pattern3_lead_qualification(tools: Any) -> None:
    found = await tools.ok("records_search", {"resource_type": "companies", "query": "Lumora Analytics"})
    assert found["records"] == []
    company = await tools.ok(
        "records_create",
        {
            "resource_type": "companies",
            "data": {
                "name": "Lumora Analytics",
                "domains": ["lumora-analytics.com"],
                "source": "Inbound Form",
                "lead_status": "Unqualified",
            },
        },
    )
    assert company["domains"] == ["lumora-analytics.com"]
    assert company["source"] == "Inbound Form" and company["lead_status"] == "Unqualified"
    qualified = await tools.ok(
        "records_update",
        {
            "resource_type": "companies",
            "record_id": company["id"],
            "data": {
                "employee_count": 120,
                "industry": ["Technology"],
                "lead_score": 82,
                "lead_status": "Qualified",
            },
        },
    )
    assert qualified["employee_count"] == 120
    assert qualified["industry"] == "Technology"
    assert qualified["lead_score"] == 82
    assert qualified["lead_status"] == "Qualified"
    found = await tools.ok("records_search", {"resource_type": "companies", "query": "Lumora Analytics"})
    assert [r["id"] for r in found["records"]] == [company["id"]]


async def test_pattern6_enrichment_update(tools: Any) -> None:
    acme = await acme_id(tools)
    out = await tools.ok(
        "records_update",
        {
            "resource_type": "companies",
            "record_id": acme,
            "data": {"enrichment_status": "Completed", "enrichment_date": ENRICHED_AT},
        },
    )
    assert out["enrichment_status"] == "Completed"
    assert out["enrichment_date"].startswith("2024-06-01T09:30:00")


async def test_resource_type_accepts_noun_and_uuid(tools: Any) -> None:
    objects = (await tools.ok("objects_list"))["objects"]
    deals = next(o for o in objects if o["slug"] == "deals")
    for name in (deals["id"], "Deal", deals["plural"]):
        out = await tools.ok("records_search", {"resource_type": name, "limit": 1})
        assert out["records"] and out["records"][0]["object"] == "deals"


async def test_data_keys_may_be_titles_or_ids(tools: Any) -> None:
    attrs = (await tools.ok("attributes_list", {"resource_type": "deals"}))["attributes"]
    by_slug = {a["slug"]: a for a in attrs}
    deal = await tools.ok(
        "records_create",
        {
            "resource_type": "deals",
            "data": {by_slug["name"]["title"]: "Keyed by title", "Stage": "Discovery"},
        },
    )
    assert deal["name"] == "Keyed by title" and deal["stage"] == "Discovery"


async def test_upsert_twice_keeps_one_record(tools: Any, sandbox_app: Any) -> None:
    args = {
        "resource_type": "companies",
        "matching_attribute": "domains",
        "data": {"name": "Upsert Labs", "domains": ["upsert-labs.dev"], "lead_status": "Unqualified"},
    }
    first = await tools.ok("records_upsert", args)
    args["data"] = {**args["data"], "lead_status": "Qualified"}
    second = await tools.ok("records_upsert", args)
    assert second["id"] == first["id"]
    assert second["lead_status"] == "Qualified"
    found = await tools.ok("records_search", {"resource_type": "companies", "query": "upsert-labs.dev"})
    assert [r["id"] for r in found["records"]] == [first["id"]]


async def test_append_vs_overwrite_on_multiselect(tools: Any) -> None:
    options = (
        await tools.ok("attribute_options", {"resource_type": "companies", "attribute": "categories"})
    )["options"]
    a, b, c = options[:3]
    company = await tools.ok(
        "records_create",
        {"resource_type": "companies", "data": {"name": "Multiselect Co", "categories": [a]}},
    )
    assert company["categories"] == [a]
    appended = await tools.ok(
        "records_update",
        {"resource_type": "companies", "record_id": company["id"], "data": {"categories": b}},
    )
    assert sorted(appended["categories"]) == sorted([a, b])
    overwritten = await tools.ok(
        "records_update",
        {
            "resource_type": "companies",
            "record_id": company["id"],
            "data": {"categories": [c]},
            "mode": "overwrite",
        },
    )
    assert overwritten["categories"] == [c]


async def test_delete_then_not_found(tools: Any) -> None:
    deal = await tools.ok(
        "records_create", {"resource_type": "deals", "data": {"name": "Doomed", "stage": "Discovery"}}
    )
    out = await tools.ok("records_delete", {"resource_type": "deals", "record_id": deal["id"]})
    assert out == {"deleted": True, "id": deal["id"]}
    text = await tools.fail(
        "records_get", {"resource_type": "deals", "record_id": deal["id"]}, code="NOT_FOUND"
    )
    assert f"deals record {deal['id']} not found" in text
    await tools.fail("records_delete", {"resource_type": "deals", "record_id": deal["id"]}, code="NOT_FOUND")


async def test_get_entries_lists_memberships(tools: Any, sandbox_app: Any) -> None:
    acme = await acme_id(tools)
    out = await tools.ok("records_get_entries", {"resource_type": "companies", "record_id": acme})
    by_slug = {e["list_api_slug"]: e for e in out["entries"]}
    assert "qualified" in by_slug  # Acme Inc is a qualified company in the demo workspace
    qualified = sandbox_app.state.sandbox.schema.list("qualified")
    assert by_slug["qualified"]["list_id"] == qualified["id"]["list_id"]
    for entry in out["entries"]:
        assert set(entry) == {"list_id", "list_api_slug", "entry_id", "created_at"}
    fresh = await tools.ok("records_create", {"resource_type": "companies", "data": {"name": "No Lists Ltd"}})
    none = await tools.ok("records_get_entries", {"resource_type": "companies", "record_id": fresh["id"]})
    assert none == {"entries": []}


# -- value normalisation, end to end -----------------------------------------------------------------------


async def test_deal_value_normalisation(tools: Any) -> None:
    acme = await acme_id(tools)
    deal = await tools.ok(
        "records_create",
        {
            "resource_type": "deals",
            "data": {
                "name": "Normalised deal",
                "stage": "discovery",  # select/status by lower-case title
                "deal_value": "$50,000",  # currency from a formatted string
                "close_probability": "0.4",  # number from a string
                "close_date": "2024-12-31T15:00:00Z",  # date from a timestamp
                "company": {"target_object": "companies", "target_record_id": acme},  # ref as a dict
            },
        },
    )
    assert deal["stage"] == "Discovery"
    assert deal["deal_value"] == 50000
    assert deal["close_probability"] == 0.4
    assert deal["close_date"] == "2024-12-31"
    assert as_list(deal["company"]) == [acme]
    by_id = await tools.ok(
        "records_update", {"resource_type": "deals", "record_id": deal["id"], "data": {"company": acme}}
    )
    assert as_list(by_id["company"]) == [acme]


async def test_company_value_normalisation(tools: Any) -> None:
    options = (
        await tools.ok("attribute_options", {"resource_type": "companies", "attribute": "categories"})
    )["options"]
    company = await tools.ok(
        "records_create",
        {
            "resource_type": "companies",
            "data": {
                "name": "Normal Form Inc",
                "domains": "https://www.normal-form.example.com/about?x=1",  # domain from a URL, scalar wrapped
                "categories": options[0].lower(),  # multiselect from a scalar, option by lower-case title
                "enrichment_date": "2024-05-01",  # timestamp from a date
                "primary_location": "1 Infinite Loop, Cupertino, CA, 95014, US",  # location from a string
                "employee_count": "250",  # number from a string
            },
        },
    )
    assert company["domains"] == ["normal-form.example.com"]
    assert company["categories"] == [options[0]]
    assert company["enrichment_date"].startswith("2024-05-01T00:00:00")
    assert "Cupertino" in company["primary_location"]
    assert company["employee_count"] == 250


async def test_person_value_normalisation(tools: Any) -> None:
    acme = await acme_id(tools)
    person = await tools.ok(
        "records_create",
        {
            "resource_type": "people",
            "data": {
                "name": "Ada Lovelace",  # personal name from a string
                "email_addresses": "Ada@Analytical-Engines.COM",  # email lower-cased, scalar wrapped
                "phone_numbers": ["+44 20 7946 0958", "(415) 555-0132"],  # phones to E.164
                "company": [acme],  # ref by a list of ids
            },
        },
    )
    assert person["name"] == "Ada Lovelace"
    assert person["email_addresses"] == ["ada@analytical-engines.com"]
    assert sorted(person["phone_numbers"]) == ["+14155550132", "+442079460958"]
    assert as_list(person["company"]) == [acme]


async def test_custom_object_discovered_at_run_time(tools: Any) -> None:
    objects = [o["slug"] for o in (await tools.ok("objects_list"))["objects"]]
    assert "projects" in objects
    attrs = (await tools.ok("attributes_list", {"resource_type": "projects"}))["attributes"]
    writable = [a for a in attrs if a.get("writable", True)]
    checkbox = next(a["slug"] for a in writable if a["type"] == "checkbox")
    rating = next(a["slug"] for a in writable if a["type"] == "rating")
    name = next(a["slug"] for a in writable if a["type"] == "text")
    required = {a["slug"]: a for a in writable if a.get("required")}
    data: dict[str, Any] = {name: "Runtime Discovery Project", checkbox: "yes", rating: "4"}
    for slug, attr in required.items():
        if slug not in data and attr.get("options"):
            data[slug] = attr["options"][0]
    project = await tools.ok("records_create", {"resource_type": "projects", "data": data})
    assert project["object"] == "projects"
    assert project[checkbox] is True
    assert project[rating] == 4
    found = await tools.ok("records_search", {"resource_type": "projects", "query": "runtime discovery"})
    assert project["id"] in [r["id"] for r in found["records"]]


# -- query building (pure) ---------------------------------------------------------------------------------


def _schema(*attrs: AttrInfo) -> TargetSchema:
    return TargetSchema(
        kind="object", slug="things", id="t", name="Things", attributes={a.slug: a for a in attrs}
    )


def test_text_query_uses_identifying_attributes_by_type() -> None:
    schema = _schema(
        AttrInfo("name", "1", "Name", "personal-name"),
        AttrInfo("email_addresses", "2", "Emails", "email-address", multi=True, unique=True),
        AttrInfo("phone_numbers", "3", "Phones", "phone-number", multi=True),
        AttrInfo("description", "4", "Description", "text"),
        AttrInfo("code", "5", "Code", "text", unique=True),
        AttrInfo("old_domains", "6", "Old", "domain", archived=True),
    )
    # The query's shape picks the attributes, so the filter Attio scores stays at one to three clauses.
    assert text_query_filter(schema, "ada") == {
        "$or": [{"name": {"full_name": {"$contains": "ada"}}}, {"code": {"$contains": "ada"}}]
    }
    assert text_query_filter(schema, "ada@acme.com") == {
        "email_addresses": {"email_address": {"$contains": "ada@acme.com"}}
    }
    phone = text_query_filter(schema, "(212) 555")["$or"]
    assert phone == [
        {"phone_numbers": {"phone_number": {"$contains": "212555"}}},
        {"code": {"$contains": "(212) 555"}},
    ]


def test_text_query_strips_www_from_domains_only() -> None:
    schema = _schema(AttrInfo("domains", "1", "Domains", "domain"), AttrInfo("name", "2", "Name", "text"))
    assert text_query_filter(schema, "WWW.acme.com") == {
        "$or": [{"domains": {"domain": {"$contains": "acme.com"}}}, {"name": {"$contains": "WWW.acme.com"}}]
    }
    assert text_query_filter(schema, "www.")["$or"][0] == {"domains": {"domain": {"$contains": "www."}}}


def test_text_query_falls_back_to_text_attributes() -> None:
    schema = _schema(AttrInfo("title", "1", "Title", "text"), AttrInfo("score", "2", "Score", "number"))
    assert text_query_filter(schema, "x") == {"title": {"$contains": "x"}}


def test_filters_combine_and_slugs_resolve() -> None:
    schema = _schema(AttrInfo("deal_value", "1", "Deal value", "currency"))
    assert check_filter(schema, {"$not": {"Deal value": {"$gt": 5}}}) == {"$not": {"deal_value": {"$gt": 5}}}
    assert combine_filters(None, {}) is None
    assert combine_filters({"a": 1}, None) == {"a": 1}
    assert combine_filters({"a": 1}, {"b": 2}) == {"$and": [{"a": 1}, {"b": 2}]}


async def test_clearing_a_multi_value_attribute_needs_overwrite(tools: Any) -> None:
    made = await tools.ok(
        "records_create",
        {"resource_type": "companies", "data": {"name": "Clear Co", "domains": ["clear.example"]}},
    )
    text = await tools.fail(
        "records_update",
        {"resource_type": "companies", "record_id": made["id"], "data": {"domains": []}},
        code="VALIDATION_ERROR",
    )
    assert "domains" in text and "overwrite" in text
    kept = await tools.ok("records_get", {"resource_type": "companies", "record_id": made["id"]})
    assert kept["domains"] == ["clear.example"]  # the refused call changed nothing
    cleared = await tools.ok(
        "records_update",
        {
            "resource_type": "companies",
            "record_id": made["id"],
            "data": {"domains": None},
            "mode": "overwrite",
        },
    )
    assert "domains" not in cleared


def test_text_query_leaves_system_ids_out() -> None:
    """Attio may mark record_id unique, but it is an id, not text to search (fidelity.md, verify item 6)."""
    schema = _schema(
        AttrInfo("record_id", "0", "Record ID", "text", unique=True, writable=False, system=True),
        AttrInfo("name", "1", "Name", "text"),
    )
    assert text_query_filter(schema, "acme") == {"name": {"$contains": "acme"}}
