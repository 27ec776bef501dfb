from __future__ import annotations

import pytest

from attio_mcp.server.settings import SettingsError, settings_from_env
from attio_mcp.toolsets import TOOLSET_IDS


def test_env_then_overrides() -> None:
    env = {"ATTIO_API_KEY": "k-123456", "ATTIO_BASE_URL": "http://x", "ATTIO_MCP_READ_ONLY": "1"}
    s = settings_from_env(env, base_url="http://flag", read_only=None)
    assert s.api_key is not None and s.api_key.get_secret_value() == "k-123456"
    assert s.base_url == "http://flag"  # flag wins over env
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


def test_invalid_number_is_one_line() -> None:
    with pytest.raises(SettingsError, match="timeout"):
        settings_from_env({"ATTIO_TIMEOUT": "-3"})


def test_http_beyond_loopback_requires_token() -> None:
    with pytest.raises(SettingsError, match="auth token"):
        settings_from_env({}, transport="http", host="0.0.0.0").require_safe_http()
    settings_from_env(
        {"ATTIO_MCP_HTTP_TOKEN": "t0ken-abc"}, transport="http", host="0.0.0.0"
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
