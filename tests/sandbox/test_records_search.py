"""Sandbox records search (POST /v2/objects/records/search): fuzzy as Attio documents it, no more lenient."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from ._support import data

pytestmark = pytest.mark.anyio


async def _texts(
    client: httpx.AsyncClient, query: str, objects: list[str] | None = None, **extra: Any
) -> list[str]:
    body = {
        "query": query,
        "objects": objects or ["companies", "people", "deals"],
        "request_as": {"type": "workspace"},
    }
    found = data(await client.post("/v2/objects/records/search", json={**body, **extra}))
    return [r["record_text"] for r in found]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Globx", "Globex Corporation"),  # a letter left out
        ("Globex Corpration", "Globex Corporation"),
        ("Init", "Initech"),  # a prefix
        ("jmes carter", "James Carter"),  # a typo in each of the name's words
        ("james catrer", "James Carter"),  # two neighbours swapped
        ("Soylant", "Soylent Foods"),  # one letter wrong
    ],
)
async def test_one_typo_per_word_still_finds_the_record(
    client: httpx.AsyncClient, query: str, expected: str
) -> None:
    assert (await _texts(client, query))[0] == expected


@pytest.mark.parametrize("query", ["Glbx", "Acme Incc", "Xyzzy Corp", "Soylnat"])
async def test_two_edits_or_a_typo_in_a_short_word_find_nothing(
    client: httpx.AsyncClient, query: str
) -> None:
    assert await _texts(client, query) == []


async def test_a_name_with_a_typo_ranks_before_a_record_whose_email_has_it(client: httpx.AsyncClient) -> None:
    found = await _texts(client, "Globx", ["people", "companies"])
    assert (
        found[0] == "Globex Corporation" and len(found) > 1
    )  # the people come from their @globex.com emails


async def test_exact_matches_rank_before_typos_and_the_limit_holds(client: httpx.AsyncClient) -> None:
    assert (await _texts(client, "acme"))[0] == "Acme Inc"
    assert len(await _texts(client, "", limit=25)) == 25
    assert len(await _texts(client, "tech", limit=2)) == 2
