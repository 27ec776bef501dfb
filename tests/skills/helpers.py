"""Helpers shared by the skill tests: read a resource, call a tool, parse markdown tables."""

from __future__ import annotations

import re
from typing import Any

from mcp import Client


async def read_text(client: Client, uri: str) -> str:
    """The text of a resource, asserting it is one markdown document."""
    result = await client.read_resource(uri)
    assert len(result.contents) == 1
    content = result.contents[0]
    assert content.mime_type == "text/markdown"
    return content.text


async def call_ok(client: Client, name: str, args: dict[str, Any] | None = None) -> dict[str, Any]:
    result = await client.call_tool(name, args or {})
    assert not result.is_error, result.content[0].text if result.content else name
    assert isinstance(result.structured_content, dict)
    return result.structured_content


_SPLIT = re.compile(r"(?<!\\)\|")


def table_rows(markdown: str) -> list[list[str]]:
    """Every markdown table body row as its cells (header and separator rows dropped)."""
    rows: list[list[str]] = []
    lines = markdown.splitlines()
    for i, line in enumerate(lines):
        if not line.startswith("|") or set(line) <= {"|", "-"}:
            continue
        if i + 1 < len(lines) and set(lines[i + 1]) <= {"|", "-"} and lines[i + 1]:
            continue  # a header row
        cells = [c.strip().replace("\\|", "|") for c in _SPLIT.split(line)[1:-1]]
        rows.append(cells)
    return rows


def section(markdown: str, heading_prefix: str) -> str:
    """The text of the ``##`` section whose heading starts with ``heading_prefix``."""
    parts = re.split(r"(?m)^## ", markdown)
    for part in parts[1:]:
        if part.startswith(heading_prefix):
            return part
    raise AssertionError(f"no section {heading_prefix!r}")
