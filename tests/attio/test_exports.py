"""The package's public surface: every public name of a private module is exported, ``__all__`` sorted."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import attio_mcp.attio as attio


def test_public_names_of_private_modules_are_exported() -> None:
    missing = []
    for info in pkgutil.iter_modules(attio.__path__):
        module = importlib.import_module(f"{attio.__name__}.{info.name}")
        for name, obj in vars(module).items():
            defined_here = getattr(obj, "__module__", None) == module.__name__
            if (
                not name.startswith("_")
                and defined_here
                and (inspect.isclass(obj) or inspect.isfunction(obj))
            ):
                if name not in attio.__all__:
                    missing.append(f"{info.name}.{name}")
        missing += [f"{info.name}.{n}" for n in getattr(module, "__all__", []) if n not in attio.__all__]
    assert missing == []


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
            "os.environ",
            "print(",
        ):
            assert forbidden not in source, f"{info.name} uses {forbidden}"
