"""Attio sign-in through the proxy, across three replicas that share sign-in state through Redis: the
pending authorization is stored by one replica and the browser's return from Attio is answered by another,
the MCP client's tokens work on every replica, and a sign-out on one replica holds on all of them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from tests.oauth_client import Browser, MemoryTokens, oauth_client
from tests.replicas.cluster import Cluster, cluster
from tests.replicas.proxy import REPLICA_HEADER

pytestmark = pytest.mark.anyio

MEMBER = "olivia.bennett@demo-sales.example"
CLIENT_REDIRECT = "http://127.0.0.1:1/client-callback"  # the browser stops there; never fetched


@pytest.fixture(scope="module")
def signing_team() -> Iterator[Cluster]:
    """Three replicas with --oauth and --redis-url, public URL = the proxy; Attio's endpoints = the sandbox."""
    with cluster(3, redis=True, oauth=True) as running:
        yield running


async def test_sign_in_spans_replicas_and_sign_out_holds_on_all(signing_team: Cluster) -> None:
    browser, tokens = Browser(MEMBER, CLIENT_REDIRECT), MemoryTokens()
    paths: list[tuple[str, int]] = []  # (path, replica) of every response the MCP client got

    async def note(response: httpx2.Response) -> None:
        replica = response.headers.get(REPLICA_HEADER)
        if replica is not None:
            paths.append((response.request.url.path, int(replica)))

    auth = oauth_client(signing_team.mcp_url, browser, tokens, name="replicas test")
    async with httpx2.AsyncClient(
        auth=auth, timeout=60, event_hooks={"response": [note]}, trust_env=False
    ) as http:
        async with Client(streamable_http_client(signing_team.mcp_url, http_client=http)) as client:
            for _ in range(4):
                me = await client.call_tool("members_list", {})
                assert not me.is_error, me.content
    # The pending authorization was written by one replica and taken back by another.
    replicas = {step: int(answer.headers[REPLICA_HEADER]) for step, answer in browser.answers.items()}
    assert replicas["authorize"] != replicas["callback"], replicas
    by_path: dict[str, set[int]] = {}
    for path, replica in paths:
        by_path.setdefault(path, set()).add(replica)
    assert {"/register", "/token", "/mcp"} <= set(by_path), by_path
    assert by_path["/mcp"] == {0, 1, 2}, paths  # the signed-in user's token works on every replica
    # Registration (one replica) was known to the replica that issued the token (any one).
    assert tokens.tokens is not None and tokens.client is not None

    # Sign out on one replica (RFC 7009 through the proxy); the token then fails on all three.
    access = tokens.tokens.access_token
    client_info = tokens.client
    async with httpx.AsyncClient(trust_env=False, timeout=30) as web:
        revoke: dict[str, Any] = {"token": access, "client_id": client_info.client_id}
        if client_info.client_secret:
            revoke["client_secret"] = client_info.client_secret
        revoked = await web.post(signing_team.url + "/revoke", data=revoke)
        assert revoked.status_code == 200, revoked.text
        call = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
        headers = {
            "Authorization": f"Bearer {access}",
            "Accept": "application/json, text/event-stream",
            "MCP-Protocol-Version": "2025-11-25",
        }
        refused = set()
        for _ in range(3):
            answer = await web.post(signing_team.mcp_url, json=call, headers=headers)
            assert answer.status_code == 401, answer.text
            assert answer.headers["www-authenticate"].lower().startswith("bearer"), answer.headers
            refused.add(int(answer.headers[REPLICA_HEADER]))
    assert refused == {0, 1, 2}
