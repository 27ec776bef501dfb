"""The search index over SQLite: upserts by version, deletes, filters, persistence, rebuilds, safe queries.

A small deterministic fake embedder (hashed bag of words) stands in for the model here, and counts what it
is asked to embed; the real model is exercised in ``test_search_dense.py``.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import sqlite3
import stat
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from attio_mcp.workspace.search.chunks import chunk_doc
from attio_mcp.workspace.search.index import LAST_SYNC_KEY, SearchIndex, SearchIndexError, UpsertStats
from attio_mcp.workspace.search.model import Doc, RecordRef, Turn


class CountingEmbedder:
    """Hashed bag-of-words vectors: texts sharing words are close. Records every text it embeds."""

    def __init__(self, name: str = "fake-bow-64", dim: int = 64) -> None:
        self.name, self.dim = name, dim
        self.texts: list[str] = []
        self.calls = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        self.texts.extend(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)


ACME = RecordRef("companies", "rec-acme", "Acme")
GLOBEX = RecordRef("companies", "rec-globex", "Globex")


def _docs() -> list[Doc]:
    return [
        Doc(
            id="note:n1",
            kind="note",
            title="Pricing call with Acme",
            text="The licence cost is too high for their budget. They asked for a discount on seats.",
            version="v1",
            url="https://app.attio.com/acme/notes/n1",
            time="2026-03-02T10:00:00Z",
            record=ACME,
            context="Acme",
            metadata={"author": "Dana"},
        ),
        Doc(
            id="note:n2",
            kind="note",
            title="Security review",
            text="Globex needs a SOC 2 report and a completed security questionnaire before signing.",
            version="v1",
            time="2026-01-15T09:00:00Z",
            record=GLOBEX,
            context="Globex",
        ),
        Doc(
            id="comment:c1",
            kind="comment",
            title="Comment on Acme",
            text="Legal flagged the indemnity clause in the contract.",
            version="v1",
            time="2026-02-20T12:00:00Z",
            record=ACME,
        ),
        Doc(
            id="task:t1",
            kind="task",
            title="Send the renewal quote to Globex",
            text="Send the renewal quote to Globex",
            version="v1",
            time="2026-03-10T08:00:00Z",
            record=GLOBEX,
        ),
        Doc(
            id="transcript:m1:r1",
            kind="transcript",
            title="Acme weekly sync",
            text="",
            version="v1",
            time="2026-03-05T15:00:00Z",
            record=ACME,
            context="Dana Smith, Sam Lee",
            turns=(
                Turn("Dana Smith", 0.0, "Thanks for joining. Where are we on the rollout?"),
                Turn("Sam Lee", 7.5, "Onboarding of the engineering team finished last week."),
            ),
        ),
    ]


def _ids(hits: Sequence[object]) -> list[str]:
    return [h.doc_id for h in hits]  # type: ignore[attr-defined]


@pytest.fixture
def embedder() -> CountingEmbedder:
    return CountingEmbedder()


@pytest.fixture
def index(embedder: CountingEmbedder) -> SearchIndex:
    ix = SearchIndex(":memory:", embedder=embedder)
    ix.upsert(_docs())
    return ix


def test_upsert_counts_and_an_unchanged_doc_is_not_embedded_again(embedder: CountingEmbedder) -> None:
    ix = SearchIndex(":memory:", embedder=embedder)
    docs = _docs()
    chunks = sum(len(chunk_doc(d)) for d in docs)
    assert ix.upsert(docs) == UpsertStats(added=5, updated=0, unchanged=0, chunks_embedded=chunks)
    assert len(embedder.texts) == chunks
    embedder.texts.clear()
    assert ix.upsert(docs) == UpsertStats(added=0, updated=0, unchanged=5, chunks_embedded=0)
    assert embedder.texts == []
    assert ix.count() == 5
    assert ix.versions() == dict.fromkeys([d.id for d in docs], "v1")
    assert ix.versions("comment") == {"comment:c1": "v1"}


def test_upsert_reports_embedding_progress_per_batch(
    embedder: CountingEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    from attio_mcp.workspace.search import index as index_module

    monkeypatch.setattr(index_module, "EMBED_BATCH", 2)
    ix = SearchIndex(":memory:", embedder=embedder)
    seen: list[tuple[int, int]] = []
    chunks = sum(len(chunk_doc(d)) for d in _docs())
    ix.upsert(_docs(), progress=lambda done, total: seen.append((done, total)))
    assert seen == [(min(i, chunks), chunks) for i in range(2, chunks + 2, 2)]
    assert embedder.calls == len(seen)


def test_a_changed_doc_replaces_its_chunks_and_only_it_is_embedded(
    index: SearchIndex, embedder: CountingEmbedder
) -> None:
    embedder.texts.clear()
    old = index.get("note:n1")
    assert old is not None
    new = Doc(
        id=old.id, kind=old.kind, title=old.title, text="They signed the annual plan after a kickoff workshop.",
        version="v2", record=old.record, time=old.time,
    )  # fmt: skip
    stats = index.upsert([new, *[d for d in _docs() if d.id != "note:n1"]])
    assert (stats.added, stats.updated, stats.unchanged, stats.chunks_embedded) == (0, 1, 4, 1)
    assert len(embedder.texts) == 1 and "kickoff workshop" in embedder.texts[0]
    assert index.versions()["note:n1"] == "v2"
    assert _ids(index.search("discount seats", mode="lexical")) == []
    assert _ids(index.search("kickoff workshop", mode="lexical")) == ["note:n1"]
    assert _ids(index.search("kickoff workshop", mode="dense"))[0] == "note:n1"
    assert index.status().chunks == sum(len(chunk_doc(d)) for d in [new, *_docs()[1:]])


def test_get_returns_the_doc_as_upserted(index: SearchIndex) -> None:
    for doc in _docs():
        assert index.get(doc.id) == doc
    assert index.get("note:missing") is None


def test_delete_removes_docs_chunks_and_their_vectors(index: SearchIndex) -> None:
    assert _ids(index.search("indemnity clause", mode="dense"))[0] == "comment:c1"  # loads the matrix
    assert index.delete(["comment:c1", "note:unknown"]) == 1
    assert index.get("comment:c1") is None and index.count() == 4
    assert "comment:c1" not in _ids(index.search("indemnity clause", mode="lexical"))
    assert "comment:c1" not in _ids(index.search("indemnity clause", mode="dense", limit=50))
    assert index.status().chunks == sum(len(chunk_doc(d)) for d in _docs() if d.id != "comment:c1")
    assert index.delete([]) == 0


@pytest.mark.parametrize("mode", ["lexical", "dense", "hybrid"])
def test_filters_by_kind_record_and_since(index: SearchIndex, mode: str) -> None:
    query = "Acme Globex contract renewal security pricing onboarding"

    def found(**filters: object) -> set[str]:
        return set(_ids(index.search(query, mode=mode, limit=20, **filters)))  # type: ignore[arg-type]

    assert found() == {d.id for d in _docs()}
    assert found(kinds=["note"]) == {"note:n1", "note:n2"}
    assert found(kinds=["comment", "task"]) == {"comment:c1", "task:t1"}
    assert found(record=("companies", "rec-acme")) == {"note:n1", "comment:c1", "transcript:m1:r1"}
    assert found(record=("people", "rec-acme")) == set()
    assert found(since="2026-03-01") == {"note:n1", "task:t1", "transcript:m1:r1"}
    assert found(kinds=["note"], record=("companies", "rec-acme"), since="2026-03-01") == {"note:n1"}


def test_the_loaded_matrix_follows_upserts_with_their_filter_fields(index: SearchIndex) -> None:
    assert index.search("anything at all", mode="dense")  # the matrix is in memory from here on
    late = Doc(
        id="note:late", kind="note", title="Escalation", text="Escalation about the outage credits.",
        version="v1", time="2026-04-01T00:00:00Z", record=GLOBEX,
    )  # fmt: skip
    index.upsert([late])
    query = "escalation outage credits"
    assert _ids(index.search(query, mode="dense"))[0] == "note:late"
    assert _ids(
        index.search(
            query, mode="dense", kinds=["note"], record=("companies", "rec-globex"), since="2026-03-15"
        )
    ) == ["note:late"]
    assert "note:late" not in _ids(
        index.search(query, mode="dense", record=("companies", "rec-acme"), limit=20)
    )
    assert "note:late" not in _ids(index.search(query, mode="dense", kinds=["task"], limit=20))
    index.upsert(
        [Doc(**{**late.__dict__, "version": "v2", "kind": "comment", "time": "2026-01-01T00:00:00Z"})]
    )
    assert "note:late" not in _ids(index.search(query, mode="dense", kinds=["note"], limit=20))
    assert "note:late" not in _ids(index.search(query, mode="dense", since="2026-03-15", limit=20))
    assert _ids(index.search(query, mode="dense", kinds=["comment"]))[0] == "note:late"


def test_one_hit_per_doc_citing_its_best_chunk(embedder: CountingEmbedder) -> None:
    ix = SearchIndex(":memory:", embedder=embedder)
    turns = tuple(
        Turn(
            "Dana" if i % 2 else "Sam",
            10.0 * i,
            f"We went through item {i} of the agenda and the rollout plan today.",
        )
        for i in range(30)
    )
    turns = (
        *turns[:20],
        Turn("Priya", 200.0, "The procurement team wants the indemnity cap lowered."),
        *turns[20:],
    )
    doc = Doc(id="transcript:m:c", kind="transcript", title="Kickoff", text="", version="1", turns=turns)
    assert len(chunk_doc(doc)) >= 3
    ix.upsert([doc])
    for mode in ("lexical", "dense", "hybrid"):
        [hit] = ix.search("procurement indemnity cap", mode=mode)
        assert hit.doc_id == "transcript:m:c" and hit.kind == "transcript"
        assert "Priya: The procurement team" in hit.snippet
        assert hit.speaker is not None and hit.start_seconds is not None
        chunk = chunk_doc(doc)[hit.chunk]
        assert (hit.speaker, hit.start_seconds) == (chunk.speaker, chunk.start_seconds)


def test_hit_fields_and_snippet_trimmed_around_the_match(embedder: CountingEmbedder) -> None:
    ix = SearchIndex(":memory:", embedder=embedder)
    filler = " ".join(f"Paragraph filler sentence number {i} about nothing much." for i in range(12))
    text = filler + " The customer asked about data residency in Frankfurt. " + filler
    ix.upsert([Doc(id="note:x", kind="note", title="Notes", text=text, version="1", url="u", record=ACME)])
    [hit] = ix.search("data residency", mode="lexical")
    assert (hit.doc_id, hit.kind, hit.title, hit.url, hit.record, hit.chunk) == (
        "note:x",
        "note",
        "Notes",
        "u",
        ACME,
        hit.chunk,
    )
    assert "data residency in Frankfurt" in hit.snippet
    assert len(hit.snippet) <= 310 and hit.snippet.startswith("…")
    assert hit.score > 0


@pytest.mark.parametrize(
    "query",
    ['AND', 'OR NOT', '"', '"unbalanced', 'a*', '*', '(', ')', '(security', 'NEAR(security review)', 'title:x',
     '^security', '-security', 'security + review', "o'brien", '', '   ', '!!!', 'security AND', 'AND security OR'],
)  # fmt: skip
@pytest.mark.parametrize("mode", ["lexical", "hybrid"])
def test_user_text_never_reaches_fts5_as_syntax(index: SearchIndex, query: str, mode: str) -> None:
    hits = index.search(query, mode=mode)  # type: ignore[arg-type]
    if "security" in query.lower() and mode == "lexical":
        assert "note:n2" in _ids(hits)
    if not re.search(r"\w", query):
        assert hits == []


def test_words_partially_matching_still_rank_and_the_last_word_matches_as_a_prefix(
    index: SearchIndex,
) -> None:
    hits = index.search("security questionnaire for procurement", mode="lexical")
    assert _ids(hits)[0] == "note:n2"
    assert _ids(index.search("indemn", mode="lexical")) == ["comment:c1"]
    assert _ids(index.search("licences budgets", mode="lexical")) == ["note:n1"]  # stemming
    assert _ids(index.search("the", mode="lexical")) != []  # only stop words: they are searched


def test_a_query_of_a_few_words_also_ranks_them_as_a_phrase() -> None:
    texts = {
        "note:verbatim": "Finance signed off on the renewal quote yesterday.",
        "note:scattered": "Renewal: the quote is late, renewal pricing needs a new quote before the renewal date.",
        **{f"note:f{i}": f"Unrelated filler note number {i} about lunch plans." for i in range(6)},
    }
    ix = SearchIndex(":memory:")
    ix.upsert([Doc(id=i, kind="note", title="Note", text=t, version="1") for i, t in texts.items()])
    # Word by word the scattered note scores higher (more occurrences); the words in order win.
    assert _ids(ix.search("quote renewal ", mode="lexical")) == ["note:scattered", "note:verbatim"]
    assert _ids(ix.search("renewal quote ", mode="lexical")) == ["note:verbatim", "note:scattered"]


def test_context_words_find_an_item_but_snippets_show_only_its_text(index: SearchIndex) -> None:
    [hit] = index.search("Sam Lee", mode="lexical")
    assert hit.doc_id == "transcript:m1:r1"
    assert hit.snippet.startswith("Dana Smith: Thanks for joining.")


def test_hybrid_finds_what_only_one_of_its_lists_finds(index: SearchIndex) -> None:
    # "zzz" is nowhere: lexically this is a miss, the dense list still ranks every item
    assert index.search("zzz unknownword", mode="lexical") == []
    assert len(index.search("zzz unknownword", mode="hybrid")) == 5


def test_lexical_only_index_answers_every_mode_lexically() -> None:
    ix = SearchIndex(":memory:")
    ix.upsert(_docs())
    assert ix.status().dense is False and ix.status().vectors == 0
    for mode in ("lexical", "dense", "hybrid"):
        assert _ids(ix.search("indemnity", mode=mode)) == ["comment:c1"]
    assert ix.search("zzz", mode="dense") == []


def test_persists_across_reopen_and_a_lexical_only_run_is_backfilled_later(tmp_path: Path) -> None:
    path = tmp_path / "idx.sqlite3"
    first = CountingEmbedder()
    with SearchIndex(path, embedder=first) as ix:
        ix.upsert(_docs()[:3])
        ix.set_state(LAST_SYNC_KEY, "2026-03-11T00:00:00Z")
    with SearchIndex(path) as ix:  # no model: the new doc's chunks stay unembedded
        assert ix.count() == 3 and ix.get("note:n1") == _docs()[0]
        assert ix.upsert(_docs()[3:]).chunks_embedded == 0
        status = ix.status()
        assert status.model == "fake-bow-64" and status.vectors == status.chunks - 2
    again = CountingEmbedder()
    with SearchIndex(path, embedder=again) as ix:
        assert ix.status().last_sync == "2026-03-11T00:00:00Z"
        assert _ids(ix.search("onboarding engineering team", mode="dense"))[0] == "transcript:m1:r1"
        assert len(again.texts) == 3  # the task's chunk and the transcript's, then the query
        assert ix.status().vectors == ix.status().chunks
        assert ix.upsert(_docs()).unchanged == 5


def test_writes_by_another_connection_reach_the_dense_matrix(tmp_path: Path) -> None:
    path = tmp_path / "idx.sqlite3"
    server = SearchIndex(path, embedder=CountingEmbedder())
    server.upsert(_docs()[:2])
    assert "comment:c1" not in _ids(server.search("indemnity clause", mode="dense"))  # matrix loaded
    with SearchIndex(path, embedder=CountingEmbedder()) as cli:  # e.g. `attio-mcp index build`
        cli.upsert(_docs())
        cli.delete(["note:n2"])
    assert _ids(server.search("indemnity clause", mode="dense"))[0] == "comment:c1"
    assert "note:n2" not in _ids(server.search("security questionnaire", mode="dense", limit=20))
    server.close()


def test_a_different_model_rebuilds_the_index(tmp_path: Path) -> None:
    path = tmp_path / "idx.sqlite3"
    with SearchIndex(path, embedder=CountingEmbedder("model-a")) as ix:
        ix.upsert(_docs())
        ix.set_state(LAST_SYNC_KEY, "2026-03-11T00:00:00Z")
    with SearchIndex(path, embedder=CountingEmbedder("model-a")) as ix:
        assert ix.count() == 5
    other = CountingEmbedder("model-b", dim=32)
    with SearchIndex(path, embedder=other) as ix:
        assert ix.count() == 0 and ix.versions() == {}
        assert ix.get_state(LAST_SYNC_KEY) is None  # the sync starts over
        assert ix.status().model == "model-b"
        assert ix.upsert(_docs()).added == 5
        assert ix.status().vectors == ix.status().chunks
        assert _ids(ix.search("indemnity clause", mode="dense"))[0] == "comment:c1"


def test_another_schema_version_rebuilds_the_index(tmp_path: Path) -> None:
    path = tmp_path / "idx.sqlite3"
    with SearchIndex(path, embedder=CountingEmbedder()) as ix:
        ix.upsert(_docs())
    conn = sqlite3.connect(path)
    conn.execute("UPDATE state SET value = '0' WHERE key = 'index.schema'")
    conn.commit()
    conn.close()
    with SearchIndex(path, embedder=CountingEmbedder()) as ix:
        assert ix.count() == 0


def test_an_unreadable_file_is_started_afresh(tmp_path: Path) -> None:
    path = tmp_path / "idx.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with SearchIndex(path, embedder=CountingEmbedder()) as ix:
        assert ix.count() == 0
        ix.upsert(_docs())
        assert ix.count() == 5


def test_sqlite_without_fts5_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    real = sqlite3.connect

    class NoFts5(sqlite3.Connection):
        def execute(self, sql: str, *args: object) -> sqlite3.Cursor:
            if "USING fts5" in sql:
                raise sqlite3.OperationalError("no such module: fts5")
            return super().execute(sql, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(sqlite3, "connect", lambda *a, **k: real(*a, **k, factory=NoFts5))
    with pytest.raises(SearchIndexError, match="no FTS5.*--no-index"):
        SearchIndex(":memory:")


def test_a_lazy_embedder_is_built_only_when_something_is_embedded(tmp_path: Path) -> None:
    built: list[CountingEmbedder] = []

    def factory() -> CountingEmbedder:
        built.append(CountingEmbedder())
        return built[-1]

    with pytest.raises(ValueError, match="model="):
        SearchIndex(":memory:", embedder=factory)
    ix = SearchIndex(tmp_path / "i.sqlite3", embedder=factory, model="fake-bow-64")
    assert ix.status().dense is True
    ix.search("anything", mode="lexical")
    assert ix.upsert([]) == UpsertStats()
    assert built == []
    ix.upsert(_docs())
    assert len(built) == 1
    ix.search("security", mode="hybrid")
    assert len(built) == 1


def test_a_model_that_cannot_be_loaded_leaves_a_lexical_index(caplog: pytest.LogCaptureFixture) -> None:
    def broken() -> CountingEmbedder:
        raise ImportError("No module named 'wordllama'")

    ix = SearchIndex(":memory:", embedder=broken, model="fake-bow-64")
    assert ix.status().dense is True  # not known until it is needed
    # (the logger's own level: a test elsewhere in the suite may leave the root logger above WARNING)
    with caplog.at_level(logging.WARNING, logger="attio_mcp.workspace.search"):
        assert ix.upsert(_docs()) == UpsertStats(added=5, chunks_embedded=0)
    assert "could not be loaded" in caplog.text and "wordllama" in caplog.text
    for mode in ("lexical", "dense", "hybrid"):
        assert _ids(ix.search("indemnity", mode=mode)) == ["comment:c1"]
    assert ix.status().dense is False and ix.status().vectors == 0


def test_a_lazy_embedder_that_is_not_the_declared_model_is_refused() -> None:
    ix = SearchIndex(":memory:", embedder=lambda: CountingEmbedder("other"), model="fake-bow-64")
    with pytest.raises(SearchIndexError, match="not this index's model"):
        ix.upsert(_docs())
    assert ix.count() == 0  # the transaction was rolled back


def test_state_status_and_close(tmp_path: Path) -> None:
    path = tmp_path / "idx.sqlite3"
    ix = SearchIndex(path, embedder=CountingEmbedder())
    ix.upsert(_docs())
    assert ix.get_state("cursor") is None
    ix.set_state("cursor", "abc")
    ix.set_state("cursor", "def")
    assert ix.get_state("cursor") == "def"
    status = ix.status()
    assert status.path == str(path)
    assert status.docs == {"note": 2, "comment": 1, "task": 1, "transcript": 1}
    assert status.chunks == status.vectors == sum(len(chunk_doc(d)) for d in _docs())
    assert status.bytes >= path.stat().st_size > 0
    assert status.model == "fake-bow-64" and status.dense is True
    assert status.state == {"cursor": "def"}
    ix.clear()
    assert ix.count() == 0 and ix.get_state("cursor") is None and ix.status().model == "fake-bow-64"
    ix.close()
    ix.close()
    with pytest.raises(SearchIndexError, match="closed"):
        ix.count()


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_files_are_private(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "attio-mcp" / "index" / "w.sqlite3"
    with SearchIndex(path, embedder=CountingEmbedder()) as ix:
        ix.upsert(_docs())
        for file in path.parent.iterdir():
            assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
    for directory in (path.parent, path.parent.parent, path.parent.parent.parent):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700, directory


def test_threads_share_one_index(index: SearchIndex) -> None:
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(20):
                doc = Doc(
                    id=f"note:t{n}-{i}",
                    kind="note",
                    title="t",
                    text=f"thread {n} item {i} budget",
                    version="1",
                )
                index.upsert([doc])
                assert index.search("budget", limit=3)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert index.count() == 5 + 80


def _centred_cosines(docs: Sequence[Doc], query: str, dim: int = 64) -> dict[str, float]:
    """Each doc's best chunk cosine with ``query``, both centred on the (shrunk) mean chunk vector, computed
    here from scratch (float16 storage included) as a reference for the index's dense scores."""
    fresh = CountingEmbedder(dim=dim)
    owners = [d.id for d in docs for _ in chunk_doc(d)]
    matrix = fresh.embed([c.indexed for d in docs for c in chunk_doc(d)]).astype("<f2").astype(np.float64)
    n = len(matrix)
    mean = matrix.mean(axis=0)
    spread = sum(float(np.sum((row - mean) ** 2)) for row in matrix) / (n - 1)  # James-Stein shrinkage
    mean *= max(0.0, 1 - (dim - 2) / dim * spread / (n * float(mean @ mean)))
    centred = matrix - mean
    centred /= np.linalg.norm(centred, axis=1, keepdims=True)
    q = fresh.embed([query])[0].astype(np.float64) - mean
    cosines = centred @ (q / np.linalg.norm(q))
    best: dict[str, float] = {}
    for owner, cosine in zip(owners, cosines, strict=True):
        best[owner] = max(best.get(owner, -2.0), float(cosine))
    return best


def _dense_scores(ix: SearchIndex, query: str) -> dict[str, float]:
    return {h.doc_id: h.score for h in ix.search(query, mode="dense", limit=50)}


def test_dense_scores_are_cosines_centred_on_the_mean_of_the_stored_vectors(
    tmp_path: Path, embedder: CountingEmbedder
) -> None:
    path, query = tmp_path / "idx.sqlite3", "security review of the contract"
    docs = _docs()
    server = SearchIndex(path, embedder=embedder)
    server.upsert(docs)
    assert _dense_scores(server, query) == pytest.approx(_centred_cosines(docs, query), abs=1e-5)

    # The mean follows every change, from the stored vectors: nothing but the query is embedded again.
    asked = len(embedder.texts)
    server.delete(["note:n2"])
    docs = [d for d in docs if d.id != "note:n2"]
    assert _dense_scores(server, query) == pytest.approx(_centred_cosines(docs, query), abs=1e-5)
    changed = Doc(**{**docs[0].__dict__, "version": "v2", "text": "Security questionnaire returned."})
    server.upsert([changed])
    docs = [changed, *docs[1:]]
    assert _dense_scores(server, query) == pytest.approx(_centred_cosines(docs, query), abs=1e-5)
    assert len(embedder.texts) == asked + 1 + len(chunk_doc(changed)) + 1  # two queries, one changed note

    # Another process's writes move the mean of the index the server has in memory.
    with SearchIndex(path, embedder=CountingEmbedder()) as cli:
        extra = Doc(id="note:n9", kind="note", title="Security", text="Security audit booked.", version="v1")
        cli.upsert([extra])
        docs = [*docs, extra]
        assert _dense_scores(cli, query) == pytest.approx(_centred_cosines(docs, query), abs=1e-5)
    assert _dense_scores(server, query) == pytest.approx(_centred_cosines(docs, query), abs=1e-5)
    server.close()

    # A reopened file scores the same without embedding its chunks again.
    again = CountingEmbedder()
    with SearchIndex(path, embedder=again) as ix:
        assert _dense_scores(ix, query) == pytest.approx(_centred_cosines(docs, query), abs=1e-5)
        assert again.texts == [query]


def test_centring_lifts_the_distinctive_item_over_ones_carrying_the_common_direction() -> None:
    # Three dimensions: 0 is what every chunk shares (the corpus's register), 1 and 2 are topics. The long
    # chunks are mostly the common direction; the note is about topic 2 with little of it. The query leans on
    # the common direction too (as any query embedded by the same averaging model does), with topic 2.
    table = {"about topic two": [0.3, 0.0, 1.0], "the query": [2.0, 0.0, 1.0]}
    table.update({f"long chunk {i}": [3.0, 1.0 if i % 2 else -1.0, 0.2 * (i % 3)] for i in range(8)})

    class TableEmbedder:
        name, dim = "table-3", 3

        def embed(self, texts: Sequence[str]) -> np.ndarray:  # a chunk is embedded as "title\ntext"
            rows = np.array([table[t.split("\n")[-1]] for t in texts], dtype=np.float32)
            return rows / np.linalg.norm(rows, axis=1, keepdims=True)

    texts = [t for t in table if t != "the query"]
    docs = [Doc(id=f"note:{i}", kind="note", title="Note", text=t, version="1") for i, t in enumerate(texts)]
    ix = SearchIndex(":memory:", embedder=TableEmbedder())
    ix.upsert(docs)
    raw = TableEmbedder().embed(texts) @ TableEmbedder().embed(["the query"])[0]
    assert texts[int(np.argmax(raw))].startswith("long chunk")  # uncentred, a long chunk is the nearest
    hits = ix.search("the query", mode="dense", limit=3)
    assert hits[0].doc_id == "note:0"
    assert hits[0].score > 0.7 and all(h.score < 0.3 for h in hits[1:])


def test_a_lone_chunk_has_no_spread_to_measure_and_is_scored_uncentred(embedder: CountingEmbedder) -> None:
    ix = SearchIndex(":memory:", embedder=embedder)
    doc = Doc(id="note:1", kind="note", title="t", text="budget talk", version="1")
    ix.upsert([doc])
    [hit] = ix.search("budget", mode="dense")  # centred on itself, the chunk would have no direction left
    [chunk] = CountingEmbedder().embed([chunk_doc(doc)[0].indexed]).astype("<f2").astype(np.float32)
    cosine = float(chunk @ CountingEmbedder().embed(["budget"])[0]) / float(np.linalg.norm(chunk))
    assert hit.score == pytest.approx(cosine, abs=1e-6)
    assert hit.score > 0.4
