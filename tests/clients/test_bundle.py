"""The MCP Bundle: manifest.json validates with mcpb 2.1.2, packs, and the packed bundle's command serves.

The bundle's ``mcp_config`` is what Claude Desktop runs after installing the .mcpb: ``uv run --directory
<bundle> attio-mcp`` with the user's key in ``env``. The test fills in ``${__dirname}`` and ``${user_config.*}``
as the host would and starts it through the Inspector's config mode.
"""

from __future__ import annotations

import json
import re
import shlex
import tomllib
import zipfile
from pathlib import Path

from attio_mcp.tools import ALL_TOOLS
from tests.clients._support import (
    CLIENT_VENVS_DIR,
    MCPB,
    REPO,
    ClientVenvs,
    inspector,
    npm_env,
    readme_examples,
    run,
    tool_payload,
)

MANIFEST = json.loads((REPO / "manifest.json").read_text())
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
SETTINGS_SOURCE = (REPO / "attio_mcp" / "server" / "settings.py").read_text()


def test_manifest_describes_this_package() -> None:
    assert MANIFEST["manifest_version"] == "0.4"
    assert MANIFEST["name"] == PYPROJECT["name"] and MANIFEST["version"] == PYPROJECT["version"]
    server = MANIFEST["server"]
    assert server["type"] == "uv" and (REPO / server["entry_point"]).is_file()
    config = server["mcp_config"]
    assert config["command"] == "uv"
    assert config["args"] == ["run", "--directory", "${__dirname}", "attio-mcp"]
    assert config["env"]["ATTIO_API_KEY"] == "${user_config.api_key}"
    for name, value in config["env"].items():
        assert f'"{name}"' in SETTINGS_SOURCE, f"{name} is not a variable the server reads"
        key = re.fullmatch(r"\$\{user_config\.(\w+)\}", value)
        assert key and key[1] in MANIFEST["user_config"], value
    api_key = MANIFEST["user_config"]["api_key"]
    assert api_key["type"] == "string" and api_key["sensitive"] is True and api_key["required"] is True
    assert {t["name"] for t in MANIFEST["tools"]} == set(ALL_TOOLS)  # content: test_tool_docs


def _bundle_config(bundle: Path, uv: Path, tmp: Path, sandbox_api: str, read_only: str) -> Path:
    """A Claude Desktop style config holding the bundle's mcp_config with its placeholders filled in."""
    values = {"${__dirname}": str(bundle), "${user_config.api_key}": "bundle-test-key"}
    values["${user_config.read_only}"] = read_only
    config = MANIFEST["server"]["mcp_config"]
    args = [values.get(a, a) for a in config["args"]]
    env = {k: values.get(v, v) for k, v in config["env"].items()}
    env.update(ATTIO_BASE_URL=sandbox_api, UV_CACHE_DIR=str(CLIENT_VENVS_DIR / "uv-cache"))
    path = tmp / f"bundle-{read_only}.json"
    path.write_text(json.dumps({"mcpServers": {"attio": {"command": str(uv), "args": args, "env": env}}}))
    return path


def test_readme_pack_lines_and_bundle_serves(
    npx: str, sandbox_api: str, client_venvs: ClientVenvs, tmp_path: Path
) -> None:
    out = tmp_path / "attio-mcp.mcpb"
    outputs = []
    for line in readme_examples()["mcpb"].lines():
        argv = shlex.split(line)
        assert argv[:3] == ["npx", "-y", MCPB], line
        argv = [npx, *(str(out) if a == "attio-mcp.mcpb" else a for a in argv[1:])]
        outputs.append(run(argv, env=npm_env(), cwd=REPO, timeout=300).stdout)
    assert "Manifest schema validation passes!" in outputs[0]
    assert "name: attio-mcp" in outputs[1] and f"version: {PYPROJECT['version']}" in outputs[1]
    assert "File: attio-mcp.mcpb" in outputs[2]

    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
        zf.extractall(tmp_path / "bundle")
    for needed in ("manifest.json", "pyproject.toml", "README.md", "attio_mcp/__main__.py"):
        assert needed in names
    assert "attio_mcp/skills/integration-patterns.md" in names
    leaked = [n for n in names if n.split("/")[0] in {"tests", ".venv", ".git", ".npm-cache", "scripts"}]
    assert not leaked and not any("__pycache__" in n for n in names), leaked

    uv = client_venvs.bin("uv", "uv")
    config = _bundle_config(tmp_path / "bundle", uv, tmp_path, sandbox_api, read_only="false")
    listed = inspector(npx, "--config", str(config), "--server", "attio", "--method", "tools/list")
    assert {t["name"] for t in listed["tools"]} == set(ALL_TOOLS)
    who = inspector(
        npx, "--config", str(config), "--server", "attio", "--method", "tools/call", "--tool-name", "whoami"
    )
    assert tool_payload(who)["workspace"]["name"] == "Demo Sales Co"

    config = _bundle_config(tmp_path / "bundle", uv, tmp_path, sandbox_api, read_only="true")
    listed = inspector(npx, "--config", str(config), "--server", "attio", "--method", "tools/list")
    names_ro = {t["name"] for t in listed["tools"]}
    assert names_ro == {n for n, spec in ALL_TOOLS.items() if spec.read_only}
