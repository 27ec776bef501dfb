"""Load benchmark: many concurrent MCP clients over streamable HTTP against the sandbox-backed server.

Starts ``attio-mcp --sandbox --transport http --port <free>`` as a subprocess on 127.0.0.1 (loopback only),
warms it up, then runs ``--clients`` concurrent MCP sessions, each making ``--calls`` read tool calls
(search, get, lists, entries, notes, tasks, schema, members) one after another. Repeats that ``--rounds``
times so memory growth that keeps going (a leak) can be told from a plateau. Prints errors, throughput,
latency percentiles and the server process's RSS (``/proc/<pid>/status``: VmRSS after warm-up and after
each round, VmHWM peak). Bounded: gives up after ``--timeout`` seconds and always stops the server.

    .venv/bin/python benchmarks/http_load.py [--clients 50] [--calls 200] [--rounds 1] [--attio-rps 1000]

``--attio-rps`` sets the server's own Attio rate limiter (ATTIO_READS_PER_SECOND); real Attio allows 100
reads/s, which would cap the run at 100 calls/s and measure the limiter rather than the server.
Not a test.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from typing import Any

import anyio
import httpx
import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_kib(pid: int, field: str = "VmRSS") -> int:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def start_server(port: int, attio_rps: float) -> subprocess.Popen[str]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("ATTIO_", "ATTIO_MCP_"))},
        "ATTIO_READS_PER_SECOND": str(attio_rps),
        "ATTIO_WRITES_PER_SECOND": str(attio_rps),
        "ATTIO_MCP_LOG_LEVEL": "WARNING",
    }
    cmd = [sys.executable, "-m", "attio_mcp", "--sandbox", "--transport", "http", "--host", "127.0.0.1"]
    proc = subprocess.Popen(
        [*cmd, "--port", str(port)], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, text=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("server did not become healthy within 60 s")


class Workload:
    """The calls a client makes, built from ids the sandbox returned during warm-up."""

    def __init__(self, company_ids: list[str], person_ids: list[str]) -> None:
        self.company_ids, self.person_ids = company_ids, person_ids

    def pick(self, rng: random.Random) -> tuple[str, dict[str, Any]]:
        choice = rng.randrange(10)
        if choice == 0:
            return "records_search", {
                "resource_type": "companies",
                "query": rng.choice(["a", "co", "tech"]),
                "limit": 5,
            }
        if choice == 1:
            return "records_search", {"resource_type": "people", "limit": 5, "offset": rng.randrange(10)}
        if choice == 2:
            return "records_get", {"resource_type": "companies", "record_id": rng.choice(self.company_ids)}
        if choice == 3:
            return "records_get", {"resource_type": "people", "record_id": rng.choice(self.person_ids)}
        if choice == 4:
            return "list_entries_get", {"list_id": rng.choice(["prospecting", "customers"]), "limit": 5}
        if choice == 5:
            return "attributes_list", {"resource_type": rng.choice(["companies", "people", "deals"])}
        if choice == 6:
            return "notes_list", {"limit": 5}
        if choice == 7:
            return "tasks_list", {"limit": 5}
        if choice == 8:
            return "members_list", {}
        return "lists_get_all", {}


async def one_client(
    url: str, index: int, calls: int, work: Workload, latencies: list[float], errors: Counter[str]
) -> None:
    rng = random.Random(index)
    try:
        async with httpx2.AsyncClient(timeout=60) as http:
            async with Client(streamable_http_client(url, http_client=http)) as client:
                for _ in range(calls):
                    name, args = work.pick(rng)
                    started = time.perf_counter()
                    try:
                        result = await client.call_tool(name, args)
                    except Exception as exc:  # a transport or protocol failure counts as an error
                        errors[f"{name}: {type(exc).__name__}"] += 1
                        continue
                    latencies.append(time.perf_counter() - started)
                    if result.is_error:
                        errors[f"{name}: {result.content[0].text.split(':', 1)[0]}"] += 1
    except Exception as exc:
        errors[f"session: {type(exc).__name__}: {exc}"[:120]] += 1


async def warm_up(url: str) -> Workload:
    async with httpx2.AsyncClient(timeout=60) as http:
        async with Client(streamable_http_client(url, http_client=http)) as client:
            companies = await client.call_tool("records_search", {"resource_type": "companies", "limit": 20})
            people = await client.call_tool("records_search", {"resource_type": "people", "limit": 20})
            work = Workload(
                [r["id"] for r in companies.structured_content["records"]],
                [r["id"] for r in people.structured_content["records"]],
            )
            rng = random.Random(0)
            for _ in range(50):
                name, args = work.pick(rng)
                await client.call_tool(name, args)
            return work


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def run(args: argparse.Namespace, url: str, pid: int) -> int:
    work = await warm_up(url)
    base = rss_kib(pid)
    print(f"server pid {pid}; RSS after warm-up {base / 1024:.1f} MiB")
    failed = 0
    for round_no in range(1, args.rounds + 1):
        latencies: list[float] = []
        errors: Counter[str] = Counter()
        started = time.perf_counter()
        with anyio.fail_after(args.timeout):
            async with anyio.create_task_group() as tg:
                for i in range(args.clients):
                    tg.start_soon(one_client, url, i + round_no * 1000, args.calls, work, latencies, errors)
        wall = time.perf_counter() - started
        total = args.clients * args.calls
        rss = rss_kib(pid)
        print(
            f"\nround {round_no}: {args.clients} clients x {args.calls} calls = {total} calls in {wall:.1f} s "
            f"({len(latencies) / wall:.0f} calls/s)"
        )
        print(f"  completed {len(latencies)}, errors {sum(errors.values())}")
        for what, n in errors.most_common(10):
            print(f"    {n:6d}  {what}")
        if latencies:
            ms = [x * 1000 for x in latencies]
            print(
                f"  latency ms: p50 {percentile(ms, 50):.1f}  p95 {percentile(ms, 95):.1f}  "
                f"p99 {percentile(ms, 99):.1f}  max {max(ms):.1f}  mean {statistics.fmean(ms):.1f}"
            )
        print(
            f"  server RSS {rss / 1024:.1f} MiB (growth since warm-up {(rss - base) / 1024:+.1f} MiB), "
            f"peak {rss_kib(pid, 'VmHWM') / 1024:.1f} MiB"
        )
        failed += sum(errors.values())
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--calls", type=int, default=200, help="tool calls per client per round")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--attio-rps", type=float, default=1000.0, help="server's Attio rate limit")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per round before giving up")
    args = parser.parse_args()
    port = free_port()
    proc = start_server(port, args.attio_rps)
    try:
        return anyio.run(run, args, f"http://127.0.0.1:{port}/mcp", proc.pid)
    except TimeoutError:
        print(f"gave up after {args.timeout} s", file=sys.stderr)
        return 2
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    raise SystemExit(main())
