"""The workspace layer: what the tools, skills and CLI know about an Attio workspace, without MCP.

- Schema and input: the schema cache (``schema``), write values (``values``), records named instead of by
  id (``lookup``), dates in words (``dates``), filter and sort compilation (``compile``, with ``query`` for
  the text query and the literal checks), and the notes on what was interpreted (``interpret``).
- Output: rendering of records and entries (``render``, ``entries``) and the page envelope (``page``).
- Answers: scans (``scan``), aggregates (``aggregate``), pipeline reports (``pipeline``, ``periods``,
  ``labels``), value history and changes (``history``), activity and the record timeline (``activity``,
  ``timeline``, ``transcript``), and bulk import (``importing``).
- ``Workspace`` (``context``) holds the client and caches and sends every call; ``errors`` is the coded
  error every layer above reports.

It imports the Attio client and nothing above it: not ``mcp``, the tools, the server or the skills.
"""

from attio_mcp.workspace.context import Subject, Workspace
from attio_mcp.workspace.errors import CODES, InputError, LookupFailure, WorkspaceError, error_from_attio
from attio_mcp.workspace.schema import AttrInfo, SchemaCache, TargetSchema

__all__ = [
    "CODES",
    "AttrInfo",
    "InputError",
    "LookupFailure",
    "SchemaCache",
    "Subject",
    "TargetSchema",
    "Workspace",
    "WorkspaceError",
    "error_from_attio",
]
