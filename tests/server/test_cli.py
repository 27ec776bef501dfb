from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from attio_mcp import __version__
from attio_mcp.server import cli


def test_version_matches_metadata(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"attio-mcp {__version__}"
    assert __version__ != "0.0.0+unknown"


def test_help_lists_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    out = capsys.readouterr().out
    for word in ("serve", "sandbox", "--sandbox", "--read-only", "--transport"):
        assert word in out


def test_missing_key_is_one_clear_line() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "attio_mcp"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin"},
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "ATTIO_API_KEY" in lines[0] and "attio-mcp --sandbox" in lines[0]
    assert "Traceback" not in proc.stderr


def test_non_loopback_http_without_token_refuses() -> None:
    code = cli.main(["serve", "--sandbox", "--transport", "http", "--host", "0.0.0.0"])
    assert code == 2


def test_bad_fault_spec_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["sandbox", "serve", "--faults", "429=lots"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("attio-mcp: --faults:") and "429" in err and "\n" not in err


def test_embedded_sandbox_token_matches_the_sandbox() -> None:
    from attio_mcp.sandbox import DEMO_TOKEN
    from attio_mcp.server.app import SANDBOX_TOKEN

    assert SANDBOX_TOKEN == DEMO_TOKEN


def test_serve_flags_before_the_command_are_kept() -> None:
    parser = cli.build_parser()
    args = parser.parse_args(["--sandbox", "--read-only", "--toolsets", "records", "serve"])
    assert (args.sandbox, args.read_only, args.toolsets) == (True, True, "records")
    args = parser.parse_args(["serve", "--read-only"])
    assert args.read_only is True and args.sandbox is None
    settings = cli._settings(parser.parse_args(["--read-only", "serve"]))
    assert settings.read_only is True


def test_sandbox_flag_before_skills_export_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in (
        "ATTIO_API_KEY",
        "ATTIO_ACCESS_TOKEN",
        "ATTIO_SANDBOX",
        "ATTIO_SANDBOX_DB",
        "ATTIO_BASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    out = tmp_path / "skills"
    assert cli.main(["--sandbox", "skills", "export", str(out)]) == 0, capsys.readouterr().err
    assert (out / "attio-workspace-schema" / "SKILL.md").is_file()
