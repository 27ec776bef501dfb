"""A tiny fake workspace (records, entries, a resolver) for the filter and sort engine tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

OBJ_IDS = {
    "companies": "0b1ec700-0000-4000-8000-000000000001",
    "people": "0b1ec700-0000-4000-8000-000000000002",
}
OBJ_IDS["deals"] = "0b1ec700-0000-4000-8000-000000000003"
LIST_ID = "11570000-0000-4000-8000-000000000001"
C1, C2, C3 = (f"c0000000-0000-4000-8000-00000000000{i}" for i in (1, 2, 3))
P1, P2, P3 = (f"a0000000-0000-4000-8000-00000000000{i}" for i in (1, 2, 3))
D1, D2, D3 = (f"d0000000-0000-4000-8000-00000000000{i}" for i in (1, 2, 3))
E1, E2, E3 = (f"e0000000-0000-4000-8000-00000000000{i}" for i in (1, 2, 3))
M1, M2 = "4e4be400-0000-4000-8000-000000000001", "4e4be400-0000-4000-8000-000000000002"


def _attr(
    slug: str, type_: str, *, multi: bool = False, choices: list[str] | None = None, **extra: Any
) -> dict:
    attr = {"api_slug": slug, "type": type_, "is_multiselect": multi, "id": {"attribute_id": f"attr-{slug}"}}
    if choices is not None:
        key, id_key = ("options", "option_id") if type_ == "select" else ("statuses", "status_id")
        attr[key] = [{"id": {id_key: f"{slug}-{t}"}, "title": t, "is_archived": False} for t in choices]
    attr.update(extra)
    return attr


def _ref_attr(slug: str, target: str, multi: bool = False) -> dict:
    return _attr(
        slug,
        "record-reference",
        multi=multi,
        config={"record_reference": {"allowed_object_ids": [OBJ_IDS[target]]}},
    )


SCHEMAS: dict[str, dict[str, dict]] = {
    "companies": {
        a["api_slug"]: a
        for a in [
            _attr("record_id", "text"),
            _attr("created_at", "timestamp"),
            _attr("name", "text"),
            _attr("domains", "domain", multi=True),
            _attr("categories", "select", multi=True, choices=["Technology", "SaaS", "Finance"]),
            _attr("employee_range", "select", choices=["11-50", "10K-50K"]),
            _attr("primary_location", "location"),
            _attr("annual_revenue", "currency"),
            _attr("founded", "date"),
            _attr("is_public", "checkbox"),
            _attr("rating", "rating"),
            _attr("employee_count", "number"),
            _attr("last_interaction", "interaction"),
            _ref_attr("team", "people", multi=True),
        ]
    },
    "people": {
        a["api_slug"]: a
        for a in [
            _attr("record_id", "text"),
            _attr("created_at", "timestamp"),
            _attr("name", "personal-name"),
            _attr("email_addresses", "email-address", multi=True),
            _attr("phone_numbers", "phone-number", multi=True),
            _attr("job_title", "text"),
            _ref_attr("company", "companies"),
            _ref_attr("manager", "people"),
        ]
    },
    "deals": {
        a["api_slug"]: a
        for a in [
            _attr("record_id", "text"),
            _attr("created_at", "timestamp"),
            _attr("name", "text"),
            _attr("value", "currency"),
            _attr("stage", "status", choices=["Nurture", "Closed Won"]),
            _attr("owner", "actor-reference"),
            _attr("close_date", "date"),
            _ref_attr("associated_company", "companies"),
        ]
    },
    "pipeline": {
        a["api_slug"]: a
        for a in [_attr("priority", "select", choices=["High", "Low"]), _attr("amount", "number")]
    },
}


def _v(type_: str, **fields: Any) -> dict:
    base = {"active_from": "2024-01-01T00:00:00.000000000Z", "active_until": None, "attribute_type": type_}
    return {**base, "created_by_actor": {"type": "api-token", "id": "tok"}, **fields}


def text(s: str) -> list[dict]:
    return [_v("text", value=s)]


def num(n: float, type_: str = "number") -> list[dict]:
    return [_v(type_, value=n)]


def money(n: Any) -> list[dict]:
    return [_v("currency", currency_value=n, currency_code="USD")]


def option(slug: str, *titles: str, active_from: str | None = None) -> list[dict]:
    out = [
        _v("select", option={"id": {"option_id": f"{slug}-{t}"}, "title": t, "is_archived": False})
        for t in titles
    ]
    if active_from:
        out[0]["active_from"] = active_from
    return out


def status(title: str, active_from: str) -> list[dict]:
    st = {"id": {"status_id": f"stage-{title}"}, "title": title, "is_archived": False}
    return [{**_v("status", status=st), "active_from": active_from}]


def ref(obj: str, *ids: str) -> list[dict]:
    return [_v("record-reference", target_object=obj, target_record_id=i) for i in ids]


def domain(*names: str) -> list[dict]:
    return [_v("domain", domain=n, root_domain=".".join(n.split(".")[-2:])) for n in names]


def email(address: str) -> list[dict]:
    local, _, dom = address.rpartition("@")
    root = ".".join(dom.split(".")[-2:])
    fields = {
        "original_email_address": address,
        "email_address": address.lower(),
        "email_domain": dom.lower(),
    }
    return [
        _v("email-address", **fields, email_root_domain=root.lower(), email_local_specifier=local.lower())
    ]


def location(**parts: Any) -> list[dict]:
    keys = ("line_1", "line_2", "line_3", "line_4", "locality", "region", "postcode", "country_code")
    return [_v("location", **{k: parts.get(k) for k in keys}, latitude=None, longitude=None)]


def name(first: str, last: str) -> list[dict]:
    return [_v("personal-name", first_name=first, last_name=last, full_name=f"{first} {last}")]


@dataclass
class Rec:
    record_id: str
    created_at: str
    values: dict[str, list[dict]] = field(default_factory=dict)


@dataclass
class Ent:
    entry_id: str
    created_at: str
    parent_object: str
    parent_record_id: str
    values: dict[str, list[dict]] = field(default_factory=dict)


COMPANIES = [
    Rec(
        C1,
        "2024-01-01T10:00:00.000000000Z",
        {
            "name": text("Acme Technologies"),
            "domains": domain("acme.com", "eu.acme.com"),
            "categories": option("categories", "SaaS", "Technology"),
            "employee_range": option(
                "employee_range", "10K-50K", active_from="2023-11-25T09:00:00.000000000Z"
            ),
            "primary_location": location(
                line_1="1 Infinite Loop",
                locality="Cupertino",
                region="CA",
                postcode="95014",
                country_code="US",
            ),
            "annual_revenue": money(1_000_000),
            "founded": [_v("date", value="2001-05-01")],
            "is_public": [_v("checkbox", value=True)],
            "rating": num(4, "rating"),
            "employee_count": num(12000),
            "last_interaction": [
                _v(
                    "interaction",
                    interaction_type="email",
                    interacted_at="2024-03-01T12:00:00.000000000Z",
                    owner_actor={"type": "workspace-member", "id": M1},
                )
            ],
            "team": ref("people", P1, P2),
        },
    ),
    Rec(
        C2,
        "2024-06-01T00:00:00.000000000Z",
        {
            "name": text("Globex"),
            "domains": domain("globex.io"),
            "categories": option("categories", "Finance"),
            "employee_range": option("employee_range", "11-50", active_from="2023-10-01T00:00:00.000000000Z"),
            "primary_location": location(locality="London", country_code="GB"),
            "annual_revenue": money("50000"),
            "founded": [_v("date", value="1990-01-01")],
            "is_public": [_v("checkbox", value=False)],
            "rating": num(2, "rating"),
            "employee_count": num(40),
            "team": ref("people", P3),
        },
    ),
    Rec(C3, "2023-02-03T04:05:06.000000000Z", {"name": text("initech")}),
]
PEOPLE = [
    Rec(
        P1,
        "2024-01-02T00:00:00.000000000Z",
        {
            "name": name("Ada", "Lovelace"),
            "email_addresses": email("ada@acme.com"),
            "phone_numbers": [
                _v(
                    "phone-number",
                    original_phone_number="07700900123",
                    country_code="GB",
                    phone_number="+447700900123",
                )
            ],
            "job_title": text("Senior Engineer"),
            "company": ref("companies", C1),
        },
    ),
    Rec(
        P2,
        "2024-01-03T00:00:00.000000000Z",
        {
            "name": name("John", "Smith"),
            "email_addresses": email("John.Smith@Mail.Example.co.uk"),
            "job_title": text("CEO"),
            "company": ref("companies", C1),
            "manager": ref("people", P1),
        },
    ),
    Rec(P3, "2024-01-04T00:00:00.000000000Z", {"name": name("Jane", "Doe"), "company": ref("companies", C2)}),
]
DEALS = [
    Rec(
        D1,
        "2026-02-27T07:46:44.232000000Z",
        {
            "name": text("Big"),
            "value": money(60000),
            "stage": status("Nurture", "2023-11-25T00:00:00.000000000Z"),
            "owner": [
                _v("actor-reference", referenced_actor_type="workspace-member", referenced_actor_id=M1)
            ],
            "close_date": [_v("date", value="2025-08-10")],
            "associated_company": ref("companies", C1),
        },
    ),
    Rec(
        D2,
        "2026-02-27T07:50:01.160000000Z",
        {
            "name": text("Small"),
            "value": money(40000),
            "stage": status("Closed Won", "2023-11-01T00:00:00.000000000Z"),
            "owner": [
                _v("actor-reference", referenced_actor_type="workspace-member", referenced_actor_id=M2)
            ],
            "close_date": [_v("date", value="2025-01-01")],
            "associated_company": ref("companies", C2),
        },
    ),
    Rec(
        D3,
        "2026-03-01T00:00:00.000000000Z",
        {"name": text("Empty"), "stage": status("Nurture", "2024-01-01T00:00:00Z")},
    ),
]
ENTRIES = [
    Ent(
        E1,
        "2024-02-01T00:00:00.000000000Z",
        "companies",
        C1,
        {"priority": option("priority", "High"), "amount": num(5)},
    ),
    Ent(
        E2,
        "2024-02-02T00:00:00.000000000Z",
        "companies",
        C2,
        {"priority": option("priority", "Low"), "amount": num(9)},
    ),
    Ent(E3, "2024-02-03T00:00:00.000000000Z", "companies", C3, {}),
]
ROWS = {"companies": COMPANIES, "people": PEOPLE, "deals": DEALS, "pipeline": ENTRIES}


class FakeResolver:
    """The Resolver protocol over the fake workspace above."""

    def __init__(self) -> None:
        self.by_id = {**{v: k for k, v in OBJ_IDS.items()}, LIST_ID: "pipeline"}
        self.records = {(obj, r.record_id): r for obj in ("companies", "people", "deals") for r in ROWS[obj]}

    def parent_slug(self, parent: str) -> str:
        if parent in SCHEMAS:
            return parent
        return self.by_id[parent]

    def attributes(self, parent: str) -> dict[str, dict]:
        return SCHEMAS[self.parent_slug(parent)]

    def record(self, object_slug: str, record_id: str) -> Rec | None:
        return self.records.get((object_slug, record_id))

    def parent_record(self, entry: Ent) -> Rec | None:
        return self.record(entry.parent_object, entry.parent_record_id)

    def parent_object_of(self, entry: Ent) -> str:
        return entry.parent_object


RESOLVER = FakeResolver()
