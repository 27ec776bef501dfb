"""Per-address limits behind a reverse proxy: the real CLI server believes ``X-Forwarded-For`` only from the
peers ``--forwarded-allow-ips`` names (loopback by default), never from uvicorn's own environment variable."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from attio_mcp.server.oauth_front import REGISTRATIONS_PER_MINUTE
from tests.reliability.live import free_port, wait_until_serving

REDIRECT = "http://127.0.0.1:1/callback"


@contextmanager
def _server(*flags: str) -> Iterator[str]:
    """``attio-mcp --sandbox --oauth --transport http`` as a process, with uvicorn's FORWARDED_ALLOW_IPS set
    to ``*`` in its environment: our setting must decide, not that variable."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATTIO_")}
    env |= {"FORWARDED_ALLOW_IPS": "*", "ATTIO_MCP_NO_INDEX": "1"}
    argv = ["--sandbox", "--oauth", "--transport", "http", "--port", str(port), *flags]
    proc = subprocess.Popen(
        [sys.executable, "-m", "attio_mcp", *argv],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(url, proc)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def _register(url: str, forwarded_for: list[str]) -> list[int]:
    with httpx.Client(base_url=url) as web:
        return [
            web.post(
                "/register", json={"redirect_uris": [REDIRECT]}, headers={"X-Forwarded-For": address}
            ).status_code
            for address in forwarded_for
        ]


CLIENTS = [f"203.0.113.{i}" for i in range(1, REGISTRATIONS_PER_MINUTE + 2)]  # one more than one may


@pytest.mark.parametrize("flags", [(), ("--forwarded-allow-ips", "10.0.0.0/8, 127.0.0.0/8")])
def test_a_trusted_proxy_forwards_each_clients_own_address(flags: tuple[str, ...]) -> None:
    """From a trusted peer (loopback by default, or a listed network) each forwarded client has its own
    allowance, and one client alone still runs out of it."""
    with _server(*flags) as url:
        assert _register(url, CLIENTS) == [201] * len(CLIENTS)
        one = _register(url, ["198.51.100.7"] * (REGISTRATIONS_PER_MINUTE + 1))
        assert one == [201] * REGISTRATIONS_PER_MINUTE + [429]


@pytest.mark.parametrize("trusted", ["none", "10.9.9.9"])
def test_an_untrusted_peer_cannot_name_its_own_address(trusted: str) -> None:
    """From a peer not listed, X-Forwarded-For is ignored: every "client" is the peer itself, so changing the
    header does not step around the limit (uvicorn's FORWARDED_ALLOW_IPS=* in the environment is ignored)."""
    with _server("--forwarded-allow-ips", trusted) as url:
        assert _register(url, CLIENTS) == [201] * REGISTRATIONS_PER_MINUTE + [429]
