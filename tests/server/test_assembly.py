"""``build_server`` owns what a request needs, per-caller workspaces included; the HTTP app only wraps the
SDK's app in layers and changes nothing on the server."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from mcp import Client

from attio_mcp.sandbox import create_app
from attio_mcp.server.app import build_server
from attio_mcp.server.callers import CallerWorkspaces, header_api_key
from attio_mcp.server.http import build_http_app
from attio_mcp.server.settings import Settings

pytestmark = pytest.mark.anyio

SERVER_KEY, KEY_A, KEY_B = "sk-assembly-server-0000", "sk-assembly-A-1234", "sk-assembly-B-5678"
TOKEN = "assembly-token-77aa"


class _Authorizations(httpx.AsyncBaseTransport):
    """The sandbox, remembering the ``Authorization`` header of every request the server sends it."""

    def __init__(self) -> None:
        self.inner = httpx.ASGITransport(app=create_app(tokens={SERVER_KEY, KEY_A, KEY_B}))
        self.seen: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request.headers.get("authorization", ""))
        return await self.inner.handle_async_request(request)


async def test_caller_key_runs_each_request_with_that_callers_workspace() -> None:
    transport = _Authorizations()
    caller: dict[str, str | None] = {"key": None}
    settings = Settings(api_key=SERVER_KEY, base_url="http://sandbox.test", insecure_base_url=True)
    server = build_server(settings, transport=transport, caller_key=lambda request: caller["key"])
    assert server.caller_keys
    async with Client(server) as client:
        for key in (None, KEY_A, KEY_B, None):
            caller["key"] = key
            transport.seen.clear()
            result = await client.call_tool("whoami", {})
            assert not result.is_error, result.content
            assert set(transport.seen) == {f"Bearer {key or SERVER_KEY}"}


def test_caller_keys_follow_the_settings() -> None:
    assert not build_server(Settings(sandbox=True)).caller_keys
    assert build_server(Settings(sandbox=True, transport="http", allow_request_keys=True)).caller_keys


def test_header_api_key() -> None:
    assert header_api_key(None) is None  # stdio and in-memory requests carry no HTTP request
    assert (
        header_api_key(httpx.Request("GET", "http://x", headers={"X-Attio-Api-Key": f" {KEY_A} "})) == KEY_A
    )
    assert header_api_key(httpx.Request("GET", "http://x", headers={"X-Attio-Api-Key": "  "})) is None
    assert header_api_key(httpx.Request("GET", "http://x")) is None


async def test_caller_pool_serves_one_lifespan_at_a_time() -> None:
    pool = CallerWorkspaces(lambda key: None, schema_ttl=60)  # type: ignore[arg-type,return-value]
    async with pool:
        with pytest.raises(RuntimeError, match="already open"):
            async with pool:
                pass
    async with pool:  # and may be opened again once closed
        pass


async def test_server_has_skill_resources_and_prompts() -> None:
    server = build_server(Settings(sandbox=True), transport=httpx.ASGITransport(app=create_app()))
    async with Client(server) as client:
        assert (await client.list_resources()).resources
        assert (await client.list_prompts()).prompts


def _state(server: Any) -> dict[str, Any]:
    return {k: (list(v) if isinstance(v, list) else v) for k, v in vars(server).items()}


@pytest.mark.parametrize("keys", [False, True])
def test_http_app_changes_nothing_on_the_server(keys: bool) -> None:
    settings = Settings(sandbox=True, transport="http", allow_request_keys=keys, http_auth_token=TOKEN)
    server = build_server(settings)
    before = _state(server), list(server.middleware), server._lowlevel_server.lifespan
    build_http_app(server, settings)
    assert (_state(server), list(server.middleware), server._lowlevel_server.lifespan) == before


def test_http_app_refuses_a_server_without_caller_keys() -> None:
    settings = Settings(sandbox=True, transport="http", allow_request_keys=True)
    with pytest.raises(ValueError, match="built without caller keys"):
        build_http_app(build_server(Settings(sandbox=True)), settings)


async def test_health_route_is_outside_every_check() -> None:
    settings = Settings(sandbox=True, transport="http", host="0.0.0.0", http_auth_token=TOKEN)
    app = build_http_app(build_server(settings), settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://10.9.9.9") as http:
        health = await http.get("/healthz", headers={"X-Attio-Api-Key": "two words"})
        assert health.status_code == 200 and health.json() == {"ok": True}
        assert (await http.head("/healthz")).status_code == 200
        refused = await http.post("/healthz")
        assert refused.status_code == 405 and refused.headers["allow"] == "GET, HEAD"
        assert (await http.post("/mcp", json={})).status_code == 401


def test_instructions_speak_of_the_selected_toolsets_only() -> None:
    everything = build_server(Settings(sandbox=True)).instructions or ""
    notes_only = build_server(Settings(sandbox=True, toolsets=("notes",))).instructions or ""
    assert "records_*" in everything and "attributes_list" in everything
    assert "records_*" not in notes_only and "attributes_list" not in notes_only
    assert notes_only.endswith("end with the next step.")


@pytest.mark.parametrize(
    "options",
    [{"read_only": True}, {"disable_destructive": True}, {"toolsets": ("records", "schema")}, {}],
)
async def test_prompts_only_walk_through_offered_tools(options: dict[str, Any]) -> None:
    """Issue #20: --read-only used to list the write workflows (deal pipeline, bulk import…)."""
    from attio_mcp.skills._prompts import PROMPTS, prompt_tools
    from attio_mcp.tools import ALL_TOOLS

    async with Client(build_server(Settings(sandbox=True, **options))) as client:
        offered = {t.name for t in (await client.list_tools()).tools}
        listed = {p.name for p in (await client.list_prompts()).prompts}
    for name in listed:
        assert prompt_tools(PROMPTS[name], ALL_TOOLS) <= offered, name
    if options.get("read_only"):
        assert "bulk_import" not in listed and "deal_pipeline" not in listed
        assert "account_brief" in listed  # a read-only workflow stays
    if not options:
        assert listed == set(PROMPTS)
