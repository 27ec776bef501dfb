"""The reports tools end to end (MCP client -> server -> sandbox); every figure is checked against a brute-force
computation over the sandbox's own store (its records and their full value histories)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import anyio
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcp import Client

from attio_mcp.sandbox import create_app
from attio_mcp.sandbox._seed_pipeline import add_pipeline_deals
from attio_mcp.sandbox._store import Item, Store
from attio_mcp.server.app import build_server
from attio_mcp.server.settings import Settings
from attio_mcp.workspace import Workspace
from attio_mcp.workspace.aggregate import aggregate_records
from tests.security.harness import Harness, RecordingTransport, harness

EXTRA_DEALS = 1_200  # with the 35 demo deals: three pages of 500


def when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def shown(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    millis = moment.microsecond // 1000
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + (f".{millis:03d}Z" if millis else "Z")


class Brute:
    """Straightforward answers read from the sandbox's store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.emails = {mid: m["email_address"] for mid, m in store.members.items()}

    def records(self, slug: str) -> list[Item]:
        return list(self.store.object_records(self.store.schema.object(slug)["id"]["object_id"]).values())

    def entries(self, slug: str) -> list[Item]:
        return list(self.store.list_entries(self.store.schema.list(slug)["id"]["list_id"]).values())

    def attr(self, parent: str, slug: str) -> Any:
        return self.store.schema.attr(parent, slug)

    def name(self, item: Item) -> str | None:
        values = item.current("name")
        if not values:
            return None
        return values[0].get("full_name") or values[0].get("value")

    def actor(self, actor: dict[str, Any] | None) -> str | None:
        if not actor:
            return None
        kind, ident = (
            actor.get("type") or actor.get("referenced_actor_type"),
            actor.get("id") or actor.get("referenced_actor_id"),
        )
        if kind == "workspace-member":
            return self.emails.get(ident, ident)
        return kind if kind in ("system", "api-token") or not ident else f"{kind}:{ident}"

    @staticmethod
    def stage(item: Item, slug: str = "stage") -> tuple[str | None, datetime | None]:
        values = item.current(slug)
        return (values[0]["status"]["title"], when(values[0]["active_from"])) if values else (None, None)


@pytest.fixture(scope="module")
def h() -> Iterator[Harness]:
    with harness() as hn:
        add_pipeline_deals(hn.app.state.sandbox, EXTRA_DEALS, seed=3)
        yield hn


@pytest.fixture(scope="module")
def brute(h: Harness) -> Brute:
    return Brute(h.app.state.sandbox)


def ok(h: Harness, name: str, args: dict[str, Any]) -> dict[str, Any]:
    result = h.call(name, args)
    assert not result.is_error, result.content[0].text
    assert isinstance(result.structured_content, dict)
    return result.structured_content


def fail(h: Harness, name: str, args: dict[str, Any], code: str = "VALIDATION_ERROR") -> str:
    result = h.call(name, args)
    assert result.is_error, result.structured_content
    text: str = result.content[0].text
    assert text.startswith(f"{code}:") and " Next: " in text, text
    return text


def queries(h: Harness, since: int, path: str = "/records/query") -> int:
    return sum(1 for r, _ in h.transport.log[since:] if r.url.path.endswith(path))


# -- records_aggregate ---------------------------------------------------------------------------------


def _bucket(value: str, bucket: str) -> str:
    d = datetime.fromisoformat(value).astimezone(UTC).date() if "T" in value else date.fromisoformat(value)
    return {
        "day": d.isoformat(),
        "week": d.strftime("%G-W%V"),
        "month": d.strftime("%Y-%m"),
        "quarter": f"{d.year}-Q{(d.month + 2) // 3}",
        "year": str(d.year),
    }[bucket]


def _keys(brute: Brute, item: Item, kind: str, slug: str, bucket: str | None) -> set[Any]:
    keys = set()
    for v in item.current(slug):
        if kind == "status":
            keys.add(v["status"]["title"])
        elif kind == "select":
            keys.add(v["option"]["title"])
        elif kind == "actor-reference":
            keys.add(brute.actor(v))
        elif kind == "record-reference":
            keys.add(v["target_record_id"])
        else:
            keys.add(_bucket(v["value"], bucket or "day"))
    return keys or {None}


def _numbers(item: Item, slug: str) -> list[float]:
    return [float(v.get("currency_value", v.get("value"))) for v in item.current(slug)]


def _figure(numbers: list[float], op: str) -> float | None:
    if op == "sum":
        return sum(numbers)
    if not numbers:
        return None
    return {"avg": sum(numbers) / len(numbers), "min": min(numbers), "max": max(numbers)}[op]


def _same(got: Any, want: float | None) -> bool:
    if got is None or want is None:
        return got is None and want is None
    return math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-3)


GROUP_TYPES = ("select", "status", "actor-reference", "record-reference", "date", "timestamp")
FILTERS: dict[str, list[tuple[dict[str, Any] | None, Callable[[Item], bool]]]] = {
    "deals": [
        (None, lambda i: True),
        ({"stage": "Closed Won"}, lambda i: Brute.stage(i)[0] == "Closed Won"),
        (
            {"deal_value": {"$gte": 50000}},
            lambda i: any(v["currency_value"] >= 50000 for v in i.current("deal_value")),
        ),
    ],
    "projects": [
        (None, lambda i: True),
        ({"tags": "Analytics"}, lambda i: "Analytics" in {v["option"]["title"] for v in i.current("tags")}),
    ],
    "companies": [(None, lambda i: True)],
    "people": [(None, lambda i: True)],
}


@st.composite
def aggregate_calls(draw: st.DrawFn, brute: Brute) -> tuple[str, int, str | None, list[str]]:
    obj = draw(st.sampled_from(sorted(FILTERS)))
    object_id = brute.store.schema.object(obj)["id"]["object_id"]
    attrs = brute.store.schema.attrs(object_id).values()
    groupable = sorted(a.slug for a in attrs if a.type in GROUP_TYPES)
    numeric = sorted(a.slug for a in attrs if a.type in ("number", "currency", "rating"))
    slug = draw(st.sampled_from([*groupable, None]))
    group = None
    if slug is not None:
        kind = brute.attr(object_id, slug).type
        bucket = (
            draw(st.sampled_from(["day", "week", "month", "quarter", "year"]))
            if kind in ("date", "timestamp")
            else None
        )
        group = f"{slug}:{bucket}" if bucket else slug
    ops = st.sampled_from(["sum", "avg", "min", "max"])
    metrics = (
        draw(st.lists(st.tuples(ops, st.sampled_from(numeric)), unique=True, max_size=3)) if numeric else []
    )
    return obj, draw(st.integers(0, len(FILTERS[obj]) - 1)), group, [f"{op}:{m}" for op, m in metrics]


def test_aggregates_match_brute_force_over_the_sandbox(h: Harness, brute: Brute) -> None:
    @settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(call=aggregate_calls(brute))
    def check(call: tuple[str, int, str | None, list[str]]) -> None:
        obj, which, group, metrics = call
        where, keep = FILTERS[obj][which]
        args: dict[str, Any] = {"resource_type": obj, "metrics": ["count", *metrics], "limit_groups": 500}
        if where is not None:
            args["filter"] = where
        if group is not None:
            args["group_by"] = group
        out = ok(h, "records_aggregate", args)

        object_id = brute.store.schema.object(obj)["id"]["object_id"]
        items = [i for i in brute.records(obj) if keep(i)]
        assert (out["scanned"], out["complete"]) == (len(items), True)
        assert out["columns"] == [*([group] if group else []), "count", *metrics]
        currencies = {
            m.split(":")[1] for m in metrics if brute.attr(object_id, m.split(":")[1]).type == "currency"
        }
        assert out.get("currency", {}) == {c: brute.attr(object_id, c).currency_code for c in currencies}

        def cells(members: list[Item]) -> list[Any]:
            return [
                len(members),
                *(
                    _figure([x for i in members for x in _numbers(i, m.split(":")[1])], m.split(":")[0])
                    for m in metrics
                ),
            ]

        assert out["totals"][0] == len(items)
        assert all(_same(g, w) for g, w in zip(out["totals"][1:], cells(items)[1:], strict=True))
        if group is None:
            assert out["rows"] == []
            return
        slug, _, bucket = group.partition(":")
        attr = brute.attr(object_id, slug)
        members: dict[Any, list[Item]] = defaultdict(list)
        for item in items:
            for key in _keys(brute, item, attr.type, slug, bucket or None):
                members[key].append(item)
        for choice in (*attr.options, *attr.statuses):  # every option is a row, empty ones too
            if not choice["is_archived"]:
                members.setdefault(choice["title"], [])
        keys = out["ids"] if attr.type == "record-reference" else [r[0] for r in out["rows"]]
        labelled = {
            i.id: i for obj in ("companies", "people", "deals") for i in brute.records(obj) if brute.name(i)
        }
        if len(members) > 500:  # cut to limit_groups: the largest groups, and how many there were
            assert len(keys) == 500 and out["groups"] == len(members) and set(keys) <= set(members)
            sizes = sorted((len(v) for k, v in members.items() if k is not None), reverse=True)
            assert [r[1] for r in out["rows"]] == sizes[:500]
        else:
            assert sorted(map(str, keys)) == sorted(map(str, members)) and "groups" not in out
        for key, row in zip(keys, out["rows"], strict=True):
            want = cells(members[key])
            assert row[1] == want[0], (group, key)
            assert all(_same(g, w) for g, w in zip(row[2:], want[1:], strict=True)), (group, key, row, want)
            if attr.type == "record-reference" and key is not None and (record := labelled.get(key)):
                assert row[0] == brute.name(record), (group, key)

    check()


def test_aggregate_pages_at_500_and_labels_actors(h: Harness, brute: Brute) -> None:
    deals = brute.records("deals")
    ok(h, "records_aggregate", {"resource_type": "deals"})  # warm the schema cache
    before = len(h.transport.log)
    out = ok(
        h, "records_aggregate", {"resource_type": "deals", "group_by": "owner", "metrics": ["sum:deal_value"]}
    )
    sizes = [r for r, _ in h.transport.log[before:] if r.url.path.endswith("/records/query")]
    assert len(sizes) == len(deals) // 500 + 1  # full pages, then the short one that ends the scan
    assert all(b'"limit":500' in r.content for r in sizes)
    assert {r[0] for r in out["rows"]} <= set(brute.emails.values())
    assert sum(r[1] for r in out["rows"]) == len(deals) == out["totals"][0]
    assert out["currency"] == {"deal_value": "USD"}


def test_aggregate_input_errors(h: Harness) -> None:
    assert "did you mean stage" in fail(
        h, "records_aggregate", {"resource_type": "deals", "group_by": "stge"}
    )
    assert "group it by a bucket" in fail(
        h, "records_aggregate", {"resource_type": "deals", "group_by": "close_date"}
    )
    assert "is a text attribute" in fail(
        h, "records_aggregate", {"resource_type": "deals", "group_by": "next_step"}
    )
    text = fail(h, "records_aggregate", {"resource_type": "deals", "metrics": ["sum:stage"]})
    assert "(field: metrics.0)" in text and "deal_value" in text
    assert "(field: filter.stag)" in fail(
        h, "records_aggregate", {"resource_type": "deals", "filter": {"stag": "Lead"}}
    )
    fail(h, "records_aggregate", {"resource_type": "dealz"}, "NOT_FOUND")
    fail(h, "records_aggregate", {"resource_type": "deals", "limit_groups": 0})


# -- pipeline_report -----------------------------------------------------------------------------------


def _history_moves(
    brute: Brute, item: Item, start: datetime, end: datetime | None, slug: str = "stage"
) -> list[tuple[Any, ...]]:
    history = sorted(item.values[slug], key=lambda v: v["active_from"])
    out = []
    for before, after in zip(history, history[1:], strict=False):
        at = when(after["active_from"])
        assert at is not None
        if at >= start and (end is None or at < end):
            out.append(
                (
                    at,
                    item.id,
                    before["status"]["title"],
                    after["status"]["title"],
                    brute.actor(after["created_by_actor"]),
                )
            )
    return out


def _check_report(
    out: dict[str, Any],
    items: list[Item],
    brute: Brute,
    order: list[str],
    won: list[str],
    lost: list[str],
    start: datetime,
    end: datetime | None,
    stale_days: int,
    moves: int,
    names: dict[str, str | None],
    money: str | None,
) -> None:
    now = datetime.now(UTC)
    assert (out["scanned"], out["complete"], out["count"]) == (len(items), True, len(items))
    assert (out["won"], out["lost"]) == (won, lost)
    opened = [t for t in order if t not in won and t not in lost]
    level = {t: n for n, t in enumerate(opened)} | dict.fromkeys(won, len(opened))
    stages = {i.id: Brute.stage(i) for i in items}
    cutoff = now - timedelta(days=stale_days)
    rows = {r[0]: dict(zip(out["columns"], r, strict=True)) for r in out["stages"]}
    assert list(rows) == order
    for title in order:
        here = [i for i in items if stages[i.id][0] == title]
        row = rows[title]
        assert row["count"] == len(here)
        if money:
            assert _same(row["value"], sum(x for i in here for x in _numbers(i, money)))
        ages = [(now - stages[i.id][1]).total_seconds() / 86400 for i in here]
        assert (row["days"] is None) if not ages else abs(row["days"] - sum(ages) / len(ages)) < 0.1
        if title in opened:
            assert row["stale"] == sum(1 for i in here if stages[i.id][1] < cutoff)
            n = level[title]
            at_or_past = sum(1 for s, _ in stages.values() if s in level and level[s] >= n)
            past = sum(1 for s, _ in stages.values() if s in level and level[s] > n)
            converts = title != opened[-1] or bool(won)
            assert row["conv"] == (round(past / at_or_past, 3) if at_or_past and converts else None)
        else:
            assert row["stale"] is None and row["conv"] is None
    if money:
        assert _same(out["value"], sum(x for i in items for x in _numbers(i, money)))

    def in_period(moment: datetime | None) -> bool:
        return moment is not None and moment >= start and (end is None or moment < end)

    won_n = sum(1 for s, t in stages.values() if s in won and in_period(t))
    lost_n = sum(1 for s, t in stages.values() if s in lost and in_period(t))
    assert (out["won_in_period"], out["lost_in_period"]) == (won_n, lost_n)
    assert out.get("win_rate") == (round(won_n / (won_n + lost_n), 3) if won_n + lost_n else None)
    assert out["created"] == sum(1 for i in items if in_period(when(i.created_at)))
    all_moves = sorted((m for i in items for m in _history_moves(brute, i, start, end)), reverse=True)
    assert out["moved"] == len({m[1] for m in all_moves})  # items whose stage changed in the period
    assert out["moves"] == [[names[m[1]], m[2], m[3], m[4], shown(m[0])] for m in all_moves[:moves]]
    stale = sorted(
        (stages[i.id][1], i.id) for i in items if stages[i.id][0] in opened and stages[i.id][1] < cutoff
    )
    assert out["stale"] == len(stale)
    assert [r[3] for r in out["stalest"]] == [i for _, i in stale[:10]]
    assert all(r[0] == names[r[3]] for r in out["stalest"])


@pytest.mark.parametrize(("period", "stale_days"), [("2026-Q4", 30), ("2026", 14), ("120d", 60)])
def test_pipeline_of_an_object_matches_brute_force(
    h: Harness, brute: Brute, period: str, stale_days: int
) -> None:
    deals = brute.records("deals")
    out = ok(h, "pipeline_report", {"resource_type": "deals", "period": period, "stale_days": stale_days})
    now = datetime.now(UTC)
    if period.endswith("d"):
        start, end = now - timedelta(days=int(period[:-1])), None
    elif "Q" in period:
        start, end = datetime(2026, 10, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
    else:
        start, end = datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
    order = ["Lead", "Discovery", "Qualified", "Proposal Sent", "Negotiation", "Closed Won", "Closed Lost"]
    assert (out["target"], out["stage_attribute"], out["value_attribute"], out["currency"]) == (
        "deals",
        "stage",
        "deal_value",
        "USD",
    )
    names = {d.id: brute.name(d) for d in deals}
    won, lost = ["Closed Won"], ["Closed Lost"]
    _check_report(out, deals, brute, order, won, lost, start, end, stale_days, 10, names, "deal_value")
    assert out["moved"] > 10 and len(out["moves"]) == 10  # the seeded year has plenty of moves


def test_pipeline_of_a_list_matches_brute_force(h: Harness, brute: Brute) -> None:
    entries = brute.entries("prospecting")
    out = ok(h, "pipeline_report", {"list_id": "prospecting", "period": "2026"})
    companies = {c.id: brute.name(c) for c in brute.records("companies")}
    names = {e.id: companies[e.parent_record_id or ""] for e in entries}
    order = ["New", "Contacted", "Meeting Booked", "Disqualified"]
    start, end = datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
    _check_report(out, entries, brute, order, [], ["Disqualified"], start, end, 30, 10, names, None)
    assert "value" not in out["columns"] and out["moves"]


def test_pipeline_reads_pages_then_one_history_per_listed_move(h: Harness) -> None:
    ok(h, "pipeline_report", {"resource_type": "deals"})  # warm the schema and members caches
    before = len(h.transport.log)
    out = ok(h, "pipeline_report", {"resource_type": "deals", "period": "2026"})
    histories = queries(h, before, "/attributes/stage/values")
    assert queries(h, before) == 3 and histories == len(out["moves"]) == 10
    assert len(h.transport.log) - before == 13


@pytest.mark.anyio
async def test_pipeline_without_moves_reads_only_pages(sandbox_app: Any) -> None:
    from attio_mcp.attio import AttioClient
    from attio_mcp.workspace.periods import parse_period
    from attio_mcp.workspace.pipeline import report_pipeline

    transport = RecordingTransport(httpx.ASGITransport(app=sandbox_app))
    async with AttioClient(api_key="x", base_url="http://sandbox", transport=transport) as client:
        d = Workspace.connect(client)
        schema = await d.object("deals")
        now = datetime.now(UTC)
        before = len(transport.log)
        out = await report_pipeline(
            d, schema, stage_name=None, period=parse_period("2026", now), now=now, moves=0
        )
    assert out.moves == [] and out.moved > 0
    assert [r.url.path for r, _ in transport.log[before:]] == ["/v2/objects/deals/records/query"]


def test_pipeline_input_errors(h: Harness) -> None:
    assert "no status attributes" in fail(h, "pipeline_report", {"resource_type": "companies"})
    assert "exactly one of resource_type or list_id" in fail(h, "pipeline_report", {})
    assert "exactly one" in fail(h, "pipeline_report", {"resource_type": "deals", "list_id": "prospecting"})
    assert "(field: stage_attribute)" in fail(
        h, "pipeline_report", {"resource_type": "deals", "stage_attribute": "owner"}
    )
    assert "(field: period)" in fail(h, "pipeline_report", {"resource_type": "deals", "period": "last week"})
    fail(h, "pipeline_report", {"list_id": "nope"}, "NOT_FOUND")


# -- records_history -----------------------------------------------------------------------------------


def test_history_matches_the_store(h: Harness, brute: Brute) -> None:
    deal = max(brute.records("deals"), key=lambda d: len(d.values["stage"]))
    out = ok(
        h, "records_history", {"resource_type": "deals", "record_id": deal.id, "attribute": "Deal stage"}
    )
    history = sorted(deal.values["stage"], key=lambda v: v["active_from"])
    assert out["columns"] == ["attribute", "value", "from", "until", "by"]
    assert out["rows"] == [
        [
            "stage",
            v["status"]["title"],
            shown(when(v["active_from"])),
            shown(when(v["active_until"])),
            brute.actor(v["created_by_actor"]),
        ]
        for v in history
    ]
    both = ok(h, "records_history", {"resource_type": "deals", "record_id": deal.id})
    assert {r[0] for r in both["rows"]} == {"stage", "market_segment", "lead_source"}
    owner = ok(h, "records_history", {"resource_type": "deals", "record_id": deal.id, "attribute": "owner"})
    assert owner["rows"][0][1] in brute.emails.values()


@pytest.mark.anyio
async def test_history_of_a_multi_value_attribute_shows_removed_values(tools: Any, sandbox_app: Any) -> None:
    project = Brute(sandbox_app.state.sandbox).records("projects")[2]
    args = {"resource_type": "projects", "record_id": project.id}
    await tools.ok("records_update", {**args, "data": {"tags": ["Analytics"]}, "mode": "overwrite"})
    rows = (await tools.ok("records_history", {**args, "attribute": "tags"}))["rows"]
    assert {r[1] for r in rows if r[3] is None} == {"Analytics"}
    assert {r[1] for r in rows if r[3] is not None} == {"Integration", "Migration"}
    assert [r[4] for r in rows if r[1] == "Analytics"] == ["api-token"]


def test_history_errors(h: Harness, brute: Brute) -> None:
    deal = brute.records("deals")[0]
    text = fail(
        h,
        "records_history",
        {"resource_type": "deals", "record_id": "6f1c2d3e-8a4b-5c6d-9e0f-a1b2c3d4e5f6"},
        "NOT_FOUND",
    )
    assert "(field: record_id)" in text
    fail(h, "records_history", {"resource_type": "deals", "record_id": "nope"})
    assert "did you mean stage" in fail(
        h, "records_history", {"resource_type": "deals", "record_id": deal.id, "attribute": "stag"}
    )
    assert "no status or select" in fail(
        h, "records_history", {"resource_type": "users", "record_id": brute.records("users")[0].id}
    )


# -- records_changes -----------------------------------------------------------------------------------


def test_changes_match_brute_force(h: Harness, brute: Brute) -> None:
    since = datetime.now(UTC) - timedelta(days=20)
    deals = brute.records("deals")
    watched = ["stage", "market_segment", "lead_source"]

    def changed(item: Item) -> list[list[Any]]:
        created = when(item.created_at)
        out = []
        for slug in watched:
            for v in item.current(slug):
                at = when(v["active_from"])
                if (
                    at is None
                    or at < since
                    or (created is not None and created >= since and at - created <= timedelta(seconds=1))
                ):
                    continue
                title = (v.get("status") or v.get("option"))["title"]
                out.append([slug, title, shown(at), brute.actor(v["created_by_actor"])])
        return out

    expected = {d.id: d for d in deals if when(d.created_at) >= since or changed(d)}
    seen: dict[str, dict[str, Any]] = {}
    offset = 0
    while True:
        page = ok(
            h,
            "records_changes",
            {"resource_type": "deals", "since": since.isoformat(), "limit": 100, "offset": offset},
        )
        seen.update({r["id"]: r for r in page["records"]})
        if not page["has_more"]:
            break
        offset = page["next_offset"]
    assert set(seen) == set(expected) and len(expected) > 20
    for ident, row in seen.items():
        item = expected[ident]
        assert row["name"] == brute.name(item)
        assert row.get("created_at") == (
            shown(when(item.created_at)) if when(item.created_at) >= since else None
        )
        assert row.get("changes", []) == changed(item)
    stage_only = ok(
        h,
        "records_changes",
        {"resource_type": "deals", "since": since.isoformat(), "attributes": ["stage"], "limit": 100},
    )
    assert all(c[0] == "stage" for r in stage_only["records"] for c in r.get("changes", []))


def test_changes_errors(h: Harness) -> None:
    text = fail(
        h, "records_changes", {"resource_type": "deals", "since": "2026-11-01", "attributes": ["deal_value"]}
    )
    assert "only in select and status values" in text and "(field: attributes.0)" in text
    assert "(field: since)" in fail(h, "records_changes", {"resource_type": "deals", "since": "last tuesday"})


# -- scans: progress, cap, cancellation ----------------------------------------------------------------


@pytest.mark.anyio
async def test_progress_notifications_on_long_scans(mcp: Client, sandbox_app: Any) -> None:
    add_pipeline_deals(sandbox_app.state.sandbox, 1_100, seed=9)
    seen: list[tuple[float, float | None, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append((progress, total, message))

    result = await mcp.call_tool(
        "records_aggregate", {"resource_type": "deals", "group_by": "stage"}, progress_callback=on_progress
    )
    assert not result.is_error
    assert seen == [(500, None, "500 records read"), (1000, None, "1,000 records read")]
    seen.clear()
    result = await mcp.call_tool(
        "records_aggregate", {"resource_type": "projects"}, progress_callback=on_progress
    )
    assert not result.is_error and seen == []  # one page: nothing to report


@pytest.mark.anyio
async def test_a_capped_scan_says_it_is_incomplete(sandbox_app: Any) -> None:
    from attio_mcp.attio import AttioClient

    async with AttioClient(
        api_key="x", base_url="http://sandbox", transport=httpx.ASGITransport(app=sandbox_app)
    ) as client:
        d = Workspace.connect(client)
        schema = await d.object("deals")
        capped = await aggregate_records(d, schema, group_by="stage", cap=20)
        assert (capped.scanned, capped.complete, capped.totals[0]) == (20, False, 20)
        assert capped.note and "20 records" in capped.note
        exact = await aggregate_records(d, schema, cap=35)  # exactly every record: one probe says so
        assert (exact.scanned, exact.complete, exact.note) == (35, True, None)


@pytest.mark.anyio
async def test_cancelling_a_scan_stops_its_requests() -> None:
    app = create_app()
    add_pipeline_deals(app.state.sandbox, 6_000, seed=1)
    transport = RecordingTransport(httpx.ASGITransport(app=app))
    server = build_server(Settings(sandbox=True, reads_per_second=4), transport=transport)
    async with Client(server) as client:
        with anyio.move_on_after(1.5):
            await client.call_tool("records_aggregate", {"resource_type": "deals"})
            pytest.fail("the scan should still be running")
        sent = len(transport.log)
        await anyio.sleep(1.0)
        assert len(transport.log) == sent  # nothing more was asked of Attio
        assert 0 < sum(1 for r, _ in transport.log if r.url.path.endswith("/records/query")) < 13
        answer = await client.call_tool("whoami", {})
        assert not answer.is_error


@pytest.mark.anyio
async def test_the_four_tools_cost_at_most_2500_bytes_of_tools_list(mcp: Client) -> None:
    import json

    mine = {"records_aggregate", "pipeline_report", "records_history", "records_changes"}
    listed = [t for t in (await mcp.list_tools()).tools if t.name in mine]
    size = sum(
        len(
            json.dumps(
                {"name": t.name, "description": t.description, "inputSchema": t.input_schema},
                separators=(",", ":"),
            )
        )
        for t in listed
    )
    assert len(listed) == 4 and size <= 2_500, size


@pytest.mark.anyio
async def test_aggregate_reads_filters_as_records_search_does(tools: Any) -> None:
    """The same grammar as records_search: a status in another case is read as meant, and said."""
    out = await tools.ok(
        "records_aggregate", {"resource_type": "deals", "filter": {"stage": "discovery"}, "group_by": "stage"}
    )
    counted = {row[0]: row[1] for row in out["rows"]}
    assert counted["Discovery"] > 0 and sum(counted.values()) == counted["Discovery"]
    assert any("Discovery" in note for note in out["interpreted"])
