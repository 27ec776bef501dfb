"""Schema tools end to end: whoami, objects_list, attributes_list, attribute_options."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.anyio


async def test_whoami_names_workspace_and_scopes(tools: Any) -> None:
    out = await tools.ok("whoami")
    assert out["active"] is True
    assert out["workspace"]["name"] and out["workspace"]["id"] and out["workspace"]["slug"]
    assert isinstance(out["scopes"], list) and out["scopes"]
    assert all(isinstance(s, str) and s for s in out["scopes"])


async def test_objects_list_includes_standard_and_custom_objects(tools: Any) -> None:
    objects = (await tools.ok("objects_list"))["objects"]
    slugs = {o["slug"] for o in objects}
    assert {"people", "companies", "deals", "projects"} <= slugs
    for obj in objects:
        assert obj["id"] and obj["singular"] and obj["plural"]


async def test_attributes_list_for_deals(tools: Any) -> None:
    out = await tools.ok("attributes_list", {"resource_type": "deals"})
    assert out["object"] == "deals"
    attrs = {a["slug"]: a for a in out["attributes"]}
    stage = attrs["stage"]
    assert stage["type"] == "status"
    assert {"Discovery", "Proposal Sent"} <= set(stage["options"])
    assert attrs["name"].get("required") is True
    assert "required" not in attrs["deal_value"]  # false flags are omitted
    assert attrs["company"]["targets"] == ["companies"]
    assert attrs["record_id"].get("writable") is False


async def test_attributes_list_by_noun_and_for_a_list(tools: Any) -> None:
    by_noun = await tools.ok("attributes_list", {"resource_type": "Deal"})
    assert by_noun["object"] == "deals"
    lists = (await tools.ok("attributes_list", {"resource_type": "companies"}))["attributes"]
    assert any(a["slug"] == "domains" and a.get("unique") and a.get("multi") for a in lists)


async def test_attributes_list_for_a_list(tools: Any, sandbox_app: Any) -> None:
    store = sandbox_app.state.sandbox
    lists = list(store.schema.lists.values())
    if not lists:
        pytest.skip("the demo workspace has no lists")
    slug = lists[0]["api_slug"]
    out = await tools.ok("attributes_list", {"list_id": slug})
    assert out["list"] == slug
    assert isinstance(out["attributes"], list)


async def test_attribute_options_lists_statuses(tools: Any) -> None:
    out = await tools.ok("attribute_options", {"resource_type": "deals", "attribute": "stage"})
    assert out["attribute"] == "stage" and out["type"] == "status"
    assert {"Discovery", "Proposal Sent"} <= set(out["options"])
    listed = await tools.ok("attributes_list", {"resource_type": "deals"})
    inline = next(a for a in listed["attributes"] if a["slug"] == "stage")["options"]
    assert out["options"] == inline


async def test_attribute_options_for_a_select(tools: Any) -> None:
    out = await tools.ok("attribute_options", {"resource_type": "companies", "attribute": "categories"})
    assert out["type"] == "select" and out["options"]


async def test_target_must_be_exactly_one(tools: Any) -> None:
    text = await tools.fail("attributes_list", {}, code="VALIDATION_ERROR")
    assert "exactly one of resource_type or list_id" in text
    text = await tools.fail(
        "attributes_list", {"resource_type": "deals", "list_id": "x"}, code="VALIDATION_ERROR"
    )
    assert "exactly one" in text
    text = await tools.fail("attribute_options", {"attribute": "stage"}, code="VALIDATION_ERROR")
    assert "exactly one" in text


async def test_unknown_attribute_suggests(tools: Any) -> None:
    text = await tools.fail(
        "attribute_options", {"resource_type": "deals", "attribute": "stag"}, code="NOT_FOUND"
    )
    assert "(field: attribute)" in text and "did you mean stage" in text


async def test_options_of_a_non_select_attribute(tools: Any) -> None:
    text = await tools.fail(
        "attribute_options", {"resource_type": "deals", "attribute": "deal_value"}, code="VALIDATION_ERROR"
    )
    assert "has no options" in text


async def test_unknown_object_and_list(tools: Any) -> None:
    text = await tools.fail("attributes_list", {"resource_type": "compnies"}, code="NOT_FOUND")
    assert "companies" in text and "objects_list" in text
    text = await tools.fail("attributes_list", {"list_id": "no-such-list-anywhere"}, code="NOT_FOUND")
    assert "(field: list_id)" in text


async def test_attributes_list_names_the_currency_of_currency_attributes(tools: Any) -> None:
    out = await tools.ok("attributes_list", {"resource_type": "deals"})
    by_slug = {a["slug"]: a for a in out["attributes"]}
    assert by_slug["deal_value"]["type"] == "currency" and by_slug["deal_value"]["currency"] == "USD"
    assert "currency" not in by_slug["name"]
