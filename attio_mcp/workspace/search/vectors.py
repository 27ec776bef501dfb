"""The dense half of search: every chunk vector in one in-memory float32 matrix, with its item's filter fields.

The matrix is read from SQLite on the first dense query (10,000 chunks of 256 dimensions are 10 MB) and kept
in step with upserts and deletes by ``without`` and ``plus``. A query is one matrix-vector product; the
filters are tests on arrays beside it, so no SQL runs per query.

Scores are cosines after mean-centring: the mean ``m`` of every stored chunk vector is subtracted from each
chunk vector ``x`` and from the query vector ``q`` before the cosine is taken. Embeddings that average static
token vectors share a large common direction (the average of any text in the corpus's register: here, sales
talk), so raw cosines are all high and close together and a long, generic chunk sits near every query;
removing the common part leaves what distinguishes one text from the others. ``m`` is a property of the
corpus, not a parameter: it is the column mean of the matrix (shrunk towards zero when it is no longer than
chance, see ``_shrunk_mean``), recomputed (no embedding) whenever the matrix changes. The centred matrix is never materialised: ``(x - m)·(q - m) = x·q - x·m - m·q + m·m``, with ``x·m``
and ``|x - m|`` computed once per matrix, so a query is still one matrix-vector product.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from attio_mcp.workspace.search.store import RECORD_SEP

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = ["CHUNKS_PER_ITEM", "Vectors"]

CHUNKS_PER_ITEM = 20  # the best chunks read first per item wanted (more when they hold too few items)
_TINY = 1e-6  # a centred vector shorter than this is the mean itself: it has no direction


@dataclass
class Vectors:
    """Every embedded chunk (row ``i``): its id, its item's id, the item's kind, record (``object\x1fid``, or
    "") and time (or ""), which the filters test without asking SQLite, and the chunk's unit vector."""

    ids: list[int]
    docs: list[str]
    kinds: NDArray[np.str_]
    records: NDArray[np.str_]
    times: NDArray[np.str_]
    matrix: NDArray[np.float32]
    # The corpus mean and, per row, x·m and |x - m|: computed on the first query after the matrix changed.
    _centre: tuple[NDArray[np.float32], NDArray[np.float32], NDArray[np.float32]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    @classmethod
    def of(cls, rows: Sequence[Sequence[Any]], matrix: NDArray[np.float32]) -> Vectors:
        """From ``(chunk id, doc id, kind, record, time, ...)`` rows (``ROW_META`` first) and their vectors."""
        import numpy as np

        def column(i: int) -> NDArray[np.str_]:
            return np.array([r[i] for r in rows], dtype=np.str_)

        return cls([r[0] for r in rows], [r[1] for r in rows], column(2), column(3), column(4), matrix)

    def mask(
        self, kinds: Collection[str], record: tuple[str, str] | None, since: str | None
    ) -> NDArray[np.bool_]:
        """Rows whose item passes the search filters (the same tests as ``filters_sql``)."""
        import numpy as np

        keep = np.ones(len(self.ids), dtype=np.bool_)
        if kinds:
            keep &= np.isin(self.kinds, list(kinds))
        if record is not None:
            keep &= self.records == RECORD_SEP.join(record)
        if since:
            keep &= (self.times != "") & (self.times >= since)
        return keep

    @property
    def mean(self) -> NDArray[np.float32]:
        """The corpus's common direction: the mean of every chunk vector, shrunk (see ``_shrunk_mean``)."""
        return self._centring()[0]

    def _centring(self) -> tuple[NDArray[np.float32], NDArray[np.float32], NDArray[np.float32]]:
        import numpy as np

        if self._centre is None:
            mean = _shrunk_mean(self.matrix).astype(np.float32)
            dots = self.matrix @ mean
            norms = np.linalg.norm(self.matrix - mean, axis=1).astype(np.float32)
            self._centre = (mean, dots, norms)
        return self._centre

    def scores(self, query: NDArray[np.float32]) -> NDArray[np.float32] | None:
        """Each row's cosine with ``query``, both centred on the corpus mean (see the module's docstring);
        None for a query vector of zeros (a text of no known token: nothing to compare). A chunk equal to the
        mean has no direction left and scores 0."""
        import numpy as np

        if not np.any(query):
            return None
        mean, dots, norms = self._centring()
        centred = query - mean
        length = float(np.linalg.norm(centred))
        if length < _TINY:
            return None
        raw = self.matrix @ query - dots - float(mean @ query) + float(mean @ mean)
        out: NDArray[np.float32] = np.where(
            norms > _TINY, raw / np.maximum(norms, _TINY) / length, 0.0
        ).astype(np.float32)
        return out

    def without(self, doc_ids: set[str]) -> Vectors:
        keep = [i for i, d in enumerate(self.docs) if d not in doc_ids] if doc_ids else None
        if keep is None or len(keep) == len(self.docs):
            return self
        return Vectors(
            [self.ids[i] for i in keep],
            [self.docs[i] for i in keep],
            self.kinds[keep],
            self.records[keep],
            self.times[keep],
            self.matrix[keep],
        )

    def plus(self, other: Vectors) -> Vectors:
        import numpy as np

        return Vectors(
            self.ids + other.ids,
            self.docs + other.docs,
            np.concatenate([self.kinds, other.kinds]),
            np.concatenate([self.records, other.records]),
            np.concatenate([self.times, other.times]),
            np.concatenate([self.matrix, other.matrix]),
        )

    def top(self, scores: NDArray[np.float32], depth: int) -> list[tuple[str, int, float]]:
        """(doc id, best chunk id, score) of the ``depth`` items whose best chunk scores highest, best first;
        rows scored ``-inf`` (filtered out) never count."""
        import numpy as np

        # Sort only the best chunks (argpartition), reading deeper if they hold fewer than ``depth`` items.
        count = len(self.ids)
        k = min(count, depth * CHUNKS_PER_ITEM)
        while True:
            top = np.argpartition(-scores, k - 1)[:k] if k < count else np.arange(count)
            found: dict[str, tuple[int, float]] = {}
            filtered_out = False  # reached the chunks a filter excludes: reading deeper finds nothing more
            for i in top[np.argsort(-scores[top], kind="stable")]:
                score = float(scores[i])
                if score == -np.inf:
                    filtered_out = True
                    break
                doc_id = self.docs[i]
                if doc_id not in found:
                    found[doc_id] = (self.ids[i], score)
                    if len(found) >= depth:
                        break
            if len(found) >= depth or k == count or filtered_out:
                break
            k = min(count, 4 * k)
        return [(doc_id, chunk, score) for doc_id, (chunk, score) in found.items()]


def _shrunk_mean(matrix: NDArray[np.float32]) -> NDArray[np.float64]:
    """The mean row of ``matrix``, shrunk towards zero by the positive-part James-Stein factor.

    The sample mean of ``n`` vectors with no common direction at all is not zero but noise of squared length
    about ``S / n`` (``S``: the rows' total variance); subtracting it would then push every query away from
    whatever the few items have in common, which on a handful of items scrambles the ranking. The factor
    ``1 - (d - 2) / d * S / (n |m|^2)`` (clipped at 0) removes exactly that noise part: it is ~1 for a corpus
    with a real common direction (the demo workspace: 615 chunks, |m|^2 = 0.30, factor 0.996) and falls to
    0 when the mean is no longer than chance. Fewer than two vectors have no variance to measure: no centring.
    """
    import numpy as np

    n, dim = matrix.shape if matrix.ndim == 2 else (0, 0)
    if n < 2 or dim < 3:
        return np.zeros(dim, dtype=np.float64)
    mean: NDArray[np.float64] = matrix.mean(axis=0, dtype=np.float64)
    spread = float(np.square(matrix - mean).sum(dtype=np.float64)) / (n - 1)
    length = float(mean @ mean)
    if length <= 0.0:
        return mean
    shrunk: NDArray[np.float64] = mean * max(0.0, 1.0 - (dim - 2) / dim * spread / (n * length))
    return shrunk
