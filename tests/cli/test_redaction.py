from __future__ import annotations

import logging

from attio_mcp.cli.common import RedactingFilter


def test_filter_redacts_secret_in_args_and_message() -> None:
    f = RedactingFilter(["sk-live-abcdef123456"])
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "key=%s here", ("sk-live-abcdef123456",), None)
    assert f.filter(record)
    assert record.getMessage() == "key=[REDACTED] here"


def test_short_strings_are_not_treated_as_secrets() -> None:
    f = RedactingFilter(["ab"])
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "abc", None, None)
    f.filter(record)
    assert record.getMessage() == "abc"
