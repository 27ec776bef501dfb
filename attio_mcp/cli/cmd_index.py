"""``attio-mcp index build|status|delete``: the local search index of the configured key's workspace.

The index is the one the server's ``search`` tool uses: one SQLite file per workspace and permission set
under ``--index-dir`` (default: the user cache dir), found through ``GET /v2/self``. The server flags
(``--sandbox``, ``--base-url``, ``--index-dir`` …) are accepted as for ``serve``. ``build`` syncs now (progress
on stderr) and prints what it did; ``status`` prints what the file holds; ``delete`` removes the file.
The in-memory sandbox (``--sandbox`` without ``--sandbox-db`` or ``--index-dir``) keeps its index in memory,
as the server does: ``build`` then only measures.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import anyio

from attio_mcp.attio import AttioError
from attio_mcp.cli.cmd_serve import serve_flags, settings_from_args
from attio_mcp.workspace.errors import WorkspaceError, code_of

_SIDE_FILES = ("", "-wal", "-shm", "-journal")


def add_parser(subparsers: Any) -> None:
    """Register ``index`` and its ``build``, ``status`` and ``delete`` sub-commands."""
    index = subparsers.add_parser("index", help="build, inspect or delete the local search index")
    sub = index.add_subparsers(dest="index_command", metavar="INDEX_COMMAND", required=True)
    flags = [serve_flags(argparse.SUPPRESS)]
    sub.add_parser("build", parents=flags, help="sync the search index with the workspace now")
    sub.add_parser("status", parents=flags, help="where the index is and what it holds")
    sub.add_parser("delete", parents=flags, help="delete this workspace's index file")


def _say(message: str) -> None:
    sys.stderr.write(f"attio-mcp index: {message}\n")
    sys.stderr.flush()


def _args(args: argparse.Namespace) -> argparse.Namespace:
    """Every serve flag present (None when not given), so ``settings_from_args`` can read them."""
    defaults = vars(serve_flags(None).parse_args([]))
    return argparse.Namespace(**{**defaults, **vars(args)})


async def _run(args: argparse.Namespace) -> int:
    from attio_mcp.server.app import make_client_factory, search_service
    from attio_mcp.workspace import SchemaCache, Workspace

    settings = settings_from_args(_args(args))
    settings.require_credentials()
    service = search_service(settings)
    async with make_client_factory(settings, None)() as client:
        d = Workspace(client=client, schema=SchemaCache(client, ttl=settings.schema_ttl), search=service)
        path = await service.path(d)
        if args.index_command == "delete":
            return _delete(path)
        if args.index_command == "status":
            if path != ":memory:" and not Path(path).exists():
                sys.stdout.write(
                    f"path: {path}\nno index yet: 'attio-mcp index build' or a search builds it\n"
                )
                return 0
            index = await service.index(d)
            _print_status(index.status())
            service.close()
            return 0

        async def progress(done: float, total: float | None, message: str) -> None:
            _say(f"[{done:.1f}/{total:g}] {message}" if total else message)

        await service.refresh(d, progress=progress, force=True)
        report = service.last_report
        index = await service.index(d)
        if report is not None:
            seen = ", ".join(f"{k} {v}" for k, v in sorted(report.seen.items())) or "nothing"
            sys.stdout.write(
                f"synced in {report.seconds:.1f} s: {seen}\n"
                f"added {report.added}, updated {report.updated}, unchanged {report.unchanged}, "
                f"deleted {report.deleted}, chunks embedded {report.chunks_embedded}\n"
            )
            for kind, why in sorted(report.skipped.items()):
                sys.stdout.write(f"skipped {kind}: {why}\n")
            if report.capped:
                sys.stdout.write(f"capped listings: {', '.join(sorted(set(report.capped)))}\n")
        _print_status(index.status())
        service.close()
        return 0


def _print_status(status: Any) -> None:
    docs = ", ".join(f"{k} {v}" for k, v in sorted(status.docs.items())) or "none"
    lines = [
        f"path: {status.path}",
        f"docs: {docs}",
        f"chunks: {status.chunks}",
        f"bytes: {status.bytes}",
        f"model: {status.model or 'none (lexical only)'}",
        f"last sync: {status.last_sync or 'never'}",
    ]
    skipped = status.state.get("skipped")
    if skipped and skipped != "{}":
        lines.append(f"skipped: {skipped}")
    sys.stdout.write("\n".join(lines) + "\n")


def _delete(path: str) -> int:
    if path == ":memory:":
        sys.stdout.write("the in-memory sandbox keeps its index in memory: nothing to delete\n")
        return 0
    removed = []
    for suffix in _SIDE_FILES:
        file = Path(path + suffix)
        if file.exists():
            file.unlink()
            removed.append(file.name)
    sys.stdout.write(f"deleted {path}\n" if removed else f"no index at {path}\n")
    return 0


def run(args: argparse.Namespace) -> int:
    """Run an ``index`` sub-command; 0 on success, 1 when Attio or the file system refuses."""
    try:
        return anyio.run(_run, args)
    except AttioError as exc:
        _say(f"failed: {code_of(exc)}: {exc.message}")
        return 1
    except WorkspaceError as exc:
        _say(f"failed: {exc.render()}")
        return 1
    except OSError as exc:
        _say(f"failed: {exc}")
        return 1
