"""The HTTP transport: token required beyond loopback, 401 without it, Host/Origin checks, /healthz,
and per-caller Attio keys with nothing shared between keys."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import anyio
import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from attio_mcp import cli
from attio_mcp.cli import cmd_serve
from attio_mcp.sandbox import create_app
from attio_mcp.server.app import build_server
from attio_mcp.server.callers import CallerWorkspaces
from attio_mcp.server.http import build_http_app
from attio_mcp.server.settings import Settings, SettingsError
from tests.reliability.live import LiveServer, free_port, live, wait_until_serving
from tests.security.harness import RecordingTransport

pytestmark = pytest.mark.anyio

TOKEN = "http-test-token-5c1e"
KEY_A, KEY_B, KEY_BAD = "sk-caller-A-9f8e7d6c", "sk-caller-B-1a2b3c4d", "sk-caller-X-00000000"
INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "t", "version": "1"},
    },
}
MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def _post(url: str, **headers: str) -> httpx.Response:
    return httpx.post(f"{url}/mcp", json=INIT, headers={**MCP_HEADERS, **headers}, timeout=10)


@asynccontextmanager
async def _mcp(url: str, **headers: str) -> AsyncIterator[Client]:
    async with httpx2.AsyncClient(headers=headers, timeout=30) as http:
        async with Client(streamable_http_client(f"{url}/mcp", http_client=http)) as client:
            yield client


@contextmanager
def _served(settings: Settings, sandbox: Any = None, transport: Any = None) -> Iterator[LiveServer]:
    transport = transport or httpx.ASGITransport(app=sandbox or create_app())
    app = build_http_app(build_server(settings, transport=transport), settings)
    with live(app, lifespan="on") as server:
        yield server


# -- start-up rules, through the CLI ---------------------------------------------------------------------


def test_beyond_loopback_without_token_refuses_to_start(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (
        ["--sandbox", "--transport", "http", "--host", "0.0.0.0"],
        ["serve", "--sandbox", "--transport", "http", "--host", "192.0.2.10", "--allowed-hosts", "x.example"],
    ):
        assert cli.main(argv) == 2
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and "refusing to listen" in err
        assert "ATTIO_MCP_HTTP_TOKEN" in err and "--auth-token" in err


def test_cli_flags_and_env_reach_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    args = cli.build_parser().parse_args(
        ["--transport", "http", "--allowed-hosts", "MCP.example.com, 10.0.0.5:8000", "--allow-request-keys"]
    )
    settings = cmd_serve.settings_from_args(args)
    assert settings.allowed_hosts == ("mcp.example.com", "10.0.0.5:8000") and settings.allow_request_keys
    monkeypatch.setenv("ATTIO_MCP_ALLOWED_HOSTS", "a.example,b.example")
    monkeypatch.setenv("ATTIO_MCP_ALLOW_REQUEST_KEYS", "1")
    monkeypatch.setenv("ATTIO_MCP_HTTP_TOKEN", TOKEN)
    settings = cmd_serve.settings_from_args(
        cli.build_parser().parse_args(["--transport", "http", "--host", "0.0.0.0"])
    )
    assert settings.allowed_hosts == ("a.example", "b.example") and settings.allow_request_keys
    settings.require_safe_http()
    # Per-caller keys need no server key over HTTP, but stdio still does.
    settings.require_credentials()
    with pytest.raises(SettingsError):
        cmd_serve.settings_from_args(cli.build_parser().parse_args([])).require_credentials()


def test_real_cli_http_server_with_token() -> None:
    """``attio-mcp --sandbox --transport http`` as a subprocess: health open, everything else guarded."""
    port = free_port()
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "ATTIO_MCP_HTTP_TOKEN": TOKEN}
    proc = subprocess.Popen(
        [sys.executable, "-m", "attio_mcp", "--sandbox", "--transport", "http", "--port", str(port)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        health = wait_until_serving(url, proc)
        assert health.status_code == 200 and health.json() == {"ok": True}

        missing = _post(url)
        assert missing.status_code == 401 and "Bearer" in missing.headers["www-authenticate"]
        assert _post(url, Authorization="Bearer wrong-token").status_code == 401
        assert _post(url, Authorization=TOKEN).status_code == 401  # the scheme is required
        assert _post(url, Authorization=f"Bearer {TOKEN}", Host="evil.example").status_code == 421
        assert _post(url, Authorization=f"Bearer {TOKEN}", Origin="https://evil.example").status_code == 403
        assert _post(url, Authorization=f"Bearer {TOKEN}", Host=f"localhost:{port}").status_code == 200
        assert (
            _post(url, Authorization=f"Bearer {TOKEN}", Origin=f"http://localhost:{port}").status_code == 200
        )

        async def use() -> None:
            async with _mcp(url, Authorization=f"Bearer {TOKEN}") as client:
                result = await client.call_tool("whoami", {})
                assert not result.is_error and result.structured_content["workspace"]["name"]

        anyio.run(use)
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=15)
    assert TOKEN not in err


# -- Host / Origin beyond loopback ------------------------------------------------------------------------


def test_bound_beyond_loopback_still_checks_host_and_origin() -> None:
    # Served on loopback here, but configured as if bound to every interface: the checks are what matter.
    settings = Settings(
        sandbox=True,
        transport="http",
        host="0.0.0.0",
        http_auth_token=TOKEN,
        allowed_hosts=("mcp.example.com", "10.1.2.3:8443"),
    )
    auth = f"Bearer {TOKEN}"
    with _served(settings) as server:
        assert _post(server.url, Authorization=auth, Host="mcp.example.com").status_code == 200
        assert _post(server.url, Authorization=auth, Host="mcp.example.com:443").status_code == 200
        assert _post(server.url, Authorization=auth, Host="10.1.2.3:8443").status_code == 200
        assert _post(server.url, Authorization=auth, Host="10.1.2.3:9999").status_code == 421
        assert _post(server.url, Authorization=auth, Host="evil.example").status_code == 421
        assert _post(server.url, Authorization=auth, Host="mcp.example.com.evil.example").status_code == 421
        ok_origin = _post(
            server.url, Authorization=auth, Host="mcp.example.com", Origin="https://mcp.example.com"
        )
        assert ok_origin.status_code == 200
        assert _post(server.url, Authorization=auth, Origin="https://evil.example").status_code == 403
        assert _post(server.url, Host="mcp.example.com").status_code == 401  # the token still comes first
        assert httpx.get(f"{server.url}/healthz", headers={"Host": "10.9.9.9"}).status_code == 200
        huge = httpx.post(
            f"{server.url}/mcp",
            content=b"[" + b"1," * (2 * 1024 * 1024) + b"1]",
            headers={**MCP_HEADERS, "Authorization": auth},
            timeout=30,
        )
        assert huge.status_code == 413  # bodies over 4 MiB are refused before parsing

    # No allowed hosts while bound to every interface: only loopback names get through.
    bare = Settings(sandbox=True, transport="http", host="0.0.0.0", http_auth_token=TOKEN)
    with _served(bare) as server:
        assert _post(server.url, Authorization=auth, Host="mcp.example.com").status_code == 421
        assert _post(server.url, Authorization=auth).status_code == 200

    # '*' is the explicit opt-out: any Host, the token is the only guard.
    anyhost = Settings(
        sandbox=True, transport="http", host="0.0.0.0", http_auth_token=TOKEN, allowed_hosts=("*",)
    )
    with _served(anyhost) as server:
        assert _post(server.url, Authorization=auth, Host="whatever.example").status_code == 200


# -- per-caller Attio keys ----------------------------------------------------------------------------------


def _auths(transport: RecordingTransport, since: int) -> set[str]:
    return {r.headers.get("authorization", "") for r, _ in transport.log[since:]}


async def test_per_caller_keys_share_no_cache(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    sandbox = create_app(tokens={KEY_A, KEY_B})
    transport = RecordingTransport(httpx.ASGITransport(app=sandbox))
    settings = Settings(
        base_url="http://sandbox.test", insecure_base_url=True, transport="http", allow_request_keys=True
    )
    with _served(settings, transport=transport) as server:

        async def call(
            key: str | None, name: str, args: dict[str, Any] | None = None
        ) -> tuple[Any, set[str]]:
            since = len(transport.log)
            headers = {"X-Attio-Api-Key": key} if key else {}
            async with _mcp(server.url, **headers) as client:
                result = await client.call_tool(name, args or {})
            return result, _auths(transport, since)

        # Caller A warms its schema and members caches.
        for name, args in (
            ("objects_list", {}),
            ("members_list", {}),
            ("attributes_list", {"resource_type": "companies"}),
        ):
            result, auths = await call(KEY_A, name, args)
            assert not result.is_error, result.content[0].text
            assert auths <= {f"Bearer {KEY_A}"}
        # A stranger with a key Attio refuses gets nothing from A's caches: every call goes to Attio, and fails.
        for name, args in (
            ("objects_list", {}),
            ("members_list", {}),
            ("attributes_list", {"resource_type": "companies"}),
        ):
            result, auths = await call(KEY_BAD, name, args)
            assert result.is_error and result.content[0].text.startswith("AUTH_ERROR:"), result.content[
                0
            ].text
            assert auths == {f"Bearer {KEY_BAD}"}
        # Caller B works with its own key; A's cached calls still need no request.
        result, auths = await call(KEY_B, "members_list")
        assert not result.is_error and auths == {f"Bearer {KEY_B}"}
        result, auths = await call(KEY_A, "members_list")
        assert not result.is_error and auths == set()
        # No key at all (and no server key): refused locally with a clear message.
        result, auths = await call(None, "whoami")
        assert (
            result.content[0].text.startswith("AUTH_ERROR:") and "X-Attio-Api-Key" in result.content[0].text
        )
        assert auths == set()
        # Resources read with the caller's key too.
        since = len(transport.log)
        async with _mcp(server.url, **{"X-Attio-Api-Key": KEY_B}) as client:
            await client.read_resource("attio://skills/workspace-schema/lists.md")
        assert _auths(transport, since) == {f"Bearer {KEY_B}"}
        # A malformed header never reaches the tools.
        assert _post(server.url, **{"X-Attio-Api-Key": "two words"}).status_code == 400

    for key in (KEY_A, KEY_B, KEY_BAD):
        assert key not in caplog.text


def test_request_keys_refused_unless_enabled() -> None:
    with _served(Settings(sandbox=True, transport="http")) as server:
        response = _post(server.url, **{"X-Attio-Api-Key": KEY_A})
        assert response.status_code == 400 and "--allow-request-keys" in response.json()["message"]
        assert _post(server.url).status_code == 200


async def test_caller_pool_closes_evicted_clients_once_unused() -> None:
    made: list[Any] = []

    def factory(api_key: str, transport: Any) -> Any:
        from attio_mcp.attio import AttioClient

        made.append(AttioClient(api_key=api_key, base_url="http://unused.test", transport=transport))
        return made[-1]

    async with CallerWorkspaces(factory, schema_ttl=60, max_keys=2, max_live=3) as pool:
        async with pool.lease("key-one") as first, pool.lease("key-one") as again:
            assert again is first
        async with pool.lease("key-two"), pool.lease("key-three"):  # evicts key-one, which is idle
            assert len(pool) == 2 and pool.live == 2
            assert first.client.closed and not made[1].closed
        async with pool.lease("key-one") as fresh:
            assert fresh is not first
    assert all(c.closed for c in made)
