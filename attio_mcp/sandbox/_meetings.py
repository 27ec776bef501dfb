"""Meetings, call recordings and transcripts (Attio beta endpoints): listing, filters and cursors.

Meetings are stored in Attio's read shape. ``start``/``end`` are ``{datetime, timezone}`` (the datetime
carries the timezone's offset) or ``{date}`` for all-day meetings, whose ``end`` date is exclusive. Lists
are paged with opaque cursors: base64 of the next offset and a digest of the query, so a cursor only
continues the query that produced it.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ._clock import parse_ts
from ._errors import not_found, validation_error
from ._ids import is_uuid
from ._store import Store

__all__ = [
    "decode_cursor",
    "encode_cursor",
    "all_day",
    "list_meetings",
    "local_point",
    "meeting_bounds",
    "meeting_of",
    "recording_of",
    "recordings_of",
    "zone",
]

SORTS = ("start_asc", "start_desc")


def zone(name: str | None) -> Any:
    """The IANA zone ``name`` (UTC when unknown or missing, as Attio treats invalid timezones)."""
    try:
        return ZoneInfo(name) if name else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def _moment(point: Mapping[str, Any], tz: Any) -> datetime:
    if "date" in point:
        day = datetime.fromisoformat(point["date"])
        return day.replace(tzinfo=tz).astimezone(UTC)
    return parse_ts(point["datetime"])


def meeting_bounds(meeting: Mapping[str, Any], tz: Any = UTC) -> tuple[datetime, datetime]:
    """(start, exclusive end) in UTC; all-day dates are read in ``tz``."""
    return _moment(meeting["start"], tz), _moment(meeting["end"], tz)


def encode_cursor(offset: int, query: Mapping[str, Any]) -> str:
    digest = hashlib.sha256(json.dumps(dict(query), sort_keys=True).encode()).hexdigest()[:16]
    payload = base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode().rstrip("=")
    return f"{payload}.{digest}"


def decode_cursor(cursor: str | None, query: Mapping[str, Any], *, name: str = "cursor") -> int:
    """The offset a cursor continues from (0 without one); 400 for a cursor of another query or garbage."""
    if cursor is None or cursor == "":
        return 0
    payload, _, digest = cursor.partition(".")
    try:
        offset = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["offset"]
    except (ValueError, KeyError, TypeError) as exc:
        raise validation_error(
            f'"{name}" is not a valid cursor.', [name], issue_code="invalid_string"
        ) from exc
    if not isinstance(offset, int) or offset < 0 or encode_cursor(offset, query) != cursor:
        raise validation_error(
            f'"{name}" is not a valid cursor for this request.', [name], issue_code="invalid_string"
        )
    return offset


def _instant(raw: str | None, name: str) -> datetime | None:
    if raw is None or raw == "":
        return None
    try:
        return parse_ts(raw)
    except ValueError as exc:
        raise validation_error(
            f'"{name}" must be an ISO 8601 timestamp.', [name], issue_code="invalid_string"
        ) from exc


def list_meetings(store: Store, params: Mapping[str, str]) -> list[dict[str, Any]]:
    """Meetings matching GET /v2/meetings query parameters, in the requested deterministic order."""
    sort = params.get("sort") or "start_asc"
    if sort not in SORTS:
        raise validation_error(
            '"sort" must be start_asc or start_desc.', ["sort"], issue_code="invalid_enum_value"
        )
    linked_object, linked_record = params.get("linked_object") or None, params.get("linked_record_id") or None
    if (linked_object is None) != (linked_record is None):
        raise validation_error(
            "linked_object and linked_record_id must be given together.",
            ["linked_record_id" if linked_object else "linked_object"],
        )
    object_id = None
    if linked_object is not None:
        object_id = store.schema.object(linked_object)["id"]["object_id"]
        if not is_uuid(linked_record):
            raise validation_error(
                "linked_record_id must be a UUID.", ["linked_record_id"], issue_code="invalid_string"
            )
    emails = {e.strip().lower() for e in (params.get("participants") or "").split(",") if e.strip()}
    ends_from = _instant(params.get("ends_from"), "ends_from")
    starts_before = _instant(params.get("starts_before"), "starts_before")
    tz = zone(params.get("timezone"))
    found = []
    for meeting in store.meetings.values():
        start, end = meeting_bounds(meeting, tz if meeting["is_all_day"] else UTC)
        if ends_from is not None and end < ends_from:
            continue
        if starts_before is not None and start >= starts_before:
            continue
        if object_id is not None and not any(
            link["object_id"] == object_id and link["record_id"] == linked_record
            for link in meeting["linked_records"]
        ):
            continue
        if emails and not any((p["email_address"] or "").lower() in emails for p in meeting["participants"]):
            continue
        found.append((start, meeting["id"]["meeting_id"], meeting))
    found.sort(key=lambda row: (row[0], row[1]), reverse=sort == "start_desc")
    return [meeting for _, _, meeting in found]


def meeting_of(store: Store, meeting_id: str) -> dict[str, Any]:
    meeting = store.meetings.get(meeting_id)
    if meeting is None:
        raise not_found(f'Meeting with ID "{meeting_id}" was not found.')
    return meeting


def recordings_of(store: Store, meeting_id: str) -> list[dict[str, Any]]:
    """The meeting's call recordings, oldest first (404 for an unknown meeting)."""
    meeting_of(store, meeting_id)
    found = [r for r in store.call_recordings.values() if r["id"]["meeting_id"] == meeting_id]
    return sorted(found, key=lambda r: (r["created_at"], r["id"]["call_recording_id"]))


def recording_of(store: Store, meeting_id: str, recording_id: str) -> dict[str, Any]:
    """One recording of one meeting (404 when either is unknown or they do not belong together)."""
    meeting_of(store, meeting_id)
    recording = store.call_recordings.get(recording_id)
    if recording is None or recording["id"]["meeting_id"] != meeting_id:
        raise not_found(f'Call recording with ID "{recording_id}" was not found.')
    return recording


def utc_text(moment: datetime) -> str:
    """A datetime as Attio writes meeting times: milliseconds, with the offset."""
    return moment.isoformat(timespec="milliseconds")


def local_point(moment: datetime, tz_name: str | None) -> dict[str, Any]:
    """``{datetime, timezone}`` for a UTC instant shown in ``tz_name`` (UTC and null when unknown)."""
    tz = zone(tz_name)
    text = utc_text(moment.astimezone(tz))
    return {
        "datetime": text.replace("+00:00", "Z") if tz is UTC else text,
        "timezone": tz_name if tz is not UTC else None,
    }


def all_day(first: datetime, days: int) -> tuple[dict[str, str], dict[str, str]]:
    """``{date}`` start and exclusive end of an all-day meeting of ``days`` days."""
    return {"date": first.date().isoformat()}, {"date": (first + timedelta(days=days)).date().isoformat()}
