"""One MCP prompt per workflow of the integration patterns: which resources to read, which tools in order.

Prompt arguments are strings (MCP prompts take string arguments); values are put into the text as JSON
strings so a quote in a company name cannot break the example payloads.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable, Collection
from typing import Annotated, Any

from pydantic import Field

from attio_mcp.skills._links import MCP_LINKS

__all__ = ["PROMPTS", "prompt_tools", "register_prompts"]

_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")  # str.isdigit() also accepts "²" and "٥", which are not JSON


def _q(value: str) -> str:
    """A JSON string literal that also cannot end the inline-code span it is placed in."""
    return json.dumps(value, ensure_ascii=False).replace("`", "\\u0060")


def _finish(text: str) -> str:
    return MCP_LINKS.expand(text.strip()) + "\n"


def deal_pipeline(
    deal_name: Annotated[str, Field(description="Name of the deal to create or progress")],
    company_name: Annotated[str, Field(description="Company the deal is with")],
    stage: Annotated[str, Field(description="Stage title to set (default: the first stage)")] = "",
    deal_value: Annotated[str, Field(description="Deal value in the deal currency, e.g. 50000")] = "",
) -> str:
    """Create a deal for a company, list it, and set up the follow-up task and context note."""
    stage_text = _q(stage) if stage else '"<first stage title from the deals file>"'
    value = f',"deal_value":{deal_value}' if _NUMBER.fullmatch(deal_value) else ""
    return _finish(f"""
Run the deal pipeline in Attio for the deal {_q(deal_name)} with the company {_q(company_name)}.

1. Read [[deals-attributes]] (deal slugs, stage titles, required attributes) and [[schema]] (list IDs, members).
2. `records_search {{"resource_type":"companies","query":{_q(company_name)}}}`. If no company matches, ask for
   its domain and create it with `records_upsert {{"resource_type":"companies","matching_attribute":"domains","data":{{"name":{_q(company_name)},"domains":["<domain>"]}}}}`.
3. `records_search {{"resource_type":"deals","query":{_q(deal_name)}}}`. Deals have no unique attribute: if the deal
   exists, update it with records_update instead of creating a duplicate.
4. `records_create {{"resource_type":"deals","data":{{"name":{_q(deal_name)},"stage":{stage_text},"company":"<company id>"{value}}}}}`
   (use the slugs from the deals file if they differ).
5. `list_entries_add {{"list_id":"<active deals list id>","record_id":"<deal id>","resource_type":"deals"}}` if the
   workspace has such a list.
6. `tasks_create {{"content":"Schedule discovery call","linked_records":[{{"target_object":"deals","target_record_id":"<deal id>"}}],"assignees":["<member email>"]}}`
7. `notes_create {{"parent_object":"deals","parent_record_id":"<deal id>","title":"Opportunity context","content":"<what you know>"}}`
8. Report the deal id and web_url. Full pattern and pitfalls: [[patterns]] (section 1).
""")


def list_organization(
    resource_type: Annotated[
        str, Field(description="Object whose records to organise, e.g. companies")
    ] = "companies",
    list_name: Annotated[str, Field(description="List to work on (name, slug or ID); empty: choose")] = "",
) -> str:
    """Organise records with lists: find lists, add records, filter and update entries."""
    target = _q(list_name) if list_name else '"<list id or slug>"'
    return _finish(f"""
Organise {_q(resource_type)} records with Attio lists{f" (list {_q(list_name)})" if list_name else ""}.

1. `lists_get_all` (or [[schema]]) for lists, their IDs and parent objects; use only lists whose parent
   object is {_q(resource_type)}. Entry attributes and options are in [[lists]].
2. `lists_get {{"list_id":{target}}}` for that list's entry attributes.
3. Add records: `list_entries_add {{"list_id":{target},"record_id":"<record id>"}}` (find ids with records_search).
   A record may be in several lists; an existing membership comes back with already_in_list.
4. Segment: `list_entries_filter {{"list_id":{target},"attribute":"<slug>","filter_type":"equals","value":"<value>"}}`;
   page everything with `list_entries_get {{"list_id":{target},"limit":100}}` and next_offset.
5. Entry attributes: `list_entries_update {{"list_id":{target},"entry_id":"<entry id>","attributes":{{"<entry slug>":"<value>"}}}}`.
   Record attributes are changed with records_update instead.
Full pattern: [[patterns]] (section 2).
""")


def lead_qualification(
    company_name: Annotated[str, Field(description="Company name from the lead")],
    domain: Annotated[str, Field(description="Company website domain, e.g. acme.com")] = "",
    source: Annotated[str, Field(description="Lead source option title, e.g. Inbound Form")] = "",
) -> str:
    """Qualify an inbound lead: find or create the company, score it, list it, assign a task, note it."""
    key = _q(domain) if domain else '"<domain>"'
    extra = f',"source":{_q(source)}' if source else ""
    return _finish(f"""
Qualify the inbound lead {_q(company_name)}{f" ({domain})" if domain else ""} in Attio.

1. Read [[companies-attributes]] for lead slugs and option titles (status, source, industry) and [[schema]]
   for list IDs and members.
2. `records_search {{"resource_type":"companies","query":{key if domain else _q(company_name)}}}`.
3. Create or update it in one call: `records_upsert {{"resource_type":"companies","matching_attribute":"domains","data":{{"name":{_q(company_name)},"domains":[{key}]{extra}}}}}`.
4. `records_update {{"resource_type":"companies","record_id":"<company id>","data":{{"<qualification slug>":"<value>"}}}}`
   with what you learn (employee count, industry, score, status).
5. `list_entries_add {{"list_id":"<prospecting list id>","record_id":"<company id>"}}`.
6. `tasks_create {{"content":"Qualification call","linked_records":[{{"target_object":"companies","target_record_id":"<company id>"}}],"assignees":["<member email>"]}}`
7. `notes_create {{"parent_object":"companies","parent_record_id":"<company id>","title":"Lead qualification","content":"<source, score, reasoning>"}}`
Full pattern: [[patterns]] (section 3).
""")


def bulk_import(
    resource_type: Annotated[str, Field(description="Object to import into, e.g. companies")],
    matching_attribute: Annotated[
        str, Field(description="Unique attribute to upsert on (default: the object's)")
    ] = "",
) -> str:
    """Import many rows safely: validate all with a dry run, then one upsert per row."""
    match = f',"matching_attribute":{_q(matching_attribute)}' if matching_attribute else ""
    return _finish(f"""
Import rows into Attio {_q(resource_type)} records.

1. Read `{MCP_LINKS.object(resource_type)}`: map every source column to a slug, check types and option
   titles, note required attributes and the unique attribute (upsert key).
2. Build rows as objects of slug -> value, then validate all of them without writing:
   `records_import {{"resource_type":{_q(resource_type)},"rows":[{{"<slug>":"<value>"}}]{match},"dry_run":true}}`.
3. Fix or drop the rows it reports (row index, field, reason).
4. Import: `records_import {{"resource_type":{_q(resource_type)},"rows":[{{"<slug>":"<value>"}}]{match}}}`. It upserts one row per
   request under Attio's rate limit and reports created, updated and failed rows; re-running is safe.
   Without a unique attribute use "mode":"create" only for rows known to be new.
5. Report the counts and every failed row with its reason.
Do not loop records_create instead. Full pattern: [[patterns]] (section 4).
""")


def deal_stage_automation(
    stage: Annotated[str, Field(description="Current stage title of the deals to review")],
    next_stage: Annotated[str, Field(description="Stage title to move eligible deals to")] = "",
    rule: Annotated[str, Field(description="When a deal may advance, e.g. updated within 7 days")] = "",
) -> str:
    """Review the deals in one stage and advance the eligible ones, with task and note."""
    target = _q(next_stage) if next_stage else '"<next stage title>"'
    return _finish(f"""
Advance Attio deals from the stage {_q(stage)} to {target} when they meet the rule: {rule or "recent activity and the key fields filled in"}.

1. Check both titles in [[deals-attributes]] (stage statuses) and list-based stages in [[schema]].
2. `records_search {{"resource_type":"deals","filter":{{"stage":{_q(stage)}}},"limit":50}}` and follow next_offset.
3. Decide per deal from its values (updated_at, company, deal_value …); do not advance doubtful ones.
4. `records_update {{"resource_type":"deals","record_id":"<deal id>","data":{{"stage":{target}}}}}`.
5. If stages are also lists: `records_get_entries {{"resource_type":"deals","record_id":"<deal id>"}}`, then
   `list_entries_add` to the new stage list and `list_entries_remove` from the old one.
6. `tasks_create {{"content":"Follow up","linked_records":[{{"target_object":"deals","target_record_id":"<deal id>"}}]}}` and
   `notes_create {{"parent_object":"deals","parent_record_id":"<deal id>","title":"Stage advanced","content":"<why>"}}`.
7. Report which deals moved and which did not, with the reason.
Full pattern: [[patterns]] (section 5).
""")


def data_enrichment(
    resource_type: Annotated[
        str, Field(description="Object to enrich: companies, people or deals")
    ] = "companies",
    list_name: Annotated[str, Field(description="Queue list of records to enrich (name, slug or ID)")] = "",
) -> str:
    """Enrich records with external data: pick the queue, map fields to slugs, update, note it."""
    queue = _q(list_name) if list_name else '"<queue list id or slug>"'
    source = (
        f'`list_entries_get {{"list_id":{_q(list_name)}}}`'
        if list_name
        else f'`records_search {{"resource_type":{_q(resource_type)},"filter":{{"<status slug>":"<pending title>"}}}}`'
    )
    return _finish(f"""
Enrich Attio {_q(resource_type)} records with external data.

1. Read `{MCP_LINKS.object(resource_type)}` for target slugs, types and option titles.
2. Records to enrich: {source}.
3. For each: gather the data, map it to existing slugs (numbers as numbers, select values as existing
   titles), then `records_update {{"resource_type":{_q(resource_type)},"record_id":"<id>","data":{{"<slug>":"<value>"}}}}`.
   Multi-value attributes are appended to unless you pass "mode":"overwrite".
4. `notes_create {{"parent_object":{_q(resource_type)},"parent_record_id":"<id>","title":"Data enrichment","content":"<source, fields updated>"}}`
5. Mark it done (an enrichment status attribute if the object has one) and, for a queue list,
   `list_entries_remove {{"list_id":{queue},"entry_id":"<entry id>"}}`.
Full pattern: [[patterns]] (section 6).
""")


def account_brief(
    company_name: Annotated[str, Field(description="Company to brief on")],
    focus: Annotated[str, Field(description="Topic to find in call transcripts, e.g. pricing")] = "",
) -> str:
    """Brief an account: its record, its activity timeline, meetings and calls, then a summary."""
    topic = _q(focus or "next steps")
    return _finish(f"""
Write a brief on the account {_q(company_name)} from its Attio activity{f", focused on {_q(focus)}" if focus else ""}.

1. `records_search {{"resource_type":"companies","query":{_q(company_name)}}}` - the company id (ask if
   several match).
2. `records_timeline {{"resource_type":"companies","record_id":"<company id>","limit":50}}` - what happened,
   newest first: notes, tasks, comments, meetings (upcoming marked), recordings, its deals' stage moves.
   Follow next_cursor as far back as the brief needs.
3. Open deals named there (items with object deals): `records_get {{"resource_type":"deals","record_id":"<deal id>"}}`
   for stage, value and close date.
4. The last and next meetings: `meetings_get {{"meeting_id":"<meeting id>"}}` for who took part.
5. Calls: `call_transcript_get {{"meeting_id":"<meeting id>","call_recording_id":"<recording id>","query":{topic}}}`
   - the passages and their times; quote them.
6. Write the brief: where the account stands, open deals and how they moved, last and next meetings, what
   the customer said, open comment threads, risks and next steps. Name any source the timeline skipped.
Full pattern: [[patterns]] (section 8).
""")


PROMPTS: dict[str, Callable[..., str]] = {
    "deal_pipeline": deal_pipeline,
    "list_organization": list_organization,
    "lead_qualification": lead_qualification,
    "bulk_import": bulk_import,
    "deal_stage_automation": deal_stage_automation,
    "data_enrichment": data_enrichment,
    "account_brief": account_brief,
}

_TITLES = {
    "deal_pipeline": "Deal pipeline",
    "list_organization": "List-based organisation",
    "lead_qualification": "Lead qualification",
    "bulk_import": "Bulk import",
    "deal_stage_automation": "Deal stage automation",
    "data_enrichment": "Data enrichment",
    "account_brief": "Account brief",
}


def register_prompts(server: Any, *, hidden_tools: Collection[str] = ()) -> None:
    """Add the workflow prompts to an ``MCPServer``, except those that name a tool in ``hidden_tools`` (the
    server does not offer it: ``--read-only``, ``--toolsets``, ``--disable-destructive``)."""
    for name, fn in PROMPTS.items():
        if hidden_tools and prompt_tools(fn, hidden_tools):
            continue
        server.prompt(name=name, title=_TITLES[name], description=(fn.__doc__ or "").strip())(fn)


def prompt_tools(fn: Callable[..., str], tools: Collection[str]) -> set[str]:
    """Which of ``tools`` the prompt's text names (rendered with placeholder arguments)."""
    required = {
        p.name: "x" for p in inspect.signature(fn).parameters.values() if p.default is inspect.Parameter.empty
    }
    text = fn(**required)
    return {t for t in tools if re.search(rf"\b{re.escape(t)}\b", text)}
