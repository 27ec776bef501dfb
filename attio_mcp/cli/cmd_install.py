"""``attio-mcp install-claude``: add (or update) this server in Claude Desktop's ``claude_desktop_config.json``.

The entry runs this installation's ``attio-mcp`` by absolute path (or ``uvx attio-mcp`` with ``--uvx``) and
carries the API key in ``env``. Other servers and settings in the file are kept; the old file is copied to a
timestamped ``.bak`` first, and the new one is written atomically with owner-only permissions.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import platform
import shutil
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from attio_mcp.cli.common import load_settings
from attio_mcp.server.settings import SettingsError

CONFIG_NAME = "claude_desktop_config.json"


class InstallError(Exception):
    """Nothing was written; the message says why."""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``install-claude`` on the top-level sub-command parser."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "install-claude",
        help="add this server to Claude Desktop's claude_desktop_config.json",
        description="Write or merge an 'attio' entry into claude_desktop_config.json: the absolute path of "
        "this attio-mcp (or uvx with --uvx) and ATTIO_API_KEY from the environment in 'env'. Other servers "
        "are kept; the previous file is backed up next to it.",
    )
    keep = argparse.SUPPRESS
    p.add_argument("--sandbox", action="store_true", default=keep, help="use the demo workspace (no key)")
    p.add_argument("--config", metavar="PATH", help="config file (default: Claude Desktop's, per platform)")
    p.add_argument("--name", default="attio", help="server name in mcpServers (default: attio)")
    p.add_argument("--uvx", action="store_true", help="run the PyPI package with uvx instead of this install")
    p.add_argument("--read-only", action="store_true", default=keep, help="add --read-only to the entry")
    p.add_argument("--toolsets", default=keep, help="add --toolsets to the entry, e.g. records,notes")
    p.add_argument("--dry-run", action="store_true", help="show the entry (key masked), write nothing")
    return p


def default_config_path(system: str | None = None, home: Path | None = None) -> Path:
    """Where Claude Desktop keeps its config on this platform."""
    system = system or platform.system()
    home = home or Path.home()
    if system == "Darwin":
        return home / "Library" / "Application Support" / "Claude" / CONFIG_NAME
    if system == "Windows":
        return home / "AppData" / "Roaming" / "Claude" / CONFIG_NAME
    return home / ".config" / "Claude" / CONFIG_NAME


def server_command() -> list[str]:
    """The command that starts this installation's server: the console script, else ``python -m``."""
    bindir = Path(sys.executable).parent
    for name in ("attio-mcp", "attio-mcp.exe"):
        if (bindir / name).is_file():
            return [str(bindir / name)]
    found = shutil.which("attio-mcp")
    if found:
        return [str(Path(found).resolve())]
    return [sys.executable, "-m", "attio_mcp"]


def build_entry(
    *, api_key: str | None, sandbox: bool, uvx: bool, extra_args: list[str] | None = None
) -> dict[str, Any]:
    """One ``mcpServers`` entry in the form the README documents."""
    command = ["uvx", "attio-mcp"] if uvx else server_command()
    args = [*command[1:], *(["--sandbox"] if sandbox else []), *(extra_args or [])]
    entry: dict[str, Any] = {"command": command[0], "args": args}
    if api_key and not sandbox:
        entry["env"] = {"ATTIO_API_KEY": api_key}
    return entry


def load_config(path: Path) -> dict[str, Any]:
    """The current config, ``{}`` when the file does not exist; refuses anything that is not a JSON object."""
    if not path.exists():
        return {}
    text = path.read_text(encoding="utf-8")
    if not text.strip():
        return {}
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InstallError(
            f"{path} is not valid JSON (line {exc.lineno}: {exc.msg}); fix or move it, nothing was written"
        ) from None
    if not isinstance(data, dict):
        raise InstallError(f"{path} does not hold a JSON object; fix or move it, nothing was written")
    if not isinstance(data.get("mcpServers", {}), dict):
        raise InstallError(f"'mcpServers' in {path} is not an object; fix it, nothing was written")
    return data


def merge_entry(config: dict[str, Any], name: str, entry: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """A copy of ``config`` with ``mcpServers[name] = entry``; the action is added, updated or unchanged."""
    servers = dict(config.get("mcpServers") or {})
    action = "unchanged" if servers.get(name) == entry else ("updated" if name in servers else "added")
    servers[name] = entry
    return {**config, "mcpServers": servers}, action


def write_config(path: Path, config: dict[str, Any]) -> Path | None:
    """Back up the old file (returned), then replace it atomically; the new file is readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    backup = None
    if path.exists():
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        backup = path.with_name(f"{path.name}.{stamp}.bak")
        n = 1
        while backup.exists():
            n += 1
            backup = path.with_name(f"{path.name}.{stamp}-{n}.bak")
        shutil.copy2(path, backup)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(config, handle, indent=2, ensure_ascii=False)
            handle.write("\n")
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return backup


def _masked(entry: dict[str, Any]) -> dict[str, Any]:
    env = entry.get("env")
    if not env:
        return entry
    return {**entry, "env": {k: ("(hidden)" if k == "ATTIO_API_KEY" else v) for k, v in env.items()}}


def _api_key(sandbox: bool, interactive: bool) -> str | None:
    if sandbox:
        return None
    settings = load_settings()
    if settings.api_key is not None:
        return settings.api_key.get_secret_value()
    if interactive:
        key = getpass.getpass("Attio API key (Workspace settings > Developers): ").strip()
        if key:
            return key
    raise InstallError(
        "no API key: export ATTIO_API_KEY first (it is written into the entry's env), "
        "or install the demo workspace with: attio-mcp install-claude --sandbox"
    )


def run(args: argparse.Namespace, *, stdout: TextIO | None = None, interactive: bool | None = None) -> int:
    """Write the entry; 0 on success, 1 when the config cannot be merged, 2 without a key."""
    out = stdout or sys.stdout
    sandbox = bool(getattr(args, "sandbox", None))
    if interactive is None:
        interactive = sys.stdin.isatty()
    path = Path(args.config).expanduser().absolute() if args.config else default_config_path()
    extra: list[str] = []
    if getattr(args, "read_only", None):
        extra.append("--read-only")
    if getattr(args, "toolsets", None):
        extra += ["--toolsets", args.toolsets]
    try:
        key = _api_key(sandbox, interactive)
        entry = build_entry(api_key=key, sandbox=sandbox, uvx=args.uvx, extra_args=extra)
        config, action = merge_entry(load_config(path), args.name, entry)
    except (InstallError, SettingsError) as exc:
        out.write(f"install-claude: {exc}\n")
        return 2 if "no API key" in str(exc) or isinstance(exc, SettingsError) else 1
    shown = json.dumps({args.name: _masked(entry)}, indent=2, ensure_ascii=False)
    if args.dry_run:
        out.write(f"would write to {path} ({action}):\n{shown}\n")
        return 0
    if action == "unchanged":
        out.write(f"{path}: server {args.name!r} is already up to date; nothing written.\n")
        return 0
    try:
        backup = write_config(path, config)
    except OSError as exc:
        out.write(f"install-claude: cannot write {path}: {exc}\n")
        return 1
    others = sorted(set(config["mcpServers"]) - {args.name})
    out.write(f"{action} server {args.name!r} in {path}:\n{shown}\n")
    if backup:
        out.write(f"previous file saved as {backup}\n")
    if others:
        out.write(f"kept the other servers: {', '.join(others)}\n")
    out.write("Restart Claude Desktop to load it.\n")
    return 0
