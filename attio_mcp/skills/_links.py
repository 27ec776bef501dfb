"""Where the skill documents live, for the MCP resources and for an exported skill folder.

Skill text refers to other documents with ``[[schema]]``, ``[[lists]]``, ``[[patterns]]`` and
``[[<object>-attributes]]``; ``Links.expand`` turns those into URIs or file paths.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

__all__ = [
    "EXPORT_PATTERNS_LINKS",
    "EXPORT_SCHEMA_LINKS",
    "LISTS_URI",
    "MCP_LINKS",
    "OBJECT_URI_TEMPLATE",
    "PATTERNS_URI",
    "SCHEMA_URI",
    "Links",
    "safe_file_stem",
]

PATTERNS_URI = "attio://skills/integration-patterns"
SCHEMA_URI = "attio://skills/workspace-schema"
LISTS_URI = f"{SCHEMA_URI}/lists.md"
OBJECT_URI_TEMPLATE = SCHEMA_URI + "/{object}-attributes.md"

_REF = re.compile(r"\[\[([A-Za-z0-9_.-]+)\]\]")
_UNSAFE = re.compile(r"[^a-z0-9_-]+")
_MAX_STEM = 60


def safe_file_stem(slug: str) -> str:
    """A file-name stem for an object slug that cannot leave its folder (``../x`` -> ``x-<hash>``).

    Ordinary slugs (``[a-z0-9_-]``, at most 60 characters) are kept as they are; anything else is replaced,
    cut and suffixed with a short hash of the original, so two different slugs never collide.
    """
    stem = _UNSAFE.sub("-", slug.lower()).strip("-_")
    if stem == slug and 0 < len(stem) <= _MAX_STEM:
        return stem
    digest = hashlib.sha256(slug.encode()).hexdigest()[:8]
    return f"{stem[:40] or 'object'}-{digest}"


@dataclass(frozen=True)
class Links:
    """How one rendering refers to the schema index, the lists file, an object file and the patterns."""

    schema: str
    lists: str
    patterns: str
    object_link: Callable[[str], str]

    def object(self, slug: str) -> str:
        return self.object_link(slug)

    def expand(self, text: str) -> str:
        """Replace every known ``[[name]]`` reference with its location, in backticks."""

        def one(match: re.Match[str]) -> str:
            name = match[1]
            if name == "schema":
                target = self.schema
            elif name == "lists":
                target = self.lists
            elif name == "patterns":
                target = self.patterns
            elif name.endswith("-attributes"):
                target = self.object(name.removesuffix("-attributes"))
            else:
                return match[0]  # not a reference (e.g. user text in a prompt): leave it as written
            return f"`{target}`"

        return _REF.sub(one, text)


MCP_LINKS = Links(
    schema=SCHEMA_URI,
    lists=LISTS_URI,
    patterns=PATTERNS_URI,
    object_link=lambda slug: OBJECT_URI_TEMPLATE.replace("{object}", quote(slug, safe="")),
)

# Inside the exported attio-workspace-schema skill: paths relative to its SKILL.md.
EXPORT_SCHEMA_LINKS = Links(
    schema="SKILL.md",
    lists="resources/lists.md",
    patterns="../attio-integration-patterns/SKILL.md",
    object_link=lambda slug: f"resources/{safe_file_stem(slug)}-attributes.md",
)

# From the exported attio-integration-patterns skill: paths inside the sibling schema skill.
EXPORT_PATTERNS_LINKS = Links(
    schema="attio-workspace-schema/SKILL.md",
    lists="attio-workspace-schema/resources/lists.md",
    patterns="attio-integration-patterns/SKILL.md",
    object_link=lambda slug: f"attio-workspace-schema/resources/{safe_file_stem(slug)}-attributes.md",
)
