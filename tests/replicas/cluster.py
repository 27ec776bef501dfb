"""Team hosting on one machine, as real processes: one "Attio" (the sandbox with Attio's rate limits), a real
``redis-server``, N replicas of ``attio-mcp --transport http`` sharing state through it, and the
round-robin proxy in front. Used by ``tests/replicas`` and ``benchmarks/replicas.py``.

Every process logs to its own file under a temporary directory; ``Cluster.logs()`` returns their tails for
a failing test's message.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.redis_server import RedisServer, free_port

REPO = Path(__file__).resolve().parents[2]
SANDBOX_TOKEN = "sandbox-demo-token"  # the sandbox accepts any token; this is the embedded mode's
START_TIMEOUT_SECONDS = 60.0
OAUTH_CLIENT_ID = "attio-mcp-replicas"
OAUTH_CLIENT_SECRET = "replicas-oauth-app-secret"


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    url: str

    @property
    def alive(self) -> bool:
        return self.popen.poll() is None

    def tail(self, chars: int = 1500) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return f"--- {self.name} ({self.url}) ---\n{text[-chars:]}"

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=5)


@dataclass
class Cluster:
    sandbox: Process
    replicas: list[Process]
    proxy: Process
    redis: RedisServer | None
    state_key: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def url(self) -> str:
        """The proxy's base URL: what clients and browsers use (the deployment's public URL)."""
        return self.proxy.url

    @property
    def mcp_url(self) -> str:
        return self.proxy.url + "/mcp"

    def sandbox_stats(self, *, reset: bool = False) -> dict[str, int]:
        method = "POST" if reset else "GET"
        response = httpx.request(method, self.sandbox.url + "/_sandbox/stats", timeout=10, trust_env=False)
        response.raise_for_status()
        return dict(response.json())

    def proxy_stats(self, *, reset: bool = False) -> dict[str, Any]:
        method = "POST" if reset else "GET"
        response = httpx.request(method, self.proxy.url + "/_proxy/stats", timeout=10, trust_env=False)
        response.raise_for_status()
        return dict(response.json())

    def kill_replica(self, index: int) -> None:
        """SIGKILL: no graceful shutdown, open connections are reset by the kernel."""
        process = self.replicas[index]
        os.kill(process.popen.pid, signal.SIGKILL)
        process.popen.wait(timeout=10)

    def logs(self) -> str:
        return "\n".join(p.tail() for p in [self.sandbox, *self.replicas, self.proxy])


def _env(**extra: str) -> dict[str, str]:
    """The parent's environment without any ATTIO_* setting, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATTIO_")}
    env.update(extra)
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def _spawn(name: str, args: list[str], env: dict[str, str], workdir: Path, url: str) -> Process:
    log = workdir / f"{name}.log"
    with log.open("wb") as out:
        popen = subprocess.Popen(
            [sys.executable, *args],
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return Process(name, popen, log, url)


def _wait_healthy(process: Process, path: str, deadline: float) -> None:
    while True:
        if not process.alive:
            raise RuntimeError(f"{process.name} exited with {process.popen.returncode}\n{process.tail()}")
        try:
            if httpx.get(process.url + path, timeout=1, trust_env=False).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{process.name} did not become healthy in time\n{process.tail()}")
        time.sleep(0.05)


def replica_command(
    port: int, sandbox_url: str, *, redis_url: str | None, oauth: bool, public_url: str
) -> list[str]:
    args = [
        "-m", "attio_mcp",
        "--transport", "http",
        "--host", "127.0.0.1",
        "--port", str(port),
        "--base-url", sandbox_url,
        "--no-index",
        "--log-level", "WARNING",
    ]  # fmt: skip
    if redis_url is not None:
        args += ["--redis-url", redis_url]
    if oauth:
        args += ["--oauth", "--public-url", public_url]
    return args


@contextmanager
def cluster(
    replicas: int = 3,
    *,
    redis: bool = True,
    oauth: bool = False,
    rate_limit: bool = True,
    replica_env: dict[str, str] | None = None,
    proxy_down_seconds: float = 5.0,
) -> Iterator[Cluster]:
    """Start everything, wait until each answers, yield; stop everything (also on failure)."""
    workdir = Path(tempfile.mkdtemp(prefix="attio-mcp-replicas-"))
    started: list[Process] = []
    redis_server: RedisServer | None = None
    try:
        proxy_port = free_port()
        proxy_url = f"http://127.0.0.1:{proxy_port}"
        sandbox_port = free_port()
        sandbox_url = f"http://127.0.0.1:{sandbox_port}"
        sandbox_args = ["-m", "tests.replicas.sandbox_server", "--port", str(sandbox_port)]
        if rate_limit:
            sandbox_args.append("--rate-limit")
        if oauth:
            sandbox_args += [
                "--oauth-app",
                f"{OAUTH_CLIENT_ID}:{OAUTH_CLIENT_SECRET}:{proxy_url}/oauth/callback",
            ]
        sandbox = _spawn("sandbox", sandbox_args, _env(), workdir, sandbox_url)
        started.append(sandbox)
        if redis:
            redis_server = RedisServer()
            redis_server.start()
        state_key = secrets.token_urlsafe(32) if redis and oauth else None
        env = _env(**(replica_env or {}))
        if oauth:
            env.update(
                ATTIO_OAUTH_CLIENT_ID=OAUTH_CLIENT_ID,
                ATTIO_OAUTH_CLIENT_SECRET=OAUTH_CLIENT_SECRET,
                ATTIO_OAUTH_AUTHORIZE_URL=sandbox_url + "/authorize",
                ATTIO_OAUTH_TOKEN_URL=sandbox_url + "/oauth/token",
                ATTIO_OAUTH_REVOKE_URL=sandbox_url + "/oauth/revoke",
            )
        else:
            env["ATTIO_API_KEY"] = SANDBOX_TOKEN
        if state_key is not None:
            env["ATTIO_MCP_STATE_KEY"] = state_key
        nodes: list[Process] = []
        for i in range(replicas):
            port = free_port()
            args = replica_command(
                port,
                sandbox_url,
                redis_url=redis_server.url if redis_server else None,
                oauth=oauth,
                public_url=proxy_url,
            )
            node = _spawn(f"replica{i}", args, env, workdir, f"http://127.0.0.1:{port}")
            nodes.append(node)
            started.append(node)
        proxy_args = ["-m", "tests.replicas.proxy", "--port", str(proxy_port)]
        proxy_args += ["--down-seconds", str(proxy_down_seconds)]
        for node in nodes:
            proxy_args += ["--backend", node.url]
        proxy = _spawn("proxy", proxy_args, _env(), workdir, proxy_url)
        started.append(proxy)
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        _wait_healthy(sandbox, "/_sandbox/stats", deadline)
        for node in nodes:
            _wait_healthy(node, "/healthz", deadline)
        _wait_healthy(proxy, "/_proxy/stats", deadline)
        yield Cluster(sandbox, nodes, proxy, redis_server, state_key)
    finally:
        for process in reversed(started):
            process.stop()
        if redis_server is not None:
            redis_server.close()
