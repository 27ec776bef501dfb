"""Optional SQLite write-through persistence for the sandbox (stdlib ``sqlite3``).

State is stored as JSON documents: ``docs(kind, id, seq, body)`` plus a ``meta`` key/value table. Every
mutation writes the touched documents and commits; :meth:`Persistence.batch` groups a burst of writes
(seeding) into one transaction.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["Persistence"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
"""


class Persistence:
    """A SQLite file holding the sandbox state as JSON documents."""

    def __init__(self, path: str) -> None:
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(_SCHEMA)
        self._lock = threading.RLock()
        self._depth = 0
        row = self._conn.execute("SELECT COALESCE(MAX(seq), 0) FROM docs").fetchone()
        self._seq = int(row[0])

    def is_empty(self) -> bool:
        """True when nothing has been stored yet (a fresh database)."""
        return self._conn.execute("SELECT 1 FROM meta LIMIT 1").fetchone() is None

    def load_meta(self) -> dict[str, Any]:
        return {k: json.loads(v) for k, v in self._conn.execute("SELECT key, value FROM meta")}

    def load(self, kind: str) -> list[dict[str, Any]]:
        """All documents of ``kind`` in first-written order."""
        rows = self._conn.execute("SELECT body FROM docs WHERE kind = ? ORDER BY seq", (kind,))
        return [json.loads(body) for (body,) in rows]

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Group writes into one transaction."""
        with self._lock:
            if self._depth == 0:
                self._conn.execute("BEGIN")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                if self._depth == 0:
                    self._conn.execute("ROLLBACK")
                raise
            self._depth -= 1
            if self._depth == 0:
                self._conn.execute("COMMIT")

    def put(self, kind: str, doc_id: str, body: dict[str, Any]) -> None:
        """Insert or replace a document (keeps its original order position)."""
        with self.batch():
            self._seq += 1
            self._conn.execute(
                "INSERT INTO docs (kind, id, seq, body) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (kind, id) DO UPDATE SET body = excluded.body",
                (kind, doc_id, self._seq, json.dumps(body, separators=(",", ":"))),
            )

    def delete(self, kind: str, doc_id: str) -> None:
        with self.batch():
            self._conn.execute("DELETE FROM docs WHERE kind = ? AND id = ?", (kind, doc_id))

    def put_meta(self, key: str, value: Any) -> None:
        with self.batch():
            self._conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, json.dumps(value)),
            )

    def close(self) -> None:
        with self._lock:
            self._conn.close()
