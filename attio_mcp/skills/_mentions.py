"""Find the tool names a skill or prompt text mentions, so a test can hold them to ``ALL_TOOLS``.

Two conventions make tool names findable: a call is written ``tool_name {json arguments}`` inside
backticks, and every tool name starts with one of the tool families' prefixes (``records_``,
``list_entries_``, ``tasks_`` …) or is ``whoami``. Any word with such a prefix counts as a mention,
wherever it appears, so a renamed tool cannot hide in prose.
"""

from __future__ import annotations

import re

__all__ = ["TOOL_FAMILIES", "tool_mentions"]

TOOL_FAMILIES = (
    "records",
    "objects",
    "attributes",
    "attribute",
    "lists",
    "list_entries",
    "notes",
    "tasks",
    "members",
)

_CALL = re.compile(r"`([a-z][a-z0-9]*(?:_[a-z0-9]+)*) \{")
_FAMILY = re.compile(
    r"(?<![A-Za-z0-9_])((?:" + "|".join(TOOL_FAMILIES) + r")_[a-z0-9_]*[a-z0-9]|whoami)(?![A-Za-z0-9_])"
)


def tool_mentions(text: str) -> set[str]:
    """Every tool name ``text`` mentions: backticked calls with arguments plus tool-family words."""
    return set(_CALL.findall(text)) | set(_FAMILY.findall(text))
