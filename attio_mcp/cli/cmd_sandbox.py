"""``attio-mcp sandbox serve``: the local Attio API emulator on a port (point ``ATTIO_BASE_URL`` at it)."""

from __future__ import annotations

import argparse
import logging
from typing import Any

from attio_mcp.cli.common import configure_logging
from attio_mcp.server.settings import SettingsError

logger = logging.getLogger("attio_mcp.cli")


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``sandbox`` and its ``serve`` sub-command."""
    sandbox: argparse.ArgumentParser = subparsers.add_parser("sandbox", help="the local Attio API emulator")
    sandbox_sub = sandbox.add_subparsers(dest="sandbox_command", metavar="SANDBOX_COMMAND", required=True)
    s_serve = sandbox_sub.add_parser("serve", help="serve the emulated Attio API on a local port")
    s_serve.add_argument("--host", default="127.0.0.1", help="bind address (default: 127.0.0.1)")
    s_serve.add_argument("--port", type=int, default=8787, help="port (default: 8787)")
    s_serve.add_argument("--db", metavar="PATH", help="persist state in this SQLite file")
    s_serve.add_argument(
        "--rate-limit", action="store_true", help="enforce Attio's limits (100 reads/s, 25 writes/s)"
    )
    s_serve.add_argument("--reads-per-second", type=float, default=100.0)
    s_serve.add_argument("--writes-per-second", type=float, default=25.0)
    s_serve.add_argument("--faults", metavar="SPEC", help="fault injection, e.g. 429=0.1,500=0.05,seed=7")
    s_serve.add_argument("--no-seed", action="store_true", help="start with an empty workspace")
    return sandbox


def run(args: argparse.Namespace) -> int:
    """Block serving the emulator; a bad ``--faults`` spec is a ``SettingsError`` (one line, exit 2)."""
    configure_logging("INFO")
    from attio_mcp.sandbox import FaultConfig, RateLimitConfig, parse_faults, serve

    rate_limit = RateLimitConfig(args.reads_per_second, args.writes_per_second) if args.rate_limit else None
    try:
        faults: FaultConfig | None = parse_faults(args.faults) if args.faults else None
    except ValueError as exc:
        raise SettingsError(f"--faults: {exc}") from None
    from attio_mcp.sandbox import DatabaseInUse

    logger.info("sandbox: Attio API emulator on http://%s:%s (ATTIO_BASE_URL)", args.host, args.port)
    try:
        serve(
            host=args.host,
            port=args.port,
            db_path=args.db,
            seed=not args.no_seed,
            rate_limit=rate_limit,
            faults=faults,
        )
    except DatabaseInUse as exc:  # a second server on one --db would hand out the same ids
        raise SettingsError(str(exc)) from None
    return 0
