"""200 single writes through a faulty sandbox: each succeeds once or reports a clear error, none lands twice.

Creates (POST) are not retried after a 5xx, a timeout or a dropped connection, because the write may have
been applied; the error must say so. The sandbox store is the judge: it is inspected after the run.
"""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from typing import Any

import pytest

from attio_mcp.workspace import CODES
from tests.reliability.conftest import (
    FAULTS,
    Switch,
    fault_settings,
    list_entries,
    mcp_client,
    object_records,
    text_of,
)
from tests.reliability.live import LiveServer

pytestmark = pytest.mark.anyio

CREATES, UPDATES, ADDS = 70, 70, 60
MAYBE_APPLIED = "may or may not have been applied"


@pytest.fixture
def switch() -> Switch:
    from attio_mcp.sandbox import create_app

    # Half of the injected 5xx happen after the write was processed: the hardest case for a client.
    return Switch(create_app(seed=True), dataclasses.replace(FAULTS, process_before_5xx=0.5))


def _assert_clear_error(text: str) -> str:
    code = text.split(":", 1)[0]
    assert code in CODES, text
    assert "Traceback" not in text and "Error executing tool" not in text
    assert " Next: " in text, text
    return code


def _by_domain(store: Any) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for item in object_records(store, "companies").values():
        for value in item.current("domains"):
            out.setdefault(value["domain"], []).append(item.id)
    return out


async def test_single_writes_apply_at_most_once_and_report_every_failure(
    switch: Switch, live_sandbox: LiveServer, fast_retries: None, fault_log: Counter[str]
) -> None:
    store = switch.store
    async with mcp_client(fault_settings(live_sandbox.url)) as client:
        # Set-up without faults: the records the updates and list additions work on.
        seed_rows = [
            {"domains": [f"base{i}.single.example"], "name": f"Base {i}"} for i in range(UPDATES + ADDS)
        ]
        setup = await client.call_tool(
            "records_import", {"resource_type": "companies", "rows": seed_rows, "return_ids": True}
        )
        assert not setup.is_error, text_of(setup)
        base_ids = [i["id"] for i in setup.structured_content["ids"]]
        records_before = len(object_records(store, "companies"))

        calls: list[tuple[str, dict[str, Any]]] = []
        for i in range(CREATES):
            data = {"domains": [f"new{i}.single.example"], "name": f"New {i}"}
            calls.append(("records_create", {"resource_type": "companies", "data": data}))
        for i, rid in enumerate(base_ids[:UPDATES]):
            mode = "overwrite" if i % 2 else "append"
            args = {"resource_type": "companies", "record_id": rid, "data": {"description": f"v{i}"}}
            calls.append(("records_update", {**args, "mode": mode}))
        for rid in base_ids[UPDATES:]:
            calls.append(("list_entries_add", {"list_id": "prospecting", "record_id": rid}))

        switch.faults = True
        outcomes = []
        for name, args in calls:  # one at a time: the seeded fault sequence is then reproducible
            outcomes.append(await client.call_tool(name, args, read_timeout_seconds=60))
        switch.faults = False
        time.sleep(1.3)  # let requests the injector delayed past the client timeout finish on the server

        assert len(outcomes) == CREATES + UPDATES + ADDS == 200
        codes: Counter[str] = Counter()
        maybe_applied = applied_anyway = 0
        domains = _by_domain(store)
        entries = list_entries(store, "prospecting")
        for (name, args), result in zip(calls, outcomes, strict=True):
            text = text_of(result)
            code = "OK" if not result.is_error else _assert_clear_error(text)
            codes[code] += 1
            if name == "records_create":
                landed = domains.get(args["data"]["domains"][0], [])
                assert len(landed) <= 1, f"created twice: {args} -> {landed}"
                if code == "OK":
                    assert landed == [result.structured_content["id"]]
                else:
                    if code == "UPSTREAM_ERROR":
                        assert MAYBE_APPLIED in text, text
                        maybe_applied += 1
                        applied_anyway += len(landed)
                    else:
                        assert not landed, (text, landed)
            elif name == "records_update":
                item = object_records(store, "companies")[args["record_id"]]
                values = [v["value"] for v in item.current("description")]
                if code == "OK":
                    assert values == [args["data"]["description"]], values
                    assert result.structured_content["description"] == args["data"]["description"]
                if code == "UPSTREAM_ERROR":
                    assert MAYBE_APPLIED in text, text
            else:
                mine = [e for e in entries.values() if e.parent_record_id == args["record_id"]]
                assert len(mine) <= 1, f"added twice: {args}"
                if code == "OK":
                    assert [e.id for e in mine] == [result.structured_content["entry_id"]]
                elif code == "UPSTREAM_ERROR":
                    assert MAYBE_APPLIED in text, text

        # Updates and list additions never create records; creates add at most one each.
        created = sum(1 for d in domains if d.startswith("new") and d.endswith(".single.example"))
        assert len(object_records(store, "companies")) == records_before + created
        assert codes["OK"] >= 150, codes  # most calls get through the faults
        assert set(codes) <= {"OK", *CODES}, codes
        # The hard cases happened: a create failed ambiguously, and at least one of those did land.
        assert maybe_applied > 0 and applied_anyway > 0, (codes, maybe_applied, applied_anyway)
        for mode in ("429", "500", "503", "delay", "drop"):
            assert fault_log[mode] > 0, (mode, dict(fault_log))

        # After the faults, the server answers normally.
        after = await client.call_tool(
            "records_get", {"resource_type": "companies", "record_id": base_ids[0]}
        )
        assert not after.is_error, text_of(after)
