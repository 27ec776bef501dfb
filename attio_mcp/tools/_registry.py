"""One registry of tools: a tool is one decorated function, listed once in ``ALL_TOOLS``.

The decorator records the toolset, title and hints, and wraps the function so that every failure reaches
the agent as a machine-coded error result and every success as compact JSON text plus structured content.
Server assembly, the docs generator and the guard tests all iterate ``ALL_TOOLS``.
"""

from __future__ import annotations

import functools
import inspect
import json
import logging
import typing
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Annotated, Any

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel, Field

from attio_mcp.attio import AttioError
from attio_mcp.tools._limits import MAX_STRING_PARAM, cap_result, check_arguments
from attio_mcp.toolsets import TOOLSETS
from attio_mcp.workspace import Workspace, WorkspaceError, error_from_attio

logger = logging.getLogger("attio_mcp.tools")


@dataclass(frozen=True)
class ToolSpec:
    """Everything known about one tool, independent of any server."""

    name: str
    toolset: str
    title: str
    description: str
    read_only: bool
    destructive: bool
    idempotent: bool
    fn: Callable[..., Awaitable[Any]]
    own_scopes: tuple[str, ...] | None = None

    @property
    def scopes(self) -> tuple[str, ...]:
        """The Attio scopes this tool's requests need (``:read-write`` also grants ``:read``)."""
        if self.own_scopes is not None:
            return self.own_scopes
        family = TOOLSETS[self.toolset]
        return family.read_scopes if self.read_only else family.write_scopes

    @property
    def optional_scopes(self) -> tuple[str, ...]:
        """Scopes of sources this tool skips (and names) when the key may not read them."""
        return TOOLSETS[self.toolset].optional_scopes

    @property
    def annotations(self) -> ToolAnnotations:
        return ToolAnnotations(
            title=self.title,
            read_only_hint=self.read_only,
            destructive_hint=self.destructive,
            idempotent_hint=self.idempotent,
            open_world_hint=True,
        )


ALL_TOOLS: dict[str, ToolSpec] = {}


def tool(
    toolset: str,
    *,
    title: str,
    read_only: bool = False,
    destructive: bool = False,
    idempotent: bool = False,
    write: bool | None = None,
    scopes: tuple[str, ...] | None = None,
) -> Callable[[Callable[..., Awaitable[Any]]], Callable[..., Awaitable[Any]]]:
    """Register an async tool function; its docstring's first paragraph is the description.

    ``write`` (default: not ``read_only``) tells the error bridge that a failed call may have changed data.
    ``scopes``: the Attio scopes the tool needs, when they differ from its toolset's.
    """
    if toolset not in TOOLSETS:
        raise ValueError(f"unknown toolset {toolset!r}")
    if read_only and destructive:
        raise ValueError("a read-only tool cannot be destructive")
    is_write = (not read_only) if write is None else write

    def decorate(fn: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        name = fn.__name__
        if name in ALL_TOOLS:
            raise ValueError(f"tool {name!r} registered twice")
        description = inspect.cleandoc(fn.__doc__ or "").split("\n\n")[0].replace("\n", " ").strip()
        if not description:
            raise ValueError(f"tool {name!r} has no docstring")
        wrapped = _wrap(fn, write=is_write)
        ALL_TOOLS[name] = ToolSpec(
            name, toolset, title, description, read_only, destructive, idempotent, wrapped, scopes
        )
        return fn

    return decorate


def _wrap(fn: Callable[..., Awaitable[Any]], *, write: bool) -> Callable[..., Awaitable[CallToolResult]]:
    @functools.wraps(fn)
    async def runner(*args: Any, **kwargs: Any) -> CallToolResult:
        try:
            check_arguments(kwargs)
            out = await fn(*args, **kwargs)
        except WorkspaceError as failure:
            return error_result(failure.during_write() if write else failure)
        except AttioError as exc:  # a client call made without Workspace.call
            translated = error_from_attio(exc)
            return error_result(translated.during_write() if write else translated)
        return success_result(cap_result(plain(out), kwargs))

    hints = typing.get_type_hints(fn, include_extras=True)
    returned = hints.get("return")
    if not (isinstance(returned, type) and issubclass(returned, BaseModel)):
        raise TypeError(
            f"tool {fn.__name__!r} must return a pydantic model (its outputSchema), not {returned!r}"
        )
    result_type: Any = Annotated[CallToolResult, returned]
    params = [
        p.replace(annotation=_bounded(hints.get(p.name, p.annotation)))
        for p in inspect.signature(fn).parameters.values()
    ]
    runner.__signature__ = inspect.Signature(params, return_annotation=result_type)  # type: ignore[attr-defined]
    runner.__annotations__ = {**{p.name: p.annotation for p in params}, "return": result_type}
    del runner.__wrapped__  # the SDK must read our signature, not fn's
    return runner


def _bounded(annotation: Any) -> Any:
    """A plain ``str`` / ``str | None`` parameter without a declared max_length gets ``MAX_STRING_PARAM``."""
    base: Any = annotation
    meta: tuple[Any, ...] = ()
    if typing.get_origin(annotation) is Annotated:
        base, *rest = typing.get_args(annotation)
        meta = tuple(rest)
    if base not in (str, str | None):
        return annotation
    for item in meta:
        if getattr(item, "max_length", None) is not None:
            return annotation
        if any(getattr(m, "max_length", None) is not None for m in getattr(item, "metadata", ())):
            return annotation
    return Annotated[annotation, Field(max_length=MAX_STRING_PARAM)]


def compact_json(data: Any) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False, default=str)


def plain(out: Any) -> Any:
    """A tool's return value as JSON-ready data: a result model without its empty (None) fields."""
    if isinstance(out, BaseModel):
        return out.model_dump(mode="json", exclude_none=True, by_alias=True)
    return out


def success_result(out: Any) -> CallToolResult:
    if isinstance(out, CallToolResult):
        return out
    data = plain(out)
    structured = data if isinstance(data, dict) else {"result": data}
    return CallToolResult(
        content=[TextContent(type="text", text=compact_json(data))], structured_content=structured
    )


def error_result(error: WorkspaceError) -> CallToolResult:
    logger.info("tool failure %s: %s", error.code, error.message)
    return CallToolResult(content=[TextContent(type="text", text=error.render())], is_error=True)


def workspace_of(ctx: Context[Any]) -> Workspace:
    """The ``Workspace`` of the running server (or of this caller), from the MCP lifespan context."""
    state = ctx.request_context.lifespan_context
    if not isinstance(state, Workspace):
        raise RuntimeError("server lifespan did not provide a Workspace")
    return state


def select_tools(
    *,
    toolsets: Iterable[str] | None = None,
    read_only: bool = False,
    disable_destructive: bool = False,
) -> list[ToolSpec]:
    """The tools a server exposes: toolset filter, then read-only and destructive filters."""
    wanted = set(toolsets) if toolsets is not None else set(TOOLSETS)
    order = list(TOOLSETS)
    chosen = []
    # Family order (records first), then definition order within a family.
    for spec in sorted(ALL_TOOLS.values(), key=lambda s: order.index(s.toolset)):
        if spec.toolset not in wanted:
            continue
        if read_only and not spec.read_only:
            continue
        if disable_destructive and spec.destructive:
            continue
        chosen.append(spec)
    return chosen


def compact_input_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """Shrink a pydantic input schema for the wire without changing what it accepts in practice.

    Drops auto-generated titles, ``default: null`` and ``additionalProperties: true``, and turns
    ``anyOf[X, null]`` of an optional parameter into plain ``X`` (omitting the parameter means null).
    """
    return _compact(schema, in_properties=False)


def _compact(node: Any, *, in_properties: bool) -> Any:
    if isinstance(node, list):
        return [_compact(n, in_properties=False) for n in node]
    if not isinstance(node, dict):
        return node
    if in_properties:  # keys are parameter names, values are schemas
        return {k: _compact(v, in_properties=False) for k, v in node.items()}
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "title" and isinstance(value, str):
            continue
        if key == "default" and value is None:
            continue
        if key == "additionalProperties" and value is True:
            continue
        out[key] = _compact(value, in_properties=key in ("properties", "$defs"))
    any_of = out.get("anyOf")
    if isinstance(any_of, list) and len(any_of) == 2 and {"type": "null"} in any_of:
        other = next(s for s in any_of if s != {"type": "null"})
        del out["anyOf"]
        out = {**other, **out}
    return out


def compact_output_schema(schema: dict[str, Any] | None) -> dict[str, Any] | None:
    """The published form of a result model's schema: each top-level key with its JSON type, and which keys
    are always present. Nested shapes stay in the model, which still validates every result in full; the
    tool's description and the skills describe them, and the model reads them in the result itself."""
    if not schema:
        return schema
    props = schema.get("properties", {})
    out: dict[str, Any] = {"type": "object", "properties": {k: _top_type(v) for k, v in props.items()}}
    if schema.get("required"):
        out["required"] = list(schema["required"])
    return out


def _top_type(node: dict[str, Any]) -> dict[str, Any]:
    """``{"type": …}`` of one property; unconstrained (``{}``) where the model allows any JSON value."""
    kinds: set[str] = set()
    for option in node.get("anyOf", [node]):
        if "$ref" in option:
            kinds.add("object")
        elif isinstance(option.get("type"), str):
            kinds.add(option["type"])
        else:
            return {}
    kinds.discard("null")
    if not kinds:
        return {}
    return {"type": kinds.pop() if len(kinds) == 1 else sorted(kinds)}
