"""The attribute-values endpoints (current and historic values of one record's or entry's attribute)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from attio_mcp.attio import AttioClient, ServerError
from attio_mcp.attio._http import BURST

from .conftest import Recorder, attio_error

pytestmark = pytest.mark.anyio

VALUE = {
    "active_from": "2026-09-01T10:00:00.000000000Z",
    "active_until": None,
    "created_by_actor": {"type": "workspace-member", "id": "m1"},
    "attribute_type": "status",
    "status": {"title": "Lead"},
}


def _values(*items: object) -> httpx.Response:
    return httpx.Response(200, json={"data": list(items)})


@pytest.mark.parametrize(
    ("call", "path"),
    [
        (
            lambda a: a.list_record_values("deals", "r1", "stage", show_historic=True, limit=100, offset=200),
            "/v2/objects/deals/records/r1/attributes/stage/values",
        ),
        (
            lambda a: a.list_entry_values("pipe", "e1", "stage", show_historic=True, limit=100, offset=200),
            "/v2/lists/pipe/entries/e1/attributes/stage/values",
        ),
    ],
    ids=["record", "entry"],
)
async def test_historic_values_request_and_result(
    make_client: Callable[..., AttioClient], call: Callable[[AttioClient], object], path: str
) -> None:
    rec = Recorder(
        [_values(VALUE, "not a value", {**VALUE, "active_until": "2026-09-02T10:00:00.000000000Z"})]
    )
    async with make_client(rec, reads_per_second=10, writes_per_second=10) as attio:
        rows = await call(attio)  # type: ignore[misc]
        reads_left = attio._core.reads.available()
    request = rec.requests[0]
    assert (request.method, request.url.path) == ("GET", path)
    assert dict(request.url.params) == {"show_historic": "true", "limit": "100", "offset": "200"}
    assert reads_left == BURST - 1  # a read
    assert rows == [VALUE, {**VALUE, "active_until": "2026-09-02T10:00:00.000000000Z"}]  # non-objects dropped


async def test_current_values_send_no_flags(make_client: Callable[..., AttioClient]) -> None:
    rec = Recorder([_values(VALUE)])
    async with make_client(rec) as attio:
        assert await attio.list_record_values("deals", "r1", "stage") == [VALUE]
    assert dict(rec.requests[0].url.params) == {}


async def test_values_are_retried_after_a_5xx(make_client: Callable[..., AttioClient]) -> None:
    rec = Recorder([attio_error(503, "unavailable"), _values(VALUE)])
    async with make_client(rec) as attio:
        assert await attio.list_entry_values("pipe", "e1", "stage", show_historic=True) == [VALUE]
    assert rec.count == 2
    rec = Recorder([attio_error(500, "boom")])
    async with make_client(rec, max_attempts=2) as attio:
        with pytest.raises(ServerError):
            await attio.list_record_values("deals", "r1", "stage")
    assert rec.count == 2


async def test_path_segments_are_encoded(make_client: Callable[..., AttioClient]) -> None:
    rec = Recorder([_values()])
    async with make_client(rec) as attio:
        await attio.list_record_values("deals", "../x", "a/b")
    assert rec.requests[0].url.raw_path.decode() == "/v2/objects/deals/records/..%2Fx/attributes/a%2Fb/values"
