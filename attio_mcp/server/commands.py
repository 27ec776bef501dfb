"""Sub-commands that live in their own modules: each exposes ``add_parser(subparsers)`` and ``run(args)``."""

from __future__ import annotations

import importlib
from types import ModuleType

# command name -> module under attio_mcp.server
_MODULES: dict[str, str] = {
    "import": "cmd_import",
    "skills": "cmd_skills",
    "demo": "cmd_demo",
    "doctor": "cmd_doctor",
    "install-claude": "cmd_install",
}


def modules() -> dict[str, ModuleType]:
    return {name: importlib.import_module(f"attio_mcp.server.{mod}") for name, mod in _MODULES.items()}
