"""What every sub-command shares: stderr logging with secrets redacted, and settings from the environment.

Command modules import this module, never the CLI's entry point (``attio_mcp.cli._app``), so the table of
commands there can import them all without a cycle.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence

from attio_mcp.server.settings import Settings, settings_from_env


def load_settings(**overrides: object) -> Settings:
    """Settings for sub-commands: environment first, then the given non-None flag values."""
    return settings_from_env(None, **overrides)


def configure_logging(level: str, secrets: Sequence[str] = ()) -> None:
    """Log to stderr only, with every known secret redacted from every record."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "mcp", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))


class RedactingFilter(logging.Filter):
    """Replaces secrets in the formatted message (defence in depth: nothing should log them anyway)."""

    def __init__(self, secrets: Sequence[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s and len(s) >= 6]

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            message = record.getMessage()
            if any(s in message for s in self.secrets):
                for s in self.secrets:
                    message = message.replace(s, "[REDACTED]")
                record.msg, record.args = message, None
        return True
