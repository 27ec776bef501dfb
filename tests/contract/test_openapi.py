"""Unit tests for the OpenAPI contract harness, against hand-written bodies taken from the real samples."""

from __future__ import annotations

import copy
import glob
import json
import os
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.contract.openapi import ContractTransport, OpenAPIChecker

WS = "4ddf95e6-0410-4469-92bf-4cd134986e18"
DEALS = "6bb66fc1-4caa-4f08-90f9-d4ccd4242b8a"
TOKEN = "131708df-6fa8-46c5-a4f3-b77a65938b01"
AT = "2026-02-27T07:49:52.911000000Z"


def _value(attribute_type: str, *, system: bool = False, **fields: Any) -> dict:
    actor = {"id": None, "type": "system"} if system else {"id": TOKEN, "type": "api-token"}
    common = {
        "active_from": AT,
        "active_until": None,
        "attribute_type": attribute_type,
        "created_by_actor": actor,
    }
    return {**common, **fields}


# A deal from 08-sort-and-limit.json (trimmed to some attributes), plus a system-created value and a
# location and select value from 01-list-all-companies.json.
RECORD = {
    "id": {"object_id": DEALS, "record_id": "a4b8e64f-ad13-49b4-960f-89bb1eb5a3ee", "workspace_id": WS},
    "created_at": AT,
    "web_url": "https://app.attio.com/arcade-sandbox/deals/record/a4b8e64f-ad13-49b4-960f-89bb1eb5a3ee",
    "values": {
        "name": [_value("text", value="Berkshire Hathaway - Enterprise Platform")],
        "value": [_value("currency", currency_code="USD", currency_value=480000)],
        "stage": [
            _value(
                "status",
                status={
                    "celebration_enabled": False,
                    "id": {
                        "attribute_id": "2a3ce3ef-2259-412e-a11a-a81c0b32b414",
                        "object_id": DEALS,
                        "status_id": "5b2588ff-e197-4a20-a2a1-25e4357c0922",
                        "workspace_id": WS,
                    },
                    "is_archived": False,
                    "target_time_in_status": None,
                    "title": "Closed Won",
                },
            )
        ],
        "owner": [
            _value(
                "actor-reference",
                referenced_actor_id="ee12dfd9-69a9-4288-9828-df5319d4655d",
                referenced_actor_type="workspace-member",
            )
        ],
        "associated_company": [
            _value(
                "record-reference",
                target_object="companies",
                target_record_id="83bfe8c7-696f-59b5-b683-096eac6c97b9",
            )
        ],
        "close_date": [_value("date", value="2025-08-10")],
        "created_at": [_value("timestamp", value=AT)],
        "created_by": [
            _value("actor-reference", system=True, referenced_actor_id=None, referenced_actor_type="system")
        ],
        "primary_location": [
            _value(
                "location",
                system=True,
                country_code="FR",
                latitude="48.866329",
                line_1="22 Avenue Montaigne",
                line_2=None,
                line_3=None,
                line_4=None,
                locality="Paris",
                longitude="2.30555",
                postcode="75008",
                region="\u00cele-de-France",
            )
        ],
        "categories": [
            _value(
                "select",
                system=True,
                option={
                    "id": {
                        "attribute_id": "6e7add9a-eead-43f6-bdbc-ea8fac59f2ad",
                        "object_id": "f2239e94-6d6b-4152-9d42-1c3ee623f024",
                        "option_id": "f3ce163d-5e6b-45a9-8d34-a76de8310356",
                        "workspace_id": WS,
                    },
                    "is_archived": False,
                    "title": "E-commerce",
                },
            )
        ],
        "domains": [_value("domain", system=True, domain="lvmh.com", root_domain="lvmh.com")],
        "associated_people": [],
    },
}
QUERY = "/v2/objects/deals/records/query"


@pytest.fixture
def checker(openapi_checker: OpenAPIChecker) -> OpenAPIChecker:
    return openapi_checker


def broken(mutate) -> dict:
    record = copy.deepcopy(RECORD)
    mutate(record)
    return {"data": [record]}


# --- path matching ---------------------------------------------------------------------------------

MATCH = [
    ("POST", "/v2/objects/companies/records/query", "/v2/objects/{object}/records/query"),
    ("POST", "/v2/objects/records/search", "/v2/objects/records/search"),
    ("POST", "/v2/objects/people/records", "/v2/objects/{object}/records"),
    ("PUT", "/v2/objects/people/records?matching_attribute=email_addresses", "/v2/objects/{object}/records"),
    ("GET", "/v2/objects/people/records/abc", "/v2/objects/{object}/records/{record_id}"),
    ("GET", "/v2/objects/people/records/abc/entries", "/v2/objects/{object}/records/{record_id}/entries"),
    ("GET", "/v2/objects/people", "/v2/objects/{object}"),
    ("GET", "/v2/objects", "/v2/objects"),
    (
        "GET",
        "/v2/lists/sales/attributes/stage/statuses",
        "/v2/{target}/{identifier}/attributes/{attribute}/statuses",
    ),
    ("POST", "/v2/lists/sales/entries/query", "/v2/lists/{list}/entries/query"),
    ("GET", "/v2/lists/sales/entries/query", "/v2/lists/{list}/entries/{entry_id}"),
    ("GET", "/v2/self", "/v2/self"),
    ("get", "/v2/workspace_members/m1", "/v2/workspace_members/{workspace_member_id}"),
    ("POST", "/v2/self", None),
    ("GET", "/v2/nothing", None),
    ("GET", "/v2/objects//records", None),
]


@pytest.mark.parametrize(("method", "path", "template"), MATCH)
def test_match(checker: OpenAPIChecker, method: str, path: str, template: str | None) -> None:
    assert checker.match(method, path) == template


# --- requests --------------------------------------------------------------------------------------


def test_valid_requests(checker: OpenAPIChecker) -> None:
    create = {"data": {"values": {"name": ["Ada"], "email_addresses": ["ada@example.com"]}}}
    assert checker.validate_request("POST", "/v2/objects/people/records", create) == []
    # The schema wants every value wrapped in an array, although its own description and example allow a
    # bare single value; the spec wins here.
    bare = {"data": {"values": {"name": "Ada"}}}
    assert checker.validate_request("POST", "/v2/objects/people/records", bare) == [
        "/data/values/name: 'Ada' is not of type 'array'"
    ]
    query = {"filter": {"name": "Ada"}, "sorts": [{"direction": "asc", "attribute": "name"}], "limit": 5}
    assert checker.validate_request("POST", QUERY, query) == []
    assert checker.validate_request("GET", "/v2/self", None) == []


def test_invalid_requests_are_explained(checker: OpenAPIChecker) -> None:
    errors = checker.validate_request("POST", "/v2/objects/people/records", {"values": {"name": "Ada"}})
    assert errors == ["(body): 'data' is a required property"]
    errors = checker.validate_request("POST", QUERY, {"sorts": [{"direction": "up", "attribute": "name"}]})
    assert len(errors) == 1 and errors[0].startswith("/sorts/0")
    assert checker.validate_request("POST", "/v2/objects/people/records", None) == [
        "a JSON request body is required"
    ]
    assert checker.validate_request("GET", "/v2/self", {"x": 1}) == [
        "the spec defines no request body for this operation"
    ]
    assert checker.validate_request("GET", "/v2/elsewhere", None) == [
        "no operation GET /v2/elsewhere in the spec"
    ]


# --- responses -------------------------------------------------------------------------------------


def test_sample_record_is_valid(checker: OpenAPIChecker) -> None:
    assert checker.validate_response("POST", QUERY, 200, {"data": [RECORD]}) == []
    assert (
        checker.validate_response("GET", f"/v2/objects/deals/records/{'a' * 8}", 200, {"data": RECORD}) == []
    )


INVALID = [
    ("missing web_url", lambda r: r.pop("web_url"), "/data/0: 'web_url' is a required property"),
    (
        "bad record uuid",
        lambda r: r["id"].update(record_id="nope"),
        "/data/0/id/record_id: 'nope' is not a 'uuid'",
    ),
    ("value not array", lambda r: r["values"].update(name={"value": "x"}), "/data/0/values/name"),
    (
        "text value number",
        lambda r: r["values"]["name"][0].update(value=5),
        "/data/0/values/name/0/value: 5 is not of type 'string'",
    ),
    (
        "currency extra key",
        lambda r: r["values"]["value"][0].update(value=1),
        "/data/0/values/value/0: Additional properties are not allowed",
    ),
    ("status missing", lambda r: r["values"]["stage"][0].pop("status"), "'status' is a required property"),
    (
        "unknown value type",
        lambda r: r["values"]["name"][0].update(attribute_type="blob"),
        "/data/0/values/name/0",
    ),
    (
        "bad active_from",
        lambda r: r["values"]["name"][0].update(active_from="yesterday"),
        "/data/0/values/name/0/active_from: 'yesterday' is not a 'date-time'",
    ),
    (
        "bad date value",
        lambda r: r["values"]["close_date"][0].update(value=20250210),
        "/data/0/values/close_date/0/value",
    ),
    (
        "bad actor type",
        lambda r: r["values"]["created_by"][0].update(referenced_actor_type="robot"),
        "/data/0/values/created_by/0/referenced_actor_type",
    ),
    (
        "location missing key",
        lambda r: r["values"]["primary_location"][0].pop("line_4"),
        "'line_4' is a required property",
    ),
]


@pytest.mark.parametrize(("mutate", "expected"), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID])
def test_invalid_records_are_explained(checker: OpenAPIChecker, mutate, expected: str) -> None:
    errors = checker.validate_response("POST", QUERY, 200, broken(mutate))
    assert errors, "expected a violation"
    assert any(expected in e for e in errors), errors


def test_error_responses(checker: OpenAPIChecker) -> None:
    not_found = {"status_code": 404, "type": "invalid_request_error", "code": "not_found", "message": "Nope."}
    assert checker.validate_response("GET", "/v2/objects/deals/records/x", 404, not_found) == []
    wrong_code = {**not_found, "code": "missing"}
    assert any(
        "/code" in e for e in checker.validate_response("GET", "/v2/objects/deals/records/x", 404, wrong_code)
    )
    # 401 and 429 are not documented per operation: checked against the generic Attio error shape.
    unauthorized = {"status_code": 401, "type": "auth_error", "code": "unauthorized", "message": "Bad token."}
    assert checker.validate_response("GET", "/v2/self", 401, unauthorized) == []
    assert checker.validate_response("GET", "/v2/self", 401, {"error": "no"}) != []
    limited = {
        "status_code": 429,
        "type": "rate_limit_error",
        "code": "rate_limit_exceeded",
        "message": "Rate limit exceeded, please try again later",
    }
    assert checker.validate_response("POST", QUERY, 429, limited) == []
    assert checker.validate_response("GET", "/v2/self", 201, {}) == [
        "status 201 is not documented for GET /v2/self"
    ]
    assert checker.validate_response("GET", "/v2/self", 200, None) == ["status 200 needs a JSON body"]


def test_real_samples_validate(checker: OpenAPIChecker) -> None:
    samples = Path(os.environ["ATTIO_OPENAPI_SPEC"]).parent / "attio-samples"
    files = sorted(glob.glob(str(samples / "0[0-9]-*.json")))
    if not files:
        pytest.skip("no attio-samples next to the spec")
    for name in files:
        obj = "deals" if "deal" in Path(name).name else "companies"
        with open(name, encoding="utf-8") as fh:
            body = json.load(fh)
        assert checker.validate_response("POST", f"/v2/objects/{obj}/records/query", 200, body) == [], name


# --- the transport wrapper -------------------------------------------------------------------------


@pytest.mark.anyio
async def test_contract_transport_records_violations_and_passes_responses_through(
    checker: OpenAPIChecker,
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v2/self":
            return httpx.Response(200, json={"active": False})
        if request.url.path.endswith("/records/query"):
            return httpx.Response(200, json=broken(lambda r: r.pop("values")))
        return httpx.Response(200, content=b"not json")

    transport = ContractTransport(httpx.MockTransport(handler), checker)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as client:
        ok = await client.get("/v2/self")
        assert ok.json() == {"active": False}
        assert transport.violations == []
        bad = await client.post(QUERY, json={"limit": "ten"})
        assert "values" not in bad.json()["data"][0]
        garbled = await client.get("/v2/objects")
        assert garbled.content == b"not json"
    assert transport.exchanges == 3
    assert transport.violations[0].startswith("POST /v2/objects/deals/records/query request /limit: 'ten'")
    assert transport.violations[1] == (
        "POST /v2/objects/deals/records/query -> 200 /data/0: 'values' is a required property"
    )
    assert transport.violations[2].startswith("GET /v2/objects -> 200: body is not JSON")


# --- schema rewrites (pure; no spec needed) --------------------------------------------------------


def test_nullable_is_honoured() -> None:
    from tests.contract.openapi import _honour_nullable

    schema = {
        "type": "string",
        "enum": ["a"],
        "nullable": True,
        "properties": {"x": {"type": "number", "nullable": True}},
    }
    assert _honour_nullable(schema) == {
        "type": ["string", "null"],
        "enum": ["a", None],
        "properties": {"x": {"type": ["number", "null"]}},
    }
    assert _honour_nullable({"$ref": "#/x", "nullable": True}) == {
        "anyOf": [{"$ref": "#/x"}, {"type": "null"}]
    }


def test_discriminated_one_of_keeps_verdicts() -> None:
    from jsonschema import Draft202012Validator

    from tests.contract.openapi import _discriminate

    def branch(tag: str, field: str, typ: str) -> dict:
        return {
            "type": "object",
            "properties": {"attribute_type": {"type": "string", "enum": [tag]}, field: {"type": typ}},
            "required": ["attribute_type", field],
            "additionalProperties": False,
        }

    one_of = {"oneOf": [branch("text", "value", "string"), branch("number", "value", "number")]}
    rewritten = _discriminate(one_of)
    assert "oneOf" not in rewritten
    cases = [
        {"attribute_type": "text", "value": "a"},
        {"attribute_type": "number", "value": 1},
        {"attribute_type": "text", "value": 1},
        {"attribute_type": "blob", "value": 1},
        {"value": 1},
        {"attribute_type": "text", "value": "a", "extra": 1},
        "text",
    ]
    for instance in cases:
        assert Draft202012Validator(rewritten).is_valid(instance) == Draft202012Validator(one_of).is_valid(
            instance
        )
    untagged = {"oneOf": [{"type": "string"}, {"type": "number"}]}
    assert _discriminate(untagged) == untagged
