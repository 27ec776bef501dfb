"""Command line: ``attio-mcp [serve]``, ``attio-mcp sandbox serve`` and the helper commands.

One module per command (``cmd_*.py``), each with ``add_parser(subparsers)`` and ``run(args) -> int``, listed
in ``COMMANDS``. Commands share ``attio_mcp.cli.common`` (stderr logging, settings); none imports this module.
Settings errors become one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any, Protocol

from attio_mcp import __version__
from attio_mcp.cli import (
    cmd_demo,
    cmd_doctor,
    cmd_import,
    cmd_index,
    cmd_install,
    cmd_sandbox,
    cmd_serve,
    cmd_skills,
)
from attio_mcp.server.settings import SettingsError


class Command(Protocol):
    """What a command module provides."""

    def add_parser(self, subparsers: Any) -> object: ...

    def run(self, args: argparse.Namespace) -> int: ...


# Command name -> module, in the order ``--help`` lists them. With no command, ``serve`` runs.
COMMANDS: dict[str, Command] = {
    "serve": cmd_serve,
    "sandbox": cmd_sandbox,
    "import": cmd_import,
    "index": cmd_index,
    "skills": cmd_skills,
    "demo": cmd_demo,
    "doctor": cmd_doctor,
    "install-claude": cmd_install,
}
DEFAULT_COMMAND = "serve"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="attio-mcp",
        description="MCP server for the Attio CRM. With no command, serves MCP over stdio.",
        parents=[cmd_serve.serve_flags()],
    )
    parser.add_argument("--version", action="version", version=f"attio-mcp {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS.values():
        command.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """The ``attio-mcp`` console script; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        return int(COMMANDS[args.command or DEFAULT_COMMAND].run(args))
    except SettingsError as exc:
        sys.stderr.write(f"attio-mcp: {exc}\n")
        return 2
    except KeyboardInterrupt:
        return 130
