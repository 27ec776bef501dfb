"""Property-based tests over every tool: random and hostile arguments never crash the server, never leak a
traceback and never put an unvalidated path segment on the wire to Attio."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attio_mcp.tools import ALL_TOOLS
from tests.security.harness import CrashLog, Harness, bad_path_segments, harness, machine_coded

# FUZZ_EXAMPLES=300 FUZZ_RANDOM=1 pytest tests/security/test_fuzz_tools.py hunts harder (new examples each run).
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "30"))

HOSTILE_STRINGS = [
    "",
    " ",
    "..",
    "../",
    "../../../../etc/passwd",
    "..%2F..%2Fadmin",
    "%2e%2e",
    "companies/../lists",
    "companies/records",
    "people?limit=1000",
    "deals#x",
    "\\..\\windows",
    '{"$where": "sleep(1000)"}',
    "'; DROP TABLE records; --",
    "<script>alert(1)</script>",
    "\x00",
    "nul\x00byte",
    "\u202ereversed",
    "💥" * 20,
    "Ünïcödé ñame",
    "a" * 5000,
    "00000000-0000-0000-0000-00000000000g",
    "00000000000000000000000000000000",
    "{00000000-0000-0000-0000-000000000000}",
    "urn:uuid:12345678-1234-5678-1234-567812345678",
    "12345678-1234-5678-1234-5678123456789",
    "null",
    "true",
    "http://169.254.169.254/latest/meta-data/",
    "companies\r\nX-Injected: 1",
    "lone \ud800 surrogate",
    "\udfff",
]
HOSTILE_OBJECTS: list[Any] = [
    {"$where": "this.a == 1"},
    {"$regex": ".*"},
    {"$or": []},
    {"$and": "not a list"},
    {"$not": None},
    {"__proto__": {"admin": True}},
    {"constructor": {"prototype": {}}},
    {"name": {"$eq": {"$gt": ""}}},
    {"../": "x"},
    {"record_id": {"$in": ["../", "x"]}},
    {"path": [["../", "x"]], "constraints": {"$eq": 1}},
]


def _nested(depth: int) -> Any:
    node: Any = {"name": {"$eq": "x"}}
    for i in range(depth):
        node = {"$and": [node]} if i % 2 else {"$not": node}
    return node


def _list_nest(depth: int) -> Any:
    node: Any = [1]
    for _ in range(depth):
        node = [node]
    return node


DEEP = [_nested(12), _nested(60), _list_nest(40), {"name": _list_nest(40)}]


@pytest.fixture(scope="module")
def h() -> Iterator[Harness]:
    crash_log = CrashLog()
    server_log = logging.getLogger("attio_mcp.server")
    server_log.addHandler(crash_log)
    try:
        with harness() as hn:
            hn.crashes = crash_log.crashes
            yield hn
    finally:
        server_log.removeHandler(crash_log)


def _good_values(h: Harness) -> dict[str, list[Any]]:
    """Plausible values by parameter name, so many examples get past the schema into the tool code."""
    companies, people, deals = h.seeded_ids("companies"), h.seeded_ids("people"), h.seeded_ids("deals")
    store = h.app.state.sandbox
    member_ids = list(store.members)[:2]
    emails = [m.get("email_address") for m in store.members.values()][:2]
    return {
        "resource_type": ["companies", "people", "deals", "projects", "Companies", "company"],
        "parent_object": ["companies", "people", "deals"],
        "linked_object": ["companies", "deals"],
        "list_id": ["prospecting", "customers", "active_deals", "Prospecting"],
        "record_id": companies + people + deals,
        "parent_record_id": companies + people,
        "linked_record_id": deals + companies,
        "entry_id": h.entry_ids("prospecting") + h.entry_ids("customers"),
        "attribute": ["name", "stage", "priority", "domains", "record_id", "industry", "categories"],
        "matching_attribute": ["domains", "email_addresses", "name", "record_id"],
        "assignee": member_ids + emails,
        "assignees": [member_ids, emails, ["nobody@example.com"]],
        "due_at": ["2025-01-31", "2025-01-31T10:00:00Z", "tomorrow", "", "31/01/2025"],
        "query": ["acme", "a", "+1 415", "http://www.acme.com/x"],
        "fields": [["name", "domains"], ["id", "created_at"], ["nope"]],
    }


SLUGS = [
    "name",
    "domains",
    "description",
    "categories",
    "industry",
    "employee_count",
    "annual_revenue",
    "primary_location",
    "team",
    "email_addresses",
    "phone_numbers",
    "company",
    "stage",
    "owner",
    "deal_value",
    "close_date",
    "priority",
    "follow_up_date",
    "health",
    "is_active",
    "record_id",
    "created_at",
    "created_by",
]

scalars = st.one_of(
    st.sampled_from(HOSTILE_STRINGS),
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(HOSTILE_STRINGS),
)
keys = st.one_of(st.sampled_from(SLUGS), st.text(max_size=12), st.sampled_from(HOSTILE_STRINGS[:16]))
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(keys, children, max_size=4),
    ),
    max_leaves=12,
)
hostile_any = st.one_of(json_values, st.sampled_from(HOSTILE_OBJECTS), st.sampled_from(DEEP))
wrong_type = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.lists(scalars, max_size=3))


def _typed(name: str, schema: dict[str, Any], good: dict[str, list[Any]]) -> st.SearchStrategy[Any]:
    """A value of the parameter's JSON type (so it passes the schema) with hostile content."""
    kind = schema.get("type")
    options: list[st.SearchStrategy[Any]] = []
    if name in good:
        options += [st.sampled_from(good[name])] * 3
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    if kind == "string":
        cap = schema.get("maxLength", 10_000)
        fits = [v for v in HOSTILE_STRINGS if schema.get("minLength", 0) <= len(v) <= cap]
        options += [
            st.sampled_from(fits),
            st.text(min_size=schema.get("minLength", 0), max_size=min(cap, 40)),
        ]
    elif kind == "integer":
        low, high = schema.get("minimum", -(2**40)), schema.get("maximum", 2**40)
        options += [st.integers(min_value=low, max_value=high), st.sampled_from([low, high])]
    elif kind == "boolean":
        options += [st.booleans()]
    elif kind == "object":
        plausible = st.dictionaries(
            st.sampled_from(SLUGS),
            st.one_of(st.sampled_from(HOSTILE_STRINGS), scalars),
            min_size=1,
            max_size=3,
        )
        entries = st.dictionaries(keys, hostile_any, max_size=5)
        options += [
            plausible,
            plausible,
            entries,
            st.sampled_from(HOSTILE_OBJECTS),
            st.sampled_from(DEEP[:2]),
        ]
    elif kind == "array":
        items = schema.get("items", {})
        if items.get("type") == "object":
            item: st.SearchStrategy[Any] = st.one_of(
                st.dictionaries(keys, json_values, max_size=4), st.sampled_from(HOSTILE_OBJECTS)
            )
        else:
            item = st.one_of(
                st.text(max_size=30), st.sampled_from([v for v in HOSTILE_STRINGS if len(v) <= 100])
            )
        options += [st.lists(item, max_size=min(5, schema.get("maxItems", 5)))]
    else:  # untyped (e.g. list_entries_filter value)
        options += [hostile_any]
    return st.one_of(options)


def _arguments(schema: dict[str, Any], good: dict[str, list[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    props = schema.get("properties", {})
    required = set(schema.get("required", ()))

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, prop in props.items():
            # Required ones are usually present, optional ones half of the time.
            if draw(st.integers(0, 9)) < (9 if name in required else 5):
                # Mostly well-typed values with hostile content; sometimes anything at all.
                typed = draw(st.integers(0, 9)) < 9
                out[name] = draw(_typed(name, prop, good) if typed else st.one_of(wrong_type, hostile_any))
        if draw(st.integers(0, 19)) == 19:
            out[draw(st.sampled_from(["extra", "__class__", "ctx", "../"]))] = draw(json_values)
        return out

    return build()


@pytest.fixture(scope="module")
def wire_schemas(h: Harness) -> dict[str, dict[str, Any]]:
    tools = h.portal.call(h.client.list_tools).tools
    return {t.name: t.input_schema for t in tools}


@pytest.mark.parametrize("name", sorted(ALL_TOOLS))
def test_tool_survives_hostile_arguments(name: str, h: Harness, wire_schemas: dict[str, Any]) -> None:
    good = _good_values(h)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=os.environ.get("FUZZ_RANDOM") != "1",
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(args=_arguments(wire_schemas[name], good))
    def check(args: dict[str, Any]) -> None:
        sent = len(h.transport.log)
        crashes = len(h.crashes)
        result = h.call(name, args)
        problem = machine_coded(result)
        assert problem is None, (name, args, problem, h.crashes[crashes:])
        requests = [r for r, _ in h.transport.log[sent:]]
        assert not bad_path_segments(requests, h.slugs), (name, args, bad_path_segments(requests, h.slugs))

    check()
    # The server still answers a normal call.
    after = h.call("records_search", {"resource_type": "companies", "limit": 1})
    assert not after.is_error, after.content[0].text


def _placed(h: Harness) -> list[tuple[str, Any]]:
    """Tool calls that carry one free-form value past validation into a real request body."""
    company = h.seeded_ids("companies", 1)[0]
    entry = h.entry_ids("prospecting", 1)[0]
    return [
        ("records_create", lambda v: {"resource_type": "companies", "data": {"name": v}}),
        (
            "records_update",
            lambda v: {"resource_type": "companies", "record_id": company, "data": {"description": v}},
        ),
        ("records_search", lambda v: {"resource_type": "companies", "filter": {"name": v}}),
        ("records_search", lambda v: {"resource_type": "companies", "filter": {"name": {"$contains": v}}}),
        (
            "records_search",
            lambda v: {"resource_type": "companies", "query": v if isinstance(v, str) else "x"},
        ),
        ("list_entries_filter", lambda v: {"list_id": "prospecting", "attribute": "notes", "value": v}),
        ("list_entries_filter", lambda v: {"list_id": "prospecting", "filter": {"notes": v}}),
        (
            "list_entries_update",
            lambda v: {"list_id": "prospecting", "entry_id": entry, "attributes": {"notes": v}},
        ),
        (
            "records_import",
            lambda v: {"resource_type": "companies", "rows": [{"name": v, "domains": "placed.example"}]},
        ),
        (
            "records_upsert",
            lambda v: {"resource_type": "companies", "matching_attribute": "domains", "data": {"domains": v}},
        ),
        (
            "tasks_create",
            lambda v: {
                "content": "fuzz",
                "linked_records": [{"target_object": "companies", "target_record_id": v}],
            },
        ),
    ]


hostile_values = st.one_of(
    st.sampled_from(HOSTILE_STRINGS), st.sampled_from(HOSTILE_OBJECTS), st.sampled_from(DEEP), json_values
)


def test_hostile_values_where_they_reach_attio(h: Harness) -> None:
    placed = _placed(h)

    @settings(
        max_examples=EXAMPLES * 4,
        deadline=None,
        derandomize=os.environ.get("FUZZ_RANDOM") != "1",
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(where=st.integers(0, len(placed) - 1), value=hostile_values)
    def check(where: int, value: Any) -> None:
        name, build = placed[where]
        args = build(value)
        sent = len(h.transport.log)
        crashes = len(h.crashes)
        result = h.call(name, args)
        problem = machine_coded(result)
        assert problem is None, (name, args, problem, h.crashes[crashes:])
        requests = [r for r, _ in h.transport.log[sent:]]
        assert not bad_path_segments(requests, h.slugs), (name, args, bad_path_segments(requests, h.slugs))

    before = len(h.transport.log)
    check()
    # The hostile values really travelled: writes and queries carrying them reached the sandbox.
    methods = {r.method for r, _ in h.transport.log[before:]}
    assert {"POST", "PATCH", "PUT"} <= methods, methods
    assert not h.crashes
