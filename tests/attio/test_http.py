"""The request loop: retries per idempotency, Retry-After, budgets, headers, encoding, logging, lifecycle."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest

from attio_mcp.attio import (
    AttioClient,
    AttioClientClosedError,
    AttioResponseError,
    AttioTimeoutError,
    AttioTransportError,
    BadRequestError,
    ConflictError,
    InvalidArgumentError,
    NotFoundError,
    RateLimitError,
    ServerError,
)
from attio_mcp.attio._http import api_path
from attio_mcp.workspace.errors import code_of

from .conftest import API_KEY, FakeClock, Recorder, attio_error, ok

MakeClient = Callable[..., AttioClient]
DATE = "Tue, 23 May 2023 14:42:00 GMT"


def rate_limited(retry_after: str | None = "Tue, 23 May 2023 14:42:01 GMT") -> httpx.Response:
    headers = {"Date": DATE}
    if retry_after is not None:
        headers["Retry-After"] = retry_after
    return attio_error(
        429, "rate_limit_exceeded", "Rate limit exceeded, please try again later", headers=headers
    )


def read_timeout() -> httpx.ReadTimeout:
    return httpx.ReadTimeout("read timed out")


# -- retry policy -------------------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize(
    "failure", [attio_error(503, "unavailable"), read_timeout(), httpx.RemoteProtocolError("x")]
)
async def test_create_is_not_retried_after_ambiguous_failure(
    make_client: MakeClient, failure: object
) -> None:
    rec = Recorder([failure, ok({"id": {"record_id": "r1"}})])
    async with make_client(rec) as attio:
        with pytest.raises((ServerError, AttioTransportError)) as info:
            await attio.create_record("people", {"name": "Ada"})
    assert rec.count == 1
    assert info.value.attempts == 1
    assert "attempt" not in str(info.value)


@pytest.mark.anyio
async def test_timeout_on_create_raises_timeout_error_chained(make_client: MakeClient) -> None:
    exc = read_timeout()
    rec = Recorder([exc])
    async with make_client(rec) as attio:
        with pytest.raises(AttioTimeoutError) as info:
            await attio.create_note(parent_object="people", parent_record_id="r", title="t", content="c")
    assert info.value.__cause__ is exc
    assert rec.count == 1


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("method_name", "call"),
    [
        ("POST query", lambda a: a.query_records("people", limit=5)),
        ("GET", lambda a: a.get_record("people", "r1")),
        (
            "PUT assert",
            lambda a: a.assert_record("people", "email_addresses", {"email_addresses": ["a@b.c"]}),
        ),
        ("DELETE", lambda a: a.delete_record("people", "r1")),
        ("PUT overwrite", lambda a: a.update_record("people", "r1", {"x": 1}, overwrite=True)),
    ],
)
async def test_idempotent_calls_are_retried(
    make_client: MakeClient, clock: FakeClock, method_name: str, call
) -> None:
    rec = Recorder([attio_error(503, "unavailable"), read_timeout(), httpx.ConnectError("refused"), ok([])])
    async with make_client(rec) as attio:
        await call(attio)
    assert rec.count == 4, method_name
    assert clock.sleeps == [0.5, 1.0, 2.0]  # exponential backoff (jitter pinned to 0)


@pytest.mark.anyio
@pytest.mark.parametrize(
    "call",
    [
        lambda a: a.create_record("people", {"name": "Ada"}),
        lambda a: a.update_record("people", "r1", {"tags": ["x"]}),  # PATCH: not idempotent
        lambda a: a.create_entry("deals_pipeline", "deals", "r1"),
        lambda a: a.create_task(content="call"),
    ],
)
async def test_429_is_retried_even_for_non_idempotent_calls(
    make_client: MakeClient, clock: FakeClock, call
) -> None:
    rec = Recorder([rate_limited(), ok({"id": {}})])
    async with make_client(rec) as attio:
        await call(attio)
    assert rec.count == 2
    assert clock.sleeps == [pytest.approx(1.0)]  # until the HTTP-date, measured against the server's Date


@pytest.mark.anyio
@pytest.mark.parametrize(("header", "expected"), [("3", 3.0), (None, 1.0), ("garbage", 1.0)])
async def test_429_seconds_or_missing_retry_after(
    make_client: MakeClient, clock: FakeClock, header: str | None, expected: float
) -> None:
    rec = Recorder([rate_limited(header), ok([])])
    async with make_client(rec) as attio:
        await attio.list_objects()
    assert clock.sleeps == [pytest.approx(expected)]


@pytest.mark.anyio
async def test_429_retry_after_from_body(make_client: MakeClient, clock: FakeClock) -> None:
    body = {"status_code": 429, "type": "rate_limit_error", "code": "rate_limit_exceeded", "message": "slow down",
            "retry_after": "Tue, 23 May 2023 14:42:02 GMT"}  # fmt: skip
    rec = Recorder([httpx.Response(429, json=body, headers={"Date": DATE}), ok([])])
    async with make_client(rec) as attio:
        await attio.list_objects()
    assert clock.sleeps == [pytest.approx(2.0)]


@pytest.mark.anyio
async def test_max_attempts_reached_reports_attempts_and_retry_at(make_client: MakeClient) -> None:
    rec = Recorder([rate_limited()])
    async with make_client(rec, max_attempts=4) as attio:
        with pytest.raises(RateLimitError) as info:
            await attio.create_record("people", {"name": "Ada"})
    assert rec.count == 4
    err = info.value
    assert err.attempts == 4
    assert str(err).endswith("(after 4 attempts)")
    assert code_of(err) == "RATE_LIMIT"
    assert err.retry_at == datetime(2023, 5, 23, 14, 42, 1, tzinfo=UTC)


@pytest.mark.anyio
@pytest.mark.parametrize(
    "query",
    [lambda a: a.query_records("deals", filter={"stage": "Lead"}), lambda a: a.query_entries("pipeline")],
)
async def test_a_scored_query_refused_for_a_whole_window_stops_early(
    make_client: MakeClient, clock: FakeClock, query
) -> None:
    """Over Attio's per-query score limit a query never succeeds: 429s for a whole 10 s window end it."""
    rec = Recorder([rate_limited()])  # Retry-After one second later, every time
    async with make_client(rec, max_attempts=30, max_retry_seconds=600) as attio:
        with pytest.raises(RateLimitError) as info:
            await query(attio)
    assert info.value.repeated_on_query
    assert 10 <= rec.count < 30 and sum(clock.sleeps) >= 10


@pytest.mark.anyio
async def test_other_reads_keep_retrying_429_up_to_max_attempts(make_client: MakeClient) -> None:
    rec = Recorder([rate_limited()])
    async with make_client(rec, max_attempts=5) as attio:
        with pytest.raises(RateLimitError) as info:
            await attio.list_objects()
    assert rec.count == 5 and not info.value.repeated_on_query


@pytest.mark.anyio
async def test_idempotent_5xx_gives_up_after_max_attempts(make_client: MakeClient) -> None:
    rec = Recorder([attio_error(502, "bad_gateway")])
    async with make_client(rec, max_attempts=3) as attio:
        with pytest.raises(ServerError) as info:
            await attio.list_lists()
    assert rec.count == 3
    assert "(after 3 attempts)" in str(info.value)


@pytest.mark.anyio
async def test_retry_time_budget_bounds_total_wait(make_client: MakeClient, clock: FakeClock) -> None:
    rec = Recorder([rate_limited("31")])
    async with make_client(rec, max_attempts=10, max_retry_seconds=60) as attio:
        with pytest.raises(RateLimitError) as info:
            await attio.list_objects()
    assert rec.count == 2  # 31 s fits the 60 s budget once; a second 31 s wait would not
    assert sum(clock.sleeps) <= 60
    assert info.value.attempts == 2


@pytest.mark.anyio
async def test_retry_after_beyond_budget_fails_fast(make_client: MakeClient, clock: FakeClock) -> None:
    rec = Recorder([rate_limited("3600")])
    async with make_client(rec, max_retry_seconds=10) as attio:
        with pytest.raises(RateLimitError) as info:
            await attio.list_objects()
    assert rec.count == 1 and clock.sleeps == []
    assert info.value.retry_at is not None


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("reply", "error", "count"),
    [
        (attio_error(400, "uniqueness_conflict"), BadRequestError, 1),
        (attio_error(404, "not_found"), NotFoundError, 1),
        (attio_error(409, "slug_conflict"), ConflictError, 1),
    ],
)
async def test_client_errors_are_not_retried(make_client: MakeClient, reply, error, count: int) -> None:
    rec = Recorder([reply])
    async with make_client(rec) as attio:
        with pytest.raises(error):
            await attio.get_record("people", "r1")
    assert rec.count == count


@pytest.mark.anyio
async def test_concurrent_write_conflict_retried_only_when_idempotent(make_client: MakeClient) -> None:
    rec = Recorder([attio_error(409, "concurrent_write_conflict"), ok({})])
    async with make_client(rec) as attio:
        await attio.update_entry("pipeline", "e1", {"stage": "Won"}, overwrite=True)  # PUT
        assert rec.count == 2
        rec.replies = [attio_error(409, "concurrent_write_conflict"), ok({})]
        with pytest.raises(ConflictError):
            await attio.update_entry("pipeline", "e1", {"stage": "Won"})  # PATCH
        assert rec.count == 3


# -- responses ----------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_request_returns_whole_body_and_non_json_success_is_typed(make_client: MakeClient) -> None:
    rec = Recorder([httpx.Response(200, json={"data": [1], "pagination": {"next_cursor": None}})])
    async with make_client(rec) as attio:
        body = await attio._core.request("GET", "/v2/meetings", idempotent=True, read=True)
        assert body == {"data": [1], "pagination": {"next_cursor": None}}
        rec.replies = [httpx.Response(204)]
        assert await attio._core.request("DELETE", "/v2/x", idempotent=True, read=False) == {}
        rec.replies = [httpx.Response(200, text="<html>oops</html>")]
        with pytest.raises(AttioResponseError):
            await attio._core.request("GET", "/v2/self", idempotent=True, read=True)


@pytest.mark.anyio
async def test_headers_and_params(make_client: MakeClient) -> None:
    rec = Recorder([ok([])])
    async with make_client(rec, user_agent="attio-mcp/9.9") as attio:
        await attio.list_tasks(
            linked_object="people", linked_record_id="r1", is_completed=False, assignee=None
        )
    request = rec.requests[0]
    assert request.headers["Authorization"] == f"Bearer {API_KEY}"
    assert request.headers["User-Agent"] == "attio-mcp/9.9"
    assert request.headers["Accept"] == "application/json"
    assert dict(request.url.params) == {
        "linked_object": "people",
        "linked_record_id": "r1",
        "is_completed": "false",
    }


# -- path encoding ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("segments", "expected"),
    [
        (("objects", "people"), "/v2/objects/people"),
        (("objects", "../x"), "/v2/objects/..%2Fx"),
        (("objects", ".."), "/v2/objects/%2E%2E"),
        (("objects", "."), "/v2/objects/%2E"),
        (("objects", "a/b?c=d#e"), "/v2/objects/a%2Fb%3Fc%3Dd%23e"),
        (("objects", "100%"), "/v2/objects/100%25"),
        (("lists", "my list"), "/v2/lists/my%20list"),
        (("objects", "café"), "/v2/objects/caf%C3%A9"),
    ],
)
def test_path_encodes_every_segment(segments: tuple[str, ...], expected: str) -> None:
    assert api_path(*segments) == expected


def test_empty_segment_is_refused() -> None:
    with pytest.raises(InvalidArgumentError):
        api_path("objects", "")


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("slug", "record_id", "raw_path"),
    [
        ("../../self", "r1", b"/v2/objects/..%2F..%2Fself/records/r1"),
        ("people", "..", b"/v2/objects/people/records/%2E%2E"),
        ("people", "r1?x=1", b"/v2/objects/people/records/r1%3Fx%3D1"),
    ],
)
async def test_hostile_segments_cannot_change_the_route(
    make_client: MakeClient, slug: str, record_id: str, raw_path: bytes
) -> None:
    rec = Recorder([ok({})])
    async with make_client(rec) as attio:
        await attio.get_record(slug, record_id)
    assert rec.requests[0].url.raw_path == raw_path
    assert rec.requests[0].url.params == httpx.QueryParams()


# -- secrets and logging ------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_api_key_never_leaks(make_client: MakeClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    # Even a server that echoes the key back must not get it into an error message.
    echo = attio_error(401, "unauthorized", f"Token {API_KEY} is invalid")
    rec = Recorder([rate_limited("1"), echo])
    attio = make_client(rec)
    assert API_KEY not in repr(attio) and API_KEY not in str(attio)
    with pytest.raises(Exception) as info:
        await attio.get_self()
    err = info.value
    assert code_of(err) == "AUTH_ERROR"
    texts = [str(err), repr(err), err.message, *(str(v) for v in vars(err).values())]
    assert all(API_KEY not in text for text in texts)
    rec.replies = [httpx.ConnectError(f"cannot connect with {API_KEY}")]
    with pytest.raises(AttioTransportError) as transport_info:
        await attio.list_objects()
    assert API_KEY not in str(transport_info.value)
    await attio.aclose()
    assert caplog.records, "expected per-request log lines"
    for record in caplog.records:
        assert API_KEY not in record.getMessage()
        assert "Bearer" not in record.getMessage()


@pytest.mark.anyio
async def test_one_log_line_per_attempt(make_client: MakeClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="attio_mcp.attio")
    rec = Recorder([attio_error(503, "x"), ok([])])
    async with make_client(rec) as attio:
        await attio.list_objects()
    lines = [r.getMessage() for r in caplog.records if r.name == "attio_mcp.attio"]
    assert len(lines) == 2
    assert lines[0].startswith("GET /v2/objects -> 503 (attempt 1,") and "retrying in 0.50 s" in lines[0]
    assert lines[1].startswith("GET /v2/objects -> 200 (attempt 2,")


def test_bad_api_keys_are_refused_without_echo() -> None:
    for bad in ["", "has space", "line\nbreak", "ключ"]:
        with pytest.raises(ValueError) as info:
            AttioClient(api_key=bad)
        assert not bad or bad not in str(info.value)


# -- lifecycle ----------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_closed_client_refuses_use(make_client: MakeClient) -> None:
    rec = Recorder([ok([])])
    attio = make_client(rec)
    async with attio:
        await attio.list_objects()
    assert attio.closed
    await attio.aclose()  # idempotent
    with pytest.raises(AttioClientClosedError):
        await attio.list_objects()
    with pytest.raises(AttioClientClosedError):
        async with attio:
            pass
    assert "closed" in repr(attio)
    assert rec.count == 1


@pytest.mark.anyio
async def test_invalid_max_attempts() -> None:
    with pytest.raises(ValueError):
        AttioClient(api_key="k", max_attempts=0)
