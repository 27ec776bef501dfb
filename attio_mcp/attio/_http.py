"""The request core: one httpx client, read/write rate limiting, retries and typed errors.

``AttioClient`` owns one ``HttpCore`` and sends every Attio call through ``HttpCore.request``. Whether an
operation may be repeated after an ambiguous failure (5xx, timeout, dropped connection) is declared by the
call site, never inferred from the verb.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar
from urllib.parse import quote

import httpx

from ._errors import (
    AttioClientClosedError,
    AttioError,
    AttioResponseError,
    InvalidArgumentError,
    error_from_response,
    error_from_transport,
)
from ._limiter import Kind, Limiter, LocalLimiter
from ._retry import backoff, parse_retry_after, rate_limit_delay, retry_at_from, should_retry

__all__ = ["BURST", "REDACTED", "HttpCore", "QueryValue", "api_path"]

logger = logging.getLogger("attio_mcp.attio")

REDACTED = "[redacted]"
BURST = 2.0  # tokens a limiter may save up (see HttpCore.__init__)
# Attio sums query scores over a sliding 10 s window, so a refusal for the window clears within it; a
# records/entries query still refused after a whole window of 429s in a row is taken to be over the
# per-query score limit ("reduce the complexity of your query"), which no wait fixes.
SCORE_WINDOW_SECONDS = 10.0

_E = TypeVar("_E", bound=AttioError)

QueryValue = str | int | bool | None
"""A query parameter value; ``None`` drops the parameter, booleans are sent as ``true``/``false``."""


def api_path(*segments: str) -> str:
    """Build ``/v2/<seg>/<seg>…`` with every segment percent-encoded, so no value can change the route.

    ``quote(seg, safe="")`` encodes ``/``, ``?``, ``#`` and ``%``; a segment made only of dots is encoded
    too (``..`` -> ``%2E%2E``) because URL normalisation would otherwise resolve it.
    """
    parts = []
    for segment in segments:
        text = str(segment)
        if not text:
            raise InvalidArgumentError("an identifier in the request path is empty")
        encoded = quote(text, safe="")
        if set(encoded) == {"."}:
            encoded = "%2E" * len(encoded)
        parts.append(encoded)
    return "/v2/" + "/".join(parts)


def _clean_params(params: Mapping[str, QueryValue] | None) -> dict[str, str | int] | None:
    """Drop None-valued query parameters; booleans become ``true``/``false``."""
    if not params:
        return None
    out: dict[str, str | int] = {}
    for key, value in params.items():
        if value is None:
            continue
        out[key] = ("true" if value else "false") if isinstance(value, bool) else value
    return out or None


def _validate_api_key(api_key: str) -> None:
    if not isinstance(api_key, str) or not api_key:
        raise ValueError("api_key must be a non-empty string")
    if not api_key.isascii() or any(ch.isspace() or not ch.isprintable() for ch in api_key):
        raise ValueError("api_key must be printable ASCII without whitespace")


class HttpCore:
    """Owns the httpx client, the rate limiter (both token buckets by default) and the retry loop.

    Every argument is required: ``AttioClient`` holds the defaults and builds its core from them.
    """

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str,
        transport: httpx.AsyncBaseTransport | None,
        timeout: float,
        connect_timeout: float,
        reads_per_second: float,
        writes_per_second: float,
        max_attempts: int,
        max_retry_seconds: float,
        clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]],
        user_agent: str,
        jitter: Callable[[], float],
        limiter: Limiter | None,
    ) -> None:
        _validate_api_key(api_key)
        if httpx.URL(base_url).userinfo:  # httpx would send it as Basic auth in place of the bearer key
            raise ValueError("base_url must not carry a user name or password (user:pw@host)")
        if max_attempts < 1:
            raise ValueError("max_attempts must be >= 1")
        self._api_key = api_key
        self._base_url = base_url
        self._max_attempts = max_attempts
        self._max_retry_seconds = max_retry_seconds
        self._clock = clock
        self._sleep = sleep
        self._jitter = jitter
        # A small burst: Attio counts requests per second, so a full second's worth sent at once (then the
        # steady rate) overflows the first window and draws 429s. Two tokens keep pace without bursts.
        local = LocalLimiter(
            reads_per_second=reads_per_second,
            writes_per_second=writes_per_second,
            burst=BURST,
            clock=clock,
            sleep=sleep,
        )
        self.reads, self.writes = local.reads, local.writes
        # An injected limiter (one shared by replicas through Redis) replaces the in-process buckets.
        self._limiter: Limiter = local if limiter is None else limiter
        self._closed = False
        self._http = httpx.AsyncClient(
            base_url=base_url,
            transport=transport,
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            limits=httpx.Limits(max_connections=20, max_keepalive_connections=10, keepalive_expiry=30.0),
            headers={
                "Authorization": f"Bearer {api_key}",
                "User-Agent": user_agent,
                "Accept": "application/json",
            },
            follow_redirects=False,
        )

    # -- lifecycle -------------------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def base_url(self) -> str:
        return self._base_url

    async def aclose(self) -> None:
        """Close the connection pool; later calls raise ``AttioClientClosedError``. Safe to call twice."""
        if not self._closed:
            self._closed = True
            await self._http.aclose()

    def check_open(self) -> None:
        """Raise ``AttioClientClosedError`` once ``aclose`` has been called."""
        if self._closed:
            raise AttioClientClosedError("the Attio client is closed")

    # -- the request loop ------------------------------------------------------------------------------

    def _scrub(self, error: _E) -> _E:
        """Belt and braces: make sure the key never travels inside an error message."""
        if self._api_key in error.message:
            error.message = error.message.replace(self._api_key, REDACTED)
            error.args = (error.message,)
        return error

    def _log(
        self, level: int, method: str, path: str, status: str, attempt: int, started: float, note: str
    ) -> None:
        if logger.isEnabledFor(level):
            ms = (self._clock() - started) * 1000.0
            logger.log(level, "%s %s -> %s (attempt %d, %.0f ms)%s", method, path, status, attempt, ms, note)

    def _budget_allows(self, attempt: int, first_started: float, delay: float) -> bool:
        if attempt >= self._max_attempts:
            return False
        return (self._clock() - first_started) + delay <= self._max_retry_seconds

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, QueryValue] | None = None,
        json: Mapping[str, object] | None = None,
        idempotent: bool,
        read: bool,
        scored: bool = False,
    ) -> object:
        """Send one Attio call with rate limiting and retries; return the parsed JSON body (not unwrapped).

        ``read`` picks the read or write bucket. ``idempotent`` allows retrying 5xx, timeouts and dropped
        connections; 429 and a connection that could not be made (nothing was sent) are retried regardless.
        A ``scored`` query (one Attio scores for complexity) still refused after ``SCORE_WINDOW_SECONDS`` of
        429s in a row stops early with ``repeated_on_query`` set: over Attio's per-query score limit, waiting
        never helps. An empty success body reads as ``{}``. Raises an
        ``AttioError`` subclass, or ``AttioClientClosedError`` after ``aclose``.
        """
        self.check_open()
        method = method.upper()
        kind: Kind = "read" if read else "write"
        query = _clean_params(params)
        first_started = self._clock()
        refused_since: float | None = None  # when the current run of 429s began
        attempt = 0
        while True:
            attempt += 1
            await self._limiter.acquire(kind)
            self.check_open()
            started = self._clock()
            try:
                response = await self._http.request(method, path, params=query, json=json)
            except RuntimeError as exc:  # httpx refuses to send on a client closed meanwhile
                if not self._closed:
                    raise
                raise AttioClientClosedError(
                    f"{method} {path}: the Attio client was closed during the call", attempts=attempt
                ) from exc
            except httpx.RequestError as exc:
                error = self._scrub(error_from_transport(exc, method=method, path=path, attempts=attempt))
                # A request that never left (no connection) may be sent again whatever the operation.
                retry = isinstance(exc, httpx.TransportError) and should_retry(
                    None, None, idempotent or not error.sent
                )
                delay = backoff(attempt, random=self._jitter)
                if not (retry and self._budget_allows(attempt, first_started, delay)):
                    self._log(logging.INFO, method, path, type(exc).__name__, attempt, started, "")
                    raise error from exc
                self._log(
                    logging.INFO, method, path, type(exc).__name__, attempt, started, _retry_note(delay)
                )
                await self._sleep(delay)
                continue

            status = response.status_code
            if response.is_success:
                self._log(logging.DEBUG, method, path, str(status), attempt, started, "")
                return _decode_success(response, method, path, attempt)

            now = _server_now(response)
            retry_after = response.headers.get("Retry-After")
            status_error = error_from_response(method, path, status, response.content, attempt)
            if retry_after is None and status == 429:
                retry_after = _body_retry_after(response)
            status_error.retry_at = retry_at_from(retry_after, now)
            self._scrub(status_error)
            server_delay = parse_retry_after(retry_after, now)
            if status == 429 and server_delay is not None:
                await self._limiter.pause(kind, server_delay)  # every sender of this kind waits too
            delay = self._delay_for(status, server_delay, attempt)
            refused_since = (refused_since or started) if status == 429 else None
            if scored and refused_since is not None and started - refused_since >= SCORE_WINDOW_SECONDS:
                status_error.repeated_on_query = True
                self._log(logging.INFO, method, path, str(status), attempt, started, "; refused for a window")
                raise status_error
            if not (
                should_retry(status, status_error.code, idempotent)
                and self._budget_allows(attempt, first_started, delay)
            ):
                self._log(logging.INFO, method, path, str(status), attempt, started, "")
                raise status_error
            self._log(logging.INFO, method, path, str(status), attempt, started, _retry_note(delay))
            await self._sleep(delay)

    def _delay_for(self, status: int, retry_after: float | None, attempt: int) -> float:
        if status == 429:
            return rate_limit_delay(retry_after, random=self._jitter)
        if retry_after is not None:
            return retry_after
        return backoff(attempt, random=self._jitter)


def _decode_success(response: httpx.Response, method: str, path: str, attempt: int) -> object:
    if not response.content.strip():
        return {}
    try:
        body: object = response.json()
    except ValueError as exc:
        raise AttioResponseError(
            f"{method} {path}: HTTP {response.status_code} with a body that is not JSON", attempts=attempt
        ) from exc
    return body


def _retry_note(delay: float) -> str:
    return f"; retrying in {delay:.2f} s"


def _server_now(response: httpx.Response) -> datetime:
    """The server's idea of now (its ``Date`` header), so an HTTP-date Retry-After survives clock skew."""
    header = response.headers.get("Date")
    if header:
        try:
            when = parsedate_to_datetime(header)
        except (TypeError, ValueError, IndexError):
            when = None
        if when is not None:
            return when if when.tzinfo else when.replace(tzinfo=UTC)
    return datetime.now(UTC)


def _body_retry_after(response: httpx.Response) -> str | None:
    """Some 429 bodies carry ``retry_after`` (an HTTP-date) instead of, or besides, the header."""
    try:
        body: object = response.json()
    except ValueError:
        return None
    value = body.get("retry_after") if isinstance(body, dict) else None
    return value if isinstance(value, str) else None
