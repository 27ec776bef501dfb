"""Benchmark: how many bytes (and roughly how many tokens) the server's tool list puts in a model's context.

Spawns ``attio-mcp --sandbox`` (then ``attio-mcp --sandbox --read-only``), speaks raw JSON-RPC over stdio
(initialize, notifications/initialized, tools/list, prompts/list, resources/list, resources/templates/list)
and measures the answers exactly as they arrive (compact JSON, UTF-8 bytes):

- the whole ``tools/list`` result (with titles, annotations and output schemas), and without the output
  schemas;
- the part a client sends to a model: ``{name, description, inputSchema}`` per tool, as a JSON array;
- prompts, resources and the server instructions, separately.

Tokens are approximated as bytes / 4. For scale: the TypeScript ``attio-mcp`` 1.6.1 spends 59,857 bytes on
the name+description+inputSchema of its 43 tools. Not a test. Rerun with:

    .venv/bin/python benchmarks/tool_footprint.py [--top N]
"""

from __future__ import annotations

import argparse
from typing import Any

from _common import StdioSession, compact, nbytes, server_command

GOAL_BYTES = 15_000
OUTPUT_GOAL_BYTES = 20_000  # the whole tools/list, output schemas included
TS_BYTES, TS_TOOLS = 59_857, 43
MODEL_KEYS = ("name", "description", "inputSchema")


def collect(*flags: str) -> dict[str, Any]:
    """Every list the server offers, as received."""
    with StdioSession(server_command("--sandbox", *flags)) as session:
        ident = session.initialize_and("tools/list")
        tools_msg, _ = session.wait_for(ident)
        init = session.wait_for(1)[0]
        out = {"tools": tools_msg["result"], "tools_line": session.raw[ident], "initialize": init}
        for key, method in (
            ("prompts", "prompts/list"),
            ("resources", "resources/list"),
            ("templates", "resources/templates/list"),
        ):
            try:
                out[key] = session.request(method)["result"]
            except RuntimeError:
                out[key] = None  # capability not offered
        return out


def model_view(tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: t[k] for k in MODEL_KEYS if k in t} for t in tools]


def tokens(n: int) -> str:
    return f"{n:,} B (~{n // 4:,} tokens)"


def summary(label: str, data: dict[str, Any]) -> int:
    tools = data["tools"]["tools"]
    model = nbytes(model_view(tools))
    print(f"\n## {label}: {len(tools)} tools")
    whole = nbytes(data["tools"])
    without = nbytes(
        {**data["tools"], "tools": [{k: v for k, v in t.items() if k != "outputSchema"} for t in tools]}
    )
    outputs = nbytes([t["outputSchema"] for t in tools if "outputSchema" in t])
    print(f"  tools/list result (whole):            {tokens(whole)}")
    print(
        f"    of which output schemas:            {tokens(whole - without)} ({outputs:,} B as schemas alone)"
    )
    verdict_out = "meets" if whole <= OUTPUT_GOAL_BYTES else "MISSES"
    print(
        f"    without output schemas:             {tokens(without)}; whole <= {OUTPUT_GOAL_BYTES:,} B: {verdict_out}"
    )
    with_out = nbytes([{k: t[k] for k in (*MODEL_KEYS, "outputSchema") if k in t} for t in tools])
    print(f"  name+description+input+outputSchema:  {tokens(with_out)}")
    print(f"  tools/list JSON-RPC line on the wire: {tokens(len(data['tools_line'].encode()))}")
    print(f"  name+description+inputSchema:         {tokens(model)}  ({model / len(tools):,.0f} B/tool)")
    verdict = "meets" if model <= GOAL_BYTES else "MISSES"
    print(
        f"  goal <= {GOAL_BYTES:,} B: {verdict}; TypeScript attio-mcp 1.6.1: {TS_BYTES:,} B for {TS_TOOLS} "
        f"tools ({TS_BYTES / TS_TOOLS:,.0f} B/tool) -> this is {model / TS_BYTES:.0%} of it"
    )
    print("  tools: " + ", ".join(t["name"] for t in tools))
    return model


def breakdown(tools: list[dict[str, Any]], top: int | None) -> None:
    rows = []
    for t in tools:
        schema = t.get("inputSchema", {})
        rows.append(
            (
                nbytes({k: t[k] for k in MODEL_KEYS if k in t}),
                t["name"],
                len((t.get("description") or "").encode()),
                nbytes(schema),
                len(schema.get("properties", {})),
                nbytes(t),
            )
        )
    rows.sort(reverse=True)
    print("\n## Per tool (default toolset), largest first")
    print(f"  {'tool':<24} {'model B':>8} {'descr B':>8} {'schema B':>9} {'params':>7} {'whole B':>8}")
    for model, name, desc, schema, params, whole in rows[:top]:
        print(f"  {name:<24} {model:>8,} {desc:>8,} {schema:>9,} {params:>7} {whole:>8,}")
    print(
        f"  {'total':<24} {sum(r[0] for r in rows):>8,} {sum(r[2] for r in rows):>8,} "
        f"{sum(r[3] for r in rows):>9,} {sum(r[4] for r in rows):>7} {sum(r[5] for r in rows):>8,}"
    )
    print("  (model B = one {name, description, inputSchema} object; whole B adds title and annotations)")


def extras(data: dict[str, Any]) -> None:
    print("\n## Also sent to clients (reported separately, not part of the tool figure)")
    init = data.get("initialize")
    if init is not None:
        text = init["result"].get("instructions") or ""
        print(f"  initialize instructions:    {tokens(len(text.encode()))}")
    for key, field, label in (
        ("prompts", "prompts", "prompts/list"),
        ("resources", "resources", "resources/list"),
        ("templates", "resourceTemplates", "resources/templates/list"),
    ):
        result = data.get(key)
        if result is None:
            print(f"  {label + ':':<27} not offered")
            continue
        items = result.get(field, [])
        names = ", ".join(i.get("name") or i.get("uri", "?") for i in items)
        print(
            f"  {label + ':':<27} {tokens(nbytes(result))}, {len(items)} item(s){': ' + names if names else ''}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=None, help="show only the N largest tools")
    args = parser.parse_args()
    print("# Tool footprint: attio-mcp --sandbox, raw JSON-RPC over stdio, compact JSON, UTF-8 bytes")
    full = collect()
    summary("Default toolset (all toolsets)", full)
    ro = collect("--read-only")
    summary("--read-only", ro)
    breakdown(full["tools"]["tools"], args.top)
    extras(full)
    print(
        "\nbytes/4 is a rough token estimate; real tokenizers differ by model. Example tool as sent to a model:"
    )
    smallest = min(model_view(full["tools"]["tools"]), key=nbytes)
    print("  " + compact(smallest))


if __name__ == "__main__":
    main()
