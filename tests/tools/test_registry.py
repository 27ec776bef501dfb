"""Guard tests over every registered tool, plus tools/list snapshots so descriptions cannot drift."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import httpx
import pytest
from mcp import Client

from attio_mcp.sandbox import create_app
from attio_mcp.server.app import build_server
from attio_mcp.server.settings import Settings
from attio_mcp.tools import ALL_TOOLS, TOOLSETS

SNAPSHOTS = Path(__file__).parent / "snapshots"
# name + description + inputSchema of the full toolset, as a client sends it to a model; the reports toolset
# (#17) may add 2,500 B
# The base tools, the reports toolset and the activity toolsets (comments, meetings, calls, timeline).
BUDGET_BYTES = 15_000 + 2_500 + 4_000


@pytest.fixture(scope="module")
def listed() -> list[dict[str, Any]]:
    import anyio

    async def fetch() -> list[dict[str, Any]]:
        server = build_server(
            Settings(sandbox=True), transport=httpx.ASGITransport(app=create_app(seed=False))
        )
        async with Client(server) as client:
            tools = (await client.list_tools()).tools
            return [t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in tools]

    return anyio.run(fetch)


def test_names_toolsets_and_descriptions() -> None:
    assert len(ALL_TOOLS) >= 20
    for name, spec in ALL_TOOLS.items():
        assert spec.toolset in TOOLSETS
        assert TOOLSETS[spec.toolset].names_tool(name), (name, TOOLSETS[spec.toolset].nouns)
        assert spec.title and spec.title[0].isupper(), name
        assert 10 <= len(spec.description) <= 160, (name, spec.description)
        assert spec.description[0].isupper() and spec.description.endswith("."), name


def test_annotations_are_consistent() -> None:
    for name, spec in ALL_TOOLS.items():
        if spec.read_only:
            assert spec.idempotent and not spec.destructive, name
        if name.endswith(("_delete", "_remove")):
            assert spec.destructive, name


def test_wire_tools_have_hints_and_flat_schemas(listed: list[dict[str, Any]]) -> None:
    for tool in listed:
        hints = tool["annotations"]
        for key in ("readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"):
            assert key in hints, (tool["name"], key)
        schema = tool["inputSchema"]
        assert schema["type"] == "object"
        assert not {"anyOf", "oneOf", "allOf"} & set(schema), tool["name"]
        for pname, prop in schema.get("properties", {}).items():
            desc = prop.get("description", "")
            assert len(desc) <= 100, (tool["name"], pname, desc)


def test_footprint_within_budget(listed: list[dict[str, Any]]) -> None:
    size = sum(
        len(
            json.dumps(
                {k: t[k] for k in ("name", "description", "inputSchema") if k in t}, separators=(",", ":")
            )
        )
        for t in listed
    )
    assert size <= BUDGET_BYTES, f"tools/list costs {size} bytes of name+description+inputSchema"


def test_snapshots(listed: list[dict[str, Any]]) -> None:
    SNAPSHOTS.mkdir(exist_ok=True)
    seen = set()
    for tool in listed:
        path = SNAPSHOTS / f"{tool['name']}.json"
        seen.add(path.name)
        got = json.dumps(tool, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        if os.environ.get("UPDATE_SNAPSHOTS"):
            path.write_text(got)
            continue
        assert path.exists(), f"missing snapshot {path.name}; run UPDATE_SNAPSHOTS=1 pytest tests/tools"
        assert json.loads(path.read_text()) == tool, f"{tool['name']} changed; review and UPDATE_SNAPSHOTS=1"
    stale = {p.name for p in SNAPSHOTS.glob("*.json")} - seen
    assert not stale, f"snapshots for tools that no longer exist: {sorted(stale)}"
