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
    limiter = RateLimitingFilter()
    handler.setFormatter(LimitedFormatter(limiter, "%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(OwnDebugOnly())
    handler.addFilter(limiter)
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
    ``window`` seconds. It only decides: ``LimitedFormatter`` says how many were dropped (records are
    shared by every handler, so a filter must not rewrite them)."""

    def __init__(
        self,
        *,
        per_key: int = 20,
        overall: int = 500,
        window: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.per_key, self.overall, self.window = per_key, overall, window
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
        return True

    def take_dropped(self) -> int:
        """Records dropped since the last call."""
        dropped, self.dropped = self.dropped, 0
        return dropped


class LimitedFormatter(logging.Formatter):
    """Formats a copy of the record: its message cut at ``max_chars``, and prefixed with how many records
    the ``limiter`` dropped since the last line."""

    def __init__(self, limiter: RateLimitingFilter, fmt: str, *, max_chars: int = 4000) -> None:
        super().__init__(fmt)
        self.limiter = limiter
        self.max_chars = max_chars

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if len(message) > self.max_chars:
            message = message[: self.max_chars] + f"… [{len(message) - self.max_chars} characters cut]"
        if dropped := self.limiter.take_dropped():
            message = f"[{dropped} repeated log records suppressed] {message}"
        copy = logging.makeLogRecord(record.__dict__)
        copy.msg, copy.args = message, None
        return super().format(copy)


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
