"""records_import end to end (MCP client -> server -> sandbox) plus a few engine units."""

from __future__ import annotations

import logging
from typing import Any

import anyio
import httpx
import pytest
from mcp import Client, MCPError

from attio_mcp.server.app import build_server
from attio_mcp.server.settings import Settings
from attio_mcp.workspace.importing import ImportRun, plan_import, workers_for
from attio_mcp.workspace.importing.run import REQUEUE_PASSES, _parse_ts
from attio_mcp.workspace.schema import AttrInfo, TargetSchema

pytestmark = pytest.mark.anyio


@pytest.fixture
def settings() -> Settings:
    return Settings(sandbox=True, writes_per_second=1000)  # pacing is not what these tests are about


def records(app: Any, slug: str) -> dict[str, Any]:
    store = app.state.sandbox
    return store.object_records(store.schema.object(slug)["id"]["object_id"])


def domains(app: Any) -> list[str]:
    return [v["domain"] for item in records(app, "companies").values() for v in item.current("domains")]


def companies(n: int, start: int = 0, prefix: str = "bulk") -> list[dict[str, Any]]:
    return [{"name": f"Bulk {i}", "domains": f"{prefix}{i}.example"} for i in range(start, start + n)]


async def test_validation_report_names_every_problem_by_row_and_field(tools: Any, sandbox_app: Any) -> None:
    rows = [
        {"name": "Fine", "domains": "fine.example", "industry": "Technology"},
        {"name": "Typo", "domains": "typo.example", "industy": "Technology"},
        {"name": "Bad option", "domains": "option.example", "industry": "Spaceflight"},
        {"name": "No key"},
        {"name": "Dup", "domains": ["other.example", "FINE.example"]},
    ]
    before = len(records(sandbox_app, "companies"))
    out = await tools.ok("records_import", {"resource_type": "companies", "rows": rows, "dry_run": True})
    assert out["status"] == "dry_run" and out["matching_attribute"] == "domains"
    assert (out["rows"], out["valid"], out["invalid"]) == (5, 1, 4)
    by_row = {e["row"]: e for e in out["errors"]}
    assert by_row[1]["field"] == "industy" and "industry" in by_row[1]["message"]
    assert by_row[2]["field"] == "industry" and "Spaceflight" in by_row[2]["message"]
    assert by_row[3]["field"] == "domains"
    assert by_row[4]["field"] == "domains" and "row 0" in by_row[4]["message"]
    assert all(e["code"] == "VALIDATION_ERROR" for e in out["errors"])
    assert len(records(sandbox_app, "companies")) == before  # a dry run writes nothing

    deals = [{"stage": "Lead"}, {"name": "Big", "stage": "Signed"}]
    out = await tools.ok(
        "records_import", {"resource_type": "deals", "rows": deals, "mode": "create", "dry_run": True}
    )
    by_row = {e["row"]: e for e in out["errors"]}
    assert "name" in by_row[0]["field"] and "Missing required" in by_row[0]["message"]
    assert by_row[1]["field"] == "stage"


async def test_invalid_rows_are_skipped_and_valid_ones_written(tools: Any, sandbox_app: Any) -> None:
    rows = [*companies(3), {"name": "Bad", "domains": "bad.example", "industry": "Nope"}]
    out = await tools.ok("records_import", {"resource_type": "companies", "rows": rows})
    assert out["status"] == "completed"
    assert (out["created"], out["updated"], out["failed"], out["skipped"]) == (3, 0, 0, 1)
    assert out["errors"][0]["row"] == 3 and "ids" not in out
    assert "bad.example" not in domains(sandbox_app)


async def test_upsert_twice_creates_no_duplicates(tools: Any, sandbox_app: Any) -> None:
    rows = [*companies(8), {"name": "Acme renamed", "domains": "acme.com"}]  # acme.com is seeded
    before = len(records(sandbox_app, "companies"))
    first = await tools.ok("records_import", {"resource_type": "companies", "rows": rows, "return_ids": True})
    assert (first["created"], first["updated"], first["failed"]) == (8, 1, 0)
    assert len(records(sandbox_app, "companies")) == before + 8
    second = await tools.ok(
        "records_import", {"resource_type": "companies", "rows": rows, "return_ids": True}
    )
    assert second["created"] + second["updated"] == 9 and second["failed"] == 0
    assert len(records(sandbox_app, "companies")) == before + 8
    assert [i["id"] for i in first["ids"]] == [i["id"] for i in second["ids"]]
    assert sorted(set(domains(sandbox_app))) == sorted(domains(sandbox_app))


async def test_update_mode_needs_uuid_record_ids(tools: Any, sandbox_app: Any) -> None:
    acme = next(
        i
        for i in records(sandbox_app, "companies").values()
        if i.current("domains")[0]["domain"] == "acme.com"
    )
    rows = [
        {"record_id": acme.id, "description": "Updated in bulk"},
        {"record_id": "nope", "description": "x"},
    ]
    out = await tools.ok("records_import", {"resource_type": "companies", "rows": rows, "mode": "update"})
    assert (out["updated"], out["skipped"]) == (1, 1)
    assert out["errors"][0] == {
        "row": 1,
        "field": "record_id",
        "code": "VALIDATION_ERROR",
        "message": "invalid UUID 'nope'",
    }
    assert acme.current("description")[0]["value"] == "Updated in bulk"


async def test_refusals(tools: Any) -> None:
    text = await tools.fail(
        "records_import", {"resource_type": "deals", "rows": [{"name": "x"}]}, "VALIDATION_ERROR"
    )
    assert "no unique attribute" in text and "(field: matching_attribute)" in text
    args = {"resource_type": "companies", "rows": companies(1), "matching_attribute": "name"}
    text = await tools.fail("records_import", args, "VALIDATION_ERROR")
    assert "domains" in text
    args = {
        "resource_type": "companies",
        "rows": companies(1),
        "mode": "create",
        "matching_attribute": "domains",
    }
    await tools.fail("records_import", args, "VALIDATION_ERROR")
    text = await tools.fail("records_import", {"resource_type": "companies", "rows": [{}] * 10_001})
    assert text.startswith("VALIDATION_ERROR: 10,001 rows") and "(field: rows)" in text
    await tools.fail("records_import", {"resource_type": "compnies", "rows": companies(1)}, "NOT_FOUND")


async def test_stop_on_error_refuses_invalid_batches(tools: Any, sandbox_app: Any) -> None:
    rows = [*companies(2), {"name": "Bad", "domains": "bad.example", "industry": "Nope"}]
    before = len(records(sandbox_app, "companies"))
    args = {"resource_type": "companies", "rows": rows, "stop_on_error": True}
    text = await tools.fail("records_import", args, "VALIDATION_ERROR")
    assert "nothing was written" in text and "row 2 industry" in text
    assert len(records(sandbox_app, "companies")) == before


async def test_write_failures_are_reported_per_row(tools: Any) -> None:
    rows = [{"name": "Clash", "domains": "acme.com"}, *companies(2)]  # create: acme.com is taken
    out = await tools.ok("records_import", {"resource_type": "companies", "rows": rows, "mode": "create"})
    assert (out["created"], out["failed"]) == (2, 1)
    assert out["errors"][0]["row"] == 0 and out["errors"][0]["code"] == "CONFLICT"


async def test_error_list_is_capped(tools: Any) -> None:
    rows = [{"name": f"x{i}", "domains": f"x{i}.example", "industry": "Nope"} for i in range(60)]
    out = await tools.ok("records_import", {"resource_type": "companies", "rows": rows, "dry_run": True})
    assert len(out["errors"]) == 50 and out["errors_more"] == 10 and out["invalid"] == 60


async def test_progress_notifications(mcp: Client) -> None:
    seen: list[tuple[float, float | None, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append((progress, total, message))

    args = {"resource_type": "companies", "rows": [*companies(12), {"nme": "bad"}]}
    result = await mcp.call_tool("records_import", args, progress_callback=on_progress)
    assert not result.is_error
    assert seen and seen[-1] == (12, 12, "12/12 rows, 0 failed")
    assert [p for p, _, _ in seen] == sorted(p for p, _, _ in seen)


async def test_cancellation_stops_cleanly(sandbox_app: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="attio_mcp.workspace.importing")
    server = build_server(
        Settings(sandbox=True, writes_per_second=25), transport=httpx.ASGITransport(app=sandbox_app)
    )
    before = len(records(sandbox_app, "companies"))
    rows = companies(150, prefix="cancel")  # ~5 s at 25 writes/s
    async with Client(server) as client:
        with anyio.move_on_after(0.5):
            await client.call_tool("records_import", {"resource_type": "companies", "rows": rows})
            pytest.fail("the import should still be running")
        answer = await client.call_tool("whoami", {})  # the server still answers
        assert not answer.is_error
        written = len(records(sandbox_app, "companies")) - before
        await client.call_tool("objects_list", {})
        assert len(records(sandbox_app, "companies")) - before == written  # nothing more is written
    assert 0 < written < len(rows)
    assert sorted(set(domains(sandbox_app))) == sorted(domains(sandbox_app))
    assert any("cancelled" in r.getMessage() and "created" in r.getMessage() for r in caplog.records)


# -- engine units ---------------------------------------------------------------------------------------


def _schema() -> TargetSchema:
    attrs = [
        AttrInfo("domains", "a1", "Domains", "domain", multi=True, unique=True),
        AttrInfo("name", "a2", "Name", "text"),
        AttrInfo("code", "a3", "Code", "text", unique=True, required=True),
    ]
    return TargetSchema("object", "things", "o1", "Things", {a.slug: a for a in attrs})


def test_plan_picks_first_unique_and_flags_overlapping_multi_values() -> None:
    rows = [
        {"code": "A", "domains": ["a.example", "b.example"]},
        {"code": "B", "domains": ["B.example"]},
        {"code": "a", "domains": ["c.example"]},
        {"domains": ["d.example"]},
    ]
    plan = plan_import(_schema(), rows)
    assert plan.matching_attribute == "domains"
    assert [r.index for r in plan.rows] == [0]
    fields = {(e.row, e.field) for e in plan.errors}
    assert {(1, "domains"), (2, "code"), (3, "code")} <= fields


def _code(values: dict[str, Any]) -> str:
    code = values["code"]  # the value layer may send a text value bare or as a one-item list
    return str(code[0] if isinstance(code, list) else code)


def test_helpers() -> None:
    assert _parse_ts("2026-02-27T07:47:04.370000000Z") == pytest.approx(1772178424.37)
    assert _parse_ts(None) is None and _parse_ts("garbage") is None
    assert workers_for(25) == 10 and workers_for(1) == 4 and workers_for(10_000) == 16


async def test_run_infers_created_from_created_at() -> None:
    plan = plan_import(
        _schema(), [{"code": "A", "domains": "a.example"}, {"code": "B", "domains": "b.example"}]
    )

    class Fake:
        async def assert_record(self, obj: str, matching: str, values: dict[str, Any]) -> Any:
            from attio_mcp.attio import Record

            code = _code(values)
            created = "2026-01-01T00:00:10.000000000Z" if code == "A" else "2025-01-01T00:00:00Z"
            return Record(id={"record_id": code}, created_at=created)

    run = ImportRun(plan, wall=lambda: 1767225610.0)  # 2026-01-01T00:00:10Z
    await run.execute(Fake())  # type: ignore[arg-type]
    assert (run.created, run.updated, run.status) == (1, 1, "completed")
    assert run.summary(return_ids=True)["ids"] == [
        {"row": 0, "id": "A", "action": "created"},
        {"row": 1, "id": "B", "action": "updated"},
    ]


class FlakyClient:
    """assert_record that answers per row from a script of outcomes (Exception or None for success)."""

    def __init__(self, script: dict[str, list[Exception | None]]) -> None:
        self.script = script
        self.calls: list[str] = []

    async def assert_record(self, obj: str, matching: str, values: dict[str, Any]) -> Any:
        from attio_mcp.attio import Record

        code = _code(values)
        self.calls.append(code)
        outcomes = self.script.get(code, [])
        outcome = outcomes.pop(0) if outcomes else None
        if outcome is not None:
            raise outcome
        return Record(id={"record_id": code}, created_at="2020-01-01T00:00:00Z")


def _rows(*codes: str) -> list[dict[str, Any]]:
    return [{"code": c, "domains": f"{c.lower()}.example"} for c in codes]


async def test_rate_limited_rows_are_retried_in_a_later_pass() -> None:
    from attio_mcp.attio import RateLimitError

    limited = RateLimitError("slow down", status=429, attempts=4)
    passes = 1 + REQUEUE_PASSES
    client = FlakyClient({"B": [limited, limited], "C": [limited] * passes})
    run = ImportRun(plan_import(_schema(), _rows("A", "B", "C")))
    await run.execute(client, workers=2)  # type: ignore[arg-type]
    assert sorted(run.ids) == [0, 1]
    assert [(f.row, f.code) for f in run.failures] == [(2, "RATE_LIMIT")]
    assert "not written" in run.failures[0].message and not run.maybe_written
    assert client.calls.count("B") == 3 and client.calls.count("C") == passes


class FlakyCreates(FlakyClient):
    """create_record scripted like FlakyClient.assert_record."""

    async def create_record(self, obj: str, values: dict[str, Any]) -> Any:
        return await self.assert_record(obj, "", values)


async def test_ambiguous_failures_are_requeued_only_where_a_repeat_is_safe() -> None:
    """Issue #20: upsert rows that failed on 5xx, timeouts or drops are sent again; creates only when unsent."""
    from attio_mcp.attio import AttioTimeoutError, AttioTransportError, ServerError

    def script() -> dict[str, list[Exception | None]]:
        return {
            "A": [ServerError("boom", status=503, attempts=4)],
            "B": [AttioTimeoutError("timed out", attempts=4)],
            "C": [AttioTransportError("connection refused", attempts=4, sent=False)],
        }

    upserts = FlakyClient(script())
    run = ImportRun(plan_import(_schema(), _rows("A", "B", "C")))
    await run.execute(upserts, workers=1)  # type: ignore[arg-type]
    assert sorted(run.ids) == [0, 1, 2] and not run.failures
    assert sorted(upserts.calls) == ["A", "A", "B", "B", "C", "C"]

    creates = FlakyCreates(script())
    run = ImportRun(plan_import(_schema(), _rows("A", "B", "C"), mode="create"))
    await run.execute(creates, workers=1)  # type: ignore[arg-type]
    assert sorted(run.ids) == [2]  # the unsent create was sent again; the others may exist already
    assert sorted(creates.calls) == ["A", "B", "C", "C"]
    by_row = {f.row: f for f in run.failures}
    assert sorted(run.maybe_written) == [0, 1]
    assert all("may have been created" in by_row[r].message for r in (0, 1))


async def test_auth_error_and_stop_on_error_halt_the_run() -> None:
    from attio_mcp.attio import AuthError, BadRequestError

    client = FlakyClient({"A": [AuthError("bad token", status=401)]})
    run = ImportRun(plan_import(_schema(), _rows("A", "B", "C")))
    await run.execute(client, workers=1)  # type: ignore[arg-type]
    summary = run.summary()
    assert (
        summary["status"] == "stopped"
        and summary["not_attempted"] == 2
        and "AUTH_ERROR" in summary["stopped_reason"]
    )

    client = FlakyClient({"B": [BadRequestError("bad value", status=400, code="value_not_found")]})
    run = ImportRun(plan_import(_schema(), _rows("A", "B", "C")))
    await run.execute(client, workers=1, stop_on_error=True)  # type: ignore[arg-type]
    assert (run.status, len(run.ids), client.calls) == ("stopped", 1, ["A", "B"])
    assert run.summary()["errors"] == [{"row": 1, "code": "VALIDATION_ERROR", "message": "bad value"}]


async def test_disable_destructive_hides_the_import_that_overwrites(sandbox_app: Any) -> None:
    """Issue #20: under --disable-destructive, records_import mode 'update' used to overwrite and clear."""
    acme = next(
        r
        for r in records(sandbox_app, "companies").values()
        if any(v["domain"] == "acme.com" for v in r.current("domains"))
    )
    before = [v.get("value") for v in acme.current("name")]
    settings = Settings(sandbox=True, writes_per_second=1000, disable_destructive=True)
    server = build_server(settings, transport=httpx.ASGITransport(app=sandbox_app))
    async with Client(server) as client:
        listed = {t.name: t for t in (await client.list_tools()).tools}
        assert "records_import" not in listed and "records_create" in listed
        rows = [{"record_id": acme.id, "name": None, "domains": []}]
        result = await client.call_tool(
            "records_import", {"resource_type": "companies", "rows": rows, "mode": "update"}
        )
        assert result.is_error and result.content[0].text.startswith(
            "NOT_FOUND: unknown tool 'records_import'"
        )
    assert [v.get("value") for v in acme.current("name")] == before
    async with Client(
        build_server(Settings(sandbox=True), transport=httpx.ASGITransport(app=sandbox_app))
    ) as client:
        spec = next(t for t in (await client.list_tools()).tools if t.name == "records_import")
        assert spec.annotations is not None and spec.annotations.destructive_hint


async def test_a_cancelled_import_reports_what_it_did_in_the_next_call(sandbox_app: Any) -> None:
    """Issue #20: MCP never answers a cancelled call, so its summary used to be lost (only the log had it)."""
    settings = Settings(sandbox=True, writes_per_second=100)  # 300 rows: ~3 s
    server = build_server(settings, transport=httpx.ASGITransport(app=sandbox_app))
    rows = companies(300, prefix="cancelled")
    async with Client(server) as client:
        with pytest.raises(MCPError):
            await client.call_tool(
                "records_import",
                {"resource_type": "companies", "rows": rows, "mode": "create", "return_ids": True},
                read_timeout_seconds=1.0,
            )
        await anyio.sleep(0.3)  # the server sees the cancellation and stops its workers
        written = sum(1 for d in domains(sandbox_app) if d.startswith("cancelled"))
        assert 0 < written < 300
        nxt = await client.call_tool(
            "records_import", {"resource_type": "companies", "rows": rows[:1], "dry_run": True}
        )
        earlier = nxt.structured_content["cancelled_earlier"]
        assert earlier["status"] == "cancelled" and earlier["mode"] == "create"
        in_flight = earlier.get("in_flight_when_cancelled", [])
        assert earlier["created"] <= written <= earlier["created"] + len(in_flight)
        assert len(earlier["ids"]) == earlier["created"]
        again = await client.call_tool(
            "records_import", {"resource_type": "companies", "rows": rows[:1], "dry_run": True}
        )
        assert "cancelled_earlier" not in again.structured_content  # given once
