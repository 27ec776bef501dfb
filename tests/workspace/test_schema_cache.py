"""SchemaCache against a fake client: resolution, caching, TTL, invalidation, concurrency."""

from __future__ import annotations

from collections import Counter
from typing import Any

import anyio
import pytest
from anyio.lowlevel import checkpoint

from attio_mcp.attio import AttioList, AttioObject, Attribute, SelectOption, Status
from attio_mcp.workspace.schema import LookupFailure, SchemaCache, TargetSchema
from tests.clocks import FakeClock

pytestmark = pytest.mark.anyio

WS = "4ddf95e6-0410-4469-92bf-4cd134986e18"
OBJECT_IDS = {
    "companies": "f2239e94-6d6b-4152-9d42-1c3ee623f024",
    "deals": "6bb66fc1-4caa-4f08-90f9-d4ccd4242b8a",
    "people": "0c1b2a39-1111-4222-8333-444455556666",
}
LIST_ID = "33ebdbe9-aaaa-4bbb-8ccc-dddddddddddd"


def _object(slug: str, singular: str, plural: str) -> AttioObject:
    return AttioObject.model_validate(
        {"id": {"workspace_id": WS, "object_id": OBJECT_IDS[slug]}, "api_slug": slug, "singular_noun": singular,
         "plural_noun": plural}
    )  # fmt: skip


def _attribute(owner: str, slug: str, type: str, **flags: Any) -> Attribute:
    body: dict[str, Any] = {
        "id": {"workspace_id": WS, "object_id": owner, "attribute_id": f"{owner[:4]}-{slug}"},
        "title": slug.replace("_", " ").title(),
        "api_slug": slug,
        "type": type,
        "is_system_attribute": False,
        "is_writable": True,
        "is_required": False,
        "is_unique": False,
        "is_multiselect": False,
        "is_default_value_enabled": False,
        "is_archived": False,
        "config": {
            "currency": {"default_currency_code": None},
            "record_reference": {"allowed_object_ids": None},
        },
    }
    body.update(flags)
    return Attribute.model_validate(body)


class FakeClient:
    """Just the schema endpoints of AttioClient, counting calls; `gate` can hold list_attributes open."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.gate: anyio.Event | None = None
        self.objects = [
            _object("companies", "Company", "Companies"),
            _object("deals", "Deal", "Deals"),
            _object("people", "Person", "People"),
        ]
        self.lists = [
            AttioList.model_validate(
                {
                    "id": {"workspace_id": WS, "list_id": LIST_ID},
                    "api_slug": "enterprise_sales",
                    "name": "Enterprise Sales",
                    "parent_object": ["companies"],
                }
            )  # fmt: skip
        ]
        deals = OBJECT_IDS["deals"]
        self.attributes = {
            "deals": [
                _attribute(deals, "record_id", "text", is_system_attribute=True, is_writable=False),
                _attribute(deals, "name", "text", is_required=True, is_default_value_enabled=False),
                _attribute(deals, "stage", "status", is_required=True, is_default_value_enabled=True),
                _attribute(deals, "value", "currency", config={"currency": {"default_currency_code": "USD"}}),
                _attribute(deals, "lead_source", "select", is_multiselect=True),
                _attribute(deals, "old_source", "select", is_archived=True),
                _attribute(
                    deals,
                    "associated_company",
                    "record-reference",
                    config={"record_reference": {"allowed_object_ids": [OBJECT_IDS["companies"]]}},
                ),
                _attribute(
                    deals,
                    "parties",
                    "record-reference",
                    is_multiselect=True,
                    config={
                        "record_reference": {
                            "allowed_object_ids": [OBJECT_IDS["people"], OBJECT_IDS["companies"]]
                        }
                    },
                ),
            ],
            "companies": [_attribute(OBJECT_IDS["companies"], "name", "text")],
            "enterprise_sales": [_attribute(LIST_ID, "priority", "select")],
        }
        self.options = {
            "lead_source": ["Inbound", "Outbound", ("Legacy", True)],
            "priority": ["Low", "High"],
            "old_source": ["Never fetched"],
        }
        self.statuses = {"stage": ["Lead", "In Progress", ("Parked", True), "Won 🎉", "Lost"]}

    async def list_objects(self) -> list[AttioObject]:
        self.calls["list_objects"] += 1
        await checkpoint()
        return list(self.objects)

    async def list_lists(self) -> list[AttioList]:
        self.calls["list_lists"] += 1
        await checkpoint()
        return list(self.lists)

    async def list_attributes(self, target: str, identifier: str) -> list[Attribute]:
        self.calls[f"attributes:{target}:{identifier}"] += 1
        if self.gate is not None:
            await self.gate.wait()
        return list(self.attributes[identifier])

    async def list_select_options(self, target: str, identifier: str, attribute: str) -> list[SelectOption]:
        self.calls[f"options:{attribute}"] += 1
        await checkpoint()
        return [_row(SelectOption, o) for o in self.options[attribute]]

    async def list_statuses(self, target: str, identifier: str, attribute: str) -> list[Status]:
        self.calls[f"statuses:{attribute}"] += 1
        await checkpoint()
        return [_row(Status, s) for s in self.statuses[attribute]]


def _row(model: Any, spec: str | tuple[str, bool]) -> Any:
    title, archived = (spec, False) if isinstance(spec, str) else spec
    return model.model_validate({"id": {}, "title": title, "is_archived": archived})


@pytest.fixture
def client() -> FakeClient:
    return FakeClient()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def cache(client: FakeClient, clock: FakeClock) -> SchemaCache:
    return SchemaCache(client, ttl=300.0, clock=clock)  # type: ignore[arg-type]


async def test_object_schema_is_compacted(cache: SchemaCache) -> None:
    deals = await cache.object("deals")
    assert isinstance(deals, TargetSchema)
    assert (deals.kind, deals.slug, deals.id, deals.name) == ("object", "deals", OBJECT_IDS["deals"], "Deals")
    stage = deals.attributes["stage"]
    assert stage.type == "status" and stage.required and stage.default_enabled
    assert stage.options == ("Lead", "In Progress", "Won 🎉", "Lost")  # archived status skipped, order kept
    assert deals.attributes["lead_source"].options == ("Inbound", "Outbound")
    assert deals.attributes["lead_source"].multi
    assert deals.attributes["value"].currency_code == "USD"
    assert deals.attributes["associated_company"].allowed_objects == ("companies",)
    assert deals.attributes["parties"].allowed_objects == ("people", "companies")
    assert deals.attributes["record_id"].system and not deals.attributes["record_id"].writable
    assert deals.attributes["old_source"].archived and deals.attributes["old_source"].options == ()
    assert deals.writable() == ["name", "stage", "value", "lead_source", "associated_company", "parties"]
    assert deals.get("Stage") is stage and deals.get("6bb6-stage") is stage
    assert deals.get("LEAD SOURCE") is deals.attributes["lead_source"] and deals.get("nope") is None


async def test_options_fetched_once_per_select_or_status_attribute(
    cache: SchemaCache, client: FakeClient
) -> None:
    await cache.object("deals")
    assert client.calls["statuses:stage"] == 1
    assert client.calls["options:lead_source"] == 1
    assert client.calls["options:old_source"] == 0  # archived attribute: not fetched


@pytest.mark.parametrize("key", ["deals", OBJECT_IDS["deals"], OBJECT_IDS["deals"].upper(), "Deal", "DEALS"])
async def test_object_resolves_slug_id_and_nouns(cache: SchemaCache, client: FakeClient, key: str) -> None:
    assert (await cache.object(key)).slug == "deals"
    assert (await cache.object("deals")).slug == "deals"
    assert client.calls["attributes:objects:deals"] == 1  # one cache entry whatever the spelling


async def test_cached_until_ttl_expires(cache: SchemaCache, client: FakeClient, clock: FakeClock) -> None:
    first = await cache.object("deals")
    clock.now += 299
    assert await cache.object("deals") is first
    assert client.calls["list_objects"] == 1 and client.calls["attributes:objects:deals"] == 1
    clock.now += 2
    again = await cache.object("deals")
    assert again is not first and again == first
    assert client.calls["list_objects"] == 2 and client.calls["attributes:objects:deals"] == 2


async def test_invalidate_one_or_all(cache: SchemaCache, client: FakeClient) -> None:
    await cache.object("deals")
    await cache.object("companies")
    cache.invalidate(OBJECT_IDS["deals"])
    await cache.object("deals")
    await cache.object("companies")
    assert client.calls["attributes:objects:deals"] == 2
    assert client.calls["attributes:objects:companies"] == 1
    assert client.calls["list_objects"] == 1
    cache.invalidate()
    await cache.object("companies")
    assert client.calls["attributes:objects:companies"] == 2 and client.calls["list_objects"] == 2


async def test_concurrent_first_calls_fetch_once(cache: SchemaCache, client: FakeClient) -> None:
    client.gate = anyio.Event()
    results: list[TargetSchema] = []

    async def load(key: str) -> None:
        results.append(await cache.object(key))

    async with anyio.create_task_group() as tg:
        for key in ["deals", "Deal", OBJECT_IDS["deals"], "deals", "Deals"]:
            tg.start_soon(load, key)
        await anyio.wait_all_tasks_blocked()
        client.gate.set()
    assert len(results) == 5 and all(r is results[0] for r in results)
    assert client.calls["attributes:objects:deals"] == 1
    assert client.calls["list_objects"] == 1


async def test_unknown_object_suggests_slugs(cache: SchemaCache) -> None:
    with pytest.raises(LookupFailure) as info:
        await cache.object("deal_s")
    err = info.value
    assert (err.code, err.kind, err.value, err.field) == ("NOT_FOUND", "object", "deal_s", "resource_type")
    assert err.suggestions == ["deals"]
    assert err.available == ["companies", "deals", "people"]
    assert "did you mean deals?" in (err.next_step or "")


async def test_unknown_object_by_noun_suggests_the_slug(cache: SchemaCache) -> None:
    with pytest.raises(LookupFailure) as info:
        await cache.object("Compnay")
    assert info.value.suggestions == ["companies"]


async def test_stale_listing_is_refreshed_once_before_failing(cache: SchemaCache, client: FakeClient) -> None:
    await cache.objects()
    client.objects.append(
        AttioObject.model_validate(
            {"id": {"object_id": "new-id"}, "api_slug": "projects", "plural_noun": "Projects"}
        )
    )
    client.attributes["projects"] = []
    assert (await cache.object("projects")).id == "new-id"
    assert client.calls["list_objects"] == 2
    with pytest.raises(LookupFailure):
        await cache.object("nothing")
    assert client.calls["list_objects"] == 3  # refreshed once for the miss, not in a loop


async def test_list_schema_by_slug_id_or_name(cache: SchemaCache, client: FakeClient) -> None:
    for key in ["enterprise_sales", LIST_ID, "enterprise sales"]:
        lst = await cache.list(key)
        assert (lst.kind, lst.slug, lst.id, lst.name) == (
            "list",
            "enterprise_sales",
            LIST_ID,
            "Enterprise Sales",
        )
        assert lst.parent_objects == ("companies",)
        assert lst.attributes["priority"].options == ("Low", "High")
    assert client.calls["attributes:lists:enterprise_sales"] == 1 and client.calls["list_lists"] == 1
    assert [x.api_slug for x in await cache.lists()] == ["enterprise_sales"]


async def test_unknown_list_suggests_slug_or_name(cache: SchemaCache) -> None:
    with pytest.raises(LookupFailure) as info:
        await cache.list("Enterprize Sales")
    assert info.value.kind == "list" and info.value.suggestions == ["Enterprise Sales"]
    with pytest.raises(LookupFailure) as info:
        await cache.list("enterprise_sale")
    assert info.value.suggestions == ["enterprise_sales"]


async def test_option_fetch_failure_propagates_unwrapped(cache: SchemaCache, client: FakeClient) -> None:
    async def boom(*_a: Any) -> list[SelectOption]:
        raise LookupError("options endpoint failed")

    client.list_select_options = boom  # type: ignore[method-assign]
    with pytest.raises(LookupError, match="options endpoint failed"):
        await cache.object("deals")
