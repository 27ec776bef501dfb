"""Layers only point down: tools -> workspace -> attio client -> HTTP; the sandbox stands alone; one settings reader."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "attio_mcp"

# What sits above the Attio client and the workspace logic: neither may import any of it.
_ABOVE = ("attio_mcp.tools", "attio_mcp.server", "attio_mcp.cli", "attio_mcp.skills", "attio_mcp.sandbox")

FORBIDDEN = {
    "attio": ("mcp", "attio_mcp.workspace", *_ABOVE),
    "workspace": ("mcp", "httpx", *_ABOVE),
    "tools": ("httpx", "attio_mcp.server", "attio_mcp.cli", "attio_mcp.sandbox"),
    "skills": ("httpx", "attio_mcp.sandbox"),
    "sandbox": ("attio_mcp.attio", "attio_mcp.tools", "attio_mcp.server", "attio_mcp.skills", "mcp"),
    "server": ("attio_mcp.cli",),  # the command line sits on top of the server, never below it
    # Shared state (Redis limiter, sealed store) serves the server and the client's limiter seam only.
    "state": ("mcp", "attio_mcp.workspace", *_ABOVE),
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _modules(sub: str) -> list[Path]:
    return sorted((PACKAGE / sub).rglob("*.py"))


@pytest.mark.parametrize("sub", sorted(FORBIDDEN))
def test_layer_imports(sub: str) -> None:
    bad = []
    for path in _modules(sub):
        for name in _imports(path):
            if any(name == f or name.startswith(f + ".") for f in FORBIDDEN[sub]):
                bad.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert not bad, "\n".join(bad)


def test_only_settings_reads_the_environment() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path == PACKAGE / "server" / "settings.py":
            continue
        text = path.read_text()
        if "os.environ" in text or "os.getenv" in text or "getenv(" in text:
            offenders.append(str(path.relative_to(PACKAGE)))
    assert not offenders, offenders


def test_no_print_in_package() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path.parent == PACKAGE / "cli" and path.name.startswith("cmd_"):
            continue  # CLI sub-commands may print their result to stdout
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert not offenders, offenders


def test_cli_commands_do_not_import_the_entry_point() -> None:
    """The command table imports every ``cli/cmd_*.py``; none of them imports the table back."""
    entry = {"attio_mcp.cli", "attio_mcp.cli._app"}
    offenders = []
    for path in sorted((PACKAGE / "cli").glob("*.py")):
        if path.name in ("__init__.py", "_app.py"):
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module in entry:
                offenders.append(f"{path.name}: from {node.module} import …")
            elif isinstance(node, ast.Import) and any(a.name in entry for a in node.names):
                offenders.append(f"{path.name}: import {', '.join(a.name for a in node.names)}")
    assert not offenders, offenders


def test_private_tool_modules_stay_inside_tools() -> None:
    """Outside ``tools/`` only its public surface (``attio_mcp.tools``) and family modules are imported."""
    offenders = []
    for root in (PACKAGE, PACKAGE.parent / "benchmarks", PACKAGE.parent / "scripts"):
        for path in sorted(root.rglob("*.py")):
            if (PACKAGE / "tools") in path.parents:
                continue
            for name in _imports(path):
                if name.startswith("attio_mcp.tools._"):
                    offenders.append(f"{path.name} imports {name}")
    assert not offenders, offenders


def test_tool_families_do_not_import_each_other() -> None:
    """A family module imports shared tools helpers (``tools._…``) and the layers below, never a sibling."""
    families = {p.stem for p in (PACKAGE / "tools").glob("*.py") if not p.name.startswith("_")}
    offenders = []
    for path in sorted((PACKAGE / "tools").glob("*.py")):
        for name in _imports(path):
            if name.startswith("attio_mcp.tools.") and name.rsplit(".", 1)[1] in families:
                if path.name != "__init__.py":
                    offenders.append(f"{path.name} imports {name}")
    assert not offenders, offenders
