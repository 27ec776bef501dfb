"""The skill resources read through a real MCP client against the seeded sandbox."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError

from attio_mcp.skills._links import LISTS_URI, OBJECT_URI_TEMPLATE, PATTERNS_URI, SCHEMA_URI
from tests.skills.helpers import call_ok, read_text, section, table_rows

pytestmark = pytest.mark.anyio


def object_uri(slug: str) -> str:
    return OBJECT_URI_TEMPLATE.replace("{object}", slug)


async def all_options(mcp: Client, attr: dict[str, Any], **target: str) -> list[str]:
    if "options" in attr:
        return attr["options"]
    if "options_count" in attr:
        return (await call_ok(mcp, "attribute_options", {**target, "attribute": attr["slug"]}))["options"]
    return []


def check_attribute_rows(markdown: str, attributes: list[dict[str, Any]], *, unique_column: bool) -> None:
    """Every attribute has one table row with the right title, type and flags."""
    rows = {r[1].strip("`"): r for r in table_rows(markdown) if len(r) >= 6 and r[1].startswith("`")}
    assert set(rows) == {a["slug"] for a in attributes}
    for attr in attributes:
        row = rows[attr["slug"]]
        title, _, type_cell, multi, required = row[:5]
        writable = row[-1]
        assert title == attr["title"]
        assert type_cell.split(" ")[0] == attr["type"]
        for target in attr.get("targets", ()):
            assert target in type_cell
        assert multi == ("yes" if attr.get("multi") else "no")
        assert required.startswith("yes" if attr.get("required") else "no")
        assert writable == ("no" if attr.get("writable") is False else "yes")
        if unique_column:
            assert row[5] == ("yes" if attr.get("unique") else "no")


async def test_resources_and_template_are_listed(mcp: Client) -> None:
    listed = {str(r.uri): r for r in (await mcp.list_resources()).resources}
    assert set(listed) >= {PATTERNS_URI, SCHEMA_URI, LISTS_URI}
    assert all(listed[u].mime_type == "text/markdown" for u in (PATTERNS_URI, SCHEMA_URI, LISTS_URI))
    assert all(listed[u].description for u in (PATTERNS_URI, SCHEMA_URI, LISTS_URI))
    templates = {t.uri_template: t for t in (await mcp.list_resource_templates()).resource_templates}
    assert OBJECT_URI_TEMPLATE in templates
    assert templates[OBJECT_URI_TEMPLATE].mime_type == "text/markdown"


async def test_schema_index_has_list_ids_objects_and_members(mcp: Client) -> None:
    text = await read_text(mcp, SCHEMA_URI)
    lists = (await call_ok(mcp, "lists_get_all"))["lists"]
    assert {lst["api_slug"] for lst in lists} >= {
        "prospecting", "qualified", "customers", "active_deals", "q4_pipeline",
        "discovery_stage", "proposal_stage", "enrichment_queue", "target_accounts",
    }  # fmt: skip
    rows = {r[1].strip("`"): r for r in table_rows(section(text, "Lists"))}
    for lst in lists:
        name, _, list_id, parents = rows[lst["api_slug"]]
        assert list_id == f"`{lst['id']}`"
        assert name == lst["name"]
        assert parents == ", ".join(f"`{p}`" for p in lst["parent_object"])

    objects = (await call_ok(mcp, "objects_list"))["objects"]
    object_rows = {r[1].strip("`"): r for r in table_rows(section(text, "Objects"))}
    assert set(object_rows) == {o["slug"] for o in objects}
    assert "projects" in object_rows
    for slug, row in object_rows.items():
        assert row[4] == f"`{object_uri(slug)}`"
    assert "`domains`" in object_rows["companies"][3]
    assert "`email_addresses`" in object_rows["people"][3]
    assert object_rows["deals"][3] == "—"
    assert (
        "`name`" in object_rows["deals"][2] and "stage" not in object_rows["deals"][2]
    )  # stage has a default

    members = (await call_ok(mcp, "members_list"))["members"]
    member_rows = {r[2].strip("`"): r for r in table_rows(section(text, "Members"))}
    assert set(member_rows) == {m["id"] for m in members}
    for m in members:
        assert member_rows[m["id"]][1] == m["email"]
        assert member_rows[m["id"]][0] == m["name"]
    assert LISTS_URI in text and PATTERNS_URI in text


async def test_every_object_file_lists_every_attribute_with_type_and_options(mcp: Client) -> None:
    objects = (await call_ok(mcp, "objects_list"))["objects"]
    assert {"people", "companies", "deals", "users", "workspaces", "projects"} <= {o["slug"] for o in objects}
    for obj in objects:
        slug = obj["slug"]
        text = await read_text(mcp, object_uri(slug))
        assert text.startswith(f"# `{slug}` attributes")
        assert obj["id"] in text
        attributes = (await call_ok(mcp, "attributes_list", {"resource_type": slug}))["attributes"]
        check_attribute_rows(text, attributes, unique_column=True)
        for attr in attributes:
            options = await all_options(mcp, attr, resource_type=slug)
            if attr["type"] not in ("select", "status"):
                continue
            line = next(ln for ln in text.splitlines() if ln.startswith(f"- `{attr['slug']}` ("))
            assert f"({attr['type']}" in line
            for option in options:
                assert option in line


async def test_object_files_explain_write_formats_and_pitfalls(mcp: Client) -> None:
    companies = await read_text(mcp, object_uri("companies"))
    people = await read_text(mcp, object_uri("people"))
    deals = await read_text(mcp, object_uri("deals"))
    projects = await read_text(mcp, object_uri("projects"))

    upsert = re.search(r"`records_upsert (\{.*?\})`", companies)
    assert upsert is not None
    assert json.loads(upsert[1])["matching_attribute"] == "domains"
    assert '- domain: `"domains": ["acme.com"]`' in companies
    assert '- location: `"primary_location": {' in companies
    assert '- currency: `"annual_revenue": 50000`: a plain amount in USD' in companies

    assert '- personal-name: `"name": "Ada Lovelace"`' in people
    assert "match people by email" in people
    assert "email-address:" in people and "phone-number:" in people

    assert "`deals` has no unique attribute" in deals
    assert '- record-reference: `"company": "<companies record id>"`' in deals
    assert '- status: `"stage"' in deals
    assert "Required with a default: `stage`, `owner`" in deals
    assert "Closed Won" in section(deals, "Options")

    # Only the types an object has get a write-format line.
    formats = section(projects, "Write formats")
    assert "personal-name" not in formats and "domain:" not in formats and "email-address" not in formats
    assert "phone-number:" in formats and "timestamp:" in formats and "actor-reference:" in formats


async def test_lists_file_has_ids_entry_attributes_and_options(mcp: Client) -> None:
    text = await read_text(mcp, LISTS_URI)
    for summary in (await call_ok(mcp, "lists_get_all"))["lists"]:
        detail = await call_ok(mcp, "lists_get", {"list_id": summary["id"]})
        part = section(text, f"{detail['name']} (`{detail['api_slug']}`)")
        assert f"List ID `{detail['id']}`" in part
        for parent in detail["parent_object"]:
            assert object_uri(parent) in part
        live = detail["attributes"]
        if not live:
            assert "No entry attributes." in part
            continue
        check_attribute_rows(part, live, unique_column=False)
        for attr in live:
            for option in await all_options(mcp, attr, list_id=detail["id"]):
                line = next(ln for ln in part.splitlines() if ln.startswith(f"- `{attr['slug']}` ("))
                assert option in line


async def test_unknown_or_hostile_object_is_not_found(mcp: Client) -> None:
    with pytest.raises(MCPError) as err:
        await mcp.read_resource(object_uri("dealz"))
    assert str(err.value).startswith("NOT_FOUND: no object 'dealz'")
    assert "deals" in str(err.value)  # did-you-mean
    for hostile in ("..%2Fx", "%2Fetc%2Fpasswd"):
        with pytest.raises(MCPError):
            await mcp.read_resource(object_uri(hostile))


async def test_schema_reads_reuse_the_schema_cache(mcp: Client, sandbox_app: Any) -> None:
    requests: list[str] = []  # paths of the requests that reach the sandbox

    async def counting(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            requests.append(scope["path"])
        await inner(scope, receive, send)

    inner = sandbox_app.middleware_stack or sandbox_app.build_middleware_stack()
    sandbox_app.middleware_stack = counting
    first = await read_text(mcp, SCHEMA_URI)
    after_first = len(requests)
    assert after_first > 0
    second = await read_text(mcp, SCHEMA_URI)
    assert second == first
    assert len(requests) == after_first  # served from the SchemaCache and the members cache
    await read_text(mcp, object_uri("deals"))
    assert len(requests) == after_first
