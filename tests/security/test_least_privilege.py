"""Least privilege through the real CLI over stdio: read-only, toolsets and no-destructive modes."""

from __future__ import annotations

import sys

import pytest
from mcp import Client, StdioServerParameters

from attio_mcp.tools import ALL_TOOLS

pytestmark = pytest.mark.anyio

WRITE_TOOLS = sorted(n for n, s in ALL_TOOLS.items() if not s.read_only)
DESTRUCTIVE = sorted(n for n, s in ALL_TOOLS.items() if s.destructive)


def _params(*flags: str, **env: str) -> StdioServerParameters:
    return StdioServerParameters(
        command=sys.executable,
        args=["-m", "attio_mcp", "--sandbox", *flags],
        env={"PATH": "/usr/bin:/bin", **env},
    )


async def _refused(client: Client, name: str) -> None:
    result = await client.call_tool(name, {"resource_type": "companies", "data": {"name": "x"}})
    assert result.is_error and result.content[0].text.startswith(f"NOT_FOUND: unknown tool {name!r}")


@pytest.mark.parametrize("how", ["flag", "env"])
async def test_read_only_exposes_and_runs_only_read_tools(how: str) -> None:
    params = _params("--read-only") if how == "flag" else _params(ATTIO_MCP_READ_ONLY="1")
    async with Client(params) as client:
        tools = (await client.list_tools()).tools
        assert {t.name for t in tools} == {n for n, s in ALL_TOOLS.items() if s.read_only}
        assert all(t.annotations.read_only_hint and not t.annotations.destructive_hint for t in tools)
        for name in WRITE_TOOLS:
            await _refused(client, name)
        assert not (
            await client.call_tool("records_search", {"resource_type": "companies", "limit": 1})
        ).is_error


async def test_toolsets_and_no_destructive() -> None:
    async with Client(_params("--toolsets", "schema,members", "--disable-destructive")) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert names == {n for n, s in ALL_TOOLS.items() if s.toolset in ("schema", "members")}
        await _refused(client, "records_create")
    async with Client(_params(ATTIO_MCP_DISABLE_DESTRUCTIVE="true")) as client:
        tools = (await client.list_tools()).tools
        assert DESTRUCTIVE and not {t.name for t in tools} & set(DESTRUCTIVE)
        assert not any(t.annotations.destructive_hint for t in tools)
        for name in DESTRUCTIVE:
            await _refused(client, name)
        assert "records_create" in {t.name for t in tools}
