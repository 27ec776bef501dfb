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
