"""Fixtures for OpenAPI contract tests: the parsed spec and a sandbox client that validates all traffic."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.contract.openapi import ContractTransport, OpenAPIChecker, assert_contract_kept

SPEC_ENV = "ATTIO_OPENAPI_SPEC"
TOKEN = "sandbox-demo-token"


@pytest.fixture(scope="session")
def openapi_checker() -> OpenAPIChecker:
    """Attio's OpenAPI spec from ``$ATTIO_OPENAPI_SPEC``; every contract test skips when it is unset."""
    path = os.environ.get(SPEC_ENV)
    if not path:
        pytest.skip(f"{SPEC_ENV} not set")
    return OpenAPIChecker.load(path)


@pytest.fixture
def sandbox_app(openapi_checker: OpenAPIChecker) -> Any:
    """A fresh seeded sandbox app (imported lazily: the sandbox is built separately)."""
    from attio_mcp.sandbox import create_app

    return create_app()


@pytest.fixture
async def contract_client(
    sandbox_app: Any, openapi_checker: OpenAPIChecker
) -> AsyncIterator[httpx.AsyncClient]:
    """An AsyncClient over the sandbox; the test fails at teardown if any request or response broke the spec
    (a 400 with one of the real-world codes of ``REAL_WORLD_ERROR_CODES`` is Attio's answer, not a violation).

    ``client.contract`` is the ``ContractTransport`` (its ``violations`` list is inspectable mid-test).
    """
    transport = ContractTransport(httpx.ASGITransport(app=sandbox_app), openapi_checker)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox", headers=headers) as client:
        client.contract = transport  # type: ignore[attr-defined]
        yield client
    assert_contract_kept(transport)
