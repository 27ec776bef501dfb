"""Search over everything (#18): a local hybrid index of the workspace's text, and records search."""

from attio_mcp.workspace.search.model import (
    DOC_KINDS,
    Doc,
    DocKind,
    Hit,
    IndexStatus,
    RecordRef,
    SearchMode,
    Turn,
)

__all__ = ["DOC_KINDS", "Doc", "DocKind", "Hit", "IndexStatus", "RecordRef", "SearchMode", "Turn"]
