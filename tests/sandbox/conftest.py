"""Fixtures for the sandbox tests: a fresh seeded app and an authorised httpx client per test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette

from attio_mcp.sandbox import create_app
from tests.contract.openapi import assert_contract_kept, contract_transport


@pytest.fixture
def app() -> Starlette:
    return create_app()


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """With ATTIO_OPENAPI_SPEC set, every sandbox response is validated against Attio's spec (requests here
    are test inputs, some deliberately malformed, so only responses are held to the contract)."""
    inner: httpx.AsyncBaseTransport = httpx.ASGITransport(app=app)
    contract = contract_transport(inner)
    async with httpx.AsyncClient(
        transport=contract or inner, base_url="http://sandbox", headers={"Authorization": "Bearer x"}
    ) as c:
        yield c
    if contract is not None:
        assert_contract_kept(contract, requests=False)
