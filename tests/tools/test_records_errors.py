"""records_* failure paths: every failure is machine-coded, names the field at fault and the next step."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

pytestmark = pytest.mark.anyio

MISSING = str(uuid.uuid4())


def no_retry_advice(text: str) -> None:
    assert "retry" not in text.lower(), text


async def acme(tools: Any) -> dict[str, Any]:
    found = await tools.ok("records_search", {"resource_type": "companies", "query": "Acme"})
    return found["records"][0]


async def test_unknown_attribute_slug_suggests_the_close_one(tools: Any) -> None:
    text = await tools.fail(
        "records_create",
        {"resource_type": "deals", "data": {"name": "x", "stage": "Discovery", "dael_value": 5}},
        code="VALIDATION_ERROR",
    )
    assert "(field: dael_value)" in text
    assert "deal_value" in text and "Next:" in text
    no_retry_advice(text)


async def test_bad_option_lists_valid_values(tools: Any) -> None:
    text = await tools.fail(
        "records_create",
        {"resource_type": "deals", "data": {"name": "x", "stage": "Closed Sideways"}},
        code="VALIDATION_ERROR",
    )
    assert "(field: stage)" in text
    assert "Discovery" in text and "Proposal Sent" in text


async def test_bad_select_on_update_lists_valid_values(tools: Any) -> None:
    company = await acme(tools)
    text = await tools.fail(
        "records_update",
        {"resource_type": "companies", "record_id": company["id"], "data": {"lead_status": "Lukewarm"}},
        code="VALIDATION_ERROR",
    )
    assert "(field: lead_status)" in text and "Qualified" in text


@pytest.mark.parametrize(
    ("name", "extra"),
    [
        ("records_get", {}),
        ("records_update", {"data": {"name": "x"}}),
        ("records_delete", {}),
        ("records_get_entries", {}),
    ],
)
async def test_bad_uuid_is_refused_before_any_request(tools: Any, name: str, extra: dict) -> None:
    # the object is unknown too: the id check comes first, before even the schema lookup
    text = await tools.fail(
        name, {"resource_type": "dealz", "record_id": "deal-123", **extra}, code="VALIDATION_ERROR"
    )
    assert "(field: record_id)" in text and "deal-123" in text


async def test_missing_required_on_create(tools: Any) -> None:
    text = await tools.fail(
        "records_create", {"resource_type": "deals", "data": {"stage": "Discovery"}}, code="VALIDATION_ERROR"
    )
    assert "name" in text and "required" in text.lower()


async def test_required_not_checked_on_update(tools: Any) -> None:
    deal = await tools.ok(
        "records_create", {"resource_type": "deals", "data": {"name": "Partial", "stage": "Discovery"}}
    )
    out = await tools.ok(
        "records_update", {"resource_type": "deals", "record_id": deal["id"], "data": {"deal_value": 10}}
    )
    assert out["name"] == "Partial" and out["deal_value"] == 10


async def test_read_only_attribute_is_refused(tools: Any) -> None:
    company = await acme(tools)
    text = await tools.fail(
        "records_update",
        {"resource_type": "companies", "record_id": company["id"], "data": {"created_at": "2020-01-01"}},
        code="VALIDATION_ERROR",
    )
    assert "(field: created_at)" in text and "read-only" in text


async def test_uniqueness_conflict_points_to_upsert(tools: Any) -> None:
    company = await acme(tools)
    domain = company["domains"][0]
    text = await tools.fail(
        "records_create",
        {"resource_type": "companies", "data": {"name": "Acme Clone", "domains": [domain]}},
        code="CONFLICT",
    )
    assert "records_upsert" in text and "records_search" in text
    no_retry_advice(text)


async def test_not_found_for_random_uuid(tools: Any) -> None:
    for name, extra in (
        ("records_get", {}),
        ("records_update", {"data": {"name": "x"}}),
        ("records_delete", {}),
        ("records_get_entries", {}),
    ):
        text = await tools.fail(
            name, {"resource_type": "deals", "record_id": MISSING, **extra}, code="NOT_FOUND"
        )
        assert f"deals record {MISSING} not found" in text, text
        assert "Next:" in text
        no_retry_advice(text)


async def test_unknown_object_suggests_close_slug(tools: Any) -> None:
    text = await tools.fail("records_search", {"resource_type": "dealz", "query": "x"}, code="NOT_FOUND")
    assert "(field: resource_type)" in text and "deals" in text and "objects_list" in text
    text = await tools.fail("records_create", {"resource_type": "projekts", "data": {}}, code="NOT_FOUND")
    assert "projects" in text


async def test_unknown_field_in_fields_suggests(tools: Any) -> None:
    text = await tools.fail(
        "records_search",
        {"resource_type": "companies", "fields": ["name", "domaine"]},
        code="VALIDATION_ERROR",
    )
    assert "(field: fields)" in text and "domains" in text
    # a singular for a plural slug is read as it, and said so
    out = await tools.ok("records_search", {"resource_type": "companies", "fields": ["domain"], "limit": 1})
    assert out["interpreted"] == ["fields: 'domain' → domains"] and "domains" in out["records"][0]
    text = await tools.fail(
        "records_get",
        {"resource_type": "companies", "record_id": MISSING, "fields": ["nmae"]},
        code="VALIDATION_ERROR",
    )
    assert "name" in text


async def test_filter_errors(tools: Any) -> None:
    text = await tools.fail(
        "records_search",
        {"resource_type": "deals", "filter": {"stgae": "Discovery"}},
        code="VALIDATION_ERROR",
    )
    assert "(field: filter.stgae)" in text and "stage" in text
    text = await tools.fail(
        "records_search",
        {"resource_type": "deals", "filter": {"$or": [{"stage": "Discovery"}, {"valu": 1}]}},
        code="VALIDATION_ERROR",
    )
    assert "filter.$or.valu" in text
    text = await tools.fail(
        "records_search", {"resource_type": "deals", "filter": {"$gt": 5}}, code="VALIDATION_ERROR"
    )
    assert "$and" in text
    text = await tools.fail(
        "records_search", {"resource_type": "deals", "filter": {"$and": {}}}, code="VALIDATION_ERROR"
    )
    assert "(field: filter.$and)" in text
    # a bad operator is Attio's to judge: reported as a 4xx VALIDATION_ERROR, never as an upstream failure
    text = await tools.fail(
        "records_search",
        {"resource_type": "deals", "filter": {"deal_value": {"$near": 5}}},
        code="VALIDATION_ERROR",
    )
    no_retry_advice(text)


async def test_sort_errors(tools: Any) -> None:
    cases = [
        ([{"attribute": "deal_valeu", "direction": "asc"}], "deal_value"),
        ([{"attribute": "deal_value", "direction": "up"}], "asc"),
        ([{"direction": "asc"}], "attribute"),
        ([{"attribute": "deal_value", "direction": "asc", "order": 1}], "order"),
    ]
    for sorts, expected in cases:
        text = await tools.fail(
            "records_search", {"resource_type": "deals", "sorts": sorts}, code="VALIDATION_ERROR"
        )
        assert expected in text and "(field: sorts.0" in text, text


async def test_query_without_text_attributes(tools: Any) -> None:
    # every seeded object has identifying attributes; an empty query is simply ignored
    out = await tools.ok("records_search", {"resource_type": "deals", "query": "   ", "limit": 1})
    assert len(out["records"]) == 1


async def test_upsert_requires_a_unique_matching_attribute(tools: Any) -> None:
    text = await tools.fail(
        "records_upsert",
        {"resource_type": "companies", "matching_attribute": "name", "data": {"name": "X"}},
        code="VALIDATION_ERROR",
    )
    assert "(field: matching_attribute)" in text and "not a unique attribute" in text
    assert "domains" in text
    text = await tools.fail(
        "records_upsert",
        {"resource_type": "companies", "matching_attribute": "domian", "data": {"name": "X"}},
        code="VALIDATION_ERROR",
    )
    assert "domains" in text
    text = await tools.fail(
        "records_upsert",
        {"resource_type": "companies", "matching_attribute": "domains", "data": {"name": "X"}},
        code="VALIDATION_ERROR",
    )
    assert "(field: domains)" in text


async def test_update_with_empty_data(tools: Any) -> None:
    company = await acme(tools)
    text = await tools.fail(
        "records_update",
        {"resource_type": "companies", "record_id": company["id"], "data": {}},
        code="VALIDATION_ERROR",
    )
    assert "(field: data)" in text


async def test_bad_reference_target_is_a_4xx(tools: Any) -> None:
    text = await tools.fail(
        "records_create",
        {"resource_type": "deals", "data": {"name": "Orphan", "stage": "Discovery", "company": [MISSING]}},
    )
    assert text.split(":")[0] in ("VALIDATION_ERROR", "NOT_FOUND"), text
    no_retry_advice(text)


async def test_invalid_arguments_are_machine_coded(tools: Any) -> None:
    text = await tools.fail("records_search", {"resource_type": "deals", "limit": 0}, code="VALIDATION_ERROR")
    assert "limit" in text
    text = await tools.fail(
        "records_update",
        {"resource_type": "deals", "record_id": MISSING, "data": {"name": "x"}, "mode": "replace"},
        code="VALIDATION_ERROR",
    )
    assert "mode" in text


async def test_schema_reject_from_attio_refreshes_the_cached_schema(tools: Any, sandbox_app: Any) -> None:
    deal = await tools.ok(
        "records_create", {"resource_type": "deals", "data": {"name": "Stale", "stage": "Lead"}}
    )
    # Someone removes a status in Attio after the server cached the deals schema.
    schema = sandbox_app.state.sandbox.schema
    stage = schema.find_attr(schema.object("deals")["id"]["object_id"], "stage")
    stage.statuses = [s for s in stage.statuses if s["title"] != "Negotiation"]
    args = {"resource_type": "deals", "record_id": deal["id"], "data": {"stage": "Negotiation"}}
    first = await tools.fail("records_update", args, code="VALIDATION_ERROR")  # Attio's 400, still reported
    assert "Valid:" not in first
    no_retry_advice(first)
    second = await tools.fail("records_update", args, code="VALIDATION_ERROR")  # now caught locally
    assert (
        "(field: stage)" in second and "Valid:" in second and "Negotiation" not in second.split("Valid:")[1]
    )


async def test_reference_to_missing_record_keeps_the_cached_schema(tools: Any, sandbox_app: Any) -> None:
    await tools.ok("records_search", {"resource_type": "deals", "limit": 1})  # caches the deals schema
    schema = sandbox_app.state.sandbox.schema
    stage = schema.find_attr(schema.object("deals")["id"]["object_id"], "stage")
    stage.statuses.append({**stage.statuses[0], "title": "Brand New Stage"})
    await tools.fail(
        "records_create",
        {"resource_type": "deals", "data": {"name": "Orphan", "stage": "Lead", "company": [MISSING]}},
        code="VALIDATION_ERROR",
    )
    # the schema was not refetched, so the status added meanwhile is still unknown to the server
    text = await tools.fail(
        "records_create",
        {"resource_type": "deals", "data": {"name": "New", "stage": "Brand New Stage"}},
        code="VALIDATION_ERROR",
    )
    assert "(field: stage)" in text
