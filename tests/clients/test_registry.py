"""server.json (MCP Registry) describes the PyPI package this repo builds, with the variables it really reads."""

from __future__ import annotations

import json
import re
import tomllib

from attio_mcp.server.oauth import MCP_PATH
from attio_mcp.toolsets import TOOLSET_IDS
from tests.clients._support import REPO, clients_section

SERVER = json.loads((REPO / "server.json").read_text())
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
SETTINGS_SOURCE = (REPO / "attio_mcp" / "server" / "settings.py").read_text()
FORMATS = {"string", "number", "boolean", "filepath"}


def test_server_identity() -> None:
    assert SERVER["$schema"].startswith("https://static.modelcontextprotocol.io/schemas/")
    assert re.fullmatch(r"[a-zA-Z0-9.-]+/[a-zA-Z0-9._-]+", SERVER["name"])
    assert 1 <= len(SERVER["description"]) <= 100 and 1 <= len(SERVER.get("title", "x")) <= 100
    assert SERVER["version"] == PYPROJECT["version"]
    assert SERVER["repository"]["url"] == PYPROJECT["urls"]["Homepage"]
    # The registry verifies PyPI ownership by finding this line in the package README.
    assert f"mcp-name: {SERVER['name']}" in clients_section()


def test_pypi_package_matches_pyproject() -> None:
    (package,) = SERVER["packages"]
    assert package["registryType"] == "pypi" and package["registryBaseUrl"] == "https://pypi.org"
    assert package["identifier"] == PYPROJECT["name"]
    assert package["version"] == PYPROJECT["version"]
    assert package["transport"] == {"type": "stdio"}
    assert package["runtimeHint"] == "uvx" and "attio-mcp" in PYPROJECT["scripts"]


def test_environment_variables_are_real_settings() -> None:
    variables = {v["name"]: v for v in SERVER["packages"][0]["environmentVariables"]}
    key = variables["ATTIO_API_KEY"]
    assert key["isSecret"] is True and key["isRequired"] is True
    assert "ATTIO_BASE_URL" in variables
    for name, var in variables.items():
        assert f'"{name}"' in SETTINGS_SOURCE, f"{name} is not read by attio_mcp/server/settings.py"
        assert var["description"] and var.get("format", "string") in FORMATS
        assert name == "ATTIO_API_KEY" or var.get("isRequired") is False
        for field in ("default", "value"):
            assert isinstance(var.get(field, ""), str), f"{name}.{field} must be a string"
        if "choices" in var:
            assert var["default"] in var["choices"]


def test_schema_is_one_with_remote_variables() -> None:
    """``remotes[].variables`` (the deployment's host) came with the 2025-12-11 schema."""
    version = SERVER["$schema"].split("/schemas/", 1)[1].split("/", 1)[0]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", version) and version >= "2025-12-11"


def test_toolsets_variable_lists_every_toolset() -> None:
    variables = {v["name"]: v for v in SERVER["packages"][0]["environmentVariables"]}
    toolsets = variables["ATTIO_MCP_TOOLSETS"]
    assert toolsets["default"] == ",".join(TOOLSET_IDS)
    assert toolsets["description"].endswith(",".join(TOOLSET_IDS))


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{([a-zA-Z_][a-zA-Z0-9_]*)\}", text))


def test_remote_is_the_http_mode() -> None:
    """One streamable-HTTP remote: the deployment's https host (a variable the user fills in) and the path the
    server serves MCP at; no header is required (sign-in needs none), the optional one is the shared token."""
    (remote,) = SERVER["remotes"]
    assert remote["type"] == "streamable-http"
    url = remote["url"]
    assert url.startswith("https://") and url.endswith(MCP_PATH)
    assert _placeholders(url) == set(remote["variables"]) == {"host"}
    assert all(v["description"] and v.get("isRequired") is True for v in remote["variables"].values())
    for header in remote.get("headers", []):
        assert header["name"] == "Authorization" and header.get("isRequired") is False
        assert header["isSecret"] is True and header["value"].startswith("Bearer ")
        assert _placeholders(header["value"]) == set(header["variables"])
        assert "ATTIO_MCP_HTTP_TOKEN" in header["description"] and "--oauth" in header["description"]
