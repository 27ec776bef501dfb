"""The SQLite side of the search index: the schema, items as rows, the file, FTS5 and filter clauses.

Tables: ``docs`` (one row per item, its turns and metadata as JSON), ``chunks`` (the windows ``chunk_doc``
cuts, each with its embedding as a float16 BLOB, NULL until embedded), ``chunks_fts`` (FTS5 over each
chunk's title + context + text; rowid = the chunk's id; Porter stemming over unicode61, diacritics removed)
and ``state`` (key/value).
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from attio_mcp.workspace.search.model import Doc, DocKind, RecordRef, Turn

__all__ = [
    "transaction",
    "DOC_COLUMNS",
    "DROP",
    "IN_CHUNK",
    "RECORD_SEP",
    "ROW_META",
    "SearchIndexError",
    "doc_from_row",
    "doc_row",
    "file_size",
    "filters_sql",
    "parts",
    "private_file",
    "require_fts5",
    "reset",
    "statements",
    "TABLES",
]

IN_CHUNK = 500  # ids per ``IN (...)`` clause (SQLite allows 32766 parameters; keep statements small)
RECORD_SEP = "\x1f"  # between a record's object and id where one string holds both
# A chunk's id, its item's id and the item's filter fields, for ``Vectors.of`` (chunks AS c, docs AS d).
ROW_META = (
    "c.id, c.doc_id, d.kind, coalesce(d.record_object || char(31) || d.record_id, ''), coalesce(d.time, '')"
)

TABLES = """
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS docs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    version TEXT NOT NULL,
    url TEXT,
    time TEXT,
    record_object TEXT,
    record_id TEXT,
    record_label TEXT,
    context TEXT NOT NULL,
    turns TEXT NOT NULL,
    metadata TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS docs_by_kind ON docs (kind);
CREATE INDEX IF NOT EXISTS docs_by_record ON docs (record_object, record_id);
CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY,
    doc_id TEXT NOT NULL,
    ordinal INTEGER NOT NULL,
    text TEXT NOT NULL,
    speaker TEXT,
    start_seconds REAL,
    vector BLOB
);
CREATE INDEX IF NOT EXISTS chunks_by_doc ON chunks (doc_id, ordinal);
CREATE INDEX IF NOT EXISTS chunks_unembedded ON chunks (id) WHERE vector IS NULL;
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts
    USING fts5 (indexed, tokenize = 'porter unicode61 remove_diacritics 2');
"""
DROP = """
DROP TABLE IF EXISTS chunks_fts;
DROP TABLE IF EXISTS chunks;
DROP TABLE IF EXISTS docs;
DROP TABLE IF EXISTS state;
"""
DOC_COLUMNS = "id, kind, title, text, version, url, time, record_object, record_id, record_label, context, turns, metadata"


class SearchIndexError(RuntimeError):
    """The index cannot work here: SQLite without FTS5, a model that is not the index's, a closed index."""


def filters_sql(
    kinds: Collection[DocKind | str] | None, record: tuple[str, str] | None, since: str | None
) -> tuple[str, list[Any]]:
    """`` AND ...`` conditions on ``docs AS d``, and their parameters (``Vectors.mask`` tests the same)."""
    where, args = "", list[Any]()
    if kinds:
        where += f" AND d.kind IN ({', '.join('?' * len(kinds))})"
        args.extend(sorted(kinds))
    if record is not None:
        where += " AND d.record_object = ? AND d.record_id = ?"
        args.extend(record)
    if since:
        where += " AND d.time >= ?"
        args.append(since)
    return where, args


def doc_row(doc: Doc) -> tuple[Any, ...]:
    record = doc.record
    turns = [[t.speaker, t.start_seconds, t.text] for t in doc.turns]
    return (
        doc.id,
        doc.kind,
        doc.title,
        doc.text,
        doc.version,
        doc.url,
        doc.time,
        record.object if record else None,
        record.record_id if record else None,
        record.label if record else None,
        doc.context,
        json.dumps(turns, ensure_ascii=False),
        json.dumps(doc.metadata, ensure_ascii=False, sort_keys=True, default=str),
    )


def doc_from_row(row: Sequence[Any]) -> Doc:
    (doc_id, kind, title, text, version, url, time, obj, rid, label, context, turns, metadata) = row
    return Doc(
        id=doc_id,
        kind=kind,
        title=title,
        text=text,
        version=version,
        url=url,
        time=time,
        record=RecordRef(obj, rid, label) if obj and rid else None,
        context=context,
        turns=tuple(Turn(s, float(t), x) for s, t, x in json.loads(turns)),
        metadata=json.loads(metadata),
    )


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` (the write lock at once, so two writers queue instead of failing mid-way), then
    ``COMMIT``, or ``ROLLBACK`` when the block raises anything, a cancellation included."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def reset(conn: sqlite3.Connection) -> None:
    for statement in statements(DROP + TABLES):
        conn.execute(statement)


def statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


def parts(ids: list[str]) -> list[list[str]]:
    return [ids[i : i + IN_CHUNK] for i in range(0, len(ids), IN_CHUNK)]


def require_fts5(conn: sqlite3.Connection) -> None:
    try:
        conn.execute("CREATE VIRTUAL TABLE temp.fts5_probe USING fts5 (x)")
        conn.execute("DROP TABLE temp.fts5_probe")
    except sqlite3.OperationalError as exc:
        raise SearchIndexError(
            f"this Python's SQLite {sqlite3.sqlite_version} has no FTS5, which the search index needs;"
            " use a Python built with a standard SQLite (python.org, Homebrew, Debian/Ubuntu all have it)"
            " or turn the index off with --no-index"
        ) from exc


def private_file(path: Path) -> None:
    """Create ``path`` readable by its owner only (0600), and any missing parent directory as 0700."""
    missing = []
    parent = path.parent
    while not parent.exists():
        missing.append(parent)
        parent = parent.parent
    for directory in reversed(missing):
        directory.mkdir(mode=0o700, exist_ok=True)
        os.chmod(directory, 0o700)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def file_size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0
