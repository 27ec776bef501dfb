"""Benchmark: the local search index (#18) at 10,000 chunks: build time, query latency, memory, size, cold start.

A seeded generator writes CRM-like notes, comments, tasks and call transcripts (companies, people, topics,
numbers and dates from word lists) until they cut into at least ``--chunks`` chunks. Then:

- build: ``SearchIndex(file, embedder=default_embedder)`` and ``upsert`` in batches of 500 items, as a first
  sync would (model load, chunking, FTS5, embedding, float16 vectors, one transaction per batch); a
  lexical-only build of the same items is timed too, to show what the embedding costs;
- re-upsert of the same items (nothing changed: nothing is embedded), then one changed item and the next
  search that finds it;
- warm query latency, p50 and p95 over ``--queries`` queries per mode (lexical, dense, hybrid), 2-5 words
  each from the same word lists, limit 10, after one warm-up query per mode;
- memory: peak RSS (``resource.getrusage``) and current RSS (``/proc/self/statm``) once the corpus is
  generated (the baseline), after the lexical-only build, and after the hybrid build and all queries
  (model, tokenizer, numpy and the in-memory matrix loaded);
- the index file's size (with its WAL);
- cold start: the median of 5 fresh interpreters importing ``attio_mcp.server.app``, and which of numpy,
  wordllama, tokenizers and safetensors such an import loads (none should).

Prints figures, asserts nothing. Goals from the issue: build <= 60 s, p50 <= 50 ms. Rerun with:

    .venv/bin/python benchmarks/search_perf.py [--chunks 10000] [--queries 200] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, machine

sys.path.insert(0, str(ROOT))

from attio_mcp.workspace.search.chunks import chunk_doc  # noqa: E402
from attio_mcp.workspace.search.embed import MODEL_NAME, default_embedder  # noqa: E402
from attio_mcp.workspace.search.index import SearchIndex  # noqa: E402
from attio_mcp.workspace.search.model import Doc, RecordRef, Turn  # noqa: E402

BATCH = 500
HEAVY = ("numpy", "wordllama", "tokenizers", "safetensors")

FIRST = (
    "Dana Sam Priya Lukas Mei Omar Elena Jonas Aisha Tom Ines Marco Sofia Kenji Lea Pablo Nora Ravi".split()
)
LAST = (
    "Smith Lee Patel Weber Chen Haddad Rossi Berg Okafor Brown Silva Costa Novak Tanaka Moreau Diaz".split()
)
SYLLABLES = "ac me glo bex ini tech nova lum ora vex qui zen tri hal cor pix sol byte flux dyn".split()
SUFFIX = ["", " Labs", " GmbH", " Inc", " Systems", " Health", " Capital", " Logistics", " AI", " Foods"]
TOPICS = [
    "pricing for the enterprise plan",
    "the renewal timeline",
    "a SOC 2 Type II report",
    "data residency in the EU",
    "single sign-on with Okta",
    "the Salesforce integration",
    "seat-based licensing",
    "a pilot with the ops team",
    "the security questionnaire",
    "volume discounts",
    "the onboarding plan",
    "API rate limits",
    "the DPA and GDPR terms",
    "a multi-year commitment",
    "budget approval from finance",
    "the procurement process",
    "uptime and the SLA",
    "migrating from their spreadsheet",
    "reporting dashboards",
    "the mobile app roadmap",
    "payment terms of net 60",
    "a reference call with a customer",
    "the legal redlines",
    "hiring plans for their sales team",
]
VERBS = [
    "asked about",
    "raised concerns about",
    "wants to move ahead with",
    "is blocked on",
    "needs more detail on",
    "pushed back on",
    "was excited about",
    "will check internally about",
    "requested a follow-up on",
    "compared us with a competitor on",
    "has no budget yet for",
    "agreed in principle to",
]
FILLER = [
    "The meeting ran long.",
    "Next step is a call next week.",
    "They will loop in their CTO.",
    "Overall sentiment was positive.",
    "We should send a recap by Friday.",
    "No decision yet.",
    "They mentioned two other vendors.",
    "Timeline slipped by a month.",
    "The champion is leaving in Q3.",
    "Legal needs two weeks.",
    "The team has 40 people today and plans to double.",
    "Budget is set in January.",
]
ROLES = ["CFO", "CTO", "head of sales", "VP operations", "procurement lead", "security officer", "founder"]


def person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def company(rng: random.Random) -> str:
    name = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
    return name + rng.choice(SUFFIX)


def sentence(rng: random.Random, who: str, org: str) -> str:
    roll = rng.random()
    if roll < 0.55:
        return f"{who} from {org} {rng.choice(VERBS)} {rng.choice(TOPICS)}."
    if roll < 0.8:
        return f"Their {rng.choice(ROLES)} {rng.choice(VERBS)} {rng.choice(TOPICS)} and {rng.choice(TOPICS)}."
    return rng.choice(FILLER)


def corpus(target_chunks: int, seed: int) -> list[Doc]:
    rng = random.Random(seed)
    orgs = [company(rng) for _ in range(300)]
    docs: list[Doc] = []
    chunks = 0
    n = 0
    while chunks < target_chunks:
        n += 1
        org = rng.choice(orgs)
        record = RecordRef("companies", f"rec-{orgs.index(org)}", org)
        day = f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}T{rng.randint(8, 18):02d}:00:00Z"
        kind = rng.choices(["note", "transcript", "comment", "task"], [5, 2, 3, 2])[0]
        who = person(rng)
        if kind == "transcript":
            speakers = [who, person(rng), person(rng)]
            turns = tuple(
                Turn(rng.choice(speakers), 15.0 * i, " ".join(sentence(rng, rng.choice(speakers), org) for _ in range(rng.randint(1, 4))))
                for i in range(rng.randint(10, 40))
            )  # fmt: skip
            doc = Doc(
                id=f"transcript:m{n}:c{n}", kind="transcript", title=f"{org} call", text="\n".join(t.text for t in turns),
                version="1", time=day, record=record, context=f"{org} · " + ", ".join(speakers), turns=turns,
            )  # fmt: skip
        else:
            size = {"note": (3, 30), "comment": (1, 4), "task": (1, 2)}[kind]
            paragraphs = [
                " ".join(sentence(rng, who, org) for _ in range(rng.randint(2, 6)))
                for _ in range(max(1, rng.randint(*size) // 4))
            ]
            text = "\n\n".join(paragraphs)
            title = {
                "note": f"Notes: {org}",
                "comment": f"Comment on {org}",
                "task": f"Follow up with {org}",
            }[kind]
            doc = Doc(
                id=f"{kind}:{n}",
                kind=kind,  # type: ignore[arg-type]
                title=title,
                text=text,
                version="1",
                time=day,
                record=record,
                context=org,
            )
        docs.append(doc)
        chunks += len(chunk_doc(doc))
    return docs


def queries(count: int, seed: int) -> list[str]:
    rng = random.Random(seed + 1)
    words = " ".join(TOPICS + VERBS + FILLER + ROLES).replace(".", "").split() + FIRST + LAST
    paraphrases = [
        "too expensive",
        "compliance audit",
        "who is the decision maker",
        "contract length",
        "login with SSO",
    ]
    out = []
    for i in range(count):
        out.append(rng.choice(paraphrases) if i % 5 == 0 else " ".join(rng.sample(words, rng.randint(2, 5))))
    return out


def rss_mb() -> tuple[float, float]:
    """(peak RSS, current RSS) in MB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (
        1024 if sys.platform != "darwin" else 1024 * 1024
    )
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        current = pages * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024
    except OSError:
        current = float("nan")
    return peak, current


def build(path: Path, docs: list[Doc], dense: bool) -> tuple[float, SearchIndex, int]:
    started = time.perf_counter()
    index = SearchIndex(path, embedder=default_embedder if dense else None)
    embedded = 0
    for i in range(0, len(docs), BATCH):
        embedded += index.upsert(docs[i : i + BATCH]).chunks_embedded
    return time.perf_counter() - started, index, embedded


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return f"p50 {statistics.median(ordered) * 1000:6.2f} ms   p95 {p95 * 1000:6.2f} ms   max {ordered[-1] * 1000:6.2f} ms"


def cold_start(runs: int = 5) -> tuple[list[float], list[str]]:
    code = (
        "import sys, time, json; t = time.perf_counter(); import attio_mcp.server.app; "
        f"print(json.dumps([time.perf_counter() - t, [m for m in {HEAVY!r} if m in sys.modules]]))"
    )
    samples, heavy = [], []
    subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, cwd=ROOT
    )  # warm the file cache
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=ROOT
        )
        took, loaded = json.loads(out.stdout)
        samples.append(took)
        heavy = loaded
    return samples, heavy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chunks", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    print(f"machine: {machine()}")
    print(f"model: {MODEL_NAME}")
    started = time.perf_counter()
    docs = corpus(args.chunks, args.seed)
    chunk_count = sum(len(chunk_doc(d)) for d in docs)
    words = sum(len(d.text.split()) for d in docs)
    print(
        f"corpus: {len(docs)} items, {chunk_count} chunks, {words} words (generated in {time.perf_counter() - started:.1f} s)"
    )
    peak0, cur0 = rss_mb()
    print(f"memory with the corpus in hand, before any index: peak RSS {peak0:.0f} MB, current {cur0:.0f} MB")

    with tempfile.TemporaryDirectory() as tmp:
        took_lex, lexical_only, _ = build(Path(tmp) / "lexical.sqlite3", docs, dense=False)
        lexical_only.close()
        print(f"build, lexical only (FTS5, no embeddings): {took_lex:.1f} s")
        peak_lex, cur_lex = rss_mb()

        path = Path(tmp) / "hybrid.sqlite3"
        took, index, embedded = build(path, docs, dense=True)
        print(
            f"build, hybrid (model load + FTS5 + {embedded} chunks embedded): {took:.1f} s   (goal <= 60 s)"
        )
        status = index.status()
        print(
            f"index file: {status.bytes / 1024 / 1024:.1f} MB with WAL ({status.chunks} chunks, {status.vectors} vectors)"
        )

        started = time.perf_counter()
        again = sum(index.upsert(docs[i : i + BATCH]).chunks_embedded for i in range(0, len(docs), BATCH))
        print(
            f"re-upsert of the same {len(docs)} items: {time.perf_counter() - started:.2f} s, {again} chunks embedded"
        )

        qs = queries(args.queries, args.seed)
        for mode in ("lexical", "dense", "hybrid"):
            index.search(qs[0], mode=mode)  # warm: the first dense query loads the matrix
            samples = []
            for q in qs:
                t0 = time.perf_counter()
                index.search(q, mode=mode)
                samples.append(time.perf_counter() - t0)
            print(f"query {mode:7}  {percentiles(samples)}   over {len(samples)} queries, limit 10")
        filtered = []
        for q in qs:
            t0 = time.perf_counter()
            index.search(q, mode="hybrid", kinds=["note", "transcript"], since="2026-06-01")
            filtered.append(time.perf_counter() - t0)
        print(f"query hybrid + kinds + since filters  {percentiles(filtered)}")

        changed = docs[0]
        fresh = Doc(
            **{
                **changed.__dict__,
                "text": changed.text + " They now ask about quantum-safe encryption.",
                "version": "2",
            }
        )
        t0 = time.perf_counter()
        index.upsert([fresh])
        t1 = time.perf_counter()
        found = [h.doc_id for h in index.search("quantum-safe encryption")]
        t2 = time.perf_counter()
        print(
            f"one changed item: upsert {1000 * (t1 - t0):.1f} ms, next search {1000 * (t2 - t1):.1f} ms, found first: {found[:1] == [changed.id]}"
        )
        peak1, cur1 = rss_mb()
        print(
            f"memory after the builds and queries: peak RSS {peak1:.0f} MB, current {cur1:.0f} MB"
            f" (+{cur1 - cur0:.0f} MB; the lexical-only build alone +{cur_lex - cur0:.0f} MB)"
        )
        index.close()

    samples, heavy = cold_start()
    print(
        f"cold start, import attio_mcp.server.app: median {statistics.median(samples) * 1000:.0f} ms over {len(samples)} runs "
        f"({', '.join(f'{s * 1000:.0f}' for s in samples)}); model modules imported: {heavy or 'none'}"
    )


if __name__ == "__main__":
    main()
