"""MCP tools, one module per family, all listed in ``ALL_TOOLS``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from attio_mcp.tools._registry import (
    ALL_TOOLS,
    ToolSpec,
    compact_input_schema,
    compact_output_schema,
    select_tools,
    workspace_of,
)
from attio_mcp.toolsets import TOOLSETS

# Importing a family module registers its tools in ALL_TOOLS, in this order within a toolset.
# isort: off
from attio_mcp.tools import records, lists, entries, notes, tasks, members, schema, bulk  # noqa: F401
from attio_mcp.tools import comments, meetings, timeline  # noqa: F401
from attio_mcp.tools import reports  # noqa: F401
from attio_mcp.tools import search  # noqa: F401
# isort: on

__all__ = [
    "ALL_TOOLS",
    "TOOLSETS",
    "ToolSpec",
    "compact_input_schema",
    "compact_output_schema",
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
