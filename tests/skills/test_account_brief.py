"""The account-brief prompt and pattern 8 name real tools and run as written against the demo workspace."""

from __future__ import annotations

import json
import re

import pytest
from mcp import Client

from attio_mcp.skills._links import MCP_LINKS, SCHEMA_URI
from attio_mcp.skills._text import patterns_text
from tests.skills.helpers import call_ok, read_text

pytestmark = pytest.mark.anyio

CALL = re.compile(r"`([a-z][a-z0-9_]*) (\{[^`]*\})`")


async def _ids(mcp: Client) -> dict[str, str]:
    """Placeholder -> a real value, read from Acme's timeline."""
    acme = (await call_ok(mcp, "records_search", {"resource_type": "companies", "query": "Acme"}))["records"][
        0
    ]["id"]
    items = (
        await call_ok(
            mcp, "records_timeline", {"resource_type": "companies", "record_id": acme, "limit": 100}
        )
    )["items"]
    recording = next(i for i in items if i["kind"] == "recording")
    return {
        "<company id>": acme,
        "<deal id>": next(i["id"] for i in items if i.get("object") == "deals"),
        "<meeting id>": recording["meeting_id"],
        "<recording id>": recording["id"],
        "<note id>": next(i["id"] for i in items if i["kind"] == "note"),
    }


async def _run(mcp: Client, text: str, filled: dict[str, str]) -> list[str]:
    names = []
    for match in CALL.finditer(text):
        payload = match[2]
        for placeholder, value in filled.items():
            payload = payload.replace(placeholder, value)
        assert "<" not in payload, payload
        await call_ok(mcp, match[1], json.loads(payload))
        names.append(match[1])
    return names


async def test_account_brief_prompt_runs_as_written(mcp: Client) -> None:
    result = await mcp.get_prompt("account_brief", {"company_name": "Acme Inc", "focus": "pricing"})
    text = result.messages[0].content.text
    filled = await _ids(mcp)
    names = await _run(mcp, text, filled)
    assert names == [
        "records_search",
        "records_timeline",
        "records_get",
        "meetings_get",
        "call_transcript_get",
    ]
    assert '"query":"pricing"' in text and "section 8" in text
    plain = (await mcp.get_prompt("account_brief", {"company_name": "Acme"})).messages[0].content.text
    assert '"query":"next steps"' in plain


async def test_pattern_8_runs_as_written(mcp: Client) -> None:
    guide = patterns_text(MCP_LINKS)
    part = guide[guide.index("## 8. Account activity") :]
    names = await _run(mcp, part, await _ids(mcp))
    assert names == [
        "records_search", "records_timeline", "meetings_get", "comments_list", "notes_get", "call_transcript_get",
        "comments_create",
    ]  # fmt: skip


async def test_schema_index_points_at_the_activity_tools(mcp: Client) -> None:
    text = await read_text(mcp, SCHEMA_URI)
    assert "## Activity" in text and "records_timeline" in text and "call_transcript_get" in text
