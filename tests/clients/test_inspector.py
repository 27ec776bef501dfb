"""The MCP Inspector CLI (pinned 0.15.0, the newest on Node 20) runs the README's lines against the sandbox."""

from __future__ import annotations

import json
import shlex

import pytest

from attio_mcp.tools import ALL_TOOLS
from tests.clients._support import (
    INSPECTOR,
    Example,
    background,
    free_port,
    inspector,
    npm_env,
    readme_examples,
    run_json,
    tool_payload,
)

STDIO_LINES = readme_examples()["inspector"].lines()


def _argv(line: str, npx: str) -> list[str]:
    argv = shlex.split(line)
    assert argv[:3] == ["npx", "-y", INSPECTOR], f"README Inspector lines must pin {INSPECTOR}: {line}"
    return [npx, *argv[1:]]


def _option(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def _check(argv: list[str], answer: dict) -> None:
    method = _option(argv, "--method")
    if method == "tools/list":
        names = {t["name"] for t in answer["tools"]}
        assert names == set(ALL_TOOLS)
        search = next(t for t in answer["tools"] if t["name"] == "records_search")
        assert search["annotations"]["readOnlyHint"] is True
        assert "resource_type" in search["inputSchema"]["required"]
    elif method == "tools/call" and _option(argv, "--tool-name") == "records_search":
        names = [r.get("name") for r in tool_payload(answer)["records"]]
        assert "Acme Inc" in names
    elif method == "tools/call" and _option(argv, "--tool-name") == "records_create":
        created = tool_payload(answer)
        data = json.loads(next(a for a in argv if a.startswith("data=")).split("=", 1)[1])
        assert created["object"] == "companies" and created["id"]
        assert created["name"] == data["name"] and created["domains"] == data["domains"]
    elif method == "resources/read":
        content = answer["contents"][0]
        assert content["uri"] == _option(argv, "--uri")
        assert content["mimeType"] == "text/markdown"
        assert "records_search" in content["text"] and "list_entries_add" in content["text"]
    elif method == "prompts/get":
        text = answer["messages"][0]["content"]["text"]
        assert '"Q4 Enterprise Deal"' in text and "records_create" in text and "Acme" in text
    else:
        raise AssertionError(f"no check for README line with method {method}")


def test_readme_lists_every_required_method() -> None:
    methods = [(_option(shlex.split(line), "--method"), shlex.split(line)) for line in STDIO_LINES]
    called = {_option(argv, "--tool-name") for m, argv in methods if m == "tools/call"}
    assert {m for m, _ in methods} == {"tools/list", "tools/call", "resources/read", "prompts/get"}
    assert {"records_search", "records_create"} <= called


def _line_id(line: str) -> str:
    argv = shlex.split(line)
    method = _option(argv, "--method")
    return f"{method}:{_option(argv, '--tool-name')}" if method == "tools/call" else method


@pytest.mark.parametrize("line", STDIO_LINES, ids=[_line_id(x) for x in STDIO_LINES])
def test_inspector_stdio_readme_line(npx: str, line: str) -> None:
    argv = _argv(line, npx)
    # Run exactly the README line; "attio-mcp" resolves to this venv's console script through PATH.
    answer = run_json(argv, env=npm_env(), timeout=300)
    _check(argv, answer)


def test_inspector_streamable_http(npx: str) -> None:
    example: Example = readme_examples()["inspector-http"]
    serve_line, inspect_line = example.lines()
    serve = shlex.split(serve_line.removesuffix("&").strip())
    assert serve[:2] == ["attio-mcp", "--sandbox"] and "--transport" in serve
    port = free_port()
    serve[serve.index("--port") + 1] = str(port)
    url = f"http://127.0.0.1:{port}/mcp"
    with background(serve, ready_url=f"http://127.0.0.1:{port}/healthz"):
        argv = [a.replace("http://127.0.0.1:8000/mcp", url) for a in _argv(inspect_line, npx)]
        listed = run_json(argv, env=npm_env(), timeout=300)
        assert {t["name"] for t in listed["tools"]} == set(ALL_TOOLS)
        call = "--transport http --method tools/call --tool-name records_search --tool-arg resource_type=companies"
        called = inspector(npx, url, *shlex.split(call), "--tool-arg", "query=Acme")
        assert "Acme Inc" in [r.get("name") for r in tool_payload(called)["records"]]
