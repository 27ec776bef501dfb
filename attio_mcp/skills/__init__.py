"""Skills: the integration-patterns guide, the live workspace-schema documents and the workflow prompts.

``register_skills(server)`` adds them to an ``MCPServer`` as resources and prompts; ``export_skills``
writes the same documents as Claude skill folders.
"""

from __future__ import annotations

from typing import Any

from attio_mcp.skills._collect import WorkspaceSnapshot, load_index, load_lists, load_object, load_snapshot
from attio_mcp.skills._export import SKILL_NAMES, ExportError, build_skill_files, export_skills, write_tree
from attio_mcp.skills._links import (
    LISTS_URI,
    MCP_LINKS,
    OBJECT_URI_TEMPLATE,
    PATTERNS_URI,
    SCHEMA_URI,
    Links,
    safe_file_stem,
)
from attio_mcp.skills._mentions import tool_mentions
from attio_mcp.skills._prompts import PROMPTS, register_prompts
from attio_mcp.skills._render import render_index, render_lists, render_object
from attio_mcp.skills._resources import register_resources
from attio_mcp.skills._text import patterns_source, patterns_text

__all__ = [
    "LISTS_URI",
    "MCP_LINKS",
    "OBJECT_URI_TEMPLATE",
    "PATTERNS_URI",
    "PROMPTS",
    "SCHEMA_URI",
    "SKILL_NAMES",
    "ExportError",
    "Links",
    "WorkspaceSnapshot",
    "build_skill_files",
    "export_skills",
    "load_index",
    "load_lists",
    "load_object",
    "load_snapshot",
    "patterns_source",
    "patterns_text",
    "register_skills",
    "render_index",
    "render_lists",
    "render_object",
    "safe_file_stem",
    "tool_mentions",
    "write_tree",
]


def register_skills(server: Any) -> None:
    """Add the skill resources, the resource template and the workflow prompts to ``server``."""
    register_resources(server)
    register_prompts(server)
