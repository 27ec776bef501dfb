"""Export the skill documents as Claude skill folders.

Layout under the target directory::

    attio-integration-patterns/SKILL.md
    attio-workspace-schema/SKILL.md
    attio-workspace-schema/resources/<object>-attributes.md
    attio-workspace-schema/resources/lists.md

Each ``SKILL.md`` starts with YAML front matter (``name``, ``description``). Nothing is written outside
the target directory: object slugs are reduced to safe file stems, and every path is resolved (symlinks
included) and checked before the first file is written. A file is written as a new file renamed over the old
one, never into it, so a hard link planted in the directory keeps the contents of the file it shares.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path

from attio_mcp.skills._collect import WorkspaceSnapshot, load_snapshot
from attio_mcp.skills._links import EXPORT_PATTERNS_LINKS, EXPORT_SCHEMA_LINKS, safe_file_stem
from attio_mcp.skills._render import render_index, render_lists, render_object
from attio_mcp.skills._text import patterns_text
from attio_mcp.workspace import Workspace

__all__ = ["SKILL_NAMES", "ExportError", "build_skill_files", "export_skills", "front_matter", "write_tree"]

PATTERNS_SKILL = "attio-integration-patterns"
SCHEMA_SKILL = "attio-workspace-schema"
SKILL_NAMES = (PATTERNS_SKILL, SCHEMA_SKILL)

_DESCRIPTIONS = {
    PATTERNS_SKILL: (
        "Attio CRM workflows with the attio-mcp tools: deal pipeline, lists, lead qualification, bulk "
        "import, stage automation, enrichment and error handling, with payloads."
    ),
    SCHEMA_SKILL: (
        "Live Attio workspace schema: attribute slugs, types, options, required and unique fields per "
        "object, list IDs and members. Read before writing Attio records."
    ),
}
_NAME_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_NAME, MAX_DESCRIPTION = 64, 200


class ExportError(Exception):
    """The export cannot be written as asked (e.g. a path would leave the target directory)."""


def front_matter(name: str, description: str) -> str:
    """YAML front matter for a ``SKILL.md``; the name and description limits are checked here."""
    if len(name) > MAX_NAME or not _NAME_RE.match(name):
        raise ExportError(
            f"invalid skill name {name!r}: lowercase letters, digits and hyphens, <= {MAX_NAME}"
        )
    description = " ".join(description.split())
    if not description or len(description) > MAX_DESCRIPTION:
        raise ExportError(f"skill description must be 1-{MAX_DESCRIPTION} characters")
    # A JSON string is a valid YAML double-quoted scalar, so no quoting rules can be missed.
    return f"---\nname: {name}\ndescription: {json.dumps(description, ensure_ascii=False)}\n---\n\n"


def build_skill_files(snapshot: WorkspaceSnapshot) -> dict[str, str]:
    """Relative path -> markdown for every file of both skills."""
    patterns = patterns_text(EXPORT_PATTERNS_LINKS).replace(
        "\n\n", "\n\nSchema references point into the sibling attio-workspace-schema skill folder.\n\n", 1
    )
    index = render_index(snapshot, EXPORT_SCHEMA_LINKS).replace(
        "\n\n", "\n\nPaths are relative to this skill's folder.\n\n", 1
    )
    files = {
        f"{PATTERNS_SKILL}/SKILL.md": front_matter(PATTERNS_SKILL, _DESCRIPTIONS[PATTERNS_SKILL]) + patterns,
        f"{SCHEMA_SKILL}/SKILL.md": front_matter(SCHEMA_SKILL, _DESCRIPTIONS[SCHEMA_SKILL]) + index,
        f"{SCHEMA_SKILL}/resources/lists.md": render_lists(snapshot.lists, EXPORT_SCHEMA_LINKS),
    }
    for obj in snapshot.objects:
        path = f"{SCHEMA_SKILL}/resources/{safe_file_stem(obj.slug)}-attributes.md"
        if path in files:
            raise ExportError(f"two objects map to the same file {path}")
        files[path] = render_object(obj, EXPORT_SCHEMA_LINKS, singular=snapshot.singular.get(obj.slug))
    return files


def _target(root: Path, relative: str) -> Path:
    rel = Path(relative)
    if rel.is_absolute() or ".." in rel.parts or not rel.parts:
        raise ExportError(f"refusing to write {relative!r}: not a path inside the export directory")
    target = (root / rel).resolve()
    if not target.is_relative_to(root) or target == root:
        raise ExportError(f"refusing to write {relative!r}: it resolves outside {root}")
    return target


def write_tree(
    root: str | Path, files: Mapping[str, str], *, progress: Callable[[str], None] | None = None
) -> list[Path]:
    """Write ``files`` under ``root``; every path is checked before anything is written."""
    base = Path(root).expanduser().resolve()
    if base.exists() and not base.is_dir():
        raise ExportError(f"{base} exists and is not a directory")
    targets = [(_target(base, rel), text) for rel, text in files.items()]
    written = []
    for target, text in targets:
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.parent.resolve().is_relative_to(base):  # a symlink planted after the check
            raise ExportError(f"refusing to write {target}: it resolves outside {base}")
        _replace_file(target, text)
        written.append(target)
        if progress is not None:
            progress(f"wrote {target.relative_to(base)} ({len(text.encode()):,} bytes)")
    return written


def _replace_file(target: Path, text: str) -> None:
    """Write ``text`` to a new file beside ``target``, then rename it over ``target``.

    Writing into the existing file would also change every other name of it: a hard link from the export
    directory to a file elsewhere (which no path check can tell from a plain file) would be overwritten.
    """
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


async def export_skills(
    d: Workspace, root: str | Path, *, progress: Callable[[str], None] | None = None
) -> list[Path]:
    """Load the live schema through ``d`` and write both skills under ``root``."""
    if progress is not None:
        progress("reading the workspace schema")
    snapshot = await load_snapshot(d)
    if progress is not None:
        progress(
            f"{len(snapshot.objects)} objects, {len(snapshot.lists)} lists, {len(snapshot.members)} members"
        )
    return write_tree(root, build_skill_files(snapshot), progress=progress)
