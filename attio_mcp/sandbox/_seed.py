"""Deterministic demo workspace ("Demo Sales Co"): records, list entries, notes and tasks.

Every id is a uuid5 of a stable name and every timestamp sits on a fixed timeline, so two fresh sandboxes
are identical. Records are written through the same code paths as API writes (validation, relationship
sync), acting as workspace members.
"""

from __future__ import annotations

import unicodedata
import zlib
from datetime import UTC, datetime, timedelta
from typing import Any

from ._activities import create_note, create_task
from ._clock import Clock, format_ts
from ._ids import stable_id
from ._seed_activity import seed_activity
from ._seed_data import COMPANIES, DEAL_PLAN, FIRST_NAMES, JOB_TITLES, LAST_NAMES, PROJECTS, WORKSPACES
from ._seed_lists import seed_lists
from ._seed_pipeline import seed_stage_histories
from ._seed_schema import MEMBERS, WORKSPACE_NAME, WORKSPACE_SLUG, build_schema, seed_members
from ._store import Item, Store
from ._writes import create_record

__all__ = ["SEED_START", "SeedContext", "seed_workspace"]

SEED_START = datetime(2026, 8, 3, 9, 0, tzinfo=UTC)
PROBABILITY = {
    "Lead": 0.1,
    "Discovery": 0.2,
    "Qualified": 0.35,
    "Proposal Sent": 0.55,
    "Negotiation": 0.75,
    "Closed Won": 1.0,
    "Closed Lost": 0.0,
}
THREATS = ("Incumbent vendor up for renewal", "Evaluating two other vendors", "Considering an in-house build")
NEXT_STEPS = {
    "Lead": "Book intro call",
    "Discovery": "Run discovery call with stakeholders",
    "Qualified": "Schedule technical demo",
    "Proposal Sent": "Review proposal with champion",
    "Negotiation": "Finalise pricing and legal review",
    "Closed Won": "Hand over to onboarding",
    "Closed Lost": "Revisit next quarter",
}


def _hash(*parts: object) -> int:
    return zlib.crc32("/".join(map(str, parts)).encode())


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


class SeedContext:
    """Moves a fake clock along the seed timeline and remembers who created what."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.cursor = SEED_START
        store.clock = Clock(lambda: self.cursor)
        self.member_ids = [stable_id("member", local) for _, _, local, _ in MEMBERS]
        self.companies: list[Item] = []
        self.people: list[Item] = []
        self.deals: list[Item] = []
        self.deal_stages: list[str] = []

    def tick(self, minutes: int) -> None:
        self.cursor += timedelta(minutes=minutes)

    def act_as(self, index: int) -> None:
        self.store.acting_as = {
            "type": "workspace-member",
            "id": self.member_ids[index % len(self.member_ids)],
        }

    def create(self, object_slug: str, key: str, values: dict[str, Any], minutes: int) -> Item:
        self.tick(minutes)
        object_id = self.store.schema.object(object_slug)["id"]["object_id"]
        return create_record(self.store, object_id, values, record_id=stable_id("record", object_slug, key))

    def stamp(self, offset_days: float = 0) -> str:
        return format_ts(self.cursor + timedelta(days=offset_days))


def _seed_companies(ctx: SeedContext) -> None:
    for index, (name, domain, industry, categories, employees, status, source, location) in enumerate(
        COMPANIES
    ):
        ctx.act_as(index)
        city = ", ".join(location.split(", ")[-3:-1]) if location.count(",") >= 2 else location.split(",")[0]
        enrichment = ("Completed", "Pending", "Completed", "In Progress", "Failed")[index % 5]
        values: dict[str, Any] = {
            "name": name,
            "domains": [domain],
            "description": f"{name} is a {industry.lower()} company with about {employees:,} employees.",
            "categories": list(categories),
            "industry": industry,
            "employee_count": employees,
            "lead_status": status,
            "source": source,
            "lead_score": 20 + _hash("score", name) % 76,
            "enrichment_status": enrichment,
            "annual_revenue": employees * (110_000 + _hash("rev", name) % 90_000),
            "headquarters": city,
            "primary_location": location,
            "linkedin": f"https://linkedin.com/company/{domain.split('.')[0]}",
            "logo_url": f"https://logo.clearbit.com/{domain}",
        }
        if enrichment == "Completed":
            values["enrichment_date"] = ctx.stamp(0.01)
            values["twitter_follower_count"] = 150 + _hash("tw", name) % 48_000
            values["twitter"] = f"https://twitter.com/{domain.split('.')[0]}"
        ctx.companies.append(ctx.create("companies", domain, values, 360))


def _company_of_person(index: int) -> int:
    return index // 2 if index < 40 else index - 20


def _phone_for(index: int, location: str) -> str:
    n = 100 + index
    if location.endswith("GB"):
        return f"+44 20 7946 0{n:03d}"
    if location.endswith("DE"):
        return f"+49 30 9018 2{n:03d}"
    return f"+1 415 555 0{n:03d}"


def _seed_people(ctx: SeedContext) -> None:
    for index, (first, last) in enumerate(zip(FIRST_NAMES, LAST_NAMES, strict=True)):
        ctx.act_as(index + 1)
        company_index = _company_of_person(index)
        _, domain, _, _, _, _, _, location = COMPANIES[company_index]
        title, seniority = JOB_TITLES[index % len(JOB_TITLES)]
        email = f"{_ascii(first)}.{_ascii(last)}@{domain}"
        values: dict[str, Any] = {
            "name": {"first_name": first, "last_name": last, "full_name": f"{first} {last}"},
            "email_addresses": [email],
            "job_title": title,
            "seniority_level": seniority,
            "company": [{"target_object": "companies", "target_record_id": ctx.companies[company_index].id}],
            "primary_location": location,
        }
        if index % 3 != 2:
            values["phone_numbers"] = [_phone_for(index, location)]
        if index % 2 == 0:
            values["linkedin_url"] = f"https://linkedin.com/in/{_ascii(first)}-{_ascii(last)}"
        ctx.people.append(ctx.create("people", email, values, 240))


def _segment(employees: int) -> str:
    return "SMB" if employees < 250 else "Mid-Market" if employees < 1500 else "Enterprise"


def _seed_deals(ctx: SeedContext) -> None:
    for index, (company_index, product, stage, amount, close_date) in enumerate(DEAL_PLAN):
        owner = index % len(MEMBERS)
        ctx.act_as(owner)
        name, _, _, _, employees, _, source, _ = COMPANIES[company_index]
        people = [
            p
            for p in ctx.people
            if p.current("company")[0]["target_record_id"] == ctx.companies[company_index].id
        ]
        probability = PROBABILITY[stage]
        values: dict[str, Any] = {
            "name": f"{name} - {product}",
            "stage": stage,
            "owner": MEMBERS[owner][2] + "@demo-sales.example",
            "deal_value": amount,
            "close_date": close_date,
            "company": ctx.companies[company_index].id,
            "associated_people": [p.id for p in people[: 1 + index % 2]],
            "close_probability": probability,
            "market_segment": _segment(employees),
            "lead_source": source,
            "estimated_close_value": round(amount * probability),
            "next_step": NEXT_STEPS[stage],
        }
        if index % 3 == 0:
            values["competitive_threat"] = THREATS[index % len(THREATS)]
        ctx.deals.append(ctx.create("deals", f"{name} - {product}", values, 840))
        ctx.deal_stages.append(stage)


def _seed_workspaces_and_users(ctx: SeedContext) -> None:
    ctx.act_as(0)
    for workspace_id, name, company_index, users in WORKSPACES:
        workspace = ctx.create(
            "workspaces",
            workspace_id,
            {"workspace_id": workspace_id, "name": name, "company": ctx.companies[company_index].id},
            180,
        )
        for person_index, user_id in users:
            person = ctx.people[person_index]
            email = person.current("email_addresses")[0]["email_address"]
            ctx.create(
                "users",
                user_id,
                {
                    "user_id": user_id,
                    "primary_email_address": email,
                    "person": person.id,
                    "workspace": workspace.id,
                },
                60,
            )


def _seed_projects(ctx: SeedContext) -> None:
    for index, (
        name,
        status,
        budget,
        company_index,
        start,
        active,
        health,
        kickoff,
        phone,
        tags,
    ) in enumerate(PROJECTS):
        ctx.act_as(index)
        values = {
            "name": name,
            "status": status,
            "budget": budget,
            "company": ctx.companies[company_index].id,
            "start_date": start,
            "is_active": active,
            "health": health,
            "kickoff_at": kickoff,
            "contact_phone": phone,
            "tags": list(tags),
            "project_lead": {"workspace_member_email_address": MEMBERS[index % 4][2] + "@demo-sales.example"},
        }
        ctx.create("projects", name, values, 200)


NOTES = (
    (
        "deals",
        1,
        "Discovery call recap",
        "markdown",
        "# Discovery recap\n- Champion: **VP of Sales**\n- Budget approved for Q1\n- Next: security review",
    ),
    (
        "deals",
        7,
        "Pricing discussion",
        "plaintext",
        "Globex asked for a 3-year term with a 12% discount. Legal review scheduled.",
    ),
    (
        "companies",
        0,
        "Account overview",
        "plaintext",
        "Acme Inc is our largest manufacturing customer. Renewal due next September.",
    ),
    (
        "companies",
        13,
        "Why we disqualified Hooli",
        "plaintext",
        "Procurement requires an on-prem deployment we do not offer.",
    ),
    (
        "deals",
        9,
        "Proposal feedback",
        "markdown",
        "## Feedback\n1. Wants SSO included\n2. Asked for *quarterly* billing",
    ),
    ("people", 2, "Intro call", "plaintext", "Met at SaaStr. Interested in the analytics add-on."),
    ("deals", 16, "Negotiation notes", "plaintext", "Evergreen is comparing us with their incumbent vendor."),
    (
        "companies",
        17,
        "Kickoff notes",
        "markdown",
        "# Kickoff\nIntegration with their ledger system starts in November.",
    ),
    ("deals", 24, "Loss review", "plaintext", "Lost on price; Sterling chose a cheaper bundled offer."),
    ("people", 14, "Follow-up", "plaintext", "Sent the security whitepaper and SOC 2 report."),
    ("deals", 26, "Legal redlines", "plaintext", "Falcon legal returned redlines on liability caps."),
    (
        "companies",
        28,
        "Expansion opportunity",
        "plaintext",
        "Cobalt wants to add two more SOC teams next year.",
    ),
)

# (content, linked object or None, index of the linked record or None, assignee, due in days, done)
TASKS: tuple[tuple[str, str | None, int | None, int, float, bool], ...] = (
    ("Schedule discovery call with Brightwave", "deals", 2, 1, 2.0, False),
    ("Send revised proposal to TechNova", "deals", 3, 2, 1.0, False),
    ("Follow up on Globex pricing", "deals", 7, 3, 0.5, False),
    ("Prepare QBR deck for Acme Inc", "companies", 0, 0, 5.0, False),
    ("Confirm Evergreen legal contacts", "deals", 16, 1, 3.0, False),
    ("Book security review with Umbrella Health", "deals", 9, 2, 4.0, False),
    ("Qualify inbound lead from Vertex Tech Labs", "companies", 4, 3, 1.5, False),
    ("Send onboarding checklist to Helio Tech", "companies", 6, 0, -20.0, True),
    ("Update forecast for Falcon Aerospace", "deals", 26, 1, 2.5, False),
    ("Log loss reasons for Sterling Insurance", "deals", 24, 2, -10.0, True),
    ("Call Granite Payments about go-live", "companies", 37, 3, 0.8, False),
    ("Review Q4 pipeline with the team", None, None, 0, 6.0, False),
)


def _seed_notes_and_tasks(ctx: SeedContext) -> None:
    targets = {"deals": ctx.deals, "companies": ctx.companies, "people": ctx.people}
    for index, (parent, target, title, fmt, content) in enumerate(NOTES):
        ctx.act_as(index)
        ctx.tick(300)
        create_note(
            ctx.store,
            {
                "parent_object": parent,
                "parent_record_id": targets[parent][target].id,
                "title": title,
                "format": fmt,
                "content": content,
            },
        )
    for content, linked_object, linked_index, assignee, due_days, done in TASKS:
        ctx.act_as(assignee)
        ctx.tick(200)
        links = (
            []
            if linked_object is None or linked_index is None
            else [
                {
                    "target_object": linked_object,
                    "target_record_id": targets[linked_object][linked_index].id,
                }
            ]
        )
        create_task(
            ctx.store,
            {
                "content": content,
                "format": "plaintext",
                "deadline_at": ctx.stamp(due_days)[:13] + ":00:00Z",
                "is_completed": done,
                "linked_records": links,
                "assignees": [
                    {
                        "referenced_actor_type": "workspace-member",
                        "referenced_actor_id": ctx.member_ids[assignee],
                    }
                ],
            },
        )


def seed_workspace(store: Store, *, with_data: bool = True) -> None:
    """Populate an empty store with the demo workspace (schema and members; records etc. if ``with_data``)."""
    admin = stable_id("member", MEMBERS[0][2])
    store.init_workspace(WORKSPACE_NAME, WORKSPACE_SLUG, admin)
    seed_members(store)
    build_schema(store, {"type": "workspace-member", "id": admin})
    if with_data:
        ctx = SeedContext(store)
        store.seeding = True
        try:
            _seed_companies(ctx)
            _seed_people(ctx)
            _seed_deals(ctx)
            _seed_workspaces_and_users(ctx)
            _seed_projects(ctx)
            seed_lists(ctx)
            _seed_notes_and_tasks(ctx)
            seed_stage_histories(ctx)
            seed_activity(ctx)
        finally:
            store.seeding = False
            store.acting_as = None
        latest = ctx.cursor
        store.clock = Clock()
        store.clock.advance_past(format_ts(latest))
