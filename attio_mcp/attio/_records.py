"""Endpoint methods for the token, objects, attributes and records (``AttioClient`` inherits them).

Each method declares at its call site whether the operation is a read (read bucket) and whether it is
idempotent (safe to repeat after a 5xx or timeout). Creates and PATCH updates are not: a create replayed
after a lost response duplicates the record, and PATCH appends to multiselect attributes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime
from typing import Any, Literal, TypeVar

from pydantic import BaseModel

from ._errors import InvalidArgumentError
from ._http import _HttpCore, _path
from ._models import (
    AttioObject,
    Attribute,
    Record,
    RecordEntry,
    SearchResult,
    SelectOption,
    Status,
    TokenInfo,
)
from ._pagination import paginate_offset

M = TypeVar("M", bound=BaseModel)
Target = Literal["objects", "lists"]


def _data(body: Any) -> Any:
    """Unwrap Attio's ``{"data": …}`` envelope (``/v2/self`` has none)."""
    if isinstance(body, Mapping) and "data" in body:
        return body["data"]
    return body


def _one(model: type[M], body: Any) -> M:
    data = _data(body)
    return model.model_validate(data if isinstance(data, Mapping) else {})


def _many(model: type[M], body: Any) -> list[M]:
    data = _data(body)
    items = data if isinstance(data, list) else []
    return [model.model_validate(item) for item in items if isinstance(item, Mapping)]


def _query_body(
    filter: Mapping[str, Any] | None, sorts: Sequence[Any] | None, limit: int | None, offset: int | None
) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if filter is not None:
        body["filter"] = dict(filter)
    if sorts is not None:
        body["sorts"] = list(sorts)
    if limit is not None:
        body["limit"] = limit
    if offset is not None:
        body["offset"] = offset
    return body


def _timestamp(value: str | datetime | None) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else value


def _check_target(target: str) -> None:
    if target not in ("objects", "lists"):
        raise InvalidArgumentError(f"target must be 'objects' or 'lists', not {target!r}")


class _RecordsAPI(_HttpCore):
    """Token, schema and record endpoints; ``AttioClient`` adds lists, entries, notes, tasks and members."""

    async def _get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return await self.request("GET", path, params=params, idempotent=True, read=True)

    async def _query(self, path: str, body: Mapping[str, Any]) -> Any:
        """Read-style POST (query/search): a read, and safe to repeat."""
        return await self.request("POST", path, json=body, idempotent=True, read=True)

    async def _create(self, path: str, body: Mapping[str, Any]) -> Any:
        """Create POST: never repeated after an ambiguous failure, or it could create a duplicate."""
        return await self.request("POST", path, json=body, idempotent=False, read=False)

    async def _delete(self, path: str) -> None:
        await self.request("DELETE", path, idempotent=True, read=False)

    # -- token, objects, attributes --------------------------------------------------------------------

    async def get_self(self) -> TokenInfo:
        """Describe the token: active flag, scopes and workspace."""
        return _one(TokenInfo, await self._get(_path("self")))

    async def list_objects(self) -> list[AttioObject]:
        """All objects in the workspace (no pagination)."""
        return _many(AttioObject, await self._get(_path("objects")))

    async def get_object(self, object: str) -> AttioObject:
        """One object by slug or UUID."""
        return _one(AttioObject, await self._get(_path("objects", object)))

    async def list_attributes(
        self, target: Target, identifier: str, *, show_archived: bool = False
    ) -> list[Attribute]:
        """Attributes of an object or list, in UI order."""
        _check_target(target)
        params = {"show_archived": True} if show_archived else None
        return _many(Attribute, await self._get(_path(target, identifier, "attributes"), params))

    async def get_attribute(self, target: Target, identifier: str, attribute: str) -> Attribute:
        """One attribute by slug or UUID."""
        _check_target(target)
        return _one(Attribute, await self._get(_path(target, identifier, "attributes", attribute)))

    async def list_select_options(
        self, target: Target, identifier: str, attribute: str, *, show_archived: bool = False
    ) -> list[SelectOption]:
        """Options of a select attribute."""
        _check_target(target)
        params = {"show_archived": True} if show_archived else None
        path = _path(target, identifier, "attributes", attribute, "options")
        return _many(SelectOption, await self._get(path, params))

    async def list_statuses(
        self, target: Target, identifier: str, attribute: str, *, show_archived: bool = False
    ) -> list[Status]:
        """Statuses of a status attribute."""
        _check_target(target)
        params = {"show_archived": True} if show_archived else None
        path = _path(target, identifier, "attributes", attribute, "statuses")
        return _many(Status, await self._get(path, params))

    # -- records ---------------------------------------------------------------------------------------

    async def query_records(
        self,
        object: str,
        *,
        filter: Mapping[str, Any] | None = None,
        sorts: Sequence[Any] | None = None,
        limit: int | None = None,
        offset: int | None = None,
    ) -> list[Record]:
        """One page of records matching ``filter`` (Attio's default limit is 500)."""
        body = _query_body(filter, sorts, limit, offset)
        return _many(Record, await self._query(_path("objects", object, "records", "query"), body))

    async def iter_records(
        self,
        object: str,
        *,
        filter: Mapping[str, Any] | None = None,
        sorts: Sequence[Any] | None = None,
        page_size: int = 500,
    ) -> AsyncIterator[Record]:
        """Every matching record, fetched page by page until a short page."""

        async def fetch(limit: int, offset: int) -> list[Record]:
            return await self.query_records(object, filter=filter, sorts=sorts, limit=limit, offset=offset)

        async for record in paginate_offset(fetch, page_size):
            yield record

    async def search_records(self, query: str, objects: list[str], *, limit: int = 25) -> list[SearchResult]:
        """Fuzzy search over names, domains, emails and phones (eventually consistent; limit 1–25)."""
        body = {"query": query, "objects": list(objects), "limit": limit, "request_as": {"type": "workspace"}}
        return _many(SearchResult, await self._query(_path("objects", "records", "search"), body))

    async def create_record(self, object: str, values: Mapping[str, Any]) -> Record:
        """Create a record; fails with ``uniqueness_conflict`` on a duplicate unique value. Not retried on 5xx."""
        body = {"data": {"values": dict(values)}}
        return _one(Record, await self._create(_path("objects", object, "records"), body))

    async def assert_record(self, object: str, matching_attribute: str, values: Mapping[str, Any]) -> Record:
        """Upsert by a unique attribute: update the match or create a record."""
        body = {"data": {"values": dict(values)}}
        result = await self.request(
            "PUT",
            _path("objects", object, "records"),
            params={"matching_attribute": matching_attribute},
            json=body,
            idempotent=True,
            read=False,
        )
        return _one(Record, result)

    async def get_record(self, object: str, record_id: str) -> Record:
        """One record by id."""
        return _one(Record, await self._get(_path("objects", object, "records", record_id)))

    async def update_record(
        self, object: str, record_id: str, values: Mapping[str, Any], *, overwrite: bool = False
    ) -> Record:
        """PATCH (appends to multiselects; not retried on 5xx) or, with ``overwrite``, PUT (replaces them)."""
        body = {"data": {"values": dict(values)}}
        path = _path("objects", object, "records", record_id)
        method = "PUT" if overwrite else "PATCH"
        return _one(Record, await self.request(method, path, json=body, idempotent=overwrite, read=False))

    async def delete_record(self, object: str, record_id: str) -> None:
        """Delete a record permanently."""
        await self._delete(_path("objects", object, "records", record_id))

    async def list_record_entries(
        self, object: str, record_id: str, *, limit: int | None = None, offset: int | None = None
    ) -> list[RecordEntry]:
        """The list entries a record has, across all lists."""
        path = _path("objects", object, "records", record_id, "entries")
        return _many(RecordEntry, await self._get(path, {"limit": limit, "offset": offset}))
