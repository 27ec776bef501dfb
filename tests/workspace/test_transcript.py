"""The transcript reader over a scripted Attio: turns, budgets, cursors across upstream pages, queries."""

from __future__ import annotations

from typing import Any

import pytest

from attio_mcp.attio import Transcript
from attio_mcp.workspace import WorkspaceError
from attio_mcp.workspace.transcript import Position, decode_position, read_transcript

pytestmark = pytest.mark.anyio


class Upstream:
    """Attio's transcript endpoint over ``words`` [(speaker, word)], ``size`` segments a page."""

    def __init__(self, words: list[tuple[str, str]], size: int) -> None:
        self.words, self.size = words, size
        self.asked: list[str | None] = []

    async def __call__(self, cursor: str | None) -> Transcript:
        self.asked.append(cursor)
        start = int(cursor[1:]) if cursor else 0
        part = self.words[start : start + self.size]
        segs: list[dict[str, Any]] = [
            {"speech": w, "start_time": float(start + i), "end_time": start + i + 0.5, "speaker": {"name": s}}
            for i, (s, w) in enumerate(part)
        ]
        more = start + self.size < len(self.words)
        return Transcript(
            transcript=segs, web_url="https://x", next_cursor=f"c{start + self.size}" if more else None
        )


def _call(turns: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(speaker, word) for speaker, text in turns for word in text.split()]


async def _read_all(fetch: Upstream, budget: int, query: str | None = None) -> tuple[list[Any], int]:
    out: list[Any] = []
    pos, slices = Position(), 0
    while True:
        part = await read_transcript(fetch, pos, budget=budget, query=query)
        out += part.turns
        slices += 1
        if part.next is None:
            return out, slices
        pos = decode_position(part.next.encode())


async def test_turns_merge_words_and_continue_across_upstream_pages() -> None:
    call = [("Ana", "hello there everyone"), ("Bo", "hi Ana"), ("Ana", "shall we start with pricing today")]
    fetch = Upstream(_call(call), size=4)  # pages split both turns
    part = await read_transcript(fetch, Position())
    assert part.turns == [
        ("Ana", 0, "hello there everyone"),
        ("Bo", 3, "hi Ana"),
        ("Ana", 5, "shall we start with pricing today"),
    ]
    assert part.next is None and part.web_url == "https://x" and fetch.asked == [None, "c4", "c8"]


async def test_a_small_budget_pages_at_turn_boundaries_and_resumes_exactly() -> None:
    call = [(f"S{i % 3}", f"turn {i} says a few words here") for i in range(30)]
    fetch = Upstream(_call(call), size=7)
    turns, slices = await _read_all(fetch, budget=90)
    assert [(s, t) for s, _, t in turns] == call
    assert slices >= 8
    first = await read_transcript(Upstream(_call(call), size=7), Position(), budget=90)
    assert sum(len(t) for _, _, t in first.turns) <= 90 and first.next is not None
    # resuming needs no earlier page: the cursor names the upstream page where the next turn starts
    again = Upstream(_call(call), size=7)
    await read_transcript(again, first.next, budget=90)
    assert again.asked[0] == first.next.cursor


async def test_one_turn_longer_than_the_budget_is_split_and_nothing_is_lost() -> None:
    long_turn = " ".join(f"w{i}" for i in range(200))
    call = [("Ana", "short"), ("Bo", long_turn), ("Ana", "bye")]
    turns, _ = await _read_all(Upstream(_call(call), size=50), budget=100)
    assert [s for s, _, _ in turns][:2] == ["Ana", "Bo"] and turns[-1] == ("Ana", 201, "bye")
    bo = [t for s, _, t in turns if s == "Bo"]
    assert len(bo) > 1 and all(len(t) <= 100 for t in bo)
    assert " ".join(bo) == long_turn


async def test_a_query_keeps_only_turns_with_every_term_as_short_passages() -> None:
    filler = " ".join(["blah"] * 80)
    call = [
        ("Ana", "We should talk about pricing."),
        ("Bo", f"{filler}. The pricing for sixty seats is fine. {filler}."),
        ("Ana", "Pricing aside, security matters."),
        ("Bo", "No match here."),
    ]
    found = await read_transcript(Upstream(_call(call), size=9), Position(), query="PRICING")
    assert [s for s, _, _ in found.turns] == ["Ana", "Bo", "Ana"]
    assert found.turns[1][2] == "The pricing for sixty seats is fine."  # the sentence, not the whole turn
    both = await read_transcript(Upstream(_call(call), size=9), Position(), query="pricing security")
    assert both.turns == [("Ana", found.turns[2][1], "Pricing aside, security matters.")]
    paged, slices = await _read_all(Upstream(_call(call * 20), size=9), budget=120, query="pricing")
    assert len(paged) == 60 and slices > 1


def test_cursors_round_trip_and_garbage_is_a_validation_error() -> None:
    assert decode_position(Position("abc.def", 17).encode()) == Position("abc.def", 17)
    assert decode_position(None) == Position()
    for bad in ("%%%", "e30", Position("x", 1).encode()[:-3] + "!!"):
        with pytest.raises(WorkspaceError) as caught:
            decode_position(bad)
        assert caught.value.code == "VALIDATION_ERROR" and caught.value.field == "cursor"
