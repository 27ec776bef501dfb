"""The Attio API key never shows up in a tool result, an error, a log line, a resource or an exception.

A recognisable key drives every tool (valid and invalid calls) against a sandbox that accepts it, one that
refuses it (401), one that fails with 5xx and a network that times out, with every logger at DEBUG. Then
everything captured is scanned for the key.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client

from attio_mcp.sandbox import FaultConfig, create_app
from attio_mcp.sandbox._middleware import wrap_app
from attio_mcp.server.app import build_server
from attio_mcp.server.settings import Settings
from attio_mcp.tools import ALL_TOOLS
from tests.security.harness import RecordingTransport

pytestmark = pytest.mark.anyio

SECRET = "sk-attio-SECRET-7f3a9c2e81d04b6a"
DUMMY = "00000000-0000-4000-8000-000000000000"

Args = Callable[[dict[str, str]], dict[str, Any]]


def _calls() -> list[tuple[str, Args, str | None]]:
    """(tool, arguments from the ids found so far, key under which to remember the result's id)."""
    c: Callable[[dict[str, str]], str] = lambda ids: ids.get("company", DUMMY)  # noqa: E731
    return [
        ("whoami", lambda ids: {}, None),
        ("objects_list", lambda ids: {}, None),
        ("attributes_list", lambda ids: {"resource_type": "companies"}, None),
        ("attribute_options", lambda ids: {"resource_type": "companies", "attribute": "categories"}, None),
        ("lists_get_all", lambda ids: {}, None),
        ("lists_get", lambda ids: {"list_id": "prospecting"}, None),
        ("members_list", lambda ids: {}, None),
        ("records_search", lambda ids: {"resource_type": "companies", "query": "a", "limit": 2}, None),
        (
            "records_create",
            lambda ids: {
                "resource_type": "companies",
                "data": {"name": "Secret Co", "domains": ["secret.example"]},
            },
            "company",
        ),
        ("records_get", lambda ids: {"resource_type": "companies", "record_id": c(ids)}, None),
        (
            "records_update",
            lambda ids: {"resource_type": "companies", "record_id": c(ids), "data": {"description": "d"}},
            None,
        ),
        (
            "records_upsert",
            lambda ids: {
                "resource_type": "companies",
                "matching_attribute": "domains",
                "data": {"domains": ["secret.example"], "name": "Secret Co 2"},
            },
            None,
        ),
        ("records_get_entries", lambda ids: {"resource_type": "companies", "record_id": c(ids)}, None),
        ("list_entries_add", lambda ids: {"list_id": "prospecting", "record_id": c(ids)}, "entry"),
        ("list_entries_get", lambda ids: {"list_id": "prospecting", "limit": 3}, None),
        (
            "list_entries_filter",
            lambda ids: {"list_id": "prospecting", "attribute": "record_id", "value": c(ids)},
            None,
        ),
        (
            "list_entries_update",
            lambda ids: {
                "list_id": "prospecting",
                "entry_id": ids.get("entry", DUMMY),
                "attributes": {"notes": "n"},
            },
            None,
        ),
        (
            "list_entries_remove",
            lambda ids: {"list_id": "prospecting", "entry_id": ids.get("entry", DUMMY)},
            None,
        ),
        (
            "notes_create",
            lambda ids: {
                "parent_object": "companies",
                "parent_record_id": c(ids),
                "title": "t",
                "content": "c",
            },
            "note",
        ),
        ("notes_list", lambda ids: {"limit": 2}, None),
        ("notes_get", lambda ids: {"note_id": ids.get("note", DUMMY)}, None),
        ("notes_delete", lambda ids: {"note_id": ids.get("note", DUMMY)}, None),
        (
            "tasks_create",
            lambda ids: {
                "content": "call back",
                "linked_records": [{"target_object": "companies", "target_record_id": c(ids)}],
                "assignees": ["olivia.bennett@demo-sales.example"],
                "due_at": "2030-01-02",
            },
            "task",
        ),
        ("tasks_list", lambda ids: {"limit": 2}, None),
        ("tasks_update", lambda ids: {"task_id": ids.get("task", DUMMY), "is_completed": True}, None),
        ("tasks_delete", lambda ids: {"task_id": ids.get("task", DUMMY)}, None),
        (
            "records_import",
            lambda ids: {
                "resource_type": "companies",
                "rows": [{"domains": f"s{i}.example"} for i in range(3)],
            },
            None,
        ),
        ("records_delete", lambda ids: {"resource_type": "companies", "record_id": c(ids)}, None),
    ]


INVALID: list[dict[str, Any]] = [
    {},
    {"resource_type": "../secrets", "record_id": "not-a-uuid", "list_id": "nope", "data": {"nope": 1}},
    {"resource_type": "companies", "record_id": DUMMY, "data": {"name": 5}, "filter": {"$where": 1}},
]


class TimeoutTransport(httpx.AsyncBaseTransport):
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout(f"timed out talking to {request.url}", request=request)


def _dump(result: Any) -> str:
    parts = [c.text for c in result.content if hasattr(c, "text")]
    parts.append(json.dumps(result.structured_content, default=str))
    return "\n".join(parts)


async def _drive(client: Client, seen: list[str]) -> dict[str, str]:
    ids: dict[str, str] = {}
    for name, build, remember in _calls():
        result = await client.call_tool(name, build(ids))
        seen.append(_dump(result))
        if remember and not result.is_error:
            data = result.structured_content or {}
            ids[remember] = data.get("id") or data.get("entry_id") or DUMMY
        for args in INVALID:
            seen.append(_dump(await client.call_tool(name, args)))
    driven = {name for name, _, _ in _calls()}
    for tool in (await client.list_tools()).tools:
        if tool.name not in driven:
            seen.append(_dump(await client.call_tool(tool.name, sample_arguments(tool.input_schema))))
    resources = await client.list_resources()
    for resource in resources.resources:
        try:
            seen.append(repr(await client.read_resource(resource.uri)))
        except Exception as exc:  # a failed read is fine; its text is scanned too
            seen.append(repr(exc))
    for uri in (
        "attio://skills/workspace-schema/companies-attributes.md",
        "attio://skills/workspace-schema/x.md",
    ):
        try:
            seen.append(repr(await client.read_resource(uri)))
        except Exception as exc:
            seen.append(repr(exc))
    return ids


def _scan(label: str, texts: list[str]) -> None:
    for text in texts:
        assert SECRET not in text, f"{label}: key found in {text[:500]}"


def sample_arguments(schema: dict[str, Any]) -> dict[str, Any]:
    """Plausible arguments for a tool the catalog does not know yet, from its input schema alone: every
    required parameter gets a value of its type (ids a UUID, objects ``companies``, lists ``prospecting``)."""
    out: dict[str, Any] = {}
    for name in schema.get("required", []):
        prop = schema.get("properties", {}).get(name, {})
        kind = prop.get("type")
        if name in ("resource_type", "parent_object", "object"):
            out[name] = "companies"
        elif name == "list_id":
            out[name] = "prospecting"
        elif kind == "string":
            out[name] = DUMMY if name.endswith("_id") or "UUID" in prop.get("description", "") else "x"
        elif kind in ("integer", "number"):
            out[name] = prop.get("minimum", 1)
        elif kind == "boolean":
            out[name] = False
        elif kind == "array":
            out[name] = []
        else:
            out[name] = {}
    return out


def test_every_tool_is_driven() -> None:
    """The catalog's worked calls plus schema-derived ones for any other tool: a new tool is never skipped."""
    catalog = {name for name, _, _ in _calls()}
    assert catalog <= set(ALL_TOOLS), catalog - set(ALL_TOOLS)
    schema = {
        "required": ["record_id", "limit", "data", "resource_type"],
        "properties": {
            "record_id": {"type": "string"},
            "limit": {"type": "integer", "minimum": 1},
            "data": {"type": "object"},
            "resource_type": {"type": "string"},
        },
    }
    assert sample_arguments(schema) == {
        "record_id": DUMMY,
        "limit": 1,
        "data": {},
        "resource_type": "companies",
    }


@pytest.mark.parametrize("mode", ["accepted", "refused", "server_errors", "timeouts"])
async def test_key_never_leaks(mode: str, caplog: pytest.LogCaptureFixture, fast_retries: None) -> None:
    caplog.set_level(logging.DEBUG)
    inner: httpx.AsyncBaseTransport
    if mode == "accepted":
        inner = httpx.ASGITransport(app=create_app(tokens={SECRET}))
    elif mode == "refused":
        inner = httpx.ASGITransport(app=create_app(tokens={"someone-elses-key"}))
    elif mode == "server_errors":
        faults = FaultConfig(seed=1, rate_500=0.5, rate_503=0.5)
        inner = httpx.ASGITransport(app=wrap_app(create_app(tokens={SECRET}), faults=faults))
    else:
        inner = TimeoutTransport()
    transport = RecordingTransport(inner)
    settings = Settings(
        api_key=SECRET,
        base_url="http://sandbox.test",
        insecure_base_url=True,
        writes_per_second=1000,
        max_attempts=2,
        max_retry_seconds=1,
    )
    seen: list[str] = []
    server = build_server(settings, transport=transport)
    async with Client(server) as client:
        ids = await _drive(client, seen)
    if mode == "accepted":
        assert {"company", "entry", "note", "task"} <= set(ids), ids  # the valid calls really worked
        assert all(r.headers["authorization"] == f"Bearer {SECRET}" for r, _ in transport.log)
    elif mode == "refused":
        assert any("AUTH_ERROR" in s for s in seen)
    else:
        assert any("UPSTREAM_ERROR" in s for s in seen)
    assert transport.log or mode == "timeouts"

    _scan("tool results and resources", seen)
    _scan("log text", [caplog.text])
    _scan("log records", [repr(r.__dict__) for r in caplog.records])
    _scan("transport log", [f"{r!r} {r.url} {r.content!r} {status}" for r, status in transport.log])
    _scan("server objects", [repr(settings), str(settings.model_dump()), repr(server)])


async def test_stdio_server_at_debug_never_logs_the_key(tmp_path: Any) -> None:
    """The real CLI over stdio, DEBUG logging to stderr: the key is in the environment only."""
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "attio_mcp", "--sandbox", "--log-level", "DEBUG"],
        env={"ATTIO_API_KEY": SECRET, "PATH": "/usr/bin:/bin"},
    )
    seen: list[str] = []
    log_path = tmp_path / "stderr.log"
    with log_path.open("w") as errlog:
        async with Client(stdio_client(params, errlog=errlog)) as client:
            for name, args in (
                ("whoami", {}),
                ("records_search", {"resource_type": "companies", "limit": 1}),
                ("records_get", {"resource_type": "companies", "record_id": "bad"}),
                ("records_create", {"resource_type": "companies", "data": {"nope": 1}}),
            ):
                seen.append(_dump(await client.call_tool(name, args)))
    logged = log_path.read_text()
    _scan("stdio results", seen)
    assert "DEBUG" in logged, logged[-2000:]
    assert SECRET not in logged


def test_cli_error_output_never_echoes_the_key() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "attio_mcp", "--transport", "http", "--host", "0.0.0.0"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"ATTIO_API_KEY": SECRET, "PATH": "/usr/bin:/bin"},
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 2 and "auth token" in proc.stderr
    assert SECRET not in proc.stdout + proc.stderr
