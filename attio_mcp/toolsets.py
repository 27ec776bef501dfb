"""The toolsets: families of tools that ``--toolsets`` selects, with the Attio scopes each one needs.

This module imports nothing (not even ``mcp``), so settings validation and ``attio-mcp doctor`` read it
cheaply. Every tool names its toolset; the tools' registry, settings, ``doctor``, the generated docs and
the guard tests all derive from ``TOOLSETS``. Adding a toolset means adding one ``Toolset`` here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# Attio scopes, named once.
R_OBJ, R_REC, W_REC = "object_configuration:read", "record_permission:read", "record_permission:read-write"
R_LIST, R_ENTRY, W_ENTRY = "list_configuration:read", "list_entry:read", "list_entry:read-write"
R_USERS = "user_management:read"
R_MEET, R_CALL = "meeting:read", "call_recording:read"
# The activity sources a feed or the search index reads when it may, and skips (naming it) when it may not.
ACTIVITY_SOURCES = ("note:read", "task:read", "comment:read", R_MEET, R_CALL)


@dataclass(frozen=True)
class Toolset:
    """A family of tools: what ``--toolsets`` selects, what the docs group under one heading, the Attio
    scopes its endpoints need (``read_scopes`` for its read tools, ``write_scopes`` for the others), the
    nouns its tool names start with (``records`` -> ``records_search``) and what the server's instructions
    say about it when it is selected. ``optional_scopes`` are those of sources its tools can do without:
    a source the key may not read is skipped and named in the result, so lacking them limits a tool rather
    than blocking it."""

    id: str
    description: str
    read_scopes: tuple[str, ...]
    write_scopes: tuple[str, ...]
    nouns: tuple[str, ...]
    instructions: str = ""
    optional_scopes: tuple[str, ...] = ()

    def names_tool(self, name: str) -> bool:
        """Whether ``name`` is a tool name of this family: ``<noun>_<verb…>`` in snake_case, or a noun."""
        return (
            any(name == noun or name.startswith(noun + "_") for noun in self.nouns)
            and name.replace("_", "").isalpha()
            and name.islower()
        )


TOOLSETS: dict[str, Toolset] = {
    t.id: t
    for t in (
        Toolset(
            "records",
            "Search, read, create, update, upsert and delete records of any object.",
            (R_REC, R_OBJ),
            (W_REC, R_OBJ),
            ("records",),
            "Records of every object (people, companies, deals, custom objects) share one set of records_* "
            "tools keyed by resource_type.",
        ),
        Toolset(
            "lists",
            "Lists and list entries.",
            (R_LIST, R_ENTRY, R_REC, R_OBJ),
            (R_LIST, W_ENTRY, R_REC, R_OBJ),
            ("lists", "list_entries"),
        ),
        Toolset(
            "notes",
            "Notes on records.",
            ("note:read", R_REC, R_OBJ),
            ("note:read-write", R_REC, R_OBJ),
            ("notes",),
        ),
        Toolset(
            "tasks",
            "Tasks linked to records and assigned to members.",
            ("task:read", R_REC, R_OBJ, R_USERS),
            ("task:read-write", R_REC, R_OBJ, R_USERS),
            ("tasks",),
        ),
        Toolset("members", "Workspace members.", (R_USERS,), (R_USERS,), ("members",)),
        Toolset(
            "schema",
            "Objects, attributes, options and the token's workspace.",
            (R_OBJ,),
            (R_OBJ,),
            ("objects", "attributes", "attribute", "whoami"),
            "Read the schema before writing: attributes_list gives attribute slugs, types, options and "
            "required fields.",
        ),
        Toolset("bulk", "Bulk import of many rows.", (R_REC, R_OBJ), (W_REC, R_OBJ), ("records",)),
        # Activity: comments, meetings, call recordings and one timeline per record.
        Toolset(
            "comments",
            "Comment threads on records and list entries.",
            ("comment:read", R_REC, R_OBJ),
            ("comment:read-write", R_REC, R_OBJ),
            ("comments",),
        ),
        Toolset(
            "meetings",
            "Meetings with their participants and linked records (Attio beta).",
            (R_MEET, R_REC, R_OBJ),
            (R_MEET, R_REC, R_OBJ),
            ("meetings",),
        ),
        Toolset(
            "calls",
            "Call recordings and their transcripts (Attio beta).",
            (R_MEET, R_CALL),
            (R_MEET, R_CALL),
            ("call_recordings", "call_transcript"),
        ),
        Toolset(
            "timeline",
            "One activity feed per record: notes, tasks, comments, meetings, recordings, status changes.",
            (R_REC, R_OBJ),
            (R_REC, R_OBJ),
            ("records",),
            "For what is going on with a record, start with records_timeline.",
            optional_scopes=ACTIVITY_SOURCES,
        ),
        Toolset(
            "reports",
            "Aggregates, pipeline reports and value history computed by the server.",
            (R_REC, R_OBJ, R_USERS),
            (R_REC, R_OBJ, R_USERS),
            ("records", "pipeline"),
            "For totals, breakdowns and pipeline questions use records_aggregate and pipeline_report, not pages "
            "of records_search.",
        ),
        Toolset(
            "search",
            "One search box over records, notes, comments, tasks and call transcripts, and fetch.",
            (R_REC, R_OBJ),
            (R_REC, R_OBJ),
            ("search", "fetch"),
            "For a question in words (who said what, which note mentions X, that company in Berlin) use "
            "search, then fetch an id for the whole item.",
            optional_scopes=ACTIVITY_SOURCES,
        ),
    )
}
TOOLSET_IDS: tuple[str, ...] = tuple(TOOLSETS)


def missing_scopes(needed: Iterable[str], granted: Iterable[str]) -> list[str]:
    """The ``needed`` Attio scopes that ``granted`` does not cover (``x:read-write`` covers ``x:read``)."""
    have = set(granted)
    return [
        scope
        for scope in needed
        if scope not in have
        and not (scope.endswith(":read") and f"{scope.removesuffix(':read')}:read-write" in have)
    ]


def server_instructions(toolset_ids: tuple[str, ...] | list[str]) -> str:
    """What the server tells a client at ``initialize``: one line per selected toolset that has one."""
    lines = ["Attio CRM tools."]
    lines += [TOOLSETS[t].instructions for t in TOOLSET_IDS if t in toolset_ids and TOOLSETS[t].instructions]
    lines.append(
        "The attio://skills/workspace-schema resource lists objects, list IDs and members. Errors start with a "
        "machine code (VALIDATION_ERROR, NOT_FOUND, CONFLICT, RATE_LIMIT, AUTH_ERROR, UPSTREAM_ERROR) and end "
        "with the next step."
    )
    return " ".join(lines)
