"""workspace.compile against the live (sandbox) schema: the exact requests a model's filters and sorts become.

Every compiled filter is also sent to the sandbox, which refuses what Attio refuses (exact option titles,
actor filters on type and id, timestamps with a time, unknown slugs): a shape that only a lenient emulator
would take fails here. Results are checked against the records themselves where the reading matters.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from attio_mcp.attio import AttioClient
from attio_mcp.sandbox import DEMO_TOKEN, create_app
from attio_mcp.workspace import SchemaCache, TargetSchema, Workspace, WorkspaceError
from attio_mcp.workspace.compile import compile_filter, compile_sorts, operator
from attio_mcp.workspace.entries import parent_schemas
from attio_mcp.workspace.interpret import Interpreted
from attio_mcp.workspace.render import flatten_record

pytestmark = pytest.mark.anyio

NOW = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)  # a Monday
ACME = "203667de-ecd5-52d7-a606-e37f61bc7302"
HOOLI = "0a20cd65-8954-5062-b227-3df8d081e351"
MARCUS = "691af20a-3e42-59d7-a61e-aa603910ad01"


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
async def ws() -> AsyncIterator[Workspace]:
    transport = httpx.ASGITransport(app=create_app())
    async with AttioClient(
        api_key=DEMO_TOKEN, base_url="http://sandbox.local", transport=transport
    ) as client:
        yield Workspace(client, SchemaCache(client), clock=lambda: NOW)


async def compiled(ws: Workspace, target: str, spec: Any) -> tuple[dict[str, Any], list[str]]:
    notes = Interpreted()
    schema = await ws.object(target)
    return await compile_filter(ws, schema, spec, notes), notes.out() or []


async def rows(ws: Workspace, target: str, where: dict[str, Any]) -> list[dict[str, Any]]:
    schema = await ws.object(target)
    found = await ws.client.query_records(target, filter=where, limit=200)
    return [flatten_record(r, target, schema) for r in found]


async def refused(ws: Workspace, target: str | TargetSchema, spec: Any) -> WorkspaceError:
    schema = target if isinstance(target, TargetSchema) else await ws.object(target)
    with pytest.raises(WorkspaceError) as info:
        await compile_filter(ws, schema, spec, Interpreted())
    return info.value


def test_operators_as_symbols_and_words() -> None:
    cases = {">": "$gt", ">=": "$gte", "<": "$lt", "<=": "$lte", "!=": "$ne", "=": "$eq", "gt": "$gt"}
    cases |= {"lte": "$lte", "ne": "$ne", "eq": "$eq", "contains": "$contains", "in": "$in", "not_in": "$nin"}
    cases |= {"not in": "$nin", "$IN": "$in", "is_empty": "$empty", "between": "$between", "$eq": "$eq"}
    for given, meant in cases.items():
        assert operator(given) == meant, given
    assert operator("near") is None and operator("name") is None


async def test_in_on_a_select_becomes_an_or_of_exact_titles(ws: Workspace) -> None:
    where, notes = await compiled(ws, "companies", {"industry": {"in": ["technology", "Finance"]}})
    assert where == {"$or": [{"industry": "Technology"}, {"industry": "Finance"}]}
    assert "filter.industry: 'technology' → 'Technology'" in notes
    found = await rows(ws, "companies", where)
    assert found and {r["industry"] for r in found} == {"Technology", "Finance"}


async def test_in_stays_native_where_attio_documents_it(ws: Workspace) -> None:
    where, _ = await compiled(ws, "companies", {"name": {"$in": ["Acme Inc", "Hooli"]}})
    assert where == {"name": {"$in": ["Acme Inc", "Hooli"]}}
    where, _ = await compiled(ws, "deals", {"record_id": {"in": [ACME]}})
    assert where == {"record_id": {"$in": [ACME]}}
    where, _ = await compiled(ws, "deals", {"company": {"$in": [ACME, HOOLI]}})
    assert where == {"company": {"target_object": "companies", "target_record_id": {"$in": [ACME, HOOLI]}}}
    assert ACME in {r["company"] for r in await rows(ws, "deals", where)} <= {ACME, HOOLI}


async def test_comparisons_ne_nin_and_between(ws: Workspace) -> None:
    where, notes = await compiled(ws, "deals", {"deal_value": {">": "$50k"}})
    assert where == {"deal_value": {"$gt": 50000}}
    assert notes == ["filter.deal_value: '>' → $gt", "filter.deal_value: '$50k' → 50000"]
    where, _ = await compiled(ws, "deals", {"stage": {"!=": "closed lost"}})
    assert where == {"$not": {"stage": "Closed Lost"}}
    where, _ = await compiled(ws, "deals", {"stage": {"$nin": ["Closed Won", "Closed Lost"]}})
    assert where == {"$not": {"$or": [{"stage": "Closed Won"}, {"stage": "Closed Lost"}]}}
    assert {r["stage"] for r in await rows(ws, "deals", where)} <= {
        "Lead", "Discovery", "Qualified", "Proposal Sent", "Negotiation",
    }  # fmt: skip
    where, _ = await compiled(ws, "deals", {"deal_value": {"between": [10000, 20000]}})
    assert where == {"$and": [{"deal_value": {"$gte": 10000}}, {"deal_value": {"$lte": 20000}}]}
    assert all(10000 <= r["deal_value"] <= 20000 for r in await rows(ws, "deals", where))


async def test_nested_references_become_paths_as_deep_as_needed(ws: Workspace) -> None:
    path = {"path": [["deals", "company"], ["companies", "name"]], "constraints": {"$eq": "Acme Inc"}}
    for spec in (
        {"company": {"name": {"$eq": "Acme Inc"}}},
        {"company": {"name": "Acme Inc"}},
        {"company.name": "Acme Inc"},
    ):
        where, notes = await compiled(ws, "deals", spec)
        assert where == path, spec
        assert "filter.company.name: path deals.company → companies.name" in notes
    found = await rows(ws, "deals", path)
    assert found and all(r["company"] == ACME for r in found)
    deep, _ = await compiled(
        ws, "deals", {"company": {"team": {"email_addresses": {"$ends_with": "@acme.com"}}}}
    )
    assert deep == {
        "path": [["deals", "company"], ["companies", "team"], ["people", "email_addresses"]],
        "constraints": {"$ends_with": "@acme.com"},
    }
    assert {r["company"] for r in await rows(ws, "deals", deep)} == {ACME}


async def test_a_record_named_in_a_filter_is_looked_up(ws: Workspace) -> None:
    where, notes = await compiled(ws, "deals", {"company": "acme inc"})
    assert where == {"company": {"target_object": "companies", "target_record_id": ACME}}
    assert notes == ["filter.company: 'acme inc' → 203667de…"]
    where, _ = await compiled(ws, "deals", {"company": {"$contains": "tech"}})
    assert where == {
        "path": [["deals", "company"], ["companies", "name"]],
        "constraints": {"$contains": "tech"},
    }
    error = await refused(ws, "deals", {"company": "Tech"})  # several companies hold "Tech", none is named it
    assert error.options and all("companies" in o for o in error.options)


async def test_dates_on_timestamps_get_a_time_and_words_read_against_today(ws: Workspace) -> None:
    where, _ = await compiled(ws, "deals", {"created_at": {"$gte": "2026-09-01"}})
    assert where == {"created_at": {"$gte": "2026-09-01T00:00:00.000000000Z"}}
    where, _ = await compiled(ws, "deals", {"created_at": "2026-09-05"})
    assert where == {
        "created_at": {"$gte": "2026-09-05T00:00:00.000000000Z", "$lt": "2026-09-06T00:00:00.000000000Z"}
    }
    assert all(r["created_at"].startswith("2026-09-05") for r in await rows(ws, "deals", where))
    where, notes = await compiled(ws, "deals", {"close_date": {"$lt": "today"}})
    assert where == {"close_date": {"$lt": "2026-11-30"}} and notes == [
        "filter.close_date: 'today' → '2026-11-30'"
    ]
    error = await refused(ws, "deals", {"close_date": {"$lt": "end of quarter"}})
    assert "today is Monday 2026-11-30 (UTC)" in error.render()


async def test_actors_are_compared_by_type_and_id(ws: Workspace) -> None:
    expected = {"owner": {"referenced_actor_type": "workspace-member", "referenced_actor_id": MARCUS}}
    for who in ("marcus.reed@demo-sales.example", "Marcus Reed", MARCUS):
        assert (await compiled(ws, "deals", {"owner": who}))[0] == expected
    assert (await compiled(ws, "deals", {"owner": {"referenced_actor_id": MARCUS}}))[0] == expected
    assert all(r["owner"] == MARCUS for r in await rows(ws, "deals", expected))


async def test_emptiness_from_documented_operators(ws: Workspace) -> None:
    where, _ = await compiled(ws, "projects", {"budget": {"$not_empty": True}})
    assert where == {"$or": [{"budget": {"$gte": 0}}, {"budget": {"$lt": 0}}]}
    where, _ = await compiled(ws, "people", {"company": None})
    assert where == {
        "$not": {
            "path": [["people", "company"], ["companies", "created_at"]],
            "constraints": {"$gte": "1900-01-01T00:00:00.000000000Z"},
        }
    }
    assert all("company" not in r for r in await rows(ws, "people", where))
    error = await refused(ws, "deals", {"next_step": {"$not_empty": True}})
    assert "no documented emptiness test" in error.message


async def test_errors_list_the_valid_operators_and_options(ws: Workspace) -> None:
    error = await refused(ws, "deals", {"stage": {"$gt": "Lead"}})
    assert error.field == "filter.stage" and "$eq" in error.options and "$gt" not in error.options
    error = await refused(ws, "deals", {"deal_value": {"$near": 5}})
    assert "$gt" in error.options and "$between" in error.options
    error = await refused(ws, "deals", {"stage": "Won"})
    assert "Closed Won" in error.options and "did you mean Closed Won" in (error.next_step or "")
    error = await refused(ws, "companies", {"status": "Qualified"})  # lead_status or enrichment_status?
    assert error.options == ["lead_status", "enrichment_status"]
    error = await refused(ws, "companies", {"categories": ["SaaS", "AI"]})  # any of them, or all?
    assert "$in" in (error.next_step or "") and "$and" in (error.next_step or "")


async def test_list_filters_reach_the_parent_record(ws: Workspace) -> None:
    lst = await ws.list("prospecting")
    parents = await parent_schemas(ws, lst)
    notes = Interpreted()
    where = await compile_filter(
        ws, lst, {"priority": "high", "industry": "technology"}, notes, parents=parents
    )
    assert where == {
        "priority": "High",
        "path": [["prospecting", "parent_record"], ["companies", "industry"]],
        "constraints": {"$eq": "Technology"},
    } or where == {
        "$and": [
            {"priority": "High"},
            {
                "path": [["prospecting", "parent_record"], ["companies", "industry"]],
                "constraints": {"$eq": "Technology"},
            },
        ]
    }
    await ws.client.query_entries(lst.id, filter=where, limit=5)  # accepted as is


async def test_sorts_take_direction_words_shorthand_and_paths(ws: Workspace) -> None:
    deals = await ws.object("deals")
    notes = Interpreted()
    got = await compile_sorts(
        ws,
        deals,
        [{"deal_value": "desc"}, {"field": "close_date", "order": "ASC"}, {"attribute": "company.name"}],
        notes,
    )
    assert got == [
        {"attribute": "deal_value", "direction": "desc"},
        {"direction": "asc", "attribute": "close_date"},
        {"direction": "asc", "path": [["deals", "company"], ["companies", "name"]]},
    ]
    assert "sorts.2: no direction → asc" in (notes.out() or [])
    with pytest.raises(WorkspaceError) as info:
        await compile_sorts(ws, deals, [{"attribute": "updated_at", "direction": "desc"}], Interpreted())
    assert "created_at" in (info.value.next_step or "")


async def test_exact_input_is_sent_unchanged_and_notes_nothing(ws: Workspace) -> None:
    spec = {"$and": [{"stage": "Discovery"}, {"deal_value": {"$gte": 1000, "$lt": 5000}}]}
    where, notes = await compiled(ws, "deals", spec)
    assert where == spec and notes == []


class _Objects:
    """A schema cache that knows some object slugs (enough for ``Workspace.object``)."""

    def __init__(self, *slugs: str) -> None:
        self.slugs = slugs

    async def object(self, name: str) -> TargetSchema:
        from attio_mcp.workspace.errors import LookupFailure

        if name not in self.slugs:
            raise LookupFailure("object", name, [], list(self.slugs))
        return TargetSchema(kind="object", slug=name, id=f"id-{name}", name=name.title())


async def test_crm_synonyms_only_when_the_workspace_has_no_such_object() -> None:
    plain = Workspace(client=None, schema=_Objects("people", "companies", "deals"))  # type: ignore[arg-type]
    notes = Interpreted()
    assert (await plain.object("accounts", notes=notes)).slug == "companies"
    assert notes.out() == ["resource_type: 'accounts' → companies"]
    custom = Workspace(client=None, schema=_Objects("people", "companies", "accounts"))  # type: ignore[arg-type]
    assert (await custom.object("accounts", notes=Interpreted())).slug == "accounts"
    with pytest.raises(WorkspaceError) as info:  # no synonym without notes, and NOT_FOUND lists the slugs
        await plain.object("accounts")
    assert info.value.code == "NOT_FOUND" and info.value.options == ["people", "companies", "deals"]


async def test_writes_read_dates_in_words_against_the_workspace_clock(ws: Workspace) -> None:
    deals = await ws.object("deals")
    notes = Interpreted()
    payload = await ws.prepare(
        deals, {"close_date": "tomorrow", "stage": "lead"}, for_create=False, notes=notes
    )
    assert payload == {"close_date": ["2026-12-01"], "stage": ["Lead"]}
    assert notes.out() == ["close_date: 'tomorrow' → '2026-12-01'", "stage: 'lead' → 'Lead'"]
    with pytest.raises(WorkspaceError):  # without notes, only the long-standing forms
        await ws.prepare(deals, {"close_date": "tomorrow"}, for_create=False)
