"""Parameter types shared by every tool family, so the same parameter reads the same everywhere."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import Field

from attio_mcp.workspace import WorkspaceError

ResourceType = Annotated[str, Field(description="Object slug, e.g. companies, people, deals", max_length=100)]
RecordId = Annotated[str, Field(description="Record UUID", max_length=64)]
ListId = Annotated[str, Field(description="List UUID or api_slug", max_length=100)]
EntryId = Annotated[str, Field(description="List entry UUID", max_length=64)]
Limit = Annotated[int, Field(ge=1, le=100, description="Max items to return")]
Offset = Annotated[int, Field(ge=0, le=1_000_000, description="Items to skip")]
Fields = Annotated[
    list[Annotated[str, Field(max_length=100)]] | None,
    Field(description="Attribute slugs to return (default: all non-empty)", max_length=100),
]
Data = Annotated[dict[str, Any], Field(description="Attribute slug -> value")]
Mode = Annotated[
    Literal["append", "overwrite"], Field(description="append adds to multiselects, overwrite replaces")
]


def require_changes(values: Mapping[str, Any], field: str, next_step: str) -> None:
    """An update with nothing to change is refused before any request."""
    if not values:
        raise WorkspaceError("VALIDATION_ERROR", f"{field} is empty", field=field, next_step=next_step)
