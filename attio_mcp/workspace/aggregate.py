"""``records_aggregate``: count, sum, average, minimum and maximum of records by group, over a full scan.

A group is a select option, a status, an actor, a referenced record, or a date bucket of a date or timestamp
attribute (``close_date:month``). A record with several values (a multi-select, several references) counts in
each of their groups, so group counts may add up to more than the total, which counts every record once; a
record without a value goes to the ``null`` group. Every option of a select or status attribute gets a row,
empty ones too, in the attribute's own order; date buckets run in time order; other groups by count, largest
first. Metrics read number, currency and rating attributes; a record without a value is left out of that
metric (``sum`` of nothing is 0, ``avg``/``min``/``max`` of nothing null). A currency metric names its code;
should one attribute hold amounts in several currencies, each currency gets its own column, never a sum of
mixed currencies.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from attio_mcp.workspace.compile import compile_filter
from attio_mcp.workspace.context import Workspace
from attio_mcp.workspace.errors import WorkspaceError, did_you_mean
from attio_mcp.workspace.interpret import Interpreted
from attio_mcp.workspace.labels import member_labels, record_names
from attio_mcp.workspace.periods import BUCKETS, bucket_label
from attio_mcp.workspace.scan import MAX_SCANNED, Progress, scan_records
from attio_mcp.workspace.schema import AttrInfo, TargetSchema

__all__ = [
    "GROUP_TYPES",
    "METRIC_TYPES",
    "AggregateResult",
    "GroupBy",
    "Metric",
    "Table",
    "aggregate_records",
    "group_keys",
    "metric_values",
    "number",
    "parse_group_by",
    "parse_metrics",
    "tabulate",
]

GROUP_TYPES = ("select", "status", "actor-reference", "record-reference", "date", "timestamp")
DATE_TYPES = ("date", "timestamp")
METRIC_TYPES = ("number", "currency", "rating")
OPS = ("sum", "avg", "min", "max")
MAX_METRICS = 10

Values = Mapping[str, Sequence[Mapping[str, Any]]]
Cell = str | int | float | None


class AggregateResult(BaseModel):
    """A table of groups: ``columns`` names each cell of a row (the group, ``count``, then the metrics);
    ``totals`` are the count and metrics over all records, aligned with ``columns[1:]``."""

    columns: list[str]
    rows: list[list[Cell]]
    totals: list[int | float | None]
    ids: list[str | None] | None = None
    currency: dict[str, str] | None = None
    groups: int | None = None
    scanned: int
    complete: bool
    note: str | None = None
    interpreted: list[str] | None = None


@dataclass(frozen=True)
class GroupBy:
    """What records are grouped by: an attribute and, for dates, a bucket."""

    attr: AttrInfo
    bucket: str | None = None

    @property
    def name(self) -> str:
        return f"{self.attr.slug}:{self.bucket}" if self.bucket else self.attr.slug


@dataclass(frozen=True)
class Metric:
    """``sum``/``avg``/``min``/``max`` of a numeric attribute."""

    op: str
    attr: AttrInfo

    @property
    def name(self) -> str:
        return f"{self.op}:{self.attr.slug}"


def _invalid(message: str, field: str, next_step: str, options: Sequence[str] = ()) -> WorkspaceError:
    return WorkspaceError("VALIDATION_ERROR", message, field=field, next_step=next_step, options=options)


def _slugs(schema: TargetSchema, types: Sequence[str]) -> list[str]:
    return [a.slug for a in schema.attributes.values() if a.type in types and not a.archived]


def _find(schema: TargetSchema, slug: str, field: str, types: Sequence[str], what: str) -> AttrInfo:
    attr = schema.get(slug)
    eligible = _slugs(schema, types)
    if attr is None:
        close = did_you_mean(slug, list(schema.attributes))
        hint = f"did you mean {', '.join(close)}? " if close else ""
        raise _invalid(f"{schema.slug} has no attribute {slug!r}", field, f"{hint}use {what}.", eligible)
    if attr.type not in types:
        raise _invalid(f"{attr.slug} is a {attr.type} attribute", field, f"use {what}.", eligible)
    return attr


def parse_group_by(schema: TargetSchema, text: str) -> GroupBy:
    """``"stage"``, ``"owner"``, ``"company"`` or ``"close_date:month"`` -> a ``GroupBy``."""
    slug, sep, bucket = text.strip().rpartition(":") if ":" in text else (text.strip(), "", "")
    what = "a select, status, actor or record-reference slug, or a date slug with a bucket"
    attr = _find(schema, slug.strip(), "group_by", GROUP_TYPES, what)
    bucket = bucket.strip().lower()
    if attr.type in DATE_TYPES:
        if bucket not in BUCKETS:
            raise _invalid(
                f"{attr.slug} is a {attr.type}: group it by a bucket" + (f", not {bucket!r}" if sep else ""),
                "group_by",
                f'pass e.g. "{attr.slug}:month".',
                BUCKETS,
            )
        return GroupBy(attr, bucket)
    if sep:
        raise _invalid(
            f"only dates take a bucket; {attr.slug} is a {attr.type}", "group_by", f'pass "{attr.slug}".'
        )
    return GroupBy(attr)


def parse_metrics(schema: TargetSchema, texts: Sequence[str] | None) -> list[Metric]:
    """``["count", "sum:deal_value", "avg:deal_value"]`` -> the metrics besides ``count`` (always given)."""
    out: list[Metric] = []
    for i, text in enumerate(texts or ()):
        where = f"metrics.{i}"
        op, _, slug = text.strip().partition(":")
        op = op.strip().lower()
        if op == "count" and not slug:
            continue
        if op not in OPS or not slug.strip():
            raise _invalid(
                f"{text!r} is not a metric",
                where,
                'pass "count" or "<op>:<slug>", e.g. "sum:deal_value".',
                ["count", *(f"{o}:<slug>" for o in OPS)],
            )
        metric = Metric(op, _find(schema, slug.strip(), where, METRIC_TYPES, "a number or currency slug"))
        if metric not in out:
            out.append(metric)
    if len(out) > MAX_METRICS:
        raise _invalid(
            f"{len(out)} metrics is more than {MAX_METRICS}", "metrics", "ask for fewer metrics per call."
        )
    return out


# -- reading values ------------------------------------------------------------------------------------


def _current(values: Values, slug: str) -> list[Mapping[str, Any]]:
    return [v for v in values.get(slug) or () if v.get("active_until") is None]


def _choice(value: Mapping[str, Any], key: str) -> str | None:
    choice = value.get(key)
    if isinstance(choice, Mapping):
        title = choice.get("title")
        return str(title) if title is not None else None
    return str(choice) if choice is not None else None  # the spec also allows a bare id


def _actor_key(value: Mapping[str, Any]) -> str | None:
    kind, ident = value.get("referenced_actor_type"), value.get("referenced_actor_id")
    if kind == "workspace-member" and ident:
        return str(ident)
    if kind in (None, "system", "api-token") or not ident:
        return str(kind) if kind else None
    return f"{kind}:{ident}"


def group_keys(values: Values, group: GroupBy, refs: dict[str, str] | None = None) -> list[str | None]:
    """The groups one record falls in (``[None]`` when it has no value); ``refs`` collects each referenced
    record's object."""
    attr, keys = group.attr, list[str | None]()
    for value in _current(values, attr.slug):
        key: str | None
        if attr.type == "select":
            key = _choice(value, "option")
        elif attr.type == "status":
            key = _choice(value, "status")
        elif attr.type == "actor-reference":
            key = _actor_key(value)
        elif attr.type == "record-reference":
            target = value.get("target_record_id")
            key = str(target) if target else None
            if key and refs is not None:
                refs[key] = str(value.get("target_object") or "")
        else:
            key = bucket_label(value.get("value"), group.bucket or "day")
        if key is not None and key not in keys:
            keys.append(key)
    return keys or [None]


def _as_number(raw: Any) -> float | None:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        return None
    try:
        return float(raw)
    except ValueError:
        return None


def metric_values(values: Values, attr: AttrInfo) -> list[tuple[float, str | None]]:
    """The numbers one record holds in ``attr``, each with its currency code (None if not currency)."""
    out = []
    for value in _current(values, attr.slug):
        if attr.type == "currency":
            amount = _as_number(value.get("currency_value"))
            code = value.get("currency_code") or attr.currency_code
            if amount is not None:
                out.append((amount, str(code) if code else None))
        elif (amount := _as_number(value.get("value"))) is not None:
            out.append((amount, None))
    return out


def number(x: float | None) -> int | float | None:
    """A figure as output shows it: integral values as ints, others to 4 decimals (Attio's precision)."""
    if x is None:
        return None
    rounded = round(x, 4)
    return int(rounded) if rounded == int(rounded) and abs(rounded) < 2**53 else rounded


@dataclass
class _Acc:
    n: int = 0
    total: float = 0.0
    low: float | None = None
    high: float | None = None

    def add(self, x: float) -> None:
        self.n += 1
        self.total += x
        self.low = x if self.low is None else min(self.low, x)
        self.high = x if self.high is None else max(self.high, x)

    def value(self, op: str) -> float | None:
        if op == "sum":
            return self.total
        if op == "avg":
            return self.total / self.n if self.n else None
        return self.low if op == "min" else self.high


@dataclass
class _Group:
    count: int = 0
    accs: dict[tuple[str, str | None], _Acc] = field(default_factory=dict)

    def add(self, numbers: Mapping[str, list[tuple[float, str | None]]]) -> None:
        self.count += 1
        for slug, pairs in numbers.items():
            for amount, code in pairs:
                self.accs.setdefault((slug, code), _Acc()).add(amount)


@dataclass
class Table:
    """The computed table before labels: group keys in output order, cells per row, totals."""

    columns: list[str]
    keys: list[str | None]
    rows: list[list[int | float | None]]
    totals: list[int | float | None]
    groups: int
    currency: dict[str, str]
    refs: dict[str, str]


def _columns(
    metrics: Sequence[Metric], total: _Group
) -> tuple[list[tuple[Metric, str | None, str]], dict[str, str]]:
    """One column per metric, or per metric and currency when an attribute holds several currencies."""
    out: list[tuple[Metric, str | None, str]] = []
    currency: dict[str, str] = {}
    for metric in metrics:
        seen = {code for slug, code in total.accs if slug == metric.attr.slug}
        codes = sorted(seen, key=lambda c: c or "") or [metric.attr.currency_code]
        if metric.attr.type == "currency" and len(codes) == 1 and codes[0]:
            currency[metric.attr.slug] = codes[0]
        for code in codes:
            name = metric.name if len(codes) == 1 else f"{metric.name}:{code or 'none'}"
            out.append((metric, code, name))
    return out, currency


def _cells(group: _Group, columns: Sequence[tuple[Metric, str | None, str]]) -> list[int | float | None]:
    cells: list[int | float | None] = [group.count]
    for metric, code, _ in columns:
        acc = group.accs.get((metric.attr.slug, code))
        cells.append(number(acc.value(metric.op)) if acc else (0 if metric.op == "sum" else None))
    return cells


def _order(group: GroupBy | None, groups: dict[str | None, _Group]) -> list[str | None]:
    keys = [k for k in groups if k is not None]
    if group is None:
        keys = []
    elif group.attr.type in ("select", "status"):
        rank = {title: i for i, title in enumerate(group.attr.options)}
        keys.sort(key=lambda k: (rank.get(k, len(rank)), k))
    elif group.attr.type in DATE_TYPES:
        keys.sort()
    else:
        keys.sort(key=lambda k: (-groups[k].count, k))
    ordered: list[str | None] = list(keys)
    return [*ordered, None] if None in groups else ordered


def tabulate(
    records: Iterable[Values], group: GroupBy | None, metrics: Sequence[Metric], limit_groups: int
) -> Table:
    """Group and measure ``records`` (their ``values`` maps); rows beyond ``limit_groups`` are cut."""
    groups: dict[str | None, _Group] = {}
    if group is not None and group.attr.type in ("select", "status"):
        groups.update({title: _Group() for title in group.attr.options})
    total = _Group()
    refs: dict[str, str] = {}
    slugs = {m.attr.slug: m.attr for m in metrics}
    for values in records:
        numbers = {slug: metric_values(values, attr) for slug, attr in slugs.items()}
        total.add(numbers)
        if group is not None:
            for key in group_keys(values, group, refs):
                groups.setdefault(key, _Group()).add(numbers)
    columns, currency = _columns(metrics, total)
    order = _order(group, groups)
    shown = order[:limit_groups]
    return Table(
        columns=[*([group.name] if group else []), "count", *(name for _, _, name in columns)],
        keys=shown,
        rows=[_cells(groups[k], columns) for k in shown],
        totals=_cells(total, columns),
        groups=len(order),
        currency=currency,
        refs={k: refs[k] for k in shown if k is not None and k in refs},
    )


async def _labels(d: Workspace, group: GroupBy, table: Table) -> list[str | None]:
    keys = table.keys
    if group.attr.type == "actor-reference":
        members = await member_labels(d)
        return [None if k is None else members.get(k, k) for k in keys]
    if group.attr.type == "record-reference":
        names = await record_names(d, [(obj, k) for k, obj in table.refs.items() if obj])
        return [None if k is None else names.get(k, k) for k in keys]
    return list(keys)


async def aggregate_records(
    d: Workspace,
    schema: TargetSchema,
    *,
    filter: Mapping[str, Any] | None = None,
    group_by: str | None = None,
    metrics: Sequence[str] | None = None,
    limit_groups: int = 50,
    cap: int = MAX_SCANNED,
    progress: Progress | None = None,
) -> AggregateResult:
    """Scan the records of ``schema`` matching ``filter`` and tabulate them; labels name actors and records."""
    group = parse_group_by(schema, group_by) if group_by else None
    measured = parse_metrics(schema, metrics)
    notes = Interpreted()
    where = await compile_filter(d, schema, filter, notes) if filter is not None else None
    scan = await scan_records(d, schema, where, cap=cap, progress=progress)
    table = tabulate((r.values for r in scan.rows), group, measured, limit_groups)
    labels = await _labels(d, group, table) if group else []
    rows: list[list[Cell]] = [[label, *cells] for label, cells in zip(labels, table.rows, strict=True)]
    return AggregateResult(
        columns=table.columns,
        rows=rows,
        totals=table.totals,
        ids=list(table.keys) if group and group.attr.type == "record-reference" else None,
        currency=table.currency or None,
        groups=table.groups if table.groups > len(rows) else None,
        scanned=len(scan.rows),
        complete=scan.complete,
        note=None
        if scan.complete
        else f"stopped after {len(scan.rows):,} records, the most one call reads; narrow the filter "
        "for figures over every record.",
        interpreted=notes.out(),
    )
