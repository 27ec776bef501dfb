"""What every sub-command shares: stderr logging with secrets redacted, and settings from the environment.

Command modules import this module, never the CLI's entry point (``attio_mcp.cli._app``), so the table of
commands there can import them all without a cycle.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Sequence

from attio_mcp.server.settings import Settings, settings_from_env


def load_settings(**overrides: object) -> Settings:
    """Settings for sub-commands: environment first, then the given non-None flag values."""
    return settings_from_env(None, **overrides)


def configure_logging(level: str, secrets: Sequence[str] = ()) -> None:
    """Log to stderr only: our DEBUG records at most (never a library's), every known secret redacted, and
    repeats rate-limited so that a flood of failing requests cannot flood the disk."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(OwnDebugOnly())
    handler.addFilter(RateLimitingFilter())
    handler.addFilter(RedactingFilter(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "mcp", "uvicorn.access", "sse_starlette"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))


class OwnDebugOnly(logging.Filter):
    """Drops DEBUG records of every logger outside ``attio_mcp``.

    Libraries log payloads at DEBUG (the SSE library logs every response chunk: records, member emails, of
    every caller at once); with ``--log-level DEBUG`` only this project's own records, which never carry
    payloads, are kept.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.INFO or record.name.split(".")[0] == "attio_mcp"


class RateLimitingFilter(logging.Filter):
    """At most ``per_key`` records per (logger, message template) and ``overall`` records in all per
    ``window`` seconds; the first record let through after a suppression says how many were dropped.
    Messages longer than ``max_chars`` are cut, and a suppressed record's traceback goes with it."""

    def __init__(
        self,
        *,
        per_key: int = 20,
        overall: int = 500,
        window: float = 10.0,
        max_chars: int = 4000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.per_key, self.overall, self.window, self.max_chars = per_key, overall, window, max_chars
        self.clock = clock
        self.started = clock()
        self.counts: dict[tuple[str, int, str], int] = {}
        self.total = 0
        self.dropped = 0

    def filter(self, record: logging.LogRecord) -> bool:
        now = self.clock()
        if now - self.started >= self.window:
            self.started, self.total = now, 0
            self.counts.clear()
        key = (record.name, record.levelno, str(record.msg)[:200])
        seen = self.counts.get(key, 0)
        if seen >= self.per_key or self.total >= self.overall or len(self.counts) >= 4 * self.overall:
            if key in self.counts:
                self.counts[key] = seen + 1
            self.dropped += 1
            return False
        self.counts[key] = seen + 1
        self.total += 1
        message = record.getMessage()
        if len(message) > self.max_chars:
            message = message[: self.max_chars] + f"… [{len(message) - self.max_chars} characters cut]"
        if self.dropped:
            message = f"[{self.dropped} repeated log records suppressed] {message}"
            self.dropped = 0
        if message != record.getMessage():
            record.msg, record.args = message, None
        return True


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
