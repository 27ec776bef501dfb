"""The MCP SDK's OAuth client as the sign-in tests of tests/server and tests/replicas drive it: token storage in
memory, a browser that approves the sandbox's consent page, and the client provider built from them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
from mcp.client.auth import OAuthClientProvider
from mcp.shared.auth import (
    AuthorizationCodeResult,
    OAuthClientInformationFull,
    OAuthClientMetadata,
    OAuthToken,
)
from pydantic import AnyUrl


class MemoryTokens:
    """The client's ``TokenStorage``: the tokens and the registered client information it was given."""

    def __init__(self) -> None:
        self.tokens: OAuthToken | None = None
        self.client: OAuthClientInformationFull | None = None

    async def get_tokens(self) -> OAuthToken | None:
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken) -> None:
        self.tokens = tokens

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        return self.client

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        self.client = client_info


@dataclass
class Browser:
    """The user's browser: follows our /authorize to the sandbox's consent page, approves as ``member`` (with
    the member's whole set of scopes), comes back through our /oauth/callback and stops at the MCP client's
    ``redirect`` with the code. ``answers`` keeps this server's two responses, "authorize" and "callback"."""

    member: str
    redirect: str
    answers: dict[str, httpx.Response] = field(default_factory=dict)
    result: AuthorizationCodeResult | None = None

    async def open(self, authorize_url: str) -> None:
        async with httpx.AsyncClient(follow_redirects=False, trust_env=False) as web:
            ours = self.answers["authorize"] = await web.get(authorize_url)
            assert ours.status_code == 302, ours.text
            consent_url = ours.headers["location"]
            page = await web.get(consent_url)  # the sandbox's consent page ("Attio")
            assert page.status_code == 200, page.text
            action = re.search(r"<form method='post' action='([^']+)'", page.text)
            assert action is not None, page.text
            form = dict(re.findall(r"<input type='hidden' name='([^']+)' value='([^']*)'>", page.text))
            form.pop("scope_choice", None)  # no scope boxes sent: the member's whole set
            form.update(member=self.member, decision="approve")
            approved = await web.post(urljoin(consent_url, action.group(1)), data=form)
            assert approved.status_code == 302, approved.text
            back = self.answers["callback"] = await web.get(
                approved.headers["location"]
            )  # our /oauth/callback
            assert back.status_code == 302, back.text
            final = back.headers["location"]
        assert final.startswith(self.redirect), final
        query = {k: v[0] for k, v in parse_qs(urlsplit(final).query).items()}
        self.result = AuthorizationCodeResult(
            code=query["code"], state=query.get("state"), iss=query.get("iss")
        )

    async def callback(self) -> AuthorizationCodeResult:
        assert self.result is not None, "the browser did not reach the client's redirect URI"
        return self.result


def oauth_client(
    mcp_url: str, browser: Browser, tokens: MemoryTokens, *, name: str, client_metadata_url: str | None = None
) -> OAuthClientProvider:
    """The SDK's OAuth client for ``mcp_url``: it registers itself (or presents ``client_metadata_url``) and
    signs in through ``browser``."""
    return OAuthClientProvider(
        mcp_url,
        OAuthClientMetadata(
            client_name=name,
            redirect_uris=[AnyUrl(browser.redirect)],
            grant_types=["authorization_code", "refresh_token"],
            response_types=["code"],
        ),
        tokens,
        redirect_handler=browser.open,
        callback_handler=browser.callback,
        client_metadata_url=client_metadata_url,
    )
