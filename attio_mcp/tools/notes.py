"""Note tools: create, list, read and delete notes on records.

A note reads as ``{id, parent_object, parent_record_id, title, content, created_at}``; ``content`` is the
markdown when Attio has it, else the plaintext. notes_list shortens ``content`` to a preview.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context
from pydantic import BaseModel, Field

from attio_mcp.attio import Note
from attio_mcp.tools._params import Limit, Offset, RecordId, ResourceType
from attio_mcp.tools._registry import tool, workspace_of
from attio_mcp.tools._results import Deleted
from attio_mcp.workspace import Subject, WorkspaceError
from attio_mcp.workspace.interpret import Interpreted
from attio_mcp.workspace.lookup import record_id as named_record
from attio_mcp.workspace.page import Page, split_page
from attio_mcp.workspace.render import compact_timestamp
from attio_mcp.workspace.search.service import wrote
from attio_mcp.workspace.values import require_uuid

NoteId = Annotated[str, Field(description="Note UUID", max_length=64)]
OptionalObject = Annotated[str | None, Field(description="Object slug of the parent record")]
OptionalRecordId = Annotated[str | None, Field(description="Parent record UUID")]

PREVIEW_CHARS = 200
_PAGE_MAX = 50  # Attio's largest notes page
_NEXT_NOTES = "notes_list shows the notes of a record and their ids."


class NoteOut(BaseModel):
    """One note; ``content`` is markdown when Attio has it, else plaintext."""

    id: str | None = None
    parent_object: str | None = None
    parent_record_id: str | None = None
    title: str | None = None
    content: str | None = None
    created_at: str | None = None
    truncated: bool | None = None
    interpreted: list[str] | None = None


class NotePage(Page[NoteOut]):
    """A page of notes; each ``content`` is a preview, ``truncated`` when cut."""

    ITEMS = "notes"

    notes: list[NoteOut]
    interpreted: list[str] | None = None


@tool("notes", title="Create note")
async def notes_create(
    ctx: Context,
    parent_object: ResourceType,
    parent_record_id: RecordId,
    title: Annotated[str, Field(max_length=1000)],
    content: Annotated[str, Field(max_length=100_000)],
    format: Literal["plaintext", "markdown"] = "plaintext",
) -> NoteOut:
    """Add a note (plaintext or markdown) to a record."""
    d = workspace_of(ctx)
    said = Interpreted()
    obj = (await d.object(parent_object, field="parent_object", notes=said)).slug
    rid = await named_record(d, [obj], parent_record_id, field="parent_record_id", notes=said)
    note = await d.call(
        d.client.create_note(
            parent_object=obj, parent_record_id=rid, title=title, content=content, format=format
        ),
        subject=Subject(f"{obj} record {rid}", "parent_record_id", "records_search finds record ids."),
    )
    wrote(d, f"note:{note.note_id}")
    return note_out(note, {}).model_copy(update={"interpreted": said.out()})


@tool("notes", title="List notes", read_only=True, idempotent=True)
async def notes_list(
    ctx: Context,
    parent_object: OptionalObject = None,
    parent_record_id: OptionalRecordId = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> NotePage:
    """List notes, optionally of one record; content is a 200-char preview (notes_get has it all)."""
    d = workspace_of(ctx)
    said = Interpreted()
    if parent_record_id and not parent_object:
        require_uuid(parent_record_id, "parent_record_id")
        raise WorkspaceError(
            "VALIDATION_ERROR",
            "parent_record_id needs parent_object",
            field="parent_object",
            next_step="pass the record's object slug too, e.g. companies.",
        )
    obj = (await d.object(parent_object, field="parent_object", notes=said)).slug if parent_object else None
    rid = None
    if obj and parent_record_id:
        rid = await named_record(d, [obj], parent_record_id, field="parent_record_id", notes=said)

    async def fetch(size: int, at: int) -> list[Note]:
        return await d.client.list_notes(parent_object=obj, parent_record_id=rid, limit=size, offset=at)

    rows = await fetch_pages(fetch, want=limit + 1, offset=offset, page_max=_PAGE_MAX)
    page, more = split_page(rows, limit)
    slugs = await d.object_slugs()
    return NotePage.of(
        [note_out(n, slugs, preview=True) for n in page], more=more, offset=offset, interpreted=said.out()
    )


@tool("notes", title="Get note", read_only=True, idempotent=True)
async def notes_get(ctx: Context, note_id: NoteId) -> NoteOut:
    """Get one note with its full content."""
    nid = require_uuid(note_id, "note_id")
    d = workspace_of(ctx)
    note = await d.call(d.client.get_note(nid), subject=_note(nid))
    return note_out(note, await d.object_slugs())


@tool("notes", title="Delete note", destructive=True, idempotent=True)
async def notes_delete(ctx: Context, note_id: NoteId) -> Deleted:
    """Delete a note permanently."""
    nid = require_uuid(note_id, "note_id")
    d = workspace_of(ctx)
    await d.call(d.client.delete_note(nid), subject=_note(nid))
    wrote(d, f"note:{nid}", deleted=True)
    return Deleted(deleted=True, id=nid)


# -- helpers shared with tasks.py -----------------------------------------------------------------------


async def fetch_pages(
    fetch: Callable[[int, int], Awaitable[list[Any]]], *, want: int, offset: int, page_max: int
) -> list[Any]:
    """Up to ``want`` items from ``offset``, in pages no larger than Attio allows, stopping at a short page."""
    out: list[Any] = []
    while len(out) < want:
        size = min(page_max, want - len(out))
        page = await fetch(size, offset + len(out))
        out.extend(page)
        if len(page) < size:
            break
    return out


def note_out(note: Note, slugs: dict[str, str], *, preview: bool = False) -> NoteOut:
    """``{id, parent_object, parent_record_id, title, content, created_at}``, empties omitted; ``preview`` cuts."""
    content = note.content_markdown or note.content_plaintext or ""
    truncated = preview and len(content) > PREVIEW_CHARS
    if truncated:
        content = content[:PREVIEW_CHARS].rstrip() + "…"
    return NoteOut(
        id=note.note_id or None,
        parent_object=slugs.get(note.parent_object or "", note.parent_object) or None,
        parent_record_id=note.parent_record_id or None,
        title=note.title or None,
        content=content or None,
        created_at=compact_timestamp(note.created_at) or None,
        truncated=truncated or None,
    )


def _note(note_id: str) -> Subject:
    return Subject(f"note {note_id}", "note_id", _NEXT_NOTES)
