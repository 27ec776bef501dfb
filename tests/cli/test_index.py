"""attio-mcp index build|status|delete against the embedded sandbox, with the index file in a temporary dir."""

from __future__ import annotations

from pathlib import Path

import pytest

from attio_mcp import cli


@pytest.fixture(autouse=True)
def _unpaced(monkeypatch: pytest.MonkeyPatch) -> None:
    """The in-process sandbox needs no pacing at Attio's 100 reads a second."""
    monkeypatch.setenv("ATTIO_READS_PER_SECOND", "2000")


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_build_status_delete(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "index", "status", "--sandbox", "--index-dir", str(tmp_path))
    assert code == 0 and "no index yet" in out and not list(tmp_path.iterdir())

    code, out, err = _run(capsys, "index", "build", "--sandbox", "--index-dir", str(tmp_path))
    assert code == 0, err
    assert "reading comment threads" in err and "index up to date" in err  # progress on stderr
    lines = dict(
        line.split(": ", 1) for line in out.splitlines() if ": " in line and not line.startswith("synced")
    )
    assert lines["docs"] == "comment 42, note 12, task 12, transcript 12"
    assert int(lines["chunks"]) > 78 and int(lines["bytes"]) > 0
    assert lines["model"].startswith("wordllama")
    [file] = tmp_path.glob("*.sqlite3")
    assert lines["path"] == str(file)
    assert "added 78, updated 0, unchanged 0" in out

    code, again, _ = _run(capsys, "--sandbox", "index", "build", "--index-dir", str(tmp_path))
    assert code == 0 and "added 0, updated 0, unchanged 78, deleted 0, chunks embedded 0" in again

    code, status, _ = _run(capsys, "index", "status", "--sandbox", "--index-dir", str(tmp_path))
    assert (
        code == 0
        and f"path: {file}" in status
        and "docs: comment 42, note 12, task 12, transcript 12" in status
    )
    assert "last sync: 20" in status

    code, out, _ = _run(capsys, "index", "delete", "--sandbox", "--index-dir", str(tmp_path))
    assert code == 0 and out.strip() == f"deleted {file}"
    assert not list(tmp_path.glob("*.sqlite3*"))
    code, out, _ = _run(capsys, "index", "delete", "--sandbox", "--index-dir", str(tmp_path))
    assert out.strip() == f"no index at {file}"


def test_the_in_memory_sandbox_stores_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "index", "delete", "--sandbox")
    assert code == 0 and "in memory" in out


def test_no_credentials_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "index", "status")
    assert code == 2 and out == "" and err.startswith("attio-mcp: ") and err.count("\n") == 1
