"""Workflow prompts: listed with their arguments, rendered with the right resources and tool order."""

from __future__ import annotations

import json
import re

import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError

from attio_mcp.skills._links import LISTS_URI, PATTERNS_URI, SCHEMA_URI

pytestmark = pytest.mark.anyio

EXPECTED_ARGS = {
    "deal_pipeline": {"deal_name": True, "company_name": True, "stage": False, "deal_value": False},
    "list_organization": {"resource_type": False, "list_name": False},
    "lead_qualification": {"company_name": True, "domain": False, "source": False},
    "bulk_import": {"resource_type": True, "matching_attribute": False},
    "deal_stage_automation": {"stage": True, "next_stage": False, "rule": False},
    "data_enrichment": {"resource_type": False, "list_name": False},
    "account_brief": {"company_name": True, "focus": False},
}
CALL = re.compile(r"`([a-z][a-z0-9_]*) (\{[^`]*\})`")


async def render(mcp: Client, name: str, args: dict[str, str]) -> str:
    result = await mcp.get_prompt(name, args)
    assert len(result.messages) == 1
    assert result.messages[0].role == "user"
    return result.messages[0].content.text


def in_order(text: str, *names: str) -> bool:
    positions = [text.find(n) for n in names]
    return all(p >= 0 for p in positions) and positions == sorted(positions)


async def test_prompts_are_listed_with_their_arguments(mcp: Client) -> None:
    prompts = {p.name: p for p in (await mcp.list_prompts()).prompts}
    assert set(prompts) == set(EXPECTED_ARGS)
    for name, expected in EXPECTED_ARGS.items():
        prompt = prompts[name]
        assert prompt.description and prompt.title
        args = {a.name: bool(a.required) for a in prompt.arguments or []}
        assert args == expected, name
        assert all(a.description for a in prompt.arguments or [])


async def test_deal_pipeline_prompt(mcp: Client) -> None:
    text = await render(
        mcp, "deal_pipeline", {"deal_name": "Acme Q4", "company_name": "Acme", "stage": "Discovery"}
    )
    assert "attio://skills/workspace-schema/deals-attributes.md" in text and SCHEMA_URI in text
    assert PATTERNS_URI in text
    assert in_order(
        text, "records_search", "records_create", "list_entries_add", "tasks_create", "notes_create"
    )
    create = next(json.loads(m[2]) for m in CALL.finditer(text) if m[1] == "records_create")
    assert create["data"]["name"] == "Acme Q4" and create["data"]["stage"] == "Discovery"


async def test_each_prompt_points_at_its_resources_and_tools(mcp: Client) -> None:
    cases = {
        "list_organization": ({"list_name": "prospecting"}, [LISTS_URI], ["lists_get_all", "list_entries_add",
                              "list_entries_filter", "list_entries_update"]),
        "lead_qualification": ({"company_name": "Acme", "domain": "acme.com"},
                               ["companies-attributes.md", SCHEMA_URI],
                               ["records_search", "records_upsert", "list_entries_add", "tasks_create", "notes_create"]),
        "bulk_import": ({"resource_type": "people"}, ["people-attributes.md"], ["records_import"]),
        "deal_stage_automation": ({"stage": "Discovery", "next_stage": "Proposal Sent"}, ["deals-attributes.md"],
                                  ["records_search", "records_update", "records_get_entries", "tasks_create"]),
        "data_enrichment": ({"list_name": "enrichment_queue"}, ["companies-attributes.md"],
                            ["list_entries_get", "records_update", "notes_create", "list_entries_remove"]),
    }  # fmt: skip
    for name, (args, resources, tools) in cases.items():
        text = await render(mcp, name, args)
        for resource in resources:
            assert resource in text, (name, resource)
        assert PATTERNS_URI in text
        assert in_order(text, *tools), name
    text = await render(mcp, "bulk_import", {"resource_type": "people"})
    dry_run = next(json.loads(m[2]) for m in CALL.finditer(text) if '"dry_run"' in m[2])
    assert dry_run["resource_type"] == "people" and dry_run["dry_run"] is True


async def test_arguments_are_quoted_into_payloads(mcp: Client) -> None:
    text = await render(mcp, "lead_qualification", {"company_name": 'Acme "Inc" }`', "domain": "acme.com"})
    upsert = next(json.loads(m[2]) for m in CALL.finditer(text) if m[1] == "records_upsert")
    assert upsert["data"]["domains"] == ["acme.com"]
    text = await render(mcp, "deal_pipeline", {"deal_name": 'Q4 "big" deal', "company_name": "Acme"})
    create = next(json.loads(m[2]) for m in CALL.finditer(text) if m[1] == "records_create")
    assert create["data"]["name"] == 'Q4 "big" deal'
    assert "deal_value" not in create["data"]


async def test_only_a_plain_number_becomes_the_deal_value(mcp: Client) -> None:
    for given, expected in (
        ("50000", 50000),
        ("1250.5", 1250.5),
        ("²", None),
        ("٥٠", None),
        ("50,000", None),
    ):
        text = await render(
            mcp, "deal_pipeline", {"deal_name": "D", "company_name": "C", "deal_value": given}
        )
        create = next(json.loads(m[2]) for m in CALL.finditer(text) if m[1] == "records_create")
        assert create["data"].get("deal_value") == expected, given


async def test_enrichment_prompt_removes_entries_from_the_named_queue(mcp: Client) -> None:
    text = await render(mcp, "data_enrichment", {"list_name": "enrichment_queue"})
    calls = [(m[1], json.loads(m[2])) for m in CALL.finditer(text)]
    assert [args["list_id"] for name, args in calls if name.startswith("list_entries_")] == [
        "enrichment_queue",
        "enrichment_queue",
    ]


async def test_missing_required_argument_is_an_error(mcp: Client) -> None:
    with pytest.raises(MCPError):
        await mcp.get_prompt("deal_pipeline", {"deal_name": "x"})
