"""Attio sign-in (``--oauth``) end to end: a real MCP client (the SDK's ``OAuthClientProvider``) against the
server under uvicorn on a loopback port, signing in through the sandbox's emulated Attio consent page."""

from __future__ import annotations

import base64
import hashlib
import logging
import secrets
import time
from collections.abc import Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import anyio
import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.auth import OAuthClientProvider
from mcp.client.streamable_http import streamable_http_client

from attio_mcp.sandbox import DEMO_TOKEN, OAuthApp, create_app, oauth_registry
from attio_mcp.sandbox._oauth import ACCESS_TOKEN_PREFIX, REFRESH_TOKEN_PREFIX
from attio_mcp.sandbox._scopes import ALL_SCOPES
from attio_mcp.server.app import SANDBOX_OAUTH_CLIENT_ID, build_server
from attio_mcp.server.http import build_http_app
from attio_mcp.server.oauth import ACCESS_TTL, AttioOAuthBroker
from attio_mcp.server.settings import Settings
from attio_mcp.state import MemoryStore
from tests.oauth_client import Browser, MemoryTokens, oauth_client
from tests.reliability.live import LiveServer, free_port

pytestmark = pytest.mark.anyio

DOMAIN = "demo-sales.example"
OLIVIA, MARCUS, PRIYA = (f"{n}@{DOMAIN}" for n in ("olivia.bennett", "marcus.reed", "priya.shah"))
NO_NOTES = " ".join(s for s in ALL_SCOPES if not s.startswith("note:"))
CLIENT_REDIRECT = "http://127.0.0.1:1/mcp-client-callback"  # never fetched: the browser stops there


@dataclass
class Hosted:
    url: str
    sandbox: Any
    broker: AttioOAuthBroker
    store: MemoryStore

    @property
    def mcp(self) -> str:
        return self.url + "/mcp"


@contextmanager
def hosted(*, sandbox: Any = None, store: MemoryStore | None = None, **extra: Any) -> Iterator[Hosted]:
    """The server with ``--sandbox --oauth`` under uvicorn; Priya's sign-ins grant no note scope. ``extra``:
    more settings (with ``redis_url`` the sign-in state is in Redis)."""
    port = free_port()
    public = f"http://127.0.0.1:{port}"
    if sandbox is None:
        app = OAuthApp(
            client_id=SANDBOX_OAUTH_CLIENT_ID,
            client_secret="sandbox-app-secret-for-tests",
            redirect_uris=(public + "/oauth/callback",),
            expiring=True,
            member_scopes={PRIYA: NO_NOTES},
        )
        sandbox = create_app(oauth_apps=[app])
    if store is None and "redis_url" not in extra:
        store = MemoryStore()
    settings = Settings(sandbox=True, oauth=True, transport="http", port=port, public_url=public, **extra)
    server = build_server(settings, sandbox_app=sandbox, oauth_store=store)
    assert server.oauth is not None
    live = LiveServer(build_http_app(server, settings), port=port, lifespan="on").start()
    try:
        yield Hosted(live.url, sandbox, server.oauth, store or MemoryStore())
    finally:
        live.stop()


class Recorder(httpx2.AsyncBaseTransport):
    """The MCP client's network: every response it receives, headers and body, is kept for inspection."""

    def __init__(self) -> None:
        self.inner = httpx2.AsyncHTTPTransport()
        self.seen: list[str] = []

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        response = await self.inner.handle_async_request(request)
        body = await response.aread()
        self.seen.append(f"{response.status_code} {dict(response.headers)} {body.decode('utf-8', 'replace')}")
        return httpx2.Response(response.status_code, headers=response.headers, content=body, request=request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@dataclass
class User:
    browser: Browser
    tokens: MemoryTokens
    network: Recorder
    auth: OAuthClientProvider

    def everything_seen(self) -> str:
        """What this server sent the browser and the MCP client: statuses, headers and bodies."""
        ours = [f"{r.status_code} {dict(r.headers)} {r.text}" for r in self.browser.answers.values()]
        return "\n".join(ours + self.network.seen)


@asynccontextmanager
async def signed_in(
    hosted_: Hosted, member: str, *, mode: str = "auto", client_metadata_url: str | None = None
) -> Any:
    """An MCP client that signs ``member`` in on its first request (registering itself, or presenting its
    client ID metadata document's URL)."""
    browser, tokens, network = Browser(member, CLIENT_REDIRECT), MemoryTokens(), Recorder()
    auth = oauth_client(
        hosted_.mcp, browser, tokens, name="attio-mcp tests", client_metadata_url=client_metadata_url
    )
    async with httpx2.AsyncClient(auth=auth, transport=network, timeout=30) as http:
        async with Client(streamable_http_client(hosted_.mcp, http_client=http), mode=mode) as client:
            yield client, User(browser, tokens, network, auth)


def attio_tokens(sandbox: Any) -> list[str]:
    """Every live token the emulated Attio issued (access and refresh)."""
    return oauth_registry(sandbox).issued_tokens()


async def _sandbox_get(sandbox: Any, path: str) -> Any:
    """``GET path`` of the emulated Attio with its static key (not as any signed-in user): its ``data``."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=sandbox),
        base_url="http://sandbox",
        headers={"Authorization": f"Bearer {DEMO_TOKEN}"},
    ) as api:
        return (await api.get(path)).json()["data"]


async def note_creator(sandbox: Any, note_id: str) -> str:
    """Who Attio recorded as the note's creator."""
    note = await _sandbox_get(sandbox, f"/v2/notes/{note_id}")
    return str(note["created_by_actor"]["id"])


async def member_id(sandbox: Any, email: str) -> str:
    members = await _sandbox_get(sandbox, "/v2/workspace_members")
    return next(m["id"]["workspace_member_id"] for m in members if m["email_address"] == email)


async def a_company(client: Client) -> str:
    found = await client.call_tool("records_search", {"resource_type": "companies", "limit": 1})
    assert not found.is_error, found.content
    return str(found.structured_content["records"][0]["id"])


# -- the tests ---------------------------------------------------------------------------------------


async def test_metadata_documents_and_challenges() -> None:
    with hosted() as h:
        async with httpx.AsyncClient(base_url=h.url) as web:
            bare = await web.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "ping"})
            prm_url = f"{h.url}/.well-known/oauth-protected-resource/mcp"
            assert bare.status_code == 401
            assert bare.headers["www-authenticate"] == f'Bearer resource_metadata="{prm_url}"'
            forged = await web.post(
                "/mcp",
                json={"jsonrpc": "2.0", "id": 1, "method": "ping"},
                headers={"Authorization": "Bearer forged"},
            )
            assert forged.status_code == 401
            challenge = forged.headers["www-authenticate"]
            assert challenge.startswith("Bearer ") and 'error="invalid_token"' in challenge
            assert f'resource_metadata="{prm_url}"' in challenge

            twice = await web.post(
                "/mcp",
                json={"jsonrpc": "2.0", "id": 1, "method": "ping"},
                headers=[("Authorization", "Bearer a"), ("Authorization", "Bearer b")],
            )
            assert twice.status_code == 400

            prm = (await web.get("/.well-known/oauth-protected-resource/mcp")).json()
            assert prm["resource"] == h.mcp
            assert prm["authorization_servers"] == [h.url]
            assert prm["bearer_methods_supported"] == ["header"]

            meta = (await web.get("/.well-known/oauth-authorization-server")).json()
            assert meta["issuer"] == h.url
            assert meta["authorization_endpoint"] == h.url + "/authorize"
            assert meta["token_endpoint"] == h.url + "/token"
            assert meta["registration_endpoint"] == h.url + "/register"
            assert meta["revocation_endpoint"] == h.url + "/revoke"
            assert meta["code_challenge_methods_supported"] == ["S256"]
            assert meta["response_types_supported"] == ["code"]
            assert set(meta["grant_types_supported"]) == {"authorization_code", "refresh_token"}
            assert meta["client_id_metadata_document_supported"] is True
            assert meta["authorization_response_iss_parameter_supported"] is True

            # Only the consent page of the emulated Attio is served; its API is not.
            assert (
                await web.get("/sandbox/v2/self", headers={"Authorization": f"Bearer {DEMO_TOKEN}"})
            ).status_code == 404


async def test_authorize_requires_pkce_s256() -> None:
    with hosted() as h:
        async with httpx.AsyncClient(base_url=h.url) as web:
            reg = await web.post("/register", json={"redirect_uris": [CLIENT_REDIRECT], "client_name": "t"})
            assert reg.status_code == 201
            client_id = reg.json()["client_id"]
            base = {
                "client_id": client_id,
                "redirect_uri": CLIENT_REDIRECT,
                "response_type": "code",
                "state": "s",
            }
            no_pkce = await web.get("/authorize", params=base)
            plain = await web.get(
                "/authorize", params={**base, "code_challenge": "x" * 43, "code_challenge_method": "plain"}
            )
            for refused in (no_pkce, plain):
                assert refused.status_code == 302
                assert "error=invalid_request" in refused.headers["location"]
                assert refused.headers["location"].startswith(CLIENT_REDIRECT)
            other = await web.get(
                "/authorize",
                params={**base, "code_challenge": "x" * 43, "resource": "https://elsewhere.example/mcp"},
            )
            assert "error=invalid_target" in other.headers["location"]


async def test_real_client_signs_in_lists_calls_refreshes_and_revokes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    with hosted() as h:
        async with signed_in(h, OLIVIA) as (client, user):
            tools = (await client.list_tools()).tools
            assert {"whoami", "notes_create", "records_search"} <= {t.name for t in tools}
            me = await client.call_tool("whoami", {})
            assert not me.is_error, me.content
            assert user.tokens.tokens is not None and user.tokens.tokens.refresh_token
            first = user.tokens.tokens

            # Refresh: the client's token is due, so its next request refreshes (rotating both tokens).
            user.auth.context.token_expiry_time = time.time() - 1
            again = await client.call_tool("whoami", {})
            assert not again.is_error, again.content
            second = user.tokens.tokens
            assert second.access_token != first.access_token
            assert second.refresh_token != first.refresh_token
            assert await h.broker.load_access_token(first.access_token) is None  # rotated out
            assert await h.broker.load_access_token(second.access_token) is not None

            # Attio's token is due too: the server refreshes it at Attio, the client notices nothing.
            before = await h.broker.load_access_token(second.access_token)
            assert before is not None
            h.broker.clock = lambda: time.time() + ACCESS_TTL - 30  # Attio's sandbox tokens live 3600 s
            after = await h.broker.load_access_token(second.access_token)
            assert after is not None and after.attio_token != before.attio_token
            h.broker.clock = time.time
            assert not (await client.call_tool("whoami", {})).is_error

            seen = user.everything_seen()
            issued = attio_tokens(h.sandbox)
            assert issued and all(token not in seen for token in issued)
            assert ACCESS_TOKEN_PREFIX not in seen and REFRESH_TOKEN_PREFIX not in seen
            assert after.attio_token not in seen and before.attio_token not in seen

            # Sign-out: revoke ours; Attio's token is revoked at the sandbox too.
            info = user.tokens.client
            assert info is not None and info.client_id and info.client_secret
            async with httpx.AsyncClient(base_url=h.url) as web:
                revoked = await web.post(
                    "/revoke",
                    data={
                        "token": second.access_token,
                        "client_id": info.client_id,
                        "client_secret": info.client_secret,
                    },
                )
                assert revoked.status_code == 200
                gone = await web.post(
                    "/mcp",
                    json={"jsonrpc": "2.0", "id": 1, "method": "ping"},
                    headers={"Authorization": f"Bearer {second.access_token}"},
                )
                assert gone.status_code == 401 and 'error="invalid_token"' in gone.headers["www-authenticate"]
                refresh = await web.post(
                    "/token",
                    data={
                        "grant_type": "refresh_token",
                        "refresh_token": second.refresh_token,
                        "client_id": info.client_id,
                        "client_secret": info.client_secret,
                    },
                )
                assert refresh.status_code == 400 and refresh.json()["error"] == "invalid_grant"
            registry = oauth_registry(h.sandbox)
            assert registry.lookup(after.attio_token) is None
    # The server's own log lines (and its HTTP client's) never carry a token of either kind.
    server_lines = "\n".join(
        r.getMessage()
        for r in caplog.records
        if r.name.startswith(("attio_mcp", "mcp.server", "httpx", "uvicorn"))
    )
    assert "signed in with Attio" in server_lines  # the log was captured
    for secret in (first.access_token, first.refresh_token or "", second.access_token, after.attio_token):
        assert secret not in server_lines
    assert ACCESS_TOKEN_PREFIX not in server_lines and REFRESH_TOKEN_PREFIX not in server_lines


async def test_expired_and_forged_tokens_get_401_invalid_token() -> None:
    with hosted() as h:
        async with signed_in(h, MARCUS) as (client, user):
            assert not (await client.call_tool("whoami", {})).is_error
            token = user.tokens.tokens.access_token
        ping = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
        async with httpx.AsyncClient(base_url=h.url) as web:
            h.broker.clock = lambda: time.time() + ACCESS_TTL + 1
            expired = await web.post("/mcp", json=ping, headers={"Authorization": f"Bearer {token}"})
            h.broker.clock = time.time
            assert expired.status_code == 401
            assert 'error="invalid_token"' in expired.headers["www-authenticate"]
            assert "resource_metadata=" in expired.headers["www-authenticate"]
            forged = await web.post("/mcp", json=ping, headers={"Authorization": f"Bearer {token[:-2]}xx"})
            assert forged.status_code == 401 and 'error="invalid_token"' in forged.headers["www-authenticate"]


async def test_each_user_acts_as_themselves_with_their_own_scopes() -> None:
    with hosted() as h:
        async with (
            signed_in(h, OLIVIA) as (olivia, _),
            signed_in(h, MARCUS) as (marcus, _),
            signed_in(h, PRIYA) as (priya, _),
        ):
            company = await a_company(olivia)
            notes = {}
            for name, client in (("olivia", olivia), ("marcus", marcus)):
                made = await client.call_tool(
                    "notes_create",
                    {
                        "parent_object": "companies",
                        "parent_record_id": company,
                        "title": f"by {name}",
                        "content": "hi",
                    },
                )
                assert not made.is_error, made.content
                notes[name] = made.structured_content["id"]
            assert await note_creator(h.sandbox, notes["olivia"]) == await member_id(h.sandbox, OLIVIA)
            assert await note_creator(h.sandbox, notes["marcus"]) == await member_id(h.sandbox, MARCUS)

            refused = await priya.call_tool(
                "notes_create",
                {
                    "parent_object": "companies",
                    "parent_record_id": company,
                    "title": "by priya",
                    "content": "hi",
                },
            )
            assert refused.is_error
            text = refused.content[0].text
            assert text.startswith("AUTH_ERROR:") and "note:read-write" in text
            assert not (
                await priya.call_tool("records_search", {"resource_type": "companies", "limit": 1})
            ).is_error


async def test_each_user_lists_the_tools_their_scopes_allow() -> None:
    """Priya's sign-in grants no note scope: her tools/list leaves out exactly the notes_* tools, while tools
    that skip notes when they may not read them (records_timeline, search) stay listed and work for her,
    naming what they skipped. A notes tool called anyway (a client's older list) still gets AUTH_ERROR."""
    with hosted() as h:
        async with signed_in(h, OLIVIA) as (olivia, _), signed_in(h, PRIYA) as (priya, _):
            everything = {t.name for t in (await olivia.list_tools()).tools}
            hers = {t.name for t in (await priya.list_tools()).tools}
            assert {"notes_create", "notes_list", "records_timeline", "search"} <= everything
            assert everything - hers == {"notes_create", "notes_delete", "notes_get", "notes_list"}
            assert hers - everything == set()

            company = await a_company(olivia)
            made = await olivia.call_tool(
                "notes_create",
                {"parent_object": "companies", "parent_record_id": company, "title": "t", "content": "c"},
            )
            assert not made.is_error, made.content
            feed = await priya.call_tool(
                "records_timeline", {"resource_type": "companies", "record_id": company}
            )
            assert not feed.is_error, feed.content
            assert any(s.startswith("note:") for s in feed.structured_content["skipped"]), (
                feed.structured_content
            )
            assert all(item["kind"] != "note" for item in feed.structured_content["items"])
            olivias = await olivia.call_tool(
                "records_timeline", {"resource_type": "companies", "record_id": company}
            )
            assert any(item["kind"] == "note" for item in olivias.structured_content["items"])

            refused = await priya.call_tool(
                "notes_list", {"parent_object": "companies", "parent_record_id": company}
            )
            assert refused.is_error and refused.content[0].text.startswith("AUTH_ERROR:")
            assert "note:read" in refused.content[0].text


async def test_client_id_metadata_document_instead_of_registration() -> None:
    document_url = "https://client.example/oauth/attio-mcp-tests.json"
    document = {
        "client_id": document_url,
        "client_name": "attio-mcp tests (CIMD)",
        "redirect_uris": [CLIENT_REDIRECT],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
    }
    fetched: list[str] = []

    def serve_document(request: httpx.Request) -> httpx.Response:
        fetched.append(str(request.url))
        if str(request.url) == document_url:
            return httpx.Response(200, json=document)
        return httpx.Response(404)

    with hosted() as h:
        h.broker.cimd_http = lambda: httpx.AsyncClient(transport=httpx.MockTransport(serve_document))
        async with signed_in(h, OLIVIA, client_metadata_url=document_url) as (client, user):
            assert not (await client.call_tool("whoami", {})).is_error
            assert user.tokens.client is not None and user.tokens.client.client_id == document_url
        assert fetched == [document_url]  # fetched once, then cached in the store
        assert await h.broker.get_client("https://client.example/") is None  # no path: not a document URL
        assert await h.broker.get_client("https://127.0.0.1/doc.json") is None  # not a public host
        assert await h.broker.get_client("https://client.example/missing.json") is None
        lying = {**document, "client_id": "https://elsewhere.example/x.json"}
        h.broker.cimd_http = lambda: httpx.AsyncClient(
            transport=httpx.MockTransport(lambda r: httpx.Response(200, json=lying))
        )
        assert await h.broker.get_client("https://client.example/other.json") is None  # client_id must match


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    return verifier, challenge


async def _through_consent(
    web: httpx.AsyncClient, h: Hosted, client_id: str, challenge: str, decision: str
) -> str:
    """The browser's path by hand: our /authorize, the consent form, our callback; the final Location."""
    params = {
        "client_id": client_id,
        "redirect_uri": CLIENT_REDIRECT,
        "response_type": "code",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "state": "client-state",
    }
    ours = await web.get(h.url + "/authorize", params=params)
    consent = parse_qs(urlsplit(ours.headers["location"]).query)
    form = {k: v[0] for k, v in consent.items()} | {"member": OLIVIA, "decision": decision}
    answered = await web.post(h.url + "/sandbox/authorize", data=form)
    assert answered.status_code == 302
    callback = await web.get(answered.headers["location"])
    assert callback.status_code == 302, callback.text
    return str(callback.headers["location"])


async def _approved_exchange(
    web: httpx.AsyncClient, h: Hosted, client_id: str, auth: dict[str, str]
) -> tuple[dict[str, str], str]:
    """A sign-in approved by hand: the /token form that redeems its code (without the verifier), and the
    PKCE verifier."""
    verifier, challenge = _pkce()
    approved = await _through_consent(web, h, client_id, challenge, "approve")
    code = parse_qs(urlsplit(approved).query)["code"][0]
    exchange = {"grant_type": "authorization_code", "code": code, "redirect_uri": CLIENT_REDIRECT, **auth}
    return exchange, verifier


async def test_denied_consent_replayed_codes_states_and_refresh_tokens() -> None:
    with hosted() as h:
        async with httpx.AsyncClient(follow_redirects=False) as web:
            reg = (await web.post(h.url + "/register", json={"redirect_uris": [CLIENT_REDIRECT]})).json()
            auth = {"client_id": reg["client_id"], "client_secret": reg["client_secret"]}

            # The user says no at Attio: the MCP client hears access_denied with its own state.
            _, challenge = _pkce()
            denied = await _through_consent(web, h, reg["client_id"], challenge, "deny")
            query = parse_qs(urlsplit(denied).query)
            assert denied.startswith(CLIENT_REDIRECT)
            assert query["error"] == ["access_denied"] and query["state"] == ["client-state"]
            assert query["iss"] == [h.url]

            # A callback whose state is unknown (or used) is refused without a redirect.
            forged = await web.get(h.url + "/oauth/callback", params={"code": "x", "state": "not-ours"})
            assert forged.status_code == 400 and "location" not in forged.headers

            exchange, verifier = await _approved_exchange(web, h, reg["client_id"], auth)
            wrong = await web.post(h.url + "/token", data={**exchange, "code_verifier": "x" * 50})
            assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
            tokens = await web.post(h.url + "/token", data={**exchange, "code_verifier": verifier})
            assert tokens.status_code == 200, tokens.text
            body = tokens.json()
            assert body["token_type"] == "Bearer" and body["expires_in"] == ACCESS_TTL
            assert tokens.headers["cache-control"] == "no-store"
            again = await web.post(h.url + "/token", data={**exchange, "code_verifier": verifier})
            assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
            # ... and the tokens that code gave are revoked (RFC 6749 §4.1.2).
            assert await h.broker.load_access_token(body["access_token"]) is None

            # A second sign-in, for the refresh tests.
            exchange, verifier = await _approved_exchange(web, h, reg["client_id"], auth)
            body = (await web.post(h.url + "/token", data={**exchange, "code_verifier": verifier})).json()

            # Refresh rotates; presenting the old refresh token again ends the whole sign-in.
            refresh = {"grant_type": "refresh_token", **auth}
            rotated = await web.post(
                h.url + "/token", data={**refresh, "refresh_token": body["refresh_token"]}
            )
            assert rotated.status_code == 200
            newer = rotated.json()
            assert await h.broker.load_access_token(newer["access_token"]) is not None
            replay = await web.post(
                h.url + "/token", data={**refresh, "refresh_token": body["refresh_token"]}
            )
            assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
            assert await h.broker.load_access_token(newer["access_token"]) is None
            after = await web.post(
                h.url + "/token", data={**refresh, "refresh_token": newer["refresh_token"]}
            )
            assert after.status_code == 400


async def test_without_a_signed_in_user_nothing_reaches_attio() -> None:
    """The server's own client has no key in sign-in mode (not even the sandbox's): a request that somehow
    came without a user, here in memory with no HTTP auth at all, gets AUTH_ERROR rather than data."""
    settings = Settings(sandbox=True, oauth=True, transport="http", port=free_port())
    async with Client(build_server(settings)) as client:
        refused = await client.call_tool("whoami", {})
    assert refused.is_error and refused.content[0].text.startswith("AUTH_ERROR:")
    assert "no signed-in user" in refused.content[0].text


def test_missing_scopes_reads_read_write_as_covering_read() -> None:
    from attio_mcp.toolsets import missing_scopes

    granted = ["note:read-write", "record_permission:read"]
    assert missing_scopes(["note:read", "note:read-write", "record_permission:read"], granted) == []
    assert missing_scopes(["record_permission:read-write", "task:read"], granted) == [
        "record_permission:read-write",
        "task:read",
    ]


async def test_registration_and_authorize_are_rate_limited_per_address() -> None:
    from attio_mcp.server.oauth_front import REGISTRATIONS_PER_MINUTE

    with hosted() as h:
        async with httpx.AsyncClient(base_url=h.url) as web:
            statuses = [
                (await web.post("/register", json={"redirect_uris": [CLIENT_REDIRECT]})).status_code
                for _ in range(REGISTRATIONS_PER_MINUTE + 1)
            ]
            assert statuses == [201] * REGISTRATIONS_PER_MINUTE + [429]
            refused = await web.post("/register", json={"redirect_uris": [CLIENT_REDIRECT]})
            assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
            assert refused.json()["error"] == "slow_down"
            assert (
                await web.get("/.well-known/oauth-authorization-server")
            ).status_code == 200  # others go on


async def test_attio_token_is_refreshed_once_for_concurrent_requests() -> None:
    with hosted() as h:
        async with signed_in(h, OLIVIA) as (client, user):
            assert not (await client.call_tool("whoami", {})).is_error
            assert user.tokens.tokens is not None
            ours = user.tokens.tokens.access_token
        before = await h.broker.load_access_token(ours)
        assert before is not None
        posted: list[str] = []
        make_http = h.broker._http

        def counting() -> httpx.AsyncClient:
            async def note(request: httpx.Request) -> None:
                posted.append(request.url.path)
                await anyio.sleep(0.05)  # Attio takes a moment: the other requests arrive meanwhile

            http = make_http()
            http.event_hooks = {"request": [note], "response": []}
            return http

        h.broker._http = counting
        h.broker.clock = lambda: time.time() + ACCESS_TTL - 30  # Attio's token is due, ours is not
        seen: list[str] = []

        async def verify() -> None:
            token = await h.broker.load_access_token(ours)
            assert token is not None
            seen.append(token.attio_token)

        async with anyio.create_task_group() as tg:
            for _ in range(10):
                tg.start_soon(verify)
        assert posted == ["/oauth/token"]
        assert len(set(seen)) == 1 and seen[0] != before.attio_token
