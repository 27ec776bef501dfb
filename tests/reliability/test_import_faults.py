"""A 1,000-row upsert import through a sandbox that throttles, fails, stalls and drops connections."""

from __future__ import annotations

import json
import time
from collections import Counter
from typing import Any

import pytest

from tests.reliability.conftest import Switch, fault_settings, mcp_client, object_records, text_of
from tests.reliability.live import LiveServer

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
