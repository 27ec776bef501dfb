"""``attio-mcp doctor``: check the key, the workspace, the scopes and which tools the token can use.

One ``GET /v2/self`` names the workspace and the granted scopes; every enabled tool is then checked against
the Attio scopes its endpoints need (attio-api.md §3). Problems are one line each, starting with a machine
code (AUTH_ERROR, UPSTREAM_ERROR, RATE_LIMIT, MISSING_SCOPE) and ending with the next step.
Exit codes: 0 all enabled tools usable; 1 something is wrong; 2 bad settings.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TextIO

import anyio
import httpx

from attio_mcp.attio import AttioError, AttioTransportError, AuthError, RateLimitError
from attio_mcp.cli.common import configure_logging, load_settings
from attio_mcp.server.settings import Settings, SettingsError, parse_toolsets
from attio_mcp.tools import select_tools
from attio_mcp.toolsets import R_OBJ, missing_scopes
from attio_mcp.workspace.errors import code_of

RATE_LIMIT_HEADERS = (
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "ratelimit-limit",
    "ratelimit-remaining",
    "ratelimit-reset",
    "ratelimit",
    "ratelimit-policy",
)


def rate_limit_text(headers: Mapping[str, str]) -> str:
    """Headroom from rate-limit response headers, or a plain 'unknown' when Attio sent none."""
    found = {name: headers[name] for name in RATE_LIMIT_HEADERS if name in headers}
    if not found:
        return "unknown (no rate-limit headers on /v2/self; Attio documents 100 reads/s and 25 writes/s)"
    remaining = found.get("x-ratelimit-remaining") or found.get("ratelimit-remaining")
    limit = found.get("x-ratelimit-limit") or found.get("ratelimit-limit")
    if remaining and limit:
        return f"{remaining} of {limit} requests left in the current window"
    return "; ".join(f"{k}: {v}" for k, v in found.items())


@dataclass
class Report:
    """What the doctor found; ``problems`` are one-line, machine-coded."""

    target: str
    workspace: dict[str, Any] = field(default_factory=dict)
    scopes: list[str] = field(default_factory=list)
    rate_limit: str = ""
    client_limits: str = ""
    objects: list[str] = field(default_factory=list)
    allowed: dict[str, list[str]] = field(default_factory=dict)
    blocked: dict[str, list[str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class _HeaderTap(httpx.AsyncBaseTransport):
    """Passes requests through and keeps the response headers of ``/v2/self``."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.self_headers: dict[str, str] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.url.path.endswith("/v2/self"):
            self.self_headers = {k.lower(): v for k, v in response.headers.items()}
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``doctor`` on the top-level sub-command parser."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "doctor",
        help="check the API key, workspace, scopes and which tools the token allows",
        description="Call Attio's /v2/self with the configured key and report the workspace, scopes, "
        "rate-limit headroom and the enabled tools the scopes allow. Exit 1 when something is wrong.",
    )
    keep = argparse.SUPPRESS  # a flag given before the command (attio-mcp --sandbox doctor) still counts
    p.add_argument("--sandbox", action="store_true", default=keep, help="check the embedded demo workspace")
    p.add_argument("--base-url", default=keep, help="Attio API base URL (ATTIO_BASE_URL)")
    p.add_argument(
        "--insecure-base-url",
        action="store_true",
        default=keep,
        help="allow a plain http:// base URL to a host that is not loopback (ATTIO_INSECURE_BASE_URL)",
    )
    p.add_argument("--timeout", type=float, default=keep, help="seconds per request (default: 30)")
    p.add_argument("--read-only", action="store_true", default=keep, help="check the read tools only")
    p.add_argument("--toolsets", default=keep, help="comma-separated toolsets to check (default: all)")
    p.add_argument("--disable-destructive", action="store_true", default=keep, help="skip delete tools")
    p.add_argument("--json", action="store_true", help="print the report as one JSON object")
    return p


def _settings(args: argparse.Namespace) -> Settings:
    settings = load_settings(
        sandbox=getattr(args, "sandbox", None) or None,
        base_url=getattr(args, "base_url", None),
        insecure_base_url=getattr(args, "insecure_base_url", None) or None,
        timeout=getattr(args, "timeout", None),
        read_only=getattr(args, "read_only", None) or None,
        toolsets=parse_toolsets(getattr(args, "toolsets", None)),
        disable_destructive=getattr(args, "disable_destructive", None) or None,
    )
    # A doctor should answer quickly: one retry at most, short connect timeout.
    return settings.model_copy(update={"max_attempts": 2, "max_retry_seconds": 5.0, "connect_timeout": 5.0})


def _inner_transport(settings: Settings) -> httpx.AsyncBaseTransport:
    if settings.sandbox:
        from attio_mcp.sandbox import DatabaseInUse, create_app

        try:
            return httpx.ASGITransport(app=create_app(db_path=settings.sandbox_db))
        except DatabaseInUse as exc:
            raise SettingsError(str(exc)) from None
    return httpx.AsyncHTTPTransport()


def _failure_line(exc: AttioError, target: str) -> str:
    if isinstance(exc, AuthError):
        return (
            f"AUTH_ERROR: {target} rejected the API key ({exc.status}: {exc.message}). Next: create a key in "
            "Attio (Workspace settings > Developers) and set ATTIO_API_KEY."
        )
    if isinstance(exc, AttioTransportError):
        return f"UPSTREAM_ERROR: cannot reach {target}: {exc}. Next: check the network and ATTIO_BASE_URL."
    if isinstance(exc, RateLimitError):
        return f"RATE_LIMIT: {target} is throttling this key ({exc.message}). Next: wait a moment and retry."
    return f"{code_of(exc)}: {target} answered /v2/self with an error: {exc}. Next: retry later."


async def diagnose(settings: Settings, transport: httpx.AsyncBaseTransport | None = None) -> Report:
    """Run every check against Attio (or the sandbox); never raises for Attio failures."""
    from attio_mcp.server.app import make_client_factory

    target = "the embedded sandbox" if settings.sandbox else settings.base_url
    report = Report(target=target)
    report.client_limits = f"{settings.reads_per_second:g} reads/s, {settings.writes_per_second:g} writes/s"
    if settings.base_url_warning:
        report.warnings.append(settings.base_url_warning)
    if not settings.sandbox and settings.api_key is None:
        report.problems.append(
            "AUTH_ERROR: no API key. Next: set ATTIO_API_KEY (or ATTIO_ACCESS_TOKEN), or check the demo "
            "workspace with: attio-mcp doctor --sandbox"
        )
        return report
    tap = _HeaderTap(transport or _inner_transport(settings))
    try:
        client = make_client_factory(settings, tap)()
    except ValueError as exc:  # the key has whitespace or non-ASCII characters
        report.problems.append(f"AUTH_ERROR: the API key is malformed ({exc}). Next: copy the key again.")
        return report
    try:
        async with client:
            info = await client.get_self()
            report.rate_limit = rate_limit_text(tap.self_headers)
            if not info.active:
                report.problems.append(
                    "AUTH_ERROR: Attio says the token is not active (revoked or expired). Next: create a new "
                    "key in Attio (Workspace settings > Developers) and set ATTIO_API_KEY."
                )
                return report
            report.workspace = {
                "name": info.workspace_name,
                "slug": info.workspace_slug,
                "id": info.workspace_id,
            }
            report.scopes = info.scopes
            if not missing_scopes([R_OBJ], report.scopes):
                report.objects = [o.api_slug or "?" for o in await client.list_objects()]
    except AttioError as exc:
        report.problems.append(_failure_line(exc, target))
        return report
    _check_tools(report, settings)
    return report


def _check_tools(report: Report, settings: Settings) -> None:
    chosen = select_tools(
        toolsets=settings.toolsets,
        read_only=settings.read_only,
        disable_destructive=settings.disable_destructive,
    )
    gaps: dict[tuple[str, ...], list[str]] = {}
    limits: dict[tuple[str, ...], list[str]] = {}
    for spec in chosen:
        missing = missing_scopes(spec.scopes, report.scopes)
        if missing:
            report.blocked.setdefault(spec.toolset, []).append(spec.name)
            gaps.setdefault(tuple(missing), []).append(spec.name)
        else:
            report.allowed.setdefault(spec.toolset, []).append(spec.name)
            lacking = missing_scopes(spec.optional_scopes, report.scopes)
            if lacking:
                limits.setdefault(tuple(lacking), []).append(spec.name)
    for gap, names in limits.items():
        report.warnings.append(
            f"{', '.join(names)} work without {', '.join(gap)} but skip (and name) what those scopes read"
        )
    for needed, names in gaps.items():
        report.problems.append(
            f"MISSING_SCOPE: {', '.join(names)} need {', '.join(needed)}. Next: grant the scope to the key in "
            "Attio (Workspace settings > Developers), or hide these tools with --toolsets / --read-only."
        )


def _render(report: Report, out: TextIO) -> None:
    out.write(f"attio-mcp doctor: checking {report.target}\n")
    for line in report.warnings:
        out.write(f"  warning:    {line}\n")
    if report.workspace:
        ws = report.workspace
        out.write(f"  workspace:  {ws.get('name')} ({ws.get('slug')}), id {ws.get('id')}\n")
        out.write(f"  scopes:     {', '.join(report.scopes) or '(none)'}\n")
    if report.rate_limit:
        out.write(f"  rate limit: {report.rate_limit}\n")
        out.write(f"  throttle:   {report.client_limits} (this client's own limits)\n")
    if report.objects:
        out.write(f"  objects:    {', '.join(report.objects)}\n")
    if report.allowed or report.blocked:
        n_ok = sum(len(v) for v in report.allowed.values())
        n_all = n_ok + sum(len(v) for v in report.blocked.values())
        out.write(f"  tools:      {n_ok} of {n_all} enabled tools are allowed by the token's scopes\n")
        for toolset, names in report.allowed.items():
            out.write(f"    {toolset}: {', '.join(names)}\n")
    for line in report.problems:
        out.write(f"{line}\n")
    out.write("OK: ready to serve.\n" if report.ok else f"{len(report.problems)} problem(s) found.\n")


def run(
    args: argparse.Namespace,
    *,
    stdout: TextIO | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> int:
    """Run the doctor; 0 when every enabled tool is usable, 1 when something is wrong, 2 on bad settings."""
    out = stdout or sys.stdout
    try:
        settings = _settings(args)
    except SettingsError as exc:
        out.write(f"VALIDATION_ERROR: {exc}\n")
        return 2

    configure_logging("ERROR", [settings.api_key.get_secret_value()] if settings.api_key else [])
    report = anyio.run(diagnose, settings, transport)
    if getattr(args, "json", False):
        data = {k: v for k, v in vars(report).items()}
        data["ok"] = report.ok
        out.write(json.dumps(data, ensure_ascii=False) + "\n")
    else:
        _render(report, out)
    return 0 if report.ok else 1
