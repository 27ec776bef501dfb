"""List entries of the demo workspace."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._ids import stable_id
from ._seed_data import COMPANIES
from ._seed_schema import MEMBERS, PRIORITIES
from ._store import Item
from ._writes import create_entry

if TYPE_CHECKING:
    from ._seed import SeedContext

__all__ = ["seed_lists"]

OPEN_STAGES = ("Lead", "Discovery", "Qualified", "Proposal Sent", "Negotiation")
FORECAST = {"Negotiation": "Commit", "Proposal Sent": "Best Case"}


def _add(ctx: SeedContext, list_slug: str, parent: str, record: Item, values: dict[str, Any]) -> None:
    ctx.tick(45)
    lst = ctx.store.schema.list(list_slug)
    create_entry(
        ctx.store,
        lst,
        {"parent_object": parent, "parent_record_id": record.id, "entry_values": values},
        entry_id=stable_id("entry", list_slug, record.id),
    )


def _company_lists(ctx: SeedContext) -> None:
    prospects = [i for i, c in enumerate(COMPANIES) if c[5] in ("Unqualified", "Contacted")][:14]
    for n, index in enumerate(prospects):
        ctx.act_as(n)
        status = COMPANIES[index][5]
        values: dict[str, Any] = {
            "stage": "New" if status == "Unqualified" else ("Contacted", "Meeting Booked")[n % 2],
            "priority": PRIORITIES[n % 3],
        }
        if n % 2 == 0:
            values["follow_up_date"] = ctx.stamp(7 + n)[:10]
        if n % 4 == 1:
            values["notes"] = "Asked for a case study from a similar customer."
        _add(ctx, "prospecting", "companies", ctx.companies[index], values)

    qualified = [i for i, c in enumerate(COMPANIES) if c[5] == "Qualified"]
    for n, index in enumerate(qualified):
        ctx.act_as(n)
        values = {"qualified_on": ctx.stamp(-n)[:10]}
        if n % 3 == 0:
            values["qualification_notes"] = "Budget, authority and timeline confirmed."
        _add(ctx, "qualified", "companies", ctx.companies[index], values)

    won = []
    for deal, stage in zip(ctx.deals, ctx.deal_stages, strict=True):
        company_id = deal.current("company")[0]["target_record_id"]
        if stage == "Closed Won" and company_id not in won:
            won.append(company_id)
    by_id = {c.id: c for c in ctx.companies}
    for n, company_id in enumerate(won):
        ctx.act_as(n)
        values = {
            "renewal_date": f"2027-{(n % 12) + 1:02d}-15",
            "health": (5, 4, 3, 4, 2, 5)[n % 6],
            "account_tier": ("Gold", "Silver", "Bronze")[n % 3],
        }
        _add(ctx, "customers", "companies", by_id[company_id], values)

    queue = [
        i
        for i, c in enumerate(ctx.companies)
        if c.current("enrichment_status")[0]["option"]["title"] in ("Pending", "In Progress")
    ]
    for n, index in enumerate(queue[:10]):
        ctx.act_as(n)
        _add(ctx, "enrichment_queue", "companies", ctx.companies[index], {"requested_at": ctx.stamp(-0.5)})

    targets = [i for i, c in enumerate(COMPANIES) if c[4] >= 2000]
    for n, index in enumerate(targets):
        ctx.act_as(n)
        values = {
            "priority": PRIORITIES[n % 2],
            "account_owner": MEMBERS[n % len(MEMBERS)][2] + "@demo-sales.example",
        }
        _add(ctx, "target_accounts", "companies", ctx.companies[index], values)


def _deal_lists(ctx: SeedContext) -> None:
    for n, (deal, stage) in enumerate(zip(ctx.deals, ctx.deal_stages, strict=True)):
        ctx.act_as(n)
        close_date = deal.current("close_date")[0]["value"]
        if stage in OPEN_STAGES:
            values: dict[str, Any] = {
                "priority": PRIORITIES[n % 3],
                "forecast_category": FORECAST.get(stage, "Pipeline"),
            }
            if n % 2 == 1:
                values["follow_up_date"] = ctx.stamp(3 + n % 10)[:10]
            _add(ctx, "active_deals", "deals", deal, values)
        if "2026-10-01" <= close_date <= "2026-12-31":
            entry: dict[str, Any] = {"committed": stage in ("Negotiation", "Closed Won")}
            if stage == "Negotiation":
                entry["notes"] = "Verbal commit from champion."
            _add(ctx, "q4_pipeline", "deals", deal, entry)
        if stage == "Discovery":
            _add(ctx, "discovery_stage", "deals", deal, {"discovery_call_at": ctx.stamp(2 + n % 5)})
        if stage == "Proposal Sent":
            _add(
                ctx,
                "proposal_stage",
                "deals",
                deal,
                {"proposal_sent_on": ctx.stamp(-3)[:10], "follow_up_date": ctx.stamp(4)[:10]},
            )


def seed_lists(ctx: SeedContext) -> None:
    """Add entries to every demo list."""
    _company_lists(ctx)
    _deal_lists(ctx)
