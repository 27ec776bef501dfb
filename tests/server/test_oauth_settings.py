"""``--oauth`` settings: what ``require_oauth`` refuses (one line each), and the CLI wiring."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from attio_mcp.server.settings import Settings, SettingsError, settings_from_env

HTTP = {"transport": "http", "oauth": True}
APP = {"oauth_client_id": "app-id", "oauth_client_secret": "app-secret"}


@pytest.mark.parametrize(
    ("values", "needle"),
    [
        ({"oauth": True}, "--oauth needs the HTTP transport"),
        (HTTP, "ATTIO_OAUTH_CLIENT_ID and ATTIO_OAUTH_CLIENT_SECRET"),
        ({**HTTP, "oauth_client_id": "app-id"}, "ATTIO_OAUTH_CLIENT_ID and ATTIO_OAUTH_CLIENT_SECRET"),
        ({**HTTP, **APP, "host": "0.0.0.0"}, "set --public-url"),
        ({**HTTP, **APP, "public_url": "http://mcp.example.com"}, "must use https://"),
        ({**HTTP, **APP, "public_url": "https://mcp.example.com/mcp"}, "origin only"),
        ({**HTTP, **APP, "public_url": "https://u:p@mcp.example.com"}, "origin only"),
        ({**HTTP, **APP, "public_url": "ftp://mcp.example.com"}, "must look like https://"),
        ({**HTTP, **APP, "http_auth_token": "x" * 32}, "replaces the shared HTTP token"),
        ({**HTTP, **APP, "allow_request_keys": True}, "replaces the shared HTTP token and per-caller keys"),
        ({**HTTP, **APP, "port": 0}, "needs a fixed --port"),
    ],
)
def test_require_oauth_refuses(values: dict[str, object], needle: str) -> None:
    with pytest.raises(SettingsError) as caught:
        Settings(**values).require_oauth()  # type: ignore[arg-type]
    assert needle in str(caught.value)


def test_require_oauth_accepts() -> None:
    Settings(**HTTP, **APP).require_oauth()  # loopback: the public URL defaults to http://127.0.0.1:8000
    assert Settings(**HTTP, **APP).oauth_public_url == "http://127.0.0.1:8000"
    public = Settings(**HTTP, **APP, host="0.0.0.0", public_url="https://mcp.example.com/")
    public.require_oauth()
    public.require_safe_http()  # no shared token needed: every request carries a user's own token
    public.require_credentials()  # no server-wide Attio key either
    assert public.oauth_public_url == "https://mcp.example.com"
    Settings(**HTTP, sandbox=True).require_oauth()  # the sandbox's own app
    Settings().require_oauth()  # off: nothing to check


def test_stateless_follows_replicas_and_sign_in() -> None:
    assert Settings(**HTTP, **APP).stateless
    assert Settings(transport="http", redis_url="redis://127.0.0.1:6379/0").stateless  # type: ignore[arg-type]
    assert not Settings(transport="http").stateless
    assert not Settings(redis_url="redis://127.0.0.1:6379/0").stateless  # type: ignore[arg-type]


def test_environment_names() -> None:
    settings = settings_from_env(
        {
            "ATTIO_MCP_OAUTH": "1",
            "ATTIO_OAUTH_CLIENT_ID": "cid",
            "ATTIO_OAUTH_CLIENT_SECRET": "csecret",
            "ATTIO_OAUTH_REVOKE_URL": "https://app.attio.com/oauth/revoke",
            "ATTIO_MCP_PUBLIC_URL": "https://mcp.example.com",
            "ATTIO_MCP_REDIS_URL": "redis://r:6379/0",
        }
    )
    assert settings.oauth and settings.oauth_client_id == "cid"
    assert (
        settings.oauth_client_secret is not None
        and settings.oauth_client_secret.get_secret_value() == "csecret"
    )
    assert settings.oauth_revoke_url == "https://app.attio.com/oauth/revoke"
    assert settings.public_url == "https://mcp.example.com"
    # Attio's documented revoke endpoint is the default; "none" turns revocation at Attio off.
    assert settings_from_env({}).oauth_revoke_url == "https://app.attio.com/oauth/revoke"
    assert settings_from_env({"ATTIO_OAUTH_REVOKE_URL": "none"}).oauth_revoke_url is None


def test_serve_refuses_oauth_over_stdio_with_one_line() -> None:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp")}
    done = subprocess.run(
        [sys.executable, "-m", "attio_mcp", "--sandbox", "--oauth"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "--oauth needs the HTTP transport" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_serve_refuses_redis_sign_in_without_state_key() -> None:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "ATTIO_MCP_REDIS_URL": "redis://127.0.0.1:1/0",
    }
    done = subprocess.run(
        [sys.executable, "-m", "attio_mcp", "--sandbox", "--oauth", "--transport", "http", "--port", "8791"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert "ATTIO_MCP_STATE_KEY" in done.stderr
