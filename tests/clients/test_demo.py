"""``attio-mcp demo`` runs the deal pipeline through a real MCP client; the README's block runs as written."""

from __future__ import annotations

import io
import re
import subprocess

from attio_mcp import cli
from attio_mcp.cli import cmd_demo
from tests.clients._support import ATTIO_MCP, base_env, readme_examples, run

STEPS = {
    "Find the company": "records_search",
    "Create the deal": "records_create",
    "Look up the pipeline lists": "lists_get_all",
    "Add the deal to Active Deals": "list_entries_add",
    "Put it in the Discovery Stage list": "list_entries_add",
    "Create the discovery task": "tasks_create",
    "Document the opportunity in a note": "notes_create",
    "Move the deal to the next stage": "records_update",
    "Take it out of the Discovery Stage list": "list_entries_remove",
    "Add it to the Proposal Stage list": "list_entries_add",
    "Check where the deal is now": "records_get_entries",
}


def _check_transcript(out: str) -> None:
    for title, tool in STEPS.items():
        block = re.search(rf"\d+\. {re.escape(title)}\n  -> {tool} \{{.*\}}?…?\n  <- .+", out)
        assert block, f"step {title!r} ({tool}) missing:\n{out}"
    assert "<- Acme Inc (acme.com), id " in out
    assert "stage Discovery, $50,000" in out and "stage Proposal Sent, close probability 0.65" in out
    assert "<- in lists: active_deals, proposal_stage" in out
    assert re.search(r"done: 11 tool calls in [\d.]+ s", out)


def test_demo_over_stdio() -> None:
    proc = run([str(ATTIO_MCP), "demo"], timeout=120)
    assert "connected to attio-mcp" in proc.stdout and "over stdio" in proc.stdout
    _check_transcript(proc.stdout)


def test_demo_in_process() -> None:
    out = io.StringIO()
    assert cmd_demo.run(cli.build_parser().parse_args(["demo", "--in-process"]), stdout=out) == 0
    _check_transcript(out.getvalue())


def test_demo_failure_is_reported() -> None:
    out = io.StringIO()
    args = cli.build_parser().parse_args(["demo", "--in-process", "--company", "Zzyzx Nonexistent"])
    assert cmd_demo.run(args, stdout=out) == 1
    assert "demo failed: no company matches 'Zzyzx Nonexistent'" in out.getvalue()


def test_readme_demo_block(sandbox_api: str) -> None:
    # The keyed doctor line talks to the emulated Attio API over HTTP instead of api.attio.com.
    env = base_env(ATTIO_BASE_URL=sandbox_api)
    outputs = []
    for line in readme_examples()["demo"].lines():
        proc = subprocess.run(["bash", "-c", line], env=env, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, f"{line}\n{proc.stdout}\n{proc.stderr}"
        outputs.append(proc.stdout)
    _check_transcript(outputs[0])
    assert all("OK: ready to serve." in out for out in outputs[1:])
