"""The package's public surface: what callers import is exported, the whole error tree is, nothing else leaks."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import attio_mcp.attio as attio
from attio_mcp.attio import _errors

ROOT = Path(__file__).resolve().parents[2]
CALLERS = ("attio_mcp", "benchmarks", "scripts", "tests")


def _imported_from_package(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == attio.__name__ and node.level == 0
        for alias in node.names
    }


def test_every_name_callers_import_is_exported() -> None:
    package_dir = Path(attio.__file__).parent
    wanted: dict[str, str] = {}
    for top in CALLERS:
        for path in (ROOT / top).rglob("*.py"):
            if package_dir in path.parents:
                continue
            for name in _imported_from_package(path):
                if not name.startswith("_"):  # ``from attio_mcp.attio import _http`` reaches a private module
                    wanted.setdefault(name, str(path.relative_to(ROOT)))
    missing = {name: where for name, where in wanted.items() if name not in attio.__all__}
    assert missing == {}


def test_the_whole_error_tree_is_exported() -> None:
    errors = {
        name
        for name, obj in vars(_errors).items()
        if inspect.isclass(obj) and issubclass(obj, Exception) and obj.__module__ == _errors.__name__
    }
    assert errors <= set(attio.__all__)


def test_all_is_sorted_and_resolvable() -> None:
    assert attio.__all__ == sorted(attio.__all__)
    assert all(hasattr(attio, name) for name in attio.__all__)


def test_client_layer_does_not_import_upper_layers() -> None:
    for info in pkgutil.iter_modules(attio.__path__):
        source = inspect.getsource(importlib.import_module(f"{attio.__name__}.{info.name}"))
        for forbidden in (
            "import mcp",
            "from mcp",
            "attio_mcp.tools",
            "attio_mcp.server",
            "attio_mcp.workspace",
            "attio_mcp.cli",
            "attio_mcp.sandbox",
            "os.environ",
            "print(",
        ):
            assert forbidden not in source, f"{info.name} uses {forbidden}"
