"""Bulk import engine shared by the ``records_import`` tool and the ``attio-mcp import`` command.

Two phases. :func:`plan_import` checks every row against the live schema (slugs, types, options, required
attributes, duplicate unique keys inside the batch) and collects every problem by row index and field
without sending anything. :class:`ImportRun` then writes the valid rows with a small pool of workers; the
client's write token bucket paces them, so throughput sits at the write ceiling and each row costs one
request:

- ``upsert``: ``PUT /records?matching_attribute=`` (assert). Idempotent, so the client may retry it and a
  retry can never duplicate a record. Attio does not say whether an assert created or updated; the engine
  infers it by comparing the returned ``created_at`` with the wall-clock time the request started (clock
  skew between this machine and Attio can move rows between the two counts; their sum is exact).
- ``update``: ``PUT /records/{record_id}`` (multiselects replaced, as with an assert). Idempotent.
- ``create``: ``POST /records``. Not retry-safe: a create whose response is lost may or may not exist.

Nothing here imports MCP; callers turn :class:`ImportRefused` and the summary dict into their own output.
"""

from __future__ import annotations

import json
import logging
import math
import re
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

import anyio

from attio_mcp.attio import AttioError, AttioStatusError
from attio_mcp.tools._coerce import UUID_RE
from attio_mcp.tools._values import InputError, prepare_values, validate_all

if TYPE_CHECKING:
    from attio_mcp.attio import AttioClient, Record, WorkspaceMember
    from attio_mcp.tools._schema import TargetSchema

__all__ = [
    "DEFAULT_WORKERS",
    "MAX_ROWS",
    "MODES",
    "ImportPlan",
    "ImportRefused",
    "ImportRun",
    "PlannedRow",
    "RowError",
    "default_matching_attribute",
    "needs_members",
    "plan_import",
    "workers_for",
]

logger = logging.getLogger("attio_mcp.tools.bulk")

Mode = Literal["upsert", "create", "update"]
MODES: tuple[str, ...] = ("upsert", "create", "update")
MAX_ROWS = 10_000
DEFAULT_WORKERS = 10
MAX_LISTED = 50  # errors listed in a summary; the rest are counted
PROGRESS_SECONDS = 0.25
REQUEUE_PASSES = 2  # extra passes over rows whose writes stayed rate-limited through the client's retries
BREAKER = 20  # consecutive RATE_LIMIT / UPSTREAM_ERROR failures that stop a run (Attio is down)

ProgressCallback = Callable[[int, int, int], Awaitable[None]]
_FRACTION = re.compile(r"(\.\d{6})\d+")


@dataclass(frozen=True)
class RowError:
    """One problem with one row: found by validation or returned by Attio."""

    row: int
    code: str
    message: str
    field: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"row": self.row}
        if self.field:
            out["field"] = self.field
        out["code"] = self.code
        out["message"] = self.message
        return out


class ImportRefused(Exception):
    """The whole import is refused before anything is written (always a VALIDATION_ERROR)."""

    code = "VALIDATION_ERROR"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        next_step: str | None = None,
        options: Sequence[str] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.next_step = next_step
        self.options = list(options)


@dataclass(frozen=True)
class PlannedRow:
    """A valid row, ready to send: its index in the input and its Attio write payload."""

    index: int
    values: dict[str, Any]
    record_id: str | None = None


@dataclass
class ImportPlan:
    """Phase 1's outcome: the rows to write and every problem found in the others."""

    object: str
    mode: Mode
    matching_attribute: str | None
    total: int
    rows: list[PlannedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def invalid(self) -> int:
        """How many rows have at least one problem (they are skipped)."""
        return len({e.row for e in self.errors})

    def header(self) -> dict[str, Any]:
        out: dict[str, Any] = {"object": self.object, "mode": self.mode}
        if self.matching_attribute:
            out["matching_attribute"] = self.matching_attribute
        return out

    def report(self) -> dict[str, Any]:
        """The dry-run result: counts plus every problem (capped)."""
        out = {**self.header(), "status": "dry_run", "rows": self.total, "valid": len(self.rows)}
        out["invalid"] = self.invalid
        return out | _listed(self.errors)


def workers_for(writes_per_second: float) -> int:
    """Workers needed to keep the write bucket busy at ~400 ms per request, clamped to 4..16."""
    if not math.isfinite(writes_per_second):
        return 16
    return max(4, min(16, math.ceil(writes_per_second * 0.4)))


def default_matching_attribute(schema: TargetSchema) -> str | None:
    """The object's unique writable attribute (``domains``, ``email_addresses``…), or None (e.g. deals)."""
    unique = [a for a in schema.attributes.values() if a.unique and a.writable and not a.archived]
    if not unique:
        return None
    return next((a.slug for a in unique if not a.system), unique[0].slug)


def needs_members(schema: TargetSchema, rows: Iterable[Any]) -> bool:
    """Whether any row writes an actor-reference attribute (whose values are matched to members)."""
    actor_keys = {a.slug for a in schema.attributes.values() if a.type == "actor-reference"}
    if not actor_keys:
        return False
    for row in rows:
        if isinstance(row, Mapping):
            for key in row:
                attr = schema.get(str(key))
                if attr is not None and attr.slug in actor_keys:
                    return True
    return False


def plan_import(
    schema: TargetSchema,
    rows: Sequence[Any],
    *,
    mode: str = "upsert",
    matching_attribute: str | None = None,
    members: Sequence[WorkspaceMember] = (),
    max_rows: int | None = MAX_ROWS,
) -> ImportPlan:
    """Validate every row; raise :class:`ImportRefused` for problems with the import as a whole."""
    if mode not in MODES:
        raise ImportRefused(f"unknown mode {mode!r}", field="mode", options=MODES)
    if max_rows is not None and len(rows) > max_rows:
        raise ImportRefused(
            f"{len(rows):,} rows is more than the {max_rows:,} allowed in one call",
            field="rows",
            next_step=f"split the rows into batches of at most {max_rows:,} and import each batch.",
        )
    matching = _matching(schema, mode, matching_attribute)
    plan = ImportPlan(schema.slug, mode, matching, len(rows))  # type: ignore[arg-type]
    for index, raw in enumerate(rows):
        planned, errors = _check_row(schema, index, raw, mode, matching, members)
        plan.errors.extend(errors)
        if planned is not None:
            plan.rows.append(planned)
    _drop_duplicates(schema, plan)
    return plan


def _matching(schema: TargetSchema, mode: str, given: str | None) -> str | None:
    unique = [a.slug for a in schema.attributes.values() if a.unique and a.writable and not a.archived]
    if mode != "upsert":
        if given:
            raise ImportRefused(
                f"matching_attribute only applies to mode 'upsert', not {mode!r}",
                field="matching_attribute",
                next_step="drop matching_attribute, or use mode 'upsert'.",
            )
        return None
    if not given:
        found = default_matching_attribute(schema)
        if found is None:
            raise ImportRefused(
                f"{schema.slug} has no unique attribute, so rows cannot be upserted",
                field="matching_attribute",
                next_step="use mode 'update' with a record_id per row, or mode 'create' (not retry-safe).",
            )
        return found
    attr = schema.get(given)
    if attr is None or not (attr.unique and attr.writable and not attr.archived):
        what = "no attribute" if attr is None else "a non-unique attribute"
        raise ImportRefused(
            f"{given!r} is {what} of {schema.slug}; upserts match on a unique attribute",
            field="matching_attribute",
            options=unique,
            next_step="pick a unique attribute (attributes_list marks them) or omit it for the default.",
        )
    return attr.slug


def _check_row(
    schema: TargetSchema,
    index: int,
    raw: Any,
    mode: str,
    matching: str | None,
    members: Sequence[WorkspaceMember],
) -> tuple[PlannedRow | None, list[RowError]]:
    if not isinstance(raw, Mapping):
        return None, [RowError(index, "VALIDATION_ERROR", "a row must be an object of slug -> value")]
    data = dict(raw)
    errors: list[RowError] = []
    record_id = data.pop("record_id", None)
    if mode == "update":
        if record_id is None or record_id == "":
            errors.append(RowError(index, "VALIDATION_ERROR", "mode 'update' needs a record_id", "record_id"))
        elif not isinstance(record_id, str) or not UUID_RE.match(record_id.strip()):
            errors.append(RowError(index, "VALIDATION_ERROR", f"invalid UUID {record_id!r}", "record_id"))
        else:
            record_id = record_id.strip().lower()
    elif record_id is not None:
        errors.append(
            RowError(index, "VALIDATION_ERROR", "record_id is only used with mode 'update'", "record_id")
        )
    if not data:
        errors.append(RowError(index, "VALIDATION_ERROR", "the row has no values to write"))
        return None, errors
    for_create = mode != "update"  # an upsert row may create a record, so it needs the required ones
    try:
        values: dict[str, Any] | None = prepare_values(schema, data, for_create=for_create, members=members)
    except InputError:
        values = None
        problems = validate_all(schema, data, for_create=for_create, members=members)
        errors.extend(RowError(index, "VALIDATION_ERROR", e.message, e.field) for e in problems)
    if values is not None and matching and values.get(matching) in (None, []):
        errors.append(
            RowError(index, "VALIDATION_ERROR", f"upsert rows need a value for {matching!r}", matching)
        )
    if errors or values is None:
        return None, errors
    return PlannedRow(index, values, record_id), errors


def _keys(value: Any) -> list[str]:
    """Comparable forms of a unique attribute's prepared value (one per item of a multiselect)."""
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if isinstance(item, str):
            out.append(item.strip().lower())
        elif item is not None:
            out.append(json.dumps(item, sort_keys=True, default=str))
    return out


def _drop_duplicates(schema: TargetSchema, plan: ImportPlan) -> None:
    """A unique value (or record_id) seen in an earlier valid row makes the later row invalid."""
    unique = [a.slug for a in schema.attributes.values() if a.unique]
    seen: dict[tuple[str, str], int] = {}
    kept: list[PlannedRow] = []
    for row in plan.rows:
        clashes: list[RowError] = []
        keys: list[tuple[str, str]] = []
        if row.record_id:
            keys.append(("record_id", row.record_id))
        keys += [(slug, k) for slug in unique if slug in row.values for k in _keys(row.values[slug])]
        for slug, key in keys:
            first = seen.get((slug, key))
            if first is not None:
                shown = key if len(key) <= 80 else key[:77] + "..."
                clashes.append(
                    RowError(
                        row.index, "VALIDATION_ERROR", f"duplicate {slug} {shown!r}: row {first} has it", slug
                    )
                )
        if clashes:
            plan.errors.extend(clashes)
            continue
        for key in keys:
            seen[key] = row.index
        kept.append(row)
    plan.rows = kept
    plan.errors.sort(key=lambda e: e.row)


def _listed(errors: Sequence[RowError], limit: int = MAX_LISTED) -> dict[str, Any]:
    if not errors:
        return {}
    out: dict[str, Any] = {"errors": [e.as_dict() for e in errors[:limit]]}
    if len(errors) > limit:
        out["errors_more"] = len(errors) - limit
    return out


def _parse_ts(text: str | None) -> float | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(_FRACTION.sub(r"\1", text.replace("Z", "+00:00"))).timestamp()
    except ValueError:
        return None


def _field_of(exc: AttioError) -> str | None:
    if not isinstance(exc, AttioStatusError):
        return None
    for item in exc.validation_errors or ():
        path = item.get("path") if isinstance(item, dict) else None
        if isinstance(path, list):
            tail = [str(p) for p in path if not isinstance(p, int) and p not in ("data", "values")]
            if tail:
                return ".".join(tail)
    return None


class ImportRun:
    """Phase 2: write a plan's rows concurrently. Its counters are readable at any time (also mid-run)."""

    def __init__(
        self,
        plan: ImportPlan,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.plan = plan
        self.status = "pending"
        self.stopped_reason: str | None = None
        self.created = 0
        self.updated = 0
        self.upserted = 0  # asserts whose outcome could not be inferred
        self.failures: list[RowError] = []
        self.ids: dict[int, str] = {}
        self.actions: dict[int, str] = {}
        self.in_flight: set[int] = set()
        self.unknown: list[int] = []  # rows whose request was cancelled mid-flight
        self.started: float | None = None
        self.finished: float | None = None
        self._clock = clock
        self._wall = wall
        self._stop = False
        self._streak = 0
        self._requeued: list[PlannedRow] = []
        self._last_report = (0, -math.inf)

    @property
    def done(self) -> int:
        return len(self.ids) + len(self.failures)

    @property
    def elapsed(self) -> float:
        if self.started is None:
            return 0.0
        return (self.finished if self.finished is not None else self._clock()) - self.started

    async def execute(
        self,
        client: AttioClient,
        *,
        workers: int = DEFAULT_WORKERS,
        stop_on_error: bool = False,
        on_progress: ProgressCallback | None = None,
    ) -> None:
        """Write every planned row; on cancellation log what was written, then re-raise."""
        self.status = "running"
        self.started = self._clock()
        total = len(self.plan.rows)
        batch = list(self.plan.rows)

        async def worker(pending: Iterator[PlannedRow], last_pass: bool) -> None:
            for row in pending:  # one shared iterator: each row is taken by exactly one worker
                if self._stop:
                    return
                await self._write(client, row, stop_on_error, requeue=not last_pass)
                if on_progress is not None:
                    await self._progress(on_progress, total)

        try:
            for attempt in range(1 + REQUEUE_PASSES):
                pending = iter(batch)
                async with anyio.create_task_group() as tg:
                    for _ in range(max(1, min(workers, len(batch)))):
                        tg.start_soon(worker, pending, attempt == REQUEUE_PASSES)
                batch, self._requeued = sorted(self._requeued, key=lambda r: r.index), []
                if not batch or self._stop:
                    break
                logger.info("import into %s: retrying %d rate-limited rows", self.plan.object, len(batch))
        except anyio.get_cancelled_exc_class():
            self.finished = self._clock()
            self.status = "cancelled"
            logger.info("import into %s cancelled: %s", self.plan.object, self._log_line())
            raise
        self.finished = self._clock()
        self.status = "stopped" if self._stop else "completed"
        if on_progress is not None and total:
            await self._progress(on_progress, total, force=True)
        logger.info("import into %s %s: %s", self.plan.object, self.status, self._log_line())

    async def _write(
        self, client: AttioClient, row: PlannedRow, stop_on_error: bool, *, requeue: bool
    ) -> None:
        plan = self.plan
        self.in_flight.add(row.index)
        started = self._wall()
        try:
            if plan.mode == "upsert":
                record = await client.assert_record(plan.object, plan.matching_attribute or "", row.values)
            elif plan.mode == "create":
                record = await client.create_record(plan.object, row.values)
            else:
                record = await client.update_record(
                    plan.object, row.record_id or "", row.values, overwrite=True
                )
        except anyio.get_cancelled_exc_class():
            self.unknown.append(row.index)
            raise
        except AttioError as exc:
            self._fail(row, exc, stop_on_error, requeue=requeue)
            return
        finally:
            self.in_flight.discard(row.index)
        self._streak = 0
        self._succeed(row.index, record, started)

    def _succeed(self, index: int, record: Record, started: float) -> None:
        if self.plan.mode == "create":
            action = "created"
        elif self.plan.mode == "update":
            action = "updated"
        else:
            created_at = _parse_ts(record.created_at)
            if created_at is None:
                action = "upserted"
            else:  # Attio stamps milliseconds: compare against the start truncated to them
                action = "created" if created_at >= math.floor(started * 1000) / 1000 else "updated"
        setattr(self, action, getattr(self, action) + 1)
        self.ids[index] = record.record_id or ""
        self.actions[index] = action

    def _fail(self, row: PlannedRow, exc: AttioError, stop_on_error: bool, *, requeue: bool) -> None:
        code = exc.machine_code
        self._streak = self._streak + 1 if code in ("RATE_LIMIT", "UPSTREAM_ERROR") else 0
        if requeue and code == "RATE_LIMIT" and self._streak < BREAKER:
            self._requeued.append(row)  # a 429 was never processed: safe to send again in a later pass
            return
        message = exc.message or code.lower()
        if self.plan.mode == "create" and code == "UPSTREAM_ERROR":
            message += " (the record may have been created anyway; check before retrying this row)"
        self.failures.append(RowError(row.index, code, message, _field_of(exc)))
        if stop_on_error:
            self._halt(f"row {row.index} failed and stop_on_error is set")
        elif code == "AUTH_ERROR":
            self._halt("Attio refused the token (AUTH_ERROR); every row would fail")
        elif self._streak >= BREAKER:
            self._halt(f"{BREAKER} writes in a row failed with {code}; Attio looks unavailable")

    def _halt(self, reason: str) -> None:
        if not self._stop:
            self._stop = True
            self.stopped_reason = reason

    async def _progress(self, callback: ProgressCallback, total: int, *, force: bool = False) -> None:
        done, now = self.done, self._clock()
        last_done, last_time = self._last_report
        step = max(1, total // 100)
        if not force and done < total and done - last_done < step and now - last_time < PROGRESS_SECONDS:
            return
        if force and done == last_done:
            return
        self._last_report = (done, now)
        try:
            await callback(done, total, len(self.failures))
        except Exception:  # a progress consumer that went away must not stop the import
            logger.debug("progress callback failed", exc_info=True)

    def _log_line(self) -> str:
        line = (
            f"{self.created} created, {self.updated} updated, {self.upserted} upserted, "
            f"{len(self.failures)} failed of {len(self.plan.rows)} valid rows ({self.plan.invalid} skipped)"
        )
        if self.unknown:
            line += f"; rows {sorted(self.unknown)[:20]} were in flight (written or not: re-run to be sure)"
        return line

    def summary(self, *, return_ids: bool = False) -> dict[str, Any]:
        """Compact result: counts, the errors (validation and write, capped) and, on request, the ids."""
        plan = self.plan
        out: dict[str, Any] = {**plan.header(), "status": self.status, "rows": plan.total}
        for key in ("created", "updated", "upserted"):
            if getattr(self, key) or key != "upserted":
                out[key] = getattr(self, key)
        out["failed"] = len(self.failures)
        out["skipped"] = plan.invalid
        not_attempted = len(plan.rows) - self.done - len(self.unknown)
        if not_attempted:
            out["not_attempted"] = not_attempted
        if self.unknown:
            out["in_flight_when_cancelled"] = sorted(self.unknown)
        if self.stopped_reason:
            out["stopped_reason"] = self.stopped_reason
        out["seconds"] = round(self.elapsed, 2)
        out.update(_listed(sorted(plan.errors + self.failures, key=lambda e: e.row)))
        if return_ids:
            out["ids"] = [{"row": i, "id": self.ids[i], "action": self.actions[i]} for i in sorted(self.ids)]
        return out
