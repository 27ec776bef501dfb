"""Skills: the integration-patterns guide, the live workspace-schema documents and the workflow prompts.

``register_skills(server)`` adds them to an ``MCPServer`` as resources and prompts; ``export_skills``
writes the same documents as Claude skill folders.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from attio_mcp.skills._export import ExportError, export_skills
from attio_mcp.skills._prompts import register_prompts
from attio_mcp.skills._resources import register_resources

__all__ = ["ExportError", "export_skills", "register_skills"]


def register_skills(server: Any, *, hidden_tools: Collection[str] = ()) -> None:
    """Add the skill resources, the resource template and the workflow prompts to ``server``; a prompt that
    walks through a tool in ``hidden_tools`` (one the server does not offer) is left out."""
    register_resources(server)
    register_prompts(server, hidden_tools=hidden_tools)
