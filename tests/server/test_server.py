"""The assembled server: version, tool selection, machine-coded protocol-level errors, stdio."""

from __future__ import annotations

import sys

import httpx
import pytest
from mcp import Client, StdioServerParameters

from attio_mcp import __version__
from attio_mcp.sandbox import create_app
from attio_mcp.server.app import build_server
from attio_mcp.server.settings import Settings
from attio_mcp.tools import ALL_TOOLS

pytestmark = pytest.mark.anyio


def _server(**kw: object):  # type: ignore[no-untyped-def]
    return build_server(Settings(sandbox=True, **kw), transport=httpx.ASGITransport(app=create_app()))


async def test_lists_tools_and_reports_package_version() -> None:
    async with Client(_server()) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert "whoami" in names and names == set(ALL_TOOLS)
        assert client.server_info.version == __version__


async def test_whoami_against_sandbox() -> None:
    async with Client(_server()) as client:
        result = await client.call_tool("whoami", {})
        assert not result.is_error, result.content
        assert result.structured_content["workspace"]["name"]


async def test_read_only_lists_only_read_tools() -> None:
    async with Client(_server(read_only=True)) as client:
        tools = (await client.list_tools()).tools
        assert tools and all(t.annotations.read_only_hint for t in tools)
        writes = [n for n, s in ALL_TOOLS.items() if not s.read_only]
        assert writes, "expected write tools to exist"
        result = await client.call_tool(writes[0], {})
        assert result.is_error and result.content[0].text.startswith("NOT_FOUND: unknown tool")


async def test_toolsets_and_destructive_filters() -> None:
    async with Client(_server(toolsets=("schema",))) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert names == {n for n, s in ALL_TOOLS.items() if s.toolset == "schema"}
    async with Client(_server(disable_destructive=True)) as client:
        tools = (await client.list_tools()).tools
        assert not any(t.annotations.destructive_hint for t in tools)


async def test_bad_arguments_get_validation_error_code() -> None:
    async with Client(_server()) as client:
        result = await client.call_tool("attribute_options", {"attribute": 123456})
        assert result.is_error
        assert result.content[0].text.startswith("VALIDATION_ERROR: invalid arguments for attribute_options")


async def test_stdio_subprocess_lists_tools() -> None:
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "attio_mcp"],
        env={"ATTIO_API_KEY": "dummy-key-for-listing", "PATH": "/usr/bin:/bin"},
    )
    async with Client(params) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert "whoami" in names
        assert client.server_info.version == __version__
