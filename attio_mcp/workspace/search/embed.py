"""Dense embeddings for the search index, from a model that ships inside a PyPI wheel.

The default model is WordLlama's ``l2_supercat`` at 256 dimensions: a 32k-token table of static token
embeddings (16 MB of float16, in the ``wordllama`` wheel) that are averaged over a text's tokens. Nothing is
downloaded at run time: ``WordLlama.load()`` would look for the tokenizer under a directory the wheel does not
have and then ask Hugging Face for it, so this module opens the wheel's own files instead. numpy, wordllama,
tokenizers and safetensors are imported only when a model is first built, so the server's cold start does
not pay for them when the index is not used.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = ["MODEL_DIM", "MODEL_NAME", "Embedder", "WordLlamaEmbedder", "default_embedder"]

MODEL_NAME = "wordllama-l2-supercat-256"
MODEL_DIM = 256
_WEIGHTS = "weights/l2_supercat_256.safetensors"
_TOKENIZER = "tokenizers/l2_supercat_tokenizer_config.json"
_TENSOR = "embedding.weight"
_BATCH = 64  # texts per tokenizer call: padding is to the longest text of a batch

log = logging.getLogger("attio_mcp.workspace.search")


class Embedder(Protocol):
    """Turns texts into unit vectors: ``embed`` returns an ``(n, dim)`` float32 array of L2-normalised rows."""

    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]: ...


class WordLlamaEmbedder:
    """WordLlama ``l2_supercat`` (256-d) loaded from the files inside the installed ``wordllama`` wheel."""

    name = MODEL_NAME
    dim = MODEL_DIM

    def __init__(self) -> None:
        from safetensors import safe_open
        from tokenizers import Tokenizer

        inference = _import_inference()
        package = Path(inference.__file__).resolve().parent
        tokenizer = Tokenizer.from_file(str(package / _TOKENIZER))
        with safe_open(str(package / _WEIGHTS), framework="np") as weights:
            table = weights.get_tensor(_TENSOR)
        if table.ndim != 2 or table.shape[1] != self.dim:
            raise RuntimeError(f"{_WEIGHTS} holds a {table.shape} table, expected (vocab, {self.dim})")
        self._model = inference.WordLlamaInference(table, tokenizer, binary=False)
        self._lock = threading.Lock()  # the tokenizer's padding state is shared by every call

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        import numpy as np

        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vectors = self._model.embed(list(texts), norm=False, batch_size=_BATCH)
        vectors = np.asarray(vectors, dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors /= np.maximum(norms, 1e-12)  # an all-unknown text pools to zeros: leave it at zero
        return vectors


def _import_inference() -> Any:
    """``wordllama.inference``, without the ``logging.basicConfig(level=INFO)`` its package runs on import
    (it would give the root logger a handler and level the CLI did not choose)."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        import wordllama.inference as inference  # type: ignore[import-untyped]
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    return inference


_default: WordLlamaEmbedder | None = None
_default_lock = threading.Lock()


def default_embedder() -> Embedder:
    """The process-wide WordLlama embedder, built on the first call (about 0.3 s: imports and 16 MB read)."""
    global _default
    with _default_lock:
        if _default is None:
            log.info("loading the embedding model %s", MODEL_NAME)
            _default = WordLlamaEmbedder()
        return _default
