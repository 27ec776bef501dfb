"""Sandbox: the emulated Attio OAuth flow (consent, code, token, refresh, revoke, introspect) and what an
OAuth access token may do on the API (its scopes, its member as the actor of writes, /v2/self)."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from attio_mcp.sandbox import (
    ACCESS_TOKEN_PREFIX,
    DEMO_OAUTH_APP,
    DEMO_TOKEN,
    OAuthApp,
    RateLimitConfig,
    create_app,
    oauth_registry,
)
from attio_mcp.sandbox._scopes import ALL_SCOPES
from tests.clocks import FakeClock
from tests.contract.openapi import assert_contract_kept, contract_transport

from ._support import data, error, rid

pytestmark = pytest.mark.anyio

CALLBACK = "https://client.example/attio/callback?tenant=7"
RECORDS = "record_permission:read object_configuration:read"
APP = OAuthApp(
    client_id="test-client",
    client_secret="test-secret",
    redirect_uris=(CALLBACK,),
    name="Test CRM helper",
    member_scopes={"daniel.kim@demo-sales.example": RECORDS},
)
EXPIRING = OAuthApp(
    client_id="expiring-client",
    client_secret="expiring-secret",
    redirect_uris=(CALLBACK,),
    expiring=True,
    access_token_ttl=60,
)
MARCUS = "marcus.reed@demo-sales.example"
PRIYA = "priya.shah@demo-sales.example"
DANIEL = "daniel.kim@demo-sales.example"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(1_800_000_000.0)


@pytest.fixture
def app(clock: FakeClock) -> Starlette:
    sandbox = create_app(oauth_apps=[APP, EXPIRING])
    oauth_registry(sandbox).now = clock
    return sandbox


class _ApiContract(httpx.AsyncBaseTransport):
    """Sends ``/v2/...`` through the contract checker and the OAuth paths (not in Attio's spec) straight on."""

    def __init__(self, inner: httpx.AsyncBaseTransport, contract: httpx.AsyncBaseTransport) -> None:
        self.inner, self.contract = inner, contract

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        api = request.url.path.startswith("/v2/")
        return await (self.contract if api else self.inner).handle_async_request(request)


@pytest.fixture
async def web(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """A client without credentials (browser and token-endpoint traffic); /v2 responses held to the spec."""
    inner: httpx.AsyncBaseTransport = httpx.ASGITransport(app=app)
    contract = contract_transport(inner)
    transport = _ApiContract(inner, contract) if contract is not None else inner
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as client:
        yield client
    if contract is not None:
        assert_contract_kept(contract, requests=False)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def query_of(resp: httpx.Response) -> dict[str, list[str]]:
    assert resp.status_code == 302, resp.text
    return parse_qs(urlsplit(resp.headers["location"]).query)


async def consent(
    web: httpx.AsyncClient,
    member: str | list[str],
    *,
    app: OAuthApp = APP,
    decision: str = "approve",
    state: str | None = "st-1",
    prefix: str = "",
    **extra: Any,
) -> httpx.Response:
    form: dict[str, Any] = {
        "client_id": app.client_id,
        "redirect_uri": app.redirect_uris[0],
        "response_type": "code",
        "member": member,
        "decision": decision,
        **extra,
    }
    if state is not None:
        form["state"] = state
    return await web.post(f"{prefix}/authorize", data=form)


async def code_for(web: httpx.AsyncClient, member: str, *, app: OAuthApp = APP, **extra: Any) -> str:
    return query_of(await consent(web, member, app=app, **extra))["code"][0]


async def exchange(
    web: httpx.AsyncClient, code: str, /, *, app: OAuthApp = APP, prefix: str = "", **override: str | None
) -> httpx.Response:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": app.redirect_uris[0],
        "client_id": app.client_id,
        "client_secret": app.client_secret,
        **override,
    }
    return await web.post(f"{prefix}/oauth/token", data={k: v for k, v in form.items() if v is not None})


async def sign_in(
    web: httpx.AsyncClient, member: str, *, app: OAuthApp = APP, **extra: Any
) -> dict[str, Any]:
    resp = await exchange(web, await code_for(web, member, app=app, **extra), app=app)
    assert resp.status_code == 200, resp.text
    return resp.json()


def oauth_error(resp: httpx.Response, status: int, code: str) -> str:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"error", "error_description"} and body["error"] == code, body
    assert resp.headers["cache-control"] == "no-store"
    return str(body["error_description"])


async def member_id(web: httpx.AsyncClient, email: str) -> str:
    members = data(await web.get("/v2/workspace_members", headers=bearer(DEMO_TOKEN)))
    return next(m["id"]["workspace_member_id"] for m in members if m["email_address"] == email)


async def test_consent_page_names_the_app_its_scopes_and_the_members(web: httpx.AsyncClient) -> None:
    params = {"client_id": APP.client_id, "redirect_uri": CALLBACK, "response_type": "code", "state": "<x>"}
    resp = await web.get("/authorize", params=params)
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/html")
    assert resp.headers["x-frame-options"] == "DENY" and resp.headers["cache-control"] == "no-store"
    page = resp.text
    assert "Test CRM helper" in page and "action='authorize'" in page
    for email in ("olivia.bennett", "marcus.reed", "priya.shah", "daniel.kim"):
        assert f"{email}@demo-sales.example" in page
    assert page.count("type='checkbox' name='scope'") == len(ALL_SCOPES)
    assert "value='&lt;x&gt;'" in page and "<x>" not in page  # the state is carried, escaped
    assert "may grant 2 of 14 scopes" in page  # Daniel's per-member override


async def test_full_code_flow_echoes_state_and_the_token_acts_as_its_member(web: httpx.AsyncClient) -> None:
    state = "a b&c=d/é"
    resp = await consent(web, MARCUS, state=state)
    target = urlsplit(resp.headers["location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == CALLBACK.split("?")[0]
    query = query_of(resp)
    assert query["state"] == [state] and query["tenant"] == ["7"]  # the URI's own query is kept
    assert query["code"][0].startswith("sbx_code_")

    token_resp = await exchange(web, query["code"][0])
    assert token_resp.status_code == 200, token_resp.text
    assert token_resp.headers["cache-control"] == "no-store"
    tokens = token_resp.json()
    assert set(tokens) == {"access_token", "token_type"} and tokens["token_type"] == "Bearer"
    assert tokens["access_token"].startswith(ACCESS_TOKEN_PREFIX)

    me = (await web.get("/v2/self", headers=bearer(tokens["access_token"]))).json()
    assert me["active"] is True and me["token_level"] == "user"
    assert me["client_id"] == me["aud"] == APP.client_id
    assert me["authorized_by_workspace_member_id"] == await member_id(web, MARCUS)
    assert me["scope"].split() == list(ALL_SCOPES) and me["exp"] is None
    assert me["iat"] == 1_800_000_000 and me["sub"] == me["workspace_id"]
    static = (await web.get("/v2/self", headers=bearer(DEMO_TOKEN))).json()
    assert static["token_level"] == "workspace" and static["client_id"] != APP.client_id
    assert static["authorized_by_workspace_member_id"] == await member_id(
        web, "olivia.bennett@demo-sales.example"
    )


async def test_code_is_single_use_and_a_replay_revokes_its_token(
    web: httpx.AsyncClient, app: Starlette
) -> None:
    code = await code_for(web, PRIYA)
    token = (await exchange(web, code)).json()["access_token"]
    assert (await web.get("/v2/objects", headers=bearer(token))).status_code == 200
    assert oauth_registry(app).issued_tokens() == [token]
    assert "already been used" in oauth_error(await exchange(web, code), 400, "invalid_grant")
    assert oauth_registry(app).issued_tokens() == []
    body = error(await web.get("/v2/objects", headers=bearer(token)), 401, "unauthorized")
    assert body["type"] == "auth_error"
    oauth_error(await exchange(web, "sbx_code_made-up"), 400, "invalid_grant")


async def test_code_expires_after_ten_minutes(web: httpx.AsyncClient, clock: FakeClock) -> None:
    late, fresh = await code_for(web, PRIYA), await code_for(web, PRIYA)
    clock.now += 599
    assert (await exchange(web, fresh)).status_code == 200
    clock.now += 1
    assert "expired" in oauth_error(await exchange(web, late), 400, "invalid_grant")


async def test_client_authentication_by_body_or_basic_and_never_both(web: httpx.AsyncClient) -> None:
    oauth_error(await exchange(web, await code_for(web, PRIYA), client_secret="nope"), 401, "invalid_client")
    oauth_error(await exchange(web, await code_for(web, PRIYA), client_secret=None), 401, "invalid_client")
    oauth_error(await exchange(web, await code_for(web, PRIYA), client_id="other"), 401, "invalid_client")

    def basic(secret: str) -> dict[str, str]:
        raw = f"{APP.client_id}:{secret}".encode()
        return {"Authorization": "Basic " + base64.b64encode(raw).decode()}

    form = {"grant_type": "authorization_code", "redirect_uri": CALLBACK}
    code = await code_for(web, PRIYA)
    wrong = await web.post("/oauth/token", data={**form, "code": code}, headers=basic("nope"))
    oauth_error(wrong, 401, "invalid_client")
    assert wrong.headers["www-authenticate"].startswith("Basic ")
    both = {**form, "code": code, "client_secret": APP.client_secret}
    oauth_error(
        await web.post("/oauth/token", data=both, headers=basic(APP.client_secret)), 400, "invalid_request"
    )
    ok = await web.post("/oauth/token", data={**form, "code": code}, headers=basic(APP.client_secret))
    assert ok.status_code == 200 and ok.json()["token_type"] == "Bearer"
    # A code is bound to the client it was issued to.
    demo_code = await code_for(web, PRIYA, app=DEMO_OAUTH_APP)
    other = await exchange(web, demo_code, redirect_uri=DEMO_OAUTH_APP.redirect_uris[0])
    assert "another client" in oauth_error(other, 400, "invalid_grant")


async def test_redirect_uri_is_checked_at_authorize_and_at_token(web: httpx.AsyncClient) -> None:
    base = {"client_id": APP.client_id, "redirect_uri": CALLBACK, "response_type": "code", "state": "s"}
    for bad in (
        {"redirect_uri": "https://evil.example/cb"},
        {"redirect_uri": CALLBACK.split("?")[0]},  # exact match only
        {"client_id": "unknown-client"},
        {"redirect_uri": ""},
    ):
        page = await web.get("/authorize", params={**base, **bad})
        assert page.status_code == 400 and "location" not in page.headers
        assert "refused" in page.text
        posted = await web.post("/authorize", data={**base, **bad, "member": PRIYA, "decision": "approve"})
        assert posted.status_code == 400 and "location" not in posted.headers
    dup = await web.get(f"/authorize?client_id={APP.client_id}&client_id=x&redirect_uri={CALLBACK}")
    assert dup.status_code == 400
    # With the client and redirect URI verified, errors go back to the client (RFC 6749 §4.1.2.1).
    query = query_of(await web.get("/authorize", params={**base, "response_type": "token"}))
    assert query["error"] == ["unsupported_response_type"] and query["state"] == ["s"]
    query = query_of(
        await web.get("/authorize", params={k: v for k, v in base.items() if k != "response_type"})
    )
    assert query["error"] == ["invalid_request"] and "code" not in query

    code = await code_for(web, PRIYA)
    oauth_error(await exchange(web, code, redirect_uri=None), 400, "invalid_request")
    oauth_error(await exchange(web, code, redirect_uri="https://evil.example/cb"), 400, "invalid_grant")
    assert (await exchange(web, code)).status_code == 200  # the failed attempts did not use the code up


async def test_denied_consent_and_a_bad_member_do_not_issue_a_code(web: httpx.AsyncClient) -> None:
    query = query_of(await consent(web, PRIYA, decision="deny"))
    assert query == {
        "error": ["access_denied"],
        "error_description": [query["error_description"][0]],
        "state": ["st-1"],
        "tenant": ["7"],
    }
    query = query_of(await consent(web, PRIYA, decision="deny", state=None))
    assert "state" not in query and query["error"] == ["access_denied"]
    assert (await consent(web, "nobody@demo-sales.example")).status_code == 400
    assert (await consent(web, "")).status_code == 400
    assert (await consent(web, PRIYA, decision="maybe")).status_code == 400
    repeated = await consent(web, [PRIYA, MARCUS], state=None)
    assert repeated.status_code == 400 and "repeated" in repeated.text
    two_states = {
        "client_id": APP.client_id,
        "redirect_uri": CALLBACK,
        "response_type": "code",
        "state": ["a", "b"],
        "member": PRIYA,
        "decision": "approve",
    }
    assert (await web.post("/authorize", data=two_states)).status_code == 400
    by_id = query_of(await consent(web, await member_id(web, PRIYA)))
    assert by_id["code"]


async def test_unticked_scopes_give_a_token_that_gets_403_naming_the_missing_scope(
    web: httpx.AsyncClient,
) -> None:
    tokens = await sign_in(web, MARCUS, scope=RECORDS.split(), scope_choice="1")
    headers = bearer(tokens["access_token"])
    assert (await web.get("/v2/self", headers=headers)).json()["scope"] == RECORDS
    assert data(await web.post("/v2/objects/companies/records/query", json={"limit": 1}, headers=headers))
    body = error(await web.get("/v2/notes", headers=headers), 403, "unauthorized")
    assert body["type"] == "auth_error" and "note:read" in body["message"]
    # The consent form with every box unticked grants no scope at all.
    bare = (await sign_in(web, MARCUS, scope_choice="1"))["access_token"]
    assert (await web.get("/v2/self", headers=bearer(bare))).json()["scope"] == ""
    error(await web.get("/v2/objects", headers=bearer(bare)), 403, "unauthorized")
    # A scope beyond what the member may grant goes back to the client as invalid_scope; from the consent
    # page (every app scope listed, ticked) the member grants the ticked ones they may grant.
    query = query_of(await consent(web, DANIEL, scope="note:read-write"))
    assert query["error"] == ["invalid_scope"] and "code" not in query
    ticked = await sign_in(web, DANIEL, scope=list(ALL_SCOPES), scope_choice="1")
    assert (await web.get("/v2/self", headers=bearer(ticked["access_token"]))).json()["scope"] == RECORDS
    some = await sign_in(web, DANIEL, scope=["record_permission:read-write", "task:read"], scope_choice="1")
    assert (await web.get("/v2/self", headers=bearer(some["access_token"]))).json()["scope"] == (
        "record_permission:read"
    )


async def test_member_scope_override_limits_that_members_tokens(web: httpx.AsyncClient) -> None:
    daniel = bearer((await sign_in(web, DANIEL))["access_token"])
    priya = bearer((await sign_in(web, PRIYA))["access_token"])
    assert (await web.get("/v2/self", headers=daniel)).json()["scope"] == RECORDS
    body = error(await web.get("/v2/tasks", headers=daniel), 403, "unauthorized")
    assert "task:read" in body["message"]
    assert (await web.get("/v2/tasks", headers=priya)).status_code == 200


async def test_writes_record_the_tokens_member_as_actor(web: httpx.AsyncClient) -> None:
    static = bearer(DEMO_TOKEN)
    companies = data(await web.post("/v2/objects/companies/records/query", json={"limit": 1}, headers=static))
    note = {"parent_object": "companies", "parent_record_id": rid(companies[0]), "format": "plaintext"}
    marcus = bearer((await sign_in(web, MARCUS))["access_token"])
    priya = bearer((await sign_in(web, PRIYA))["access_token"])

    async def write(headers: dict[str, str], title: str) -> dict[str, Any]:
        body = {"data": {**note, "title": title, "content": title}}
        return data(await web.post("/v2/notes", json=body, headers=headers))

    notes = await asyncio.gather(*(write(h, f"n{i}") for i, h in enumerate([marcus, priya, static] * 5)))
    expected = [
        {"type": "workspace-member", "id": await member_id(web, MARCUS)},
        {"type": "workspace-member", "id": await member_id(web, PRIYA)},
        "api-token",
    ]
    for i, created in enumerate(notes):
        want = expected[i % 3]
        if want == "api-token":
            assert created["created_by_actor"]["type"] == "api-token"
        else:
            assert created["created_by_actor"] == want
    record = data(
        await web.post(
            "/v2/objects/companies/records",
            json={"data": {"values": {"name": "OAuth Made Ltd"}}},
            headers=priya,
        )
    )
    created_by = record["values"]["created_by"][0]
    assert created_by["referenced_actor_type"] == "workspace-member"
    assert created_by["referenced_actor_id"] == await member_id(web, PRIYA)
    assert record["values"]["name"][0]["created_by_actor"] == expected[1]


async def test_revoke_ends_the_grant_and_the_token_then_gets_401(web: httpx.AsyncClient) -> None:
    """Attio's documented revoke: the token in the body or as the bearer (the same one if both), nothing else;
    204 with no body, also for a token it does not know."""
    token = (await sign_in(web, PRIYA))["access_token"]
    other = (await sign_in(web, MARCUS))["access_token"]
    creds = {"client_id": APP.client_id, "client_secret": APP.client_secret}
    oauth_error(await web.post("/oauth/revoke"), 400, "invalid_request")  # no token anywhere
    mismatch = await web.post("/oauth/revoke", data={"token": token}, headers=bearer(other))
    assert "does not match" in oauth_error(mismatch, 400, "invalid_request")
    extra = await web.post("/oauth/revoke", data={**creds, "token": token})
    assert "client_id, client_secret" in oauth_error(extra, 400, "invalid_request")
    hint = await web.post("/oauth/revoke", data={"token": token, "token_type_hint": "access_token"})
    oauth_error(hint, 400, "invalid_request")
    as_json = await web.post("/oauth/revoke", json={"token": token})
    oauth_error(as_json, 400, "invalid_request")
    oauth_error(
        await web.post("/oauth/revoke", headers={"Authorization": f"Basic {token}"}), 400, "invalid_request"
    )
    assert (await web.get("/v2/self", headers=bearer(token))).status_code == 200  # none of those revoked it

    resp = await web.post("/oauth/revoke", data={"token": token})
    assert resp.status_code == 204 and resp.content == b""
    body = error(await web.get("/v2/self", headers=bearer(token)), 401, "unauthorized")
    assert body["type"] == "auth_error"
    assert (await web.post("/oauth/introspect", headers=bearer(token))).json() == {"active": False}
    # The bearer form, with the same token in the body or without a body.
    assert (await web.post("/oauth/revoke", data={"token": other}, headers=bearer(other))).status_code == 204
    assert (await web.get("/v2/self", headers=bearer(other))).status_code == 401
    third = (await sign_in(web, PRIYA))["access_token"]
    assert (await web.post("/oauth/revoke", headers=bearer(third))).status_code == 204
    assert (await web.get("/v2/self", headers=bearer(third))).status_code == 401
    # Revoking an unknown or already revoked token is not an error.
    assert (await web.post("/oauth/revoke", data={"token": token})).status_code == 204
    assert (await web.post("/oauth/revoke", data={"token": "whatever"})).status_code == 204


async def test_expiring_tokens_refresh_and_rotate_when_the_app_enables_them(
    web: httpx.AsyncClient, clock: FakeClock
) -> None:
    tokens = await sign_in(web, MARCUS, app=EXPIRING)
    assert set(tokens) == {"access_token", "token_type", "expires_in", "refresh_token"}
    assert tokens["expires_in"] == 60
    me = (await web.get("/v2/self", headers=bearer(tokens["access_token"]))).json()
    assert me["exp"] == me["iat"] + 60 and me["client_id"] == EXPIRING.client_id
    clock.now += 60
    error(await web.get("/v2/self", headers=bearer(tokens["access_token"])), 401, "unauthorized")

    creds = {"client_id": EXPIRING.client_id, "client_secret": EXPIRING.client_secret}
    refresh = {**creds, "grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
    renewed = (await web.post("/oauth/token", data=refresh)).json()
    assert set(renewed) == set(tokens) and renewed["refresh_token"] != tokens["refresh_token"]
    me = (await web.get("/v2/self", headers=bearer(renewed["access_token"]))).json()
    assert me["authorized_by_workspace_member_id"] == await member_id(web, MARCUS)
    oauth_error(await web.post("/oauth/token", data=refresh), 400, "invalid_grant")  # rotated away
    demo = {
        **refresh,
        "refresh_token": renewed["refresh_token"],
        "client_id": DEMO_OAUTH_APP.client_id,
        "client_secret": DEMO_OAUTH_APP.client_secret,
    }
    oauth_error(await web.post("/oauth/token", data=demo), 400, "unauthorized_client")
    # Revoking the refresh token ends the access token of the same grant too.
    assert (await web.post("/oauth/revoke", data={"token": renewed["refresh_token"]})).status_code == 204
    error(await web.get("/v2/self", headers=bearer(renewed["access_token"])), 401, "unauthorized")
    oauth_error(
        await web.post("/oauth/token", data={**refresh, "refresh_token": renewed["refresh_token"]}),
        400,
        "invalid_grant",
    )


async def test_refresh_is_refused_for_apps_with_non_expiring_tokens(web: httpx.AsyncClient) -> None:
    tokens = await sign_in(web, MARCUS)
    assert "refresh_token" not in tokens
    form = {
        "client_id": APP.client_id,
        "client_secret": APP.client_secret,
        "grant_type": "refresh_token",
        "refresh_token": "sbx_ort_x",
    }
    oauth_error(await web.post("/oauth/token", data=form), 400, "unauthorized_client")


async def test_token_endpoint_rejects_malformed_requests(web: httpx.AsyncClient) -> None:
    creds = {"client_id": APP.client_id, "client_secret": APP.client_secret}
    code = await code_for(web, PRIYA)
    as_json = {**creds, "grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK}
    oauth_error(await web.post("/oauth/token", json=as_json), 400, "invalid_request")
    oauth_error(
        await web.post("/oauth/token", data={**creds, "grant_type": "password"}),
        400,
        "unsupported_grant_type",
    )
    oauth_error(await web.post("/oauth/token", data=creds), 400, "invalid_request")
    repeated = (
        f"client_id={APP.client_id}&client_secret={APP.client_secret}&grant_type=authorization_code"
        f"&code={code}&code={code}"
    )
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    oauth_error(await web.post("/oauth/token", content=repeated, headers=headers), 400, "invalid_request")
    oauth_error(await exchange(web, code, code=""), 400, "invalid_request")
    assert (await web.get("/oauth/token")).status_code == 405
    assert (await exchange(web, code)).status_code == 200  # none of the above used the code


async def test_unknown_oauth_shaped_tokens_are_401_and_static_tokens_keep_working() -> None:
    for tokens in (None, [DEMO_TOKEN]):
        app = create_app(seed=False, tokens=tokens)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://s") as web:
            error(
                await web.get("/v2/objects", headers=bearer(ACCESS_TOKEN_PREFIX + "forged")),
                401,
                "unauthorized",
            )
            assert (await web.get("/v2/objects", headers=bearer(DEMO_TOKEN))).status_code == 200
            # With an allowlist, OAuth tokens are accepted besides it.
            token = (await sign_in(web, MARCUS, app=DEMO_OAUTH_APP))["access_token"]
            assert (await web.get("/v2/objects", headers=bearer(token))).status_code == 200


async def test_introspect_describes_a_token_like_self(web: httpx.AsyncClient) -> None:
    token = (await sign_in(web, PRIYA))["access_token"]
    described = await web.post("/oauth/introspect", headers=bearer(token))
    assert described.status_code == 200
    assert described.json() == (await web.get("/v2/self", headers=bearer(token))).json()
    assert (await web.post("/oauth/introspect", headers=bearer(DEMO_TOKEN))).json()["active"] is True
    assert (await web.post("/oauth/introspect")).json() == {"active": False}
    assert (await web.get("/oauth/introspect", headers=bearer(token))).status_code == 405


async def test_oauth_endpoints_sit_outside_the_api_rate_limits(clock: FakeClock) -> None:
    app = create_app(seed=False, rate_limit=RateLimitConfig(reads_per_second=1, writes_per_second=1))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://s") as web:
        codes = [await code_for(web, PRIYA, app=DEMO_OAUTH_APP) for _ in range(3)]
        for code in codes:
            assert (await exchange(web, code, app=DEMO_OAUTH_APP)).status_code == 200
        page = {
            "client_id": DEMO_OAUTH_APP.client_id,
            "redirect_uri": DEMO_OAUTH_APP.redirect_uris[0],
            "response_type": "code",
        }
        for _ in range(3):
            assert (await web.get("/authorize", params=page)).status_code == 200
        assert (await web.get("/v2/objects", headers=bearer(DEMO_TOKEN))).status_code == 200
        assert (await web.get("/v2/objects", headers=bearer(DEMO_TOKEN))).status_code == 429


async def test_flow_and_scopes_work_when_the_sandbox_is_mounted_under_a_prefix() -> None:
    sandbox = create_app()
    outer = Starlette(routes=[Mount("/sandbox", app=sandbox)])
    oauth_registry(sandbox).register(APP)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=outer), base_url="http://s") as web:
        params = {"client_id": APP.client_id, "redirect_uri": CALLBACK, "response_type": "code"}
        page = await web.get("/sandbox/authorize", params=params)
        assert page.status_code == 200 and "action='authorize'" in page.text  # resolves to /sandbox/authorize
        code = query_of(await consent(web, MARCUS, prefix="/sandbox", scope=RECORDS, scope_choice="1"))[
            "code"
        ][0]
        token = (await exchange(web, code, prefix="/sandbox")).json()["access_token"]
        headers = bearer(token)
        assert (await web.get("/sandbox/v2/self", headers=headers)).json()["scope"] == RECORDS
        error(await web.get("/sandbox/v2/notes", headers=headers), 403, "unauthorized")
        assert (await web.post("/sandbox/oauth/introspect", headers=headers)).json()["scope"] == RECORDS


async def test_apps_are_validated_and_can_be_registered_after_creation(
    web: httpx.AsyncClient, app: Starlette
) -> None:
    with pytest.raises(ValueError, match="fragment"):
        OAuthApp("c", "s", ("https://x.example/cb#frag",))
    with pytest.raises(ValueError, match="unknown scope"):
        OAuthApp("c", "s", ("https://x.example/cb",), scopes=("notes:everything",))
    with pytest.raises(ValueError, match="beyond"):
        OAuthApp(
            "c",
            "s",
            ("https://x.example/cb",),
            scopes=tuple(RECORDS.split()),
            member_scopes={"a": "task:read"},
        )
    registry = oauth_registry(app)
    late = "http://127.0.0.1:43210/oauth/callback"
    registry.add_redirect_uri(APP.client_id, late)
    resp = await consent(web, PRIYA, redirect_uri=late)
    code = query_of(resp)["code"][0]
    assert resp.headers["location"].startswith(late + "?")
    assert (await exchange(web, code, redirect_uri=late)).status_code == 200
    registry.register(OAuthApp("new-client", "new-secret", ("https://new.example/cb",), name="Late app"))
    page = await web.get(
        "/authorize",
        params={"client_id": "new-client", "redirect_uri": "https://new.example/cb", "response_type": "code"},
    )
    assert page.status_code == 200 and "Late app" in page.text
