"""list_entries_* tools end to end against the seeded sandbox (seed payloads as written in the patterns)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import anyio
import httpx
import pytest
from mcp import Client

from attio_mcp.sandbox import create_app
from attio_mcp.server.app import build_server
from attio_mcp.server.settings import Settings

pytestmark = pytest.mark.anyio

MISSING = "00000000-0000-4000-8000-000000000000"


def entry_count(sandbox_app: Any, slug: str) -> int:
    store = sandbox_app.state.sandbox
    list_id = store.schema.list(slug)["id"]["list_id"]
    return len(store.entries.get(list_id, {}))


async def all_entries(tools: Any, list_id: str, **extra: Any) -> list[dict[str, Any]]:
    out = await tools.ok("list_entries_get", {"list_id": list_id, "limit": 100, **extra})
    assert out["has_more"] is False
    return out["entries"]


async def filtered(tools: Any, args: dict[str, Any]) -> list[dict[str, Any]]:
    out = await tools.ok("list_entries_filter", {"limit": 100, **args})
    assert out["has_more"] is False
    return out["entries"]


async def record_outside(tools: Any, list_id: str, object_slug: str) -> str:
    """A record of ``object_slug`` that has no entry in the list."""
    inside = {e["record_id"] for e in await all_entries(tools, list_id)}
    found = await tools.ok("records_search", {"resource_type": object_slug, "limit": 100})
    return next(r["id"] for r in found["records"] if r["id"] not in inside)


# -- list_entries_get --------------------------------------------------------------------------------------


async def test_seed_get_all_entries_of_target_accounts(tools: Any, sandbox_app: Any) -> None:
    out = await tools.ok("list_entries_get", {"list_id": "target_accounts", "limit": 100})
    assert out["has_more"] is False and "next_offset" not in out
    assert len(out["entries"]) == entry_count(sandbox_app, "target_accounts") > 0
    for entry in out["entries"]:
        assert entry["entry_id"] and entry["record_id"]
        assert entry["object"] == "companies"
        assert isinstance(entry["record"]["name"], str) and entry["record"]["name"]
    assert any("priority" in e for e in out["entries"])


async def test_get_pages_with_limit_and_offset(tools: Any, sandbox_app: Any) -> None:
    total = entry_count(sandbox_app, "active_deals")
    seen: list[str] = []
    offset = 0
    while True:
        page = await tools.ok("list_entries_get", {"list_id": "active_deals", "limit": 10, "offset": offset})
        seen += [e["entry_id"] for e in page["entries"]]
        if not page["has_more"]:
            assert "next_offset" not in page
            break
        assert page["next_offset"] == offset + 10
        offset = page["next_offset"]
    assert len(seen) == len(set(seen)) == total


async def test_get_fields_mix_entry_and_parent_record_attributes(tools: Any) -> None:
    entries = await all_entries(tools, "prospecting", fields=["priority", "industry"])
    assert entries
    for entry in entries:
        assert set(entry) <= {"entry_id", "record_id", "object", "record", "priority"}
        assert set(entry["record"]) <= {"name", "industry"} and "name" in entry["record"]
    assert any("industry" in e["record"] for e in entries)


async def test_get_unknown_field_fails_with_suggestion(tools: Any) -> None:
    text = await tools.fail(
        "list_entries_get", {"list_id": "prospecting", "fields": ["priorty"]}, code="VALIDATION_ERROR"
    )
    assert "priority" in text


async def test_get_unknown_list_suggests_the_closest(tools: Any) -> None:
    text = await tools.fail("list_entries_get", {"list_id": "prospectng"}, code="NOT_FOUND")
    assert "did you mean prospecting" in text


class Recorder:
    """ASGI wrapper that records every request the server sends to the sandbox."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.calls: list[tuple[str, str]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.calls.append((scope["method"], scope["path"]))
        await self.app(scope, receive, send)


@pytest.fixture
async def recorded(sandbox_app: Any) -> AsyncIterator[tuple[Recorder, Client]]:
    recorder = Recorder(sandbox_app)
    server = build_server(Settings(sandbox=True), transport=httpx.ASGITransport(app=recorder))
    async with Client(server) as client:
        yield recorder, client


async def test_parent_records_are_fetched_in_one_query_per_page(recorded: tuple[Recorder, Client]) -> None:
    recorder, client = recorded
    args = {"list_id": "active_deals", "limit": 100}
    await client.call_tool("list_entries_get", args)  # warms the schema cache
    recorder.calls.clear()
    result = await client.call_tool("list_entries_get", args)
    assert not result.is_error
    assert len(result.structured_content["entries"]) > 20
    record_queries = [c for c in recorder.calls if c[1].endswith("/records/query")]
    assert record_queries == [("POST", "/v2/objects/deals/records/query")]
    assert len([c for c in recorder.calls if c[1].endswith("/entries/query")]) == 1


# -- list_entries_filter: simple form ----------------------------------------------------------------------


async def test_seed_filter_deal_value_greater_than(tools: Any, sandbox_app: Any) -> None:
    args = {
        "list_id": "active_deals",
        "attribute": "deal_value",
        "filter_type": "greater_than",
        "value": 25000,
    }
    out = await tools.ok("list_entries_filter", args)
    assert out["entries"]
    entries = await filtered(tools, {**args, "fields": ["deal_value"]})
    assert all(e["record"]["deal_value"] > 25000 for e in entries)
    assert 0 < len(entries) < entry_count(sandbox_app, "active_deals")
    everything = await all_entries(tools, "active_deals", fields=["deal_value"])
    expected = {e["entry_id"] for e in everything if e["record"].get("deal_value", 0) > 25000}
    assert {e["entry_id"] for e in entries} == expected


async def test_seed_filter_industry_equals_technology(tools: Any) -> None:
    args = {"list_id": "prospecting", "attribute": "industry", "filter_type": "equals", "value": "Technology"}
    entries = await filtered(tools, {**args, "fields": ["industry"]})
    assert entries and all(e["record"]["industry"] == "Technology" for e in entries)
    everything = await all_entries(tools, "prospecting", fields=["industry"])
    assert len(entries) == sum(1 for e in everything if e["record"].get("industry") == "Technology")


async def test_filter_entry_attribute_equals_not_equals_and_in(tools: Any) -> None:
    everything = await all_entries(tools, "prospecting")
    high = await filtered(tools, {"list_id": "prospecting", "attribute": "priority", "value": "high"})
    assert high and all(e["priority"] == "High" for e in high)
    not_high = await filtered(
        tools,
        {"list_id": "prospecting", "attribute": "priority", "filter_type": "not_equals", "value": "High"},
    )
    assert all(e.get("priority") != "High" for e in not_high)
    assert len(high) + len(not_high) == len(everything)
    high_or_low = await filtered(
        tools,
        {"list_id": "prospecting", "attribute": "priority", "filter_type": "in", "value": ["High", "Low"]},
    )
    assert {e["priority"] for e in high_or_low} <= {"High", "Low"}
    assert len(high_or_low) == sum(1 for e in everything if e.get("priority") in ("High", "Low"))


async def test_filter_is_empty_and_is_not_empty_split_the_list(tools: Any) -> None:
    base = {"list_id": "prospecting", "attribute": "follow_up_date"}
    empty = await filtered(tools, {**base, "filter_type": "is_empty"})
    present = await filtered(tools, {**base, "filter_type": "is_not_empty"})
    assert empty and present
    assert all("follow_up_date" not in e for e in empty)
    assert all("follow_up_date" in e for e in present)
    assert len(empty) + len(present) == len(await all_entries(tools, "prospecting"))


async def test_filter_dates_compare(tools: Any) -> None:
    present = await filtered(
        tools, {"list_id": "prospecting", "attribute": "follow_up_date", "filter_type": "is_not_empty"}
    )
    pivot = sorted(e["follow_up_date"] for e in present)[len(present) // 2]
    later = await filtered(
        tools,
        {
            "list_id": "prospecting",
            "attribute": "follow_up_date",
            "filter_type": "greater_than_or_equal",
            "value": pivot,
        },
    )
    assert later and all(e["follow_up_date"] >= pivot for e in later)
    assert len(later) == sum(1 for e in present if e["follow_up_date"] >= pivot)


PRIYA = "priya.shah@demo-sales.example"
# (list, attribute, filter_type, value, parent-record fields, predicate over (entry, priya's member id))
TYPED_CASES = [
    ("q4_pipeline", "committed", "equals", True, None, lambda e, _: e.get("committed") is True),
    ("q4_pipeline", "committed", "equals", "false", None, lambda e, _: e.get("committed") is False),
    ("target_accounts", "account_owner", "is_not_empty", None, None, lambda e, _: "account_owner" in e),
    ("target_accounts", "account_owner", "equals", PRIYA, None, lambda e, priya: e.get("account_owner") == priya),
    ("discovery_stage", "discovery_call_at", "greater_than", "2026-09-20", None,
     lambda e, _: e.get("discovery_call_at", "") >= "2026-09-20T00:00:00"),
    ("customers", "health", "greater_than_or_equal", 4, None, lambda e, _: e.get("health", -1) >= 4),
    ("prospecting", "stage", "in", ["New", "Contacted"], None, lambda e, _: e.get("stage") in ("New", "Contacted")),
    ("prospecting", "categories", "equals", "SaaS", ["categories"],
     lambda e, _: "SaaS" in e["record"].get("categories", [])),
    ("prospecting", "employee_count", "less_than", "1,000", ["employee_count"],
     lambda e, _: e["record"].get("employee_count", 10**9) < 1000),
]  # fmt: skip


@pytest.mark.parametrize(("list_id", "attribute", "filter_type", "value", "fields", "expect"), TYPED_CASES)
async def test_filter_types_agree_with_a_local_evaluation(
    tools: Any, list_id: str, attribute: str, filter_type: str, value: Any, fields: Any, expect: Any
) -> None:
    priya = (await tools.ok("members_list", {"query": PRIYA}))["members"][0]["id"]
    extra = {"fields": fields} if fields else {}
    args = {"list_id": list_id, "attribute": attribute, "filter_type": filter_type, **extra}
    if value is not None:
        args["value"] = value
    got = {e["entry_id"] for e in await filtered(tools, args)}
    everything = await all_entries(tools, list_id, **extra)
    want = {e["entry_id"] for e in everything if expect(e, priya)}
    assert got == want
    assert 0 < len(got), "each case selects something in the demo data"


@pytest.mark.parametrize(
    ("list_id", "attribute", "why"),
    [
        ("q4_pipeline", "notes", "no documented emptiness test"),  # text
        ("prospecting", "created_by", "never empty"),  # an actor Attio sets itself
    ],
)
async def test_emptiness_without_a_documented_form_is_refused(
    tools: Any, list_id: str, attribute: str, why: str
) -> None:
    text = await tools.fail(
        "list_entries_filter",
        {"list_id": list_id, "attribute": attribute, "filter_type": "is_not_empty"},
        code="VALIDATION_ERROR",
    )
    assert why in text and "Next:" in text


async def test_entry_id_is_not_a_filter(tools: Any) -> None:
    text = await tools.fail(
        "list_entries_filter",
        {"list_id": "prospecting", "attribute": "entry_id", "value": "00000000-0000-4000-8000-000000000000"},
        code="VALIDATION_ERROR",
    )
    assert "record_id" in text


async def test_filter_contains_on_a_select_matches_option_titles(tools: Any) -> None:
    entries = await filtered(
        tools,
        {
            "list_id": "prospecting",
            "attribute": "industry",
            "filter_type": "contains",
            "value": "tech",
            "fields": ["industry"],
        },
    )
    assert entries and all(e["record"]["industry"] == "Technology" for e in entries)


async def test_filter_text_starts_with_on_the_parent_name(tools: Any) -> None:
    everything = await all_entries(tools, "active_deals")
    first = everything[0]["record"]["name"]
    prefix = first.split()[0]
    entries = await filtered(
        tools, {"list_id": "active_deals", "attribute": "name", "filter_type": "starts_with", "value": prefix}
    )
    assert everything[0]["entry_id"] in {e["entry_id"] for e in entries}
    assert all(e["record"]["name"].lower().startswith(prefix.lower()) for e in entries)


async def test_filter_by_record_id_finds_the_entry_of_a_record(tools: Any) -> None:
    target = (await all_entries(tools, "q4_pipeline"))[3]
    entries = await filtered(
        tools,
        {
            "list_id": "q4_pipeline",
            "attribute": "record_id",
            "filter_type": "equals",
            "value": target["record_id"],
        },
    )
    assert [e["entry_id"] for e in entries] == [target["entry_id"]]


async def test_filter_rejects_bad_input(tools: Any) -> None:
    base = {"list_id": "prospecting"}
    text = await tools.fail(
        "list_entries_filter",
        {**base, "attribute": "industy", "value": "Technology"},
        code="VALIDATION_ERROR",
    )
    assert "industry" in text
    text = await tools.fail(
        "list_entries_filter", {**base, "attribute": "industry", "value": "Tech"}, code="VALIDATION_ERROR"
    )
    assert "Technology" in text
    text = await tools.fail(
        "list_entries_filter",
        {**base, "attribute": "priority", "filter_type": "greater_than", "value": "High"},
        code="VALIDATION_ERROR",
    )
    assert "filter_type" in text
    await tools.fail(
        "list_entries_filter",
        {**base, "attribute": "record_id", "value": "not-a-uuid"},
        code="VALIDATION_ERROR",
    )
    await tools.fail("list_entries_filter", base, code="VALIDATION_ERROR")
    await tools.fail(
        "list_entries_filter",
        {**base, "attribute": "priority", "value": "High", "filter": {"priority": "High"}},
        code="VALIDATION_ERROR",
    )
    await tools.fail("list_entries_filter", {**base, "attribute": "priority"}, code="VALIDATION_ERROR")


async def test_filter_parent_domain_given_as_url(tools: Any) -> None:
    base = {"list_id": "target_accounts", "attribute": "domains", "fields": ["domains"]}
    bare = await filtered(tools, {**base, "value": "globex.com"})
    assert len(bare) == 1
    assert await filtered(tools, {**base, "value": "https://www.Globex.com/"}) == bare


# -- list_entries_filter: full filter ----------------------------------------------------------------------


async def test_filter_nested_or_with_parent_record_path(tools: Any) -> None:
    flt = {
        "$or": [
            {"priority": "High"},
            {
                "path": [["prospecting", "parent_record"], ["companies", "industry"]],
                "constraints": {"$eq": "Finance"},
            },
        ]
    }
    entries = await filtered(
        tools, {"list_id": "prospecting", "filter": flt, "fields": ["priority", "industry"]}
    )
    assert entries
    assert all(e.get("priority") == "High" or e["record"].get("industry") == "Finance" for e in entries)
    everything = await all_entries(tools, "prospecting", fields=["priority", "industry"])
    expected = [
        e for e in everything if e.get("priority") == "High" or e["record"].get("industry") == "Finance"
    ]
    assert len(entries) == len(expected)
    assert any(e.get("priority") != "High" for e in entries), "the path branch contributes entries"


async def test_filter_full_form_accepts_parent_attributes_and_not(tools: Any) -> None:
    by_path = await filtered(
        tools,
        {
            "list_id": "prospecting",
            "filter": {
                "path": [["prospecting", "parent_record"], ["companies", "industry"]],
                "constraints": {"$eq": "Technology"},
            },
        },
    )
    shorthand = await filtered(tools, {"list_id": "prospecting", "filter": {"industry": "Technology"}})
    assert by_path and {e["entry_id"] for e in by_path} == {e["entry_id"] for e in shorthand}
    negated = await filtered(
        tools,
        {"list_id": "prospecting", "filter": {"$not": {"industry": "Technology"}}, "fields": ["industry"]},
    )
    assert all(e["record"].get("industry") != "Technology" for e in negated)
    assert len(negated) + len(by_path) == len(await all_entries(tools, "prospecting"))


async def test_filter_full_form_unknown_attribute_fails(tools: Any) -> None:
    text = await tools.fail(
        "list_entries_filter",
        {"list_id": "prospecting", "filter": {"$and": [{"prority": "High"}]}},
        code="VALIDATION_ERROR",
    )
    assert "priority" in text


# -- list_entries_add --------------------------------------------------------------------------------------


async def test_seed_add_deal_to_active_deals_then_duplicate(tools: Any) -> None:
    deal_id = await record_outside(tools, "active_deals", "deals")
    args = {"list_id": "active_deals", "record_id": deal_id, "resource_type": "deals"}
    first = await tools.ok("list_entries_add", args)
    assert first["record_id"] == deal_id and first["object"] == "deals" and first["record"]["name"]
    assert "already_in_list" not in first
    again = await tools.ok("list_entries_add", args)
    assert again["already_in_list"] is True and again["entry_id"] == first["entry_id"]
    dup = await tools.ok("list_entries_add", {**args, "allow_duplicate": True})
    assert dup["entry_id"] != first["entry_id"] and "already_in_list" not in dup
    both = await filtered(tools, {"list_id": "active_deals", "attribute": "record_id", "value": deal_id})
    assert {e["entry_id"] for e in both} == {first["entry_id"], dup["entry_id"]}


async def test_add_without_resource_type_and_with_entry_attributes(tools: Any) -> None:
    company_id = await record_outside(tools, "prospecting", "companies")
    out = await tools.ok(
        "list_entries_add",
        {
            "list_id": "prospecting",
            "record_id": company_id,
            "attributes": {"priority": "low", "follow_up_date": "2024-12-20"},
        },
    )
    assert out["object"] == "companies" and out["priority"] == "Low" and out["follow_up_date"] == "2024-12-20"
    again = await tools.ok(
        "list_entries_add",
        {"list_id": "prospecting", "record_id": company_id, "attributes": {"priority": "High"}},
    )
    assert (
        again["already_in_list"] is True
        and again["priority"] == "Low"
        and "list_entries_update" in again["note"]
    )


async def test_add_errors(tools: Any) -> None:
    deal_id = await record_outside(tools, "active_deals", "deals")
    text = await tools.fail(
        "list_entries_add",
        {"list_id": "active_deals", "record_id": deal_id, "resource_type": "people"},
        code="VALIDATION_ERROR",
    )
    assert "deals" in text
    await tools.fail(
        "list_entries_add", {"list_id": "active_deals", "record_id": "123"}, code="VALIDATION_ERROR"
    )
    await tools.fail("list_entries_add", {"list_id": "active_deals", "record_id": MISSING}, code="NOT_FOUND")
    text = await tools.fail(
        "list_entries_add",
        {"list_id": "active_deals", "record_id": deal_id, "attributes": {"priority": "Urgent"}},
        code="VALIDATION_ERROR",
    )
    assert "High" in text
    text = await tools.fail(
        "list_entries_add", {"list_id": "active_deal", "record_id": deal_id}, code="NOT_FOUND"
    )
    assert "active_deals" in text


# -- list_entries_update / remove --------------------------------------------------------------------------


async def test_seed_update_entry_priority_and_follow_up(tools: Any) -> None:
    entry = (await all_entries(tools, "prospecting"))[0]
    out = await tools.ok(
        "list_entries_update",
        {
            "list_id": "prospecting",
            "entry_id": entry["entry_id"],
            "attributes": {"priority": "High", "follow_up_date": "2024-12-20"},
        },
    )
    assert out["entry_id"] == entry["entry_id"] and out["record_id"] == entry["record_id"]
    assert out["priority"] == "High" and out["follow_up_date"] == "2024-12-20"
    reread = await filtered(
        tools, {"list_id": "prospecting", "attribute": "record_id", "value": entry["record_id"]}
    )
    assert reread[0]["priority"] == "High" and reread[0]["follow_up_date"] == "2024-12-20"


async def test_update_record_attribute_points_to_records_update(tools: Any) -> None:
    entry = (await all_entries(tools, "prospecting"))[0]
    text = await tools.fail(
        "list_entries_update",
        {"list_id": "prospecting", "entry_id": entry["entry_id"], "attributes": {"industry": "Finance"}},
        code="VALIDATION_ERROR",
    )
    assert "records_update" in text and entry["record_id"] in text and "(field: industry)" in text


async def test_update_errors(tools: Any) -> None:
    entry = (await all_entries(tools, "prospecting"))[0]
    base = {"list_id": "prospecting", "entry_id": entry["entry_id"]}
    text = await tools.fail(
        "list_entries_update", {**base, "attributes": {"priority": "Urgent"}}, code="VALIDATION_ERROR"
    )
    assert "Medium" in text
    await tools.fail("list_entries_update", {**base, "attributes": {"nonsense": 1}}, code="VALIDATION_ERROR")
    await tools.fail("list_entries_update", {**base, "attributes": {}}, code="VALIDATION_ERROR")
    await tools.fail(
        "list_entries_update",
        {**base, "entry_id": "nope", "attributes": {"priority": "High"}},
        code="VALIDATION_ERROR",
    )
    await tools.fail(
        "list_entries_update",
        {**base, "entry_id": MISSING, "attributes": {"priority": "High"}},
        code="NOT_FOUND",
    )


async def test_seed_remove_entry(tools: Any, sandbox_app: Any) -> None:
    before = entry_count(sandbox_app, "prospecting")
    entry = (await all_entries(tools, "prospecting"))[0]
    out = await tools.ok("list_entries_remove", {"list_id": "prospecting", "entry_id": entry["entry_id"]})
    assert out == {"deleted": True, "id": entry["entry_id"]}
    assert entry_count(sandbox_app, "prospecting") == before - 1
    text = await tools.fail(
        "list_entries_remove", {"list_id": "prospecting", "entry_id": entry["entry_id"]}, code="NOT_FOUND"
    )
    assert "list_entries_filter" in text
    await tools.fail(
        "list_entries_remove", {"list_id": "prospecting", "entry_id": "x"}, code="VALIDATION_ERROR"
    )


async def test_move_deal_from_discovery_to_proposal(tools: Any) -> None:
    deal = await tools.ok(
        "records_create",
        {
            "resource_type": "deals",
            "data": {"name": "Q4 Enterprise Deal - Acme Inc", "deal_value": 50000, "stage": "Discovery"},
        },
    )
    added = await tools.ok("list_entries_add", {"list_id": "discovery_stage", "record_id": deal["id"]})
    found = await filtered(
        tools,
        {
            "list_id": "discovery_stage",
            "attribute": "record_id",
            "filter_type": "equals",
            "value": deal["id"],
        },
    )
    assert [e["entry_id"] for e in found] == [added["entry_id"]]
    await tools.ok("list_entries_remove", {"list_id": "discovery_stage", "entry_id": found[0]["entry_id"]})
    moved = await tools.ok("list_entries_add", {"list_id": "proposal_stage", "record_id": deal["id"]})
    assert "already_in_list" not in moved and moved["record"]["name"] == "Q4 Enterprise Deal - Acme Inc"
    assert (
        await filtered(tools, {"list_id": "discovery_stage", "attribute": "record_id", "value": deal["id"]})
        == []
    )
    now = await filtered(tools, {"list_id": "proposal_stage", "attribute": "record_id", "value": deal["id"]})
    assert [e["entry_id"] for e in now] == [moved["entry_id"]]


async def test_a_date_given_for_a_timestamp_means_that_whole_day(tools: Any) -> None:
    everything = await all_entries(tools, "discovery_stage")
    day = next(e["discovery_call_at"][:10] for e in everything if "discovery_call_at" in e)
    got = await filtered(
        tools,
        {
            "list_id": "discovery_stage",
            "attribute": "discovery_call_at",
            "filter_type": "equals",
            "value": day,
        },
    )
    want = {e["entry_id"] for e in everything if e.get("discovery_call_at", "").startswith(day)}
    assert want and {e["entry_id"] for e in got} == want


async def test_entry_update_takes_overwrite_mode_and_clears_single_values_in_either(tools: Any) -> None:
    entry = (await tools.ok("list_entries_get", {"list_id": "prospecting", "limit": 1}))["entries"][0]
    base = {"list_id": "prospecting", "entry_id": entry["entry_id"]}
    out = await tools.ok(
        "list_entries_update", {**base, "attributes": {"priority": "High"}, "mode": "overwrite"}
    )
    assert out["priority"] == "High"
    cleared = await tools.ok("list_entries_update", {**base, "attributes": {"priority": None}})
    assert "priority" not in cleared  # a single-value attribute is replaced, so append mode clears it


class _Latency(httpx.AsyncBaseTransport):
    """The sandbox 30 ms away, as Attio is (the window between the "already there?" query and the add)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await anyio.sleep(0.03)
        return await self.inner.handle_async_request(request)


async def test_parallel_adds_of_one_record_make_one_entry() -> None:
    """Issue #20: 20 simultaneous adds of one record made up to 3 entries."""
    sandbox = create_app()
    store = sandbox.state.sandbox
    list_id = store.schema.list("prospecting")["id"]["list_id"]
    listed = {e.parent_record_id for e in store.list_entries(list_id).values()}
    companies = store.object_records(store.schema.object("companies")["id"]["object_id"])
    company = next(r.id for r in companies.values() if r.id not in listed)
    settings = Settings(sandbox=True, reads_per_second=1000, writes_per_second=1000)
    server = build_server(settings, transport=_Latency(httpx.ASGITransport(app=sandbox)))
    results: list[Any] = []
    async with Client(server) as client:
        await client.call_tool("lists_get", {"list_id": "prospecting"})  # warm the schema cache

        async def add() -> None:
            args = {"list_id": "prospecting", "record_id": company}
            results.append((await client.call_tool("list_entries_add", args)).structured_content)

        async with anyio.create_task_group() as tg:
            for _ in range(20):
                tg.start_soon(add)
    entries = [e for e in store.list_entries(list_id).values() if e.parent_record_id == company]
    assert len(entries) == 1
    assert len({r["entry_id"] for r in results}) == 1
    assert sum(1 for r in results if not r.get("already_in_list")) == 1
