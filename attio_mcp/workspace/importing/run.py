"""Bulk import engine shared by the ``records_import`` tool and the ``attio-mcp import`` command.

Two phases. :func:`~attio_mcp.workspace.importing.plan.plan_import` checks every row against the live schema (slugs, types, options, required
attributes, duplicate unique keys inside the batch) and collects every problem by row index and field
without sending anything. :class:`ImportRun` then writes the valid rows with a small pool of workers; the
client's write token bucket paces them, so throughput sits at the write ceiling and each row costs one
request:

- ``upsert``: ``PUT /records?matching_attribute=`` (assert). Idempotent, so the client may retry it and a
  retry can never duplicate a record; a row whose retries all failed (429, 5xx, timeout, dropped connection)
  goes back into the queue for up to ``REQUEUE_PASSES`` (4) more passes, so a run through a flaky network
  still writes every row. Attio does not say whether an assert created or updated; the engine
  infers it by comparing the returned ``created_at`` with the wall-clock time the request started (clock
  skew between this machine and Attio can move rows between the two counts; their sum is exact).
- ``update``: ``PUT /records/{record_id}`` (multiselects replaced, as with an assert). Idempotent, requeued
  like an upsert.
- ``create``: ``POST /records``. Not retry-safe: a create whose response is lost may or may not exist, so
  only rows Attio certainly did not act on (429, or no connection at all) are requeued.

Every failed row's message says what is known: an upsert or update that may have been written (re-running
converges), a create that may have been created (look before retrying), or a row Attio never received.
``ImportResult.maybe_written`` lists the failed rows that Attio may have written anyway.

Nothing here imports MCP; callers turn :class:`ImportRefused` and the
:class:`~attio_mcp.workspace.importing.plan.ImportResult` into their own output.
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

import anyio

from attio_mcp.attio import AttioClientClosedError, AttioError
from attio_mcp.workspace.errors import code_of, field_of, may_have_applied, was_sent
from attio_mcp.workspace.importing.plan import (
    DEFAULT_WORKERS,
    ImportedRow,
    ImportPlan,
    ImportResult,
    PlannedRow,
    RowError,
    listed,
)

if TYPE_CHECKING:
    from attio_mcp.attio import AttioClient, Record

logger = logging.getLogger("attio_mcp.workspace.importing")

PROGRESS_SECONDS = 0.25
# Extra passes over rows whose writes failed retry-safely through all the client's retries. Each pass costs
# only the rows still failing; a real outage trips BREAKER long before.
REQUEUE_PASSES = 4
BREAKER = 20  # consecutive RATE_LIMIT / UPSTREAM_ERROR failures that stop a run (Attio is down)

ProgressCallback = Callable[[int, int, int], Awaitable[None]]
_FRACTION = re.compile(r"(\.\d{6})\d+")


def _parse_ts(text: str | None) -> float | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(_FRACTION.sub(r"\1", text.replace("Z", "+00:00"))).timestamp()
    except ValueError:
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
        self.maybe_written: set[int] = set()  # failed rows Attio may have written all the same
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
                logger.info("import into %s: sending %d failed rows again", self.plan.object, len(batch))
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
        code = code_of(exc)
        self._streak = self._streak + 1 if code in ("RATE_LIMIT", "UPSTREAM_ERROR") else 0
        closed = isinstance(exc, AttioClientClosedError)
        applied = may_have_applied(exc) and not closed
        # Sending again is safe after a 429 or an unsent request (Attio did nothing), and after any transient
        # failure for upserts and updates, which are idempotent; never for a create Attio may have made.
        transient = code == "RATE_LIMIT" or (code == "UPSTREAM_ERROR" and not closed)
        repeatable = code == "RATE_LIMIT" or not was_sent(exc) or self.plan.mode != "create"
        if requeue and transient and repeatable and self._streak < BREAKER:
            self._requeued.append(row)
            return
        message = (exc.message or code.lower()).rstrip(".")
        if applied:
            self.maybe_written.add(row.index)
            if self.plan.mode == "create":
                message += " (the record may have been created anyway; look it up before retrying this row)"
            else:
                message += " (the row may have been written anyway; re-running the import is safe)"
        elif code == "UPSTREAM_ERROR" and not was_sent(exc):
            message += " (not written: Attio never received this row)"
        elif code in ("RATE_LIMIT", "UPSTREAM_ERROR"):
            message += " (not written)"
        self.failures.append(RowError(row.index, code, message, field_of(exc)))
        if closed:
            self._halt(
                "the Attio client was closed (the server is shutting down); no further row can be sent"
            )
        elif stop_on_error:
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

    def result(self, *, return_ids: bool = False) -> ImportResult:
        """Compact result: counts, the errors (validation and write, capped) and, on request, the ids."""
        plan = self.plan
        errors, more = listed(sorted(plan.errors + self.failures, key=lambda e: e.row))
        ids = None
        if return_ids:
            ids = [ImportedRow(row=i, id=self.ids[i], action=self.actions[i]) for i in sorted(self.ids)]
        return ImportResult(
            object=plan.object,
            mode=plan.mode,
            matching_attribute=plan.matching_attribute or None,
            status=self.status,
            rows=plan.total,
            created=self.created,
            updated=self.updated,
            upserted=self.upserted or None,
            failed=len(self.failures),
            skipped=plan.invalid,
            not_attempted=len(plan.rows) - self.done - len(self.unknown) or None,
            in_flight_when_cancelled=sorted(self.unknown) or None,
            stopped_reason=self.stopped_reason or None,
            maybe_written=sorted(self.maybe_written) or None,
            seconds=round(self.elapsed, 2),
            errors=errors,
            errors_more=more,
            ids=ids,
        )

    def summary(self, *, return_ids: bool = False) -> dict[str, Any]:
        """:meth:`result` as a dict (what the ``import`` command prints)."""
        return self.result(return_ids=return_ids).as_dict()
