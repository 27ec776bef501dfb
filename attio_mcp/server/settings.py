"""The one settings object: built once from flags, then ``ATTIO_*`` variables, then defaults.

This is the only module that reads the environment; everything below receives a ``Settings``.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from attio_mcp.toolsets import TOOLSET_IDS
from attio_mcp.workspace.search.paths import default_index_dir

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
ATTIO_API_HOST = "api.attio.com"
# An HTTP token guarding a server bound beyond loopback: at least this long, with this many distinct
# characters (``openssl rand -hex 32`` gives 64 and 16).
MIN_TOKEN_LENGTH = 16
MIN_TOKEN_DISTINCT = 8

_TRUE = {"1", "true", "yes", "on"}


class SettingsError(ValueError):
    """A setting is missing or invalid; the message is one line meant for a person."""


class Settings(BaseModel):
    """Everything the server needs to run, frozen after start-up."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    api_key: SecretStr | None = None
    insecure_base_url: bool = False  # before base_url: its validator reads it
    base_url: str = f"https://{ATTIO_API_HOST}"
    sandbox: bool = False
    sandbox_db: str | None = None
    log_level: LogLevel = "INFO"
    timeout: float = Field(30.0, gt=0)
    connect_timeout: float = Field(10.0, gt=0)
    reads_per_second: float = Field(100.0, gt=0)
    writes_per_second: float = Field(25.0, gt=0)
    max_attempts: int = Field(4, ge=1, le=10)
    max_retry_seconds: float = Field(60.0, gt=0)
    schema_ttl: float = Field(300.0, ge=0)
    transport: Literal["stdio", "http"] = "stdio"
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=0, le=65535)
    http_auth_token: SecretStr | None = None
    allowed_hosts: tuple[str, ...] = ()
    max_connections: int = Field(512, ge=1)
    # Peers whose X-Forwarded-For / X-Forwarded-Proto are believed (a reverse proxy): the per-address limits
    # then see the client's address. Addresses or networks, "*" for any; () believes no one.
    forwarded_allow_ips: tuple[str, ...] = ("127.0.0.1", "::1")
    allow_request_keys: bool = False
    new_keys_per_minute: float = Field(30.0, gt=0)
    read_only: bool = False
    toolsets: tuple[str, ...] = TOOLSET_IDS
    disable_destructive: bool = False
    # Search index (#18): one SQLite file per workspace under ``index_dir`` (default: the user cache dir).
    index_enabled: bool = True
    index_dir: str | None = None  # --index-dir / ATTIO_MCP_INDEX_DIR, as given
    cache_index_dir: str | None = None  # the user cache dir's index folder, from XDG_CACHE_HOME etc.
    index_refresh_seconds: float = Field(300.0, ge=0)
    # Team hosting (#19): shared state in Redis, Attio sign-in brokered by this server.
    redis_url: SecretStr | None = None
    oauth: bool = False
    oauth_client_id: str | None = None
    oauth_client_secret: SecretStr | None = None
    oauth_authorize_url: str = "https://app.attio.com/authorize"
    oauth_token_url: str = "https://app.attio.com/oauth/token"
    # Attio's token revocation, called on sign-out; None (ATTIO_OAUTH_REVOKE_URL=none): tokens are only dropped.
    oauth_revoke_url: str | None = "https://app.attio.com/oauth/revoke"
    public_url: str | None = None
    state_key: SecretStr | None = None  # encrypts grants and tokens at rest (Redis)

    @field_validator("toolsets")
    @classmethod
    def _known_toolsets(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [t for t in value if t not in TOOLSET_IDS]
        if unknown:
            raise ValueError(f"unknown toolset(s) {', '.join(unknown)}; choose from {', '.join(TOOLSET_IDS)}")
        return value

    @field_validator("forwarded_allow_ips")
    @classmethod
    def _proxy_addresses(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for item in value:
            if item == "*":
                continue
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(
                    f"forwarded-allow-ips: {item!r} is not an IP address or network (e.g. 10.0.0.5, "
                    "10.0.0.0/8, ::1); use * for any peer, or none to believe no X-Forwarded-For"
                ) from None
        return value

    @field_validator("oauth_revoke_url", mode="before")
    @classmethod
    def _no_revoke(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("api_key", mode="before")
    @classmethod
    def _clean_api_key(cls, value: Any) -> Any:
        """Drop surrounding whitespace (a pasted key's newline); refuse a key no HTTP header can carry."""
        if not isinstance(value, str):
            return value
        key = value.strip()
        if not key or not key.isascii() or not key.isprintable() or any(ch.isspace() for ch in key):
            raise ValueError("the API key must be printable ASCII without spaces")
        return key

    @field_validator("base_url")
    @classmethod
    def _safe_base_url(cls, value: str, info: Any) -> str:
        """https (plain http only to loopback, or with ``insecure_base_url``), no userinfo, query or fragment.

        The messages never repeat the URL: it may carry a password.
        """
        try:
            parts = urlsplit(value.strip())
            host = parts.hostname or ""
            parts.port  # noqa: B018 - raises ValueError for a port that is not a number
        except ValueError:
            raise ValueError("the base URL is not a valid URL") from None
        if parts.scheme not in ("https", "http"):
            raise ValueError("the base URL must start with https:// (got another scheme)")
        if parts.username is not None or parts.password is not None or "@" in parts.netloc:
            raise ValueError(
                "the base URL must not carry a user name or password (user:pw@host); the key goes in "
                "ATTIO_API_KEY"
            )
        if not host:
            raise ValueError("the base URL has no host name")
        if parts.query or parts.fragment or "?" in value or "#" in value:
            raise ValueError("the base URL must not have a query (?) or fragment (#)")
        insecure = bool(info.data.get("insecure_base_url"))
        if parts.scheme == "http" and not is_loopback(host) and not insecure:
            raise ValueError(
                "the base URL uses plain http:// to a host that is not loopback, which would send the API key "
                "in cleartext; use https://, or set ATTIO_INSECURE_BASE_URL=1 (--insecure-base-url) for a "
                "trusted network"
            )
        return value.strip().rstrip("/")

    @field_validator("http_auth_token", mode="before")
    @classmethod
    def _clean_http_token(cls, value: Any) -> Any:
        """A blank token would make the bearer check pass for an empty ``Authorization: Bearer``."""
        if not isinstance(value, str):
            return value
        if not value.strip():
            raise ValueError("the HTTP auth token must not be empty")
        return value.strip()

    @property
    def uses_sandbox(self) -> bool:
        return self.sandbox

    @property
    def base_url_warning(self) -> str | None:
        """One line for the operator when the key goes somewhere other than Attio's API (or loopback)."""
        if self.sandbox:
            return None
        host = (urlsplit(self.base_url).hostname or "").lower()
        if host == ATTIO_API_HOST or is_loopback(host):
            return None
        return (
            f"ATTIO_BASE_URL points at {host}, not {ATTIO_API_HOST}: the Attio API key is sent there; "
            "check that this host is yours"
        )

    def require_credentials(self) -> None:
        """Raise a one-line ``SettingsError`` when no key is configured and no sandbox is asked for."""
        if self.sandbox or self.api_key is not None:
            return
        if self.allow_request_keys and self.transport == "http":
            return  # every caller brings its own key in the X-Attio-Api-Key header
        if self.oauth and self.transport == "http":
            return  # every user signs in with Attio
        raise SettingsError(
            "ATTIO_API_KEY is not set. Export an Attio API key (or ATTIO_ACCESS_TOKEN for an OAuth token), "
            "or try the offline demo workspace with: attio-mcp --sandbox"
        )

    @property
    def stateless(self) -> bool:
        """Streamable HTTP without in-process sessions: replicas (``redis_url``) or sign-in (``oauth``)."""
        return self.transport == "http" and (self.oauth or self.redis_url is not None)

    @property
    def oauth_public_url(self) -> str:
        """The URL MCP clients and browsers reach this server at: ``public_url``, else the loopback address."""
        if self.public_url:
            return self.public_url.rstrip("/")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def require_oauth(self) -> None:
        """With ``oauth``: HTTP only, the Attio app's credentials (unless ``sandbox``), a public URL that is
        https (plain http only on loopback) without path, query or user info, and no other caller auth."""
        if not self.oauth:
            return
        if self.transport != "http":
            raise SettingsError("--oauth needs the HTTP transport: add --transport http")
        if not self.sandbox and (not self.oauth_client_id or self.oauth_client_secret is None):
            raise SettingsError(
                "--oauth needs the Attio app's credentials: set ATTIO_OAUTH_CLIENT_ID and "
                "ATTIO_OAUTH_CLIENT_SECRET (or try it offline with --sandbox --oauth)"
            )
        if self.http_auth_token is not None or self.allow_request_keys:
            raise SettingsError(
                "--oauth replaces the shared HTTP token and per-caller keys: drop ATTIO_MCP_HTTP_TOKEN and "
                "--allow-request-keys"
            )
        if self.public_url is None:
            if self.host not in LOOPBACK_HOSTS:
                raise SettingsError(
                    f"--oauth on {self.host} needs the URL clients reach the server at: set --public-url "
                    "(ATTIO_MCP_PUBLIC_URL), e.g. https://mcp.example.com"
                )
            if self.port == 0:
                raise SettingsError("--oauth needs a fixed --port (or --public-url)")
            return
        try:
            parts = urlsplit(self.public_url.strip())
            host = parts.hostname or ""
            parts.port  # noqa: B018 - raises ValueError for a port that is not a number
        except ValueError:
            raise SettingsError("the public URL is not a valid URL") from None
        if parts.scheme not in ("https", "http") or not host:
            raise SettingsError("the public URL must look like https://mcp.example.com")
        if parts.scheme == "http" and not is_loopback(host):
            raise SettingsError("the public URL must use https:// (plain http:// only for loopback)")
        if parts.username or parts.password or parts.query or parts.fragment or parts.path.strip("/"):
            raise SettingsError(
                "the public URL is the server's origin only (no path, query, fragment or user info), "
                "e.g. https://mcp.example.com"
            )

    def require_safe_http(self) -> None:
        """Refuse to expose the HTTP transport beyond loopback without a strong enough auth token (or sign-in)."""
        if self.transport != "http" or self.host in LOOPBACK_HOSTS or self.oauth:
            return
        if self.http_auth_token is None:
            raise SettingsError(
                f"refusing to listen on {self.host} without an auth token: set ATTIO_MCP_HTTP_TOKEN "
                "or ATTIO_MCP_HTTP_TOKEN_FILE (--auth-token-file), or bind to 127.0.0.1"
            )
        token = self.http_auth_token.get_secret_value()
        if len(token) < MIN_TOKEN_LENGTH or len(set(token)) < MIN_TOKEN_DISTINCT:
            raise SettingsError(
                f"refusing to listen on {self.host} with a weak auth token: use at least {MIN_TOKEN_LENGTH} "
                f"characters, {MIN_TOKEN_DISTINCT} of them different (e.g. openssl rand -hex 32)"
            )


def is_loopback(host: str) -> bool:
    """``localhost``, a ``*.localhost`` name, or a loopback address (127.0.0.0/8, ::1)."""
    name = host.strip("[]").lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def read_token_file(path: str) -> str:
    """The HTTP token from a file (``ATTIO_MCP_HTTP_TOKEN_FILE`` / ``--auth-token-file``): its first line."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"cannot read the HTTP token file {path}: {type(exc).__name__}") from None
    token = text.splitlines()[0].strip() if text.strip() else ""
    if not token:
        raise SettingsError(f"the HTTP token file {path} is empty")
    return token


def _flag(value: str | None) -> bool | None:
    if value is None or value == "":
        return None
    return value.strip().lower() in _TRUE


def parse_toolsets(value: str | None) -> tuple[str, ...] | None:
    """``ATTIO_MCP_TOOLSETS`` / ``--toolsets``: comma-separated toolset ids; ``all`` or ``default`` for all."""
    if not value:
        return None
    items = tuple(v.strip() for v in value.split(",") if v.strip())
    if items in (("all",), ("default",)):
        return TOOLSET_IDS
    return items


def parse_hosts(value: str | None) -> tuple[str, ...] | None:
    """``ATTIO_MCP_ALLOWED_HOSTS``: comma-separated host names (``host`` or ``host:port``)."""
    if not value:
        return None
    return tuple(v.strip().lower() for v in value.split(",") if v.strip()) or None


def parse_forwarded_allow_ips(value: str | None) -> tuple[str, ...] | None:
    """``ATTIO_MCP_FORWARDED_ALLOW_IPS``: comma-separated addresses or networks, ``*``, or ``none``."""
    if value is None or not value.strip():
        return None
    if value.strip().lower() == "none":
        return ()
    return tuple(v.strip() for v in value.split(",") if v.strip())


def _revoke_url(value: str | None) -> str | None:
    """``ATTIO_OAUTH_REVOKE_URL``: unset keeps the default (Attio's); ``none`` turns revocation at Attio off."""
    if value is None or not value.strip():
        return None
    return "" if value.strip().lower() == "none" else value.strip()


def settings_from_env(env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Build ``Settings`` from environment variables (default ``os.environ``), then non-``None`` overrides."""
    if env is None:
        env = os.environ
    values: dict[str, Any] = {
        "api_key": env.get("ATTIO_API_KEY") or env.get("ATTIO_ACCESS_TOKEN") or None,
        "base_url": env.get("ATTIO_BASE_URL") or None,
        "insecure_base_url": _flag(env.get("ATTIO_INSECURE_BASE_URL")),
        "sandbox": _flag(env.get("ATTIO_SANDBOX")),
        "sandbox_db": env.get("ATTIO_SANDBOX_DB") or None,
        "log_level": (env.get("ATTIO_MCP_LOG_LEVEL") or "").upper() or None,
        "timeout": env.get("ATTIO_TIMEOUT") or None,
        "reads_per_second": env.get("ATTIO_READS_PER_SECOND") or None,
        "writes_per_second": env.get("ATTIO_WRITES_PER_SECOND") or None,
        "http_auth_token": _token(env.get("ATTIO_MCP_HTTP_TOKEN"), env.get("ATTIO_MCP_HTTP_TOKEN_FILE")),
        "allowed_hosts": parse_hosts(env.get("ATTIO_MCP_ALLOWED_HOSTS")),
        "max_connections": env.get("ATTIO_MCP_MAX_CONNECTIONS") or None,
        "forwarded_allow_ips": parse_forwarded_allow_ips(env.get("ATTIO_MCP_FORWARDED_ALLOW_IPS")),
        "allow_request_keys": _flag(env.get("ATTIO_MCP_ALLOW_REQUEST_KEYS")),
        "new_keys_per_minute": env.get("ATTIO_MCP_NEW_KEYS_PER_MINUTE") or None,
        "read_only": _flag(env.get("ATTIO_MCP_READ_ONLY")),
        "toolsets": parse_toolsets(env.get("ATTIO_MCP_TOOLSETS")),
        "disable_destructive": _flag(env.get("ATTIO_MCP_DISABLE_DESTRUCTIVE")),
        "index_enabled": _negated(_flag(env.get("ATTIO_MCP_NO_INDEX"))),
        "index_dir": env.get("ATTIO_MCP_INDEX_DIR") or None,
        "cache_index_dir": str(default_index_dir(env)),
        "index_refresh_seconds": env.get("ATTIO_MCP_INDEX_REFRESH_SECONDS") or None,
        "redis_url": env.get("ATTIO_MCP_REDIS_URL") or None,
        "oauth": _flag(env.get("ATTIO_MCP_OAUTH")),
        "oauth_client_id": env.get("ATTIO_OAUTH_CLIENT_ID") or None,
        "oauth_client_secret": env.get("ATTIO_OAUTH_CLIENT_SECRET") or None,
        "oauth_authorize_url": env.get("ATTIO_OAUTH_AUTHORIZE_URL") or None,
        "oauth_token_url": env.get("ATTIO_OAUTH_TOKEN_URL") or None,
        "oauth_revoke_url": _revoke_url(env.get("ATTIO_OAUTH_REVOKE_URL")),
        "public_url": env.get("ATTIO_MCP_PUBLIC_URL") or None,
        "state_key": env.get("ATTIO_MCP_STATE_KEY") or None,
    }
    token_file = overrides.pop("http_auth_token_file", None)
    if token_file and overrides.get("http_auth_token") is None:  # a flag's file beats the environment
        overrides["http_auth_token"] = read_token_file(token_file)
    values.update({k: v for k, v in overrides.items() if v is not None})
    cleaned = {k: v for k, v in values.items() if v is not None}
    try:
        return Settings(**cleaned)
    except ValueError as exc:  # pydantic ValidationError is a ValueError
        raise SettingsError(_first_error(exc)) from None


def _negated(value: bool | None) -> bool | None:
    return None if value is None else not value


def _token(value: str | None, file: str | None) -> str | None:
    """``ATTIO_MCP_HTTP_TOKEN``, else the first line of ``ATTIO_MCP_HTTP_TOKEN_FILE``."""
    if value:
        return value
    return read_token_file(file) if file else None


def _first_error(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "settings"
        message = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
        return f"invalid setting {where}: {message}"
    return str(exc)
