"""One 'replica' for the multi-process test: wait for the go key, take write tokens for a while, print the count.

Run as ``python -m tests.state._bucket_worker <redis-url> <token> <rate> <seconds> <run-id>``.
"""

from __future__ import annotations

import sys
import time

import anyio
import redis.asyncio as aioredis

from attio_mcp.state import RedisHealth, RedisLimiter


async def main(url: str, token: str, rate: float, seconds: float, run: str) -> None:
    client = aioredis.Redis.from_url(url)
    health = RedisHealth("test")
    limiter = RedisLimiter(
        client, token, reads_per_second=100, writes_per_second=rate, burst=2, health=health
    )
    await client.incr(f"test:{run}:ready")
    while not await client.exists(f"test:{run}:go"):
        await anyio.sleep(0.005)
    granted = 0
    deadline = time.monotonic() + seconds

    async def worker() -> None:
        nonlocal granted
        while time.monotonic() < deadline:
            await limiter.acquire("write")
            granted += 1

    async with anyio.create_task_group() as tg:
        for _ in range(5):  # several callers per process, like concurrent tool calls
            tg.start_soon(worker)
    await client.aclose()
    print(f"{granted} {health.outages}")


if __name__ == "__main__":
    url, token, rate, seconds, run = sys.argv[1:6]
    anyio.run(main, url, token, float(rate), float(seconds), run)
