"""workspace.aggregate: parsing group_by and metrics, and every aggregate against a brute-force computation."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attio_mcp.workspace import WorkspaceError
from attio_mcp.workspace.aggregate import number, parse_group_by, parse_metrics, tabulate
from attio_mcp.workspace.schema import AttrInfo, TargetSchema

STAGES = ("Lead", "Won", "Lost")
TAGS = ("a", "b", "c")
ATTRS = [
    AttrInfo("stage", "1", "Stage", "status", options=STAGES),
    AttrInfo("tags", "2", "Tags", "select", multi=True, options=TAGS),
    AttrInfo("owner", "3", "Owner", "actor-reference"),
    AttrInfo("company", "4", "Company", "record-reference", allowed_objects=("companies",)),
    AttrInfo("close_date", "5", "Close date", "date"),
    AttrInfo("kickoff", "6", "Kickoff", "timestamp"),
    AttrInfo("amount", "7", "Amount", "number"),
    AttrInfo("value", "8", "Value", "currency", currency_code="USD"),
    AttrInfo("health", "9", "Health", "rating"),
    AttrInfo("name", "10", "Deal name", "text"),
]
SCHEMA = TargetSchema("object", "deals", "o1", "Deals", {a.slug: a for a in ATTRS})
NUMERIC = ("amount", "value", "health")


def _v(kind: str, **fields: Any) -> dict[str, Any]:
    return {
        "active_from": "2026-01-01T00:00:00.000000000Z",
        "active_until": None,
        "attribute_type": kind,
        **fields,
    }


def _old(value: dict[str, Any]) -> dict[str, Any]:
    return {**value, "active_until": "2026-02-01T00:00:00.000000000Z"}


dates = st.dates(min_value=date(2025, 11, 1), max_value=date(2027, 2, 28))
amounts = st.one_of(st.integers(-5, 10**6), st.floats(-1e5, 1e6, allow_nan=False).map(lambda x: round(x, 4)))


@st.composite
def records(draw: st.DrawFn) -> dict[str, list[dict[str, Any]]]:
    """A record's ``values``: any attribute may be missing; tags are multi; amounts may carry a currency."""
    out: dict[str, list[dict[str, Any]]] = {}
    if draw(st.booleans()):
        out["stage"] = [_v("status", status={"title": draw(st.sampled_from([*STAGES, "Archived"]))})]
    tags = draw(st.lists(st.sampled_from(TAGS), unique=True, max_size=3))
    out["tags"] = [_v("select", option={"title": t}) for t in tags]
    if draw(st.booleans()):
        out["tags"].append(_old(_v("select", option={"title": "c"})))  # history never counts
    if draw(st.booleans()):
        kind = draw(st.sampled_from(["workspace-member", "api-token", "system"]))
        ident = draw(st.sampled_from(["m1", "m2"])) if kind != "system" else None
        out["owner"] = [_v("actor-reference", referenced_actor_type=kind, referenced_actor_id=ident)]
    if draw(st.booleans()):
        out["company"] = [
            _v("record-reference", target_object="companies", target_record_id=draw(st.sampled_from("xyz")))
        ]
    if draw(st.booleans()):
        out["close_date"] = [_v("date", value=draw(dates).isoformat())]
    if draw(st.booleans()):
        moment = datetime.combine(draw(dates), datetime.min.time()).isoformat() + ".000000000Z"
        out["kickoff"] = [_v("timestamp", value=moment)]
    if draw(st.booleans()):
        out["amount"] = [_v("number", value=draw(amounts))]
    if draw(st.booleans()):
        code = draw(st.sampled_from(["USD", "USD", "EUR", None]))
        out["value"] = [_v("currency", currency_value=draw(amounts), currency_code=code)]
        if draw(st.booleans()):
            out["value"].insert(0, _old(_v("currency", currency_value=1e9, currency_code="USD")))
    if draw(st.booleans()):
        out["health"] = [_v("rating", value=draw(st.integers(0, 5)))]
    return out


# -- brute force: written independently of the module under test -------------------------------------


def _now(values: dict[str, Any], slug: str) -> list[dict[str, Any]]:
    return [v for v in values.get(slug, []) if v["active_until"] is None]


def _bucket(text: str, bucket: str) -> str:
    d = date.fromisoformat(text[:10])
    return {
        "day": d.isoformat(),
        "week": d.strftime("%G-W%V"),
        "month": d.strftime("%Y-%m"),
        "quarter": f"{d.year}-Q{(d.month + 2) // 3}",
        "year": str(d.year),
    }[bucket]


def _keys(values: dict[str, Any], group: str, bucket: str | None) -> set[Any]:
    keys = set()
    for v in _now(values, group):
        if group == "stage":
            keys.add(v["status"]["title"])
        elif group == "tags":
            keys.add(v["option"]["title"])
        elif group == "owner":
            kind, ident = v["referenced_actor_type"], v["referenced_actor_id"]
            keys.add(ident if kind == "workspace-member" else kind if kind == "system" else "api-token")
        elif group == "company":
            keys.add(v["target_record_id"])
        else:
            keys.add(_bucket(v["value"], bucket or "day"))
    return keys or {None}


def _numbers(values: dict[str, Any], slug: str) -> list[tuple[float, str | None]]:
    out = []
    for v in _now(values, slug):
        if slug == "value":
            out.append((float(v["currency_value"]), v["currency_code"] or "USD"))
        else:
            out.append((float(v["value"]), None))
    return out


def _figure(numbers: list[float], op: str) -> float | None:
    if op == "sum":
        return sum(numbers)
    if not numbers:
        return None
    return {"avg": sum(numbers) / len(numbers), "min": min(numbers), "max": max(numbers)}[op]


def _close(got: Any, want: float | None) -> bool:
    if want is None or got is None:
        return got is None and want is None
    return math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-3)


GROUPS = st.sampled_from(
    [("stage", None), ("tags", None), ("owner", None), ("company", None)]
    + [(slug, b) for slug in ("close_date", "kickoff") for b in ("day", "week", "month", "quarter", "year")]
    + [(None, None)]
)
METRICS = st.lists(
    st.tuples(st.sampled_from(["sum", "avg", "min", "max"]), st.sampled_from(NUMERIC)),
    unique=True,
    max_size=4,
)


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(records(), max_size=40), group=GROUPS, metrics=METRICS)
def test_every_aggregate_matches_brute_force(
    rows: list[dict[str, Any]], group: tuple[str | None, str | None], metrics: list[tuple[str, str]]
) -> None:
    slug, bucket = group
    spec = parse_group_by(SCHEMA, f"{slug}:{bucket}" if bucket else slug) if slug else None
    parsed = parse_metrics(SCHEMA, ["count", *(f"{op}:{m}" for op, m in metrics)])
    table = tabulate(rows, spec, parsed, limit_groups=10_000)

    members: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    if slug:
        for values in rows:
            for key in _keys(values, slug, bucket):
                members[key].append(values)
    if slug in ("stage", "tags"):
        for option in STAGES if slug == "stage" else TAGS:
            members.setdefault(option, [])  # every option is a row, empty or not

    codes = sorted({c for values in rows for _, c in _numbers(values, "value")})
    expected_columns = [*([spec.name] if spec else []), "count"]
    plan: list[tuple[str, str, str | None]] = []
    for op, m in metrics:
        if m == "value" and len(codes) > 1:
            plan += [(op, m, c) for c in codes]
            expected_columns += [f"{op}:{m}:{c}" for c in codes]
        else:
            plan.append((op, m, codes[0] if m == "value" and codes else None))
            expected_columns.append(f"{op}:{m}")
    assert table.columns == expected_columns
    if any(m == "value" for _, m in metrics) and len(codes) == 1:
        assert table.currency == {"value": codes[0]}

    def cells(group_rows: list[dict[str, Any]]) -> list[Any]:
        out: list[Any] = [len(group_rows)]
        for op, m, code in plan:
            nums = [x for values in group_rows for x, c in _numbers(values, m) if m != "value" or c == code]
            out.append(_figure(nums, op))
        return out

    assert table.totals[0] == len(rows)
    assert all(_close(g, w) for g, w in zip(table.totals[1:], cells(rows)[1:], strict=True))
    assert set(table.keys) == set(members) and len(table.keys) == len(members) == table.groups
    for key, row in zip(table.keys, table.rows, strict=True):
        want = cells(members[key])
        assert row[0] == want[0], key
        assert all(_close(g, w) for g, w in zip(row[1:], want[1:], strict=True)), (key, row, want)
    # order: options in their order, dates in time order, others largest first; the null group last
    present = [k for k in table.keys if k is not None]
    if slug in ("stage", "tags"):
        assert present[:3] == list(STAGES if slug == "stage" else TAGS)
    elif slug in ("close_date", "kickoff"):
        assert present == sorted(present)
    elif slug:
        assert [len(members[k]) for k in present] == sorted((len(members[k]) for k in present), reverse=True)
    if None in table.keys:
        assert table.keys[-1] is None


def test_limit_groups_cuts_rows_but_not_totals() -> None:
    rows = [
        {"company": [_v("record-reference", target_object="companies", target_record_id=c)]} for c in "xxxyyz"
    ]
    table = tabulate(rows, parse_group_by(SCHEMA, "company"), [], limit_groups=2)
    assert table.keys == ["x", "y"] and table.rows == [[3], [2]]
    assert table.groups == 3 and table.totals == [6]
    assert table.refs == {"x": "companies", "y": "companies"}


def test_numbers_are_compact() -> None:
    assert [number(x) for x in (None, 3.0, 0.1 + 0.2, -2.00004, 1e20)] == [None, 3, 0.3, -2.0, 1e20]


@pytest.mark.parametrize(
    ("group_by", "message", "options"),
    [
        ("stge", "has no attribute 'stge'", "stage"),
        ("name", "name is a text attribute", "stage"),
        ("close_date", "close_date is a date: group it by a bucket", "month"),
        ("close_date:fortnight", "not 'fortnight'", "quarter"),
        ("stage:month", "only dates take a bucket", None),
    ],
)
def test_bad_group_by(group_by: str, message: str, options: str | None) -> None:
    with pytest.raises(WorkspaceError) as caught:
        parse_group_by(SCHEMA, group_by)
    error = caught.value
    assert (error.code, error.field) == ("VALIDATION_ERROR", "group_by")
    assert message in error.message
    if options:
        assert options in error.options


@pytest.mark.parametrize(
    ("metrics", "field", "message"),
    [
        (["count", "median:amount"], "metrics.1", "is not a metric"),
        (["sum"], "metrics.0", "is not a metric"),
        (["sum:name"], "metrics.0", "name is a text attribute"),
        (["avg:amout"], "metrics.0", "has no attribute 'amout'"),
        (
            [f"{op}:{m}" for op in ("sum", "avg", "min", "max") for m in NUMERIC[:3]],
            "metrics",
            "more than 10",
        ),
    ],
)
def test_bad_metrics(metrics: list[str], field: str, message: str) -> None:
    with pytest.raises(WorkspaceError) as caught:
        parse_metrics(SCHEMA, metrics)
    assert (caught.value.field, caught.value.code) == (field, "VALIDATION_ERROR")
    assert message in caught.value.message


def test_metrics_are_deduplicated_and_count_is_implicit() -> None:
    parsed = parse_metrics(SCHEMA, ["count", "sum:value", " SUM:Value ", "avg:Amount"])
    assert [m.name for m in parsed] == ["sum:value", "avg:amount"]
