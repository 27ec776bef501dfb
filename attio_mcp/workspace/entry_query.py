"""The parameters of list_entries_filter's simple form, and the parent-record filter of an entry.

``FilterType`` names the simple form's comparisons; ``workspace.compile`` compiles both forms of the filter.
``parent_record_filter`` finds a record's entries in a list through the ``parent_record`` path, which the
duplicate check of list_entries_add relies on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from attio_mcp.workspace.errors import WorkspaceError
from attio_mcp.workspace.schema import TargetSchema

__all__ = ["FilterType", "parent_record_filter"]

FilterType = Literal[
    "equals",
    "not_equals",
    "contains",
    "starts_with",
    "ends_with",
    "greater_than",
    "greater_than_or_equal",
    "less_than",
    "less_than_or_equal",
    "is_empty",
    "is_not_empty",
    "in",
]


def parent_record_filter(
    lst: TargetSchema, parent_objects: Sequence[str], record_ids: Sequence[str]
) -> dict[str, Any]:
    """Entries whose parent record is one of ``record_ids`` (one path filter per parent object)."""
    ids = list(record_ids)
    constraint: dict[str, Any] = {"$eq": ids[0]} if len(ids) == 1 else {"$in": ids}
    paths = [
        {"path": [[lst.slug, "parent_record"], [obj, "record_id"]], "constraints": constraint}
        for obj in parent_objects
    ]
    if not paths:
        raise WorkspaceError(
            "VALIDATION_ERROR",
            "the list's parent object is not visible to this token",
            field="list_id",
            next_step="check the key's object_configuration:read scope (whoami shows scopes).",
        )
    return paths[0] if len(paths) == 1 else {"$or": paths}
