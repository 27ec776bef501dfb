"""Table-driven tests for the sandbox filter and sort engine, against a small fake workspace."""

from __future__ import annotations

from typing import Any

import pytest

from attio_mcp.sandbox._filters import FilterError, compile_filter, sort_rows
from tests.sandbox._filter_workspace import (
    C1,
    C2,
    C3,
    COMPANIES,
    D1,
    D2,
    D3,
    E1,
    E2,
    E3,
    LIST_ID,
    M1,
    M2,
    OBJ_IDS,
    P1,
    P2,
    P3,
    RESOLVER,
    ROWS,
    FakeResolver,
    Rec,
    option,
)


def run(parent: str, flt: Any) -> set[str]:
    pred = compile_filter(flt, parent, RESOLVER)
    rows = ROWS[RESOLVER.parent_slug(parent)]
    return {getattr(r, "entry_id", None) or r.record_id for r in rows if pred(r)}


# --- matching --------------------------------------------------------------------------------------

MATCHES: list[tuple[str, str, Any, set[str]]] = [
    # (case id, parent, filter, expected ids)
    ("none", "companies", None, {C1, C2, C3}),
    ("empty", "companies", {}, {C1, C2, C3}),
    # text
    ("text shorthand", "companies", {"name": "Globex"}, {C2}),
    ("text eq case-sensitive", "companies", {"name": {"$eq": "globex"}}, set()),
    ("text contains ci", "companies", {"name": {"$contains": "TECH"}}, {C1, C3}),
    ("text starts ci", "companies", {"name": {"$starts_with": "ini"}}, {C3}),
    ("text ends", "companies", {"name": {"$ends_with": "BEX"}}, {C2}),
    ("text in", "companies", {"name": {"$in": ["Globex", "initech", "nope"]}}, {C2, C3}),
    ("text property form", "companies", {"name": {"value": {"$contains": "o"}}}, {C1, C2}),
    ("text property implicit eq", "companies", {"name": {"value": "Globex"}}, {C2}),
    ("ops ANDed", "people", {"job_title": {"$starts_with": "senior", "$ends_with": "engineer"}}, {P1}),
    ("ops ANDed no match", "people", {"job_title": {"$starts_with": "senior", "$ends_with": "ceo"}}, set()),
    ("keys ANDed", "people", {"job_title": "CEO", "name": "John Smith"}, {P2}),
    ("keys ANDed miss", "people", {"job_title": "CEO", "name": "Ada Lovelace"}, set()),
    # number / rating / checkbox
    ("number gt", "companies", {"employee_count": {"$gt": 100}}, {C1}),
    ("number gte lt", "companies", {"employee_count": {"$gte": 40, "$lt": 12000}}, {C2}),
    ("number lte", "companies", {"employee_count": {"$lte": 40}}, {C2}),
    ("number eq shorthand", "companies", {"employee_count": 40}, {C2}),
    ("number float", "companies", {"employee_count": {"$lt": 40.5}}, {C2}),
    ("rating", "companies", {"rating": {"$gte": 3}}, {C1}),
    ("checkbox true", "companies", {"is_public": True}, {C1}),
    ("checkbox false", "companies", {"is_public": {"$eq": False}}, {C2}),
    # currency
    ("currency gt", "deals", {"value": {"$gt": 50000}}, {D1}),
    ("currency numeric string", "deals", {"value": {"$lte": "40000"}}, {D2}),
    ("currency property", "deals", {"value": {"currency_value": {"$gte": 40000}}}, {D1, D2}),
    ("currency code", "deals", {"value": {"currency_code": "usd"}}, {D1, D2}),
    ("currency stored as string", "companies", {"annual_revenue": {"$lt": 60000}}, {C2}),
    ("currency shorthand", "deals", {"value": 60000}, {D1}),
    # date / timestamp
    ("date lt", "deals", {"close_date": {"$lt": "2025-06-01"}}, {D2}),
    ("date eq", "deals", {"close_date": "2025-08-10"}, {D1}),
    ("date with time", "deals", {"close_date": {"$gte": "2025-08-10T23:00:00-05:00"}}, set()),
    ("date gte", "companies", {"founded": {"$gte": "2001-05-01"}}, {C1}),
    ("created_at lt (sample 06)", "deals", {"created_at": {"$lt": "2026-03-01T00:00:00.000Z"}}, {D1, D2}),
    ("created_at minutes", "deals", {"created_at": {"$gte": "2026-03-01T00:00"}}, {D3}),
    ("created_at nanos", "deals", {"created_at": {"$gt": "2026-02-27T07:46:44.232000001Z"}}, {D2, D3}),
    ("created_at offset", "deals", {"created_at": {"$lt": "2026-02-27T08:50:00+01:00"}}, {D1}),
    ("created_at exact", "deals", {"created_at": "2026-02-27T07:50:01.16Z"}, {D2}),
    ("created_at on entries", "pipeline", {"created_at": {"$gt": "2024-02-01T12:00:00Z"}}, {E2, E3}),
    # select / status
    ("select title", "companies", {"employee_range": "11-50"}, {C2}),
    ("select id", "companies", {"employee_range": {"$eq": "employee_range-10K-50K"}}, {C1}),
    ("multiselect any (sample 05)", "companies", {"categories": {"$eq": "Technology"}}, {C1}),
    ("select option property", "companies", {"categories": {"option": "SaaS"}}, {C1}),
    (
        "select or (sample 07)",
        "companies",
        {
            "$and": [
                {"categories": {"$eq": "Finance"}},
                {"$or": [{"employee_range": {"$eq": "11-50"}}, {"employee_range": {"$eq": "10K-50K"}}]},
            ]
        },
        {C2},
    ),
    ("select active_from", "companies", {"employee_range": {"active_from": {"$gte": "2023-11-20"}}}, {C1}),
    ("status title (sample 02)", "deals", {"stage": {"$eq": "Nurture"}}, {D1, D3}),
    ("status shorthand id", "deals", {"stage": "stage-Closed Won"}, {D2}),
    ("status active_from", "deals", {"stage": {"active_from": {"$gte": "2023-11-20"}}}, {D1, D3}),
    (
        "status active_from and title",
        "deals",
        {"stage": {"status": "Nurture", "active_from": {"$lt": "2024-01-01"}}},
        {D1},
    ),
    ("list select", "pipeline", {"priority": "High"}, {E1}),
    # record / actor reference
    ("ref shorthand", "deals", {"associated_company": C1}, {D1}),
    (
        "ref verbose",
        "deals",
        {"associated_company": {"target_object": "companies", "target_record_id": C2}},
        {D2},
    ),
    (
        "ref object uuid",
        "deals",
        {"associated_company": {"target_object": OBJ_IDS["companies"], "target_record_id": C2}},
        {D2},
    ),
    (
        "ref in",
        "deals",
        {"associated_company": {"target_object": "companies", "target_record_id": {"$in": [C1, C2]}}},
        {D1, D2},
    ),
    (
        "ref wrong object",
        "deals",
        {"associated_company": {"target_object": "people", "target_record_id": C1}},
        set(),
    ),
    ("multi ref any", "companies", {"team": {"target_record_id": P2}}, {C1}),
    (
        "actor",
        "deals",
        {"owner": {"referenced_actor_type": "workspace-member", "referenced_actor_id": M1}},
        {D1},
    ),
    (
        "actor verbose eq",
        "deals",
        {"owner": {"referenced_actor_type": {"$eq": "workspace-member"}, "referenced_actor_id": {"$eq": M2}}},
        {D2},
    ),
    (
        "actor api token",
        "deals",
        {"owner": {"referenced_actor_type": "api-token", "referenced_actor_id": M2}},
        set(),
    ),
    (
        "actor system",
        "deals",
        {"owner": {"referenced_actor_type": "system", "referenced_actor_id": None}},
        set(),
    ),
    # record_id special
    ("record_id eq", "companies", {"record_id": C2}, {C2}),
    ("record_id in", "companies", {"record_id": {"$in": [C1, C3]}}, {C1, C3}),
    ("entry_id", "pipeline", {"entry_id": {"$in": [E2]}}, {E2}),
    ("record_id by attribute uuid", "companies", {"attr-record_id": C1}, {C1}),
    # location
    ("location locality", "companies", {"primary_location": {"locality": "Cupertino"}}, {C1}),
    (
        "location multi props",
        "companies",
        {"primary_location": {"locality": "London", "country_code": "GB"}},
        {C2},
    ),
    (
        "location props same value",
        "companies",
        {"primary_location": {"locality": "London", "country_code": "US"}},
        set(),
    ),
    ("location country eq", "companies", {"primary_location": {"country_code": {"$eq": "US"}}}, {C1}),
    (
        "location country starts",
        "companies",
        {"primary_location": {"country_code": {"$starts_with": "G"}}},
        {C2},
    ),
    (
        "location line_1 contains",
        "companies",
        {"primary_location": {"line_1": {"$contains": "infinite"}}},
        {C1},
    ),
    ("location postcode", "companies", {"primary_location": {"postcode": {"$starts_with": "950"}}}, {C1}),
    ("location region", "companies", {"primary_location": {"region": {"$ends_with": "a"}}}, {C1}),
    # domain
    ("domain shorthand ci", "companies", {"domains": "ACME.com"}, {C1}),
    ("domain any value", "companies", {"domains": "eu.acme.com"}, {C1}),
    ("domain root", "companies", {"domains": {"root_domain": "acme.com"}}, {C1}),
    ("domain contains", "companies", {"domains": {"domain": {"$contains": "GLOB"}}}, {C2}),
    ("domain ends", "companies", {"domains": {"$ends_with": ".io"}}, {C2}),
    ("domain not_empty", "companies", {"domains": {"$not_empty": True}}, {C1, C2}),
    ("domain not_empty false", "companies", {"domains": {"$not_empty": False}}, {C3}),
    # email
    ("email shorthand ci", "people", {"email_addresses": "ADA@acme.com"}, {P1}),
    ("email domain", "people", {"email_addresses": {"email_domain": "mail.example.co.uk"}}, {P2}),
    ("email root domain", "people", {"email_addresses": {"email_root_domain": {"$eq": "co.uk"}}}, {P2}),
    ("email local", "people", {"email_addresses": {"email_local_specifier": {"$starts_with": "john"}}}, {P2}),
    ("email contains", "people", {"email_addresses": {"email_address": {"$contains": "@ACME"}}}, {P1}),
    # phone
    ("phone shorthand", "people", {"phone_numbers": "+447700900123"}, {P1}),
    ("phone starts/ends", "people", {"phone_numbers": {"$starts_with": "+44", "$ends_with": "123"}}, {P1}),
    ("phone country", "people", {"phone_numbers": {"country_code": "GB"}}, {P1}),
    ("phone country not_empty", "people", {"phone_numbers": {"country_code": {"$not_empty": True}}}, {P1}),
    # personal name
    ("name shorthand", "people", {"name": "Ada Lovelace"}, {P1}),
    ("name first", "people", {"name": {"first_name": "John"}}, {P2}),
    ("name last contains", "people", {"name": {"last_name": {"$contains": "OE"}}}, {P3}),
    ("name full starts", "people", {"name": {"full_name": {"$starts_with": "ja"}}}, {P3}),
    ("name not_empty", "people", {"name": {"first_name": {"$not_empty": True}}}, {P1, P2, P3}),
    # interaction
    ("interaction type", "companies", {"last_interaction": {"interaction_type": "email"}}, {C1}),
    (
        "interaction at",
        "companies",
        {"last_interaction": {"interacted_at": {"$gte": "2024-03-01T00:00:00Z"}}},
        {C1},
    ),
    ("interaction owner", "companies", {"last_interaction": {"owner_member_id": M1}}, {C1}),
    (
        "interaction owner empty",
        "companies",
        {"last_interaction": {"owner_member_id": {"$not_empty": False}}},
        {C2, C3},
    ),
    # logic
    ("or", "companies", {"$or": [{"name": "Globex"}, {"name": "initech"}]}, {C2, C3}),
    ("or empty", "companies", {"$or": []}, set()),
    ("and empty", "companies", {"$and": []}, {C1, C2, C3}),
    ("not", "companies", {"$not": {"name": "Globex"}}, {C1, C3}),
    ("not passes empty rows", "companies", {"$not": {"employee_count": {"$gt": 100}}}, {C2, C3}),
    ("not of not", "companies", {"$not": {"$not": {"categories": "Finance"}}}, {C2}),
    (
        "nested",
        "companies",
        {
            "$or": [
                {"$and": [{"is_public": True}, {"$not": {"domains": {"root_domain": "acme.com"}}}]},
                {"$and": [{"name": {"$contains": "glo"}}, {"rating": {"$lt": 3}}]},
            ]
        },
        {C2},
    ),
    (
        "logic plus attribute",
        "companies",
        {"$or": [{"name": "Globex"}, {"name": "initech"}], "rating": 2},
        {C2},
    ),
    ("empty row fails positive", "companies", {"employee_count": {"$lt": 1_000_000}}, {C1, C2}),
    # paths
    (
        "path ref",
        "deals",
        {
            "path": [["deals", "associated_company"], ["companies", "name"]],
            "constraints": {"$contains": "acme"},
        },
        {D1},
    ),
    (
        "path object uuid",
        "deals",
        {
            "path": [[OBJ_IDS["deals"], "associated_company"], ["companies", "domains"]],
            "constraints": {"root_domain": "globex.io"},
        },
        {D2},
    ),
    (
        "path multi hop",
        "deals",
        {
            "path": [["deals", "associated_company"], ["companies", "team"], ["people", "name"]],
            "constraints": {"first_name": {"$eq": "John"}},
        },
        {D1},
    ),
    (
        "path repeated",
        "people",
        {
            "path": [["people", "manager"], ["people", "company"], ["companies", "name"]],
            "constraints": "Acme Technologies",
        },
        {P2},
    ),
    (
        "path on multi ref any",
        "companies",
        {
            "path": [["companies", "team"], ["people", "email_addresses"]],
            "constraints": {"email_domain": "acme.com"},
        },
        {C1},
    ),
    (
        "path parent_record",
        "pipeline",
        {
            "path": [["pipeline", "parent_record"], ["companies", "categories"]],
            "constraints": {"$eq": "Technology"},
        },
        {E1},
    ),
    (
        "path list uuid",
        "pipeline",
        {"path": [[LIST_ID, "parent_record"], ["companies", "record_id"]], "constraints": {"$in": [C2, C3]}},
        {E2, E3},
    ),
    (
        "path parent_record two hops",
        "pipeline",
        {
            "path": [["pipeline", "parent_record"], ["companies", "team"], ["people", "name"]],
            "constraints": {"last_name": "Doe"},
        },
        {E2},
    ),
    (
        "parent_record direct",
        "pipeline",
        {"parent_record": {"target_object": "companies", "target_record_id": C3}},
        {E3},
    ),
    (
        "path inside logic",
        "deals",
        {
            "$not": {
                "path": [["deals", "associated_company"], ["companies", "rating"]],
                "constraints": {"$gt": 3},
            }
        },
        {D2, D3},
    ),
    (
        "path with sibling",
        "deals",
        {
            "path": [["deals", "associated_company"], ["companies", "rating"]],
            "constraints": {"$gt": 0},
            "name": "Small",
        },
        {D2},
    ),
]


@pytest.mark.parametrize(("parent", "flt", "expected"), [c[1:] for c in MATCHES], ids=[c[0] for c in MATCHES])
def test_filter_matches(parent: str, flt: Any, expected: set[str]) -> None:
    assert run(parent, flt) == expected


def test_compile_once_evaluate_many() -> None:
    pred = compile_filter({"name": {"$contains": "GLO"}}, "companies", RESOLVER)
    assert [pred(r) for r in COMPANIES] == [False, True, False]
    assert [pred(r) for r in COMPANIES] == [False, True, False]


def test_filter_by_object_uuid_parent() -> None:
    assert run(OBJ_IDS["companies"], {"name": "Globex"}) == {C2}


def test_select_without_option_catalogue_compares_raw() -> None:
    schema = {
        "tier": {"api_slug": "tier", "type": "select", "is_multiselect": False, "id": {"attribute_id": "t"}}
    }

    class Bare(FakeResolver):
        def attributes(self, parent: str) -> dict[str, dict]:
            return schema

    row = Rec(C1, "2024-01-01T00:00:00Z", {"tier": option("tier", "Gold")})
    assert compile_filter({"tier": "Gold"}, "companies", Bare())(row)
    assert not compile_filter({"tier": "Silver"}, "companies", Bare())(row)


# --- errors ----------------------------------------------------------------------------------------

ERRORS: list[tuple[str, str, Any, str]] = [
    ("not an object", "companies", ["name"], "must be an object"),
    ("unknown attribute", "companies", {"nope": "x"}, "Unknown attribute slug: nope."),
    ("unknown parent", "planets", {"name": "x"}, 'Unknown object or list with slug/ID "planets"'),
    ("unknown top operator", "companies", {"$xor": []}, 'Unknown operator "$xor"'),
    ("unknown operator", "companies", {"name": {"$like": "x"}}, 'Unknown operator "$like" for field "value"'),
    (
        "in on select (real message)",
        "companies",
        {"employee_range": {"$in": ["11-50"]}},
        'Invalid operator "$in" for field "option", must be one of ("$eq").',
    ),
    (
        "unknown option (real message)",
        "companies",
        {"employee_range": {"$eq": "501-1000"}},
        "Unknown select option name for option field constraint: 501-1000",
    ),
    ("unknown status", "deals", {"stage": "Lost"}, "Unknown status name for status field constraint: Lost"),
    ("in on status", "deals", {"stage": {"$in": ["Nurture"]}}, 'Invalid operator "$in" for field "status"'),
    (
        "contains on number",
        "companies",
        {"employee_count": {"$contains": "1"}},
        'Invalid operator "$contains"',
    ),
    ("gt on text", "companies", {"name": {"$gt": "a"}}, 'Invalid operator "$gt" for field "value"'),
    ("not_empty on text", "companies", {"name": {"$not_empty": True}}, 'Invalid operator "$not_empty"'),
    ("gt on checkbox", "companies", {"is_public": {"$gt": True}}, 'Invalid operator "$gt"'),
    (
        "active_from eq",
        "deals",
        {"stage": {"active_from": "2023-11-20"}},
        'Invalid operator "$eq" for field "active_from"',
    ),
    (
        "unknown field",
        "people",
        {"name": {"middle_name": "x"}},
        'Unknown field "middle_name" for attribute "name"',
    ),
    ("location needs field", "companies", {"primary_location": "London"}, "needs a field"),
    ("location latitude", "companies", {"primary_location": {"latitude": "1"}}, 'Unknown field "latitude"'),
    ("number as string", "companies", {"employee_count": {"$gt": "100"}}, "expected a number, got string"),
    ("number bool", "companies", {"employee_count": True}, "expected a number, got boolean"),
    ("currency junk string", "deals", {"value": {"$gt": "lots"}}, "expected a number"),
    ("text not string", "companies", {"name": 5}, "expected a string, got number"),
    ("text null", "companies", {"name": None}, "expected a string, got null"),
    ("in not list", "companies", {"name": {"$in": "Globex"}}, "expected an array of strings"),
    ("in list of numbers", "companies", {"record_id": {"$in": [1]}}, "expected an array of strings"),
    ("checkbox string", "companies", {"is_public": "true"}, "expected true or false"),
    ("bad date", "deals", {"close_date": {"$lt": "next week"}}, "is not a valid date"),
    ("bad timestamp", "deals", {"created_at": {"$lt": "2026-13-01"}}, "is not a valid timestamp"),
    ("option not string", "companies", {"categories": 3}, "expected a select option title or ID"),
    ("not_empty not bool", "companies", {"domains": {"$not_empty": "yes"}}, "takes true or false"),
    ("and not list", "companies", {"$and": {"name": "x"}}, '"$and" must be an array'),
    ("or not list", "companies", {"$or": "x"}, '"$or" must be an array'),
    ("not a list", "companies", {"$not": [{"name": "x"}]}, '"$not" must be a filter object'),
    ("nested bad", "companies", {"$or": [{"name": "x"}, {"$and": [{"bogus": 1}]}]}, "slug: bogus."),
    ("nested non-object", "companies", {"$or": ["x"]}, "Each filter must be an object"),
    ("empty condition", "companies", {"name": {}}, "Empty condition"),
    ("empty field condition", "companies", {"name": {"value": {}}}, "Empty condition"),
    ("target object unknown", "deals", {"associated_company": {"target_object": "planets"}}, "planets"),
    # actor references: both properties, $eq only, documented actor types, UUID ids (null for system)
    ("actor id only", "deals", {"owner": {"referenced_actor_id": M1}}, "can only be filtered using both"),
    ("actor shorthand id", "deals", {"owner": M1}, "can only be filtered using both"),
    ("actor type only", "deals", {"owner": {"referenced_actor_type": "api-token"}}, "using both"),
    ("actor eq only", "deals", {"owner": {"$eq": M1}}, "can only be filtered using both"),
    (
        "actor id not string",
        "deals",
        {"owner": {"referenced_actor_type": "workspace-member", "referenced_actor_id": 5}},
        "expected a UUID, got number",
    ),
    (
        "actor id not uuid",
        "deals",
        {"owner": {"referenced_actor_type": "workspace-member", "referenced_actor_id": "olivia"}},
        "expected a UUID, got 'olivia'",
    ),
    (
        "actor type app",
        "deals",
        {"owner": {"referenced_actor_type": "app", "referenced_actor_id": M1}},
        'expected one of ("api-token", "workspace-member", "system")',
    ),
    (
        "actor system with id",
        "deals",
        {"owner": {"referenced_actor_type": "system", "referenced_actor_id": M1}},
        "System actors have a null",
    ),
    (
        "actor in",
        "deals",
        {"owner": {"referenced_actor_type": "workspace-member", "referenced_actor_id": {"$in": [M1]}}},
        'Invalid operator "$in"',
    ),
    # timestamps need a time (active_from of a select/status still takes a date, as Attio's example does)
    ("created_at date-only", "deals", {"created_at": {"$gte": "2026-03-01"}}, '"2026-03-01" has no time'),
    ("created_at year", "deals", {"created_at": "2026"}, "is not a valid timestamp"),
    ("created_at space", "deals", {"created_at": {"$lt": "2026-03-01 10:00"}}, "has no time"),
    (
        "interacted_at date-only",
        "companies",
        {"last_interaction": {"interacted_at": {"$gte": "2024-03-01"}}},
        "has no time",
    ),
    # country codes are the spec's enum (upper case)
    (
        "location country lower",
        "companies",
        {"primary_location": {"country_code": "us"}},
        '"us" is not an ISO',
    ),
    ("location country unknown", "companies", {"primary_location": {"country_code": "UK"}}, '"UK" is not'),
    (
        "location country prefix",
        "companies",
        {"primary_location": {"country_code": {"$starts_with": "1"}}},
        "country code prefix",
    ),
    ("phone country unknown", "people", {"phone_numbers": {"country_code": "EN"}}, '"EN" is not an ISO'),
    ("path without constraints", "deals", {"path": [["deals", "associated_company"]]}, 'needs both "path"'),
    ("constraints without path", "deals", {"constraints": {}}, 'needs both "path"'),
    ("path not list", "deals", {"path": "deals", "constraints": {}}, "path must be a non-empty array"),
    ("path empty", "deals", {"path": [], "constraints": {}}, "path must be a non-empty array"),
    ("path bad pair", "deals", {"path": [["deals"]], "constraints": {}}, "path must be a non-empty array"),
    ("path wrong start", "deals", {"path": [["companies", "name"]], "constraints": "x"}, 'must name "deals"'),
    (
        "path unknown attr",
        "deals",
        {"path": [["deals", "nope"], ["companies", "name"]], "constraints": "x"},
        "Unknown attribute slug: nope.",
    ),
    (
        "path through text",
        "deals",
        {"path": [["deals", "name"], ["companies", "name"]], "constraints": "x"},
        "is not a record reference",
    ),
    (
        "path wrong target",
        "deals",
        {"path": [["deals", "associated_company"], ["people", "name"]], "constraints": "x"},
        'cannot reference "people"',
    ),
    (
        "path unknown object",
        "deals",
        {"path": [["deals", "associated_company"], ["planets", "name"]], "constraints": "x"},
        "planets",
    ),
    (
        "path bad constraint",
        "deals",
        {"path": [["deals", "associated_company"], ["companies", "name"]], "constraints": {"$gt": 1}},
        'Invalid operator "$gt"',
    ),
]


@pytest.mark.parametrize(("parent", "flt", "message"), [c[1:] for c in ERRORS], ids=[c[0] for c in ERRORS])
def test_filter_errors(parent: str, flt: Any, message: str) -> None:
    with pytest.raises(FilterError) as info:
        compile_filter(flt, parent, RESOLVER)
    assert message in str(info.value)


UNKNOWN_SLUG_PATHS: list[tuple[str, str, Any, list[str]]] = [
    ("top level", "companies", {"nope": "x"}, ["nope"]),
    (
        "recorded ($or index as a string)",
        "people",
        {"$or": [{"name": "x"}, {"email": "x"}]},
        ["$or", "1", "email"],
    ),
    (
        "nested",
        "companies",
        {"$or": [{"name": "x"}, {"$and": [{"bogus": 1}]}]},
        ["$or", "1", "$and", "0", "bogus"],
    ),
    ("under $not", "companies", {"$not": {"bogus": 1}}, ["$not", "bogus"]),
    (
        "in a path",
        "deals",
        {"path": [["deals", "associated_company"], ["companies", "nope"]], "constraints": "x"},
        ["path", "1", "1"],
    ),
]


@pytest.mark.parametrize(
    ("parent", "flt", "path"), [c[1:] for c in UNKNOWN_SLUG_PATHS], ids=[c[0] for c in UNKNOWN_SLUG_PATHS]
)
def test_unknown_attribute_slug_code_and_path(parent: str, flt: Any, path: list[str]) -> None:
    """Attio answers an unknown filter attribute with ``unknown_filter_attribute_slug`` and its key path."""
    with pytest.raises(FilterError) as info:
        compile_filter(flt, parent, RESOLVER)
    assert info.value.code == "unknown_filter_attribute_slug"
    assert info.value.message == f"Unknown attribute slug: {path[-1] if path[0] != 'path' else 'nope'}."
    assert info.value.path == path


def test_other_filter_errors_are_filter_error_without_path() -> None:
    with pytest.raises(FilterError) as info:
        compile_filter({"name": {"$like": "x"}}, "companies", RESOLVER)
    assert (info.value.code, info.value.path) == ("filter_error", None)


def test_active_from_still_takes_a_date() -> None:
    assert run("deals", {"stage": {"active_from": {"$gte": "2023-11-20"}}}) == {D1, D3}


# --- sorts -----------------------------------------------------------------------------------------


def ids(rows: list[Any]) -> list[str]:
    return [getattr(r, "entry_id", None) or r.record_id for r in rows]


SORTS: list[tuple[str, str, Any, list[str]]] = [
    ("default id order", "companies", None, [C1, C2, C3]),
    ("empty list", "companies", [], [C1, C2, C3]),
    ("text asc ci", "companies", [{"direction": "asc", "attribute": "name"}], [C1, C2, C3]),
    ("text desc", "companies", [{"direction": "desc", "attribute": "name"}], [C3, C2, C1]),
    (
        "number desc empties last",
        "companies",
        [{"direction": "desc", "attribute": "employee_count"}],
        [C1, C2, C3],
    ),
    (
        "number asc empties last",
        "companies",
        [{"direction": "asc", "attribute": "employee_count"}],
        [C2, C1, C3],
    ),
    ("currency desc (sample 08)", "deals", [{"direction": "desc", "attribute": "value"}], [D1, D2, D3]),
    ("currency asc", "deals", [{"direction": "asc", "attribute": "value"}], [D2, D1, D3]),
    (
        "currency string value",
        "companies",
        [{"direction": "asc", "attribute": "annual_revenue"}],
        [C2, C1, C3],
    ),
    ("date", "deals", [{"direction": "asc", "attribute": "close_date"}], [D2, D1, D3]),
    ("created_at desc", "companies", [{"direction": "desc", "attribute": "created_at"}], [C2, C1, C3]),
    ("attribute by id", "companies", [{"direction": "asc", "attribute": "attr-rating"}], [C2, C1, C3]),
    ("status title", "deals", [{"direction": "asc", "attribute": "stage"}], [D2, D1, D3]),
    (
        "then by",
        "deals",
        [{"direction": "desc", "attribute": "stage"}, {"direction": "desc", "attribute": "name"}],
        [D3, D1, D2],
    ),
    ("ties keep id order", "deals", [{"direction": "desc", "attribute": "stage"}], [D1, D3, D2]),
    ("name field", "people", [{"direction": "asc", "attribute": "name", "field": "last_name"}], [P3, P1, P2]),
    ("name default full", "people", [{"direction": "asc", "attribute": "name"}], [P1, P3, P2]),
    (
        "location default locality",
        "companies",
        [{"direction": "asc", "attribute": "primary_location"}],
        [C1, C2, C3],
    ),
    (
        "location field",
        "companies",
        [{"direction": "desc", "attribute": "primary_location", "field": "country_code"}],
        [C1, C2, C3],
    ),
    (
        "select active_from",
        "companies",
        [{"direction": "asc", "attribute": "employee_range", "field": "active_from"}],
        [C2, C1, C3],
    ),
    (
        "path sort",
        "deals",
        [{"direction": "desc", "path": [["deals", "associated_company"], ["companies", "name"]]}],
        [D2, D1, D3],
    ),
    (
        "path sort parent_record",
        "pipeline",
        [{"direction": "desc", "path": [["pipeline", "parent_record"], ["companies", "employee_count"]]}],
        [E1, E2, E3],
    ),
    ("entries by list attribute", "pipeline", [{"direction": "desc", "attribute": "amount"}], [E2, E1, E3]),
    ("record_id desc", "companies", [{"direction": "desc", "attribute": "record_id"}], [C3, C2, C1]),
    ("checkbox", "companies", [{"direction": "desc", "attribute": "is_public"}], [C1, C2, C3]),
]


@pytest.mark.parametrize(("parent", "sorts", "expected"), [c[1:] for c in SORTS], ids=[c[0] for c in SORTS])
def test_sorts(parent: str, sorts: Any, expected: list[str]) -> None:
    rows = list(reversed(ROWS[parent]))
    assert ids(sort_rows(rows, sorts, parent, RESOLVER)) == expected


SORT_ERRORS: list[tuple[str, Any, str]] = [
    ("not a list", {"direction": "asc", "attribute": "name"}, "sorts must be an array"),
    ("not an object", ["name"], "Each sort must be an object"),
    ("bad direction", [{"direction": "up", "attribute": "name"}], "Sort direction"),
    ("no direction", [{"attribute": "name"}], "Sort direction"),
    ("no attribute", [{"direction": "asc"}], 'needs an "attribute" or a "path"'),
    (
        "unknown attribute",
        [{"direction": "asc", "attribute": "nope"}],
        'Unknown attribute with slug/ID "nope"',
    ),
    (
        "unknown field",
        [{"direction": "asc", "attribute": "name", "field": "first_name"}],
        "Unknown sort field",
    ),
    ("bad path", [{"direction": "asc", "path": [["people", "name"]]}], 'must name "companies"'),
]


@pytest.mark.parametrize(("sorts", "message"), [c[1:] for c in SORT_ERRORS], ids=[c[0] for c in SORT_ERRORS])
def test_sort_errors(sorts: Any, message: str) -> None:
    with pytest.raises(FilterError) as info:
        sort_rows(list(COMPANIES), sorts, "companies", RESOLVER)
    assert message in str(info.value)
