"""The hand-written integration-patterns guide, shipped as ``integration-patterns.md`` in this package."""

from __future__ import annotations

from functools import cache
from importlib import resources

from attio_mcp.skills._links import Links

__all__ = ["patterns_source", "patterns_text"]


@cache
def patterns_source() -> str:
    """The guide as written, with ``[[...]]`` references unexpanded."""
    return resources.files("attio_mcp.skills").joinpath("integration-patterns.md").read_text(encoding="utf-8")


def patterns_text(links: Links) -> str:
    """The guide with its references pointing at ``links`` (MCP URIs or exported files)."""
    return links.expand(patterns_source())
