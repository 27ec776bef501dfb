"""Load what the schema skill describes from the live workspace, through the tools' ``SchemaCache``.

Everything goes through ``Workspace``: object and list schemas come from the TTL-cached ``SchemaCache`` (so a
re-read inside the TTL costs no request) and members from ``Workspace.members()``. Record counts are not
loaded: Attio has no cheap count endpoint.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import anyio

from attio_mcp.workspace import TargetSchema, Workspace

__all__ = ["WorkspaceSnapshot", "load_index", "load_lists", "load_object", "load_snapshot", "singular_nouns"]

T = TypeVar("T")
_CONCURRENCY = 4


@dataclass(frozen=True)
class WorkspaceSnapshot:
    """Objects (with attributes), lists (with entry attributes when loaded) and members."""

    objects: tuple[TargetSchema, ...] = ()
    lists: tuple[TargetSchema, ...] = ()
    members: tuple[Any, ...] = ()
    singular: dict[str, str] = field(default_factory=dict)


def _get(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def _ident(obj: Any, key: str) -> str:
    return str(_get(obj, key) or _get(_get(obj, "id") or {}, key) or "")


async def _gather(items: Sequence[Any], load: Callable[[Any], Awaitable[T]]) -> list[T]:
    """``load`` every item with bounded concurrency, keeping order; the first failure is re-raised."""
    results: list[Any] = [None] * len(items)
    failures: list[BaseException] = []
    limiter = anyio.CapacityLimiter(_CONCURRENCY)

    async def one(index: int, item: Any) -> None:
        try:
            async with limiter:
                results[index] = await load(item)
        except Exception as exc:  # re-raised below, without an ExceptionGroup wrapper
            failures.append(exc)

    async with anyio.create_task_group() as tg:
        for index, item in enumerate(items):
            tg.start_soon(one, index, item)
    if failures:
        raise failures[0]
    return results


def _slug(obj: Any) -> str:
    return str(_get(obj, "api_slug") or _ident(obj, "object_id"))


def singular_nouns(objects: Sequence[Any]) -> dict[str, str]:
    """Object slug -> singular noun ("deals" -> "Deal"), for the objects that have one."""
    return {_slug(o): str(_get(o, "singular_noun")) for o in objects if _get(o, "singular_noun")}


async def _objects(deps: Workspace) -> tuple[list[TargetSchema], dict[str, str]]:
    objects = await deps.schema.objects()
    return await _gather([_slug(o) for o in objects], deps.schema.object), singular_nouns(objects)


def _bare_list(lst: Any) -> TargetSchema:
    """A list's identity without its attributes (no request needed)."""
    ident = _ident(lst, "list_id")
    return TargetSchema(
        kind="list",
        slug=str(_get(lst, "api_slug") or ident),
        id=ident,
        name=str(_get(lst, "name") or _get(lst, "api_slug") or ident),
        parent_objects=tuple(_get(lst, "parent_object") or ()),
    )


async def load_index(deps: Workspace) -> WorkspaceSnapshot:
    """Objects with their attributes, lists without entry attributes, and members."""
    objects, singular = await _objects(deps)
    lists = [_bare_list(lst) for lst in await deps.schema.lists()]
    members = await deps.members()
    return WorkspaceSnapshot(tuple(objects), tuple(lists), tuple(members), singular)


async def load_lists(deps: Workspace) -> list[TargetSchema]:
    """Every list with its entry attributes and their options."""
    lists = [_bare_list(lst) for lst in await deps.schema.lists()]
    return await _gather([lst.id or lst.slug for lst in lists], deps.schema.list)


async def load_object(deps: Workspace, slug_or_id: str) -> TargetSchema:
    """One object's schema; raises ``LookupFailure`` when the workspace has no such object."""
    return await deps.schema.object(slug_or_id)


async def load_snapshot(deps: Workspace) -> WorkspaceSnapshot:
    """Everything: objects, lists with entry attributes, members (used by the export)."""
    objects, singular = await _objects(deps)
    lists = await load_lists(deps)
    members = await deps.members()
    return WorkspaceSnapshot(tuple(objects), tuple(lists), tuple(members), singular)
