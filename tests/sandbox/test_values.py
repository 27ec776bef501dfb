"""Sandbox: every documented write shorthand per attribute type, and the errors for bad values."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from attio_mcp.sandbox._values_contact import LOCATION_KEYS, parse_location

from ._support import core, create, data, error

pytestmark = pytest.mark.anyio

ADMIN_EMAIL = "olivia.bennett@demo-sales.example"


async def _project_with(client: httpx.AsyncClient, slug: str, value: Any) -> list[dict[str, Any]]:
    record = await create(client, "projects", {"name": "Shorthand test", slug: value})
    return [core(v) for v in record["values"][slug]]


@pytest.mark.parametrize(
    ("slug", "raw", "expected"),
    [
        ("name", "Plain", [{"value": "Plain"}]),
        ("name", {"value": "Wrapped"}, [{"value": "Wrapped"}]),
        ("name", ["Listed"], [{"value": "Listed"}]),
        ("budget", 1500, [{"currency_value": 1500, "currency_code": "USD"}]),
        ("budget", "99.5", [{"currency_value": 99.5, "currency_code": "USD"}]),
        ("budget", {"currency_value": 12}, [{"currency_value": 12, "currency_code": "USD"}]),
        ("is_active", True, [{"value": True}]),
        ("is_active", "false", [{"value": False}]),
        ("is_active", [True], [{"value": True}]),
        ("is_active", {"value": True}, [{"value": True}]),
        ("start_date", "2026-01-02", [{"value": "2026-01-02"}]),
        ("start_date", "2027", [{"value": "2027-01-01"}]),
        ("start_date", "2026-03-04T23:30:00-05:00", [{"value": "2026-03-05"}]),
        ("start_date", {"value": "2026-05-06"}, [{"value": "2026-05-06"}]),
        ("kickoff_at", "2026-01-02T03:04:05Z", [{"value": "2026-01-02T03:04:05.000000000Z"}]),
        ("kickoff_at", "2026-01-02T03:04:05.123456+02:00", [{"value": "2026-01-02T01:04:05.123000000Z"}]),
        ("kickoff_at", "2026-01-02", [{"value": "2026-01-02T00:00:00.000000000Z"}]),
        ("kickoff_at", {"value": "2026-07-01T10:00:00"}, [{"value": "2026-07-01T10:00:00.000000000Z"}]),
        ("health", 4, [{"value": 4}]),
        ("health", {"value": 0}, [{"value": 0}]),
        (
            "contact_phone",
            "+44 20 7946 0123",
            [
                {
                    "original_phone_number": "+44 20 7946 0123",
                    "country_code": "GB",
                    "phone_number": "+442079460123",
                }
            ],
        ),
        (
            "contact_phone",
            {"original_phone_number": "020 7946 0123", "country_code": "GB"},
            [
                {
                    "original_phone_number": "020 7946 0123",
                    "country_code": "GB",
                    "phone_number": "+442079460123",
                }
            ],
        ),
    ],
)
async def test_scalar_write_forms(
    client: httpx.AsyncClient, slug: str, raw: Any, expected: list[dict]
) -> None:
    assert await _project_with(client, slug, raw) == expected


@pytest.mark.parametrize(("raw", "expected"), [(5, 5), (2.5, 2.5), ("7", 7), ({"value": 3}, 3), ([4], 4)])
async def test_number_write_forms(client: httpx.AsyncClient, raw: Any, expected: float) -> None:
    record = await create(client, "companies", {"name": "Numbers", "employee_count": raw})
    value = record["values"]["employee_count"][0]["value"]
    assert value == expected and type(value) is type(expected)


async def test_select_by_exact_title_or_option_object(client: httpx.AsyncClient) -> None:
    options = data(await client.get("/v2/objects/projects/attributes/status/options"))
    done_id = next(o["id"]["option_id"] for o in options if o["title"] == "Done")
    for raw in ("Active", {"option": "Active"}, ["Active"]):
        assert (await _project_with(client, "status", raw))[0]["option"]["title"] == "Active"
    assert (await _project_with(client, "status", {"option": done_id}))[0]["option"]["title"] == "Done"
    tags = await _project_with(client, "tags", ["Migration"])
    assert [t["option"]["title"] for t in tags] == ["Migration"]
    tags = await _project_with(client, "tags", ["Migration", "Analytics", {"option": "Migration"}])
    assert [t["option"]["title"] for t in tags] == ["Migration", "Analytics"]


async def _rejected(client: httpx.AsyncClient, obj: str, values: dict[str, Any], code: str) -> dict[str, Any]:
    return error(
        await client.post(f"/v2/objects/{obj}/records", json={"data": {"values": values}}), 400, code
    )


async def test_select_titles_match_exactly_and_bare_ids_are_titles(client: httpx.AsyncClient) -> None:
    """Attio matches option titles exactly; a bare string is always a title (ids only as {"option": id})."""
    options = data(await client.get("/v2/objects/projects/attributes/status/options"))
    done_id = next(o["id"]["option_id"] for o in options if o["title"] == "Done")
    for raw in ("active", " Active", {"option": "active"}, done_id, [done_id]):
        body = await _rejected(client, "projects", {"name": "x", "status": raw}, "value_not_found")
        assert body["message"].startswith("Cannot find select attribute with select option title")
    assert done_id in body["message"]
    await _rejected(client, "projects", {"name": "x", "tags": ["Migration", "migration"]}, "value_not_found")
    for shape in ({"option": {"id": {"option_id": done_id}}}, {"option": ""}, {"title": "Done"}, 3):
        await _rejected(client, "projects", {"name": "x", "status": shape}, "validation_type")


async def test_unknown_select_title_is_value_not_found(client: httpx.AsyncClient) -> None:
    resp = await client.post(
        "/v2/objects/projects/records", json={"data": {"values": {"name": "x", "status": "Someday"}}}
    )
    body = error(resp, 400, "value_not_found")
    assert "Someday" in body["message"]


async def test_status_by_exact_title_or_status_object(client: httpx.AsyncClient) -> None:
    statuses = data(await client.get("/v2/objects/deals/attributes/stage/statuses"))
    lost = next(s["id"]["status_id"] for s in statuses if s["title"] == "Closed Lost")
    for raw, title in (
        ("Negotiation", "Negotiation"),
        ({"status": "Lead"}, "Lead"),
        ({"status": lost}, "Closed Lost"),
    ):
        deal = await create(client, "deals", {"name": "Status", "stage": raw})
        assert deal["values"]["stage"][0]["status"]["title"] == title
    for raw in ("Won!", "negotiation", {"status": "lead"}, lost):
        body = await _rejected(client, "deals", {"name": "x", "stage": raw}, "value_not_found")
        assert body["message"].startswith("Cannot find status attribute with status option title")


async def test_multi_value_attributes_need_arrays(client: httpx.AsyncClient) -> None:
    """A bare value (null included) on a multiselect attribute is rejected, as Attio does for ``domains``."""
    for obj, slug, raw in (
        ("companies", "domains", "bare.example.com"),
        ("companies", "domains", {"domain": "bare.example.com"}),
        ("people", "email_addresses", "bare@example.com"),
        ("people", "phone_numbers", "+442079460123"),
        ("projects", "tags", "Migration"),
        ("projects", "tags", None),
    ):
        values = {slug: raw} if obj == "people" else {"name": "x", slug: raw}
        body = await _rejected(client, obj, values, "validation_type")
        assert body["message"] == f'An invalid value was passed to attribute with slug "{slug}".'
        issue = body["validation_errors"][0]
        assert issue["expected"] == "array" and issue["path"] == []
    project = await create(client, "projects", {"name": "Arrays", "tags": ["Migration"]})
    path = f"/v2/objects/projects/records/{project['id']['record_id']}"
    patch = await client.patch(path, json={"data": {"values": {"tags": "Analytics"}}})
    error(patch, 400, "validation_type")
    cleared = data(await client.put(path, json={"data": {"values": {"tags": []}}}))
    assert cleared["values"]["tags"] == []


async def test_actor_reference_forms(client: httpx.AsyncClient) -> None:
    members = data(await client.get("/v2/workspace_members"))
    admin_id = next(m["id"]["workspace_member_id"] for m in members if m["email_address"] == ADMIN_EMAIL)
    expected = [{"referenced_actor_type": "workspace-member", "referenced_actor_id": admin_id}]
    for raw in (
        ADMIN_EMAIL,
        ADMIN_EMAIL.upper(),
        {"workspace_member_email_address": ADMIN_EMAIL},
        {"referenced_actor_type": "workspace-member", "referenced_actor_id": admin_id},
        [ADMIN_EMAIL],
    ):
        assert await _project_with(client, "project_lead", raw) == expected
    for raw in ("ghost@demo-sales.example", admin_id):  # a bare string is an email, never a member id
        await _rejected(client, "projects", {"name": "x", "project_lead": raw}, "value_not_found")
    for raw in (
        {"referenced_actor_id": admin_id},
        {"referenced_actor_type": "api-token", "referenced_actor_id": admin_id},
        {"referenced_actor_type": "workspace-member", "referenced_actor_id": "olivia"},
        {"workspace_member_email_address": ADMIN_EMAIL, "extra": 1},
    ):
        await _rejected(client, "projects", {"name": "x", "project_lead": raw}, "validation_type")


async def test_contact_types_normalise(client: httpx.AsyncClient) -> None:
    company = await create(
        client,
        "companies",
        {
            "name": "Normalise Ltd",
            "domains": ["https://WWW.Normalise.co.uk/about?x=1", {"domain": "app.normalise.io"}],
        },
    )
    assert [core(d) for d in company["values"]["domains"]] == [
        {"domain": "www.normalise.co.uk", "root_domain": "normalise.co.uk"},
        {"domain": "app.normalise.io", "root_domain": "normalise.io"},
    ]
    person = await create(
        client,
        "people",
        {
            "name": "Lovelace, Ada",
            "email_addresses": ["Ada.Lovelace@Example.COM", {"email_address": "ada@engine.example.org"}],
            "phone_numbers": ["+1 (415) 555-0199"],
            "primary_location": "1 Infinite Loop, Cupertino, CA, 95014, US",
        },
    )
    v = person["values"]
    assert core(v["name"][0]) == {"first_name": "Ada", "last_name": "Lovelace", "full_name": "Ada Lovelace"}
    first = core(v["email_addresses"][0])
    assert first["original_email_address"] == "Ada.Lovelace@Example.COM"
    assert (
        first["email_address"] == "ada.lovelace@example.com"
        and first["email_local_specifier"] == "ada.lovelace"
    )
    assert core(v["email_addresses"][1])["email_root_domain"] == "example.org"
    assert core(v["phone_numbers"][0])["phone_number"] == "+14155550199"
    loc = core(v["primary_location"][0])
    assert (loc["line_1"], loc["locality"], loc["region"], loc["postcode"], loc["country_code"]) == (
        "1 Infinite Loop",
        "Cupertino",
        "CA",
        "95014",
        "US",
    )


async def test_name_and_location_object_forms(client: httpx.AsyncClient) -> None:
    only_first = await create(client, "people", {"name": "Cher"})
    assert core(only_first["values"]["name"][0]) == {
        "first_name": "Cher",
        "last_name": "",
        "full_name": "Cher",
    }
    full = {"first_name": "Grace", "last_name": "Hopper", "full_name": "Grace Hopper"}
    location = {
        "line_1": "1 Main St",
        "line_2": None,
        "line_3": None,
        "line_4": None,
        "locality": "Arlington",
        "region": "VA",
        "postcode": "22201",
        "country_code": "US",
        "latitude": "38.88",
        "longitude": "-77.1",
    }
    person = await create(client, "people", {"name": full, "primary_location": location})
    assert core(person["values"]["name"][0]) == full
    loc = core(person["values"]["primary_location"][0])
    assert loc["country_code"] == "US" and loc["latitude"] == "38.88" and loc["longitude"] == "-77.1"
    empty_last = {"first_name": "Cher", "last_name": "", "full_name": "Cher"}
    assert core((await create(client, "people", {"name": empty_last}))["values"]["name"][0]) == empty_last


async def test_personal_name_objects_need_all_three_keys(client: httpx.AsyncClient) -> None:
    """The recorded answer: one ``invalid_type`` / ``Required`` issue per missing key, paths relative."""
    body = await _rejected(client, "people", {"name": {"first_name": "Ada"}}, "validation_type")
    assert body["message"] == 'An invalid value was passed to attribute with slug "name".'
    assert body["validation_errors"] == [
        {
            "code": "invalid_type",
            "path": [key],
            "message": "Required",
            "expected": "string",
            "received": "undefined",
        }
        for key in ("last_name", "full_name")
    ]
    for name in (
        {"first_name": "Ada", "last_name": "Lovelace"},
        {"last_name": "Lovelace", "full_name": "Ada Lovelace"},
        {"first_name": "Ada", "last_name": None, "full_name": "Ada"},
        {},
    ):
        await _rejected(client, "people", {"name": name}, "validation_type")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("+447700900123", "Invalid phone number"),  # possible, but Ofcom's drama range is not allocated
        ("+15558675309", "Invalid phone number"),  # 555-8675309 is not a valid NANP number
        ("+11234567890", "Invalid phone number"),  # area code 123 does not exist
        ("+44 20 7946", "Invalid phone number"),
        ({"original_phone_number": "07700 900123", "country_code": "GB"}, "Invalid phone number"),
        ("020 7946 0123", "Invalid phone number, possibly due to missing country information"),
    ],
)
async def test_phone_numbers_must_be_valid_not_just_possible(
    client: httpx.AsyncClient, raw: Any, message: str
) -> None:
    """Attio validates against the numbering plan: the recorded body names the attribute, the issue the field."""
    body = await _rejected(client, "people", {"phone_numbers": [raw]}, "validation_type")
    assert body["message"] == 'An invalid value was passed to attribute with slug "phone_numbers".'
    assert body["validation_errors"] == [
        {"code": "invalid", "path": ["original_phone_number"], "message": message}
    ]


@pytest.mark.parametrize(
    ("obj", "slug", "raw"),
    [
        ("people", "phone_numbers", [{"original_phone_number": "020 7946 0123", "country_code": "UK"}]),
        ("people", "phone_numbers", [{"original_phone_number": "020 7946 0123", "country_code": "gb"}]),
        (
            "people",
            "primary_location",
            {**dict.fromkeys(LOCATION_KEYS), "locality": "London", "country_code": "UK"},
        ),
        ("people", "primary_location", {**dict.fromkeys(LOCATION_KEYS), "country_code": "us"}),
        ("people", "primary_location", {**dict.fromkeys(LOCATION_KEYS), "latitude": "91"}),
        ("people", "primary_location", {**dict.fromkeys(LOCATION_KEYS), "longitude": 12.5}),
    ],
)
async def test_country_codes_and_coordinates_follow_the_spec(
    client: httpx.AsyncClient, obj: str, slug: str, raw: Any
) -> None:
    body = await _rejected(client, obj, {slug: raw}, "validation_type")
    assert body["message"] == f'An invalid value was passed to attribute with slug "{slug}".'


def test_free_text_locations_only_take_real_country_codes() -> None:
    assert parse_location("Austin, TX")["country_code"] is None  # TX is no country: it stays the region
    assert parse_location("Austin, TX")["region"] == "TX"
    assert parse_location("Austin, TX, us")["country_code"] == "US"
    assert parse_location("London, United Kingdom")["country_code"] == "GB"


@pytest.mark.parametrize(
    ("obj", "values", "code"),
    [
        ("companies", {"name": "x", "employee_count": "lots"}, "validation_type"),
        ("companies", {"name": ["a", "b"]}, "validation_type"),
        ("companies", {"name": 42}, "validation_type"),
        ("companies", {"name": "x", "industry": ["Technology", "Finance"]}, "validation_type"),
        ("companies", {"name": "x", "domains": ["not a domain"]}, "validation_type"),
        ("people", {"email_addresses": ["not-an-email"]}, "validation_type"),
        ("people", {"phone_numbers": ["07700 900123"]}, "validation_type"),
        ("people", {"phone_numbers": ["+447700900123"]}, "validation_type"),
        ("people", {"name": {"first_name": "Ada"}}, "validation_type"),
        ("companies", {"name": "x", "domains": "acme-bare.com"}, "validation_type"),
        ("companies", {"name": "x", "categories": "SaaS"}, "validation_type"),
        ("people", {"primary_location": {"locality": "Paris"}}, "validation_type"),
        ("projects", {"name": "x", "health": 7}, "validation_type"),
        ("projects", {"name": "x", "is_active": "yes"}, "validation_type"),
        ("projects", {"name": "x", "start_date": "someday"}, "validation_type"),
        ("projects", {"name": "x", "kickoff_at": 12}, "validation_type"),
        ("projects", {"name": "x", "warp_factor": 9}, "value_not_found"),
        ("companies", {"name": "x", "twitter_follower_count": 10}, "system_edit_unauthorized"),
        ("companies", {"name": "x", "record_id": "abc"}, "system_edit_unauthorized"),
        ("companies", {"name": "x", "last_email_interaction": []}, "system_edit_unauthorized"),
    ],
)
async def test_bad_values_are_rejected(client: httpx.AsyncClient, obj: str, values: dict, code: str) -> None:
    before = len(data(await client.post(f"/v2/objects/{obj}/records/query", json={})))
    resp = await client.post(f"/v2/objects/{obj}/records", json={"data": {"values": values}})
    body = error(resp, 400, code)
    if code == "validation_type":
        assert body["validation_errors"] and {"code", "path", "message"} <= set(body["validation_errors"][0])
    if code == "value_not_found":
        assert "warp_factor" in body["message"]
    assert len(data(await client.post(f"/v2/objects/{obj}/records/query", json={}))) == before


async def test_attribute_keys_may_be_uuids(client: httpx.AsyncClient) -> None:
    attr = data(await client.get("/v2/objects/projects/attributes/health"))
    record = await create(client, "projects", {"name": "By id", attr["id"]["attribute_id"]: 3})
    assert record["values"]["health"][0]["value"] == 3


async def test_malformed_bodies_are_validation_errors(client: httpx.AsyncClient) -> None:
    body = error(
        await client.post("/v2/objects/companies/records", json={"values": {}}), 400, "validation_type"
    )
    assert body["validation_errors"][0]["path"] == ["data"]
    error(await client.post("/v2/objects/companies/records", json={"data": {}}), 400, "validation_type")
    error(
        await client.post("/v2/objects/companies/records", json={"data": {"values": []}}),
        400,
        "validation_type",
    )
    resp = await client.post(
        "/v2/objects/companies/records", content=b"{nope", headers={"Content-Type": "application/json"}
    )
    error(resp, 400, "validation_type")
