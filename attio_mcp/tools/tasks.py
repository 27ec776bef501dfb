"""Task tools: create, list, update and delete tasks linked to records and assigned to members.

Attio tasks have no title and their content cannot be edited after creation. A ``title`` given to
tasks_create is put in front of the content (``"Title — content"``). ``due_at`` takes an ISO timestamp, a
date, or a date in words (``tomorrow``, ``friday``, ``in 3 days``, ``next week 10:00``: ``workspace.dates``);
a date without a time means 09:00 UTC that day, which falls on the same calendar day from UTC-9 to UTC+14.
Assignees are member ids, emails or names, checked against the workspace members before any write. A
linked record may be given by its name, domain or email instead of its id (one lookup). Every reading that
was not literal is listed in the result's ``interpreted``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import time
from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context
from pydantic import BaseModel, Field

from attio_mcp.attio import UNSET, Task, WorkspaceMember
from attio_mcp.tools._params import Limit, Offset
from attio_mcp.tools._registry import tool, workspace_of
from attio_mcp.tools._results import Deleted
from attio_mcp.workspace import AttrInfo, InputError, Subject, Workspace, WorkspaceError
from attio_mcp.workspace.dates import DATE_WORDS, today_is
from attio_mcp.workspace.interpret import Interpreted, show
from attio_mcp.workspace.lookup import record_id as named_record
from attio_mcp.workspace.page import Page, split_page
from attio_mcp.workspace.render import compact_timestamp
from attio_mcp.workspace.search.service import wrote
from attio_mcp.workspace.values import TYPES, UUID_RE, require_uuid, words_to_iso

MAX_CONTENT = 2000
DATE_ONLY_TIME = "T09:00:00Z"
TITLE_SEPARATOR = " — "

TaskId = Annotated[str, Field(description="Task UUID", max_length=64)]
Links = Annotated[
    list[dict[str, Any]] | None,
    Field(description="[{target_object, target_record_id}]", max_length=50),
]
Assignees = Annotated[list[str] | None, Field(description="Member ids, emails or names", max_length=20)]
DueAt = Annotated[
    str | None, Field(description="ISO time, date (09:00 UTC) or words: tomorrow, friday, in 3 days")
]

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DUE = AttrInfo(slug="due_at", id="", title="due_at", type="timestamp")
_ASSIGNEE = AttrInfo(slug="assignees", id="", title="assignees", type="actor-reference")
_NEXT_TASKS = "tasks_list shows tasks and their ids."


class TaskLink(BaseModel):
    object: str | None = None
    record_id: str | None = None


class TaskOut(BaseModel):
    """One task; ``assignees`` are member emails (ids when a member is unknown)."""

    id: str | None = None
    content: str | None = None
    due_at: str | None = None
    is_completed: bool
    linked_records: list[TaskLink] | None = None
    assignees: list[str | None] | None = None
    created_at: str | None = None
    interpreted: list[str] | None = None


class TaskPage(Page[TaskOut]):
    """A page of tasks."""

    ITEMS = "tasks"

    tasks: list[TaskOut]
    interpreted: list[str] | None = None


@tool("tasks", title="Create task")
async def tasks_create(
    ctx: Context,
    content: Annotated[str, Field(min_length=1, max_length=MAX_CONTENT)],
    title: Annotated[str | None, Field(description="Prefixed to content", max_length=200)] = None,
    linked_records: Links = None,
    assignees: Assignees = None,
    due_at: DueAt = None,
    is_completed: bool = False,
) -> TaskOut:
    """Create a task; Attio tasks have no title, so a title is put in front of the content."""
    text = f"{title.strip()}{TITLE_SEPARATOR}{content}" if title and title.strip() else content
    if len(text) > MAX_CONTENT:
        raise WorkspaceError(
            "VALIDATION_ERROR",
            f"title + content is {len(text)} characters; Attio allows {MAX_CONTENT}",
            field="content",
            next_step="shorten the content, or put the details in a note (notes_create).",
        )
    d = workspace_of(ctx)
    notes = Interpreted()
    links = await _links(d, linked_records or [], notes)
    people = await _assignees(d, assignees or [], notes=notes)
    deadline = _due(d, due_at, notes) if due_at else None
    task = await d.client.create_task(
        content=text,
        deadline_at=deadline,
        is_completed=is_completed,
        linked_records=links,
        assignees=people,
    )
    wrote(d, f"task:{task.task_id}")
    return (await _render(d, [task]))[0].model_copy(update={"interpreted": notes.out()})


@tool("tasks", title="List tasks", read_only=True, idempotent=True)
async def tasks_list(
    ctx: Context,
    linked_object: Annotated[str | None, Field(description="Object slug of a linked record")] = None,
    linked_record_id: Annotated[str | None, Field(description="Linked record UUID")] = None,
    assignee: Annotated[str | None, Field(description="Member id or email")] = None,
    is_completed: bool | None = None,
    sort: Literal["created_at:asc", "created_at:desc"] | None = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> TaskPage:
    """List tasks, optionally by linked record, assignee and completion."""
    d = workspace_of(ctx)
    notes = Interpreted()
    if bool(linked_object) != bool(linked_record_id):
        raise WorkspaceError(
            "VALIDATION_ERROR",
            "linked_object and linked_record_id go together",
            field="linked_record_id" if linked_object else "linked_object",
            next_step="pass both, e.g. deals and the deal's record id.",
        )
    obj = rid = member = None
    if linked_object and linked_record_id:
        obj = (await d.object(linked_object, field="linked_object", notes=notes)).slug
        rid = await named_record(d, [obj], linked_record_id, field="linked_record_id", notes=notes)
    if assignee:
        (actor,) = await _assignees(d, [assignee], field="assignee", notes=notes)
        member = actor.get("referenced_actor_id") or actor["workspace_member_email_address"]
    rows = await d.client.list_tasks(
        linked_object=obj,
        linked_record_id=rid,
        assignee=member,
        is_completed=is_completed,
        sort=sort,
        limit=limit + 1,
        offset=offset,
    )
    page, more = split_page(rows, limit)
    return TaskPage.of(await _render(d, page), more=more, offset=offset, interpreted=notes.out())


# Destructive: linked_records and assignees replace the current ones. Idempotent: values are set, not added.
@tool("tasks", title="Update task", destructive=True, idempotent=True)
async def tasks_update(
    ctx: Context,
    task_id: TaskId,
    due_at: Annotated[str | None, Field(description="As in tasks_create; '' clears")] = None,
    is_completed: bool | None = None,
    linked_records: Links = None,
    assignees: Assignees = None,
) -> TaskOut:
    """Update a task's due date, completion, links or assignees (lists replace); content cannot be edited."""
    tid = require_uuid(task_id, "task_id")
    if due_at is None and is_completed is None and linked_records is None and assignees is None:
        raise WorkspaceError(
            "VALIDATION_ERROR",
            "nothing to update",
            field="task_id",
            next_step="pass due_at, is_completed, linked_records or assignees; to change content, create a new task.",
        )
    d = workspace_of(ctx)
    notes = Interpreted()
    changes: dict[str, Any] = {}
    if due_at is not None:
        changes["deadline_at"] = _due(d, due_at, notes) if due_at.strip() else None
    if is_completed is not None:
        changes["is_completed"] = is_completed
    if linked_records is not None:
        changes["linked_records"] = await _links(d, linked_records, notes)
    if assignees is not None:
        changes["assignees"] = await _assignees(d, assignees or [], notes=notes)
    task = await d.call(
        d.client.update_task(
            tid,
            deadline_at=changes.get("deadline_at", UNSET),
            is_completed=changes.get("is_completed", UNSET),
            linked_records=changes.get("linked_records", UNSET),
            assignees=changes.get("assignees", UNSET),
        ),
        subject=_task(tid),
    )
    wrote(d, f"task:{tid}")
    return (await _render(d, [task]))[0].model_copy(update={"interpreted": notes.out()})


@tool("tasks", title="Delete task", destructive=True, idempotent=True)
async def tasks_delete(ctx: Context, task_id: TaskId) -> Deleted:
    """Delete a task permanently."""
    tid = require_uuid(task_id, "task_id")
    d = workspace_of(ctx)
    await d.call(d.client.delete_task(tid), subject=_task(tid))
    wrote(d, f"task:{tid}", deleted=True)
    return Deleted(deleted=True, id=tid)


# -- helpers --------------------------------------------------------------------------------------------


def _due(d: Workspace, value: str, notes: Interpreted) -> str:
    """A UTC timestamp: an ISO time, a date (09:00 UTC) or a date in words (noted)."""
    text = value.strip()
    words = words_to_iso(text, date_only=False, now=d.now(), at=time(9))
    if words is not None:
        notes.add("due_at", value, show(words))
        text = words
    elif _DATE_RE.match(text):
        text += DATE_ONLY_TIME
    try:
        return str(TYPES["timestamp"].coerce(_DUE, text, ()))
    except InputError:
        raise WorkspaceError(
            "VALIDATION_ERROR",
            f"{value.strip()[:80]!r} is not a date or time",
            field="due_at",
            next_step=f"pass an ISO time (2024-12-16T10:00:00Z), a date (09:00 UTC) or words ({DATE_WORDS}); "
            f"{today_is(d.now())}.",
        ) from None


_OBJECT_KEYS = ("target_object", "object", "object_slug")
_RECORD_KEYS = ("target_record_id", "record_id", "id")


async def _links(d: Workspace, items: Sequence[dict[str, Any]], notes: Interpreted) -> list[dict[str, str]]:
    """``{target_object, target_record_id}`` items (``object``/``record_id``/``id`` also accepted, an object by
    its usual CRM name, a record by its name, domain or email), checked."""
    out = []
    for i, item in enumerate(items):
        where = f"linked_records.{i}"
        obj = next((item[k] for k in _OBJECT_KEYS if item.get(k)), None)
        rid = next((item[k] for k in _RECORD_KEYS if item.get(k)), None)
        if not isinstance(obj, str) or not isinstance(rid, str) or not obj or not rid:
            raise WorkspaceError(
                "VALIDATION_ERROR",
                "each linked record needs target_object and target_record_id",
                field=where,
                next_step='pass [{"target_object": "deals", "target_record_id": "<uuid>"}].',
            )
        slug = (await d.object(obj, field=f"{where}.target_object", notes=notes)).slug
        found = await named_record(d, [slug], rid, field=f"{where}.target_record_id", notes=notes)
        out.append({"target_object": slug, "target_record_id": found})
    return out


async def _assignees(
    d: Workspace, items: Sequence[str], *, field: str = "assignees", notes: Interpreted | None = None
) -> list[dict[str, Any]]:
    """Member ids, emails or names -> actor references; an unknown one fails listing the members' emails."""
    if not items:
        return []
    members = await d.members()
    out = []
    for item in items:
        try:
            actor = TYPES["actor-reference"].coerce(_ASSIGNEE, item, members)
        except InputError as err:
            raise WorkspaceError(
                "VALIDATION_ERROR",
                f"no workspace member {str(item)[:80]!r}",
                field=field,
                options=err.options,
                next_step="use a member's email or id; members_list shows them.",
            ) from None
        text = str(item).strip()
        if notes is not None and "@" not in text and not UUID_RE.match(text):
            notes.add(field, text, show(actor.get("referenced_actor_id")))  # a member's name
        out.append(actor)  # by member id; by email only when no members could be listed to check it
    return out


async def _render(d: Workspace, tasks: Sequence[Task]) -> list[TaskOut]:
    if not tasks:
        return []
    slugs = await d.object_slugs()
    members = await d.members() if any(t.assignees for t in tasks) else []
    return [task_out(t, slugs, members) for t in tasks]


def task_out(task: Task, slugs: dict[str, str], members: Sequence[WorkspaceMember]) -> TaskOut:
    """``{id, content, due_at, is_completed, linked_records, assignees, created_at}``, empties omitted."""
    emails = {m.workspace_member_id: m.email_address for m in members if m.workspace_member_id}
    links = []
    for link in task.linked_records:
        obj = link.get("target_object_id") or link.get("target_object")
        links.append(TaskLink(object=slugs.get(str(obj), obj), record_id=link.get("target_record_id")))
    people = []
    for actor in task.assignees:
        ident = actor.get("referenced_actor_id") or actor.get("workspace_member_email_address")
        people.append(emails.get(str(ident)) or ident)
    return TaskOut(
        id=task.task_id or None,
        content=task.content_plaintext or None,
        due_at=compact_timestamp(task.deadline_at) or None,
        is_completed=task.is_completed,
        linked_records=links or None,
        assignees=people or None,
        created_at=compact_timestamp(task.created_at) or None,
    )


def _task(task_id: str) -> Subject:
    return Subject(f"task {task_id}", "task_id", _NEXT_TASKS)
