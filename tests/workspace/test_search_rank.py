"""Query sanitising, rank fusion, snippets and index file paths."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from attio_mcp.workspace.search import rank
from attio_mcp.workspace.search.paths import default_index_dir, index_file


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("pricing concerns", '"pricing" OR "concerns" OR "concerns"* OR "pricing concerns"'),
        ("pricing concerns ", '"pricing" OR "concerns" OR "pricing concerns"'),
        ('NEAR("a" b) AND c*', '"near" OR "b" OR "c" OR "near a b and c"'),  # "a" and "and" are common words
        ("what did the CFO say?", '"cfo" OR "say" OR "what did the cfo say"'),
        ("the", '"the" OR "the"*'),
        ("x:y ^z -w", '"x" OR "y" OR "z" OR "w" OR "x y z w"'),
        ("soc_2", '"soc" OR "2" OR "soc 2"'),
        (
            "one two three four five six seven eight nine ",
            " OR ".join(f'"{w}"' for w in "one two three four five six seven eight nine".split()),
        ),  # too long for a phrase
        ("", None),
        ('"*()^', None),
    ],
)
def test_fts_query_quotes_words_and_drops_syntax(query: str, expected: str | None) -> None:
    assert rank.fts_query(query) == expected


def test_fts_query_is_valid_fts5_for_hostile_input() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5 (x, tokenize = 'porter unicode61 remove_diacritics 2')")
    conn.execute("INSERT INTO t VALUES ('and or not near the café')")
    for query in ["AND", "OR", "NOT x", "NEAR(a b, 3)", '"x', "col:x", "{x y}: z", "x + y", "a*b*c", "Café"]:
        match = rank.fts_query(query)
        assert match is not None
        conn.execute("SELECT rowid FROM t WHERE t MATCH ?", (match,)).fetchall()  # raises on bad syntax
    assert conn.execute("SELECT count(*) FROM t WHERE t MATCH ?", (rank.fts_query("cafe"),)).fetchone() == (
        1,
    )


def test_query_terms_cap_and_dedupe() -> None:
    assert rank.query_terms("Budget budget BUDGET talks") == ["budget", "talks"]
    assert len(rank.query_terms(" ".join(f"w{i}" for i in range(100)))) == rank.MAX_TERMS


def test_fuse_rewards_agreement_and_keeps_single_list_items() -> None:
    fused = rank.fuse([["a", "b", "c"], ["d", "b", "a"]], k=20)
    order = [item for item, _ in fused]
    assert order[:2] == ["a", "b"]  # both lists found them
    assert set(order) == {"a", "b", "c", "d"}
    score = dict(fused)
    assert score["a"] == pytest.approx(1 / 21 + 1 / 23)
    assert score["d"] == pytest.approx(1 / 21)
    assert score["c"] == pytest.approx(1 / 23)


def test_fuse_weights_and_ties() -> None:
    assert [i for i, _ in rank.fuse([["a"], ["b"]])] == ["a", "b"]  # a tie keeps the first list first
    assert [i for i, _ in rank.fuse([["a"], ["b"]], weights=[1.0, 2.0])] == ["b", "a"]
    with pytest.raises(ValueError):
        rank.fuse([["a"]], weights=[1.0, 1.0])


def test_snippet_centres_on_the_first_matching_word() -> None:
    text = " ".join(f"filler{i}" for i in range(80)) + " their pricing was too high " + "tail " * 60
    out = rank.snippet(text, ["price"])
    assert "pricing was too high" in out
    assert out.startswith("…") and out.endswith("…")
    assert len(out) <= rank.SNIPPET_CHARS + 2
    assert rank.snippet("short text", ["x"]) == "short text"
    assert rank.snippet(text, ["nomatch"]).startswith("filler0 ")


def test_default_index_dir_per_platform(tmp_path: Path) -> None:
    home = Path.home()
    assert default_index_dir({}, "linux") == home / ".cache" / "attio-mcp" / "index"
    assert default_index_dir({"XDG_CACHE_HOME": str(tmp_path)}, "linux") == tmp_path / "attio-mcp" / "index"
    assert (
        default_index_dir({"XDG_CACHE_HOME": "relative/dir"}, "linux")
        == home / ".cache" / "attio-mcp" / "index"
    )
    assert default_index_dir({}, "darwin") == home / "Library" / "Caches" / "attio-mcp" / "index"
    assert default_index_dir({"LOCALAPPDATA": str(tmp_path)}, "win32") == tmp_path / "attio-mcp" / "index"
    assert default_index_dir({}, "win32") == home / "AppData" / "Local" / "attio-mcp" / "index"


def test_index_file_keeps_the_stem_inside_the_directory(tmp_path: Path) -> None:
    assert index_file(tmp_path, "ws-123-abcd") == tmp_path / "ws-123-abcd.sqlite3"
    assert index_file(tmp_path, "../../etc/passwd").parent == tmp_path
    assert index_file(tmp_path, "..").name == "index.sqlite3"
    assert index_file(tmp_path, "a b/c").name == "a_b_c.sqlite3"
