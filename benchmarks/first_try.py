"""Benchmark: how many plausible first-try tool calls succeed against the demo workspace (issue #15).

Each case of ``first_try_corpus.py`` runs in a fresh seeded sandbox (``--sandbox``'s demo workspace), through
the real server and an in-memory ``mcp.Client``, and lands in one of three buckets:

- **first try**: the call succeeds and its result is what was asked for (the case's ``check``);
- **fixable**: the call fails, its error text holds the words the fix needs (``needs``: the operator, the
  valid option, the object slug…), and the corrected call (``retry``) then succeeds and passes the check;
- **neither**: anything else, including a call that "succeeds" with a wrong answer.

It also measures what the corpus' tools cost in ``tools/list`` (the 28 tools of the records, lists, notes,
tasks, members, schema and bulk toolsets; tools added later are left out so figures stay comparable):
``name`` + ``description`` + ``inputSchema`` (what a client sends a model) and the whole tool entries.

For "before", run the same script against an older commit: ``git worktree add /tmp/before <commit>`` then
``PYTHONPATH=/tmp/before .venv/bin/python benchmarks/first_try.py``. Not a test. Rerun with:

    .venv/bin/python benchmarks/first_try.py [--verbose] [--json]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import anyio
import httpx
from mcp import Client

sys.path.insert(0, str(Path(__file__).resolve().parent))
from first_try_corpus import CASES, Case  # noqa: E402

from attio_mcp.sandbox import create_app  # noqa: E402
from attio_mcp.server.app import build_server  # noqa: E402
from attio_mcp.server.settings import Settings  # noqa: E402

BASE_TOOLS = (
    "records_search records_get records_create records_update records_upsert records_delete records_get_entries "
    "lists_get_all lists_get list_entries_get list_entries_filter list_entries_add list_entries_update "
    "list_entries_remove notes_create notes_list notes_get notes_delete tasks_create tasks_list tasks_update "
    "tasks_delete members_list whoami objects_list attributes_list attribute_options records_import"
).split()
MODEL_KEYS = ("name", "description", "inputSchema")


def compact(data: Any) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


async def call(client: Client, name: str, args: dict[str, Any]) -> tuple[bool, dict[str, Any], str]:
    result = await client.call_tool(name, args)
    text = result.content[0].text if result.content else ""
    return (not result.is_error), (result.structured_content or {}), text


async def seed_ids(client: Client) -> dict[str, str]:
    """The ids the corpus' placeholders name, read from the freshly seeded workspace."""
    ok, out, _ = await call(client, "records_search", {"resource_type": "companies", "query": "Acme Inc"})
    acme = out["records"][0]["id"]
    ok, out, _ = await call(client, "records_search", {"resource_type": "companies", "query": "Pied Piper"})
    pied = out["records"][0]["id"]
    where = {"company": {"target_object": "companies", "target_record_id": acme}}
    ok, out, _ = await call(client, "records_search", {"resource_type": "deals", "filter": where, "limit": 1})
    deal = out["records"][0]["id"]
    ok, out, _ = await call(client, "records_search", {"resource_type": "people", "limit": 1})
    person = out["records"][0]["id"]
    ok, out, _ = await call(client, "tasks_list", {"limit": 1})
    task = out["tasks"][0]["id"]
    ok, out, _ = await call(client, "list_entries_get", {"list_id": "active_deals", "limit": 1})
    entry = out["entries"][0]["entry_id"]
    today = datetime.now(UTC).date()
    friday = today + timedelta(days=(4 - today.weekday() - 1) % 7 + 1)
    return {
        "acme": acme,
        "pied": pied,
        "deal": deal,
        "person": person,
        "task": task,
        "entry": entry,
        "friday": f"{friday}T09:00:00Z",
    }


def fill(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        for key, ident in ids.items():
            value = value.replace("{" + key + "}", ident)
        return value
    if isinstance(value, list):
        return [fill(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    return value


def passes(check: Any, ok: bool, out: dict[str, Any], ids: dict[str, str]) -> bool:
    if not ok:
        return False
    try:
        return check is None or bool(check(out, ids))
    except (KeyError, TypeError, ValueError, IndexError):
        return False


async def run_case(case: Case) -> dict[str, Any]:
    app = create_app()
    server = build_server(Settings(sandbox=True), transport=httpx.ASGITransport(app=app))
    async with Client(server) as client:
        ids = await seed_ids(client)
        ok, out, text = await call(client, case.tool, fill(case.args, ids))
        outcome: dict[str, Any] = {"id": case.id, "family": case.family, "first": text[:300]}
        if passes(case.check, ok, out, ids) and case.check is not None:
            outcome["bucket"] = "first try"
            outcome["interpreted"] = out.get("interpreted")
            return outcome
        if ok and case.check is None:  # a call the corpus expects to be refused succeeded
            outcome["bucket"] = "neither"
            outcome["why"] = "succeeded where a refusal was expected"
            return outcome
        if ok:
            outcome["bucket"] = "neither"
            outcome["why"] = "succeeded with a wrong answer"
            return outcome
        missing = [w for w in case.needs if w not in text]  # exact: a title in the wrong case is no help
        if case.retry is None or missing:
            outcome["bucket"] = "neither"
            outcome["why"] = f"the error lacks {missing}" if missing else "no retry"
            return outcome
        ok, out, again = await call(client, case.tool, fill(case.retry, ids))
        check = case.extra.get("check_retry", case.check)
        outcome["bucket"] = "fixable" if passes(check, ok, out, ids) else "neither"
        if outcome["bucket"] == "neither":
            outcome["why"] = f"the retry failed: {again[:200]}"
        return outcome


async def footprint() -> dict[str, int]:
    server = build_server(Settings(sandbox=True), transport=httpx.ASGITransport(app=create_app(seed=False)))
    async with Client(server) as client:
        listed = [
            t.model_dump(mode="json", by_alias=True, exclude_none=True)
            for t in (await client.list_tools()).tools
        ]
    tools = [t for t in listed if t["name"] in BASE_TOOLS]
    model = [{k: t[k] for k in MODEL_KEYS if k in t} for t in tools]
    return {
        "tools": len(tools),
        "model_bytes": len(compact(model).encode()),
        "whole_bytes": len(compact(tools).encode()),
    }


async def main(verbose: bool, as_json: bool) -> None:
    logging.disable(logging.CRITICAL)
    outcomes = [await run_case(case) for case in CASES]
    sizes = await footprint()
    totals = {b: sum(1 for o in outcomes if o["bucket"] == b) for b in ("first try", "fixable", "neither")}
    if as_json:
        print(json.dumps({"outcomes": outcomes, "totals": totals, "footprint": sizes}, indent=1))
        return
    print(f"# First-try corpus: {len(CASES)} calls against the demo workspace ({datetime.now(UTC):%Y-%m-%d})")
    families = sorted({o["family"] for o in outcomes}, key=[c.family for c in CASES].index)
    print(f"  {'family':9} {'calls':>5} {'first try':>9} {'fixable':>8} {'neither':>8}")
    for family in families:
        mine = [o for o in outcomes if o["family"] == family]
        counts = [sum(1 for o in mine if o["bucket"] == b) for b in ("first try", "fixable", "neither")]
        print(f"  {family:9} {len(mine):>5} {counts[0]:>9} {counts[1]:>8} {counts[2]:>8}")
    n = len(outcomes)
    print(
        f"  {'total':9} {n:>5} {totals['first try']:>9} {totals['fixable']:>8} {totals['neither']:>8}"
        f"   first try {totals['first try'] / n:.0%}, fixable {totals['fixable'] / n:.0%}, "
        f"neither {totals['neither'] / n:.0%}"
    )
    print(
        f"  tools/list, the {sizes['tools']} tools of these families: name+description+inputSchema "
        f"{sizes['model_bytes']:,} B; whole entries (titles, annotations, output schemas) {sizes['whole_bytes']:,} B"
    )
    for o in outcomes:
        if verbose or o["bucket"] == "neither":
            print(
                f"  - {o['bucket']:9} {o['id']}: {o.get('why') or o.get('interpreted') or o['first'][:160]}"
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--verbose", action="store_true", help="one line per case")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    args = parser.parse_args()
    anyio.run(main, args.verbose, args.json)
