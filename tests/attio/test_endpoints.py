"""Every endpoint method: HTTP method, path, query, body, read/write bucket, idempotency and result type."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from attio_mcp.attio import (
    UNSET,
    AttioClient,
    AttioList,
    AttioObject,
    Attribute,
    Entry,
    InvalidArgumentError,
    Note,
    Record,
    SelectOption,
    ServerError,
    Status,
    Task,
    WorkspaceMember,
)
from attio_mcp.attio._http import BURST
from attio_mcp.attio._models import RecordEntry, SearchResult, TokenInfo

from .conftest import Recorder, attio_error

ONE = {"id": {"workspace_id": "w"}}


@dataclass
class Case:
    name: str
    call: Callable[[AttioClient], Awaitable[Any]]
    method: str
    path: str
    result: type | None
    body: Any = None
    params: dict[str, str] = field(default_factory=dict)
    idempotent: bool = True
    read: bool = True
    many: bool = False


LINK = {"target_object": "companies", "target_record_id": "c1"}
WHO = {"workspace_member_email_address": "ada@acme.com"}

CASES = [
    Case("get_self", lambda a: a.get_self(), "GET", "/v2/self", TokenInfo),
    Case("list_objects", lambda a: a.list_objects(), "GET", "/v2/objects", AttioObject, many=True),
    Case("list_attributes", lambda a: a.list_attributes("objects", "people"), "GET",
         "/v2/objects/people/attributes", Attribute, many=True),
    Case("list_attributes archived", lambda a: a.list_attributes("lists", "pipe", show_archived=True), "GET",
         "/v2/lists/pipe/attributes", Attribute, params={"show_archived": "true"}, many=True),
    Case("list_select_options", lambda a: a.list_select_options("objects", "companies", "categories"), "GET",
         "/v2/objects/companies/attributes/categories/options", SelectOption, many=True),
    Case("list_statuses", lambda a: a.list_statuses("objects", "deals", "stage"), "GET",
         "/v2/objects/deals/attributes/stage/statuses", Status, many=True),
    Case("query_records", lambda a: a.query_records("deals", filter={"stage": "Won"}, sorts=[{"attribute": "value",
         "direction": "desc"}], limit=10, offset=20), "POST", "/v2/objects/deals/records/query", Record,
         body={"filter": {"stage": "Won"}, "sorts": [{"attribute": "value", "direction": "desc"}], "limit": 10,
               "offset": 20}, many=True),
    Case("query_records bare", lambda a: a.query_records("deals"), "POST", "/v2/objects/deals/records/query",
         Record, body={}, many=True),
    Case("search_records", lambda a: a.search_records("acme", ["companies", "people"], limit=5), "POST",
         "/v2/objects/records/search", SearchResult, body={"query": "acme", "objects": ["companies", "people"],
         "limit": 5, "request_as": {"type": "workspace"}}, many=True),
    Case("create_record", lambda a: a.create_record("people", {"name": "Ada"}), "POST",
         "/v2/objects/people/records", Record, body={"data": {"values": {"name": "Ada"}}}, idempotent=False,
         read=False),
    Case("assert_record", lambda a: a.assert_record("people", "email_addresses", {"email_addresses": ["a@b.co"]}),
         "PUT", "/v2/objects/people/records", Record, body={"data": {"values": {"email_addresses": ["a@b.co"]}}},
         params={"matching_attribute": "email_addresses"}, read=False),
    Case("get_record", lambda a: a.get_record("people", "r1"), "GET", "/v2/objects/people/records/r1", Record),
    Case("update_record patch", lambda a: a.update_record("people", "r1", {"tags": ["x"]}), "PATCH",
         "/v2/objects/people/records/r1", Record, body={"data": {"values": {"tags": ["x"]}}}, idempotent=False,
         read=False),
    Case("update_record put", lambda a: a.update_record("people", "r1", {"tags": ["x"]}, overwrite=True), "PUT",
         "/v2/objects/people/records/r1", Record, body={"data": {"values": {"tags": ["x"]}}}, read=False),
    Case("delete_record", lambda a: a.delete_record("people", "r1"), "DELETE", "/v2/objects/people/records/r1",
         None, read=False),
    Case("list_record_entries", lambda a: a.list_record_entries("people", "r1", limit=50, offset=0), "GET",
         "/v2/objects/people/records/r1/entries", RecordEntry, params={"limit": "50", "offset": "0"}, many=True),
    Case("list_lists", lambda a: a.list_lists(), "GET", "/v2/lists", AttioList, many=True),
    Case("query_entries", lambda a: a.query_entries("pipe", filter={"stage": "Won"}, limit=5), "POST",
         "/v2/lists/pipe/entries/query", Entry, body={"filter": {"stage": "Won"}, "limit": 5}, many=True),
    Case("create_entry", lambda a: a.create_entry("pipe", "deals", "r1", {"stage": "Lead"}), "POST",
         "/v2/lists/pipe/entries", Entry, body={"data": {"parent_record_id": "r1", "parent_object": "deals",
         "entry_values": {"stage": "Lead"}}}, idempotent=False, read=False),
    Case("create_entry no values", lambda a: a.create_entry("pipe", "deals", "r1"), "POST",
         "/v2/lists/pipe/entries", Entry, body={"data": {"parent_record_id": "r1", "parent_object": "deals",
         "entry_values": {}}}, idempotent=False, read=False),
    Case("get_entry", lambda a: a.get_entry("pipe", "e1"), "GET", "/v2/lists/pipe/entries/e1", Entry),
    Case("update_entry patch", lambda a: a.update_entry("pipe", "e1", {"stage": "Won"}), "PATCH",
         "/v2/lists/pipe/entries/e1", Entry, body={"data": {"entry_values": {"stage": "Won"}}}, idempotent=False,
         read=False),
    Case("update_entry put", lambda a: a.update_entry("pipe", "e1", {"stage": "Won"}, overwrite=True), "PUT",
         "/v2/lists/pipe/entries/e1", Entry, body={"data": {"entry_values": {"stage": "Won"}}}, read=False),
    Case("delete_entry", lambda a: a.delete_entry("pipe", "e1"), "DELETE", "/v2/lists/pipe/entries/e1", None,
         read=False),
    Case("list_notes", lambda a: a.list_notes(parent_object="people", parent_record_id="r1", limit=10), "GET",
         "/v2/notes", Note, params={"parent_object": "people", "parent_record_id": "r1", "limit": "10"},
         many=True),
    Case("create_note", lambda a: a.create_note(parent_object="people", parent_record_id="r1", title="Call",
         content="# Hi", format="markdown", created_at="2024-01-01T10:00:00Z"), "POST", "/v2/notes", Note,
         body={"data": {"parent_object": "people", "parent_record_id": "r1", "title": "Call", "format": "markdown",
         "content": "# Hi", "created_at": "2024-01-01T10:00:00Z"}}, idempotent=False, read=False),
    Case("create_note plain", lambda a: a.create_note(parent_object="people", parent_record_id="r1", title="T",
         content="c"), "POST", "/v2/notes", Note, body={"data": {"parent_object": "people",
         "parent_record_id": "r1", "title": "T", "format": "plaintext", "content": "c"}}, idempotent=False,
         read=False),
    Case("get_note", lambda a: a.get_note("n1"), "GET", "/v2/notes/n1", Note),
    Case("delete_note", lambda a: a.delete_note("n1"), "DELETE", "/v2/notes/n1", None, read=False),
    Case("list_tasks", lambda a: a.list_tasks(linked_object="deals", linked_record_id="r1", assignee="ada@acme.com",
         is_completed=True, sort="created_at:desc", limit=5, offset=5), "GET", "/v2/tasks", Task,
         params={"linked_object": "deals", "linked_record_id": "r1", "assignee": "ada@acme.com",
                 "is_completed": "true", "sort": "created_at:desc", "limit": "5", "offset": "5"}, many=True),
    Case("create_task minimal", lambda a: a.create_task(content="Call"), "POST", "/v2/tasks", Task,
         body={"data": {"content": "Call", "format": "plaintext", "deadline_at": None, "is_completed": False,
         "linked_records": [], "assignees": []}}, idempotent=False, read=False),
    Case("create_task full", lambda a: a.create_task(content="Call", deadline_at="2024-06-01T09:00:00Z",
         is_completed=True, linked_records=[LINK], assignees=[WHO]), "POST", "/v2/tasks", Task,
         body={"data": {"content": "Call", "format": "plaintext", "deadline_at": "2024-06-01T09:00:00Z",
         "is_completed": True, "linked_records": [LINK], "assignees": [WHO]}}, idempotent=False, read=False),
    Case("update_task some", lambda a: a.update_task("t1", is_completed=True), "PATCH", "/v2/tasks/t1", Task,
         body={"data": {"is_completed": True}}, idempotent=False, read=False),
    Case("update_task clear deadline", lambda a: a.update_task("t1", deadline_at=None, assignees=[], linked_records=
         [LINK]), "PATCH", "/v2/tasks/t1", Task, body={"data": {"deadline_at": None, "linked_records": [LINK],
         "assignees": []}}, idempotent=False, read=False),
    Case("delete_task", lambda a: a.delete_task("t1"), "DELETE", "/v2/tasks/t1", None, read=False),
    Case("list_members", lambda a: a.list_members(), "GET", "/v2/workspace_members", WorkspaceMember, many=True),
]  # fmt: skip


def _reply(case: Case) -> httpx.Response:
    if case.result is None:
        return httpx.Response(200, json={})
    if case.result is TokenInfo:
        return httpx.Response(200, json={"active": True, "scope": "record_permission:read"})
    return httpx.Response(200, json={"data": [ONE, ONE] if case.many else ONE})


@pytest.mark.anyio
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_endpoint_request_and_result(make_client: Callable[..., AttioClient], case: Case) -> None:
    rec = Recorder([_reply(case)])
    async with make_client(rec, reads_per_second=10, writes_per_second=10) as attio:
        result = await case.call(attio)
        reads_left, writes_left = attio._core.reads.available(), attio._core.writes.available()
    request = rec.requests[0]
    assert (request.method, request.url.path) == (case.method, case.path)
    assert dict(request.url.params) == case.params
    assert rec.body() == case.body
    if case.body is not None:
        assert request.headers["Content-Type"] == "application/json"
    full, used = BURST, BURST - 1  # the call drew exactly one token, from the right bucket
    assert (reads_left, writes_left) == ((used, full) if case.read else (full, used))
    if case.result is None:
        assert result is None
    elif case.many:
        assert isinstance(result, list) and len(result) == 2
        assert all(type(item) is case.result for item in result)
    else:
        assert type(result) is case.result
    if case.result is TokenInfo:
        assert result.active and result.scopes == ["record_permission:read"]


@pytest.mark.anyio
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_endpoint_retry_on_503_matches_idempotency(
    make_client: Callable[..., AttioClient], case: Case
) -> None:
    rec = Recorder([attio_error(503, "unavailable"), _reply(case)])
    async with make_client(rec) as attio:
        if case.idempotent:
            await case.call(attio)
        else:
            with pytest.raises(ServerError):
                await case.call(attio)
    assert rec.count == (2 if case.idempotent else 1)


@pytest.mark.anyio
async def test_invalid_arguments_are_refused_before_sending(make_client: Callable[..., AttioClient]) -> None:
    rec = Recorder()
    async with make_client(rec) as attio:
        with pytest.raises(InvalidArgumentError):
            await attio.update_task("t1")
        with pytest.raises(InvalidArgumentError):
            await attio.list_attributes("people", "x")  # type: ignore[arg-type]
        with pytest.raises(InvalidArgumentError):
            await attio.get_record("people", "")
        assert await attio.update_task("t1", deadline_at=UNSET, is_completed=False) is not None
    assert rec.count == 1


@pytest.mark.anyio
async def test_datetime_arguments_are_serialised(make_client: Callable[..., AttioClient]) -> None:
    from datetime import UTC, datetime

    rec = Recorder()
    async with make_client(rec) as attio:
        when = datetime(2024, 6, 1, 9, 0, tzinfo=UTC)
        await attio.create_task(content="x", deadline_at=when)
        assert rec.body()["data"]["deadline_at"] == "2024-06-01T09:00:00+00:00"
        await attio.update_task("t1", deadline_at=when)
        assert rec.body()["data"] == {"deadline_at": "2024-06-01T09:00:00+00:00"}
