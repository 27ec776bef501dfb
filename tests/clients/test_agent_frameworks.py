"""The README's agent-framework examples, run as they are, each in its framework's own virtualenv.

No LLM is involved: every example lists the tools and calls ``records_search`` on ``attio-mcp --sandbox``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from attio_mcp.tools import ALL_TOOLS
from tests.clients._support import (
    CLAUDE_CODE,
    CLIENT_ENVS,
    INSPECTOR,
    MCPB,
    ClientVenvs,
    base_env,
    clients_section,
    readme_examples,
    run,
)

FRAMEWORKS = ("openai-agents", "pydantic-ai", "langchain")


@pytest.mark.parametrize("name", FRAMEWORKS)
def test_example_compiles(name: str) -> None:
    example = readme_examples()[name]
    assert example.lang == "python"
    compile(example.code, f"README:{name}", "exec")


@pytest.mark.parametrize("name", FRAMEWORKS)
def test_readme_example_runs(name: str, client_venvs: ClientVenvs, tmp_path: Path) -> None:
    script = tmp_path / f"{name.replace('-', '_')}_example.py"
    script.write_text(readme_examples()[name].code)
    python = client_venvs.python(name)
    # The example starts "attio-mcp" from PATH, as a user's shell would; tracing off so nothing phones home.
    env = base_env(OPENAI_AGENTS_DISABLE_TRACING="1", LANGSMITH_TRACING="false")
    proc = run([str(python), str(script)], env=env, timeout=180, cwd=tmp_path)
    lines = proc.stdout.splitlines()
    assert lines[0].startswith(f"{len(ALL_TOOLS)} tools"), proc.stdout
    assert re.fullmatch(r"found: \[.*'Acme Inc'.*\]", lines[-1]), proc.stdout


def test_readme_names_the_tested_versions() -> None:
    text = " ".join(clients_section().split())
    for spec in (s for specs in CLIENT_ENVS.values() for s in specs):
        name, _, version = spec.partition("==")
        if name == "uv":
            continue
        assert f"{name.split('[')[0]} {version}" in text, f"README Clients intro should name {spec}"
    for pkg in (INSPECTOR, MCPB, CLAUDE_CODE):
        assert pkg.rsplit("@", 1)[1] in text, pkg
