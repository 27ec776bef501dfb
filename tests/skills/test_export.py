"""``attio-mcp skills export``: the Claude skill tree, its front matter, and no writes outside DIR."""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path

import pytest
import yaml

from attio_mcp import cli
from attio_mcp.cli import cmd_skills
from attio_mcp.sandbox import create_app
from attio_mcp.skills import ExportError
from attio_mcp.skills._collect import WorkspaceSnapshot
from attio_mcp.skills._export import build_skill_files, write_tree
from attio_mcp.skills._links import safe_file_stem
from attio_mcp.workspace.schema import AttrInfo, TargetSchema

OBJECTS = ("people", "companies", "deals", "users", "workspaces", "projects")
NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@pytest.fixture
def wired() -> None:
    """``skills`` is in the CLI's command table."""
    assert cli.COMMANDS["skills"] is cmd_skills


def front_matter(path: Path) -> tuple[dict[str, str], str]:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    head, body = text[4:].split("\n---\n", 1)
    return yaml.safe_load(head), body


def test_export_sandbox_writes_the_documented_tree(
    tmp_path: Path, wired: None, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "skills"
    assert cli.main(["skills", "export", str(out), "--sandbox"]) == 0
    expected = {
        "attio-integration-patterns/SKILL.md",
        "attio-workspace-schema/SKILL.md",
        "attio-workspace-schema/resources/lists.md",
        *(f"attio-workspace-schema/resources/{slug}-attributes.md" for slug in OBJECTS),
    }
    written = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()}
    assert written == expected

    captured = capsys.readouterr()
    assert {str(Path(line).relative_to(out.resolve())) for line in captured.out.splitlines()} == expected
    assert "wrote attio-workspace-schema/SKILL.md" in captured.err and "done: 9 files" in captured.err

    for skill in ("attio-integration-patterns", "attio-workspace-schema"):
        meta, body = front_matter(out / skill / "SKILL.md")
        assert set(meta) == {"name", "description"}
        assert meta["name"] == skill and NAME.match(meta["name"]) and len(meta["name"]) <= 64
        assert 0 < len(meta["description"]) <= 200
        assert body.lstrip("\n").startswith("# ")
    for path in out.rglob("*.md"):
        assert "attio://" not in path.read_text(), f"{path} still links to an MCP resource"

    # The schema skill carries the sandbox's list IDs, and its links resolve inside the export.
    store = create_app().state.sandbox
    schema_md = (out / "attio-workspace-schema" / "SKILL.md").read_text()
    for lst in store.schema.lists.values():
        assert f"| `{lst['api_slug']}` | `{lst['id']['list_id']}` |" in schema_md
    for link in re.findall(r"`(resources/[^`]+\.md)`", schema_md):
        assert (out / "attio-workspace-schema" / link).is_file(), link
    patterns_md = (out / "attio-integration-patterns" / "SKILL.md").read_text()
    for link in re.findall(r"`(attio-workspace-schema/[^`]+\.md)`", patterns_md):
        assert (out / link).is_file(), link
    deals = (out / "attio-workspace-schema" / "resources" / "deals-attributes.md").read_text()
    assert "`deal_value`" in deals and "Closed Won" in deals


def test_export_without_credentials_is_a_one_line_error(
    tmp_path: Path, wired: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["skills", "export", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert "ATTIO_API_KEY" in err and err.count("\n") == 1
    assert not (tmp_path / "x").exists()


def test_module_parser_and_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser()
    cmd_skills.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["skills", "export", str(tmp_path / "o"), "--sandbox"])
    assert cmd_skills.run(args) == 0
    assert (tmp_path / "o" / "attio-workspace-schema" / "resources" / "projects-attributes.md").is_file()
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    assert cmd_skills.run(parser.parse_args(["skills", "export", str(blocked), "--sandbox"])) == 1
    assert "not a directory" in capsys.readouterr().err


def test_write_tree_refuses_paths_outside_dir(tmp_path: Path) -> None:
    root = tmp_path / "out"
    for bad in ("../escape.md", "a/../../escape.md", str(tmp_path / "abs.md"), ""):
        with pytest.raises(ExportError):
            write_tree(root, {"ok.md": "fine", bad: "nope"})
    assert not (tmp_path / "escape.md").exists() and not (tmp_path / "abs.md").exists()
    assert not (root / "ok.md").exists()  # nothing is written when any path is refused

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    root.mkdir()
    (root / "attio-workspace-schema").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(ExportError):
        write_tree(root, {"attio-workspace-schema/SKILL.md": "x"})
    assert list(elsewhere.iterdir()) == []


def test_a_hard_link_in_dir_does_not_carry_the_write_outside(tmp_path: Path) -> None:
    """Issue #20: a hard link from DIR to a file elsewhere used to be written through."""
    outside = tmp_path / "outside.txt"
    outside.write_text("precious\n")
    root = tmp_path / "export"
    (root / "attio-integration-patterns").mkdir(parents=True)
    planted = root / "attio-integration-patterns" / "SKILL.md"
    os.link(outside, planted)
    write_tree(root, {"attio-integration-patterns/SKILL.md": "exported"})
    assert outside.read_text() == "precious\n"
    assert planted.read_text() == "exported" and planted.stat().st_nlink == 1
    assert sorted(p.name for p in planted.parent.iterdir()) == ["SKILL.md"]  # no temporary file left


def test_hostile_object_slugs_stay_inside_dir(tmp_path: Path) -> None:
    name = AttrInfo(slug="name", id="a1", title="Name", type="text")
    objects = tuple(
        TargetSchema(kind="object", slug=slug, id=f"id-{i}", name=slug, attributes={"name": name})
        for i, slug in enumerate(("../x", "..", "/etc/passwd", "a/b", "A.B", "ok_slug"))
    )
    files = build_skill_files(WorkspaceSnapshot(objects=objects))
    stems = [safe_file_stem(o.slug) for o in objects]
    assert len(set(stems)) == len(stems) and stems[-1] == "ok_slug"
    for rel in files:
        assert ".." not in Path(rel).parts and not Path(rel).is_absolute()
        assert rel.count("/") <= 2
    written = write_tree(tmp_path / "out", files)
    root = (tmp_path / "out").resolve()
    assert all(p.is_relative_to(root) for p in written)
    assert sorted(
        p.name for p in (tmp_path / "out" / "attio-workspace-schema" / "resources").iterdir()
    ) == sorted([f"{s}-attributes.md" for s in stems] + ["lists.md"])
    index = files["attio-workspace-schema/SKILL.md"]
    for stem in stems:
        assert f"`resources/{stem}-attributes.md`" in index
