"""What an operator can get wrong (issue #20): an unsafe base URL, a token on the command line."""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Any

import httpx
import pytest

from attio_mcp import cli
from attio_mcp.cli import cmd_doctor
from attio_mcp.sandbox import create_app

PASSWORD = "hunter2-pw-7f3a"
TOKEN = "cli-token-0123456789abcdef"


@pytest.fixture(autouse=True)
def _keep_pytest_logging(monkeypatch: pytest.MonkeyPatch) -> None:
    """configure_logging replaces the root handlers; pytest's must stay."""
    monkeypatch.setattr(cmd_doctor, "configure_logging", lambda *a, **k: None)
    monkeypatch.setattr("attio_mcp.cli.cmd_serve.configure_logging", lambda *a, **k: None)


def test_doctor_never_prints_a_password_in_the_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATTIO_API_KEY", "k-123456")
    out = io.StringIO()
    args = cli.build_parser().parse_args(["doctor", "--base-url", f"https://user:{PASSWORD}@api.attio.com"])
    assert cmd_doctor.run(args, stdout=out) == 2
    text = out.getvalue()
    assert "user name or password" in text and PASSWORD not in text


def test_doctor_refuses_cleartext_and_warns_about_foreign_hosts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATTIO_API_KEY", "k-123456")
    out = io.StringIO()
    args = cli.build_parser().parse_args(["doctor", "--base-url", "http://api.attio.com"])
    assert cmd_doctor.run(args, stdout=out) == 2 and "cleartext" in out.getvalue()

    out = io.StringIO()
    args = cli.build_parser().parse_args(["doctor", "--base-url", "https://api.attio.com.evil.example"])
    transport = httpx.ASGITransport(app=create_app(tokens={"k-123456"}))
    assert cmd_doctor.run(args, stdout=out, transport=transport) == 0
    first, second = out.getvalue().splitlines()[:2]
    assert "api.attio.com.evil.example" in first
    assert second.strip().startswith("warning:") and "not api.attio.com" in second


def test_auth_token_flag_warns_and_the_file_is_the_quiet_way(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from attio_mcp.server import transports

    served: list[Any] = []
    monkeypatch.setattr(transports, "serve", served.append)
    caplog.set_level(logging.WARNING)
    argv = ["--sandbox", "--transport", "http", "--host", "0.0.0.0"]
    assert cli.main([*argv, "--auth-token", TOKEN]) == 0
    assert "process list" in caplog.text and "--auth-token-file" in caplog.text
    assert TOKEN not in caplog.text

    caplog.clear()
    path = tmp_path / "token"
    path.write_text(TOKEN + "\n")
    assert cli.main([*argv, "--auth-token-file", str(path)]) == 0
    assert "process list" not in caplog.text
    assert [s.http_auth_token.get_secret_value() for s in served] == [TOKEN, TOKEN]
    assert cli.main([*argv, "--auth-token", "x"]) == 2  # a one-character token beyond loopback
