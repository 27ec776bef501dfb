"""The search benchmark's labelled set (benchmarks/search_eval_queries.json) is well formed against the demo
workspace: enough queries in every category, and every label names exactly one item of a seeded sandbox."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

from attio_mcp.sandbox import create_app

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import search_eval  # noqa: E402


@pytest.fixture(scope="module")
def items() -> list[search_eval.Item]:
    return search_eval.demo_items(create_app().state.sandbox)


@pytest.fixture(scope="module")
def queries() -> list[search_eval.Query]:
    return search_eval.load_queries()


def test_at_least_forty_queries_with_unique_ids_and_text(queries: list[search_eval.Query]) -> None:
    assert len(queries) >= 40
    assert len({q.id for q in queries}) == len(queries)
    assert len({q.text.lower() for q in queries}) == len(queries)
    assert all(q.text.strip() and q.why.strip() for q in queries)


def test_every_category_is_present_and_known(queries: list[search_eval.Query]) -> None:
    counts = Counter(q.category for q in queries)
    assert set(counts) == set(search_eval.CATEGORIES)
    assert all(n >= 10 for n in counts.values()), counts


def test_relevant_sets_are_small_and_mix_every_kind(queries: list[search_eval.Query]) -> None:
    assert all(1 <= len(q.labels) <= 3 for q in queries)
    kinds = Counter(label["kind"] for q in queries for label in q.labels)
    assert set(kinds) == set(search_eval.LABEL_KINDS), kinds


def test_every_label_names_exactly_one_demo_item(
    queries: list[search_eval.Query], items: list[search_eval.Item]
) -> None:
    for q in queries:
        for label in q.labels:
            found = search_eval.matches(label, items)
            assert len(found) == 1, f"{q.id}: {label} names {found}"
            assert found[0].startswith(f"{label['kind']}:")


def test_resolved_ids_have_the_search_id_shapes(
    queries: list[search_eval.Query], items: list[search_eval.Item]
) -> None:
    relevant = search_eval.resolve(queries, items)
    assert set(relevant) == {q.id for q in queries}
    for q in queries:
        assert len(relevant[q.id]) == len(q.labels), q.id  # no two labels of a query name the same item
        for doc_id in relevant[q.id]:
            kind, _, rest = doc_id.partition(":")
            assert rest.count(":") == (1 if kind == "transcript" else 0), doc_id


def test_a_label_naming_several_items_or_none_is_refused(items: list[search_eval.Item]) -> None:
    vague = search_eval.Query("x", "exact", "Acme", ({"kind": "comment", "contains": "Acme"},))
    absent = search_eval.Query("y", "exact", "nothing", ({"kind": "note", "title": "No such note"},))
    for query in (vague, absent):
        with pytest.raises(ValueError, match="expected exactly one"):
            search_eval.resolve([query], items)


def test_metrics_count_recall_against_the_smaller_of_the_set_and_five() -> None:
    ranked = ["a", "b", "c", "d", "e", "f"]
    assert search_eval.recall_at(ranked, {"b", "z"}) == 0.5
    assert search_eval.recall_at(ranked, {"f"}) == 0.0
    assert search_eval.reciprocal_rank(ranked, {"c", "f"}) == pytest.approx(1 / 3)
    assert search_eval.reciprocal_rank(ranked, {"z"}) == 0.0


@pytest.mark.anyio
async def test_the_benchmark_builds_the_index_through_the_sync_and_scores_queries() -> None:
    """The script's own pipeline (sandbox -> sync -> index -> every mode) runs, and exact names find their item."""
    built = await search_eval.build(search_eval.wordllama_embedder())
    assert {doc.kind for doc in built.docs} == set(search_eval.LABEL_KINDS)
    queries = [q for q in search_eval.load_queries() if q.text in ("Hooli", "Wyatt Evans", "Detroit plant")]
    relevant = search_eval.resolve(queries, built.items)
    assert set().union(*relevant.values()) <= {doc.id for doc in built.docs}  # labelled items are indexed
    for mode in search_eval.MODES:
        result = search_eval.run_mode(built.index, queries, relevant, mode)
        assert set(result.recall) == {q.id for q in queries}
    lexical = search_eval.run_mode(built.index, queries, relevant, "lexical")
    assert all(lexical.rr[q.id] == 1.0 for q in queries), lexical.ranked
