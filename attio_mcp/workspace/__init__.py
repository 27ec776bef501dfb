"""The workspace layer: what the tools, skills and CLI know about an Attio workspace, without MCP.

Schema cache and lookups (``schema``), write values (``values``), rendering of records and entries
(``render``), filter and sort compilation (``query``, ``entry_query``), the page envelope (``page``), bulk
import (``importing``) and the coded error every layer above reports (``errors``). It imports the Attio
client and nothing above it: not ``mcp``, the tools, the server or the skills.
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
