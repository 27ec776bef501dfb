"""Claude Desktop: the README's config entries are launched by a real client, and install-claude merges safely.

Claude Desktop itself cannot run here; the MCP Inspector's ``--config FILE --server NAME`` mode starts a
server from a ``claude_desktop_config.json`` the same way (command, args, env). The key in ``env`` is
checked end to end: the server sends it to an emulated Attio API over HTTP (``ATTIO_BASE_URL`` is the only
test-only addition), and ``whoami`` answers with that workspace.
"""

from __future__ import annotations

import json
import stat
import subprocess
from pathlib import Path

import pytest

from attio_mcp import cli
from attio_mcp.cli.cmd_install import default_config_path
from attio_mcp.tools import ALL_TOOLS
from tests.clients._support import (
    ATTIO_MCP,
    CLIENT_VENVS_DIR,
    REPO,
    ClientVenvs,
    base_env,
    inspector,
    readme_examples,
    tool_payload,
)

PLACEHOLDER_KEY = "your-attio-api-key"


def _snippet(name: str) -> dict:
    example = readme_examples()[name]
    assert example.lang == "json"
    config = json.loads(example.code)
    entry = config["mcpServers"]["attio"]
    assert entry["env"] == {"ATTIO_API_KEY": PLACEHOLDER_KEY}
    return entry


def _launch(npx: str, config: Path, server: str = "attio") -> tuple[dict, dict]:
    """tools/list and whoami through the Inspector, started from the config file like Claude Desktop does."""
    listed = inspector(npx, "--config", str(config), "--server", server, "--method", "tools/list")
    who = inspector(
        npx, "--config", str(config), "--server", server, "--method", "tools/call", "--tool-name", "whoami"
    )
    return listed, tool_payload(who)


def test_venv_entry_runs(npx: str, sandbox_api: str, tmp_path: Path) -> None:
    entry = _snippet("claude-desktop-venv")
    assert entry["command"] == "/absolute/path/to/attio-mcp/.venv/bin/attio-mcp" and entry["args"] == []
    entry["command"] = str(ATTIO_MCP)
    entry["env"]["ATTIO_BASE_URL"] = sandbox_api
    config = tmp_path / "claude_desktop_config.json"
    config.write_text(json.dumps({"mcpServers": {"attio": entry}}))
    listed, who = _launch(npx, config)
    assert {t["name"] for t in listed["tools"]} == set(ALL_TOOLS)
    assert who["active"] is True and who["workspace"]["name"] == "Demo Sales Co"


def test_uvx_entry_runs(npx: str, sandbox_api: str, client_venvs: ClientVenvs, tmp_path: Path) -> None:
    entry = _snippet("claude-desktop-uvx")
    assert entry["command"] == "uvx" and entry["args"] == ["attio-mcp"]
    # attio-mcp is not on PyPI yet: run the README's checkout form (--from) of the same entry.
    # --refresh-package makes uv rebuild this checkout instead of reusing a build from an older tree.
    entry["command"] = str(client_venvs.bin("uv", "uvx"))
    entry["args"] = ["--from", str(REPO), "--refresh-package", "attio-mcp", *entry["args"]]
    entry["env"].update(ATTIO_BASE_URL=sandbox_api, UV_CACHE_DIR=str(CLIENT_VENVS_DIR / "uv-cache"))
    config = tmp_path / "claude_desktop_config.json"
    config.write_text(json.dumps({"mcpServers": {"attio": entry}}))
    listed, who = _launch(npx, config)
    assert {t["name"] for t in listed["tools"]} == set(ALL_TOOLS)
    assert who["workspace"]["slug"] == "demo-sales-co"


def test_readme_install_claude_lines_merge_and_back_up(npx: str, tmp_path: Path) -> None:
    home = tmp_path / "home"
    config = default_config_path(home=home)  # where install-claude writes without --config
    config.parent.mkdir(parents=True)
    original = {
        "mcpServers": {"other": {"command": "other-server", "args": ["--x"]}},
        "globalShortcut": "Alt+Space",
    }
    config.write_text(json.dumps(original))
    keyed, sandboxed = readme_examples()["install-claude"].lines()

    proc = subprocess.run(
        ["bash", "-c", keyed], env=base_env(HOME=str(home)), capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert PLACEHOLDER_KEY not in proc.stdout  # the key is never echoed
    data = json.loads(config.read_text())
    assert (
        data["globalShortcut"] == "Alt+Space"
        and data["mcpServers"]["other"] == original["mcpServers"]["other"]
    )
    assert data["mcpServers"]["attio"] == {
        "command": str(ATTIO_MCP),
        "args": [],
        "env": {"ATTIO_API_KEY": PLACEHOLDER_KEY},
    }
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    backups = sorted(config.parent.glob("claude_desktop_config.json.*.bak"))
    assert len(backups) == 1 and json.loads(backups[0].read_text()) == original

    proc = subprocess.run(
        ["bash", "-c", sandboxed], env=base_env(HOME=str(home)), capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads(config.read_text())
    assert data["mcpServers"]["attio"] == {"command": str(ATTIO_MCP), "args": ["--sandbox"]}
    assert "other" in data["mcpServers"]
    assert len(list(config.parent.glob("claude_desktop_config.json.*.bak"))) == 2

    # The entry install-claude wrote starts a working server.
    listed, who = _launch(npx, config)
    assert {t["name"] for t in listed["tools"]} == set(ALL_TOOLS)
    assert who["workspace"]["name"] == "Demo Sales Co"


def _install(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = cli.main(["install-claude", *argv])
    return code, capsys.readouterr().out


def test_invalid_config_is_never_clobbered(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "claude_desktop_config.json"
    config.write_text('{"mcpServers": {"other": {"command": "x"}},')  # broken by hand
    code, out = _install(["--sandbox", "--config", str(config)], capsys)
    assert code == 1 and "not valid JSON" in out
    assert config.read_text() == '{"mcpServers": {"other": {"command": "x"}},'
    assert list(tmp_path.iterdir()) == [config]


def test_rerun_is_a_no_op_and_flags_reach_the_entry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "sub" / "claude_desktop_config.json"
    args = [
        "--sandbox",
        "--config",
        str(config),
        "--name",
        "crm",
        "--read-only",
        "--toolsets",
        "records,notes",
    ]
    code, out = _install(args, capsys)
    assert code == 0 and "added server 'crm'" in out
    entry = json.loads(config.read_text())["mcpServers"]["crm"]
    assert entry["args"] == ["--sandbox", "--read-only", "--toolsets", "records,notes"]
    code, out = _install(args, capsys)
    assert code == 0 and "already up to date" in out
    assert not list(config.parent.glob("*.bak"))


def test_uvx_dry_run_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATTIO_API_KEY", "secret-value-123")
    config = tmp_path / "claude_desktop_config.json"
    code, out = _install(["--uvx", "--dry-run", "--config", str(config)], capsys)
    assert code == 0 and not config.exists()
    assert '"command": "uvx"' in out and '"attio-mcp"' in out
    assert "secret-value-123" not in out and "(hidden)" in out


def test_missing_key_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "claude_desktop_config.json"
    code = cli.main(["install-claude", "--config", str(config)])
    out = capsys.readouterr().out
    assert code == 2 and "ATTIO_API_KEY" in out and "--sandbox" in out
    assert not config.exists()


@pytest.mark.parametrize(
    ("system", "tail"),
    [
        ("Darwin", "Library/Application Support/Claude/claude_desktop_config.json"),
        ("Windows", "AppData/Roaming/Claude/claude_desktop_config.json"),
        ("Linux", ".config/Claude/claude_desktop_config.json"),
    ],
)
def test_default_config_path(system: str, tail: str) -> None:
    assert default_config_path(system, Path("/home/u")) == Path("/home/u") / tail
