"""Planning a bulk import: every row checked against the live schema before anything is written.

:func:`plan_import` checks slugs, types, options, required attributes and duplicate unique keys inside the
batch, and collects every problem by row index and field. A problem with the import as a whole (unknown
mode, a matching attribute that is not unique, too many rows) raises :class:`ImportRefused`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel

from attio_mcp.workspace.errors import InputError, WorkspaceError
from attio_mcp.workspace.values import UUID_RE, prepare_values, validate_all

if TYPE_CHECKING:
    from attio_mcp.attio import WorkspaceMember
    from attio_mcp.workspace.schema import TargetSchema

Mode = Literal["upsert", "create", "update"]
MODES: tuple[str, ...] = ("upsert", "create", "update")
MAX_ROWS = 10_000
DEFAULT_WORKERS = 10
MAX_LISTED = 50  # errors listed in a summary; the rest are counted


@dataclass(frozen=True)
class RowError:
    """One problem with one row: found by validation or returned by Attio."""

    row: int
    code: str
    message: str
    field: str | None = None

    def issue(self) -> ImportIssue:
        return ImportIssue(row=self.row, field=self.field or None, code=self.code, message=self.message)


class ImportIssue(BaseModel):
    row: int
    field: str | None = None
    code: str
    message: str


class ImportedRow(BaseModel):
    row: int
    id: str
    action: str


class ImportResult(BaseModel):
    """A bulk import's outcome: a dry-run report (valid, invalid) or a run summary (created, updated, …)."""

    object: str
    mode: Mode
    matching_attribute: str | None = None
    status: str
    rows: int
    valid: int | None = None
    invalid: int | None = None
    created: int | None = None
    updated: int | None = None
    upserted: int | None = None
    failed: int | None = None
    skipped: int | None = None
    not_attempted: int | None = None
    in_flight_when_cancelled: list[int] | None = None
    maybe_written: list[int] | None = None  # failed rows Attio may have written all the same
    stopped_reason: str | None = None
    seconds: float | None = None
    errors: list[ImportIssue] | None = None
    errors_more: int | None = None
    ids: list[ImportedRow] | None = None
    cancelled_earlier: ImportResult | None = None  # what a cancelled import by the same caller had done

    def as_dict(self) -> dict[str, Any]:
        """The JSON form: fields left ``None`` omitted."""
        return self.model_dump(mode="json", exclude_none=True)


class ImportRefused(WorkspaceError):
    """The whole import is refused before anything is written (always a VALIDATION_ERROR)."""

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        next_step: str | None = None,
        options: Sequence[str] = (),
    ) -> None:
        super().__init__("VALIDATION_ERROR", message, field=field, next_step=next_step, options=options)


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

    def result(self) -> ImportResult:
        """The dry-run result: counts plus every problem (capped)."""
        errors, more = listed(self.errors)
        return ImportResult(
            object=self.object,
            mode=self.mode,
            matching_attribute=self.matching_attribute or None,
            status="dry_run",
            rows=self.total,
            valid=len(self.rows),
            invalid=self.invalid,
            errors=errors,
            errors_more=more,
        )

    def report(self) -> dict[str, Any]:
        """:meth:`result` as a dict (what the ``import`` command prints)."""
        return self.result().as_dict()


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
        for slug, value in keys:
            first = seen.get((slug, value))
            if first is not None:
                shown = value if len(value) <= 80 else value[:77] + "..."
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


def listed(
    errors: Sequence[RowError], limit: int = MAX_LISTED
) -> tuple[list[ImportIssue] | None, int | None]:
    """The first ``limit`` errors (None when there are none) and how many more there are (None when none)."""
    shown = [e.issue() for e in errors[:limit]] or None
    return shown, (len(errors) - limit if len(errors) > limit else None)
