"""Score-based rate limits of the records/entries query endpoints: the scorer, the per-query cap, the window."""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from attio_mcp.sandbox import QueryScoreConfig, RateLimitConfig, ScoreWeights, create_app
from attio_mcp.sandbox._errors import SandboxError
from attio_mcp.sandbox._scoring import SCORE_HEADER, QueryBudget, score_query
from tests.clocks import FakeClock

from ._support import error

pytestmark = pytest.mark.anyio

BRANCH = {
    "path": [["deals", "company"], ["companies", "team"], ["people", "name"]],
    "constraints": {"first_name": {"$eq": "Ada"}},
}


@pytest.mark.parametrize(
    ("filter_", "sorts", "limit", "rows", "expected"),
    [
        (None, None, 500, 35, 1 + 5),  # base + 5 points for a page of 500
        (None, None, 1, 35, 1 + 1),
        ({"name": "Acme"}, None, 50, 40, 2 + 1),
        ({"name": {"$starts_with": "A", "$ends_with": "e"}}, None, 100, 40, 3 + 1),
        (
            {"name": {"value": {"$contains": "a"}}, "domains": {"root_domain": "acme.com"}},
            None,
            100,
            40,
            3 + 1,
        ),
        ({"record_id": {"$in": [f"id-{i}" for i in range(25)]}}, None, 100, 40, 1 + 1 + 3 + 1),
        ({"$or": [{"name": "a"}, {"name": "b"}]}, None, 100, 40, 1 + 2 + 2 + 1),
        ({"$not": {"name": "a"}}, None, 100, 40, 1 + 1 + 1 + 1),
        (BRANCH, None, 100, 35, 1 + 6 + 1 + 1),  # two hops at 3 points, one constraint
        ({"$or": [BRANCH] * 20}, None, 500, 35, 166),
        (None, [{"attribute": "name", "direction": "asc"}], 100, 35, 1 + 2 + 1),
        (None, [{"path": BRANCH["path"], "direction": "asc"}], 100, 35, 1 + 2 + 6 + 1),
        ({"name": "Acme"}, [{"attribute": "name", "direction": "asc"}], 500, 10_000, 2 * (2 + 2) + 5),
    ],
)
def test_score_model(filter_: Any, sorts: Any, limit: int, rows: int, expected: int) -> None:
    assert score_query(filter_, sorts, limit, rows) == expected


def test_weights_are_configurable() -> None:
    weights = ScoreWeights(base=0, condition=10, rows_per_point=1000)
    assert score_query({"name": "a", "domains": "b"}, None, 500, 0, weights) == 20 + 1
    with pytest.raises(ValueError):
        ScoreWeights(rows_per_point=0)
    with pytest.raises(ValueError):
        QueryScoreConfig(per_query_limit=0)


async def _client(app: Starlette) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://sandbox",
        headers={"Authorization": "Bearer x"},
    )


async def test_default_app_caps_a_single_query_and_reports_scores() -> None:
    """No rate limiting asked for: the per-query cap still holds (a retry can never succeed)."""
    async with await _client(create_app()) as client:
        fine = await client.post(
            "/v2/objects/deals/records/query", json={"filter": {"name": "x"}, "limit": 50}
        )
        assert fine.status_code == 200 and fine.headers[SCORE_HEADER] == "3"
        huge = {"filter": {"$or": [BRANCH] * 40}}
        for _ in range(2):
            resp = await client.post("/v2/objects/deals/records/query", json=huge)
            body = error(resp, 429, "rate_limit_exceeded")
            assert body["type"] == "rate_limit_error"
            assert body["message"].startswith(
                "Query too complex: its score of 327 exceeds the per-query limit"
            )
            assert parsedate_to_datetime(resp.headers["Retry-After"]).tzinfo is not None
        entries = await client.post("/v2/lists/active_deals/entries/query", json={"limit": 10})
        assert entries.status_code == 200 and entries.headers[SCORE_HEADER] == "2"


async def test_invalid_filters_are_400_before_any_score() -> None:
    app = create_app(query_scores=QueryScoreConfig(per_query_limit=1, window_limit=None))
    async with await _client(app) as client:
        resp = await client.post("/v2/objects/deals/records/query", json={"filter": {"nope": 1}})
        error(resp, 400, "unknown_filter_attribute_slug")
        resp = await client.post("/v2/objects/deals/records/query", json={"sorts": [{"attribute": "x"}]})
        error(resp, 400, "filter_error")
        error(await client.post("/v2/objects/deals/records/query", json={}), 429, "rate_limit_exceeded")


async def test_window_sums_scores_across_tokens_and_endpoints() -> None:
    limits = QueryScoreConfig(per_query_limit=50, window_limit=20)
    app = create_app(rate_limit=RateLimitConfig(query_scores=limits))
    async with await _client(app) as client:
        other = {"Authorization": "Bearer another-token"}
        assert (await client.post("/v2/objects/deals/records/query", json={})).status_code == 200  # 6
        assert (
            await client.post("/v2/lists/active_deals/entries/query", json={}, headers=other)
        ).status_code == 200
        assert (await client.post("/v2/objects/people/records/query", json={})).status_code == 200  # 18 used
        resp = await client.post("/v2/objects/companies/records/query", json={}, headers=other)
        assert (
            error(resp, 429, "rate_limit_exceeded")["message"]
            == "Rate limit exceeded, please try again later"
        )
        retry_at = parsedate_to_datetime(resp.headers["Retry-After"]).timestamp()
        assert time.time() < retry_at <= time.time() + 11  # when the first query leaves the window
        small = await client.post("/v2/objects/companies/records/query", json={"limit": 1})  # 2 more fits
        assert small.status_code == 200
        # plain reads still count against the request limiter only, never the score window
        assert (await client.get("/v2/objects/companies")).status_code == 200


async def test_scores_off() -> None:
    async with await _client(create_app(query_scores=None)) as client:
        resp = await client.post("/v2/objects/deals/records/query", json={"filter": {"$or": [BRANCH] * 40}})
        assert resp.status_code == 200 and SCORE_HEADER not in resp.headers


def test_rate_limit_config_carries_window_defaults() -> None:
    config = RateLimitConfig()
    assert config.query_scores == QueryScoreConfig()
    assert (config.query_scores.window_seconds, config.query_scores.window_limit) == (10.0, 2500.0)
    assert RateLimitConfig(query_scores=None).query_scores is None


def _retry_at(exc: SandboxError) -> float:
    assert exc.headers is not None
    return parsedate_to_datetime(exc.headers["Retry-After"]).timestamp()


def test_sliding_window_and_retry_after() -> None:
    clock, wall = FakeClock(), FakeClock()
    wall.now = 1_700_000_000.0
    budget = QueryBudget(QueryScoreConfig(per_query_limit=10, window_limit=20), clock=clock, wall_clock=wall)
    budget.charge(8)
    clock.now += 4
    budget.charge(8)
    clock.now += 1
    with pytest.raises(SandboxError) as info:
        budget.charge(8)  # 24 > 20: fits once the first 8 leaves the window, 5 s from now
    assert info.value.status == 429 and info.value.body()["code"] == "rate_limit_exceeded"
    assert _retry_at(info.value) == wall.now + 5
    budget.charge(4)  # a refused query was not counted: 8 + 8 + 4 = 20 fits exactly
    clock.now += 5  # the first query leaves the window (sliding, not fixed)
    budget.charge(8)
    with pytest.raises(SandboxError) as info:
        budget.charge(11)  # over the per-query cap: no window arithmetic, next second
    assert "Query too complex" in info.value.message and _retry_at(info.value) == wall.now + 1


def test_a_query_larger_than_the_window_is_too_complex() -> None:
    budget = QueryBudget(
        QueryScoreConfig(per_query_limit=None, window_limit=5), clock=FakeClock(), wall_clock=FakeClock()
    )
    with pytest.raises(SandboxError) as info:
        budget.charge(6)
    assert "Query too complex" in info.value.message
