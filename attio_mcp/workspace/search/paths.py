"""Where index files live: one SQLite file per workspace under the user's cache directory.

The environment is read only by ``attio_mcp.server.settings``; a caller that wants ``XDG_CACHE_HOME`` or
``LOCALAPPDATA`` honoured passes the environment mapping in. Without it the platform's default under the
home directory is used.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from pathlib import Path

__all__ = ["default_index_dir", "index_file"]

_SAFE_STEM = re.compile(r"[^A-Za-z0-9._-]+")


def default_index_dir(env: Mapping[str, str] | None = None, platform: str | None = None) -> Path:
    """``<user cache dir>/attio-mcp/index``.

    The cache dir is ``$XDG_CACHE_HOME`` or ``~/.cache`` on Linux and other Unixes, ``~/Library/Caches`` on
    macOS and ``%LOCALAPPDATA%`` (else ``~/AppData/Local``) on Windows. A relative ``XDG_CACHE_HOME`` is
    ignored, as the XDG specification says.
    """
    env = env or {}
    platform = platform or sys.platform
    home = Path.home()
    if platform == "darwin":
        base = home / "Library" / "Caches"
    elif platform.startswith("win"):
        local = env.get("LOCALAPPDATA")
        base = Path(local) if local else home / "AppData" / "Local"
    else:
        xdg = env.get("XDG_CACHE_HOME")
        base = Path(xdg) if xdg and Path(xdg).is_absolute() else home / ".cache"
    return base / "attio-mcp" / "index"


def index_file(dir: Path, key: str) -> Path:
    """``dir/<key>.sqlite3``, with anything but letters, digits, ``.``, ``_`` and ``-`` in ``key`` replaced."""
    stem = _SAFE_STEM.sub("_", key).strip("._") or "index"
    return Path(dir) / f"{stem[:120]}.sqlite3"
