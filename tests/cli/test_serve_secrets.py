"""What ``serve`` redacts from its logs: every secret setting, and of a Redis URL only its password."""

from __future__ import annotations

from attio_mcp.cli.cmd_serve import _secrets
from attio_mcp.server.settings import settings_from_env


def test_a_redis_urls_password_is_redacted_and_its_host_is_not() -> None:
    settings = settings_from_env(
        {},
        sandbox=True,
        redis_url="redis://:s3cret-redis-pass@10.0.0.5:6379/0",
        state_key="a-state-key-of-32-characters-xxxx",
        http_auth_token="0123456789abcdef0123",
    )
    secrets = _secrets(settings)
    assert "s3cret-redis-pass" in secrets
    assert "a-state-key-of-32-characters-xxxx" in secrets and "0123456789abcdef0123" in secrets
    assert not any("10.0.0.5" in s for s in secrets)


def test_a_redis_url_without_a_password_redacts_nothing_of_it() -> None:
    assert _secrets(settings_from_env({}, sandbox=True, redis_url="redis://127.0.0.1:6390/0")) == []
