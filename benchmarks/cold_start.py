"""Benchmark: cold start, from spawning ``attio-mcp --sandbox`` to its first ``tools/list`` answer over stdio.

Each run spawns a fresh process and, without waiting, writes ``initialize``, ``notifications/initialized`` and
``tools/list`` as raw JSON-RPC lines to its stdin (no MCP client library in the measured path); the clock
stops when the ``tools/list`` response line is read from stdout. Afterwards (not part of the figure) two
``whoami`` calls are timed: the first one also builds the demo sandbox, which the server does lazily. One unmeasured warm-up run fills the OS
file cache and ``__pycache__``; then the median of ``--runs`` (default 5) is reported, with every sample.

For reference two floors are measured the same way (spawn -> a line on stdout): the bare interpreter
(``python -c pass``) and ``python -c "import mcp.server"`` (the SDK import every MCP server pays); the
difference between the server's figure and the second floor is what this project controls.
The machine has 2 cores and other work may be running: the load average is printed, and only medians
are compared. Not a test. Rerun with:

    .venv/bin/python benchmarks/cold_start.py [--runs 5] [--no-floors] [--command CMD] [-- extra server flags]
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
import time
from pathlib import Path

from _common import StdioSession, load, machine, median_ms, server_command

GOAL_MS = 550.0


def spawn_to_tools_list(argv: list[str]) -> tuple[float, float, int, float, float]:
    """Seconds to the initialize and tools/list answers, number of tools, then (outside the cold-start
    figure) the seconds of a first and a second ``whoami`` call: the first one also pays for whatever
    the server builds lazily (the in-memory sandbox)."""
    with StdioSession(argv) as session:
        ident = session.initialize_and("tools/list")
        listed, t_list = session.wait_for(ident)
        _, t_init = session.wait_for(1)
        calls = []
        for _ in range(2):
            started = time.perf_counter()
            answer = session.request("tools/call", {"name": "whoami", "arguments": {}})
            calls.append(time.perf_counter() - started)
            if answer["result"].get("isError"):
                raise RuntimeError(f"whoami failed: {answer['result']}")
    return t_init, t_list, len(listed["result"]["tools"]), calls[0], calls[1]


def spawn_to_line(code: str) -> float:
    """Seconds from spawning ``python -c code`` to reading the line it prints when done (exit not included)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", code + "; print('ready', flush=True)"], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    proc.stdout.readline()
    took = time.perf_counter() - started
    proc.wait()
    return took


def fmt(samples: list[float]) -> str:
    return f"median {median_ms(samples):4.0f} ms  (runs: {', '.join(f'{s * 1000:.0f}' for s in samples)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--command",
        help="server command to use instead of attio-mcp (e.g. 'python other.py'); --sandbox is added",
    )
    parser.add_argument("--no-floors", action="store_true", help="skip the interpreter and SDK-import floors")
    parser.add_argument("flags", nargs="*", help="extra attio-mcp flags (after --), e.g. -- --read-only")
    args = parser.parse_args()
    base = shlex.split(args.command) if args.command else server_command()
    argv = [*base, "--sandbox", *args.flags]
    print(
        f"# Cold start: {' '.join(Path(a).name if '/' in a else a for a in argv)} -> first tools/list over stdio"
    )
    print(f"# {machine()}; 1 warm-up + {args.runs} interleaved runs each, medians")

    floors = (
        {}
        if args.no_floors
        else {"python -c pass": "pass", "python -c 'import mcp.server'": "import mcp.server"}
    )
    spawn_to_tools_list(argv)  # warm-up
    for code in floors.values():
        spawn_to_line(code)
    runs, floor_runs = [], {label: [] for label in floors}
    for _ in range(args.runs):  # interleaved, so load changes hit every series alike
        runs.append(spawn_to_tools_list(argv))
        for label, code in floors.items():
            floor_runs[label].append(spawn_to_line(code))
    print(f"spawn -> initialize answer: {fmt([r[0] for r in runs])}")
    print(f"spawn -> tools/list answer: {fmt([r[1] for r in runs])}  [{runs[0][2]} tools]")
    print(f"then, first tools/call whoami:  {fmt([r[3] for r in runs])}  (includes any lazy set-up)")
    print(f"then, second tools/call whoami: {fmt([r[4] for r in runs])}")
    for label, samples in floor_runs.items():
        print(f"floor, {label + ':':<29} {fmt(samples)}")
    if floors:
        sdk = median_ms(floor_runs["python -c 'import mcp.server'"])
        print(
            f"attio-mcp's own share (tools/list median - SDK import median): {median_ms([r[1] for r in runs]) - sdk:.0f} ms"
        )
    median = median_ms([r[1] for r in runs])
    print(f"goal <= {GOAL_MS:.0f} ms: {'meets' if median <= GOAL_MS else 'MISSES'} ({median:.0f} ms)")
    print(f"# load average after: {load()}")


if __name__ == "__main__":
    main()
