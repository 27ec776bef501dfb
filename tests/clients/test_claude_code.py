"""Claude Code (pinned 2.0.50, runs on Node 20) adds the server with the README's lines and connects to it.

``claude mcp list`` starts every configured server and reports "✓ Connected" only after a real MCP
handshake. HOME points at a temporary directory, so the developer's own Claude Code config is untouched.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path

from tests.clients._support import CLAUDE_CODE, npm_env, readme_examples, run


def test_readme_claude_code_lines(npx: str, sandbox_api: str, tmp_path: Path) -> None:
    home, project = tmp_path / "home", tmp_path / "project"
    home.mkdir()
    project.mkdir()
    # ATTIO_BASE_URL keeps the keyed entry pointed at the local emulator, should anything call Attio.
    env = npm_env(HOME=str(home), ATTIO_BASE_URL=sandbox_api)
    outputs = []
    for line in readme_examples()["claude-code"].lines():
        argv = shlex.split(line)
        assert argv[0] == "claude", line
        outputs.append(run([npx, "-y", CLAUDE_CODE, *argv[1:]], env=env, cwd=project, timeout=300).stdout)

    listed = "\n".join(" ".join(line.split()) for line in outputs[-1].splitlines())
    assert "attio: attio-mcp - ✓ Connected" in listed, listed
    assert "attio-demo: attio-mcp --sandbox - ✓ Connected" in listed, listed

    state = json.loads((home / ".claude.json").read_text())
    servers = state["projects"][str(project)]["mcpServers"]
    assert servers["attio"] == {
        "type": "stdio",
        "command": "attio-mcp",
        "args": [],
        "env": {"ATTIO_API_KEY": "your-attio-api-key"},
    }
    assert servers["attio-demo"]["args"] == ["--sandbox"]
