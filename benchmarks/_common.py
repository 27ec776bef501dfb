"""Helpers shared by the benchmark scripts: a raw JSON-RPC stdio session, medians, machine facts.

Nothing here uses an MCP client library: the stdio session writes JSON-RPC lines to the server's stdin and
reads its stdout, so what is measured is exactly what goes over the pipe.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PROTOCOL_VERSION = "2025-11-25"


def server_command(*flags: str) -> list[str]:
    """``attio-mcp`` from the running interpreter's environment (falls back to ``python -m attio_mcp``)."""
    exe = BIN / "attio-mcp"
    base = [str(exe)] if exe.exists() else [sys.executable, "-m", "attio_mcp"]
    return [*base, *flags]


def compact(data: Any) -> str:
    """JSON as the SDK puts it on the wire: no spaces, UTF-8 kept."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def nbytes(data: Any) -> int:
    """UTF-8 size of ``data`` (a str as is, anything else as compact JSON)."""
    text = data if isinstance(data, str) else compact(data)
    return len(text.encode())


def median_ms(samples: Sequence[float]) -> float:
    return statistics.median(samples) * 1000


def load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def machine() -> str:
    """One line on the machine, for the reader judging the figures."""
    return f"{os.cpu_count()} CPUs, load average {load()}, Python {sys.version.split()[0]}"


class StdioSession:
    """A spawned MCP server spoken to with raw JSON-RPC lines over its stdin/stdout."""

    def __init__(self, argv: Sequence[str]) -> None:
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            list(argv),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
            cwd=ROOT,
        )
        self._next_id = 0
        self.raw: dict[int, str] = {}  # request id -> the response line as received
        self.responses: dict[int, tuple[dict[str, Any], float]] = {}

    def send(self, method: str, params: dict[str, Any] | None = None, *, notify: bool = False) -> int | None:
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        ident = None
        if not notify:
            self._next_id += 1
            ident = message["id"] = self._next_id
        assert self.proc.stdin is not None
        self.proc.stdin.write(compact(message) + "\n")
        return ident

    def flush(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.flush()

    def wait_for(self, ident: int) -> tuple[dict[str, Any], float]:
        """The response to request ``ident`` and the seconds since spawn when it arrived."""
        assert self.proc.stdout is not None
        while ident not in self.responses:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError(
                    f"server exited (code {self.proc.poll()}) before answering request {ident}"
                )
            message = json.loads(line)
            if isinstance(message.get("id"), int):
                self.raw[message["id"]] = line.rstrip("\n")
                self.responses[message["id"]] = (message, time.perf_counter() - self.started)
        message, seconds = self.responses[ident]
        if "error" in message:
            raise RuntimeError(f"request {ident} failed: {message['error']}")
        return message, seconds

    def initialize_and(self, method: str, params: dict[str, Any] | None = None) -> int:
        """Write initialize, notifications/initialized and ``method`` in one go (a client may pipeline them)."""
        self.send(
            "initialize",
            {
                "protocolVersion": PROTOCOL_VERSION,
                "capabilities": {},
                "clientInfo": {"name": "attio-mcp-benchmarks", "version": "0"},
            },
        )
        self.send("notifications/initialized", notify=True)
        ident = self.send(method, params or {})
        self.flush()
        assert ident is not None
        return ident

    def request(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        ident = self.send(method, params or {})
        self.flush()
        assert ident is not None
        return self.wait_for(ident)[0]

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def __enter__(self) -> StdioSession:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
