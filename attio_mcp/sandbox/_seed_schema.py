"""Demo workspace configuration: members, objects, attributes and lists of "Demo Sales Co"."""

from __future__ import annotations

from typing import Any

from ._ids import stable_id
from ._schema import AttrDef, Schema
from ._store import Store

__all__ = ["MEMBERS", "WORKSPACE_NAME", "WORKSPACE_SLUG", "build_schema", "seed_members"]

WORKSPACE_NAME = "Demo Sales Co"
WORKSPACE_SLUG = "demo-sales-co"
SCHEMA_CREATED_AT = "2026-06-01T09:00:00.000000000Z"

# (first, last, email local part, access level)
MEMBERS = (
    ("Olivia", "Bennett", "olivia.bennett", "admin"),
    ("Marcus", "Reed", "marcus.reed", "member"),
    ("Priya", "Shah", "priya.shah", "member"),
    ("Daniel", "Kim", "daniel.kim", "member"),
)
EMAIL_DOMAIN = "demo-sales.example"

INDUSTRIES = (
    "Technology",
    "Healthcare",
    "Finance",
    "Retail",
    "Manufacturing",
    "Education",
    "Media",
    "Energy",
    "Logistics",
    "Real Estate",
)
CATEGORIES = (
    "B2B",
    "B2C",
    "SaaS",
    "Enterprise",
    "E-commerce",
    "Marketplace",
    "Hardware",
    "Fintech",
    "Healthtech",
    "Analytics",
    "Security",
    "AI",
)
LEAD_STATUSES = ("Unqualified", "Contacted", "Qualified", "Disqualified")
SOURCES = ("Inbound Form", "Referral", "Outbound", "Event", "Partner", "Website")
ENRICHMENT = ("Pending", "In Progress", "Completed", "Failed")
SENIORITY = ("Entry", "Mid", "Senior", "Director", "VP", "C-Level")
STAGES = (
    "Lead",
    "Discovery",
    "Qualified",
    "Proposal Sent",
    "Negotiation",
    ("Closed Won", True),
    "Closed Lost",
)
SEGMENTS = ("SMB", "Mid-Market", "Enterprise")
PRIORITIES = ("High", "Medium", "Low")


def seed_members(store: Store) -> None:
    """The four workspace members; the admin authorised the API token."""
    for index, (first, last, local, level) in enumerate(MEMBERS):
        member_id = stable_id("member", local)
        store.members[member_id] = {
            "id": {"workspace_id": store.workspace_id, "workspace_member_id": member_id},
            "first_name": first,
            "last_name": last,
            "avatar_url": None,
            "email_address": f"{local}@{EMAIL_DOMAIN}",
            "created_at": f"2026-05-{4 + index:02d}T10:00:00.000000000Z",
            "access_level": level,
        }


class _Builder:
    def __init__(self, schema: Schema, kind: str, parent_id: str) -> None:
        self.schema, self.kind, self.parent_id = schema, kind, parent_id

    def __call__(self, slug: str, title: str, type: str, **kwargs: Any) -> AttrDef:
        return self.schema.add_attribute(
            self.kind, self.parent_id, slug, title, type, SCHEMA_CREATED_AT, **kwargs
        )

    def system(self, id_slug: str, id_title: str) -> None:
        self(id_slug, id_title, "text", writable=False, system=True)

    def audit(self) -> None:
        self("created_at", "Created at", "timestamp", writable=False, system=True)
        self("created_by", "Created by", "actor-reference", writable=False, system=True)


def _obj(schema: Schema, slug: str, singular: str, plural: str) -> _Builder:
    obj = schema.add_object(slug, singular, plural, SCHEMA_CREATED_AT)
    builder = _Builder(schema, "object", obj["id"]["object_id"])
    builder.system("record_id", "Record ID")
    return builder


def _objects(schema: Schema) -> dict[str, _Builder]:
    return {
        "people": _obj(schema, "people", "Person", "People"),
        "companies": _obj(schema, "companies", "Company", "Companies"),
        "deals": _obj(schema, "deals", "Deal", "Deals"),
        "users": _obj(schema, "users", "User", "Users"),
        "workspaces": _obj(schema, "workspaces", "Workspace", "Workspaces"),
        "projects": _obj(schema, "projects", "Project", "Projects"),
    }


def build_schema(store: Store, admin_actor: dict[str, Any]) -> None:
    """Define every object, attribute, relationship and list of the demo workspace."""
    schema = store.schema
    b = _objects(schema)

    co = b["companies"]
    co("name", "Name", "text")
    co("domains", "Domains", "domain", multi=True, unique=True)
    co("description", "Description", "text")
    team = co("team", "Team", "record-reference", multi=True, allowed_objects=["people"])
    co("categories", "Categories", "select", multi=True, options=CATEGORIES)
    co("primary_location", "Primary location", "location")
    co("industry", "Industry", "select", options=INDUSTRIES)
    co("employee_count", "Employee count", "number")
    co("lead_status", "Lead status", "select", options=LEAD_STATUSES)
    co("source", "Source", "select", options=SOURCES)
    co("lead_score", "Lead score", "number")
    co("enrichment_status", "Enrichment status", "select", options=ENRICHMENT)
    co("enrichment_date", "Enrichment date", "timestamp")
    co("annual_revenue", "Annual revenue", "currency", currency="USD")
    co("headquarters", "Headquarters", "text")
    co("linkedin", "LinkedIn", "text")
    co("twitter", "Twitter", "text")
    co_deals = co(
        "associated_deals", "Associated deals", "record-reference", multi=True, allowed_objects=["deals"]
    )
    co_ws = co(
        "associated_workspaces",
        "Associated workspaces",
        "record-reference",
        multi=True,
        allowed_objects=["workspaces"],
    )
    co("twitter_follower_count", "Twitter follower count", "number", writable=False, system=True)
    co("logo_url", "Logo URL", "text", writable=False, system=True)
    co("last_email_interaction", "Last email interaction", "interaction", writable=False, system=True)
    co.audit()

    pe = b["people"]
    pe("name", "Name", "personal-name")
    pe("email_addresses", "Email addresses", "email-address", multi=True, unique=True)
    pe("phone_numbers", "Phone numbers", "phone-number", multi=True)
    pe("job_title", "Job title", "text")
    company = pe("company", "Company", "record-reference", allowed_objects=["companies"])
    pe("description", "Description", "text")
    pe("primary_location", "Primary location", "location")
    pe("linkedin", "LinkedIn", "text")
    pe("twitter", "Twitter", "text")
    pe("linkedin_url", "LinkedIn URL", "text")
    pe("seniority_level", "Seniority level", "select", options=SENIORITY)
    pe_deals = pe(
        "associated_deals", "Associated deals", "record-reference", multi=True, allowed_objects=["deals"]
    )
    pe_users = pe(
        "associated_users", "Associated users", "record-reference", multi=True, allowed_objects=["users"]
    )
    pe.audit()

    de = b["deals"]
    de("name", "Deal name", "text", required=True)
    stage = de("stage", "Deal stage", "status", required=True, statuses=STAGES)
    stage.data["default_value"] = {
        "type": "static",
        "template": [{"attribute_type": "status", "status": stage.statuses[0]["id"]["status_id"]}],
    }
    stage.data["is_default_value_enabled"] = True
    de(
        "owner",
        "Deal owner",
        "actor-reference",
        required=True,
        default_value={"type": "dynamic", "template": "current-user"},
    )
    de("deal_value", "Deal value", "currency", currency="USD")
    de("close_date", "Close date", "date")
    de_company = de("company", "Company", "record-reference", allowed_objects=["companies"])
    de_people = de(
        "associated_people", "Associated people", "record-reference", multi=True, allowed_objects=["people"]
    )
    de("close_probability", "Close probability", "number")
    de("competitive_threat", "Competitive threat", "text")
    de("market_segment", "Market segment", "select", options=SEGMENTS)
    de("estimated_close_value", "Estimated close value", "number")
    de("lead_source", "Lead source", "select", options=SOURCES)
    de("next_step", "Next step", "text")
    de.audit()

    us = b["users"]
    us("user_id", "User ID", "text", unique=True, required=True)
    us("primary_email_address", "Primary email address", "email-address", unique=True, required=True)
    us_person = us("person", "Person", "record-reference", allowed_objects=["people"])
    us_ws = us("workspace", "Workspace", "record-reference", allowed_objects=["workspaces"])
    us.audit()

    ws = b["workspaces"]
    ws("workspace_id", "Workspace ID", "text", unique=True, required=True)
    ws("name", "Name", "text")
    ws_company = ws("company", "Company", "record-reference", allowed_objects=["companies"])
    ws_users = ws("users", "Users", "record-reference", multi=True, allowed_objects=["users"])
    ws("avatar_url", "Avatar URL", "text")
    ws.audit()

    pr = b["projects"]
    pr("name", "Name", "text", required=True)
    pr("status", "Status", "select", options=("Planned", "Active", "On Hold", "Done"))
    pr("budget", "Budget", "currency", currency="USD")
    pr("company", "Company", "record-reference", allowed_objects=["companies"])
    pr("start_date", "Start date", "date")
    pr("is_active", "Active", "checkbox")
    pr("health", "Health", "rating")
    pr("kickoff_at", "Kickoff", "timestamp")
    pr("contact_phone", "Contact phone", "phone-number")
    pr("tags", "Tags", "select", multi=True, options=("Migration", "Integration", "Onboarding", "Analytics"))
    pr("project_lead", "Project lead", "actor-reference")
    pr.audit()

    for left, right in (
        (team, company),
        (co_deals, de_company),
        (pe_deals, de_people),
        (pe_users, us_person),
        (co_ws, ws_company),
        (ws_users, us_ws),
    ):
        schema.relate(left, right)
    _lists(schema, admin_actor)


def _list(
    schema: Schema, slug: str, name: str, parent: str, actor: dict[str, Any], created_at: str
) -> _Builder:
    lst = schema.add_list(slug, name, parent, created_at, actor)
    builder = _Builder(schema, "list", lst["id"]["list_id"])
    builder.system("entry_id", "Entry ID")
    return builder


def _lists(schema: Schema, actor: dict[str, Any]) -> None:
    at = SCHEMA_CREATED_AT
    pr = _list(schema, "prospecting", "Prospecting", "companies", actor, at)
    pr("stage", "Stage", "status", statuses=("New", "Contacted", "Meeting Booked", "Disqualified"))
    pr("priority", "Priority", "select", options=PRIORITIES)
    pr("follow_up_date", "Follow-up date", "date")
    pr("notes", "Notes", "text")
    pr.audit()

    qu = _list(schema, "qualified", "Qualified", "companies", actor, at)
    qu("qualified_on", "Qualified on", "date")
    qu("qualification_notes", "Qualification notes", "text")
    qu.audit()

    cu = _list(schema, "customers", "Customers", "companies", actor, at)
    cu("renewal_date", "Renewal date", "date")
    cu("health", "Account health", "rating")
    cu("account_tier", "Account tier", "select", options=("Gold", "Silver", "Bronze"))
    cu.audit()

    ad = _list(schema, "active_deals", "Active Deals", "deals", actor, at)
    ad("priority", "Priority", "select", options=PRIORITIES)
    ad("follow_up_date", "Follow-up date", "date")
    ad("forecast_category", "Forecast category", "select", options=("Commit", "Best Case", "Pipeline"))
    ad.audit()

    q4 = _list(schema, "q4_pipeline", "Q4 Pipeline", "deals", actor, at)
    q4("committed", "Committed", "checkbox")
    q4("notes", "Notes", "text")
    q4.audit()

    ds = _list(schema, "discovery_stage", "Discovery Stage", "deals", actor, at)
    ds("discovery_call_at", "Discovery call", "timestamp")
    ds.audit()

    ps = _list(schema, "proposal_stage", "Proposal Stage", "deals", actor, at)
    ps("proposal_sent_on", "Proposal sent on", "date")
    ps("follow_up_date", "Follow-up date", "date")
    ps.audit()

    eq = _list(schema, "enrichment_queue", "Enrichment Queue", "companies", actor, at)
    eq("requested_at", "Requested at", "timestamp")
    eq.audit()

    ta = _list(schema, "target_accounts", "Target Accounts", "companies", actor, at)
    ta("priority", "Priority", "select", options=PRIORITIES)
    ta("account_owner", "Account owner", "actor-reference")
    ta.audit()
