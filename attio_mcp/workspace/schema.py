"""Workspace schema cache: objects, lists and their attributes, compacted for the layers above.

`SchemaCache` resolves an object by slug, UUID or noun (and a list by slug, UUID or name), loads its
attributes plus the active select options / statuses, and keeps the result for `ttl` seconds. Concurrent
first calls for the same key share one fetch.
"""

from __future__ import annotations

import builtins
import re
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

import anyio

from attio_mcp.workspace.errors import LookupFailure, did_you_mean

if TYPE_CHECKING:
    from attio_mcp.attio import AttioClient, AttioList, AttioObject, Attribute, SelectOption, Status

__all__ = ["AttrInfo", "SchemaCache", "TargetSchema"]

T = TypeVar("T")
_MISSING: Any = object()
_OPTION_FETCH_CONCURRENCY = 8


@dataclass(frozen=True)
class AttrInfo:
    """Compact view of one attribute, as the tools need it."""

    slug: str
    id: str
    title: str
    type: str
    multi: bool = False
    required: bool = False
    unique: bool = False
    writable: bool = True
    system: bool = False
    archived: bool = False
    default_enabled: bool = False
    allowed_objects: tuple[str, ...] = ()
    options: tuple[str, ...] = ()
    currency_code: str | None = None


@dataclass(frozen=True)
class TargetSchema:
    """An object or a list with its attributes keyed by slug."""

    kind: Literal["object", "list"]
    slug: str
    id: str
    name: str
    attributes: dict[str, AttrInfo] = field(default_factory=dict)
    parent_objects: tuple[str, ...] = ()

    def writable(self) -> list[str]:
        """Slugs that accept writes (writable and not archived), in attribute order."""
        return [a.slug for a in self.attributes.values() if a.writable and not a.archived]

    def get(self, slug_or_id: str) -> AttrInfo | None:
        """Find an attribute by slug, id, or (case-insensitively) slug or title."""
        if slug_or_id in self.attributes:
            return self.attributes[slug_or_id]
        key = slug_or_id.strip().lower()
        for attr in self.attributes.values():
            if key in (attr.id.lower(), attr.slug.lower()):
                return attr
        for attr in self.attributes.values():
            if attr.title.strip().lower() == key:
                return attr
        return None

    def find(self, name: str) -> tuple[AttrInfo | None, list[AttrInfo]]:
        """``get``, then the variants a model writes for a slug, when exactly one attribute fits.

        Returns ``(attribute, [])`` for one match, ``(None, candidates)`` when several attributes fit equally
        well, ``(None, [])`` when none does. Variants, tried in order (the first rule with a match decides):
        the same words in another case or separator (``Deal Value``, ``dealValue``, ``deal-value``); singular
        or plural (``domain``, ``email_address``); a common word for the attribute's type when the object has
        one such attribute (``email``, ``phone``, ``website``, ``amount``/``value`` for its one currency,
        ``company``/``account`` for its one reference to companies, ``owner``); one word of exactly one slug
        (``title`` -> ``job_title``).
        """
        found = self.get(name)
        if found is not None:
            return found, []
        key = _words(name)
        if not key:
            return None, []
        live = [a for a in self.attributes.values() if not a.archived]
        rules: tuple[Callable[[AttrInfo], bool], ...] = (
            lambda a: key in (_words(a.slug), _words(a.title)),
            lambda a: _singular(key) in (_singular(_words(a.slug)), _singular(_words(a.title))),
            lambda a: not a.system and _type_word(_singular(key), a),
            lambda a: _singular(key) in {_singular(t) for t in _words(a.slug).split("_")},
        )
        for rule in rules:
            hits = [a for a in live if rule(a)]
            if len(hits) == 1:
                return hits[0], []
            if hits:
                return None, hits
        return None, []


# A common word for an attribute -> the types (and, for references, the target object) it names.
_TYPE_WORDS: dict[str, tuple[str, str | None]] = {
    **dict.fromkeys(("domain", "website", "url", "site", "web"), ("domain", None)),
    **dict.fromkeys(("email", "mail", "e_mail", "email_address"), ("email-address", None)),
    **dict.fromkeys(("phone", "telephone", "mobile", "tel", "cell", "phone_number"), ("phone-number", None)),
    **dict.fromkeys(("amount", "value", "price", "revenue", "worth"), ("currency", None)),
    **dict.fromkeys(("address", "location"), ("location", None)),
    **dict.fromkeys(("status", "stage", "pipeline_stage"), ("status", None)),
    **dict.fromkeys(("owner", "assignee", "assigned_to"), ("actor-reference", None)),
    **dict.fromkeys(
        ("company", "account", "organization", "organisation", "org"), ("record-reference", "companies")
    ),
    **dict.fromkeys(("person", "contact"), ("record-reference", "people")),
    **dict.fromkeys(("deal", "opportunity"), ("record-reference", "deals")),
}


def _words(name: str) -> str:
    """``"Deal Value"``, ``"dealValue"``, ``"deal-value"`` -> ``"deal_value"``."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name.strip())
    return re.sub(r"[^a-z0-9]+", "_", spaced.lower()).strip("_")


def _singular(words: str) -> str:
    """Each word of a snake_case name in the singular (a rough English rule, enough for slugs)."""
    out = []
    for word in words.split("_"):
        if len(word) > 4 and word.endswith("ies"):
            word = word[:-3] + "y"
        elif word.endswith(("sses", "shes", "ches", "xes", "uses")):
            word = word[:-2]
        elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
            word = word[:-1]
        out.append(word)
    return "_".join(out)


def _type_word(word: str, attr: AttrInfo) -> bool:
    kind, target = _TYPE_WORDS.get(word, ("", None))
    return attr.type == kind and (target is None or target in attr.allowed_objects)


def _get(obj: Any, name: str, default: Any = None) -> Any:
    """Read `name` from a mapping or an attribute, tolerating missing values."""
    if obj is None:
        return default
    value = obj.get(name, default) if isinstance(obj, Mapping) else getattr(obj, name, default)
    return default if value is None else value


def _ident(obj: Any, key: str) -> str:
    """An id such as `object_id`: the model's convenience property, else the raw `id` mapping."""
    value = _get(obj, key)
    if value is None:
        value = _get(_get(obj, "id"), key)
    return str(value or "")


def _slug(obj: Any, key: str) -> str:
    return str(_get(obj, "api_slug") or _ident(obj, key))


class SchemaCache:
    """TTL cache of workspace objects, lists and their attribute schemas."""

    def __init__(
        self, client: AttioClient, *, ttl: float = 300.0, clock: Callable[[], float] = time.monotonic
    ):
        self._client = client
        self._ttl = ttl
        self._clock = clock
        self._entries: dict[str, tuple[float, Any]] = {}
        self._locks: dict[str, anyio.Lock] = {}

    async def objects(self) -> builtins.list[AttioObject]:
        """All objects in the workspace (cached)."""
        return await self._cached("objects", self._client.list_objects)

    async def lists(self) -> builtins.list[AttioList]:
        """All lists visible to the token (cached)."""
        return await self._cached("lists", self._client.list_lists)

    async def object(self, slug_or_id: str) -> TargetSchema:
        """Schema of an object given its slug, UUID or singular/plural noun."""
        obj = await self._resolve("object", slug_or_id)
        oid = _ident(obj, "object_id")
        return await self._cached(f"object:{oid}", lambda: self._load("object", obj))

    async def list(self, slug_or_id: str) -> TargetSchema:
        """Schema of a list given its slug, UUID or name."""
        lst = await self._resolve("list", slug_or_id)
        lid = _ident(lst, "list_id")
        return await self._cached(f"list:{lid}", lambda: self._load("list", lst))

    def invalidate(self, slug_or_id: str | None = None) -> None:
        """Forget cached schemas: everything (None) or the object/list matching a slug or id."""
        if slug_or_id is None:
            self._entries.clear()
            return
        key = slug_or_id.strip().lower()
        for name, (_, value) in list(self._entries.items()):
            if isinstance(value, TargetSchema) and key in (value.slug.lower(), value.id.lower()):
                del self._entries[name]

    # -- internals -------------------------------------------------------------------------------

    async def _cached(self, key: str, load: Callable[[], Awaitable[T]]) -> T:
        hit = self._fresh(key)
        if hit is not _MISSING:
            return cast(T, hit)
        lock = self._locks.setdefault(key, anyio.Lock())
        async with lock:
            hit = self._fresh(key)
            if hit is not _MISSING:
                return cast(T, hit)
            value = await load()
            self._entries[key] = (self._clock(), value)
            return value

    def _fresh(self, key: str) -> Any:
        entry = self._entries.get(key)
        if entry is None or self._clock() - entry[0] >= self._ttl:
            return _MISSING
        return entry[1]

    async def _resolve(self, kind: Literal["object", "list"], slug_or_id: str) -> Any:
        listing_key = "objects" if kind == "object" else "lists"
        was_cached = self._fresh(listing_key) is not _MISSING
        items = await (self.objects() if kind == "object" else self.lists())
        found = _match(kind, items, slug_or_id)
        if found is None and was_cached:
            # The cached listing may predate a newly created object/list: refresh once before giving up.
            self._entries.pop(listing_key, None)
            items = await (self.objects() if kind == "object" else self.lists())
            found = _match(kind, items, slug_or_id)
        if found is None:
            raise _lookup_error(kind, items, slug_or_id)
        return found

    async def _load(self, kind: Literal["object", "list"], item: Any) -> TargetSchema:
        target: Literal["objects", "lists"] = "objects" if kind == "object" else "lists"
        id_key = "object_id" if kind == "object" else "list_id"
        ident = _slug(item, id_key)
        attrs = await self._client.list_attributes(target, ident)
        slug_by_object_id = {_ident(o, "object_id"): _slug(o, "object_id") for o in await self.objects()}
        options = await self._load_options(target, ident, attrs)
        infos = [_attr_info(a, slug_by_object_id, options.get(_ident(a, "attribute_id"), ())) for a in attrs]
        if kind == "object":
            name = str(_get(item, "plural_noun") or _get(item, "singular_noun") or ident)
            parents: tuple[str, ...] = ()
        else:
            name = str(_get(item, "name") or ident)
            parents = tuple(_get(item, "parent_object") or ())
        return TargetSchema(
            kind=kind,
            slug=ident,
            id=_ident(item, id_key),
            name=name,
            attributes={a.slug: a for a in infos},
            parent_objects=parents,
        )

    async def _load_options(
        self, target: Literal["objects", "lists"], ident: str, attrs: Sequence[Attribute]
    ) -> dict[str, tuple[str, ...]]:
        """Active option/status titles per attribute id, fetched concurrently."""
        found: dict[str, tuple[str, ...]] = {}
        failures: builtins.list[Exception] = []
        limiter = anyio.CapacityLimiter(_OPTION_FETCH_CONCURRENCY)

        async def fetch(attr: Attribute) -> None:
            slug = _slug(attr, "attribute_id")
            rows: Sequence[SelectOption | Status]
            try:
                async with limiter:
                    if _get(attr, "type") == "status":
                        rows = await self._client.list_statuses(target, ident, slug)
                    else:
                        rows = await self._client.list_select_options(target, ident, slug)
            except Exception as exc:  # re-raised below without an ExceptionGroup wrapper
                failures.append(exc)
                return
            found[_ident(attr, "attribute_id")] = tuple(
                str(_get(r, "title")) for r in rows if not _get(r, "is_archived", False)
            )

        async with anyio.create_task_group() as tg:
            for attr in attrs:
                if _get(attr, "type") in ("select", "status") and not _get(attr, "is_archived", False):
                    tg.start_soon(fetch, attr)
        if failures:
            raise failures[0]
        return found


def _attr_info(attr: Attribute, slug_by_object_id: dict[str, str], options: tuple[str, ...]) -> AttrInfo:
    config = _get(attr, "config")
    ref_config = _get(config, "record_reference")
    allowed_ids = _get(ref_config, "allowed_object_ids") or _get(ref_config, "allowed_objects") or ()
    return AttrInfo(
        slug=_slug(attr, "attribute_id"),
        id=_ident(attr, "attribute_id"),
        title=str(_get(attr, "title") or _slug(attr, "attribute_id")),
        type=str(_get(attr, "type") or "text"),
        multi=bool(_get(attr, "is_multiselect", False)),
        required=bool(_get(attr, "is_required", False)),
        unique=bool(_get(attr, "is_unique", False)),
        writable=bool(_get(attr, "is_writable", True)),
        system=bool(_get(attr, "is_system_attribute", False)),
        archived=bool(_get(attr, "is_archived", False)),
        default_enabled=bool(_get(attr, "is_default_value_enabled", False)),
        allowed_objects=tuple(slug_by_object_id.get(str(i), str(i)) for i in allowed_ids),
        options=options,
        currency_code=_get(_get(config, "currency"), "default_currency_code"),
    )


def _names(kind: str, item: Any) -> list[str]:
    """Every name an object/list answers to, slug first."""
    if kind == "object":
        keys = ("api_slug", "singular_noun", "plural_noun")
        return [str(_get(item, k)) for k in keys if _get(item, k)]
    return [str(_get(item, k)) for k in ("api_slug", "name") if _get(item, k)]


def _match(kind: str, items: list[Any], slug_or_id: str) -> Any | None:
    key = slug_or_id.strip()
    id_key = "object_id" if kind == "object" else "list_id"
    for item in items:
        if key == _get(item, "api_slug") or key.lower() == _ident(item, id_key).lower():
            return item
    lowered = key.lower()
    for item in items:
        if lowered in (n.lower() for n in _names(kind, item)):
            return item
    return None


def _lookup_error(kind: Literal["object", "list"], items: list[Any], value: str) -> LookupFailure:
    id_key = "object_id" if kind == "object" else "list_id"
    slugs = [_slug(i, id_key) for i in items]
    owner = {n: _slug(i, id_key) for i in items for n in _names(kind, i)}
    suggestions: list[str] = []
    seen: set[str] = set()
    for name in did_you_mean(value, owner):
        if owner[name] not in seen:
            seen.add(owner[name])
            # Objects are suggested by slug; lists by whichever form matched (slug or name).
            suggestions.append(owner[name] if kind == "object" else name)
    return LookupFailure(kind, value, suggestions, slugs)
