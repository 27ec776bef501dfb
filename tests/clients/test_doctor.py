"""``attio-mcp doctor``: workspace, scopes, rate-limit headroom, allowed tools, and one line per problem."""

from __future__ import annotations

import io
import json
from typing import Any

import httpx
import pytest

from attio_mcp import cli
from attio_mcp.cli import cmd_doctor
from attio_mcp.sandbox import create_app
from attio_mcp.tools import ALL_TOOLS
from attio_mcp.toolsets import missing_scopes
from tests.clients._support import ATTIO_MCP, base_env, free_port, run

READ_RECORDS = "record_permission:read object_configuration:read"


class TokenShape(httpx.AsyncBaseTransport):
    """The sandbox, but ``/v2/self`` describes a different token (fewer scopes, inactive, extra headers)."""

    def __init__(
        self, *, scope: str | None = None, active: bool = True, headers: dict[str, str] | None = None
    ):
        self.inner = httpx.ASGITransport(app=create_app())
        self.scope, self.active, self.headers = scope, active, headers or {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.url.path != "/v2/self":
            return response
        body = json.loads(await response.aread())
        if self.scope is not None:
            body["scope"] = self.scope
        if not self.active:
            body = {"active": False}
        return httpx.Response(200, json=body, headers=self.headers)


def _doctor(argv: list[str], transport: httpx.AsyncBaseTransport | None = None) -> tuple[int, list[str]]:
    args = cli.build_parser().parse_args(["doctor", *argv])
    out = io.StringIO()
    code = cmd_doctor.run(args, stdout=out, transport=transport)
    return code, out.getvalue().splitlines()


def test_sandbox_report() -> None:
    proc = run([str(ATTIO_MCP), "doctor", "--sandbox"], timeout=60)
    out = proc.stdout
    assert "workspace:  Demo Sales Co (demo-sales-co)" in out
    assert "record_permission:read-write" in out and "note:read-write" in out
    assert "rate limit: unknown" in out
    assert f"{len(ALL_TOOLS)} of {len(ALL_TOOLS)} enabled tools are allowed" in out
    assert "records: records_search" in out and out.rstrip().endswith("OK: ready to serve.")


def test_key_against_attio_over_http(sandbox_api: str) -> None:
    env = base_env(ATTIO_API_KEY="some-key-value", ATTIO_BASE_URL=sandbox_api)
    proc = run([str(ATTIO_MCP), "doctor", "--json"], env=env, timeout=60)
    report = json.loads(proc.stdout)
    assert report["ok"] is True and report["target"] == sandbox_api
    assert report["workspace"]["slug"] == "demo-sales-co" and "deals" in report["objects"]
    assert "some-key-value" not in proc.stdout + proc.stderr


def test_rejected_key_is_one_auth_error_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATTIO_API_KEY", "wrong-key-123456")
    transport = httpx.ASGITransport(app=create_app(tokens={"the-right-key"}))
    code, lines = _doctor(["--base-url", "https://attio.test"], transport)  # http:// only to loopback
    assert code == 1
    errors = [line for line in lines if line.startswith("AUTH_ERROR:")]
    assert len(errors) == 1 and "rejected the API key (401" in errors[0] and "Next:" in errors[0]
    assert not any("wrong-key-123456" in line for line in lines)


def test_unreachable_attio_is_one_upstream_error_line() -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    proc = run(
        [str(ATTIO_MCP), "doctor"],
        env=base_env(ATTIO_API_KEY="k-123456", ATTIO_BASE_URL=closed),
        timeout=60,
        check=False,
    )
    assert proc.returncode == 1
    errors = [line for line in proc.stdout.splitlines() if line.startswith("UPSTREAM_ERROR:")]
    assert len(errors) == 1 and closed in errors[0] and "ATTIO_BASE_URL" in errors[0], proc.stdout


def test_no_key() -> None:
    code, lines = _doctor([])
    assert code == 1 and any(line.startswith("AUTH_ERROR: no API key") for line in lines)


def test_inactive_token() -> None:
    code, lines = _doctor(["--sandbox"], TokenShape(active=False))
    assert code == 1 and any(line.startswith("AUTH_ERROR:") and "not active" in line for line in lines)


def test_missing_scopes_name_the_tools_and_fail() -> None:
    code, lines = _doctor(["--sandbox"], TokenShape(scope=READ_RECORDS))
    assert code == 1
    missing = [line for line in lines if line.startswith("MISSING_SCOPE:")]
    records_write = next(line for line in missing if "records_create" in line)
    assert "record_permission:read-write" in records_write and "--read-only" in records_write
    assert any("notes_create" in line and "note:read-write" in line for line in missing)
    allowed = next(line for line in lines if line.strip().startswith("records:"))
    assert "records_search" in allowed and "records_create" not in allowed


def test_tools_that_skip_sources_are_allowed_with_a_warning() -> None:
    """records_timeline and search read notes, tasks, comments, meetings and calls only where the key may:
    without those scopes they are allowed, and the doctor says what they will skip."""
    code, lines = _doctor(["--sandbox", "--toolsets", "timeline,search"], TokenShape(scope=READ_RECORDS))
    assert code == 0, lines
    assert not any(line.startswith("MISSING_SCOPE") for line in lines)
    warning = next(line for line in lines if line.strip().startswith("warning:"))
    assert (
        "records_timeline, search, fetch work without note:read" in warning
        and "call_recording:read" in warning
    )
    code, lines = _doctor(["--sandbox", "--toolsets", "timeline,search"], TokenShape())
    assert code == 0 and not any("warning:" in line for line in lines)


def test_read_only_selection_that_fits_the_scopes_passes() -> None:
    argv = ["--sandbox", "--read-only", "--toolsets", "records,schema"]
    code, lines = _doctor(argv, TokenShape(scope=READ_RECORDS))
    assert code == 1  # records_get_entries also reads list entries
    assert [line for line in lines if line.startswith("MISSING_SCOPE")] == [
        "MISSING_SCOPE: records_get_entries need list_entry:read. Next: grant the scope to the key in Attio "
        "(Workspace settings > Developers), or hide these tools with --toolsets / --read-only."
    ]
    code, lines = _doctor(argv, TokenShape(scope=READ_RECORDS + " list_entry:read"))
    assert code == 0, lines
    assert not any(line.startswith("MISSING_SCOPE") for line in lines)


def test_rate_limit_headers_are_reported() -> None:
    headers = {"X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "97"}
    code, lines = _doctor(["--sandbox"], TokenShape(headers=headers))
    assert code == 0
    assert "  rate limit: 97 of 100 requests left in the current window" in lines


def _tool(name: str) -> Any:
    return ALL_TOOLS[name]


def test_every_tool_has_scopes_matching_its_kind() -> None:
    for spec in ALL_TOOLS.values():
        scopes = spec.scopes
        if spec.name == "whoami":
            assert scopes == ()
            continue
        writes = [s for s in scopes if s.endswith(":read-write")]
        assert bool(writes) == (not spec.read_only), (spec.name, scopes)


def test_read_write_covers_read() -> None:
    granted = ["record_permission:read-write", "object_configuration:read"]
    assert missing_scopes(_tool("records_search").scopes, granted) == []
    assert missing_scopes(_tool("records_create").scopes, granted) == []
    assert missing_scopes(_tool("notes_create").scopes, granted) == ["note:read-write"]
    assert missing_scopes(["object_configuration:read-write"], ["object_configuration:read"]) == [
        "object_configuration:read-write"
    ]
