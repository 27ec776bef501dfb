"""A 1,000-row upsert import through a sandbox that throttles, fails, stalls and drops connections."""

from __future__ import annotations

import dataclasses
import json
import time
from collections import Counter
from typing import Any

import pytest

from attio_mcp.sandbox import FaultConfig, create_app
from tests.reliability.conftest import Switch, fault_settings, mcp_client, object_records, text_of
from tests.reliability.live import LiveServer, free_port, live

pytestmark = pytest.mark.anyio

ROWS = 1000
SUFFIX = ".faulty-import.example"


def _domains(store: Any) -> list[str]:
    return [
        v["domain"]
        for item in object_records(store, "companies").values()
        for v in item.current("domains")
        if v["domain"].endswith(SUFFIX)
    ]


async def test_upsert_import_loses_nothing_and_duplicates_nothing(
    switch: Switch, live_sandbox: LiveServer, fast_retries: None, fault_log: Counter[str]
) -> None:
    store = switch.store
    before = len(object_records(store, "companies"))
    rows = [{"domains": [f"row{i}{SUFFIX}"], "name": f"Faulty import {i}"} for i in range(ROWS)]
    switch.faults = True
    async with mcp_client(fault_settings(live_sandbox.url)) as client:
        result = await client.call_tool(
            "records_import",
            {"resource_type": "companies", "rows": rows, "return_ids": True},
            read_timeout_seconds=240,
        )
    switch.faults = False
    time.sleep(1.3)  # requests delayed by the fault injector finish on the server after the client gave up

    assert not result.is_error, text_of(result)
    summary = result.structured_content
    assert json.loads(text_of(result)) == summary
    assert summary["status"] == "completed", summary
    assert (summary["rows"], summary["failed"], summary["skipped"]) == (ROWS, 0, 0), summary
    assert summary["created"] + summary["updated"] + summary.get("upserted", 0) == ROWS
    assert "not_attempted" not in summary and "errors" not in summary

    # Every row reported once, each with its own record.
    ids = summary["ids"]
    assert [i["row"] for i in ids] == list(range(ROWS))
    assert len({i["id"] for i in ids}) == ROWS

    # The sandbox holds exactly the 1,000 new companies: one per domain, no duplicates, nothing else.
    domains = _domains(store)
    assert len(domains) == ROWS
    assert set(domains) == {f"row{i}{SUFFIX}" for i in range(ROWS)}
    assert len(object_records(store, "companies")) == before + ROWS
    by_domain = {
        v["domain"]: item.id
        for item in object_records(store, "companies").values()
        for v in item.current("domains")
    }
    assert all(by_domain[f"row{i['row']}{SUFFIX}"] == i["id"] for i in ids)

    # The run really went through every kind of fault.
    for mode in ("429", "500", "503", "delay", "drop"):
        assert fault_log[mode] > 0, (mode, dict(fault_log))


# Issue #20: the issue's mix (10% 429, 7% 5xx, 2% delays, 1% drops) with the server's default three retries
# left 1-3 rows of 1,000 unwritten in half the runs. Two attempts per request make such rows common: 1% of
# the rows fail twice on 5xx, timeouts or drops, ~10 a run, which only 429s were requeued for. Requeued
# through REQUEUE_PASSES more passes (a row fails for good with odds of 0.2^10), every row must be written.
ISSUE_FAULTS = FaultConfig(
    seed=0, rate_429=0.10, rate_500=0.035, rate_503=0.035, rate_delay=0.02, delay_seconds=0.8, rate_drop=0.01
)


@pytest.mark.parametrize("seed", [11, 23])
async def test_upsert_import_is_exact_when_retries_run_out(seed: int, fast_retries: None) -> None:
    switch = Switch(create_app(seed=True), faults=dataclasses.replace(ISSUE_FAULTS, seed=seed))
    store = switch.store
    rows = [{"domains": [f"row{i}.s{seed}{SUFFIX}"], "name": f"Exact {i}"} for i in range(ROWS)]
    with live(switch) as server:
        switch.faults = True
        async with mcp_client(fault_settings(server.url, max_attempts=2)) as client:
            result = await client.call_tool(
                "records_import", {"resource_type": "companies", "rows": rows}, read_timeout_seconds=240
            )
        switch.faults = False
        time.sleep(1.0)  # delayed requests finish on the server after the client gave up
    assert not result.is_error, text_of(result)
    summary = result.structured_content
    assert summary["status"] == "completed" and summary["failed"] == 0, summary
    assert summary["created"] + summary["updated"] + summary.get("upserted", 0) == ROWS
    written = [d for d in _domains(store) if f".s{seed}{SUFFIX}" in d]
    assert len(written) == len(set(written)) == ROWS


async def test_failures_say_whether_they_may_have_been_written(fast_retries: None) -> None:
    """Create mode cannot be re-sent after an ambiguous failure: each failed row says what is known."""
    faults = FaultConfig(seed=5, rate_500=0.15, rate_drop=0.05, process_before_5xx=0.5)
    switch = Switch(create_app(seed=True), faults=faults)
    rows = [{"name": f"Ambiguous {i}"} for i in range(200)]
    with live(switch) as server:
        switch.faults = True
        async with mcp_client(fault_settings(server.url, max_attempts=2)) as client:
            result = await client.call_tool(
                "records_import",
                {"resource_type": "companies", "rows": rows, "mode": "create", "return_ids": True},
                read_timeout_seconds=120,
            )
        switch.faults = False
    summary = result.structured_content
    assert summary["failed"] > 0, summary
    names = Counter(
        v["value"]
        for item in object_records(switch.store, "companies").values()
        for v in item.current("name")
        if v["value"].startswith("Ambiguous ")
    )
    assert max(names.values()) == 1  # a create is never sent twice
    maybe = set(summary.get("maybe_written", []))
    failed_rows = {e["row"] for e in summary["errors"]}
    assert maybe <= failed_rows
    for error in summary["errors"]:
        written = f"Ambiguous {error['row']}" in names
        if written:  # every failed row that was in fact written is one the summary says may have been
            assert error["row"] in maybe, error
        if error["row"] in maybe:
            assert "may have been created" in error["message"]
        else:
            assert "not written" in error["message"] or "never received" in error["message"], error


async def test_a_create_that_never_connected_says_it_was_not_sent() -> None:
    settings = fault_settings(f"http://127.0.0.1:{free_port()}", max_attempts=1)  # nothing listens there
    async with mcp_client(settings) as client:
        result = await client.call_tool(
            "records_create", {"resource_type": "companies", "data": {"name": "X"}}
        )
    text = text_of(result)
    assert result.is_error and text.startswith("UPSTREAM_ERROR:")
    assert "may or may not" not in text and "never reached Attio" in text
