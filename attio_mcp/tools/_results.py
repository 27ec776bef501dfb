"""Result models shared by several tool families; family-specific results live with their tools.

Every tool returns a pydantic model, so every tool publishes an ``outputSchema`` and the SDK validates the
``structuredContent`` against it. Fields left ``None`` are omitted from the output. ``interpreted`` lists how
input that was not taken literally was read (``"stage: 'discovery' → 'Discovery'"``); it is omitted when the
input was taken as written.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from attio_mcp.workspace.page import Page


class Deleted(BaseModel):
    """What a delete or remove tool returns."""

    deleted: bool
    id: str
    interpreted: list[str] | None = None


class FlatRecord(BaseModel):
    """A record flattened to ``{id, object, created_at, updated_at, <attribute slug>: value, …}``."""

    model_config = ConfigDict(extra="allow")

    id: str | None = None
    object: str | None = None
    web_url: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    interpreted: list[str] | None = None


class RecordPage(Page[FlatRecord]):
    """A page of records; ``web_url`` is one template (``…/record/{id}``) for every record's URL."""

    ITEMS = "records"

    records: list[FlatRecord]
    web_url: str | None = None
    interpreted: list[str] | None = None
