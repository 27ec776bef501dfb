"""A long-lived MCP client over the in-process sandbox, callable from sync code (hypothesis tests),
plus a wrapping httpx transport that records every request the server sends to "Attio"."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from urllib.parse import quote, unquote

import httpx
from anyio.from_thread import BlockingPortal, start_blocking_portal
from mcp import Client

from attio_mcp.sandbox import create_app
from attio_mcp.server.app import build_server
from attio_mcp.server.settings import Settings
from attio_mcp.workspace import CODES


def _route_words(routes: Any) -> set[str]:
    words: set[str] = set()
    for route in routes:
        path = getattr(route, "path", "") or ""
        words.update(seg for seg in path.split("/") if seg and not seg.startswith("{"))
        words |= _route_words(getattr(route, "routes", None) or ())
    return words


# Every literal path segment of the Attio routes the sandbox serves (the routes the client may call).
ROUTE_WORDS = frozenset(_route_words(create_app().routes))
NO_NEXT_STEP: set[str] = set()  # errors without the contract's "Next:" part (reported, not failed)
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class RecordingTransport(httpx.AsyncBaseTransport):
    """Passes requests to ``inner`` and keeps them (and the responses' status) in ``log``."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.log: list[tuple[httpx.Request, int | None]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            response = await self.inner.handle_async_request(request)
        except Exception:
            self.log.append((request, None))
            raise
        self.log.append((request, response.status_code))
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


def known_slugs(app: Any) -> set[str]:
    """Object, list and attribute api_slugs of the sandbox workspace."""
    schema = app.state.sandbox.schema
    slugs = {o["api_slug"] for o in schema.objects.values()} | {
        lst["api_slug"] for lst in schema.lists.values()
    }
    for parent in [*schema.objects, *schema.lists]:
        slugs |= {a.slug for a in schema.attrs(parent).values()}
    return slugs


def bad_path_segments(requests: list[httpx.Request], slugs: set[str]) -> list[str]:
    """Segments that are not route words, UUIDs or canonically encoded known slugs (empty list: all fine)."""
    bad = []
    for request in requests:
        raw = request.url.raw_path.decode("ascii").split("?", 1)[0]
        segments = raw.split("/")
        if segments[:2] != ["", "v2"]:
            bad.append(raw)
            continue
        for segment in segments[1:]:
            decoded = unquote(segment)
            if decoded in (".", "..") or "/" in decoded or quote(decoded, safe="") != segment:
                bad.append(f"{raw} [{segment}]")
            elif not (segment in ROUTE_WORDS or UUID_RE.match(segment) or decoded in slugs):
                bad.append(f"{raw} [{segment}]")
    return bad


def machine_coded(result: Any) -> str | None:
    """None if ``result`` is a success or a machine-coded error, else what is wrong with it."""
    text = result.content[0].text if result.content else ""
    if "Traceback" in text or 'File "' in text:
        return f"traceback in result: {text[:300]}"
    if not result.is_error:
        return None if isinstance(result.structured_content, dict) else f"no structured content: {text[:200]}"
    code = text.split(":", 1)[0]
    if code not in CODES:
        return f"not machine-coded: {text[:300]}"
    if " Next: " not in text:
        NO_NEXT_STEP.add(text[:200])
    return None


class CrashLog(logging.Handler):
    """Collects the server's 'tool crashed' records with their tracebacks."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.crashes: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.crashes.append(self.format(record))


class Harness:
    """A sandbox, the server over a recording transport, and an MCP client driven through a portal."""

    def __init__(
        self, portal: BlockingPortal, client: Client, app: Any, transport: RecordingTransport
    ) -> None:
        self.portal, self.client, self.app, self.transport = portal, client, app, transport
        self.slugs = known_slugs(app)
        self.crashes: list[str] = []  # filled by a CrashLog handler when a test attaches one

    def call(self, name: str, args: dict[str, Any]) -> Any:
        return self.portal.call(lambda: self.client.call_tool(name, args, read_timeout_seconds=60))

    def read_resource(self, uri: str) -> Any:
        return self.portal.call(self.client.read_resource, uri)

    def seeded_ids(self, slug: str, n: int = 3) -> list[str]:
        store = self.app.state.sandbox
        return list(store.object_records(store.schema.object(slug)["id"]["object_id"]))[:n]

    def entry_ids(self, list_slug: str, n: int = 3) -> list[str]:
        store = self.app.state.sandbox
        return list(store.list_entries(store.schema.list(list_slug)["id"]["list_id"]))[:n]


@contextmanager
def harness(settings: Settings | None = None, **app_kwargs: Any) -> Iterator[Harness]:
    app = create_app(**app_kwargs)
    transport = RecordingTransport(httpx.ASGITransport(app=app))
    server = build_server(settings or Settings(sandbox=True, writes_per_second=1000), transport=transport)
    with ExitStack() as stack:
        portal = stack.enter_context(start_blocking_portal(backend="asyncio"))
        client = stack.enter_context(portal.wrap_async_context_manager(Client(server)))
        yield Harness(portal, client, app, transport)


def random_uuid() -> str:
    return str(uuid.uuid4())
