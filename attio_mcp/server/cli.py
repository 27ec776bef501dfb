"""Command line: ``attio-mcp [serve]``, ``attio-mcp sandbox serve`` and the helper commands.

Only this module configures logging (to stderr) and reads the environment (through ``settings_from_env``).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from attio_mcp import __version__
from attio_mcp.server import commands
from attio_mcp.server.settings import (
    TOOLSET_IDS,
    Settings,
    SettingsError,
    parse_hosts,
    parse_toolsets,
    settings_from_env,
)

logger = logging.getLogger("attio_mcp.server")


def _serve_flags(default: object = None) -> argparse.ArgumentParser:
    """The server flags. Every default is ``default``: None (unset) on the top-level parser, and SUPPRESS on
    ``serve`` so that a flag given before the command (``attio-mcp --read-only serve``) is not reset."""
    p = argparse.ArgumentParser(add_help=False, argument_default=default)
    g = p.add_argument_group("server options")
    g.add_argument("--transport", choices=["stdio", "http"], help="MCP transport (default: stdio)")
    g.add_argument("--host", help="HTTP bind address (default: 127.0.0.1)")
    g.add_argument("--port", type=int, help="HTTP port (default: 8000)")
    g.add_argument("--auth-token", help="bearer token required by the HTTP transport (ATTIO_MCP_HTTP_TOKEN)")
    g.add_argument(
        "--allowed-hosts",
        metavar="HOSTS",
        help="comma-separated Host names HTTP clients may use, besides loopback (ATTIO_MCP_ALLOWED_HOSTS)",
    )
    g.add_argument(
        "--allow-request-keys",
        action="store_true",
        default=default,
        help="HTTP: use the caller's X-Attio-Api-Key header as its Attio key (ATTIO_MCP_ALLOW_REQUEST_KEYS)",
    )
    g.add_argument("--base-url", help="Attio API base URL (ATTIO_BASE_URL)")
    g.add_argument("--sandbox", action="store_true", default=default, help="use the embedded demo workspace")
    g.add_argument("--sandbox-db", metavar="PATH", help="persist the sandbox in this SQLite file")
    g.add_argument("--read-only", action="store_true", default=default, help="expose read tools only")
    g.add_argument(
        "--toolsets", help=f"comma-separated toolsets to expose (default: all of {','.join(TOOLSET_IDS)})"
    )
    g.add_argument(
        "--disable-destructive", action="store_true", default=default, help="hide delete/remove tools"
    )
    g.add_argument("--timeout", type=float, help="Attio request timeout in seconds (default: 30)")
    g.add_argument("--log-level", choices=["DEBUG", "INFO", "WARNING", "ERROR"], help="stderr log level")
    return p


def build_parser() -> argparse.ArgumentParser:
    serve_flags = _serve_flags()
    parser = argparse.ArgumentParser(
        prog="attio-mcp",
        description="MCP server for the Attio CRM. With no command, serves MCP over stdio.",
        parents=[serve_flags],
    )
    parser.add_argument("--version", action="version", version=f"attio-mcp {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser(
        "serve", parents=[_serve_flags(argparse.SUPPRESS)], help="run the MCP server (default command)"
    )

    sandbox = sub.add_parser("sandbox", help="the local Attio API emulator")
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

    for module in commands.modules().values():
        module.add_parser(sub)
    return parser


def load_settings(**overrides: object) -> Settings:
    """Settings for sub-commands: environment first, then the given non-None flag values."""
    return settings_from_env(None, **overrides)


def configure_logging(level: str, secrets: Sequence[str] = ()) -> None:
    """Log to stderr only, with every known secret redacted from every record."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "mcp", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))


class RedactingFilter(logging.Filter):
    """Replaces secrets in the formatted message (defence in depth: nothing should log them anyway)."""

    def __init__(self, secrets: Sequence[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s and len(s) >= 6]

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            message = record.getMessage()
            if any(s in message for s in self.secrets):
                for s in self.secrets:
                    message = message.replace(s, "[REDACTED]")
                record.msg, record.args = message, None
        return True


def _settings(args: argparse.Namespace) -> Settings:
    return settings_from_env(
        None,
        transport=args.transport,
        host=args.host,
        port=args.port,
        http_auth_token=args.auth_token,
        allowed_hosts=parse_hosts(args.allowed_hosts),
        allow_request_keys=args.allow_request_keys,
        base_url=args.base_url,
        sandbox=args.sandbox,
        sandbox_db=args.sandbox_db,
        read_only=args.read_only,
        toolsets=parse_toolsets(args.toolsets),
        disable_destructive=args.disable_destructive,
        timeout=args.timeout,
        log_level=args.log_level,
    )


def _secrets(settings: Settings) -> list[str]:
    out = []
    if settings.api_key is not None:
        out.append(settings.api_key.get_secret_value())
    if settings.http_auth_token is not None:
        out.append(settings.http_auth_token.get_secret_value())
    return out


def run_serve(args: argparse.Namespace) -> int:
    settings = _settings(args)
    settings.require_credentials()
    settings.require_safe_http()
    configure_logging(settings.log_level, _secrets(settings))
    from attio_mcp.server.transports import serve

    serve(settings)
    return 0


def run_sandbox(args: argparse.Namespace) -> int:
    configure_logging("INFO")
    from attio_mcp.sandbox import FaultConfig, RateLimitConfig, parse_faults, serve

    rate_limit = RateLimitConfig(args.reads_per_second, args.writes_per_second) if args.rate_limit else None
    try:
        faults: FaultConfig | None = parse_faults(args.faults) if args.faults else None
    except ValueError as exc:
        raise SettingsError(f"--faults: {exc}") from None
    logger.info("sandbox: Attio API emulator on http://%s:%s (ATTIO_BASE_URL)", args.host, args.port)
    serve(
        host=args.host,
        port=args.port,
        db_path=args.db,
        seed=not args.no_seed,
        rate_limit=rate_limit,
        faults=faults,
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command in (None, "serve"):
            return run_serve(args)
        if args.command == "sandbox":
            return run_sandbox(args)
        return int(commands.modules()[args.command].run(args))
    except SettingsError as exc:
        sys.stderr.write(f"attio-mcp: {exc}\n")
        return 2
    except KeyboardInterrupt:
        return 130
