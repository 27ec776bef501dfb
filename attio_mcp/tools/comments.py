"""Comment tools: list a record's or list entry's threads, start a thread or reply, delete a comment.

A thread reads as ``{id, comments: [{id, author, at, text, resolved_at?, resolved_by?}]}``, oldest comment
first; authors are member emails. Attio writes a comment only as a workspace member: comments_create writes
as the member the API key belongs to.
"""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import Context
from pydantic import Field

from attio_mcp.tools._registry import tool, workspace_of
from attio_mcp.tools._results import Deleted
from attio_mcp.toolsets import R_ENTRY, R_LIST, R_OBJ, R_REC
from attio_mcp.workspace import Subject, Workspace, WorkspaceError
from attio_mcp.workspace.activity import (
    CommentOut,
    ThreadPage,
    comment_out,
    members_or_none,
    post_comment,
    scoped,
    thread_out,
)
from attio_mcp.workspace.page import split_page
from attio_mcp.workspace.search.service import wrote
from attio_mcp.workspace.values import require_uuid

Object = Annotated[str | None, Field(description="Object slug", max_length=100)]
RecordId = Annotated[str | None, Field(description="Record UUID", max_length=64)]
ListId = Annotated[str | None, Field(description="List UUID or slug", max_length=100)]
EntryId = Annotated[str | None, Field(description="Entry UUID", max_length=64)]
ThreadLimit = Annotated[int, Field(ge=1, le=50)]
Offset = Annotated[int, Field(ge=0, le=1_000_000)]
CommentId = Annotated[str, Field(description="Comment UUID", max_length=64)]

_PAGE_MAX = 50  # Attio's largest threads page
_NEXT = "comments_list shows the threads and comment ids of a record or list entry."


async def _place(
    d: Workspace, resource_type: str | None, record_id: str | None, list_id: str | None, entry_id: str | None
) -> dict[str, Any]:
    """``{"object": slug, "record_id": id}`` or ``{"list": slug, "entry_id": id}``, checked."""
    on_record, on_entry = bool(resource_type or record_id), bool(list_id or entry_id)
    if on_record == on_entry:
        raise WorkspaceError(
            "VALIDATION_ERROR",
            "give resource_type and record_id, or list_id and entry_id",
            field="record_id",
            next_step="records_search finds record ids; records_get_entries gives a record's list entries.",
        )
    if on_record:
        if not (resource_type and record_id):
            raise WorkspaceError(
                "VALIDATION_ERROR",
                "resource_type and record_id go together",
                field="record_id" if resource_type else "resource_type",
                next_step="pass both, e.g. companies and the company's record id.",
            )
        rid = require_uuid(record_id, "record_id")
        return {"object": (await d.object(resource_type)).slug, "record_id": rid}
    if not (list_id and entry_id):
        raise WorkspaceError(
            "VALIDATION_ERROR",
            "list_id and entry_id go together",
            field="entry_id" if list_id else "list_id",
            next_step="pass both; records_get_entries gives a record's entries with their list ids.",
        )
    eid = require_uuid(entry_id, "entry_id")
    return {"list": (await d.list(list_id)).slug, "entry_id": eid}


@tool("comments", title="List comments", read_only=True, idempotent=True)
async def comments_list(
    ctx: Context,
    resource_type: Object = None,
    record_id: RecordId = None,
    list_id: ListId = None,
    entry_id: EntryId = None,
    limit: ThreadLimit = 10,
    offset: Offset = 0,
) -> ThreadPage:
    """List a record's or entry's comment threads: author, time and text of each comment."""
    d = workspace_of(ctx)
    where = await _place(d, resource_type, record_id, list_id, entry_id)
    scopes = ("comment:read", R_OBJ, R_REC) if "object" in where else ("comment:read", R_LIST, R_ENTRY)
    rows: list[Any] = []
    while len(rows) < limit + 1:
        size = min(_PAGE_MAX, limit + 1 - len(rows))
        page = await scoped(d, d.client.list_threads(**where, limit=size, offset=offset + len(rows)), scopes)
        rows += page
        if len(page) < size:
            break
    threads, more = split_page(rows, limit)
    members = await members_or_none(d) if threads else ()
    return ThreadPage.of([thread_out(t, members) for t in threads], more=more, offset=offset)


@tool("comments", title="Add comment")
async def comments_create(
    ctx: Context,
    content: Annotated[str, Field(min_length=1, max_length=10_000)],
    resource_type: Object = None,
    record_id: RecordId = None,
    list_id: ListId = None,
    entry_id: EntryId = None,
    thread_id: Annotated[str | None, Field(description="Thread UUID", max_length=64)] = None,
) -> CommentOut:
    """Comment on a record or list entry (a new thread), or reply in thread_id."""
    d = workspace_of(ctx)
    if thread_id:
        if resource_type or record_id or list_id or entry_id:
            raise WorkspaceError(
                "VALIDATION_ERROR",
                "a reply takes thread_id alone",
                field="thread_id",
                next_step="drop resource_type/record_id/list_id/entry_id, or drop thread_id to start a thread.",
            )
        target: dict[str, Any] = {"thread_id": require_uuid(thread_id, "thread_id")}
    else:
        where = await _place(d, resource_type, record_id, list_id, entry_id)
        key = "record" if "object" in where else "entry"
        target = {key: tuple(where.values())}
    me = await d.call(d.client.get_self())
    if not me.authorized_by_workspace_member_id:
        raise WorkspaceError(
            "AUTH_ERROR",
            "this API key belongs to no workspace member, and Attio writes comments only as a member",
            next_step="use a key created by a workspace member (whoami shows authorized_by_member_id).",
        )
    comment = await post_comment(d, content, author_id=me.authorized_by_workspace_member_id, **target)
    wrote(d, f"comment:{comment.comment_id}")
    return comment_out(comment, await members_or_none(d), with_thread=True)


@tool("comments", title="Delete comment", destructive=True, idempotent=True)
async def comments_delete(ctx: Context, comment_id: CommentId) -> Deleted:
    """Delete a comment (and its thread, if it is the thread's first)."""
    cid = require_uuid(comment_id, "comment_id")
    d = workspace_of(ctx)
    await scoped(
        d,
        d.client.delete_comment(cid),
        ("comment:read-write",),
        subject=Subject(f"comment {cid}", "comment_id", _NEXT),
    )
    wrote(d, f"comment:{cid}", deleted=True)
    return Deleted(deleted=True, id=cid)
