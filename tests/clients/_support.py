"""Helpers for the real-client tests: README examples, subprocesses, npx packages and client virtualenvs."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
VENV_BIN = Path(sys.executable).parent
ATTIO_MCP = VENV_BIN / "attio-mcp"

# Pinned npm packages: the newest releases whose engines accept Node 20.
INSPECTOR = "@modelcontextprotocol/inspector@0.15.0"
MCPB = "@anthropic-ai/mcpb@2.1.2"
CLAUDE_CODE = "@anthropic-ai/claude-code@2.0.50"

# One virtualenv per client framework, so the main install stays lean and the frameworks' own pins
# (langchain-mcp-adapters needs mcp<2) cannot clash.
CLIENT_ENVS: dict[str, tuple[str, ...]] = {
    "openai-agents": ("openai-agents==0.24.0",),
    "pydantic-ai": ("pydantic-ai-slim[mcp]==2.68.0",),
    "langchain": ("langchain-mcp-adapters==0.3.2",),
    "uv": ("uv==0.13.8",),
}
CLIENT_VENVS_DIR = Path(os.environ.get("ATTIO_CLIENTS_VENVS") or REPO / ".venv-clients")
NPM_CACHE = Path(os.environ.get("npm_config_cache") or REPO / ".npm-cache")

_ATTIO_PREFIXES = ("ATTIO_API_KEY", "ATTIO_ACCESS_TOKEN", "ATTIO_BASE_URL", "ATTIO_SANDBOX", "ATTIO_MCP_")
NPX_TIMEOUT = 300  # the first run downloads the package into NPM_CACHE


@dataclass(frozen=True)
class Example:
    """A fenced block of the README's Clients section, named by the ``<!-- example: NAME -->`` before it."""

    name: str
    lang: str
    code: str

    def lines(self) -> list[str]:
        """Command lines of a shell example, comments stripped."""
        out = []
        for line in self.code.splitlines():
            line = re.sub(r"\s+#.*$", "", line).strip()
            if line and not line.startswith("#"):
                out.append(line)
        return out


def clients_section() -> str:
    text = README.read_text(encoding="utf-8")
    return text[text.index("<!-- clients:start -->") : text.index("<!-- clients:end -->")]


def readme_examples() -> dict[str, Example]:
    pattern = re.compile(r"<!-- example: ([\w-]+) -->\s*\n```(\w*)\n(.*?)\n```", re.DOTALL)
    return {m[1]: Example(m[1], m[2], m[3]) for m in pattern.finditer(clients_section())}


def base_env(**extra: str) -> dict[str, str]:
    """This process's environment without the developer's Attio settings, the venv's bin first on PATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_ATTIO_PREFIXES)}
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra)
    return env


def npm_env(**extra: str) -> dict[str, str]:
    """``base_env`` plus a fixed npm cache (so npx downloads once) and no npm chatter or telemetry."""
    return base_env(
        npm_config_cache=str(NPM_CACHE),
        npm_config_update_notifier="false",
        npm_config_fund="false",
        npm_config_audit="false",
        npm_config_prefer_offline="true",  # a pinned version in the cache needs no registry round trip
        DISABLE_AUTOUPDATER="1",
        DISABLE_TELEMETRY="1",
        DISABLE_ERROR_REPORTING="1",
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC="1",
        **extra,
    )


def require_npx() -> str:
    """The ``npx`` executable; the only reason these tests may skip is that it is missing."""
    npx = shutil.which("npx")
    if npx is None:
        pytest.skip("npx is not installed (Node.js >= 20 with npm is needed for the Inspector/mcpb tests)")
    return npx


def run(
    cmd: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    timeout: float = 120,
    cwd: Path | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run a command without a shell; on failure the assertion shows its output."""
    proc = subprocess.run(
        list(cmd),
        env=env if env is not None else base_env(),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    if check:
        assert proc.returncode == 0, (
            f"{' '.join(cmd)} exited {proc.returncode}\n--- stdout\n{proc.stdout[-4000:]}\n"
            f"--- stderr\n{proc.stderr[-4000:]}"
        )
    return proc


def run_json(cmd: Sequence[str], **kwargs: object) -> dict:
    proc = run(cmd, **kwargs)  # type: ignore[arg-type]
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        raise AssertionError(f"not JSON from {' '.join(cmd)}: {proc.stdout[:2000]}") from exc


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def background(
    cmd: Sequence[str], *, ready_url: str, headers: dict[str, str] | None = None, timeout: float = 30
) -> Iterator[subprocess.Popen[str]]:
    """Start a server, wait (bounded) until ``ready_url`` answers 200, and always stop it afterwards."""
    proc = subprocess.Popen(
        list(cmd),
        env=base_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                out = proc.stdout.read() if proc.stdout else ""
                raise AssertionError(f"{' '.join(cmd)} exited {proc.returncode} before it was ready:\n{out}")
            try:
                if httpx.get(ready_url, headers=headers, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"{ready_url} was not ready within {timeout} s")
            time.sleep(0.2)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        if proc.stdout:
            proc.stdout.close()


def inspector(npx: str, *args: str, env: dict[str, str] | None = None, timeout: float = NPX_TIMEOUT) -> dict:
    """Run the pinned Inspector CLI and return its JSON answer."""
    return run_json([npx, "-y", INSPECTOR, "--cli", *args], env=env or npm_env(), timeout=timeout)


def tool_payload(result: dict) -> dict:
    """The structured result of an Inspector tools/call, asserting it is not an error."""
    assert not result.get("isError"), result
    if result.get("structuredContent") is not None:
        return result["structuredContent"]
    return json.loads(result["content"][0]["text"])


class ClientVenvs:
    """Builds the client virtualenvs once (in parallel, reused while their pins are unchanged)."""

    MARKER = ".attio-clients.json"

    def __init__(self, root: Path) -> None:
        self.root = root
        self._pool = ThreadPoolExecutor(max_workers=len(CLIENT_ENVS))
        self._futures: dict[str, Future[Path]] = {}
        self._lock = threading.Lock()

    def python(self, name: str) -> Path:
        """The venv's python (building every missing venv on first use)."""
        with self._lock:
            for key in CLIENT_ENVS:
                if key not in self._futures:
                    self._futures[key] = self._pool.submit(self._ensure, key)
        return self._futures[name].result(timeout=900)

    def bin(self, name: str, script: str) -> Path:
        return self.python(name).parent / script

    def _ensure(self, name: str) -> Path:
        venv = self.root / name
        python = venv / "bin" / "python"
        wanted = {"requirements": list(CLIENT_ENVS[name]), "python": sys.version.split()[0]}
        marker = venv / self.MARKER
        if python.exists() and marker.exists():
            try:
                if json.loads(marker.read_text()) == wanted:
                    return python
            except json.JSONDecodeError:
                pass
        shutil.rmtree(venv, ignore_errors=True)
        venv.parent.mkdir(parents=True, exist_ok=True)
        run([sys.executable, "-m", "venv", str(venv)], timeout=120)
        run(
            [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", *CLIENT_ENVS[name]],
            timeout=900,
        )
        marker.write_text(json.dumps(wanted))
        return python

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
