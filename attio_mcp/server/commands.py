"""Sub-commands that live in their own modules: each exposes ``add_parser(subparsers)`` and ``run(args)``."""

from __future__ import annotations

import importlib
from types import ModuleType

# command name -> module under attio_mcp.server
_MODULES: dict[str, str] = {
    "skills": "cmd_skills",
}


def modules() -> dict[str, ModuleType]:
    return {name: importlib.import_module(f"attio_mcp.server.{mod}") for name, mod in _MODULES.items()}
