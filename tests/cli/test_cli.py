from __future__ import annotations

import io
import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from attio_mcp import __version__, cli
from attio_mcp.cli import cmd_serve
from attio_mcp.server.settings import Settings


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
    settings = cmd_serve.settings_from_args(parser.parse_args(["--read-only", "serve"]))
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


class _Stdin(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize(
    ("argv", "tty", "hint"),
    [
        (["--sandbox"], True, True),
        (["serve", "--sandbox"], True, True),
        (["--sandbox"], False, False),  # started by an MCP client: stdin is a pipe
        (["--sandbox", "--transport", "http"], True, False),  # HTTP does not read stdin
    ],
)
def test_tty_hint_when_started_by_hand(
    argv: list[str],
    tty: bool,
    hint: bool,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from attio_mcp.server import transports

    served: list[Settings] = []
    monkeypatch.setattr(transports, "serve", served.append)
    monkeypatch.setattr(cmd_serve, "configure_logging", lambda *a, **k: None)  # keep pytest's handlers
    monkeypatch.setattr(sys, "stdin", _Stdin(tty))
    assert cli.main(argv) == 0
    assert len(served) == 1 and served[0].sandbox  # serves exactly as before
    out, err = capsys.readouterr()
    assert out == ""  # stdout belongs to the protocol
    if hint:
        assert err == cmd_serve.TTY_HINT and err.count("\n") == 1
        assert "MCP over stdio" in err and "attio-mcp demo" in err
        assert (
            "npx -y @modelcontextprotocol/inspector@0.15.0 --cli attio-mcp --sandbox --method tools/list"
            in err
        )
    else:
        assert err == ""


def _read_line(fd: int, buffer: bytearray, timeout: float = 30.0) -> bytes:
    deadline = time.monotonic() + timeout
    while b"\n" not in buffer:
        left = deadline - time.monotonic()
        assert left > 0, f"no line within {timeout} s; got {bytes(buffer)!r}"
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            chunk = os.read(fd, 65536)
            assert chunk, f"stream closed; got {bytes(buffer)!r}"
            buffer += chunk
    line, _, rest = bytes(buffer).partition(b"\n")
    buffer[:] = rest
    return line


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_tty_hint_then_serves_on_a_real_terminal() -> None:
    """``attio-mcp --sandbox`` with a terminal on stdin: the hint on stderr, then MCP as usual."""
    import tty

    master, slave = os.openpty()
    tty.setraw(slave)  # no echo, no line editing: bytes pass through as a client would send them
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATTIO_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "attio_mcp", "--sandbox", "--log-level", "WARNING"],
        stdin=slave,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    os.close(slave)
    assert proc.stdout is not None and proc.stderr is not None
    try:
        err = bytearray()
        assert _read_line(proc.stderr.fileno(), err).decode() + "\n" == cmd_serve.TTY_HINT
        init = {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": {"name": "t", "version": "1"},
            },
        }
        os.write(master, json.dumps(init).encode() + b"\n")
        answer = json.loads(_read_line(proc.stdout.fileno(), bytearray()))
        assert answer["id"] == 1 and answer["result"]["serverInfo"]["name"] == "attio-mcp"
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        os.close(master)
