"""Serve an ASGI app on a real loopback port from a background thread (drops and timeouts need real sockets)."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import uvicorn


class LiveServer:
    """A uvicorn server in a daemon thread; ``url`` is ``http://127.0.0.1:<port>``."""

    def __init__(self, app: Any, *, port: int = 0, lifespan: str = "off", **options: Any) -> None:
        self.port = port or free_port()
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            log_level="error",
            lifespan=lifespan,
            timeout_graceful_shutdown=1,
            access_log=False,
            **options,
        )
        self.server = uvicorn.Server(config)
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LiveServer:
        self.server.should_exit = False
        self.server.started = False
        self.thread = threading.Thread(target=self.server.run, name=f"uvicorn-{self.port}", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError(f"server on port {self.port} did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self.thread is None:
            return
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.thread = None


def wait_until_serving(url: str, proc: subprocess.Popen[Any], timeout: float = 30) -> httpx.Response:
    """Poll ``url``'s ``/healthz`` until the server process ``proc`` answers; fail if it exits or stalls."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return httpx.get(f"{url}/healthz", timeout=2)
        except httpx.TransportError:
            assert proc.poll() is None and time.monotonic() < deadline, "server did not start"
            time.sleep(0.1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live(app: Any, *, lifespan: str = "off", **options: Any) -> Iterator[LiveServer]:
    """``app`` served on a loopback port; ``options`` go to ``uvicorn.Config`` (e.g. ``http=`` a protocol)."""
    server = LiveServer(app, lifespan=lifespan, **options).start()
    try:
        yield server
    finally:
        server.stop()
