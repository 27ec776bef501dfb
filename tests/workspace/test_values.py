"""Write normalisation (`prepare_values`) against hand-built schemas of the demo workspace."""

from __future__ import annotations

from typing import Any

import pytest

from attio_mcp.attio import WorkspaceMember
from attio_mcp.workspace.errors import did_you_mean
from attio_mcp.workspace.schema import AttrInfo, TargetSchema
from attio_mcp.workspace.values import InputError, normalise_value, prepare_values, validate_all

COMPANY_ID = "83bfe8c7-696f-59b5-b683-096eac6c97b9"
PERSON_ID = "2e3a4ef6-f439-599d-a51b-2f707449d431"
MEMBER_ID = "ee12dfd9-69a9-4288-9828-df5319d4655d"
SYSTEM = ("record_id", "created_at", "created_by")


def attr(slug: str, type: str, **kw: Any) -> AttrInfo:
    return AttrInfo(slug=slug, id=f"id-{slug}", title=slug.replace("_", " ").title(), type=type, **kw)


def schema(slug: str, *attrs: AttrInfo, kind: str = "object") -> TargetSchema:
    system = [attr(s, "text", writable=False, system=True) for s in SYSTEM] if kind == "object" else []
    return TargetSchema(
        kind=kind,  # type: ignore[arg-type]
        slug=slug,
        id=f"id-{slug}",
        name=slug.title(),
        attributes={a.slug: a for a in [*system, *attrs]},
    )


DEALS = schema(
    "deals",
    attr("name", "text", required=True),
    attr(
        "stage",
        "status",
        required=True,
        default_enabled=True,
        options=("Discovery", "Proposal Sent", "Negotiation", "Won 🎉", "Lost"),
    ),
    attr("deal_value", "currency", currency_code="USD"),
    attr("close_date", "date"),
    attr("company", "record-reference", allowed_objects=("companies",)),
    attr("close_probability", "number"),
    # Pattern 6 "Deals (financial data)" attributes.
    attr("competitive_threat", "text"),
    attr("market_segment", "select", options=("Enterprise", "Mid-Market", "SMB")),
    attr("estimated_close_value", "number"),
)

COMPANIES = schema(
    "companies",
    attr("name", "text"),
    attr("domains", "domain", multi=True, unique=True),
    attr("source", "select", options=("Inbound Form", "Referral", "Outbound")),
    attr("lead_status", "select", options=("Unqualified", "Qualified", "Disqualified")),
    attr("industry", "select", options=("Technology", "Finance", "Healthcare")),
    attr("employee_count", "number"),
    attr("lead_score", "number"),
    attr("enrichment_status", "select", options=("Pending", "Completed", "Failed")),
    attr("enrichment_date", "timestamp"),
    attr("annual_revenue", "currency", currency_code="USD"),
    attr("headquarters", "text"),
    attr("twitter_follower_count", "number", writable=False, system=True),
    attr("legacy_code", "text", archived=True),
)

PEOPLE = schema(
    "people",
    attr("name", "personal-name"),
    attr("email_addresses", "email-address", multi=True, unique=True),
    attr("phone_numbers", "phone-number", multi=True),
    attr("job_title", "text"),
    attr("linkedin_url", "text"),
    attr("seniority_level", "select", options=("Junior", "Senior", "Executive")),
    attr("primary_location", "location"),
    attr("company", "record-reference", allowed_objects=("companies",)),
)

PROSPECTING = schema(
    "prospecting",
    attr("priority", "select", options=("Low", "Medium", "High")),
    attr("follow_up_date", "date"),
    kind="list",
)

MEMBERS = [
    WorkspaceMember.model_validate(
        {
            "id": {"workspace_id": "w", "workspace_member_id": MEMBER_ID},
            "first_name": "Ada",
            "last_name": "Lovelace",
            "email_address": "Ada@Acme.com",
        }
    )
]

COMPANY_REF = [{"target_object": "companies", "target_record_id": COMPANY_ID}]

# Every `data` dict in seed-integration-patterns.md (form/external values filled in realistically).
SEED_PAYLOADS = [
    pytest.param(
        DEALS,
        True,
        {
            "name": "Q4 Enterprise Deal - Acme Inc",
            "deal_value": 50000,
            "stage": "Discovery",
            "close_date": "2024-12-31",
            "company": [COMPANY_ID],
        },
        {
            "name": "Q4 Enterprise Deal - Acme Inc",
            "deal_value": 50000,
            "stage": "Discovery",
            "close_date": "2024-12-31",
            "company": COMPANY_REF,
        },
        id="p1-create-deal",
    ),
    pytest.param(
        DEALS,
        False,
        {"stage": "Proposal Sent", "close_probability": 0.65},
        {"stage": "Proposal Sent", "close_probability": 0.65},
        id="p1-advance-stage",
    ),
    pytest.param(
        DEALS,
        False,
        {"stage": "Proposal Sent", "close_probability": 0.60},
        {"stage": "Proposal Sent", "close_probability": 0.6},
        id="p5-auto-advance",
    ),
    pytest.param(
        PROSPECTING,
        False,
        {"priority": "High", "follow_up_date": "2024-12-20"},
        {"priority": "High", "follow_up_date": "2024-12-20"},
        id="p2-entry-attributes",
    ),
    pytest.param(
        COMPANIES,
        True,
        {"name": "Acme Inc", "domains": ["acme.com"], "source": "Inbound Form", "lead_status": "Unqualified"},
        {"name": "Acme Inc", "domains": ["acme.com"], "source": "Inbound Form", "lead_status": "Unqualified"},
        id="p3-create-company",
    ),
    pytest.param(
        COMPANIES,
        False,
        {"employee_count": 250, "industry": ["Technology"], "lead_score": 85, "lead_status": "Qualified"},
        {"employee_count": 250, "industry": "Technology", "lead_score": 85, "lead_status": "Qualified"},
        id="p3-qualify",
    ),
    pytest.param(
        COMPANIES,
        False,
        {
            "employee_count": 1200,
            "industry": ["Technology"],
            "annual_revenue": 125000000,
            "headquarters": "San Francisco, CA",
        },
        {
            "employee_count": 1200,
            "industry": "Technology",
            "annual_revenue": 125000000,
            "headquarters": "San Francisco, CA",
        },
        id="p6-enrich-company",
    ),
    pytest.param(
        COMPANIES,
        False,
        {"enrichment_status": "Completed", "enrichment_date": "2024-12-16T10:00:00.000Z"},
        {"enrichment_status": "Completed", "enrichment_date": "2024-12-16T10:00:00Z"},
        id="p6-mark-enriched",
    ),
    pytest.param(
        DEALS,
        False,
        {
            "competitive_threat": "Incumbent vendor",
            "market_segment": ["Enterprise"],
            "estimated_close_value": 90000,
        },
        {
            "competitive_threat": "Incumbent vendor",
            "market_segment": "Enterprise",
            "estimated_close_value": 90000,
        },
        id="p6-enrich-deal",
    ),
    pytest.param(
        PEOPLE,
        False,
        {
            "job_title": "VP Engineering",
            "linkedin_url": "https://linkedin.com/in/ada",
            "seniority_level": ["Executive"],
        },
        {
            "job_title": "VP Engineering",
            "linkedin_url": "https://linkedin.com/in/ada",
            "seniority_level": "Executive",
        },
        id="p6-enrich-person",
    ),
]


@pytest.mark.parametrize(("target", "for_create", "data", "expected"), SEED_PAYLOADS)
def test_seed_payloads_work_as_written(
    target: TargetSchema, for_create: bool, data: dict, expected: dict
) -> None:
    assert prepare_values(target, data, for_create=for_create) == wire(expected)


def wire(values: dict) -> dict:
    """The payload as sent: Attio's spec types every written value as an array."""
    return {k: v if isinstance(v, list) else [v] for k, v in values.items()}


# (attribute, input, expected write value)
COERCIONS = [
    (attr("t", "text"), "hello", "hello"),
    (attr("t", "text"), 42, "42"),
    (attr("t", "text"), {"value": "wrapped"}, "wrapped"),
    (attr("n", "number"), "1,250.5", 1250.5),
    (attr("n", "number"), "42", 42),
    (attr("n", "number"), 3.25, 3.25),
    (attr("n", "number"), "-7", -7),
    (attr("c", "currency", currency_code="USD"), "$50,000", 50000),
    (attr("c", "currency", currency_code="USD"), "4.99", 4.99),
    (attr("c", "currency", currency_code="USD"), {"currency_value": 10, "currency_code": "usd"}, 10),
    (attr("c", "currency", currency_code="EUR"), "€1,234.50", 1234.5),
    (attr("c", "currency", currency_code="GBP"), "1200 GBP", 1200),
    (attr("r", "rating"), "4", 4),
    (attr("r", "rating"), 5.0, 5),
    (attr("b", "checkbox"), "yes", True),
    (attr("b", "checkbox"), "False", False),
    (attr("b", "checkbox"), 1, True),
    (attr("b", "checkbox"), [True], True),
    (attr("d", "date"), "2024-12-31", "2024-12-31"),
    (attr("d", "date"), "2024", "2024-01-01"),
    (attr("d", "date"), 2024, "2024-01-01"),
    (attr("d", "date"), "2024-05", "2024-05-01"),
    (attr("d", "date"), "2024-12-31T23:30:00-02:00", "2025-01-01"),
    (attr("d", "date"), "2026-02-27T07:49:52.911000000Z", "2026-02-27"),
    (attr("ts", "timestamp"), "2024-12-16", "2024-12-16T00:00:00Z"),
    (attr("ts", "timestamp"), "2024-12-16T12:00:00+02:00", "2024-12-16T10:00:00Z"),
    (attr("ts", "timestamp"), "2024-12-16T10:00:00.123Z", "2024-12-16T10:00:00.123Z"),
    (attr("ts", "timestamp"), "2024-12-16 10:00", "2024-12-16T10:00:00Z"),
    (attr("s", "select", options=("Technology", "Finance")), "technology", "Technology"),
    (attr("s", "select", options=("Technology", "Finance")), {"option": "Finance"}, "Finance"),
    (attr("s", "select", multi=True, options=("A", "B")), "a", ["A"]),
    (attr("s", "select", multi=True, options=("A", "B")), ["b", "A"], ["B", "A"]),
    (attr("s", "select"), "Anything", "Anything"),  # options unknown: Attio validates
    (attr("st", "status", options=("In Progress", "Won 🎉")), "won", "Won 🎉"),
    (attr("st", "status", options=("In Progress", "Won 🎉")), "in-progress", "In Progress"),
    (attr("st", "status", options=("Lead",)), {"status": "lead"}, "Lead"),
    (attr("dom", "domain", multi=True), "https://www.Acme.com/about?x=1", ["acme.com"]),
    (attr("dom", "domain", multi=True), ["app.attio.com:443", "http://b.io"], ["app.attio.com", "b.io"]),
    (attr("dom", "domain"), {"domain": "acme.com"}, "acme.com"),
    (attr("em", "email-address", multi=True), "Ada@Acme.COM", ["ada@acme.com"]),
    (attr("em", "email-address", multi=True), "Ada Lovelace <ada@acme.com>", ["ada@acme.com"]),
    (attr("ph", "phone-number", multi=True), "+44 20 7946 0958", ["+442079460958"]),
    (attr("ph", "phone-number", multi=True), "(415) 555-0100", ["+14155550100"]),
    (
        attr("ph", "phone-number", multi=True),
        {"original_phone_number": "07777 777777", "country_code": "GB"},
        ["+447777777777"],
    ),
    (
        attr("pn", "personal-name"),
        "Ada Lovelace",
        {"first_name": "Ada", "last_name": "Lovelace", "full_name": "Ada Lovelace"},
    ),
    (
        attr("pn", "personal-name"),
        "Lovelace, Ada",
        {"first_name": "Ada", "last_name": "Lovelace", "full_name": "Ada Lovelace"},
    ),
    (attr("pn", "personal-name"), "Cher", {"first_name": "Cher", "last_name": "", "full_name": "Cher"}),
    (
        attr("pn", "personal-name"),
        {"first_name": "Ada", "last_name": "Lovelace"},
        {"first_name": "Ada", "last_name": "Lovelace", "full_name": "Ada Lovelace"},
    ),
    (
        attr("pn", "personal-name"),
        {"full_name": "Grace Hopper"},
        {"first_name": "Grace", "last_name": "Hopper", "full_name": "Grace Hopper"},
    ),
    (
        attr("loc", "location"),
        "1 Infinite Loop, Cupertino, CA, 95014, US",
        "1 Infinite Loop, Cupertino, CA, 95014, US",
    ),
    (
        attr("loc", "location"),
        {"city": "Cupertino", "region": "CA", "country_code": "us", "latitude": 37.33},
        {
            "line_1": None,
            "line_2": None,
            "line_3": None,
            "line_4": None,
            "locality": "Cupertino",
            "region": "CA",
            "postcode": None,
            "country_code": "US",
            "latitude": "37.33",
            "longitude": None,
        },
    ),
    (attr("ref", "record-reference", allowed_objects=("companies",)), COMPANY_ID, COMPANY_REF),
    (attr("ref", "record-reference", allowed_objects=("companies",)), [COMPANY_ID], COMPANY_REF),
    (
        attr("ref", "record-reference", allowed_objects=("companies",)),
        {"target_record_id": COMPANY_ID},
        COMPANY_REF,
    ),
    (attr("ref", "record-reference", allowed_objects=("companies",)), {"record_id": COMPANY_ID}, COMPANY_REF),
    (
        attr("ref", "record-reference", allowed_objects=("companies",)),
        "https://www.acme.com",
        [{"target_object": "companies", "domains": [{"domain": "acme.com"}]}],
    ),
    (
        attr("ref", "record-reference", allowed_objects=("people",), multi=True),
        ["Ada@Acme.com", PERSON_ID],
        [
            {"target_object": "people", "email_addresses": [{"email_address": "ada@acme.com"}]},
            {"target_object": "people", "target_record_id": PERSON_ID},
        ],
    ),
    (
        attr("ref", "record-reference", allowed_objects=("people", "companies"), multi=True),
        [f"people:{PERSON_ID}", {"target_object": "companies", "target_record_id": COMPANY_ID}],
        [{"target_object": "people", "target_record_id": PERSON_ID}, *COMPANY_REF],
    ),
    (attr("ref", "record-reference", allowed_objects=("companies",)), None, []),
    (attr("act", "actor-reference"), "ada@acme.com", {"workspace_member_email_address": "ada@acme.com"}),
    (
        attr("act", "actor-reference"),
        MEMBER_ID,
        {"referenced_actor_type": "workspace-member", "referenced_actor_id": MEMBER_ID},
    ),
    (attr("t", "text"), None, []),
    (attr("s", "select", multi=True, options=("A",)), [], []),
]


@pytest.mark.parametrize(("attribute", "raw", "expected"), COERCIONS)
def test_coercion_per_type(attribute: AttrInfo, raw: Any, expected: Any) -> None:
    assert normalise_value(attribute, raw) == expected


@pytest.mark.parametrize("raw", ["ada@acme.com", "ADA LOVELACE", MEMBER_ID.upper()])
def test_actor_reference_resolves_against_members(raw: str) -> None:
    got = normalise_value(attr("owner", "actor-reference"), raw, MEMBERS)
    assert got == {"referenced_actor_type": "workspace-member", "referenced_actor_id": MEMBER_ID}


def test_actor_reference_unknown_member_lists_emails() -> None:
    with pytest.raises(InputError) as info:
        normalise_value(attr("owner", "actor-reference"), "bob@acme.com", MEMBERS)
    assert info.value.field == "owner" and info.value.options == ["ada@acme.com"]


# (attribute, input, substring expected in the message)
REJECTIONS = [
    (attr("t", "text"), True, "got bool"),
    (attr("n", "number"), "twelve", "not a number"),
    (attr("n", "number"), True, "not a number"),
    (attr("n", "number"), "1,5", "not a number"),
    (attr("c", "currency", currency_code="USD"), "50k", "not an amount"),
    (attr("c", "currency", currency_code="USD"), "€500", "differs from the attribute's USD"),
    (attr("r", "rating"), 6, "0 to 5"),
    (attr("r", "rating"), 2.5, "0 to 5"),
    (attr("b", "checkbox"), "maybe", "not a boolean"),
    (attr("d", "date"), "31/12/2024", "not an ISO 8601"),
    (attr("d", "date"), "2024-02-30", "not an ISO 8601"),
    (attr("ts", "timestamp"), "yesterday", "not an ISO 8601"),
    (attr("s", "select", options=("Technology", "Finance")), "Technolgy", "did you mean 'Technology'"),
    (attr("st", "status", options=("Closed Won", "Closed Lost")), "Closed", "unknown status 'Closed'"),
    (attr("dom", "domain", multi=True), "not a domain", "not a domain"),
    (attr("dom", "domain", multi=True), "ada@acme.com", "not a domain"),
    (attr("em", "email-address", multi=True), "ada.acme.com", "not an email"),
    (attr("ph", "phone-number", multi=True), "12345", "not a valid phone number"),
    (attr("ph", "phone-number", multi=True), "+1 555 555 5555", "not a valid phone number"),
    (attr("pn", "personal-name"), {"first_name": ""}, "empty"),
    (attr("loc", "location"), {"town": "Paris"}, "unknown location key 'town'"),
    (attr("ref", "record-reference", allowed_objects=("people", "companies")), COMPANY_ID, "ambiguous"),
    (attr("ref", "record-reference", allowed_objects=("companies",)), "Acme Inc", "not a record id"),
    (
        attr("ref", "record-reference", allowed_objects=("companies",)),
        {"target_object": "deals", "target_record_id": COMPANY_ID},
        "not one of 'companies'",
    ),
    (attr("ref", "record-reference", allowed_objects=("people", "companies")), {"id": PERSON_ID}, "missing"),
    (attr("act", "actor-reference"), "Ada", "not a member email"),
    (attr("t", "text"), ["a", "b"], "holds one value, got a list of 2"),
]


@pytest.mark.parametrize(("attribute", "raw", "needle"), REJECTIONS)
def test_rejections_name_the_field(attribute: AttrInfo, raw: Any, needle: str) -> None:
    with pytest.raises(InputError) as info:
        normalise_value(attribute, raw)
    assert needle in info.value.message
    assert info.value.field == attribute.slug


def test_unknown_select_option_lists_valid_options() -> None:
    with pytest.raises(InputError) as info:
        prepare_values(COMPANIES, {"industry": "Fintech"}, for_create=False)
    assert info.value.field == "industry"
    assert info.value.options == ["Technology", "Finance", "Healthcare"]


def test_keys_may_be_slug_id_or_title() -> None:
    got = prepare_values(
        COMPANIES, {"id-name": "Acme", "Lead Score": "85", "HEADQUARTERS": "Paris"}, for_create=False
    )
    assert got == {"name": ["Acme"], "lead_score": [85], "headquarters": ["Paris"]}


def test_unknown_attribute_suggests_close_slugs() -> None:
    with pytest.raises(InputError) as info:
        prepare_values(DEALS, {"value": 50000}, for_create=False)
    err = info.value
    assert err.field == "value"
    assert "Did you mean 'deal_value'" in err.message
    assert err.options is not None and err.options[0] == "deal_value" and "close_date" in err.options
    assert "record_id" not in err.options  # only writable slugs are offered


def test_read_only_and_archived_attributes_are_rejected() -> None:
    errors = validate_all(COMPANIES, {"twitter_follower_count": 5, "legacy_code": "x"}, for_create=False)
    assert [e.field for e in errors] == ["twitter_follower_count", "legacy_code"]
    assert "read-only" in errors[0].message and "archived" in errors[1].message


def test_missing_required_on_create_lists_all_in_one_error() -> None:
    target = schema(
        "tickets",
        attr("title", "text", required=True),
        attr("severity", "select", required=True, options=("P1", "P2")),
        attr("stage", "status", required=True, default_enabled=True, options=("Open",)),
    )
    errors = validate_all(target, {}, for_create=True)
    assert len(errors) == 1
    assert errors[0].options == ["title", "severity"]
    assert prepare_values(target, {}, for_create=False) == {}


def test_missing_required_counts_cleared_values_as_missing() -> None:
    with pytest.raises(InputError) as info:
        prepare_values(DEALS, {"name": None, "stage": "Lost"}, for_create=True)
    assert info.value.options == ["name"]


def test_validate_all_reports_every_problem_and_prepare_combines_them() -> None:
    data = {"nme": "Acme", "employee_count": "many", "industry": "Tech stuff", "domains": "acme.com"}
    errors = validate_all(COMPANIES, data, for_create=False)
    assert [e.field for e in errors] == ["nme", "employee_count", "industry"]
    with pytest.raises(InputError) as info:
        prepare_values(COMPANIES, data, for_create=False)
    assert info.value.message.startswith("3 problems:")
    assert info.value.field == "nme, employee_count, industry"


def test_same_attribute_twice_is_an_error() -> None:
    errors = validate_all(COMPANIES, {"name": "A", "Name": "B"}, for_create=False)
    assert len(errors) == 1 and "given twice" in errors[0].message


def test_non_mapping_data_is_rejected() -> None:
    assert validate_all(COMPANIES, ["name"], for_create=False)[0].field == "data"  # type: ignore[arg-type]


def test_people_payload_end_to_end() -> None:
    got = prepare_values(
        PEOPLE,
        {
            "name": "Lovelace, Ada",
            "email_addresses": "ADA@acme.com",
            "phone_numbers": ["+44 20 7946 0958"],
            "company": "acme.com",
            "primary_location": "London, GB",
        },
        for_create=True,
    )
    assert got == {
        "name": [{"first_name": "Ada", "last_name": "Lovelace", "full_name": "Ada Lovelace"}],
        "email_addresses": ["ada@acme.com"],
        "phone_numbers": ["+442079460958"],
        "company": [{"target_object": "companies", "domains": [{"domain": "acme.com"}]}],
        "primary_location": ["London, GB"],
    }


def test_did_you_mean_matches_case_insensitively_and_by_containment() -> None:
    assert did_you_mean("Stgae", ["stage", "name"]) == ["stage"]
    assert did_you_mean("probability", ["close_probability", "name"]) == ["close_probability"]
    assert did_you_mean("zzz", ["stage"]) == []


@pytest.mark.parametrize(("type_", "key"), [("select", "option"), ("status", "status")])
def test_an_option_id_is_sent_in_object_form(type_: str, key: str) -> None:
    """Attio reads a bare string as a title; an id only counts inside {"option": …} / {"status": …}."""
    option_id = "5B1A6C3E-7D2F-4A8B-9C0D-1E2F3A4B5C6D"
    choice = attr("stage", type_, options=("Lead", "Won"))
    assert normalise_value(choice, option_id) == {key: option_id.lower()}
    assert normalise_value(choice, {key: option_id}) == {key: option_id.lower()}
    assert normalise_value(choice, "lead") == "Lead"


def test_append_mode_refuses_to_clear_a_multi_value_attribute() -> None:
    from attio_mcp.workspace.values import refuse_append_clears

    target = TargetSchema(
        kind="list",
        id="l1",
        slug="tags_list",
        name="Tags",
        attributes={
            "tags": attr("tags", "select", multi=True, options=("A", "B")),
            "note": attr("note", "text"),
        },
    )
    refuse_append_clears(target, {"note": [], "tags": ["A"]})  # a single value clears; adding tags is fine
    with pytest.raises(InputError) as info:
        refuse_append_clears(target, {"tags": []})
    assert info.value.field == "tags" and "overwrite" in (info.value.next_step or "")
