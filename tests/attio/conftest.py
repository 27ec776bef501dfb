"""Fixtures for the Attio client tests: a fake clock, a recording MockTransport and a client factory."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import anyio.lowlevel
import httpx
import pytest

from attio_mcp.attio import AttioClient
from tests import clocks

API_KEY = "sk-test-0123456789-SECRET"


class FakeClock(clocks.FakeClock):
    """A monotonic clock that only moves when ``sleep`` is awaited, so tests measure time without waiting."""

    def __init__(self, start: float = 1000.0) -> None:
        super().__init__(start)
        self.sleeps: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(0.0, seconds)
        await anyio.lowlevel.checkpoint()


Reply = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


class Recorder:
    """A MockTransport handler that records requests and answers from a script (the last reply repeats)."""

    def __init__(self, replies: Iterable[Reply] = ()) -> None:
        self.replies = list(replies)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        reply = self.replies.pop(0) if len(self.replies) > 1 else (self.replies[0] if self.replies else ok())
        if isinstance(reply, Exception):
            raise reply
        if isinstance(reply, httpx.Response):  # a fresh copy, so a scripted reply can be served twice
            return httpx.Response(reply.status_code, headers=reply.headers, content=reply.content)
        return reply(request)

    @property
    def count(self) -> int:
        return len(self.requests)

    def body(self, index: int = -1) -> Any:
        content = self.requests[index].content
        return json.loads(content) if content else None


def ok(data: Any = None, status: int = 200, **kwargs: Any) -> httpx.Response:
    return httpx.Response(status, json={"data": {} if data is None else data}, **kwargs)


def attio_error(status: int, code: str, message: str = "boom", **kwargs: Any) -> httpx.Response:
    type_ = {401: "auth_error", 403: "auth_error", 429: "rate_limit_error"}.get(
        status, "invalid_request_error"
    )
    body = {"status_code": status, "type": type_, "code": code, "message": message}
    return httpx.Response(status, json=body, **kwargs)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_client(clock: FakeClock) -> Callable[..., AttioClient]:
    def make(handler: Callable[[httpx.Request], httpx.Response], **kwargs: Any) -> AttioClient:
        options: dict[str, Any] = {"clock": clock, "sleep": clock.sleep, "jitter": lambda: 0.0}
        options.update(kwargs)
        return AttioClient(api_key=API_KEY, transport=httpx.MockTransport(handler), **options)

    return make
