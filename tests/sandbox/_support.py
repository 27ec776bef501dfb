"""Small helpers shared by the sandbox tests."""

from __future__ import annotations

import re
from typing import Any

import httpx

TS_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}000000Z$")
COMMON_KEYS = {"active_from", "active_until", "created_by_actor", "attribute_type"}


def data(resp: httpx.Response) -> Any:
    """The ``data`` of a 200 response (fails loudly with the body otherwise)."""
    assert resp.status_code == 200, resp.text
    return resp.json()["data"]


def error(resp: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """Assert an Attio-shaped error and return its body."""
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert body["status_code"] == status
    assert body["code"] == code, body
    assert {"status_code", "type", "code", "message"} <= set(body)
    return body


async def records(client: httpx.AsyncClient, obj: str, **query: Any) -> list[dict[str, Any]]:
    return data(await client.post(f"/v2/objects/{obj}/records/query", json=query))


async def find(client: httpx.AsyncClient, obj: str, slug: str, value: Any) -> dict[str, Any]:
    """The first seeded record whose ``slug`` has a current value rendering to ``value``."""
    for record in await records(client, obj):
        for v in record["values"][slug]:
            if value in (v.get("value"), v.get("domain"), v.get("email_address"), v.get("full_name")):
                return record
    raise AssertionError(f"no {obj} with {slug} = {value!r}")


async def create(client: httpx.AsyncClient, obj: str, values: dict[str, Any]) -> dict[str, Any]:
    return data(await client.post(f"/v2/objects/{obj}/records", json={"data": {"values": values}}))


def rid(record: dict[str, Any]) -> str:
    return record["id"]["record_id"]


def core(value: dict[str, Any]) -> dict[str, Any]:
    """A value without its common keys."""
    return {k: v for k, v in value.items() if k not in COMMON_KEYS}
