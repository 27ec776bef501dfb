"""Read flattening against real Attio wire values (shared/attio-samples) and hand-made ones."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from attio_mcp.attio import Entry, Record
from attio_mcp.workspace.render import (
    compact_timestamp,
    derived_updated_at,
    flatten_entry,
    flatten_record,
    flatten_value,
    flatten_values,
    hoist_web_urls,
)
from attio_mcp.workspace.schema import AttrInfo, TargetSchema

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "attio-samples"  # shared/ sits beside the repo
PERSON_A = "2e3a4ef6-f439-599d-a51b-2f707449d431"
PERSON_B = "d6717649-375c-5f2f-a465-aaee4895863d"


def value(attribute_type: str, active_from: str = "2026-02-27T07:49:52.911000000Z", **fields: Any) -> dict:
    return {
        "active_from": active_from,
        "active_until": None,
        "attribute_type": attribute_type,
        "created_by_actor": {"id": None, "type": "system"},
        **fields,
    }


def attr(slug: str, type: str, **kw: Any) -> AttrInfo:
    return AttrInfo(slug=slug, id=f"id-{slug}", title=slug, type=type, **kw)


def load(name: str, record_id: str | None = None) -> dict:
    data = json.loads((SAMPLES / name).read_text())["data"]
    return next(r for r in data if record_id in (None, r["id"]["record_id"]))


needs_samples = pytest.mark.skipif(not SAMPLES.exists(), reason="attio-samples not available")

LOCATION = {
    "line_1": "1 Infinite Loop",
    "line_2": None,
    "line_3": None,
    "line_4": None,
    "locality": "Cupertino",
    "region": "CA",
    "postcode": "95014",
    "country_code": "US",
    "latitude": "37.3318",
    "longitude": "-122.0312",
}

FLAT = [
    (value("text", value="Broadcom Inc."), "Broadcom Inc."),
    (value("number", value=52532), 52532),
    (value("checkbox", value=False), False),
    (value("date", value="1961-01-01"), "1961-01-01"),
    (
        value("timestamp", value="2026-02-27T07:08:06.235000000Z"),
        "2026-02-27T07:08:06.235Z",
    ),  # padding dropped
    (value("rating", value=4), 4),
    (value("currency", currency_code="USD", currency_value=480000), 480000),
    (
        value("select", option={"id": {"option_id": "o1"}, "title": "10K-50K", "is_archived": False}),
        "10K-50K",
    ),
    (value("select", option="3f1c0e55-0000-4000-8000-000000000000"), "3f1c0e55-0000-4000-8000-000000000000"),
    (
        value("status", status={"id": {"status_id": "s1"}, "title": "Closed Won", "is_archived": False}),
        "Closed Won",
    ),
    (value("record-reference", target_object="companies", target_record_id=PERSON_A), PERSON_A),
    (value("actor-reference", referenced_actor_type="workspace-member", referenced_actor_id="m1"), "m1"),
    (value("actor-reference", referenced_actor_type="api-token", referenced_actor_id="t1"), "api-token:t1"),
    (value("actor-reference", referenced_actor_type="system", referenced_actor_id=None), "system"),
    (value("domain", domain="broadcom.com", root_domain="broadcom.com"), "broadcom.com"),
    (
        value("email-address", original_email_address="Ada@Acme.com", email_address="ada@acme.com"),
        "ada@acme.com",
    ),
    (
        value("phone-number", original_phone_number="07777777777", phone_number="+447777777777"),
        "+447777777777",
    ),
    (
        value("personal-name", first_name="Ada", last_name="Lovelace", full_name="Ada Lovelace"),
        "Ada Lovelace",
    ),
    (value("personal-name", first_name="Ada", last_name="Lovelace", full_name=None), "Ada Lovelace"),
    (value("location", **LOCATION), "1 Infinite Loop, Cupertino, CA, 95014, US"),
    (value("location", **dict.fromkeys(LOCATION)), None),
    (
        value("interaction", interaction_type="email", interacted_at="2025-01-02T03:04:05Z", owner_actor={}),
        {"type": "email", "at": "2025-01-02T03:04:05Z"},
    ),
    (value("brand-new-type", score=7), 7),
]


@pytest.mark.parametrize(("raw", "expected"), FLAT)
def test_flatten_value_per_type(raw: dict, expected: Any) -> None:
    assert flatten_value(raw) == expected


COMPANY_SCHEMA = TargetSchema(
    kind="object",
    slug="companies",
    id="f2239e94-6d6b-4152-9d42-1c3ee623f024",
    name="Companies",
    attributes={
        a.slug: a
        for a in [
            attr("domains", "domain", multi=True),
            attr("categories", "select", multi=True),
            attr("team", "record-reference", multi=True, allowed_objects=("people",)),
            attr("annual_revenue", "currency", currency_code="USD"),
            attr("associated_deals", "record-reference", multi=True, allowed_objects=("deals",)),
        ]
    },
)


@needs_samples
def test_real_company_record_flattens_compactly() -> None:
    raw = load("05-technology-companies.json", "03e7d757-3cec-5040-96ba-cd66e7292719")
    flat = flatten_record(Record.model_validate(raw), "companies", COMPANY_SCHEMA)
    categories = [v["option"]["title"] for v in raw["values"]["categories"]]
    assert len(categories) == 10 and flat["categories"] == categories  # kept whole, in wire order
    assert flat["id"] == raw["id"]["record_id"]
    assert flat["object"] == "companies"
    assert flat["web_url"] == raw["web_url"]
    assert flat["created_at"] == "2026-02-27T07:08:06.235Z"
    assert flat["updated_at"] == compact_timestamp(
        max(v["active_from"] for vs in raw["values"].values() for v in vs)
    )
    assert flat["updated_at"] == "2026-02-27T07:48:06.962Z"
    assert flat["annual_revenue"] == 64000000000
    assert flat["domains"] == ["broadcom.com"]  # multi per schema, even with one value
    assert flat["team"] == [PERSON_A, PERSON_B]
    assert flat["primary_location"] == "3421 Hillview Avenue, Palo Alto, California, 94304, US"
    assert flat["employee_range"] == "10K-50K"
    assert flat["foundation_date"] == "1961-01-01"
    for dropped in ("record_id", "created_by", "instagram", "first_interaction"):
        assert dropped not in flat
    assert len(json.dumps(flat)) < len(json.dumps(raw)) / 5


@needs_samples
def test_real_deal_record_flattens_compactly() -> None:
    raw = load("08-sort-and-limit.json")
    assert flatten_record(raw, "deals") == {
        "id": "a4b8e64f-ad13-49b4-960f-89bb1eb5a3ee",
        "object": "deals",
        "web_url": "https://app.attio.com/arcade-sandbox/deals/record/a4b8e64f-ad13-49b4-960f-89bb1eb5a3ee",
        "created_at": "2026-02-27T07:49:52.911Z",
        "updated_at": "2026-02-27T07:49:52.911Z",
        "associated_company": "83bfe8c7-696f-59b5-b683-096eac6c97b9",
        "champion": "VP Technology",
        "close_date": "2025-08-10",
        "contract_length_months": 36,
        "deal_lead_source": "Benchmark Seed",
        "name": "Berkshire Hathaway - Enterprise Platform",
        "next_step": "Phase 2 planning",
        "owner": "ee12dfd9-69a9-4288-9828-df5319d4655d",
        "probability": 100,
        "stage": "Closed Won",
        "use_case": "Cross-subsidiary data platform",
        "value": 480000,
    }


@needs_samples
def test_every_sample_record_flattens() -> None:
    for path in sorted(SAMPLES.glob("*.json")):
        for raw in json.loads(path.read_text())["data"]:
            flat = flatten_record(raw, "x")
            assert flat["id"] == raw["id"]["record_id"]
            assert flat["updated_at"] is not None


def test_historic_values_are_dropped_and_multi_kept_whole() -> None:
    values = {
        "name": [
            value("text", "2024-01-01T00:00:00Z", value="Old", active_until="2024-02-01T00:00:00Z"),
            value("text", "2024-02-01T00:00:00Z", value="New"),
        ],
        "tags": [value("select", option={"title": "A"}), value("select", option={"title": "B"})],
        "empty": [],
        "blank": [value("text", value="")],
    }
    assert flatten_values(values) == {"name": "New", "tags": ["A", "B"]}


def test_multi_target_references_carry_the_object() -> None:
    schema = TargetSchema(
        kind="object",
        slug="deals",
        id="d",
        name="Deals",
        attributes={
            "parties": attr(
                "parties", "record-reference", multi=True, allowed_objects=("people", "companies")
            ),
            "company": attr("company", "record-reference", allowed_objects=("companies",)),
        },
    )
    values = {
        "parties": [
            value("record-reference", target_object="people", target_record_id=PERSON_A),
            value("record-reference", target_object="companies", target_record_id=PERSON_B),
        ],
        "company": [value("record-reference", target_object="companies", target_record_id=PERSON_B)],
    }
    assert flatten_values(values, schema) == {
        "parties": [f"people:{PERSON_A}", f"companies:{PERSON_B}"],
        "company": PERSON_B,
    }


def test_fields_projection_keeps_id_and_object() -> None:
    raw = {
        "id": {"record_id": "r1"},
        "created_at": "2024-01-01T00:00:00Z",
        "web_url": "https://app.attio.com/x/r1",
        "values": {
            "name": [value("text", value="Acme")],
            "domains": [value("domain", domain="acme.com")],
            "created_by": [
                value("actor-reference", referenced_actor_type="system", referenced_actor_id=None)
            ],
        },
    }
    assert flatten_record(raw, "companies", fields=["name", "nope"]) == {
        "id": "r1",
        "object": "companies",
        "name": "Acme",
    }
    assert flatten_record(raw, "companies", fields=["web_url", "created_by"]) == {
        "id": "r1",
        "object": "companies",
        "web_url": "https://app.attio.com/x/r1",
        "created_by": "system",
    }
    schema = TargetSchema(
        kind="object", slug="companies", id="c", name="C", attributes={"domains": attr("domains", "domain")}
    )
    assert flatten_values(raw["values"], schema, fields=["id-domains"]) == {"domains": "acme.com"}


def test_derived_updated_at_compares_times_not_strings() -> None:
    values = {
        "a": [value("text", "2026-02-27T07:49:52Z", value="x")],
        "b": [value("text", "2026-02-27T07:49:52.911000000Z", value="y")],
        "c": [value("text", "2027-01-01T00:00:00Z", value="old", active_until="2027-01-02T00:00:00Z")],
    }
    assert derived_updated_at(values) == "2026-02-27T07:49:52.911000000Z"
    assert derived_updated_at({}) is None


def test_flatten_entry() -> None:
    entry = Entry.model_validate(
        {
            "id": {"workspace_id": "w", "list_id": "l1", "entry_id": "e1"},
            "parent_record_id": "r1",
            "parent_object": "companies",
            "created_at": "2024-01-01T00:00:00Z",
            "entry_values": {
                "priority": [value("select", option={"title": "High"})],
                "stage": [value("status", status={"title": "Qualified"})],
                "follow_up_date": [],
            },
        }
    )
    assert flatten_entry(entry) == {
        "entry_id": "e1",
        "record_id": "r1",
        "object": "companies",
        "created_at": "2024-01-01T00:00:00Z",
        "priority": "High",
        "stage": "Qualified",
    }
    assert flatten_entry(entry, fields=["stage"]) == {
        "entry_id": "e1",
        "record_id": "r1",
        "object": "companies",
        "stage": "Qualified",
    }


def test_web_urls_hoist_into_one_template_only_when_all_share_it() -> None:
    records = [
        {"id": "a1", "web_url": "https://x/acme/company/a1"},
        {"id": "b2", "web_url": "https://x/acme/company/b2"},
    ]
    assert hoist_web_urls(records) == "https://x/acme/company/{id}"
    assert all("web_url" not in r for r in records)
    mixed = [{"id": "a1", "web_url": "https://x/acme/company/a1"}, {"id": "b2", "web_url": "https://y/b2"}]
    assert hoist_web_urls(mixed) is None and mixed[1]["web_url"] == "https://y/b2"
    assert hoist_web_urls([{"id": "a1"}]) is None
