"""Sandbox: token info, objects, attributes, options, statuses, members, auth and routing errors."""

from __future__ import annotations

import httpx
import pytest

from attio_mcp.sandbox import DEMO_TOKEN, FaultConfig, RateLimitConfig, Store, create_app

from ._support import TS_RE, data, error

pytestmark = pytest.mark.anyio


async def test_self_describes_an_active_workspace_token(client: httpx.AsyncClient) -> None:
    resp = await client.get("/v2/self")
    assert resp.status_code == 200
    body = resp.json()
    assert body["active"] is True
    assert body["workspace_name"] == "Demo Sales Co"
    assert body["workspace_slug"] == "demo-sales-co"
    assert body["sub"] == body["workspace_id"]
    assert body["exp"] is None and body["token_type"] == "Bearer" and body["iss"] == "attio.com"
    scopes = body["scope"].split()
    assert "record_permission:read-write" in scopes and "note:read-write" in scopes and len(scopes) >= 10
    members = data(await client.get("/v2/workspace_members"))
    admin = next(
        m for m in members if m["id"]["workspace_member_id"] == body["authorized_by_workspace_member_id"]
    )
    assert admin["access_level"] == "admin"


async def test_objects_listing_and_lookup_by_slug_or_id(client: httpx.AsyncClient) -> None:
    objects = data(await client.get("/v2/objects"))
    slugs = [o["api_slug"] for o in objects]
    assert slugs == ["people", "companies", "deals", "users", "workspaces", "projects"]
    deals = next(o for o in objects if o["api_slug"] == "deals")
    assert deals["singular_noun"] == "Deal" and TS_RE.match(deals["created_at"])
    by_id = data(await client.get(f"/v2/objects/{deals['id']['object_id']}"))
    assert by_id == deals == data(await client.get("/v2/objects/deals"))


async def test_unknown_object_is_404(client: httpx.AsyncClient) -> None:
    body = error(await client.get("/v2/objects/spaceships"), 404, "not_found")
    assert body["type"] == "invalid_request_error"
    assert body["message"] == 'Object with slug/ID "spaceships" not found.'
    error(await client.post("/v2/objects/spaceships/records/query", json={}), 404, "not_found")


async def test_attributes_of_objects_and_lists(client: httpx.AsyncClient) -> None:
    attrs = data(await client.get("/v2/objects/companies/attributes"))
    by_slug = {a["api_slug"]: a for a in attrs}
    assert by_slug["domains"]["is_unique"] and by_slug["domains"]["is_multiselect"]
    assert by_slug["record_id"]["is_system_attribute"] and not by_slug["record_id"]["is_writable"]
    assert not by_slug["twitter_follower_count"]["is_writable"]
    team = by_slug["team"]
    assert team["relationship"]["object_slug"] == "people" and team["relationship"]["api_slug"] == "company"
    people_id = data(await client.get("/v2/objects/people"))["id"]["object_id"]
    assert team["config"]["record_reference"]["allowed_object_ids"] == [people_id]

    owner = data(await client.get("/v2/objects/deals/attributes/owner"))
    assert owner["is_required"] and owner["default_value"] == {"type": "dynamic", "template": "current-user"}
    same = data(await client.get(f"/v2/objects/deals/attributes/{owner['id']['attribute_id']}"))
    assert same == owner

    list_attrs = data(await client.get("/v2/lists/prospecting/attributes"))
    assert {"stage", "priority", "follow_up_date", "notes"} <= {a["api_slug"] for a in list_attrs}
    page = data(await client.get("/v2/objects/companies/attributes?limit=2&offset=1"))
    assert [a["api_slug"] for a in page] == [a["api_slug"] for a in attrs[1:3]]


async def test_select_options_and_statuses(client: httpx.AsyncClient) -> None:
    options = data(await client.get("/v2/objects/companies/attributes/industry/options"))
    titles = [o["title"] for o in options]
    assert {"Technology", "Healthcare", "Finance"} <= set(titles)
    assert set(options[0]["id"]) == {"workspace_id", "object_id", "attribute_id", "option_id"}
    statuses = data(await client.get("/v2/objects/deals/attributes/stage/statuses"))
    assert [s["title"] for s in statuses][:3] == ["Lead", "Discovery", "Qualified"]
    won = next(s for s in statuses if s["title"] == "Closed Won")
    assert won["celebration_enabled"] is True and won["target_time_in_status"] is None
    list_statuses = data(await client.get("/v2/lists/prospecting/attributes/stage/statuses"))
    assert [s["title"] for s in list_statuses] == ["New", "Contacted", "Meeting Booked", "Disqualified"]
    error(await client.get("/v2/objects/deals/attributes/nope/options"), 404, "not_found")


async def test_workspace_members(client: httpx.AsyncClient) -> None:
    members = data(await client.get("/v2/workspace_members"))
    assert len(members) == 4
    assert all(m["email_address"].endswith("@demo-sales.example") for m in members)
    one = data(await client.get(f"/v2/workspace_members/{members[1]['id']['workspace_member_id']}"))
    assert one == members[1]
    error(await client.get("/v2/workspace_members/00000000-0000-4000-8000-000000000000"), 404, "not_found")


async def test_lists_and_list_lookup(client: httpx.AsyncClient) -> None:
    lists = data(await client.get("/v2/lists"))
    slugs = {lst["api_slug"] for lst in lists}
    assert {
        "prospecting",
        "qualified",
        "customers",
        "active_deals",
        "q4_pipeline",
        "discovery_stage",
        "proposal_stage",
        "enrichment_queue",
        "target_accounts",
    } == slugs
    active = data(await client.get("/v2/lists/active_deals"))
    assert active["parent_object"] == ["deals"] and active["name"] == "Active Deals"
    assert data(await client.get(f"/v2/lists/{active['id']['list_id']}")) == active
    error(await client.get("/v2/lists/nope"), 404, "not_found")


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer "}, {"Authorization": "Basic abc"}])
async def test_missing_or_malformed_token_is_401(headers: dict[str, str]) -> None:
    transport = httpx.ASGITransport(app=create_app(seed=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox", headers=headers) as client:
        body = error(await client.get("/v2/self"), 401, "unauthorized")
    assert body["type"] == "auth_error"


async def test_configured_tokens_are_enforced() -> None:
    transport = httpx.ASGITransport(app=create_app(seed=False, tokens=[DEMO_TOKEN]))
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as client:
        error(await client.get("/v2/objects", headers={"Authorization": "Bearer wrong"}), 401, "unauthorized")
        ok = await client.get("/v2/objects", headers={"Authorization": f"Bearer {DEMO_TOKEN}"})
        assert ok.status_code == 200


async def test_unknown_route_and_method_are_attio_shaped(client: httpx.AsyncClient) -> None:
    body = error(await client.get("/v2/spaceships"), 404, "not_found")
    assert body["type"] == "invalid_request_error"
    error(await client.get("/v2/foo/bar/attributes"), 404, "not_found")
    resp = await client.delete("/v2/objects")
    assert resp.status_code == 405 and resp.json()["status_code"] == 405


async def test_unseeded_sandbox_has_schema_but_no_records() -> None:
    app = create_app(seed=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://x", headers={"Authorization": "Bearer t"}
    ) as c:
        assert len(data(await c.get("/v2/objects"))) == 6
        assert data(await c.post("/v2/objects/companies/records/query", json={})) == []
        assert len(data(await c.get("/v2/lists"))) == 9


async def test_rate_limit_and_faults_are_wired_in() -> None:
    app = create_app(seed=False, rate_limit=RateLimitConfig(reads_per_second=0.01, writes_per_second=0.01))
    assert isinstance(app.state.sandbox, Store)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://x", headers={"Authorization": "Bearer t"}
    ) as c:
        assert (await c.get("/v2/objects")).status_code == 200
        throttled = await c.get("/v2/objects")
        error(throttled, 429, "rate_limit_exceeded")
        assert "retry-after" in throttled.headers
    transport = httpx.ASGITransport(app=create_app(seed=False, faults=FaultConfig(rate_503=1.0)))
    async with httpx.AsyncClient(
        transport=transport, base_url="http://x", headers={"Authorization": "Bearer t"}
    ) as c:
        assert (await c.get("/v2/objects")).status_code == 503
