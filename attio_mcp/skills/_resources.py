"""The skill documents as MCP resources (``text/markdown``).

Static resources: ``attio://skills/integration-patterns``, ``attio://skills/workspace-schema`` and
``attio://skills/workspace-schema/lists.md``. Template: ``attio://skills/workspace-schema/{object}-attributes.md``.

Reaching the lifespan ``Workspace`` from a static resource: mcp 2.3 refuses a ``Context`` parameter on a static
URI, and ``FunctionResource.read()`` is called without one. The server's middleware chain, however, sees
every request with its ``lifespan_context``; a small middleware puts the ``Workspace`` in a ``ContextVar`` for
the duration of each ``resources/read`` (the handler runs inline, inside that call), and the static
resource functions read it from there. Templates get ``Context`` as usual. The schema parts are generated
on every read from the ``SchemaCache`` (TTL-cached), so a read inside the TTL sends no request and a read
after it sees schema changes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any, TypeVar

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError

from attio_mcp.attio import AttioError
from attio_mcp.skills._collect import load_index, load_lists, load_object, singular_nouns
from attio_mcp.skills._links import LISTS_URI, MCP_LINKS, OBJECT_URI_TEMPLATE, PATTERNS_URI, SCHEMA_URI
from attio_mcp.skills._render import render_index, render_lists, render_object
from attio_mcp.skills._text import patterns_text
from attio_mcp.tools import workspace_of
from attio_mcp.workspace import LookupFailure, Workspace, error_from_attio

__all__ = ["MARKDOWN", "bind_deps", "register_resources"]

MARKDOWN = "text/markdown"
T = TypeVar("T")

_current: ContextVar[Workspace | None] = ContextVar("attio_skills_deps", default=None)


async def bind_deps(ctx: Any, call_next: Callable[[Any], Awaitable[Any]]) -> Any:
    """Server middleware: expose the lifespan ``Workspace`` to static resources while a read runs."""
    state = getattr(ctx, "lifespan_context", None)
    if getattr(ctx, "method", None) != "resources/read" or not isinstance(state, Workspace):
        return await call_next(ctx)
    token = _current.set(state)
    try:
        return await call_next(ctx)
    finally:
        _current.reset(token)


def _deps() -> Workspace:
    found = _current.get()
    if found is None:
        raise ResourceError(
            "UPSTREAM_ERROR: the workspace schema can only be read through a running MCP session."
        )
    return found


async def _guard(work: Awaitable[T]) -> T:
    """Client and lookup errors become resource errors with the usual machine-coded text."""
    try:
        return await work
    except LookupFailure as exc:
        hint = f" Did you mean {', '.join(exc.suggestions[:3])}?" if exc.suggestions else ""
        raise ResourceNotFoundError(
            f"NOT_FOUND: no object {exc.value!r} in this workspace.{hint} Next: {SCHEMA_URI} lists the objects."
        ) from None
    except AttioError as exc:
        raise ResourceError(error_from_attio(exc).render()) from None


async def workspace_schema_text(d: Workspace) -> str:
    """The schema index as served at ``attio://skills/workspace-schema``."""
    return render_index(await load_index(d), MCP_LINKS)


async def lists_text(d: Workspace) -> str:
    """The lists file as served at ``attio://skills/workspace-schema/lists.md``."""
    return render_lists(await load_lists(d), MCP_LINKS)


async def object_text(d: Workspace, slug: str) -> str:
    """One object's attributes file."""
    schema = await load_object(d, slug)
    singular = singular_nouns(await d.schema.objects()).get(schema.slug)
    return render_object(schema, MCP_LINKS, singular=singular)


def register_resources(server: Any) -> None:
    """Add the skill resources (and the middleware the live ones need) to an ``MCPServer``."""
    if bind_deps not in server.middleware:
        server.middleware.append(bind_deps)

    @server.resource(
        PATTERNS_URI,
        name="integration-patterns",
        title="Attio integration patterns",
        description="Eight CRM workflows as sequences of this server's tools, with payloads and pitfalls.",
        mime_type=MARKDOWN,
    )
    async def integration_patterns() -> str:
        return patterns_text(MCP_LINKS)

    @server.resource(
        SCHEMA_URI,
        name="workspace-schema",
        title="Attio workspace schema",
        description="Live: objects with required/unique attributes, lists with IDs, members; links to details.",
        mime_type=MARKDOWN,
    )
    async def workspace_schema() -> str:
        return await _guard(workspace_schema_text(_deps()))

    @server.resource(
        LISTS_URI,
        name="workspace-lists",
        title="Attio lists and entry attributes",
        description="Live: every list with its ID, parent object, entry attributes and their options.",
        mime_type=MARKDOWN,
    )
    async def workspace_lists() -> str:
        return await _guard(lists_text(_deps()))

    @server.resource(
        OBJECT_URI_TEMPLATE,
        name="object-attributes",
        title="Attio object attributes",
        description="Live: one object's attributes (slug, type, flags), options, write formats and pitfalls.",
        mime_type=MARKDOWN,
    )
    async def object_attributes(object: str, ctx: Context) -> str:
        return await _guard(object_text(workspace_of(ctx), object))
