"""MCP tools, one module per family, all listed in ``ALL_TOOLS``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# Importing each family registers its tools in ALL_TOOLS (select_tools orders them by family).
from attio_mcp.tools import records, lists, entries, notes, tasks, members, schema, bulk  # noqa: F401, I001
from attio_mcp.tools._registry import (
    ALL_TOOLS,
    TOOLSETS,
    ToolSpec,
    compact_input_schema,
    select_tools,
    workspace_of,
)

__all__ = [
    "ALL_TOOLS",
    "TOOLSETS",
    "ToolSpec",
    "compact_input_schema",
    "register_tools",
    "select_tools",
    "workspace_of",
]


def register_tools(
    server: Any,
    *,
    toolsets: Iterable[str] | None = None,
    read_only: bool = False,
    disable_destructive: bool = False,
) -> list[ToolSpec]:
    """Add the selected tools to an ``MCPServer``; returns what was added."""
    chosen = select_tools(toolsets=toolsets, read_only=read_only, disable_destructive=disable_destructive)
    for spec in chosen:
        server.add_tool(
            spec.fn,
            name=spec.name,
            title=spec.title,
            description=spec.description,
            annotations=spec.annotations,
        )
    return chosen
