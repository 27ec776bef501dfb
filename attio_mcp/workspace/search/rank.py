"""Ranking: the query as FTS5 sees it, the fusion of the lexical and dense rankings, and snippets.

The user's words never reach FTS5 as syntax: ``fts_query`` keeps only word tokens, quotes each one (so
``AND``, ``NEAR``, ``*``, ``:``, ``^`` and parentheses are plain words or dropped) and ORs them, so an item
matching some of the words still ranks, BM25 putting the items with more and rarer words first. Very common
English words are left out when the query has other words, and the last word also matches as a prefix
(a query typed as you go). A query of 2 to 8 words is also ORed in as one quoted phrase (its words in order,
common words included), so an item holding the words as written beats one holding them scattered; on the
labelled demo set this changes no recall or MRR figure (those queries are not quotes), it is there for the
user who pastes a phrase they remember.

Hybrid search uses weighted reciprocal rank fusion: an item at rank ``r`` (1-based) of a list of weight
``w`` scores ``w / (RRF_K + r)``, and its scores from the two lists add up. Ranks, not raw scores, are
fused because BM25 and cosine live on unrelated scales (BM25 grows with the query's length and the
corpus's statistics). RRF_K damps the difference between neighbouring ranks: the classic 60 makes rank 1
and rank 10 nearly equal, a small K trusts the head of each list more. An item found by both lists beats an
item at the same rank of only one, and an item found by only the dense list (a paraphrase sharing no word
with the query) still ranks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = [
    "CANDIDATES",
    "DENSE_WEIGHT",
    "LEXICAL_WEIGHT",
    "MAX_TERMS",
    "RRF_K",
    "SNIPPET_CHARS",
    "best_chunks",
    "candidate_depth",
    "fts_query",
    "fuse",
    "query_terms",
    "snippet",
]

# Tuned on benchmarks/search_eval.py (60 labelled queries over the demo workspace, WordLlama 256-d): hybrid
# recall@5 was 0.786 / 0.781 / 0.764 / 0.725 at K = 1 / 10 / 20 / 60 with equal weights, and weighting the
# dense list 1.5-3x lost 1-2 queries at every K. The differences are one or two queries: K = 10 sits in the
# flat good region without trusting rank 1 alone.
RRF_K = 10.0
LEXICAL_WEIGHT = 1.0
DENSE_WEIGHT = 1.0
CANDIDATES = 50  # each list contributes at least this many items to the fusion (more for a large limit)


def candidate_depth(limit: int) -> int:
    """How deep each ranked list is read before fusing, for a result of ``limit`` items."""
    return max(CANDIDATES, 3 * limit)


def fuse(
    rankings: Sequence[Sequence[str]],
    weights: Sequence[float] | None = None,
    k: float = RRF_K,
) -> list[tuple[str, float]]:
    """Items of several best-first rankings, ordered by their summed ``weight / (k + rank)``.

    Ties keep the order in which items were first met (the first ranking read first), so the result is
    deterministic.
    """
    weights = list(weights) if weights is not None else [1.0] * len(rankings)
    if len(weights) != len(rankings):
        raise ValueError("one weight per ranking")
    scores: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    order = {item: i for i, item in enumerate(scores)}
    return sorted(scores.items(), key=lambda pair: (-pair[1], order[pair[0]]))


MAX_TERMS = 32  # words of a query that are searched; the rest is ignored
PHRASE_WORDS = (2, 8)  # a query of this many words also matches as one phrase
SNIPPET_CHARS = 300

_WORD = re.compile(r"[^\W_]+")
_STOPWORDS = frozenset(
    """a an and are as at be but by did do does for from had has have he her his how i in is it its me my
    of on or our she so that the their them they this to was we were what when where which who why will
    with you your""".split()
)


def query_terms(query: str) -> list[str]:
    """The query's words, lowercased, each once, in order; common words dropped unless nothing else is left."""
    words = list(dict.fromkeys(w.lower() for w in _WORD.findall(query)))[:MAX_TERMS]
    content = [w for w in words if w not in _STOPWORDS]
    return content or words


def best_chunks(*rankings: list[tuple[str, int, float]]) -> dict[str, int]:
    """Each item's chunk from the ranking that places the item highest (the first ranking on a tie)."""
    best: dict[str, tuple[int, int]] = {}
    for ranking in rankings:
        for position, (doc_id, chunk_id, _) in enumerate(ranking):
            if doc_id not in best or position < best[doc_id][0]:
                best[doc_id] = (position, chunk_id)
    return {doc_id: chunk for doc_id, (_, chunk) in best.items()}


def fts_query(query: str) -> str | None:
    """An FTS5 MATCH expression for ``query`` that cannot carry FTS5 syntax, or None when it has no words."""
    terms = query_terms(query)
    if not terms:
        return None
    parts = [f'"{t}"' for t in terms]
    last = terms[-1]
    if len(last) >= 3 and query.rstrip() == query and query.lower().endswith(last):
        parts.append(f'"{last}"*')
    words = [w.lower() for w in _WORD.findall(query)]
    if PHRASE_WORDS[0] <= len(words) <= PHRASE_WORDS[1]:
        parts.append('"' + " ".join(words) + '"')  # the words in their order, common words included
    return " OR ".join(parts)


def snippet(text: str, terms: Sequence[str], width: int = SNIPPET_CHARS) -> str:
    """``text`` trimmed to about ``width`` characters on word boundaries, around the first query word in it
    (a word of five letters or more matches on its stem-like head, so ``pricing`` finds ``price``)."""
    text = " ".join(text.split()) if len(text) > width else text
    if len(text) <= width:
        return text
    stems = sorted({t if len(t) < 5 else t[: max(4, len(t) - 3)] for t in terms if t}, key=len, reverse=True)
    found = (
        re.search(r"\b(?:" + "|".join(map(re.escape, stems)) + ")", text, re.IGNORECASE) if stems else None
    )
    start = max(0, found.start() - width // 3) if found else 0
    start = min(start, max(0, len(text) - width))
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 40 else start
    end = start + width
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start + width // 2 else end
    body = text[start:end].strip()
    return ("…" if start else "") + body + ("…" if end < len(text) else "")
