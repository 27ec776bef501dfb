"""Parameter types shared by every tool family, so the same parameter reads the same everywhere."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from pydantic import Field

from attio_mcp.tools._errors import ToolFailure

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


def require_uuid(value: str, field: str) -> str:
    """Return ``value`` as a canonical lower-case UUID or fail with VALIDATION_ERROR before any request."""
    try:
        return str(uuid.UUID(value.strip()))
    except (ValueError, AttributeError):
        raise ToolFailure(
            "VALIDATION_ERROR",
            f"invalid UUID {value[:60]!r}",
            field=field,
            next_step="pass the id exactly as returned by a search or get tool.",
        ) from None
