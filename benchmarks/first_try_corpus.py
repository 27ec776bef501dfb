"""The first-try corpus: tool calls a model plausibly makes from ``tools/list`` alone, against the demo workspace.

Each case is one call as a model would write it on its first try, with what a correct answer looks like
(``check``, over the result's ``structuredContent``), and, for when it fails, the call a model would make
after reading the error (``retry``) plus the words that error must contain for that retry to follow from it
alone (``needs``). Placeholders in braces are filled from the seeded workspace before each case
(``{acme}``: Acme Inc's id, ``{deal}``: one of Acme's deals, ``{task}``, ``{entry}``: an active_deals entry,
``{person}``, ``{pied}``: Pied Piper's id). The mistakes come from the issue (#15) and from what models
write for CRMs: symbols and words for operators, titles in another case, references by name, CRM object
names, dates in words, slug variants.

Written to be run against both the current tree and older commits: only plain data and predicates here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

Check = Callable[[dict[str, Any], dict[str, str]], bool]


@dataclass(frozen=True)
class Case:
    id: str
    family: str  # filters, sorts, objects, writes, lists, tasks, notes, schema
    tool: str
    args: dict[str, Any]
    check: Check | None = None
    retry: dict[str, Any] | None = None
    needs: tuple[str, ...] = ()
    mistake: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def records(out: dict[str, Any]) -> list[dict[str, Any]]:
    return out.get("records") or []


def every(pred: Callable[[dict[str, Any]], bool]) -> Check:
    """Some records came back and every one satisfies ``pred``."""
    return lambda out, _: bool(records(out)) and all(pred(r) for r in records(out))


def entries_where(pred: Callable[[dict[str, Any]], bool]) -> Check:
    return lambda out, _: bool(out.get("entries")) and all(pred(e) for e in out["entries"])


def today() -> str:
    return datetime.now(UTC).date().isoformat()


def days(n: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=n)).isoformat()


def ordered(key: str, *, desc: bool) -> Check:
    def check(out: dict[str, Any], _: dict[str, str]) -> bool:
        values = [r[key] for r in records(out) if key in r]
        return len(values) >= 2 and values == sorted(values, reverse=desc)

    return check


MARCUS = "marcus.reed@demo-sales.example"
MARCUS_ID = "691af20a-3e42-59d7-a61e-aa603910ad01"
OPEN = ("Lead", "Discovery", "Qualified", "Proposal Sent", "Negotiation")

CASES: list[Case] = [
    # -- filters ------------------------------------------------------------------------------------------
    Case(
        "filter-in-on-select", "filters", "records_search",
        {"resource_type": "companies", "filter": {"industry": {"$in": ["Technology", "Finance"]}}, "limit": 50},
        every(lambda r: r.get("industry") in ("Technology", "Finance")),
        retry={"resource_type": "companies", "limit": 50,
               "filter": {"$or": [{"industry": "Technology"}, {"industry": "Finance"}]}},
        needs=("$in",), mistake="$in on a select (Attio: $or of $eq)",
    ),
    Case(
        "filter-symbol-gt", "filters", "records_search",
        {"resource_type": "deals", "filter": {"deal_value": {">": 50000}}, "limit": 50},
        every(lambda r: r.get("deal_value", 0) > 50000),
        retry={"resource_type": "deals", "filter": {"deal_value": {"$gt": 50000}}, "limit": 50},
        needs=("$gt",), mistake="comparison as a symbol",
    ),
    Case(
        "filter-word-gte", "filters", "records_search",
        {"resource_type": "deals", "filter": {"deal_value": {"gte": 100000}}, "limit": 50},
        every(lambda r: r.get("deal_value", 0) >= 100000),
        retry={"resource_type": "deals", "filter": {"deal_value": {"$gte": 100000}}, "limit": 50},
        needs=("$gte",), mistake="operator as a word without $",
    ),
    Case(
        "filter-status-case", "filters", "records_search",
        {"resource_type": "deals", "filter": {"stage": "discovery"}, "limit": 50},
        every(lambda r: r.get("stage") == "Discovery"),
        retry={"resource_type": "deals", "filter": {"stage": "Discovery"}, "limit": 50},
        needs=("Discovery",), mistake="status title in another case",
    ),
    Case(
        "filter-ne-status", "filters", "records_search",
        {"resource_type": "deals", "filter": {"stage": {"$ne": "Closed Lost"}}, "limit": 50},
        every(lambda r: r.get("stage") != "Closed Lost"),
        retry={"resource_type": "deals", "filter": {"$not": {"stage": "Closed Lost"}}, "limit": 50},
        needs=("$not",), mistake="$ne (Attio has none: $not)",
    ),
    Case(
        "filter-nin-open-deals", "filters", "records_search",
        {"resource_type": "deals", "filter": {"stage": {"$nin": ["Closed Won", "Closed Lost"]}}, "limit": 50},
        every(lambda r: r.get("stage") in OPEN),
        retry={"resource_type": "deals", "limit": 50,
               "filter": {"$not": {"$or": [{"stage": "Closed Won"}, {"stage": "Closed Lost"}]}}},
        needs=("$not", "$or"), mistake="$nin on a status",
    ),
    Case(
        "filter-nested-reference", "filters", "records_search",
        {"resource_type": "deals", "filter": {"company": {"name": {"$eq": "Acme Inc"}}}, "limit": 50},
        lambda out, ids: bool(records(out)) and all(r.get("company") == ids["acme"] for r in records(out)),
        retry={"resource_type": "deals", "limit": 50,
               "filter": {"path": [["deals", "company"], ["companies", "name"]], "constraints": {"$eq": "Acme Inc"}}},
        needs=("path",), mistake="reference followed in the natural shape",
    ),
    Case(
        "filter-dotted-reference", "filters", "records_search",
        {"resource_type": "people", "filter": {"company.name": "Acme Inc"}, "limit": 50},
        lambda out, ids: bool(records(out)) and all(r.get("company") == ids["acme"] for r in records(out)),
        retry={"resource_type": "people", "limit": 50,
               "filter": {"path": [["people", "company"], ["companies", "name"]], "constraints": {"$eq": "Acme Inc"}}},
        needs=("path",), mistake="dotted reference",
    ),
    Case(
        "filter-reference-by-name", "filters", "records_search",
        {"resource_type": "deals", "filter": {"company": "Acme Inc"}, "limit": 50},
        lambda out, ids: bool(records(out)) and all(r.get("company") == ids["acme"] for r in records(out)),
        retry={"resource_type": "deals", "limit": 50,
               "filter": {"company": {"target_object": "companies", "target_record_id": "{acme}"}}},
        needs=("record id",), mistake="reference by name in a filter",
    ),
    Case(
        "filter-date-on-timestamp", "filters", "records_search",
        {"resource_type": "deals", "filter": {"created_at": {"$gte": "2026-09-01"}}, "limit": 50},
        every(lambda r: r["created_at"] >= "2026-09-01"),
        retry={"resource_type": "deals", "filter": {"created_at": {"$gte": "2026-09-01T00:00:00.000Z"}}, "limit": 50},
        needs=("time",), mistake="date-only bound on a timestamp",
    ),
    Case(
        "filter-date-words", "filters", "records_search",
        {"resource_type": "deals", "filter": {"close_date": {"$lt": "today"}}, "limit": 50},
        every(lambda r: r.get("close_date", "9999") < today()),
        retry={"resource_type": "deals", "filter": {"close_date": {"$lt": today()}}, "limit": 50},
        needs=("today is",), mistake="date in words in a filter",
    ),
    Case(
        "filter-between", "filters", "records_search",
        {"resource_type": "deals", "filter": {"deal_value": {"$between": [20000, 60000]}}, "limit": 50},
        every(lambda r: 20000 <= r.get("deal_value", -1) <= 60000),
        retry={"resource_type": "deals", "limit": 50, "filter": {"deal_value": {"$gte": 20000, "$lte": 60000}}},
        needs=("$gte",), mistake="between",
    ),
    Case(
        "filter-or-without-dollar", "filters", "records_search",
        {"resource_type": "deals", "filter": {"or": [{"stage": "Lead"}, {"stage": "Discovery"}]}, "limit": 50},
        every(lambda r: r.get("stage") in ("Lead", "Discovery")),
        retry={"resource_type": "deals", "filter": {"$or": [{"stage": "Lead"}, {"stage": "Discovery"}]}, "limit": 50},
        needs=("$or",), mistake="logical operator without $",
    ),
    Case(
        "filter-owner-by-email", "filters", "records_search",
        {"resource_type": "deals", "filter": {"owner": MARCUS}, "limit": 50},
        every(lambda r: r.get("owner") == MARCUS_ID),
        retry={"resource_type": "deals", "limit": 50,
               "filter": {"owner": {"referenced_actor_type": "workspace-member", "referenced_actor_id": MARCUS_ID}}},
        needs=("referenced_actor_type",), mistake="member by email",
    ),
    Case(
        "filter-location-city", "filters", "records_search",
        {"resource_type": "companies", "filter": {"primary_location": {"city": "Seattle"}}, "limit": 50},
        every(lambda r: "Seattle" in r.get("primary_location", "")),
        retry={"resource_type": "companies", "filter": {"primary_location": {"locality": "Seattle"}}, "limit": 50},
        needs=("locality",), mistake="city for locality",
    ),
    Case(
        "filter-email-slug-variant", "filters", "records_search",
        {"resource_type": "people", "filter": {"email": {"$ends_with": "@acme.com"}}, "limit": 50},
        every(lambda r: all(e.endswith("@acme.com") for e in r.get("email_addresses", ["x"]))),
        retry={"resource_type": "people", "filter": {"email_addresses": {"$ends_with": "@acme.com"}}, "limit": 50},
        needs=("email_addresses",), mistake="email for email_addresses",
    ),
    Case(
        "filter-not-empty-currency", "filters", "records_search",
        {"resource_type": "projects", "filter": {"budget": {"$not_empty": True}}, "limit": 50},
        every(lambda r: "budget" in r),
        retry={"resource_type": "projects", "limit": 50,
               "filter": {"$or": [{"budget": {"$gte": 0}}, {"budget": {"$lt": 0}}]}},
        needs=("budget",), mistake="$not_empty where Attio has none",
    ),
    Case(
        "filter-list-on-multiselect", "filters", "records_search",
        {"resource_type": "companies", "filter": {"categories": ["SaaS", "AI"]}, "limit": 50},
        None,
        retry={"resource_type": "companies", "filter": {"categories": {"$in": ["SaaS", "AI"]}}, "limit": 50},
        needs=("$in",), mistake="a list on a multi-select (any or all?)",
        extra={"check_retry": every(lambda r: bool({"SaaS", "AI"} & set(r.get("categories", []))))},
    ),
    Case(
        "filter-typo-slug", "filters", "records_search",
        {"resource_type": "deals", "filter": {"stgae": "Lead"}, "limit": 50},
        None,
        retry={"resource_type": "deals", "filter": {"stage": "Lead"}, "limit": 50},
        needs=("stage",), mistake="misspelt slug",
        extra={"check_retry": every(lambda r: r.get("stage") == "Lead")},
    ),
    Case(
        "filter-unknown-status", "filters", "records_search",
        {"resource_type": "deals", "filter": {"stage": "Won"}, "limit": 50},
        None,
        retry={"resource_type": "deals", "filter": {"stage": "Closed Won"}, "limit": 50},
        needs=("Closed Won",), mistake="a status that does not exist",
        extra={"check_retry": every(lambda r: r.get("stage") == "Closed Won")},
    ),
    # -- sorts --------------------------------------------------------------------------------------------
    Case(
        "sort-descending-word", "sorts", "records_search",
        {"resource_type": "deals", "sorts": [{"attribute": "deal_value", "direction": "descending"}],
         "fields": ["deal_value"], "limit": 10},
        ordered("deal_value", desc=True),
        retry={"resource_type": "deals", "sorts": [{"attribute": "deal_value", "direction": "desc"}],
               "fields": ["deal_value"], "limit": 10},
        needs=("desc",), mistake="direction as a word",
    ),
    Case(
        "sort-shorthand", "sorts", "records_search",
        {"resource_type": "deals", "sorts": [{"deal_value": "desc"}], "fields": ["deal_value"], "limit": 10},
        ordered("deal_value", desc=True),
        retry={"resource_type": "deals", "sorts": [{"attribute": "deal_value", "direction": "desc"}],
               "fields": ["deal_value"], "limit": 10},
        needs=("attribute",), mistake="{slug: direction}",
    ),
    Case(
        "sort-field-order", "sorts", "records_search",
        {"resource_type": "deals", "sorts": [{"field": "close_date", "order": "asc"}], "fields": ["close_date"],
         "limit": 10},
        ordered("close_date", desc=False),
        retry={"resource_type": "deals", "sorts": [{"attribute": "close_date", "direction": "asc"}],
               "fields": ["close_date"], "limit": 10},
        needs=("attribute",), mistake="field/order for attribute/direction",
    ),
    Case(
        "sort-through-reference", "sorts", "records_search",
        {"resource_type": "deals", "sorts": [{"attribute": "company.name", "direction": "asc"}], "limit": 5},
        lambda out, _: len(records(out)) == 5,
        retry={"resource_type": "deals", "sorts": [{"path": [["deals", "company"], ["companies", "name"]],
                                                     "direction": "asc"}], "limit": 5},
        needs=("path",), mistake="sort by a referenced record's attribute",
    ),
    # -- objects ------------------------------------------------------------------------------------------
    Case(
        "object-accounts", "objects", "records_search",
        {"resource_type": "accounts", "query": "Acme"},
        lambda out, ids: ids["acme"] in [r["id"] for r in records(out)],
        retry={"resource_type": "companies", "query": "Acme"},
        needs=("companies",), mistake="CRM name for companies",
    ),
    Case(
        "object-contacts", "objects", "records_search",
        {"resource_type": "contacts", "filter": {"job_title": "CEO"}, "limit": 5},
        every(lambda r: r.get("job_title") == "CEO"),
        retry={"resource_type": "people", "filter": {"job_title": "CEO"}, "limit": 5},
        needs=("people",), mistake="CRM name for people",
    ),
    Case(
        "object-opportunities", "objects", "records_search",
        {"resource_type": "opportunities", "filter": {"stage": "Negotiation"}, "limit": 50},
        every(lambda r: r.get("stage") == "Negotiation"),
        retry={"resource_type": "deals", "filter": {"stage": "Negotiation"}, "limit": 50},
        needs=("deals",), mistake="CRM name for deals",
    ),
    Case(
        "object-unknown-leads", "objects", "records_search",
        {"resource_type": "leads", "limit": 5},
        None,
        retry={"resource_type": "people", "limit": 5},
        needs=("people",), mistake="an object the workspace does not have",
        extra={"check_retry": lambda out, _: len(records(out)) == 5},
    ),
    # -- writes -------------------------------------------------------------------------------------------
    Case(
        "create-deal-as-written", "writes", "records_create",
        {"resource_type": "deals", "data": {"name": "Q4 Enterprise Deal - Acme Inc", "stage": "discovery",
                                            "company": "Acme Inc", "deal_value": "$50,000",
                                            "close_date": "2026-12-31"}},
        lambda out, ids: out.get("company") == ids["acme"] and out.get("stage") == "Discovery"
        and out.get("deal_value") == 50000,
        retry={"resource_type": "deals", "data": {"name": "Q4 Enterprise Deal - Acme Inc", "stage": "Discovery",
                                                  "company": "{acme}", "deal_value": 50000,
                                                  "close_date": "2026-12-31"}},
        needs=("company",), mistake="company by name, status in lower case, amount as a string",
    ),
    Case(
        "create-deal-value-and-title", "writes", "records_create",
        {"resource_type": "deals", "data": {"name": "Expansion", "stage": "Lead", "value": 42000,
                                            "Close date": "2027-01-15", "company": "{acme}"}},
        lambda out, _: out.get("deal_value") == 42000 and out.get("close_date") == "2027-01-15",
        retry={"resource_type": "deals", "data": {"name": "Expansion", "stage": "Lead", "deal_value": 42000,
                                                  "close_date": "2027-01-15", "company": "{acme}"}},
        needs=("deal_value",), mistake="Attio's standard slug value; a title as key",
    ),
    Case(
        "create-amount-50k", "writes", "records_create",
        {"resource_type": "deals", "data": {"name": "Pilot", "stage": "Lead", "amount": "50k"}},
        lambda out, _: out.get("deal_value") == 50000,
        retry={"resource_type": "deals", "data": {"name": "Pilot", "stage": "Lead", "deal_value": 50000}},
        needs=("deal_value",), mistake="amount for deal_value, 50k",
    ),
    Case(
        "create-company-singular-and-case", "writes", "records_create",
        {"resource_type": "companies", "data": {"name": "Newco", "domain": "newco.example",
                                                "industry": "technology"}},
        lambda out, _: out.get("domains") == ["newco.example"] and out.get("industry") == "Technology",
        retry={"resource_type": "companies", "data": {"name": "Newco", "domains": ["newco.example"],
                                                      "industry": "Technology"}},
        needs=("domains",), mistake="singular slug, option in lower case",
    ),
    Case(
        "create-person-email-and-company-domain", "writes", "records_create",
        {"resource_type": "people", "data": {"name": "Ada Lovelace", "email": "ada@analytical.example",
                                             "company": "acme.com"}},
        lambda out, ids: out.get("email_addresses") == ["ada@analytical.example"] and out.get("company") == ids["acme"],
        retry={"resource_type": "people", "data": {"name": "Ada Lovelace",
                                                   "email_addresses": ["ada@analytical.example"],
                                                   "company": "acme.com"}},
        needs=("email_addresses",), mistake="email for email_addresses",
    ),
    Case(
        "update-stage-lowercase", "writes", "records_update",
        {"resource_type": "deals", "record_id": "{deal}", "data": {"stage": "proposal sent", "close_probability": 0.65}},
        lambda out, _: out.get("stage") == "Proposal Sent" and out.get("close_probability") == 0.65,
        retry={"resource_type": "deals", "record_id": "{deal}",
               "data": {"stage": "Proposal Sent", "close_probability": 0.65}},
        needs=("Proposal Sent",), mistake="status in lower case",
    ),
    Case(
        "update-close-date-words", "writes", "records_update",
        {"resource_type": "deals", "record_id": "{deal}", "data": {"close_date": "in 30 days"}},
        lambda out, _: out.get("close_date") == days(30),
        retry={"resource_type": "deals", "record_id": "{deal}", "data": {"close_date": days(30)}},
        needs=("today is",), mistake="date in words",
    ),
    Case(
        "update-owner-by-name", "writes", "records_update",
        {"resource_type": "deals", "record_id": "{deal}", "data": {"owner": "Marcus Reed"}},
        lambda out, _: out.get("owner") == MARCUS_ID,
        retry={"resource_type": "deals", "record_id": "{deal}", "data": {"owner": MARCUS}},
        needs=(MARCUS,), mistake="member by name",
    ),
    Case(
        "upsert-match-singular", "writes", "records_upsert",
        {"resource_type": "companies", "matching_attribute": "domain",
         "data": {"name": "Acme Inc", "domains": ["acme.com"], "lead_score": 90}},
        lambda out, ids: out.get("id") == ids["acme"] and out.get("lead_score") == 90,
        retry={"resource_type": "companies", "matching_attribute": "domains",
               "data": {"name": "Acme Inc", "domains": ["acme.com"], "lead_score": 90}},
        needs=("domains",), mistake="singular matching attribute",
    ),
    Case(
        "create-wrong-currency", "writes", "records_create",
        {"resource_type": "deals", "data": {"name": "Euro deal", "stage": "Lead", "deal_value": "€50,000"}},
        None,
        retry={"resource_type": "deals", "data": {"name": "Euro deal", "stage": "Lead", "deal_value": 50000}},
        needs=("USD",), mistake="an amount in another currency (refused: it cannot be converted)",
        extra={"check_retry": lambda out, _: out.get("deal_value") == 50000},
    ),
    # -- lists --------------------------------------------------------------------------------------------
    Case(
        "list-filter-option-case", "lists", "list_entries_filter",
        {"list_id": "active_deals", "filter": {"priority": "high"}},
        entries_where(lambda e: e.get("priority") == "High"),
        retry={"list_id": "active_deals", "filter": {"priority": "High"}},
        needs=("High",), mistake="option title in lower case",
    ),
    Case(
        "list-filter-parent-status", "lists", "list_entries_filter",
        {"list_id": "active_deals", "attribute": "stage", "value": "discovery", "fields": ["stage"]},
        entries_where(lambda e: e["record"].get("stage") == "Discovery"),
        retry={"list_id": "active_deals", "attribute": "stage", "value": "Discovery", "fields": ["stage"]},
        needs=("Discovery",), mistake="parent status in lower case",
    ),
    Case(
        "list-filter-parent-in", "lists", "list_entries_filter",
        {"list_id": "prospecting", "filter": {"industry": {"$in": ["Technology", "Finance"]}}, "fields": ["industry"]},
        entries_where(lambda e: e["record"].get("industry") in ("Technology", "Finance")),
        retry={"list_id": "prospecting", "attribute": "industry", "filter_type": "in",
               "value": ["Technology", "Finance"], "fields": ["industry"]},
        needs=("industry",), mistake="$in on a parent record's select",
    ),
    Case(
        "list-filter-date-words", "lists", "list_entries_filter",
        {"list_id": "active_deals", "filter": {"follow_up_date": {"$lte": "next week"}}},
        entries_where(lambda e: e.get("follow_up_date", "9999") <= days(7)),
        retry={"list_id": "active_deals", "filter": {"follow_up_date": {"$lte": days(7)}}},
        needs=("today is",), mistake="date in words on a list",
    ),
    Case(
        "list-add-by-list-name", "lists", "list_entries_add",
        {"list_id": "Active Deals", "record_id": "{deal}"},
        lambda out, ids: out.get("record_id") == ids["deal"],
        retry={"list_id": "active_deals", "record_id": "{deal}"},
        needs=("active_deals",), mistake="list by its name",
    ),
    Case(
        "list-add-record-by-name", "lists", "list_entries_add",
        {"list_id": "target_accounts", "record_id": "Pied Piper", "attributes": {"priority": "high"}},
        lambda out, ids: out.get("record_id") == ids["pied"] and out.get("priority") == "High",
        retry={"list_id": "target_accounts", "record_id": "{pied}", "attributes": {"priority": "High"}},
        needs=("record_id",), mistake="record by name, option in lower case",
    ),
    Case(
        "list-update-title-key", "lists", "list_entries_update",
        {"list_id": "active_deals", "entry_id": "{entry}", "attributes": {"Priority": "low", "Follow-up date": "tomorrow"}},
        lambda out, _: out.get("priority") == "Low" and out.get("follow_up_date") == days(1),
        retry={"list_id": "active_deals", "entry_id": "{entry}",
               "attributes": {"priority": "Low", "follow_up_date": days(1)}},
        needs=("today is",), mistake="titles as keys, date in words",
    ),
    # -- tasks --------------------------------------------------------------------------------------------
    Case(
        "task-tomorrow-assignee-name", "tasks", "tasks_create",
        {"content": "Schedule discovery call", "title": "Discovery Call", "due_at": "tomorrow",
         "assignees": ["Marcus Reed"], "linked_records": [{"target_object": "deals", "target_record_id": "{deal}"}]},
        lambda out, _: out.get("due_at", "").startswith(days(1)) and out.get("assignees") == [MARCUS],
        retry={"content": "Schedule discovery call", "title": "Discovery Call", "due_at": days(1),
               "assignees": [MARCUS], "linked_records": [{"target_object": "deals", "target_record_id": "{deal}"}]},
        needs=("today is",), mistake="due date in words, assignee by name",
    ),
    Case(
        "task-link-by-name", "tasks", "tasks_create",
        {"content": "Follow up on proposal", "due_at": "in 3 days",
         "linked_records": [{"object": "companies", "record_id": "Acme Inc"}]},
        lambda out, ids: out.get("due_at", "").startswith(days(3))
        and out.get("linked_records") == [{"object": "companies", "record_id": ids["acme"]}],
        retry={"content": "Follow up on proposal", "due_at": days(3),
               "linked_records": [{"target_object": "companies", "target_record_id": "{acme}"}]},
        needs=("today is",), mistake="linked record by name, date in words",
    ),
    Case(
        "task-due-with-time", "tasks", "tasks_create",
        {"content": "Call back", "due_at": "tomorrow at 3pm"},
        lambda out, _: out.get("due_at", "").startswith(f"{days(1)}T15:00"),
        retry={"content": "Call back", "due_at": f"{days(1)}T15:00:00Z"},
        needs=("today is",), mistake="date and time in words",
    ),
    Case(
        "tasks-list-by-account", "tasks", "tasks_list",
        {"linked_object": "accounts", "linked_record_id": "{acme}"},
        lambda out, ids: all(any(link["record_id"] == ids["acme"] for link in t.get("linked_records", []))
                             for t in out.get("tasks", [])),
        retry={"linked_object": "companies", "linked_record_id": "{acme}"},
        needs=("companies",), mistake="CRM object name",
    ),
    Case(
        "tasks-list-assignee-email", "tasks", "tasks_list",
        {"assignee": MARCUS, "is_completed": False},
        lambda out, _: bool(out.get("tasks")) and all(MARCUS in t.get("assignees", []) for t in out["tasks"]),
        mistake="the usual call (control)",
    ),
    Case(
        "task-update-due-weekday", "tasks", "tasks_update",
        {"task_id": "{task}", "due_at": "friday", "is_completed": False},
        lambda out, _: bool(out.get("due_at")) and datetime.fromisoformat(out["due_at"].replace("Z", "+00:00")).weekday() == 4,
        retry={"task_id": "{task}", "due_at": "{friday}", "is_completed": False},
        needs=("today is",), mistake="weekday name",
    ),
    # -- notes --------------------------------------------------------------------------------------------
    Case(
        "note-on-account-by-name", "notes", "notes_create",
        {"parent_object": "accounts", "parent_record_id": "Acme Inc", "title": "QBR", "content": "Renewal looks good."},
        lambda out, ids: out.get("parent_record_id") == ids["acme"],
        retry={"parent_object": "companies", "parent_record_id": "{acme}", "title": "QBR",
               "content": "Renewal looks good."},
        needs=("companies",), mistake="CRM object name and record by name",
    ),
    Case(
        "note-singular-object", "notes", "notes_create",
        {"parent_object": "deal", "parent_record_id": "{deal}", "title": "Opportunity Context",
         "content": "# Context\n- Budget confirmed: $50k", "format": "markdown"},
        lambda out, ids: out.get("parent_record_id") == ids["deal"],
        mistake="singular object noun (control)",
    ),
    Case(
        "notes-list-of-contact", "notes", "notes_list",
        {"parent_object": "contact", "parent_record_id": "{person}"},
        lambda out, _: "notes" in out,
        retry={"parent_object": "people", "parent_record_id": "{person}"},
        needs=("people",), mistake="CRM object name",
    ),
    # -- schema -------------------------------------------------------------------------------------------
    Case(
        "options-by-type-word", "schema", "attribute_options",
        {"resource_type": "deals", "attribute": "status"},
        lambda out, _: "Closed Won" in out.get("options", []),
        retry={"resource_type": "deals", "attribute": "stage"},
        needs=("stage",), mistake="status for the deal stage",
    ),
    Case(
        "options-by-title", "schema", "attribute_options",
        {"resource_type": "companies", "attribute": "Lead status"},
        lambda out, _: "Qualified" in out.get("options", []),
        retry={"resource_type": "companies", "attribute": "lead_status"},
        needs=("lead_status",), mistake="display name (control)",
    ),
    Case(
        "attributes-of-opportunities", "schema", "attributes_list",
        {"resource_type": "opportunities"},
        lambda out, _: out.get("object") == "deals",
        retry={"resource_type": "deals"},
        needs=("deals",), mistake="CRM object name",
    ),
]  # fmt: skip
