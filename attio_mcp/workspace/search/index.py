"""The local search index: one SQLite file holding the items, their chunks, an FTS5 table and embeddings.

``store`` has the tables; ``state`` keeps the schema version, the model and its dimension under ``index.*``
keys, and whatever the sync keeps there. Opening a file written by another schema version or another model clears
it (a rebuild: the caller's sync state goes too, so the next sync is a full one); vectors of two models
are never mixed. An index opened without an embedder answers lexically and leaves new chunks unembedded;
they are embedded the next time the index runs with its model.

Dense search keeps every chunk vector in one in-memory matrix (``vectors``), read from SQLite on the first
dense query and kept in step by ``upsert`` and ``delete`` (and read again when another process wrote the
file). Dense scores are cosines centred on the mean of every stored chunk vector (see ``vectors``): the mean
is recomputed from the stored vectors whenever they change, never by embedding again. Query sanitising,
fusion and snippets are in ``rank``.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from attio_mcp.workspace.search import rank
from attio_mcp.workspace.search.chunks import chunk_doc
from attio_mcp.workspace.search.embed import MODEL_NAME, Embedder, default_embedder
from attio_mcp.workspace.search.model import DOC_KINDS, Doc, DocKind, Hit, IndexStatus, RecordRef, SearchMode
from attio_mcp.workspace.search.store import (
    DOC_COLUMNS,
    ROW_META,
    TABLES,
    SearchIndexError,
    doc_from_row,
    doc_row,
    file_size,
    filters_sql,
    parts,
    private_file,
    require_fts5,
    reset,
    statements,
    transaction,
)
from attio_mcp.workspace.search.vectors import CHUNKS_PER_ITEM, Vectors

__all__ = ["LAST_SYNC_KEY", "SCHEMA_VERSION", "SearchIndex", "SearchIndexError", "UpsertStats"]

SCHEMA_VERSION = "1"
LAST_SYNC_KEY = "last_sync"  # the state key ``status()`` reports as ``last_sync``
EMBED_BATCH = 256  # chunks embedded per call to the model
_SCHEMA_KEY, _MODEL_KEY, _DIM_KEY = "index.schema", "index.model", "index.dim"

log = logging.getLogger("attio_mcp.workspace.search")


@dataclass(frozen=True)
class UpsertStats:
    """What one ``upsert`` did: items new, changed and left alone, and chunks embedded (backfill included)."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    chunks_embedded: int = 0


EmbedderSource = Embedder | Callable[[], Embedder]


class SearchIndex:
    """A hybrid (FTS5 + embeddings) index of the workspace's notes, comments, tasks and transcripts.

    ``SearchIndex(path, embedder=default_embedder)`` opens (or creates) the file; ``embedder`` is an
    ``Embedder`` or a zero-argument callable returning one, called when something is first embedded or a
    dense query first runs. ``model`` names the embedder's model without loading it (needed for a callable
    other than ``default_embedder``). ``embedder=None`` gives a lexical-only index. ``":memory:"`` works.
    One connection serves every thread, behind a lock.
    """

    def __init__(
        self, path: str | Path, *, embedder: EmbedderSource | None = None, model: str | None = None
    ) -> None:
        self.path = str(path)
        self._lock = threading.RLock()
        self._embedder: Embedder | None = None
        self._factory: Callable[[], Embedder] | None = None
        if embedder is not None and hasattr(embedder, "embed"):
            self._embedder = cast(Embedder, embedder)
            model = model or self._embedder.name
        elif embedder is not None:
            self._factory = embedder
            model = model or (MODEL_NAME if embedder is default_embedder else None)
            if model is None:
                raise ValueError("pass model= with a lazily built embedder, so the index can check its files")
        self.model = model
        self._vectors: Vectors | None = None
        self._data_version: int | None = None  # PRAGMA data_version when the matrix was read
        self._conn: sqlite3.Connection | None = self._open()

    # -- opening -----------------------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        try:
            return self._connect()
        except sqlite3.DatabaseError as exc:
            if self.path == ":memory:" or isinstance(exc, sqlite3.OperationalError):
                raise  # locked, read-only, disk full...: not a reason to throw the file away
            log.warning("search index %s is unreadable (%s): starting it afresh", self.path, exc)
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(self.path + suffix).unlink(missing_ok=True)
            return self._connect()

    def _connect(self) -> sqlite3.Connection:
        memory = self.path == ":memory:"
        if not memory:
            private_file(Path(self.path))
        conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        try:
            require_fts5(conn)
            if not memory:
                conn.execute("PRAGMA busy_timeout = 5000")  # another process may be writing (index build)
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
            self._prepare(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    def _prepare(self, conn: sqlite3.Connection) -> None:
        """Create the tables; clear them when the schema or the model is not this index's."""
        with transaction(conn):
            for statement in statements(TABLES):
                conn.execute(statement)
            state = dict(conn.execute("SELECT key, value FROM state").fetchall())
            schema, stored = state.get(_SCHEMA_KEY), state.get(_MODEL_KEY)
            fresh = schema is None and not conn.execute("SELECT 1 FROM docs LIMIT 1").fetchone()
            if not fresh and schema != SCHEMA_VERSION:
                log.info("search index %s: schema %s -> %s, rebuilding", self.path, schema, SCHEMA_VERSION)
                reset(conn)
            elif self.model and stored and stored != self.model:
                log.info("search index %s: model %s -> %s, rebuilding", self.path, stored, self.model)
                reset(conn)
            self._stamp(conn)

    def _stamp(self, conn: sqlite3.Connection) -> None:
        """Record this index's schema version and model, so a later open can tell whether to rebuild."""
        conn.execute("INSERT OR REPLACE INTO state VALUES (?, ?)", (_SCHEMA_KEY, SCHEMA_VERSION))
        if self.model:
            conn.execute("INSERT OR REPLACE INTO state VALUES (?, ?)", (_MODEL_KEY, self.model))

    def _live(self) -> sqlite3.Connection:
        if self._conn is None:
            raise SearchIndexError("the search index is closed")
        return self._conn

    def close(self) -> None:
        """Close the file; any later call raises ``SearchIndexError``."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
            self._conn, self._vectors = None, None

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the embedder --------------------------------------------------------------------------------

    @property
    def dense(self) -> bool:
        """Whether dense (and hybrid) search can run: an embedder was given."""
        return self._embedder is not None or self._factory is not None

    def _model(self) -> Embedder | None:
        """The embedder, built on first need; None when there is none or it cannot be built (the index then
        works lexically: a broken model install costs the dense half of search, not search)."""
        if self._embedder is None:
            if self._factory is None:
                return None
            factory, self._factory = self._factory, None
            try:
                self._embedder = factory()
            except Exception as exc:  # noqa: BLE001 - any failure to load means the same: no dense search
                log.warning(
                    "search index: the embedding model could not be loaded, searching lexically: %r", exc
                )
                return None
        embedder = self._embedder
        if embedder.name != self.model:
            raise SearchIndexError(f"embedder {embedder.name!r} is not this index's model {self.model!r}")
        dim = self.get_state(_DIM_KEY)
        if dim is None:
            self.set_state(_DIM_KEY, str(embedder.dim))
        elif int(dim) != embedder.dim:
            raise SearchIndexError(f"embedder gives {embedder.dim} dimensions, the index holds {dim}")
        return embedder

    # -- writing -------------------------------------------------------------------------------------

    def upsert(
        self, docs: Iterable[Doc], *, progress: Callable[[int, int], None] | None = None
    ) -> UpsertStats:
        """Add new items and replace changed ones (by ``version``), in one transaction.

        An item whose stored version equals ``doc.version`` is left alone and re-embeds nothing. New chunks
        (and any left unembedded by a lexical-only run) are embedded in batches of ``EMBED_BATCH``;
        ``progress(done, total)`` is called after each batch.
        """
        batch = {doc.id: doc for doc in docs}
        added = updated = unchanged = 0
        with self._lock:
            conn = self._live()
            stored = self._stored_versions(list(batch))
            changed = []
            with transaction(conn):
                for doc in batch.values():
                    old = stored.get(doc.id)
                    if old == doc.version:
                        unchanged += 1
                        continue
                    if old is None:
                        added += 1
                    else:
                        updated += 1
                        self._drop_chunks(conn, [doc.id])
                    changed.append(doc.id)
                    conn.execute(
                        f"INSERT OR REPLACE INTO docs ({DOC_COLUMNS}) VALUES ({', '.join('?' * 13)})",
                        doc_row(doc),
                    )
                    for chunk in chunk_doc(doc):
                        cursor = conn.execute(
                            "INSERT INTO chunks (doc_id, ordinal, text, speaker, start_seconds) VALUES (?, ?, ?, ?, ?)",
                            (doc.id, chunk.ordinal, chunk.text, chunk.speaker, chunk.start_seconds),
                        )
                        conn.execute(
                            "INSERT INTO chunks_fts (rowid, indexed) VALUES (?, ?)",
                            (cursor.lastrowid, chunk.indexed),
                        )
                fresh = self._embed_pending(conn, progress) if self.dense else None
            if self._vectors is not None:
                self._vectors = self._vectors.without(set(changed))
                if fresh is not None:
                    self._vectors = self._vectors.plus(fresh)
        embedded = len(fresh.ids) if fresh is not None else 0
        log.debug(
            "search index upsert: %d added, %d updated, %d unchanged, %d embedded",
            added,
            updated,
            unchanged,
            embedded,
        )
        return UpsertStats(added, updated, unchanged, embedded)

    def delete(self, doc_ids: Iterable[str]) -> int:
        """Remove items and their chunks; returns how many of them were in the index."""
        ids = list(dict.fromkeys(doc_ids))
        with self._lock:
            conn = self._live()
            removed = 0
            with transaction(conn):
                for part in parts(ids):
                    marks = ", ".join("?" * len(part))
                    removed += conn.execute(f"DELETE FROM docs WHERE id IN ({marks})", part).rowcount
                    self._drop_chunks(conn, part)
            if self._vectors is not None:
                self._vectors = self._vectors.without(set(ids))
        return removed

    def clear(self) -> None:
        """Empty the index: items, chunks, vectors and the sync state (the model stays)."""
        with self._lock:
            conn = self._live()
            with transaction(conn):
                reset(conn)
                self._stamp(conn)
            self._vectors = None

    def _drop_chunks(self, conn: sqlite3.Connection, doc_ids: Sequence[str]) -> None:
        marks = ", ".join("?" * len(doc_ids))
        conn.execute(
            f"DELETE FROM chunks_fts WHERE rowid IN (SELECT id FROM chunks WHERE doc_id IN ({marks}))",
            doc_ids,
        )
        conn.execute(f"DELETE FROM chunks WHERE doc_id IN ({marks})", doc_ids)

    def _embed_pending(
        self, conn: sqlite3.Connection, progress: Callable[[int, int], None] | None = None
    ) -> Vectors | None:
        """Embed every chunk that has no vector yet; returns them (None when there were none)."""
        import numpy as np

        rows = conn.execute(
            f"SELECT {ROW_META}, f.indexed FROM chunks AS c JOIN chunks_fts AS f ON f.rowid = c.id"
            " JOIN docs AS d ON d.id = c.doc_id WHERE c.vector IS NULL ORDER BY c.id"
        ).fetchall()
        if not rows:
            return None
        embedder = self._model()
        if embedder is None:
            return None
        parts = []
        for start in range(0, len(rows), EMBED_BATCH):
            batch = rows[start : start + EMBED_BATCH]
            vectors = np.asarray(embedder.embed([row[-1] for row in batch]), dtype=np.float32)
            stored = vectors.astype("<f2")
            conn.executemany(
                "UPDATE chunks SET vector = ? WHERE id = ?",
                [(stored[i].tobytes(), row[0]) for i, row in enumerate(batch)],
            )
            parts.append(stored.astype(np.float32))  # what a reload would read: the float16 values
            if progress is not None:
                progress(start + len(batch), len(rows))
        return Vectors.of(rows, np.concatenate(parts))

    # -- reading -------------------------------------------------------------------------------------

    def versions(self, kind: DocKind | str | None = None) -> dict[str, str]:
        """Stored ``version`` of every item (of one kind)."""
        with self._lock:
            sql, args = "SELECT id, version FROM docs", []
            if kind is not None:
                sql, args = sql + " WHERE kind = ?", [kind]
            return dict(self._live().execute(sql, args).fetchall())

    def _stored_versions(self, ids: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for part in parts(ids):
            marks = ", ".join("?" * len(part))
            found.update(
                self._live().execute(f"SELECT id, version FROM docs WHERE id IN ({marks})", part).fetchall()
            )
        return found

    def get(self, doc_id: str) -> Doc | None:
        """The stored item, as it was upserted."""
        with self._lock:
            row = self._live().execute(f"SELECT {DOC_COLUMNS} FROM docs WHERE id = ?", (doc_id,)).fetchone()
        return doc_from_row(row) if row else None

    def count(self) -> int:
        """Number of items."""
        with self._lock:
            return int(self._live().execute("SELECT count(*) FROM docs").fetchone()[0])

    def get_state(self, key: str) -> str | None:
        with self._lock:
            row = self._live().execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_state(self, key: str, value: str) -> None:
        with self._lock:
            self._live().execute("INSERT OR REPLACE INTO state VALUES (?, ?)", (key, value))

    def status(self) -> IndexStatus:
        """Items by kind, chunks, embedded chunks, bytes on disk, the model and the sync state."""
        with self._lock:
            conn = self._live()
            docs: dict[str, int] = dict.fromkeys(DOC_KINDS, 0)
            docs.update(conn.execute("SELECT kind, count(*) FROM docs GROUP BY kind").fetchall())
            chunks, vectors = conn.execute("SELECT count(*), count(vector) FROM chunks").fetchone()
            state = dict(conn.execute("SELECT key, value FROM state").fetchall())
            if self.path == ":memory:":
                size = (
                    conn.execute("PRAGMA page_count").fetchone()[0]
                    * conn.execute("PRAGMA page_size").fetchone()[0]
                )
            else:
                size = sum(file_size(self.path + suffix) for suffix in ("", "-wal", "-shm"))
        return IndexStatus(
            path=self.path,
            docs=docs,
            chunks=int(chunks),
            bytes=int(size),
            model=state.get(_MODEL_KEY),
            last_sync=state.get(LAST_SYNC_KEY),
            state={k: v for k, v in state.items() if not k.startswith("index.")},
            dense=self.dense,
            vectors=int(vectors),
        )

    # -- searching -----------------------------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        kinds: Collection[DocKind | str] | None = None,
        record: tuple[str, str] | None = None,
        since: str | None = None,
        limit: int = 10,
        mode: SearchMode = "hybrid",
    ) -> list[Hit]:
        """The best ``limit`` items for ``query``, one ``Hit`` per item (its best chunk as the snippet).

        ``kinds``, ``record`` (object slug, record id) and ``since`` (``doc.time >= since``, ISO strings)
        filter. ``mode`` is ``lexical`` (FTS5 BM25), ``dense`` (cosine over embeddings) or ``hybrid`` (both,
        fused by ``rank.fuse``); without an embedder every mode answers lexically. ``Hit.score`` is higher
        for better hits and compares only within one answer: the fused RRF score in hybrid mode, the
        negated BM25 in lexical mode, the centred cosine in dense mode.
        """
        terms = rank.query_terms(query)
        if not terms or limit <= 0:
            return []
        kinds = sorted(set(kinds or ()))
        where, args = filters_sql(kinds, record, since)
        depth = rank.candidate_depth(limit)
        with self._lock:
            conn = self._live()
            dense = None
            if mode != "lexical" and self.dense:
                dense = self._dense(conn, query, (kinds, record, since), depth)
            if dense is not None and mode == "dense":
                ranked = dense[:limit]
            elif dense is not None:
                lexical = self._lexical(conn, query, where, args, depth)
                weights = (rank.LEXICAL_WEIGHT, rank.DENSE_WEIGHT)
                fused = rank.fuse([[d for d, _, _ in lexical], [d for d, _, _ in dense]], weights, rank.RRF_K)
                best = rank.best_chunks(lexical, dense)
                ranked = [(doc_id, best[doc_id], score) for doc_id, score in fused[:limit]]
            else:
                ranked = self._lexical(conn, query, where, args, depth)[:limit]
            return self._hits(conn, ranked, terms)

    def _lexical(
        self, conn: sqlite3.Connection, query: str, where: str, args: list[Any], depth: int
    ) -> list[tuple[str, int, float]]:
        """(doc id, best chunk id, -bm25) of the best ``depth`` items, best first."""
        match = rank.fts_query(query)
        if match is None:
            return []
        # The inner LIMIT keeps SQLite from flattening the subquery (bm25 cannot run inside an aggregate);
        # an item's best chunk is among the best chunks overall, so the cap loses nothing. Without filters
        # the inner query reads the FTS5 table alone, and only the best chunks are joined.
        cap = depth * CHUNKS_PER_ITEM
        if where:
            sql = (
                "SELECT doc_id, chunk_id, min(score) AS best FROM ("
                " SELECT c.doc_id AS doc_id, c.id AS chunk_id, bm25(chunks_fts) AS score"
                " FROM chunks_fts JOIN chunks AS c ON c.id = chunks_fts.rowid JOIN docs AS d ON d.id = c.doc_id"
                f" WHERE chunks_fts MATCH ?{where} ORDER BY score LIMIT ?"
                ") GROUP BY doc_id ORDER BY best, doc_id LIMIT ?"
            )
        else:
            sql = (
                "SELECT c.doc_id, c.id, min(m.score) AS best FROM ("
                " SELECT rowid AS id, rank AS score FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY rank LIMIT ?"
                ") AS m JOIN chunks AS c ON c.id = m.id GROUP BY c.doc_id ORDER BY best, c.doc_id LIMIT ?"
            )
        rows = conn.execute(sql, [match, *args, cap, depth]).fetchall()
        return [(doc_id, chunk_id, -float(score)) for doc_id, chunk_id, score in rows]

    def _dense(
        self,
        conn: sqlite3.Connection,
        query: str,
        filters: tuple[Collection[str], tuple[str, str] | None, str | None],
        depth: int,
    ) -> list[tuple[str, int, float]] | None:
        """(doc id, best chunk id, centred cosine) of the best ``depth`` items, best first; None without a
        model; [] for a query the model has no vector for."""
        import numpy as np

        vectors = self._loaded(conn)
        embedder = self._model()
        if embedder is None:
            return None
        if not vectors.ids:
            return []
        q = np.asarray(embedder.embed([query]), dtype=np.float32)[0]
        scores = vectors.scores(q)
        if scores is None:
            return []
        if any(filters):
            scores = np.where(vectors.mask(*filters), scores, -np.inf)
        return vectors.top(scores, depth)

    def _loaded(self, conn: sqlite3.Connection) -> Vectors:
        """The in-memory matrix, read from SQLite (embedding what is missing) on first use, and again after
        another connection (``attio-mcp index build`` in another process) wrote to the file."""
        import numpy as np

        version = conn.execute("PRAGMA data_version").fetchone()[0]
        if version != self._data_version:
            self._vectors, self._data_version = None, version
        if self._vectors is None:
            pending = conn.execute("SELECT 1 FROM chunks WHERE vector IS NULL LIMIT 1").fetchone()
            if pending:
                with transaction(conn):
                    self._embed_pending(conn)
            rows = conn.execute(
                f"SELECT {ROW_META}, c.vector FROM chunks AS c JOIN docs AS d ON d.id = c.doc_id"
                " WHERE c.vector IS NOT NULL ORDER BY c.id"
            ).fetchall()
            dim = int(self.get_state(_DIM_KEY) or 0) if rows else 0
            blob = b"".join(row[-1] for row in rows)
            matrix = np.frombuffer(blob, dtype="<f2").reshape(len(rows), dim).astype(np.float32)
            self._vectors = Vectors.of(rows, matrix)
        return self._vectors

    def _hits(
        self, conn: sqlite3.Connection, ranked: list[tuple[str, int, float]], terms: list[str]
    ) -> list[Hit]:
        hits = []
        for doc_id, chunk_id, score in ranked:
            doc = conn.execute(
                "SELECT kind, title, url, time, record_object, record_id, record_label FROM docs WHERE id = ?",
                (doc_id,),
            ).fetchone()
            chunk = conn.execute(
                "SELECT ordinal, text, speaker, start_seconds FROM chunks WHERE id = ?", (chunk_id,)
            ).fetchone()
            if doc is None or chunk is None:
                continue
            kind, title, url, time, obj, rid, label = doc
            hits.append(
                Hit(
                    doc_id=doc_id,
                    kind=kind,
                    title=title,
                    snippet=rank.snippet(chunk[1], terms),
                    score=score,
                    url=url,
                    time=time,
                    record=RecordRef(obj, rid, label) if obj and rid else None,
                    chunk=chunk[0],
                    speaker=chunk[2],
                    start_seconds=chunk[3],
                )
            )
        return hits
