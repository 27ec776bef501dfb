"""``attio-mcp [serve]``: run the MCP server over stdio (default) or streamable HTTP.

The server flags are accepted before the command too (``attio-mcp --read-only serve``): the top-level
parser carries them with default None, the ``serve`` parser with SUPPRESS so it never resets them.
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any, TextIO
from urllib.parse import urlsplit

from attio_mcp.cli.common import configure_logging
from attio_mcp.server.settings import (
    Settings,
    parse_forwarded_allow_ips,
    parse_hosts,
    parse_toolsets,
    settings_from_env,
)
from attio_mcp.toolsets import TOOLSET_IDS

# One line on stderr when a person starts the stdio server in a terminal: it looks like a hang otherwise.
TTY_HINT = (
    "attio-mcp: serving MCP over stdio, waiting for an MCP client on stdin (Ctrl-C to stop). To try it, run "
    "'attio-mcp demo', or the MCP Inspector: "
    "npx -y @modelcontextprotocol/inspector@0.15.0 --cli attio-mcp --sandbox --method tools/list\n"
)


def serve_flags(default: object = None) -> argparse.ArgumentParser:
    """The server flags. Every default is ``default``: None (unset) on the top-level parser, and SUPPRESS on
    ``serve`` so that a flag given before the command (``attio-mcp --read-only serve``) is not reset."""
    p = argparse.ArgumentParser(add_help=False, argument_default=default)
    g = p.add_argument_group("server options")
    g.add_argument("--transport", choices=["stdio", "http"], help="MCP transport (default: stdio)")
    g.add_argument("--host", help="HTTP bind address (default: 127.0.0.1)")
    g.add_argument("--port", type=int, help="HTTP port (default: 8000)")
    g.add_argument(
        "--auth-token",
        help="bearer token required by the HTTP transport; visible in the process list, so prefer "
        "ATTIO_MCP_HTTP_TOKEN or --auth-token-file",
    )
    g.add_argument(
        "--auth-token-file",
        metavar="PATH",
        help="read the HTTP bearer token from the first line of this file (ATTIO_MCP_HTTP_TOKEN_FILE)",
    )
    g.add_argument(
        "--allowed-hosts",
        metavar="HOSTS",
        help="comma-separated Host names HTTP clients may use, besides loopback (ATTIO_MCP_ALLOWED_HOSTS)",
    )
    g.add_argument(
        "--forwarded-allow-ips",
        metavar="IPS",
        help="HTTP: proxies whose X-Forwarded-For is believed: addresses or networks, * or none "
        "(default 127.0.0.1,::1; ATTIO_MCP_FORWARDED_ALLOW_IPS)",
    )
    g.add_argument(
        "--allow-request-keys",
        action="store_true",
        default=default,
        help="HTTP: use the caller's X-Attio-Api-Key header as its Attio key (ATTIO_MCP_ALLOW_REQUEST_KEYS)",
    )
    g.add_argument("--base-url", help="Attio API base URL (ATTIO_BASE_URL)")
    g.add_argument(
        "--insecure-base-url",
        action="store_true",
        default=default,
        help="allow a plain http:// base URL to a host that is not loopback (ATTIO_INSECURE_BASE_URL)",
    )
    g.add_argument("--sandbox", action="store_true", default=default, help="use the embedded demo workspace")
    g.add_argument("--sandbox-db", metavar="PATH", help="persist the sandbox in this SQLite file")
    g.add_argument("--read-only", action="store_true", default=default, help="expose read tools only")
    g.add_argument(
        "--toolsets", help=f"comma-separated toolsets to expose (default: all of {','.join(TOOLSET_IDS)})"
    )
    g.add_argument(
        "--disable-destructive", action="store_true", default=default, help="hide delete/remove tools"
    )
    g.add_argument(
        "--no-index",
        action="store_true",
        default=default,
        help="turn the local search index off: search finds records only (ATTIO_MCP_NO_INDEX)",
    )
    g.add_argument("--index-dir", metavar="PATH", help="where search indexes live (ATTIO_MCP_INDEX_DIR)")
    g.add_argument(
        "--redis-url",
        metavar="URL",
        help="share grants and rate-limit buckets between replicas in Redis (ATTIO_MCP_REDIS_URL)",
    )
    g.add_argument(
        "--oauth",
        action="store_true",
        default=default,
        help="HTTP: each user signs in with Attio (ATTIO_OAUTH_CLIENT_ID/SECRET; ATTIO_MCP_OAUTH)",
    )
    g.add_argument("--public-url", metavar="URL", help="the server's public base URL (ATTIO_MCP_PUBLIC_URL)")
    g.add_argument("--timeout", type=float, help="Attio request timeout in seconds (default: 30)")
    g.add_argument("--log-level", choices=["DEBUG", "INFO", "WARNING", "ERROR"], help="stderr log level")
    return p


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``serve`` (its flags also live on the top-level parser: see ``serve_flags``)."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "serve", parents=[serve_flags(argparse.SUPPRESS)], help="run the MCP server (default command)"
    )
    return parser


def settings_from_args(args: argparse.Namespace) -> Settings:
    """The server settings: these flags over the environment over the defaults."""
    return settings_from_env(
        None,
        transport=args.transport,
        host=args.host,
        port=args.port,
        http_auth_token=args.auth_token,
        http_auth_token_file=args.auth_token_file,
        allowed_hosts=parse_hosts(args.allowed_hosts),
        forwarded_allow_ips=parse_forwarded_allow_ips(args.forwarded_allow_ips),
        allow_request_keys=args.allow_request_keys,
        base_url=args.base_url,
        insecure_base_url=args.insecure_base_url,
        sandbox=args.sandbox,
        sandbox_db=args.sandbox_db,
        read_only=args.read_only,
        toolsets=parse_toolsets(args.toolsets),
        disable_destructive=args.disable_destructive,
        index_enabled=False if args.no_index else None,
        index_dir=args.index_dir,
        redis_url=args.redis_url,
        oauth=args.oauth,
        public_url=args.public_url,
        timeout=args.timeout,
        log_level=args.log_level,
    )


def _secrets(settings: Settings) -> list[str]:
    out = []
    if settings.api_key is not None:
        out.append(settings.api_key.get_secret_value())
    for secret in (settings.http_auth_token, settings.oauth_client_secret, settings.state_key):
        if secret is not None:
            out.append(secret.get_secret_value())
    if settings.redis_url is not None:  # only its password: the logs may say where shared state lives
        password = urlsplit(settings.redis_url.get_secret_value()).password
        if password:
            out.append(password)
    return out


def _is_terminal(stream: TextIO | None) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (ValueError, OSError):  # closed or detached
        return False


def run(args: argparse.Namespace) -> int:
    """Validate the settings, then block serving MCP; a ``SettingsError`` becomes one line and exit 2."""
    settings = settings_from_args(args)
    settings.require_credentials()
    settings.require_oauth()
    settings.require_safe_http()
    configure_logging(settings.log_level, _secrets(settings))
    log = logging.getLogger("attio_mcp.server")
    if args.auth_token:
        log.warning(
            "--auth-token is readable by every local user in the process list (/proc/PID/cmdline); "
            "pass the token in ATTIO_MCP_HTTP_TOKEN or --auth-token-file instead"
        )
    if settings.base_url_warning:
        log.warning("%s", settings.base_url_warning)
    if settings.transport == "stdio" and _is_terminal(sys.stdin):
        sys.stderr.write(TTY_HINT)
        sys.stderr.flush()
    from attio_mcp.server.transports import serve  # the SDK import: only when serving

    serve(settings)
    return 0
