"""Import exactness under faults: how many of 1,000 upserted rows end up in the workspace (issue #20).

For each of ``--runs`` seeds: starts ``attio-mcp sandbox serve --db <tmp> --faults <mix>,seed=<n>`` on
127.0.0.1 (loopback only), runs ``records_import`` (upsert, ``--rows`` companies with unique domains) through
the MCP server in process with the server's default retry policy, then restarts the sandbox on the same
database without faults and counts the run's companies. Prints, per run: records written, duplicates, rows
reported failed, and how many of those the summary marked ``maybe_written`` and how many were in fact
written. Bounded: each run gives up after ``--timeout`` seconds; both processes are always stopped.
Not a test.

    .venv/bin/python benchmarks/import_faults.py [--runs 6] [--rows 1000]
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import anyio
import httpx
from mcp import Client

from attio_mcp.server.app import build_server
from attio_mcp.server.settings import Settings

# The mix: 10% 429, 7% 5xx, 2% delays past the client's timeout, 1% dropped connections.
FAULTS = "429=0.1,500=0.035,503=0.035,delay=0.02,drop=0.01,delay_seconds=3"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def sandbox(db: Path, port: int, faults: str | None) -> subprocess.Popen[bytes]:
    args = [sys.executable, "-m", "attio_mcp", "sandbox", "serve", "--port", str(port), "--db", str(db)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATTIO_")}
    proc = subprocess.Popen(
        [*args, *(["--faults", faults] if faults else [])],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("sandbox did not start")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def written_domains(url: str, suffix: str) -> Counter[str]:
    found: Counter[str] = Counter()
    with httpx.Client(base_url=url, headers={"Authorization": "Bearer bench"}, timeout=30) as http:
        offset = 0
        while True:
            page = http.post("/v2/objects/companies/records/query", json={"limit": 500, "offset": offset})
            page.raise_for_status()
            data = page.json()["data"]
            for record in data:
                for value in record["values"].get("domains", []):
                    if value["domain"].endswith(suffix):
                        found[value["domain"]] += 1
            if len(data) < 500:
                return found
            offset += 500


async def one_run(url: str, rows: int, suffix: str, timeout: float) -> dict[str, Any]:
    settings = Settings(
        base_url=url, api_key="bench-key", timeout=2.0, reads_per_second=1000, writes_per_second=1000
    )
    batch = [{"domains": [f"row{i}{suffix}"], "name": f"Fault bench {i}"} for i in range(rows)]
    async with Client(build_server(settings)) as client:
        result = await client.call_tool(
            "records_import", {"resource_type": "companies", "rows": batch}, read_timeout_seconds=timeout
        )
    return dict(result.structured_content or {"error": result.content[0].text})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=6)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args()
    logging.disable(logging.INFO)  # the client logs every retry; the figures are the point here
    print(f"faults: {FAULTS}; {args.rows} rows per run, upsert, server defaults (4 attempts, 2 s timeout)")
    exact = 0
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(args.runs):
            seed = args.first_seed + run
            db, port = Path(tmp) / f"run{seed}.db", free_port()
            url, suffix = f"http://127.0.0.1:{port}", f".s{seed}.bench.example"
            proc = sandbox(db, port, f"{FAULTS},seed={seed}")
            started = time.monotonic()
            try:
                summary = anyio.run(one_run, url, args.rows, suffix, args.timeout)
            finally:
                time.sleep(3.5)  # delayed requests still complete on the sandbox
                stop(proc)
            seconds = time.monotonic() - started
            proc = sandbox(db, port, None)
            try:
                found = written_domains(url, suffix)
            finally:
                stop(proc)
            failed_rows = {e["row"] for e in summary.get("errors", [])}
            in_fact = {r for r in failed_rows if found.get(f"row{r}{suffix}")}
            maybe = set(summary.get("maybe_written", []))
            exact += len(found) == args.rows
            print(
                f"seed {seed}: {len(found)} of {args.rows} written, {sum(found.values()) - len(found)} duplicates, "
                f"{summary.get('failed', '?')} reported failed ({len(maybe)} marked maybe_written, "
                f"{len(in_fact)} in fact written, {len(in_fact - maybe)} written but not marked), "
                f"{seconds:.0f} s"
            )
    print(f"exact runs: {exact} of {args.runs}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
