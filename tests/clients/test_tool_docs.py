"""The README tool table, docs/tools.md and manifest.json's tool list are generated from the registry."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

from attio_mcp.tools import ALL_TOOLS
from tests.clients._support import REPO


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_tool_docs", REPO / "scripts" / "gen_tool_docs.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("gen_tool_docs", module)
    spec.loader.exec_module(module)
    return module


def test_generated_files_are_current() -> None:
    gen = _generator()
    stale = [str(p.relative_to(REPO)) for p in gen.stale_files()]
    assert not stale, f"stale generated tool docs: {stale}. Run: .venv/bin/python scripts/gen_tool_docs.py"


def test_table_has_every_tool_with_its_hints() -> None:
    gen = _generator()
    table = gen.render_table(gen.collect())
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    assert len(rows) == len(ALL_TOOLS)
    for spec in ALL_TOOLS.values():
        row = next(r for r in rows if r.startswith(f"| `{spec.name}` |"))
        assert spec.title in row and spec.description.replace("|", "\\|") in row
        kind = row.rstrip(" |").rsplit("|", 1)[1].strip()
        assert kind == ("read" if spec.read_only else "write, destructive" if spec.destructive else "write")


def test_required_parameters_are_bold() -> None:
    gen = _generator()
    row = next(
        r for r in gen.render_table(gen.collect()).splitlines() if r.startswith("| `records_search` |")
    )
    assert "**resource_type**" in row and "**query**" not in row and "query" in row


def test_check_mode_reports_stale_readme(tmp_path, monkeypatch, capsys) -> None:
    gen = _generator()
    readme = tmp_path / "README.md"
    readme.write_text("intro\n<!-- tools:start -->\nold table\n<!-- tools:end -->\nrest\n")
    for name in ("DOCS", "MANIFEST"):
        copy = tmp_path / getattr(gen, name).name
        copy.write_text(getattr(gen, name).read_text())
        monkeypatch.setattr(gen, name, copy)
    monkeypatch.setattr(gen, "README", readme)
    monkeypatch.setattr(gen, "ROOT", tmp_path)
    assert gen.main(["--check"]) == 1
    assert "stale: README.md (run: python scripts/gen_tool_docs.py)" in capsys.readouterr().err
    assert gen.main([]) == 0
    assert gen.main(["--check"]) == 0
    text = readme.read_text()
    assert text.startswith("intro\n<!-- tools:start -->\n## Tools") and text.endswith(
        "<!-- tools:end -->\nrest\n"
    )
