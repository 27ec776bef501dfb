"""Deterministic identifiers for the sandbox.

Seeded entities get uuid5 ids derived from their names; entities created at runtime get uuid5 ids from a
persisted counter, so a fresh sandbox replays the same ids for the same sequence of calls.
"""

from __future__ import annotations

import re
import uuid
from typing import TypeGuard

__all__ = ["NAMESPACE", "IdFactory", "is_uuid", "stable_id"]

NAMESPACE = uuid.UUID("6f1c2d3e-8a4b-5c6d-9e0f-a1b2c3d4e5f6")
_UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def stable_id(*parts: object) -> str:
    """A uuid5 derived from ``parts`` (joined with ``/``)."""
    return str(uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts)))


def is_uuid(text: object) -> TypeGuard[str]:
    """True if ``text`` is a canonical hyphenated UUID string."""
    return isinstance(text, str) and bool(_UUID_RE.match(text))


class IdFactory:
    """Hands out ``uuid5(NAMESPACE, "<kind>/runtime/<n>")`` ids from a monotonically increasing counter."""

    def __init__(self, counter: int = 0) -> None:
        self.counter = counter

    def new(self, kind: str) -> str:
        """A fresh id for an entity of ``kind`` (``record``, ``entry``, ``note``...)."""
        self.counter += 1
        return stable_id(kind, "runtime", self.counter)
