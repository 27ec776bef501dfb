"""Running the server over stdio or streamable HTTP."""

from __future__ import annotations

import logging

from attio_mcp.server.app import build_server
from attio_mcp.server.settings import Settings

logger = logging.getLogger("attio_mcp.server")


def serve(settings: Settings) -> None:
    """Block serving MCP on the configured transport."""
    server = build_server(settings)
    if settings.transport == "stdio":
        server.run()
        return
    from attio_mcp.server.http import run_http

    run_http(server, settings)
