"""Attio sign-in through the proxy, across three replicas that share sign-in state through Redis: the
pending authorization is stored by one replica and the browser's return from Attio is answered by another,
the MCP client's tokens work on every replica, and a sign-out on one replica holds on all of them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.auth import OAuthClientProvider
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import (
    AuthorizationCodeResult,
    OAuthClientMetadata,
)
from pydantic import AnyUrl

from tests.oauth_tokens import MemoryTokens
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


@dataclass
class Browser:
    """Follows the authorize redirect through the sandbox's consent page as ``MEMBER`` and notes which
    replica answered our /authorize and our /oauth/callback."""

    replicas: dict[str, int] = field(default_factory=dict)
    result: AuthorizationCodeResult | None = None

    async def open(self, authorize_url: str) -> None:
        async with httpx.AsyncClient(follow_redirects=False, trust_env=False) as web:
            ours = await web.get(authorize_url)
            assert ours.status_code == 302, ours.text
            self.replicas["authorize"] = int(ours.headers[REPLICA_HEADER])
            consent_url = ours.headers["location"]
            page = await web.get(consent_url)  # the sandbox's consent page ("Attio")
            assert page.status_code == 200, page.text
            action = re.search(r"<form method='post' action='([^']+)'", page.text)
            assert action is not None, page.text
            form = dict(re.findall(r"<input type='hidden' name='([^']+)' value='([^']*)'>", page.text))
            form.pop("scope_choice", None)  # no boxes sent: the member's whole set
            form.update(member=MEMBER, decision="approve")
            approved = await web.post(urljoin(consent_url, action.group(1)), data=form)
            assert approved.status_code == 302, approved.text
            back = await web.get(approved.headers["location"])  # our /oauth/callback, through the proxy
            assert back.status_code == 302, back.text
            self.replicas["callback"] = int(back.headers[REPLICA_HEADER])
            final = back.headers["location"]
        assert final.startswith(CLIENT_REDIRECT), final
        query = {k: v[0] for k, v in parse_qs(urlsplit(final).query).items()}
        self.result = AuthorizationCodeResult(
            code=query["code"], state=query.get("state"), iss=query.get("iss")
        )

    async def callback(self) -> AuthorizationCodeResult:
        assert self.result is not None
        return self.result


async def test_sign_in_spans_replicas_and_sign_out_holds_on_all(signing_team: Cluster) -> None:
    browser, tokens = Browser(), MemoryTokens()
    paths: list[tuple[str, int]] = []  # (path, replica) of every response the MCP client got

    async def note(response: httpx2.Response) -> None:
        replica = response.headers.get(REPLICA_HEADER)
        if replica is not None:
            paths.append((response.request.url.path, int(replica)))

    auth = OAuthClientProvider(
        signing_team.mcp_url,
        OAuthClientMetadata(
            client_name="replicas test",
            redirect_uris=[AnyUrl(CLIENT_REDIRECT)],
            grant_types=["authorization_code", "refresh_token"],
            response_types=["code"],
        ),
        tokens,
        redirect_handler=browser.open,
        callback_handler=browser.callback,
    )
    async with httpx2.AsyncClient(
        auth=auth, timeout=60, event_hooks={"response": [note]}, trust_env=False
    ) as http:
        async with Client(streamable_http_client(signing_team.mcp_url, http_client=http)) as client:
            for _ in range(4):
                me = await client.call_tool("members_list", {})
                assert not me.is_error, me.content
    # The pending authorization was written by one replica and taken back by another.
    assert browser.replicas["authorize"] != browser.replicas["callback"], browser.replicas
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
