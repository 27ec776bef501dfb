"""The dense half of search: every chunk vector in one in-memory float32 matrix, with its item's filter fields.

The matrix is read from SQLite on the first dense query (10,000 chunks of 256 dimensions are 10 MB) and kept
in step with upserts and deletes by ``without`` and ``plus``. A query is one matrix-vector product; the
filters are tests on arrays beside it, so no SQL runs per query.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from attio_mcp.workspace.search.store import RECORD_SEP

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = ["CHUNKS_PER_ITEM", "Vectors"]

CHUNKS_PER_ITEM = 20  # the best chunks read first per item wanted (more when they hold too few items)


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
