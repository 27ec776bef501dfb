"""Caller keys: what thousands of distinct ``X-Attio-Api-Key`` values cost the HTTP server (issue #20).

Starts ``attio-mcp sandbox serve`` and ``attio-mcp --transport http --allow-request-keys`` as subprocesses on
127.0.0.1 (loopback only; the sandbox accepts any key), then one sequential client sends ``--keys`` tool
calls (``whoami``), each with a new key, as raw JSON-RPC over streamable HTTP. Prints the server's RSS
(``/proc/<pid>/status``) and open file descriptors (``/proc/<pid>/fd``) before, every ``--every`` keys, and
``--settle`` seconds after the last one, plus how the calls were answered (ok, RATE_LIMIT, other).
Bounded: gives up after ``--timeout`` seconds and always stops both servers. Not a test.

    .venv/bin/python benchmarks/caller_keys.py [--keys 4000] [--every 500] [--settle 5]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
from collections import Counter
from typing import Any

import httpx

PROTOCOL = "2025-11-25"
HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def spawn(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "attio_mcp", *args],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_up(url: str, proc: subprocess.Popen[bytes], deadline: float) -> None:
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit("server did not start")


def body_of(response: httpx.Response) -> dict[str, Any]:
    """The JSON-RPC message of a JSON or single-event SSE answer."""
    text = response.text
    if response.headers.get("content-type", "").startswith("text/event-stream"):
        text = "\n".join(line[5:].strip() for line in text.splitlines() if line.startswith("data:"))
    return dict(json.loads(text))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=4000)
    parser.add_argument("--every", type=int, default=500)
    parser.add_argument("--settle", type=float, default=5.0)
    parser.add_argument("--timeout", type=float, default=900.0)
    parser.add_argument(
        "--new-keys-per-minute",
        type=float,
        help="ATTIO_MCP_NEW_KEYS_PER_MINUTE for the server (its default refuses a spray after 30 keys)",
    )
    args = parser.parse_args()
    deadline = time.monotonic() + args.timeout

    env = {k: v for k, v in os.environ.items() if not k.startswith("ATTIO_")}
    env["ATTIO_MCP_LOG_LEVEL"] = "ERROR"
    if args.new_keys_per_minute:
        env["ATTIO_MCP_NEW_KEYS_PER_MINUTE"] = str(args.new_keys_per_minute)
    api_port, mcp_port = free_port(), free_port()
    sandbox = spawn(["sandbox", "serve", "--port", str(api_port)], env)
    server = spawn(
        [
            "--transport",
            "http",
            "--port",
            str(mcp_port),
            "--allow-request-keys",
            "--base-url",
            f"http://127.0.0.1:{api_port}",
        ],
        env,
    )
    answers: Counter[str] = Counter()
    try:
        wait_up(f"http://127.0.0.1:{api_port}/v2/self", sandbox, deadline)
        wait_up(f"http://127.0.0.1:{mcp_port}/healthz", server, deadline)
        url = f"http://127.0.0.1:{mcp_port}/mcp"
        with httpx.Client(timeout=60) as http:
            init = {
                "jsonrpc": "2.0",
                "id": 0,
                "method": "initialize",
                "params": {
                    "protocolVersion": PROTOCOL,
                    "capabilities": {},
                    "clientInfo": {"name": "b", "version": "1"},
                },
            }
            opened = http.post(url, json=init, headers=HEADERS)
            session = {k: v for k, v in opened.headers.items() if k.lower() == "mcp-session-id"}
            base = {**HEADERS, **session, "MCP-Protocol-Version": PROTOCOL}
            http.post(url, json={"jsonrpc": "2.0", "method": "notifications/initialized"}, headers=base)
            print(f"start: RSS {rss_mib(server.pid):.0f} MiB, {fds(server.pid)} fds")
            started = time.monotonic()
            for i in range(1, args.keys + 1):
                if time.monotonic() > deadline:
                    print("timeout")
                    break
                call = {
                    "jsonrpc": "2.0",
                    "id": i,
                    "method": "tools/call",
                    "params": {"name": "whoami", "arguments": {}},
                }
                response = http.post(url, json=call, headers={**base, "X-Attio-Api-Key": f"sk-bench-{i:06d}"})
                result = body_of(response).get("result", {})
                text = (result.get("content") or [{}])[0].get("text", "")
                answers["ok" if not result.get("isError") else text.split(":")[0] or "error"] += 1
                if i % args.every == 0:
                    print(
                        f"{i:>6} keys: RSS {rss_mib(server.pid):.0f} MiB, {fds(server.pid)} fds "
                        f"({i / (time.monotonic() - started):.0f} keys/s)"
                    )
            time.sleep(args.settle)
            print(f"after {args.settle:g} s: RSS {rss_mib(server.pid):.0f} MiB, {fds(server.pid)} fds")
        print("answers:", dict(answers))
    finally:
        for proc in (server, sandbox):
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
