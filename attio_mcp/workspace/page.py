"""The page envelope every paged result shares: its items, ``has_more`` and where the next page starts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Generic, Self, TypeVar

from pydantic import BaseModel

ItemT = TypeVar("ItemT")


class Page(BaseModel, Generic[ItemT]):
    """One page of items. A subclass names its item list (``ITEMS``) and declares it as a field.

    ``next_offset`` is present exactly when ``has_more`` is true: the ``offset`` that returns the next page.
    """

    ITEMS: ClassVar[str] = "items"

    has_more: bool
    next_offset: int | None = None

    @classmethod
    def of(cls, items: Sequence[ItemT], *, more: bool, offset: int, **extra: Any) -> Self:
        """The page holding ``items``, fetched from ``offset``; ``more``: the source has items after them."""
        fields: dict[str, Any] = {cls.ITEMS: list(items), **extra}
        return cls(has_more=more, next_offset=offset + len(items) if more else None, **fields)


def split_page(rows: Sequence[ItemT], limit: int) -> tuple[list[ItemT], bool]:
    """Rows fetched with ``limit + 1`` -> (the page's ``limit`` rows, whether more rows exist)."""
    return list(rows[:limit]), len(rows) > limit
