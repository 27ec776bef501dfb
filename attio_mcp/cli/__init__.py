"""The ``attio-mcp`` command line: ``main`` is the console script (``python -m attio_mcp`` runs it too)."""

from attio_mcp.cli._app import COMMANDS, build_parser, main

__all__ = ["COMMANDS", "build_parser", "main"]
