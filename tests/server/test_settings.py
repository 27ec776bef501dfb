from __future__ import annotations

from pathlib import Path

import pytest

from attio_mcp.server.settings import SettingsError, settings_from_env
from attio_mcp.toolsets import TOOLSET_IDS


def test_env_then_overrides() -> None:
    env = {"ATTIO_API_KEY": "k-123456", "ATTIO_BASE_URL": "https://x.example", "ATTIO_MCP_READ_ONLY": "1"}
    s = settings_from_env(env, base_url="https://flag.example", read_only=None)
    assert s.api_key is not None and s.api_key.get_secret_value() == "k-123456"
    assert s.base_url == "https://flag.example"  # flag wins over env
    assert s.read_only is True  # None override keeps the env value


def test_access_token_is_accepted_as_key() -> None:
    s = settings_from_env({"ATTIO_ACCESS_TOKEN": "oauth-token"})
    assert s.api_key is not None and s.api_key.get_secret_value() == "oauth-token"


def test_missing_key_names_variable_and_sandbox() -> None:
    with pytest.raises(SettingsError) as err:
        settings_from_env({}).require_credentials()
    text = str(err.value)
    assert "ATTIO_API_KEY" in text and "--sandbox" in text and "\n" not in text


def test_sandbox_needs_no_key() -> None:
    settings_from_env({"ATTIO_SANDBOX": "true"}).require_credentials()


def test_key_not_in_repr() -> None:
    s = settings_from_env({"ATTIO_API_KEY": "super-secret-key-1"})
    assert "super-secret-key-1" not in repr(s) and "super-secret-key-1" not in str(s.model_dump())


def test_toolsets_parsing_and_validation() -> None:
    assert settings_from_env({"ATTIO_MCP_TOOLSETS": "records, lists"}).toolsets == ("records", "lists")
    assert settings_from_env({"ATTIO_MCP_TOOLSETS": "all"}).toolsets == TOOLSET_IDS
    with pytest.raises(SettingsError, match="unknown toolset"):
        settings_from_env({"ATTIO_MCP_TOOLSETS": "records,nope"})


def test_forwarded_allow_ips_parsing_and_validation() -> None:
    assert settings_from_env({}).forwarded_allow_ips == ("127.0.0.1", "::1")
    env = {"ATTIO_MCP_FORWARDED_ALLOW_IPS": "10.0.0.5, 192.168.0.0/16,fd00::/8"}
    assert settings_from_env(env).forwarded_allow_ips == ("10.0.0.5", "192.168.0.0/16", "fd00::/8")
    assert settings_from_env({"ATTIO_MCP_FORWARDED_ALLOW_IPS": "None"}).forwarded_allow_ips == ()
    assert settings_from_env({"ATTIO_MCP_FORWARDED_ALLOW_IPS": "*"}).forwarded_allow_ips == ("*",)
    with pytest.raises(SettingsError, match="'proxy.example' is not an IP address or network") as err:
        settings_from_env({"ATTIO_MCP_FORWARDED_ALLOW_IPS": "10.0.0.5,proxy.example"})
    assert "none" in str(err.value)


def test_invalid_number_is_one_line() -> None:
    with pytest.raises(SettingsError, match="timeout"):
        settings_from_env({"ATTIO_TIMEOUT": "-3"})


def test_http_beyond_loopback_requires_token() -> None:
    with pytest.raises(SettingsError, match="auth token"):
        settings_from_env({}, transport="http", host="0.0.0.0").require_safe_http()
    settings_from_env(
        {"ATTIO_MCP_HTTP_TOKEN": "t0ken-abc-4f9e27d1"}, transport="http", host="0.0.0.0"
    ).require_safe_http()
    settings_from_env({}, transport="http", host="127.0.0.1").require_safe_http()


def test_blank_http_token_is_refused() -> None:
    # A blank token would let a bare "Authorization: Bearer" through BearerAuth on a public address.
    with pytest.raises(SettingsError, match="http_auth_token"):
        settings_from_env({}, transport="http", host="0.0.0.0", http_auth_token="")
    with pytest.raises(SettingsError, match="http_auth_token"):
        settings_from_env({"ATTIO_MCP_HTTP_TOKEN": "  "})
    token = settings_from_env({"ATTIO_MCP_HTTP_TOKEN": "t0ken-abc\n"}).http_auth_token
    assert token is not None and token.get_secret_value() == "t0ken-abc"


def test_api_key_is_trimmed_and_a_malformed_key_is_a_settings_error() -> None:
    key = settings_from_env({"ATTIO_API_KEY": " k-123456\n"}).api_key
    assert key is not None and key.get_secret_value() == "k-123456"
    for bad in ("k-123 456", "k-123456é"):
        with pytest.raises(SettingsError, match="api_key") as err:
            settings_from_env({"ATTIO_API_KEY": bad})
        assert bad not in str(err.value)


def test_parse_toolsets_is_shared_by_env_and_flags() -> None:
    from attio_mcp.server.settings import parse_toolsets

    assert parse_toolsets(" records , notes ") == ("records", "notes")
    assert parse_toolsets("all") == parse_toolsets("default") == TOOLSET_IDS
    assert parse_toolsets("") is None and parse_toolsets(None) is None


# -- issue #20: what an operator can get wrong ------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://api.attio.example", "cleartext"),  # the key would cross the network unencrypted
        ("http://10.0.0.5:8787", "cleartext"),
        ("ftp://api.attio.com", "https://"),
        ("file:///etc/passwd", "https://"),
        ("https://user:hunter2-pw@api.attio.com", "user name or password"),
        ("https://:hunter2-pw@api.attio.com", "user name or password"),
        ("https://api.attio.com/v2?x=1", "query"),
        ("https://", "no host"),
        ("https://api.attio.com:port", "not a valid URL"),
    ],
)
def test_unsafe_base_urls_are_refused_without_echoing_them(url: str, problem: str) -> None:
    with pytest.raises(SettingsError, match="base_url") as err:
        settings_from_env({"ATTIO_BASE_URL": url})
    assert problem in str(err.value) and "\n" not in str(err.value)
    assert "hunter2" not in str(err.value)


def test_plain_http_is_for_loopback_or_an_explicit_flag() -> None:
    for url in (
        "http://127.0.0.1:8787",
        "http://localhost:8787/",
        "http://[::1]:8787",
        "http://api.localhost",
    ):
        assert settings_from_env({"ATTIO_BASE_URL": url}).base_url == url.rstrip("/")
    s = settings_from_env({"ATTIO_BASE_URL": "http://attio.internal", "ATTIO_INSECURE_BASE_URL": "1"})
    assert s.base_url == "http://attio.internal"
    assert settings_from_env({}, base_url="http://10.0.0.5", insecure_base_url=True).base_url


def test_hosts_other_than_attio_get_a_warning() -> None:
    assert settings_from_env({}).base_url_warning is None
    assert settings_from_env({"ATTIO_BASE_URL": "http://127.0.0.1:8787"}).base_url_warning is None
    for lookalike in ("https://api.attio.com.evil.example", "https://api-attio.com", "https://attio.co"):
        warning = settings_from_env({"ATTIO_BASE_URL": lookalike}).base_url_warning
        assert warning is not None and "api.attio.com" in warning


def test_a_url_with_a_password_never_reaches_the_client() -> None:
    from attio_mcp.attio import AttioClient

    with pytest.raises(ValueError, match="user name or password"):
        AttioClient(api_key="k-123456", base_url="https://user:pw@api.attio.com")


@pytest.mark.parametrize("weak", ["x", "short-token", "aaaaaaaaaaaaaaaaaaaaaaaa", "abababababababababab"])
def test_a_weak_token_is_refused_beyond_loopback(weak: str) -> None:
    with pytest.raises(SettingsError, match="weak auth token") as err:
        settings_from_env(
            {"ATTIO_MCP_HTTP_TOKEN": weak}, transport="http", host="0.0.0.0"
        ).require_safe_http()
    assert len(weak) < 5 or weak not in str(err.value)
    # On loopback a token is optional, so a short one is the operator's business.
    settings_from_env({"ATTIO_MCP_HTTP_TOKEN": weak}, transport="http").require_safe_http()


def test_token_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "token"
    path.write_text("0123456789abcdef0123\nignored\n")
    env = {"ATTIO_MCP_HTTP_TOKEN_FILE": str(path)}
    token = settings_from_env(env).http_auth_token
    assert token is not None and token.get_secret_value() == "0123456789abcdef0123"
    # The variable beats the file; a flag's file beats the variable.
    token = settings_from_env({**env, "ATTIO_MCP_HTTP_TOKEN": "from-env-token-xyz"}).http_auth_token
    assert token is not None and token.get_secret_value() == "from-env-token-xyz"
    token = settings_from_env(
        {"ATTIO_MCP_HTTP_TOKEN": "from-env-token-xyz"}, http_auth_token_file=str(path)
    ).http_auth_token
    assert token is not None and token.get_secret_value() == "0123456789abcdef0123"
    empty = tmp_path / "empty"
    empty.write_text("\n")
    with pytest.raises(SettingsError, match="empty"):
        settings_from_env({"ATTIO_MCP_HTTP_TOKEN_FILE": str(empty)})
    with pytest.raises(SettingsError, match="cannot read"):
        settings_from_env({"ATTIO_MCP_HTTP_TOKEN_FILE": str(path) + ".missing"})
