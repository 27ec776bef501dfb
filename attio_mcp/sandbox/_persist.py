"""Optional SQLite write-through persistence for the sandbox (stdlib ``sqlite3``).

State is stored as JSON documents: ``docs(kind, id, seq, body)`` plus a ``meta`` key/value table. Every
mutation writes the touched documents and commits; :meth:`Persistence.batch` groups a burst of writes
(seeding) into one transaction.

One process owns a database file at a time: the store keeps its state in memory and hands out ids from
there, so a second process on the same file would reuse ids and overwrite the first one's writes. An
exclusive lock on ``<path>.lock`` (held while the ``Persistence`` lives) makes the second one fail at once
with :class:`DatabaseInUse`.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks, the file is not guarded
    fcntl = None  # type: ignore[assignment]

__all__ = ["DatabaseInUse", "Persistence"]


class DatabaseInUse(RuntimeError):
    """Another process has the sandbox database open."""


_HELD: dict[str, list[int]] = {}  # lock path -> [descriptor, users in this process]
_HELD_GUARD = threading.Lock()


def _lock(path: str) -> str | None:
    """Take the exclusive, non-blocking lock on ``<path>.lock`` (shared by every ``Persistence`` of this
    process, so a restart simulated in one process still works); returns the lock path to release."""
    if fcntl is None or path == ":memory:" or path.startswith("file:"):
        return None
    lock_path = os.path.realpath(f"{path}.lock")
    with _HELD_GUARD:
        if lock_path in _HELD:
            _HELD[lock_path][1] += 1
            return lock_path
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode(errors="replace").strip() or "another process"
            os.close(fd)
            raise DatabaseInUse(
                f"the sandbox database {path} is in use by process {holder}; stop it, or use another --db file"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        _HELD[lock_path] = [fd, 1]
        return lock_path


def _unlock(lock_path: str | None) -> None:
    if lock_path is None:
        return
    with _HELD_GUARD:
        held = _HELD.get(lock_path)
        if held is None:
            return
        held[1] -= 1
        if held[1] == 0:
            del _HELD[lock_path]
            os.close(held[0])  # closing the descriptor releases the lock


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
        self._lock_path = _lock(path)
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
            _unlock(self._lock_path)
            self._lock_path = None
