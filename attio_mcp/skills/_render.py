"""Schema markdown from plain data: the workspace index, one file per object, and the lists file.

Pure functions (``TargetSchema``/snapshot in, markdown out) so they are tested without MCP or Attio.
Object-specific advice (write formats, pitfalls) is derived from the attribute types and flags.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from attio_mcp.skills._collect import WorkspaceSnapshot
from attio_mcp.skills._formats import object_pitfalls, write_formats
from attio_mcp.skills._links import Links
from attio_mcp.workspace import AttrInfo, TargetSchema

__all__ = ["OPTION_LIMIT", "render_index", "render_lists", "render_object", "type_label"]

OPTION_LIMIT = 25
MEMBER_LIMIT = 50


def cell(text: object) -> str:
    """Text that is safe inside a markdown table cell."""
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").strip()


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _title(option: str) -> str:
    """An option title, quoted only when a bare one would be ambiguous in a comma list."""
    if "," in option or option != option.strip() or not option:
        return json.dumps(option, ensure_ascii=False)
    return option


def type_label(attr: AttrInfo) -> str:
    """``record-reference → companies``, ``currency (USD)`` or just the type."""
    if attr.type == "record-reference" and attr.allowed_objects:
        return f"record-reference → {', '.join(attr.allowed_objects)}"
    if attr.type == "currency" and attr.currency_code:
        return f"currency ({attr.currency_code})"
    return attr.type


def _live(attrs: Iterable[AttrInfo]) -> list[AttrInfo]:
    return [a for a in attrs if not a.archived]


def _attribute_table(attrs: Sequence[AttrInfo], *, unique_column: bool) -> list[str]:
    head = (
        "| Attribute | Slug | Type | Multi | Required | "
        + ("Unique | " if unique_column else "")
        + "Writable |"
    )
    lines = [head, "|" + "---|" * head.count(" | ") + "---|"]
    for a in attrs:
        required = "yes (default)" if a.required and a.default_enabled else _yes(a.required)
        row = [cell(a.title), f"`{cell(a.slug)}`", cell(type_label(a)), _yes(a.multi), required]
        if unique_column:
            row.append(_yes(a.unique))
        row.append(_yes(a.writable))
        lines.append("| " + " | ".join(row) + " |")
    return lines


def _options(attrs: Sequence[AttrInfo], target_arg: str) -> list[str]:
    """One line per select/status attribute: its titles, cut at ``OPTION_LIMIT`` with a pointer."""
    lines = []
    for a in attrs:
        if a.type not in ("select", "status"):
            continue
        kind = a.type + (", multi" if a.multi else "")
        if not a.options:
            lines.append(f"- `{a.slug}` ({kind}): no active options")
            continue
        shown = ", ".join(_title(o) for o in a.options[:OPTION_LIMIT])
        more = len(a.options) - OPTION_LIMIT
        if more > 0:
            call = json.dumps({**json.loads(target_arg), "attribute": a.slug}, separators=(",", ":"))
            shown += f" … and {more} more (`attribute_options {call}`)"
        lines.append(f"- `{a.slug}` ({kind}): {shown}")
    return lines


def render_object(schema: TargetSchema, links: Links, *, singular: str | None = None) -> str:
    """``<object>-attributes.md``: attribute table, options, write formats and pitfalls."""
    attrs = _live(schema.attributes.values())
    noun = f"{schema.name}" + (f" (one: {singular})" if singular and singular != schema.name else "")
    out = [
        f"# `{schema.slug}` attributes",
        "",
        f"Object {cell(noun)}, id `{schema.id}`. Records are written with `data` keyed by the slugs below "
        "(records_create, records_update, records_upsert); members and list IDs are in [[schema]].",
        "",
        *_attribute_table(attrs, unique_column=True),
    ]
    options = _options(attrs, json.dumps({"resource_type": schema.slug}))
    if options:
        out += [
            "",
            "## Options and statuses",
            "",
            "Write the exact title; titles are never created on write.",
            "",
        ]
        out += options
    formats = write_formats([a for a in attrs if a.writable])
    if formats:
        out += ["", "## Write formats", ""] + formats
    out += ["", "## Pitfalls", ""] + object_pitfalls(schema.slug, attrs)
    return links.expand("\n".join(out)) + "\n"


def render_lists(lists: Sequence[TargetSchema], links: Links) -> str:
    """``lists.md``: every list with its ID, parent object and entry attributes with options."""
    out = [
        "# Lists and entry attributes",
        "",
        "Entry attributes belong to a record's membership in one list, not to the record: write them with "
        "list_entries_update (or when adding with list_entries_add); read entries with list_entries_get or "
        "list_entries_filter. A `list_id` parameter takes the ID or the slug.",
    ]
    if not lists:
        out += ["", "This workspace has no lists."]
    for lst in lists:
        parents = ", ".join(f"`{p}`" for p in lst.parent_objects) or "?"
        parent_files = ", ".join(f"`{links.object(p)}`" for p in lst.parent_objects)
        out += [
            "",
            f"## {cell(lst.name)} (`{lst.slug}`)",
            "",
            f"List ID `{lst.id}`; entries are {parents} records",
        ]
        out[-1] += f" (record attributes: {parent_files})." if parent_files else "."
        attrs = _live(lst.attributes.values())
        if not attrs:
            out += ["", "No entry attributes."]
            continue
        out += ["", *_attribute_table(attrs, unique_column=False)]
        options = _options(attrs, json.dumps({"list_id": lst.slug}))
        if options:
            out += ["", *options]
    return links.expand("\n".join(out)) + "\n"


def _member_row(member: Any) -> str:
    def get(name: str) -> Any:
        return member.get(name) if isinstance(member, dict) else getattr(member, name, None)

    ident = get("workspace_member_id") or (get("id") or {}).get("workspace_member_id") or ""
    name = " ".join(p for p in (get("first_name"), get("last_name")) if p) or "?"
    return f"| {cell(name)} | {cell(get('email_address') or '')} | `{ident}` | {cell(get('access_level') or '')} |"


def _key_slugs(attrs: Iterable[AttrInfo], flag: str) -> str:
    slugs = [a.slug for a in attrs if getattr(a, flag) and a.writable and not a.archived]
    return ", ".join(f"`{s}`" for s in slugs) or "—"


def render_index(snapshot: WorkspaceSnapshot, links: Links) -> str:
    """The schema skill's entry point: objects, lists with IDs, members, and where the details are."""
    out = [
        "# Attio workspace schema",
        "",
        "Live facts about the connected workspace; slugs, list IDs and member ids here are the values to "
        "send. Patterns that use them: [[patterns]].",
        "",
        "## Objects",
        "",
        "Required = must be given on create; Unique = usable as `matching_attribute` for records_upsert.",
        "",
        "| Object | Slug | Required | Unique | Attributes |",
        "|---|---|---|---|---|",
    ]
    for obj in snapshot.objects:
        attrs = list(obj.attributes.values())
        required = [a for a in attrs if not a.default_enabled]
        out.append(
            f"| {cell(obj.name)} | `{obj.slug}` | {_key_slugs(required, 'required')} | "
            f"{_key_slugs(attrs, 'unique')} | `{links.object(obj.slug)}` |"
        )
    out += ["", "## Lists", "", "Entry attributes and their options: [[lists]].", ""]
    if snapshot.lists:
        out += ["| List | Slug | List ID | Parent object |", "|---|---|---|---|"]
        for lst in snapshot.lists:
            parents = ", ".join(f"`{p}`" for p in lst.parent_objects)
            out.append(f"| {cell(lst.name)} | `{lst.slug}` | `{lst.id}` | {parents} |")
    else:
        out.append("This workspace has no lists.")
    out += [
        "",
        "## Members",
        "",
        "For task `assignees` and actor-reference values (e.g. an owner): give the email or the id.",
        "",
    ]
    members = list(snapshot.members)
    if members:
        out += ["| Name | Email | Member ID | Access |", "|---|---|---|---|"]
        out += [_member_row(m) for m in members[:MEMBER_LIMIT]]
        if len(members) > MEMBER_LIMIT:
            out.append(f"\n… and {len(members) - MEMBER_LIMIT} more (members_list).")
    else:
        out.append("No members visible to this token.")
    out += [
        "",
        "## Activity",
        "",
        "Notes, tasks, comment threads, meetings and call recordings hang off records (meetings and recordings "
        "are Attio beta, with their own scopes). records_timeline gives one record's activity as one feed; "
        "comments_list, meetings_get and call_transcript_get read each in full. Pattern: [[patterns]] "
        "(section 8).",
    ]
    return links.expand("\n".join(out)) + "\n"
