"""The one error policy: client errors become coded WorkspaceErrors in Workspace.call, nowhere else."""

from __future__ import annotations

from typing import Any

import pytest

from attio_mcp.attio import AttioError, AttioTransportError
from attio_mcp.attio._errors import error_from_response
from attio_mcp.workspace import Subject, TargetSchema, Workspace, WorkspaceError
from attio_mcp.workspace.errors import code_of
from attio_mcp.workspace.page import Page, split_page
from attio_mcp.workspace.schema import AttrInfo

pytestmark = pytest.mark.anyio

DEALS = TargetSchema(
    kind="object",
    id="obj-deals",
    slug="deals",
    name="Deals",
    attributes={"stage": AttrInfo(slug="stage", id="attr-stage", title="Stage", type="status")},
)


class FakeCache:
    def __init__(self) -> None:
        self.dropped: list[str | None] = []

    def invalidate(self, slug_or_id: str | None = None) -> None:
        self.dropped.append(slug_or_id)


def workspace() -> tuple[Workspace, FakeCache]:
    cache = FakeCache()
    return Workspace(client=None, schema=cache), cache  # type: ignore[arg-type]


async def fails(exc: AttioError) -> Any:
    raise exc


def status(code: int, body: dict[str, Any]) -> AttioError:
    return error_from_response("PATCH", "/v2/objects/deals/records/x", code, body)


async def test_404_names_the_subject_its_field_and_next_step() -> None:
    ws, _ = workspace()
    about = Subject("note 1", "note_id", "notes_list shows notes.")
    with pytest.raises(WorkspaceError) as info:
        await ws.call(fails(status(404, {"code": "not_found", "message": "gone"})), subject=about)
    assert (info.value.code, info.value.field) == ("NOT_FOUND", "note_id")
    assert (
        info.value.render() == "NOT_FOUND: note 1 not found (field: note_id). Next: notes_list shows notes."
    )


async def test_a_missing_reference_is_the_subject_only_when_asked() -> None:
    ws, _ = workspace()
    gone = {"code": "value_not_found", "message": "Referenced record not found"}
    with pytest.raises(WorkspaceError) as plain:
        await ws.call(fails(status(400, gone)), subject="deals record 1")
    assert plain.value.code == "VALIDATION_ERROR"
    with pytest.raises(WorkspaceError) as asked:
        await ws.call(fails(status(400, gone)), subject="deals record 1", missing_reference=True)
    assert asked.value.code == "NOT_FOUND" and asked.value.message == "deals record 1 not found"


async def test_schema_errors_drop_the_cached_schema_and_name_the_attribute() -> None:
    ws, cache = workspace()
    body = {"code": "missing_value", "message": 'Required attribute with ID "attr-stage" is missing'}
    with pytest.raises(WorkspaceError) as info:
        await ws.call(fails(status(400, body)), target=DEALS)
    assert cache.dropped == ["obj-deals"]
    assert info.value.field == "stage"


async def test_a_missing_record_keeps_the_schema() -> None:
    ws, cache = workspace()
    body = {"code": "value_not_found", "message": "Record with ID x not found for attribute"}
    with pytest.raises(WorkspaceError):
        await ws.call(fails(status(400, body)), target=DEALS)
    assert cache.dropped == []


async def test_upstream_failures_of_writes_say_the_write_may_have_happened() -> None:
    ws, _ = workspace()
    with pytest.raises(WorkspaceError) as info:
        await ws.call(fails(AttioTransportError("connection reset", method="POST", path="/v2/notes")))
    error = info.value
    assert error.code == "UPSTREAM_ERROR" and error.maybe_applied
    assert "may or may not have been applied" in error.during_write().render()


@pytest.mark.parametrize(
    ("status_code", "code", "expected"),
    [
        (400, "uniqueness_conflict", "CONFLICT"),
        (400, "validation_type", "VALIDATION_ERROR"),
        (401, None, "AUTH_ERROR"),
        (404, None, "NOT_FOUND"),
        (429, None, "RATE_LIMIT"),
        (503, None, "UPSTREAM_ERROR"),
    ],
)
def test_code_table(status_code: int, code: str | None, expected: str) -> None:
    assert code_of(status(status_code, {"code": code, "message": "m"})) == expected


def test_a_page_points_at_the_next_one_only_when_there_is_more() -> None:
    class Numbers(Page[int]):
        ITEMS = "numbers"
        numbers: list[int]

    rows, more = split_page([1, 2, 3], 2)
    page = Numbers.of(rows, more=more, offset=10)
    assert page.model_dump(exclude_none=True) == {"has_more": True, "next_offset": 12, "numbers": [1, 2]}
    rows, more = split_page([3], 2)
    last = Numbers.of(rows, more=more, offset=12)
    assert last.model_dump(exclude_none=True) == {"has_more": False, "numbers": [3]}


def test_a_query_refused_again_and_again_says_to_simplify_it() -> None:
    from attio_mcp.workspace.errors import error_from_attio

    exc = error_from_response(
        "POST", "/v2/objects/deals/records/query", 429, {"code": "rate_limit_exceeded"}, 3
    )
    exc.repeated_on_query = True  # type: ignore[attr-defined]
    error = error_from_attio(exc)
    assert error.code == "RATE_LIMIT" and "over 10 seconds" in error.message
    assert "simplify the filter" in (error.next_step or "")


PHONES = TargetSchema(
    kind="object",
    id="obj-people",
    slug="people",
    name="People",
    attributes={
        "phone_numbers": AttrInfo(slug="phone_numbers", id="attr-ph", title="Phones", type="phone-number")
    },
)


async def test_an_invalid_phone_names_the_attribute_not_the_property() -> None:
    ws, _ = workspace()
    body = {
        "code": "validation_type",
        "message": 'An invalid value was passed to attribute with slug "phone_numbers".',
        "validation_errors": [{"path": ["original_phone_number"], "code": "invalid", "message": "bad"}],
    }
    with pytest.raises(WorkspaceError) as info:
        await ws.call(fails(status(400, body)), target=PHONES)
    assert info.value.field == "phone_numbers"


async def test_an_unknown_filter_slug_drops_the_schema_and_blames_the_filter() -> None:
    ws, cache = workspace()
    body = {
        "code": "unknown_filter_attribute_slug",
        "message": "Unknown attribute slug: email.",
        "path": ["email"],
    }
    with pytest.raises(WorkspaceError) as info:
        await ws.call(fails(status(400, body)), target=PHONES)
    assert cache.dropped == ["obj-people"]
    assert info.value.field == "filter" and info.value.code == "VALIDATION_ERROR"
