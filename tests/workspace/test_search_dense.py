"""The real embedding model: loaded from the wheel without any network, finds paraphrases, imported lazily."""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from attio_mcp.workspace.search.chunks import chunk_doc
from attio_mcp.workspace.search.embed import MODEL_DIM, MODEL_NAME, WordLlamaEmbedder, default_embedder
from attio_mcp.workspace.search.index import SearchIndex
from attio_mcp.workspace.search.model import Doc

HEAVY = ("numpy", "wordllama", "tokenizers", "safetensors")


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise OSError(f"network blocked in this test: {address}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    yield attempts


def _docs() -> list[Doc]:
    texts = {
        "note:budget": "the licence cost is too high for their budget",
        "note:onboarding": "We scheduled the onboarding call for next Tuesday with the engineering team",
        "note:soc2": "Acme wants the SOC 2 report before signing",
        "note:cfo": "The CFO raised concerns about the renewal timeline",
        "note:hiring": "Lunch with Maria about hiring a new account executive",
        "note:crm": "They asked about syncing contacts with Salesforce and HubSpot",
    }
    return [Doc(id=i, kind="note", title="Note", text=t, version="1") for i, t in texts.items()]


def test_the_model_loads_from_the_wheel_without_network(no_network: list[object]) -> None:
    model = WordLlamaEmbedder()
    vectors = model.embed(["pricing concerns", "the licence cost is too high", ""])
    assert (model.name, model.dim) == (MODEL_NAME, MODEL_DIM)
    assert vectors.shape == (3, MODEL_DIM) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors[:2], axis=1), 1.0, atol=1e-5)
    assert model.embed([]).shape == (0, MODEL_DIM)
    assert default_embedder() is default_embedder()
    assert no_network == []


def test_dense_search_finds_a_paraphrase_that_lexical_search_misses(no_network: list[object]) -> None:
    index = SearchIndex(":memory:", embedder=default_embedder)
    index.upsert(_docs())
    lexical = [h.doc_id for h in index.search("pricing concerns", mode="lexical")]
    dense = [h.doc_id for h in index.search("pricing concerns", mode="dense")]
    hybrid = [h.doc_id for h in index.search("pricing concerns", mode="hybrid", limit=3)]
    assert "note:budget" not in lexical
    assert dense[0] == "note:budget"
    assert "note:budget" in hybrid
    assert [h.doc_id for h in index.search("recruiting", mode="dense")][0] == "note:hiring"
    assert [h.doc_id for h in index.search("security certification", mode="dense")][0] == "note:soc2"
    assert no_network == []


def test_vectors_survive_a_reopen_as_float16(tmp_path: Path, no_network: list[object]) -> None:
    path = tmp_path / "i.sqlite3"
    with SearchIndex(path, embedder=default_embedder) as index:
        index.upsert(_docs())
        before = [(h.doc_id, round(h.score, 3)) for h in index.search("pricing concerns", mode="dense")]
    with SearchIndex(path, embedder=default_embedder) as index:
        after = [(h.doc_id, round(h.score, 3)) for h in index.search("pricing concerns", mode="dense")]
        assert index.status().vectors == len(_docs())
    assert before == after


def test_the_server_and_the_index_modules_import_no_model_code() -> None:
    code = (
        "import sys\n"
        "import attio_mcp.server.app, attio_mcp.workspace, attio_mcp.tools\n"
        "import attio_mcp.workspace.search.index, attio_mcp.workspace.search.embed\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
        "from attio_mcp.workspace.search.index import SearchIndex\n"
        "from attio_mcp.workspace.search.embed import default_embedder\n"
        "from attio_mcp.workspace.search.model import Doc\n"
        "index = SearchIndex(':memory:', embedder=default_embedder)\n"
        "index.search('anything', mode='lexical')\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
        "index.upsert([Doc(id='note:1', kind='note', title='t', text='budget talk', version='1')])\n"
        "assert index.search('money', mode='dense')\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    imported, after_lexical, after_dense = result.stdout.splitlines()
    assert imported == ""
    assert after_lexical == ""  # opening an index and a lexical search build no model
    assert after_dense.split(",") == list(HEAVY)  # embedding does, on first need


def test_building_the_model_leaves_the_root_logger_alone() -> None:
    code = (
        "import logging\n"
        "from attio_mcp.workspace.search.embed import WordLlamaEmbedder\n"
        "WordLlamaEmbedder()\n"
        "root = logging.getLogger()\n"
        "print(len(root.handlers), root.level)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.split() == ["0", str(logging.WARNING)]


_SALES_TALK = [
    "Thanks everyone for joining, let's go through the agenda and the rollout plan for the team.",
    "So on our side the sales team has been growing and we want to make sure the platform scales with us.",
    "Can you walk us through how the reporting works and what the dashboards look like for managers?",
    "We talked to a few of your customers and they said the onboarding was smooth and the support team helpful.",
    "Our timeline is to have something signed by the end of the quarter if the numbers work for us.",
    "I will send over the deck after the call and we can set up a follow-up meeting with your team next week.",
    "The main thing for us is adoption, the reps need to actually use the tool every day.",
    "We can start with a pilot for one region and then expand to the rest of the organisation.",
    "Let me share my screen and show you the pipeline view that most of our customers use.",
    "That sounds great, we will discuss internally and come back to you with questions by Friday.",
    "How does the pricing work when we add more users over the course of the year?",
    "Our current process is mostly spreadsheets and email, which is why we started looking at options.",
]


def test_centring_keeps_long_generic_call_windows_from_crowding_out_a_short_paraphrase(
    no_network: list[object],
) -> None:
    # Call windows of five generic sentences each share the corpus's common direction (sales talk) far more
    # than a short note does; uncentred, they are all nearer to a paraphrase query than the note it means.
    calls = [
        Doc(
            id=f"transcript:m{i}:r",
            kind="transcript",
            title="Call",
            version="1",
            text=" ".join(_SALES_TALK[(5 * i + 7 * j) % len(_SALES_TALK)] for j in range(5)),
        )  # fmt: skip
        for i in range(24)
    ]
    notes = {
        "note:leave": "Northwind expansion is slipping, champion is on leave.",
        "note:soc": "Cobalt wants to add two more SOC teams next year.",
        "note:incumbent": "Evergreen is comparing us with their incumbent vendor.",
        "note:price": "Lost on price; Sterling chose a cheaper bundled offer.",
    }
    docs = calls + [Doc(id=i, kind="note", title="Note", text=t, version="1") for i, t in notes.items()]
    queries = {
        "note:leave": "the deal is delayed because our main contact is on holiday",
        "note:soc": "customer growing its security operations groups in the coming year",
    }
    model = default_embedder()
    chunk_vectors = model.embed([c.indexed for d in docs for c in chunk_doc(d)])
    owners = [d.id for d in docs for _ in chunk_doc(d)]
    index = SearchIndex(":memory:", embedder=default_embedder)
    index.upsert(docs)
    for target, query in queries.items():
        raw = chunk_vectors @ model.embed([query])[0]
        uncentred = list(dict.fromkeys(owners[i] for i in np.argsort(-raw)))
        assert uncentred.index(target) >= 10  # behind ten call windows
        centred = [h.doc_id for h in index.search(query, mode="dense", limit=5)]
        assert target in centred[:3], centred
    assert no_network == []
