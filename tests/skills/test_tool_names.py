"""No drift: every tool a skill document or prompt names is registered, and every example call fits its tool."""

from __future__ import annotations

import json
import re
from typing import Any

import jsonschema
import pytest
from mcp import Client

from attio_mcp.skills._links import LISTS_URI, MCP_LINKS, OBJECT_URI_TEMPLATE, PATTERNS_URI, SCHEMA_URI
from attio_mcp.skills._mentions import tool_mentions
from attio_mcp.skills._text import patterns_text
from attio_mcp.tools import ALL_TOOLS
from tests.skills.helpers import call_ok, read_text

pytestmark = pytest.mark.anyio

CALL = re.compile(r"`([a-z][a-z0-9_]*) (\{[^`]*\})`")

PROMPT_ARGS: dict[str, list[dict[str, str]]] = {
    "deal_pipeline": [
        {"deal_name": "Acme - Q4", "company_name": "Acme"},
        {"deal_name": "Acme - Q4", "company_name": 'Acme "Inc"', "stage": "Discovery", "deal_value": "50000"},
    ],
    "list_organization": [{}, {"resource_type": "deals", "list_name": "active_deals"}],
    "lead_qualification": [
        {"company_name": "Acme"},
        {"company_name": "Acme", "domain": "acme.com", "source": "Referral"},
    ],
    "bulk_import": [
        {"resource_type": "companies"},
        {"resource_type": "people", "matching_attribute": "email_addresses"},
    ],
    "deal_stage_automation": [
        {"stage": "Discovery"},
        {"stage": "Discovery", "next_stage": "Proposal Sent", "rule": "7 days"},
    ],
    "data_enrichment": [{}, {"resource_type": "people", "list_name": "enrichment_queue"}],
    "account_brief": [{"company_name": "Acme"}, {"company_name": 'Acme "Inc"', "focus": "pricing"}],
}


async def every_text(mcp: Client) -> dict[str, str]:
    """Every skill document (live, from the sandbox) and every prompt rendering, by a readable key."""
    texts = {uri: await read_text(mcp, uri) for uri in (PATTERNS_URI, SCHEMA_URI, LISTS_URI)}
    for obj in (await call_ok(mcp, "objects_list"))["objects"]:
        uri = OBJECT_URI_TEMPLATE.replace("{object}", obj["slug"])
        texts[uri] = await read_text(mcp, uri)
    for name, variants in PROMPT_ARGS.items():
        for i, args in enumerate(variants):
            result = await mcp.get_prompt(name, args)
            texts[f"prompt {name} #{i}"] = "\n".join(m.content.text for m in result.messages)
    return texts


def test_extractor_finds_calls_and_tool_family_words() -> None:
    text = (
        'Call `records_create {"data":{}}`, then lists_get_all and `whoami`; `not_a_tool {"x":1}` too. '
        "Not tools: list_id, `matching_attribute`, attio://skills/workspace-schema/lists.md, has_more."
    )
    assert tool_mentions(text) == {"records_create", "lists_get_all", "whoami", "not_a_tool"}
    assert tool_mentions("renamed: records_find and list_entries_create") == {
        "records_find",
        "list_entries_create",
    }


async def test_every_tool_named_in_skills_and_prompts_exists(mcp: Client) -> None:
    registered = set(ALL_TOOLS)
    listed = {t.name for t in (await mcp.list_tools()).tools}
    assert listed == registered
    seen: set[str] = set()
    for where, text in (await every_text(mcp)).items():
        mentioned = tool_mentions(text)
        assert mentioned <= registered, f"{where} names unknown tools: {sorted(mentioned - registered)}"
        seen |= mentioned
    # The guide actually exercises the toolset (guards against an extractor that finds nothing).
    assert tool_mentions(patterns_text(MCP_LINKS)) >= {
        "records_search", "records_get", "records_create", "records_update", "records_upsert", "records_import",
        "records_get_entries", "objects_list", "attributes_list", "attribute_options", "whoami",
        "lists_get_all", "lists_get", "list_entries_get", "list_entries_filter", "list_entries_add",
        "list_entries_update", "list_entries_remove", "notes_create", "tasks_create",
    }  # fmt: skip
    assert len(seen) >= 20


async def test_example_calls_fit_the_tool_input_schemas(mcp: Client) -> None:
    schemas = {t.name: t.input_schema for t in (await mcp.list_tools()).tools}
    checked = 0
    for where, text in (await every_text(mcp)).items():
        for match in CALL.finditer(text):
            name, payload = match[1], match[2]
            assert name in schemas, f"{where}: unknown tool {name}"
            args: dict[str, Any] = json.loads(payload)  # every example payload is valid JSON
            unknown = set(args) - set(schemas[name].get("properties", {}))
            assert not unknown, f"{where}: {name} has no parameter(s) {sorted(unknown)}"
            jsonschema.validate(args, schemas[name])
            checked += 1
    assert checked >= 40


def test_patterns_guide_is_compact_and_fully_linked() -> None:
    text = patterns_text(MCP_LINKS)
    assert len(text.encode()) < 12_000
    assert "[[" not in text
    for heading in ("Deal pipeline", "List-based organisation", "Lead qualification", "Bulk import",
                    "Deal stage automation", "Data enrichment", "Error handling"):  # fmt: skip
        assert f". {heading}\n" in text
    assert SCHEMA_URI in text and LISTS_URI in text and "deals-attributes.md" in text


async def test_deal_pipeline_pattern_runs_as_written(mcp: Client) -> None:
    """Section 1 of the guide, executed call by call against the sandbox with its placeholders filled in."""
    guide = patterns_text(MCP_LINKS)
    part = guide[guide.index("## 1. Deal pipeline") : guide.index("## 2.")]
    lists = {lst["api_slug"]: lst["id"] for lst in (await call_ok(mcp, "lists_get_all"))["lists"]}
    member = (await call_ok(mcp, "members_list"))["members"][1]["email"]
    filled = {"<active deals list id>": lists["active_deals"], "<member email>": member}
    calls = [(m[1], m[2]) for m in CALL.finditer(part)]
    assert [name for name, _ in calls] == [
        "records_search", "records_search", "records_create", "list_entries_add", "tasks_create",
        "notes_create", "records_update",
    ]  # fmt: skip
    for name, payload in calls:
        for placeholder, value in filled.items():
            payload = payload.replace(placeholder, value)
        assert "<" not in payload, payload
        out = await call_ok(mcp, name, json.loads(payload))
        if name == "records_search" and "<company id>" not in filled:
            filled["<company id>"] = out["records"][0]["id"]
        if name == "records_create":
            filled["<deal id>"] = out["id"]
    deal = await call_ok(mcp, "records_get", {"resource_type": "deals", "record_id": filled["<deal id>"]})
    assert deal["stage"] == "Proposal Sent" and deal["company"]
    entries = await call_ok(mcp, "records_get_entries", {"resource_type": "deals", "record_id": deal["id"]})
    assert [e["list_id"] for e in entries["entries"]] == [lists["active_deals"]]
    notes = await call_ok(mcp, "notes_list", {"parent_object": "deals", "parent_record_id": deal["id"]})
    assert [n["title"] for n in notes["notes"]] == ["Opportunity context"]
