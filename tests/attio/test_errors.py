"""Error tree, Attio error-body parsing and httpx exception mapping."""

from __future__ import annotations

import json

import httpx
import pytest

from attio_mcp.attio import (
    AttioClientClosedError,
    AttioError,
    AttioStatusError,
    AttioTimeoutError,
    AttioTransportError,
    AuthError,
    BadRequestError,
    ConflictError,
    InvalidArgumentError,
    NotFoundError,
    RateLimitError,
    ServerError,
)
from attio_mcp.attio._errors import error_from_response, error_from_transport
from attio_mcp.workspace.errors import code_of


def body(status: int, code: str, message: str = "msg", **extra: object) -> bytes:
    return json.dumps(
        {"status_code": status, "type": "invalid_request_error", "code": code, "message": message, **extra}
    ).encode()


@pytest.mark.parametrize(
    ("status", "code", "cls", "machine_code"),
    [
        (400, "validation_type", BadRequestError, "VALIDATION_ERROR"),
        (400, "value_not_found", BadRequestError, "VALIDATION_ERROR"),
        (400, "filter_error", BadRequestError, "VALIDATION_ERROR"),
        (400, "uniqueness_conflict", BadRequestError, "CONFLICT"),
        (401, "unauthorized", AuthError, "AUTH_ERROR"),
        (403, "billing_error", AuthError, "AUTH_ERROR"),
        (404, "not_found", NotFoundError, "NOT_FOUND"),
        (409, "slug_conflict", ConflictError, "CONFLICT"),
        (409, "concurrent_write_conflict", ConflictError, "CONFLICT"),
        (409, "uniqueness_conflict", ConflictError, "CONFLICT"),
        (413, "validation_type", BadRequestError, "VALIDATION_ERROR"),
        (429, "rate_limit_exceeded", RateLimitError, "RATE_LIMIT"),
        (500, "internal", ServerError, "UPSTREAM_ERROR"),
        (502, "bad_gateway", ServerError, "UPSTREAM_ERROR"),
        (503, "unavailable", ServerError, "UPSTREAM_ERROR"),
    ],
)
def test_status_maps_to_class_and_machine_code(status: int, code: str, cls: type, machine_code: str) -> None:
    err = error_from_response("POST", "/v2/objects/people/records", status, body(status, code, "Nope."))
    assert type(err) is cls
    assert isinstance(err, AttioStatusError) and isinstance(err, AttioError)
    assert code_of(err) == machine_code
    assert (err.status, err.code, err.type, err.message) == (status, code, "invalid_request_error", "Nope.")
    assert (err.method, err.path, err.attempts) == ("POST", "/v2/objects/people/records", 1)


def test_statuscode_spelling_and_validation_errors_are_read() -> None:
    raw = {
        "statusCode": 400,
        "type": "invalid_request_error",
        "code": "validation_type",
        "message": "Body payload validation error.",
        "validation_errors": [
            {"code": "invalid_type", "path": ["data", "values", "name"], "message": "Required"},
            "not-a-dict",
        ],
    }
    err = error_from_response("POST", "/v2/meetings", 400, json.dumps(raw))
    assert isinstance(err, BadRequestError)
    assert err.code == "validation_type"
    assert err.validation_errors == [raw["validation_errors"][0]]
    assert "data.values.name: Required" in str(err)


def test_mapping_body_is_accepted() -> None:
    err = error_from_response("GET", "/v2/x", 404, {"code": "not_found", "message": "Record not found."})
    assert isinstance(err, NotFoundError) and err.message == "Record not found."


def test_non_json_502_body() -> None:
    html = b"<html><head><title>502 Bad Gateway</title></head><body><h1>502</h1></body></html>"
    err = error_from_response("GET", "/v2/self", 502, html)
    assert isinstance(err, ServerError)
    assert code_of(err) == "UPSTREAM_ERROR"
    assert err.code is None and err.type is None
    assert "502 Bad Gateway" in err.message
    assert "<html>" not in str(err)


@pytest.mark.parametrize("raw", [b"", b"upstream connect error", b"[1, 2]", b"\xff\xfe", b"null", None])
def test_odd_bodies_never_raise(raw: bytes | None) -> None:
    err = error_from_response("GET", "/v2/self", 503, raw)
    assert isinstance(err, ServerError)
    assert err.message.startswith("Service Unavailable")


def test_unknown_status_is_still_typed() -> None:
    err = error_from_response("GET", "/v2/self", 302, b"")
    assert type(err) is AttioStatusError
    assert code_of(err) == "UPSTREAM_ERROR"
    assert code_of(error_from_response("GET", "/v2/self", 418, b"")) == "VALIDATION_ERROR"


def test_message_reports_attempts_only_when_more_than_one() -> None:
    once = error_from_response("GET", "/v2/self", 503, body(503, "x", "down"))
    assert "attempt" not in str(once)
    again = error_from_response("GET", "/v2/self", 503, body(503, "x", "down"), 4)
    assert str(again).endswith("(after 4 attempts)")
    assert "HTTP 503" in str(again) and "GET /v2/self" in str(again)


def _all_subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _all_subclasses(sub)
    return found


@pytest.mark.parametrize(
    "exc_type",
    sorted(_all_subclasses(httpx.TransportError) | {httpx.TransportError}, key=lambda c: c.__name__),
)
def test_every_httpx_transport_error_is_mapped(exc_type: type[httpx.TransportError]) -> None:
    request = httpx.Request("GET", "https://api.attio.com/v2/self")
    exc = exc_type("it broke", request=request)
    err = error_from_transport(exc, method="GET", path="/v2/self", attempts=2)
    assert isinstance(err, AttioTransportError)
    assert code_of(err) == "UPSTREAM_ERROR"
    expected = AttioTimeoutError if issubclass(exc_type, httpx.TimeoutException) else AttioTransportError
    assert type(err) is expected
    assert exc_type.__name__ in str(err) and str(err).endswith("(after 2 attempts)")


def test_transport_error_is_chained_from_httpx() -> None:
    request = httpx.Request("GET", "https://api.attio.com/v2/self")
    exc = httpx.ConnectError("refused", request=request)
    with pytest.raises(AttioTransportError) as info:
        try:
            raise exc
        except httpx.TransportError as caught:
            raise error_from_transport(caught, method="GET", path="/v2/self") from caught
    assert info.value.__cause__ is exc


def test_misuse_and_argument_errors_sit_where_expected() -> None:
    # A closed client is an AttioError (a tool reports it with a code), still a RuntimeError for old callers.
    assert issubclass(AttioClientClosedError, RuntimeError)
    assert issubclass(AttioClientClosedError, AttioError)
    assert code_of(AttioClientClosedError("closed")) == "UPSTREAM_ERROR"
    assert issubclass(InvalidArgumentError, AttioError) and issubclass(InvalidArgumentError, ValueError)
    assert code_of(InvalidArgumentError("x")) == "VALIDATION_ERROR"
