"""Size limits: rows per import, filter depth, nesting, string lengths and the result size cap."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from mcp import Client

from attio_mcp.server.app import build_server
from attio_mcp.server.http import build_http_app
from attio_mcp.server.settings import Settings
from attio_mcp.tools._limits import (
    MAX_FILTER_CONDITIONS,
    MAX_FILTER_DEPTH,
    MAX_NESTING,
    MAX_RESULT_CHARS,
    MAX_STRING,
    cap_result,
)
from attio_mcp.workspace.importing import MAX_ROWS
from tests.conftest import Tools
from tests.reliability.live import live

pytestmark = pytest.mark.anyio


def _filter(levels: int) -> dict[str, Any]:
    node: dict[str, Any] = {"name": {"$contains": "a"}}
    for i in range(levels):
        node = {"$or": [node, {"name": {"$contains": "b"}}]} if i % 2 else {"$not": node}
    return node


def _nested(depth: int) -> Any:
    node: Any = "leaf"
    for _ in range(depth):
        node = {"x": node}
    return node


async def test_import_row_limit(tools: Tools) -> None:
    rows = [{"domains": f"r{i}.limit.example"} for i in range(MAX_ROWS + 1)]
    text = await tools.fail(
        "records_import", {"resource_type": "companies", "rows": rows}, "VALIDATION_ERROR"
    )
    assert "(field: rows)" in text and "10,000" in text


async def test_filter_depth_limit(tools: Tools) -> None:
    ok = await tools.client.call_tool(
        "records_search", {"resource_type": "companies", "filter": _filter(MAX_FILTER_DEPTH)}
    )
    assert "levels of $and/$or/$not" not in ok.content[0].text
    for name, args in (
        ("records_search", {"resource_type": "companies", "filter": _filter(MAX_FILTER_DEPTH + 1)}),
        ("list_entries_filter", {"list_id": "prospecting", "filter": _filter(MAX_FILTER_DEPTH + 1)}),
    ):
        text = await tools.fail(name, args, "VALIDATION_ERROR")
        assert f"at most {MAX_FILTER_DEPTH} are allowed" in text and "(field: filter)" in text


async def test_nesting_and_long_strings_inside_values(tools: Tools) -> None:
    deep = {"resource_type": "companies", "data": {"name": "x", "description": _nested(MAX_NESTING + 1)}}
    text = await tools.fail("records_create", deep, "VALIDATION_ERROR")
    assert "nested more than" in text and "(field: data)" in text
    long = {"resource_type": "companies", "data": {"name": "x" * (MAX_STRING + 1)}}
    text = await tools.fail("records_create", long, "VALIDATION_ERROR")
    assert "longer than the 100,000 allowed" in text
    key = {"resource_type": "companies", "data": {"k" * 5000: "x"}}
    assert "key of 5,000 characters" in await tools.fail("records_create", key, "VALIDATION_ERROR")
    surrogate = {"resource_type": "companies", "filter": {"name": "a\ud800b"}}
    assert "lone surrogate" in await tools.fail("records_search", surrogate, "VALIDATION_ERROR")


async def test_every_string_parameter_has_a_max_length(mcp: Client, tools: Tools) -> None:
    listed = (await mcp.list_tools()).tools
    checked = 0
    for tool in listed:
        for pname, prop in tool.input_schema.get("properties", {}).items():
            if prop.get("type") != "string" or "enum" in prop:
                continue
            assert isinstance(prop.get("maxLength"), int), (tool.name, pname)
            # One character too many is refused by the schema before the tool runs.
            text = await tools.fail(tool.name, {pname: "x" * (prop["maxLength"] + 1)}, "VALIDATION_ERROR")
            assert pname in text, text
            checked += 1
    assert checked >= 40


async def test_large_search_result_is_truncated_with_advice(tools: Tools) -> None:
    big = "lorem ipsum " * 400  # ~4.8 KB per record
    rows = [
        {"domains": f"big{i:02}.cap.example", "name": f"Capped {i:02}", "description": big} for i in range(40)
    ]
    done = await tools.ok("records_import", {"resource_type": "companies", "rows": rows})
    assert done["created"] == 40

    where = {"name": {"$starts_with": "Capped "}}
    sort = [{"attribute": "name", "direction": "asc"}]
    page = await tools.ok(
        "records_search", {"resource_type": "companies", "filter": where, "sorts": sort, "limit": 40}
    )
    assert page["truncated"] is True
    assert "fields" in page["truncation"] and "smaller limit" in page["truncation"]
    assert 0 < len(page["records"]) < 40 and page["has_more"] is True
    assert len(json.dumps(page, separators=(",", ":"), ensure_ascii=False)) <= MAX_RESULT_CHARS

    # Nothing is lost: next_offset continues right after the last record shown.
    seen = [r["name"] for r in page["records"]]
    while page.get("has_more"):
        page = await tools.ok(
            "records_search",
            {
                "resource_type": "companies",
                "filter": where,
                "sorts": sort,
                "limit": 40,
                "offset": page["next_offset"],
            },
        )
        seen += [r["name"] for r in page["records"]]
    assert seen == [f"Capped {i:02}" for i in range(40)]

    # Asking for less avoids the cut.
    slim = await tools.ok(
        "records_search", {"resource_type": "companies", "filter": where, "fields": ["name"], "limit": 40}
    )
    assert "truncated" not in slim and len(slim["records"]) == 40


def test_cap_result_cuts_long_strings_when_there_is_no_list() -> None:
    small = {"id": "x", "content": "short"}
    assert cap_result(small) is small
    huge = {"id": "x", "content": "y" * (MAX_RESULT_CHARS * 2)}
    out = cap_result(huge)
    assert out["truncated"] is True and len(out["content"]) < 3000 and "truncation" in out
    assert huge["content"] == "y" * (MAX_RESULT_CHARS * 2)  # the input is not modified


def test_cap_result_keeps_paging_consistent() -> None:
    items = [{"n": i, "text": "z" * 5000} for i in range(50)]
    out = cap_result({"records": items, "has_more": True, "next_offset": 70}, {"offset": 20})
    kept = len(out["records"])
    assert 0 < kept < 50 and out["next_offset"] == 20 + kept and out["has_more"] is True
    # A single item too large on its own is kept (shortened), so paging never stalls on an empty page.
    lone = cap_result({"records": [{"text": "z" * (MAX_RESULT_CHARS * 2)}], "has_more": False}, {"offset": 0})
    assert len(lone["records"]) == 1 and lone["truncated"] is True and "next_offset" not in lone


# -- issue #20: numbers JSON cannot carry to Attio, and filters too wide to be worth a request -------------


def _tool_call_over_http(raw_arguments: str) -> str:
    """A tools/call whose arguments are raw JSON text (NaN, Infinity and huge integers pass Python's parser)."""
    settings = Settings(sandbox=True, transport="http")
    app = build_http_app(build_server(settings), settings)
    headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    init = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-11-25",
            "capabilities": {},
            "clientInfo": {"name": "t", "version": "1"},
        },
    }
    with live(app, lifespan="on") as server:
        opened = httpx.post(f"{server.url}/mcp", json=init, headers=headers, timeout=10)
        session = {"mcp-session-id": opened.headers["mcp-session-id"], "mcp-protocol-version": "2025-11-25"}
        body = '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":' + raw_arguments + "}"
        answer = httpx.post(f"{server.url}/mcp", content=body, headers={**headers, **session}, timeout=30)
    data = next(line[5:] for line in answer.text.splitlines() if line.startswith("data:"))
    return str(json.loads(data)["result"]["content"][0]["text"])


@pytest.mark.parametrize(
    ("tool", "arguments", "field"),
    [
        ("records_search", '{"resource_type":"deals","filter":{"deal_value":{"$gt":NaN}}}', "filter"),
        ("records_search", '{"resource_type":"companies","filter":{"name":Infinity}}', "filter"),
        ("records_create", '{"resource_type":"companies","data":{"name":NaN}}', "data"),
        ("records_create", '{"resource_type":"deals","data":{"name":"x","deal_value":-Infinity}}', "data"),
    ],
)
def test_non_finite_numbers_are_validation_errors(tool: str, arguments: str, field: str) -> None:
    # Python's JSON parser accepts NaN and Infinity; json.dumps would send them on as invalid JSON.
    text = _tool_call_over_http(f'{{"name":"{tool}","arguments":{arguments}}}')
    assert text.startswith("VALIDATION_ERROR:") and "not a number" in text and f"(field: {field})" in text, (
        text
    )


async def test_integers_beyond_64_bits_are_validation_errors(tools: Tools) -> None:
    # Over HTTP the SDK's JSON parser refuses such a number first (-32700); in process it reaches the tool.
    huge = {"resource_type": "deals", "filter": {"deal_value": {"$gt": 10**5000}}}
    assert "beyond what Attio stores" in await tools.fail("records_search", huge, "VALIDATION_ERROR")
    data = {"resource_type": "deals", "data": {"name": "Big", "deal_value": -(2**63)}}
    assert "beyond what Attio stores" in await tools.fail("records_create", data, "VALIDATION_ERROR")


async def test_filter_width_limit(tools: Tools) -> None:
    wide = {"$or": [{"name": f"n{i}"} for i in range(110_000)]}
    text = await tools.fail(
        "records_search", {"resource_type": "companies", "filter": wide}, "VALIDATION_ERROR"
    )
    assert "110,000 conditions" in text and f"at most {MAX_FILTER_CONDITIONS:,}" in text
    many_ids = {"name": {"$in": [f"n{i}" for i in range(MAX_FILTER_CONDITIONS + 1)]}}
    assert "conditions" in await tools.fail(
        "list_entries_filter", {"list_id": "prospecting", "filter": many_ids}, "VALIDATION_ERROR"
    )
    fits = {"$or": [{"name": f"n{i}"} for i in range(50)]}
    result = await tools.client.call_tool("records_search", {"resource_type": "companies", "filter": fits})
    assert "conditions" not in result.content[0].text
