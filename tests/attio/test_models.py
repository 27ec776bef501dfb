"""Tolerant response models: real samples, unknown fields, nulls."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from attio_mcp.attio import (
    AttioList,
    AttioObject,
    Attribute,
    Entry,
    Note,
    Record,
    SelectOption,
    Status,
    Task,
    WorkspaceMember,
)
from attio_mcp.attio._models import RecordEntry, SearchResult, TokenInfo

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "attio-samples"  # shared/ sits beside the repo
SAMPLE_01 = SAMPLES / "01-list-all-companies.json"


@pytest.mark.skipif(not SAMPLE_01.exists(), reason="shared Attio samples are not on this machine")
def test_real_company_records_parse() -> None:
    raw = json.loads(SAMPLE_01.read_text())["data"]
    records = [Record.model_validate(item) for item in raw]
    assert len(records) == 25
    first, raw_first = records[0], raw[0]
    assert first.record_id == raw_first["id"]["record_id"]
    assert first.object_id == "f2239e94-6d6b-4152-9d42-1c3ee623f024"
    assert first.web_url and first.web_url.startswith("https://app.attio.com/arcade-sandbox/company/")
    assert set(first.values) == set(raw_first["values"])  # all 48 slugs kept, empties as []
    assert len(first.values) == 48
    assert first.values["instagram"] == []
    record_id_value = first.first_value("record_id")
    assert record_id_value is not None and record_id_value["value"] == first.record_id
    assert first.first_value("instagram") is None
    # The round trip keeps every key of the wire format.
    assert first.model_dump(mode="json") == raw_first


@pytest.mark.skipif(not (SAMPLES / "02-deals-by-stage.json").exists(), reason="samples missing")
def test_real_deal_status_values_parse() -> None:
    raw = json.loads((SAMPLES / "02-deals-by-stage.json").read_text())["data"]
    for record in (Record.model_validate(item) for item in raw):
        stage = record.first_value("stage")
        assert stage is not None and stage["status"]["title"] == "Nurture"


def test_unknown_fields_are_kept() -> None:
    obj = AttioObject.model_validate(
        {"id": {"workspace_id": "w", "object_id": "o"}, "api_slug": "people", "brand_new_field": {"x": 1}}
    )
    assert obj.object_id == "o"
    assert obj.model_extra == {"brand_new_field": {"x": 1}}


@pytest.mark.parametrize(
    "model",
    [TokenInfo, AttioObject, Attribute, SelectOption, Status, Record, SearchResult, AttioList, Entry,
     RecordEntry, Note, Task, WorkspaceMember],
)  # fmt: skip
def test_every_model_accepts_empty_and_all_null_payloads(model: type) -> None:
    model.model_validate({})
    nulls = {name: None for name in model.model_fields}
    instance = model.model_validate(nulls)
    assert instance is not None


def test_nulls_become_empties() -> None:
    record = Record.model_validate({"id": None, "values": None})
    assert record.id == {} and record.values == {} and record.record_id is None
    record = Record.model_validate({"values": {"name": None, "tags": {"value": "x"}, "odd": ["bare"]}})
    assert record.values == {"name": [], "tags": [{"value": "x"}], "odd": [{"value": "bare"}]}
    task = Task.model_validate({"is_completed": None, "linked_records": None, "assignees": None})
    assert task.is_completed is False and task.linked_records == [] and task.assignees == []
    attr = Attribute.model_validate({"is_multiselect": None, "config": None})
    assert attr.is_multiselect is False and attr.config == {} and attr.allowed_object_ids == []


def test_id_properties() -> None:
    assert Attribute.model_validate({"id": {"attribute_id": "a", "object_id": "o"}}).attribute_id == "a"
    assert SelectOption.model_validate({"id": {"option_id": "op"}}).option_id == "op"
    assert Status.model_validate({"id": {"status_id": "s"}}).status_id == "s"
    assert SearchResult.model_validate({"id": {"record_id": "r", "object_id": "o"}}).record_id == "r"
    assert AttioList.model_validate({"id": {"list_id": "l"}}).list_id == "l"
    entry = Entry.model_validate({"id": {"list_id": "l", "entry_id": "e"}, "entry_values": {"stage": []}})
    assert (entry.list_id, entry.entry_id, entry.entry_values) == ("l", "e", {"stage": []})
    assert Note.model_validate({"id": {"note_id": "n"}}).note_id == "n"
    assert Task.model_validate({"id": {"task_id": "t"}}).task_id == "t"
    member = WorkspaceMember.model_validate(
        {"id": {"workspace_member_id": "m"}, "first_name": "Ada", "last_name": "Lovelace"}
    )
    assert member.workspace_member_id == "m" and member.full_name == "Ada Lovelace"


def test_token_scopes_and_list_parent_object() -> None:
    token = TokenInfo.model_validate({"active": True, "scope": "record_permission:read note:read-write"})
    assert token.scopes == ["record_permission:read", "note:read-write"]
    assert TokenInfo.model_validate({"active": False}).scopes == []
    assert AttioList.model_validate({"parent_object": "companies"}).parent_object == ["companies"]


def test_attribute_allowed_objects() -> None:
    attr = Attribute.model_validate({"config": {"record_reference": {"allowed_object_ids": ["u1", "u2"]}}})
    assert attr.allowed_object_ids == ["u1", "u2"] and attr.allowed_objects == ["u1", "u2"]
    both = Attribute.model_validate(
        {"config": {"record_reference": {"allowed_object_ids": ["u1"], "allowed_objects": ["people"]}}}
    )
    assert both.allowed_objects == ["people"]
