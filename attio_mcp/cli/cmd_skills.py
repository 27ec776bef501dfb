"""``attio-mcp skills export DIR [--sandbox]``: write the skills as Claude skill folders.

Progress goes to stderr; the written paths are printed to stdout, one per line.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import anyio

from attio_mcp.attio import AttioError
from attio_mcp.cli.common import load_settings
from attio_mcp.workspace.errors import code_of


def add_parser(subparsers: Any) -> None:
    """Register ``skills`` and its ``export`` sub-command."""
    skills = subparsers.add_parser("skills", help="export the skill documents (patterns, live schema)")
    sub = skills.add_subparsers(dest="skills_command", metavar="SKILLS_COMMAND", required=True)
    export = sub.add_parser(
        "export",
        help="write Claude skill folders: attio-integration-patterns and attio-workspace-schema",
        description="Write DIR/attio-integration-patterns/SKILL.md and DIR/attio-workspace-schema/ "
        "(SKILL.md, resources/<object>-attributes.md, resources/lists.md) from the live workspace.",
    )
    export.add_argument("dir", metavar="DIR", help="target directory (created if missing)")
    # SUPPRESS keeps a flag given before the command (``attio-mcp --sandbox skills export DIR``).
    export.add_argument(
        "--sandbox", action="store_true", default=argparse.SUPPRESS, help="export the embedded demo workspace"
    )


def _progress(message: str) -> None:
    sys.stderr.write(f"attio-mcp skills: {message}\n")
    sys.stderr.flush()


async def _export(args: argparse.Namespace) -> list[Path]:
    from attio_mcp.server.app import make_client_factory
    from attio_mcp.skills import export_skills
    from attio_mcp.workspace import SchemaCache, Workspace

    settings = load_settings(
        sandbox=getattr(args, "sandbox", None) or None,
        sandbox_db=getattr(args, "sandbox_db", None),
        base_url=getattr(args, "base_url", None),
        insecure_base_url=getattr(args, "insecure_base_url", None) or None,
    )
    settings.require_credentials()
    async with make_client_factory(settings, None)() as client:
        deps = Workspace(client=client, schema=SchemaCache(client, ttl=settings.schema_ttl))
        return await export_skills(deps, args.dir, progress=_progress)


def run(args: argparse.Namespace) -> int:
    """Run ``skills export``; 0 on success, 1 when Attio or the file system refuses."""
    from attio_mcp.skills import ExportError

    try:
        written = anyio.run(_export, args)
    except AttioError as exc:
        _progress(f"failed: {code_of(exc)}: {exc.message}")
        return 1
    except (ExportError, OSError) as exc:
        _progress(f"failed: {exc}")
        return 1
    for path in written:
        sys.stdout.write(f"{path}\n")
    _progress(f"done: {len(written)} files under {Path(args.dir).resolve()}")
    return 0
