"""Server assembly: one ``MCPServer`` with the selected tools, skills and a lifespan that owns the clients.

``build_server(settings)`` is complete when it returns: the transports (stdio, ``http.build_http_app``) only
run it, they change nothing on it.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, nullcontext
from typing import TYPE_CHECKING, Any, Protocol

import anyio
import httpx
from mcp.server import MCPServer
from mcp.server.context import ServerMiddleware
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp.types import CallToolResult, TextContent
from pydantic import ValidationError

from attio_mcp import __version__
from attio_mcp.attio import AttioClient, Limiter
from attio_mcp.server.callers import (
    CallerKey,
    CallerWorkspaces,
    caller_workspace_middleware,
    header_api_key,
    shared_network_transport,
)
from attio_mcp.server.settings import Settings, SettingsError
from attio_mcp.skills import register_skills
from attio_mcp.tools import ALL_TOOLS, compact_input_schema, compact_output_schema, register_tools
from attio_mcp.toolsets import server_instructions
from attio_mcp.workspace import SchemaCache, Workspace
from attio_mcp.workspace.search.service import IndexOptions, SearchService

if TYPE_CHECKING:  # sign-in and shared state load only when --oauth or --redis-url asks for them
    from attio_mcp.server.oauth import AttioApp, AttioOAuthBroker, KeyValueStore
    from attio_mcp.state import SharedState

logger = logging.getLogger("attio_mcp.server")

SANDBOX_BASE_URL = "http://sandbox.attio.local"


class AttioServer(MCPServer[Workspace]):
    """``MCPServer`` whose tool errors always start with a machine code."""

    def __init__(
        self,
        *args: Any,
        caller_keys: bool = False,
        oauth: AttioOAuthBroker | None = None,
        sandbox_app: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._caller_keys = caller_keys
        self.oauth = oauth  # with --oauth: the sign-in broker (http.py puts its front layer in place)
        self.sandbox_app = sandbox_app  # with --sandbox --oauth: the emulated Attio, for its consent page

    @property
    def caller_keys(self) -> bool:
        """Whether a request may run with its caller's own Attio key (see ``build_server``)."""
        return self._caller_keys

    async def list_tools(self) -> list[Any]:
        tools = await super().list_tools()
        for t in tools:
            t.input_schema = compact_input_schema(t.input_schema)
            t.output_schema = compact_output_schema(t.output_schema)
        return tools

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[Workspace, Any] | None = None
    ) -> Any:
        try:
            return await super().call_tool(name, arguments, context)
        except UnexpectedToolError as exc:
            logger.error("tool %s crashed", name, exc_info=exc.__cause__)
            return _error(f"INTERNAL_ERROR: {name} failed unexpectedly (details are in the server log).")
        except ToolError as exc:
            cause = exc.__cause__
            if isinstance(cause, ValidationError):
                return _error(_argument_error(name, cause))
            text = str(exc)
            if text.startswith("Unknown tool"):
                return _error(
                    f"NOT_FOUND: unknown tool {name!r}. Next: call tools/list for the available tools."
                )
            return _error(text.removeprefix(f"Error executing tool {name}: "))


def _argument_error(name: str, exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in err.get("loc", ()) if p != name + "Arguments") or "arguments"
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    first = exc.errors()[0].get("loc", ("arguments",)) if exc.errors() else ("arguments",)
    field = str(first[0]) if first else "arguments"
    return (
        f"VALIDATION_ERROR: invalid arguments for {name}: {'; '.join(parts)} (field: {field}). "
        "Next: fix the arguments to match the tool's input schema."
    )


def _error(text: str) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=text)], is_error=True)


# What the embedded mode sends (equal to ``attio_mcp.sandbox.DEMO_TOKEN``; the sandbox accepts any non-empty
# token). Spelled out here so that start-up does not import the sandbox.
SANDBOX_TOKEN = "sandbox-demo-token"


class _LazySandbox:
    """ASGI app that builds the in-memory demo sandbox on its first request.

    Importing and seeding the sandbox takes ~70 ms; built lazily it costs the first tool call instead of
    every start-up. The seed is deterministic, so the workspace is the same whenever it is built.
    """

    def __init__(self) -> None:
        self._app: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if self._app is None:  # no await before the assignment: concurrent first requests build it once
            from attio_mcp.sandbox import create_app

            self._app = create_app()
        await self._app(scope, receive, send)


def _sandbox_transport(settings: Settings) -> httpx.AsyncBaseTransport:
    if settings.sandbox_db is None:
        return httpx.ASGITransport(app=_LazySandbox())
    # A database file is opened now, so that its errors surface at start-up.
    from attio_mcp.sandbox import DatabaseInUse, create_app

    try:
        return httpx.ASGITransport(app=create_app(db_path=settings.sandbox_db))
    except DatabaseInUse as exc:  # another process serves this file: one line, exit 2
        raise SettingsError(str(exc)) from None


def _no_key_transport(
    message: str = "no Attio API key for this request; send yours in the X-Attio-Api-Key header",
) -> httpx.AsyncBaseTransport:
    """Answers every call with Attio's 401 shape: no server key, and the caller sent none (HTTP key mode)."""
    body = {"status_code": 401, "type": "auth_error", "code": "missing_api_key", "message": message}
    return httpx.MockTransport(lambda request: httpx.Response(401, json=body))


class ClientFactory(Protocol):
    """Builds an Attio client: with the configured key, or with ``api_key`` (a caller's own); ``transport``
    replaces the configured one (the callers' shared connection pool)."""

    def __call__(
        self, api_key: str | None = None, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> AttioClient: ...


def make_client_factory(
    settings: Settings,
    transport: httpx.AsyncBaseTransport | None,
    limiters: Callable[[str], Limiter] | None = None,
) -> ClientFactory:
    """A factory for Attio clients, pointed at Attio or at the embedded sandbox.

    ``factory()`` uses the configured key; ``factory(api_key)`` a caller's own key (HTTP key mode), and
    ``factory(api_key, transport=shared)`` sends through the callers' shared connection pool. ``limiters``
    gives each key's rate limiter (shared by replicas through Redis); without it each client has its own.
    """
    if settings.sandbox and transport is None:
        transport = _sandbox_transport(settings)
    if settings.sandbox:
        key = settings.api_key.get_secret_value() if settings.api_key else SANDBOX_TOKEN
        base_url = SANDBOX_BASE_URL
    else:
        key = settings.api_key.get_secret_value() if settings.api_key else ""
        base_url = settings.base_url

    configured = transport

    def factory(
        api_key: str | None = None, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> AttioClient:
        use_key, use_transport = api_key or key, transport or configured
        if not use_key:
            use_key, use_transport = "no-key-configured", _no_key_transport()
        return AttioClient(
            api_key=use_key,
            base_url=base_url,
            transport=use_transport,
            timeout=settings.timeout,
            connect_timeout=settings.connect_timeout,
            reads_per_second=settings.reads_per_second,
            writes_per_second=settings.writes_per_second,
            max_attempts=settings.max_attempts,
            max_retry_seconds=settings.max_retry_seconds,
            user_agent=f"attio-mcp/{__version__}",
            limiter=limiters(use_key) if limiters is not None else None,
        )

    return factory


SANDBOX_OAUTH_CLIENT_ID = "attio-mcp-sandbox"
OAUTH_NEW_KEYS_PER_MINUTE = 10_000.0


def _oauth_sandbox(settings: Settings, sandbox_app: Any, callback_url: str) -> tuple[Any, AttioApp]:
    """``--sandbox --oauth``: the in-process sandbox with this server's Attio app registered.

    A given ``sandbox_app`` (tests) keeps its own apps: one with this client id gets the callback added.
    The browser reaches the consent page at ``<public>/sandbox/authorize`` (served by ``OAuthFront``); the
    token and revoke calls go to the sandbox in process.
    """
    import secrets

    from attio_mcp.sandbox import OAuthApp, create_app, oauth_registry
    from attio_mcp.server.oauth import SANDBOX_PREFIX, AttioApp

    client_id = settings.oauth_client_id or SANDBOX_OAUTH_CLIENT_ID
    secret = (
        settings.oauth_client_secret.get_secret_value()
        if settings.oauth_client_secret is not None
        else secrets.token_urlsafe(32)
    )
    if sandbox_app is None:
        sandbox_app = create_app(db_path=settings.sandbox_db)
    registry = oauth_registry(sandbox_app)
    known = registry.app(client_id)
    if known is None:
        # Expiring tokens, so that the refresh at Attio runs offline too.
        registry.register(
            OAuthApp(client_id=client_id, client_secret=secret, redirect_uris=(callback_url,), expiring=True)
        )
    else:
        registry.add_redirect_uri(client_id, callback_url)
        secret = known.client_secret
    app = AttioApp(
        client_id=client_id,
        client_secret=secret,
        authorize_url=settings.oauth_public_url + SANDBOX_PREFIX + "/authorize",
        token_url=SANDBOX_BASE_URL + "/oauth/token",
        revoke_url=SANDBOX_BASE_URL + "/oauth/revoke",
    )
    return sandbox_app, app


def _oauth_broker(
    settings: Settings,
    factory: ClientFactory,
    transport: httpx.AsyncBaseTransport | None,
    app: AttioApp,
    store: KeyValueStore,
) -> AttioOAuthBroker:
    from attio_mcp.server.oauth import AttioOAuthBroker, read_identity

    def http() -> httpx.AsyncClient:
        """This server's own calls to Attio's token and revoke URLs (through the sandbox in sandbox mode)."""
        return httpx.AsyncClient(transport=transport, timeout=settings.timeout, follow_redirects=False)

    def cimd_http() -> httpx.AsyncClient:
        """Fetches MCP clients' metadata documents: short timeout, no redirects."""
        return httpx.AsyncClient(timeout=5.0, follow_redirects=False)

    async def identity(attio_token: str) -> tuple[list[str] | None, str | None]:
        return await read_identity(factory(attio_token))

    return AttioOAuthBroker(
        store=store,
        app=app,
        public_url=settings.oauth_public_url,
        http=http,
        identity=identity,
        cimd_http=cimd_http,
    )


def search_service(settings: Settings) -> SearchService:
    """The search index settings: the in-memory sandbox keeps its index in memory unless --index-dir is set."""
    in_memory = settings.sandbox and settings.sandbox_db is None and settings.index_dir is None
    options = IndexOptions(
        settings.index_enabled,
        settings.index_dir or settings.cache_index_dir,
        settings.index_refresh_seconds,
        in_memory=in_memory,
    )
    return SearchService(options)


def _shared_state(settings: Settings) -> SharedState | None:
    """Replicas' shared state (``attio_mcp.state``): with ``--redis-url`` or ``--oauth`` over HTTP."""
    if settings.transport != "http" or not (settings.redis_url is not None or settings.oauth):
        return None
    from attio_mcp.state import build_shared_state

    try:
        return build_shared_state(settings)
    except ValueError as exc:  # Redis with sign-in but no state key: one line, exit 2
        raise SettingsError(str(exc)) from None


@asynccontextmanager
async def _closing(shared: SharedState | None) -> AsyncIterator[None]:
    try:
        yield
    finally:
        if shared is not None:
            with anyio.CancelScope(shield=True):
                await shared.close()


def build_server(
    settings: Settings,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    caller_key: CallerKey | None = None,
    sandbox_app: Any = None,
    oauth_store: KeyValueStore | None = None,
) -> AttioServer:
    """Assemble the server; nothing needs to be added to it afterwards.

    ``transport`` replaces the network (tests pass the sandbox's ASGI transport). ``caller_key`` reads a
    caller's own Attio key from a request (see ``callers.CallerKey``); with ``settings.allow_request_keys`` it
    defaults to the ``X-Attio-Api-Key`` header. When it gives a key, the request runs with that key's own
    ``Workspace``. The lifespan owns the server's client and, with caller keys, the pool of callers' clients.

    With ``settings.oauth`` each user signs in with Attio (``oauth.py``): requests run with the signed-in
    user's token, after a check of the tool's scopes. ``sandbox_app`` (with ``sandbox``) is the emulated
    Attio to sign in against (default: a new one); ``oauth_store`` holds the sign-in state (default: memory).
    """
    broker: AttioOAuthBroker | None = None
    app: AttioApp | None = None
    middleware: list[ServerMiddleware[Any]] = []
    if settings.oauth:
        from attio_mcp.server.oauth import CALLBACK_PATH, AttioApp, scope_gate, signed_in_attio_token

        if settings.sandbox:
            callback = settings.oauth_public_url + CALLBACK_PATH
            sandbox_app, app = _oauth_sandbox(settings, sandbox_app, callback)
            transport = transport or httpx.ASGITransport(app=sandbox_app)
        else:
            sandbox_app = None
            app = AttioApp(
                client_id=settings.oauth_client_id or "",
                client_secret=settings.oauth_client_secret.get_secret_value()
                if settings.oauth_client_secret is not None
                else "",
                authorize_url=settings.oauth_authorize_url,
                token_url=settings.oauth_token_url,
                revoke_url=settings.oauth_revoke_url,
            )
        caller_key = signed_in_attio_token
        middleware.append(scope_gate())
    shared = _shared_state(settings)
    factory = make_client_factory(settings, transport, shared.limiter_factory if shared else None)
    if app is not None:
        from attio_mcp.state import MemoryStore

        store = (
            oauth_store if oauth_store is not None else shared.store if shared is not None else MemoryStore()
        )
        broker = _oauth_broker(settings, factory, transport, app, store)
    if caller_key is None and settings.allow_request_keys:
        caller_key = header_api_key
    callers: CallerWorkspaces | None = None
    if caller_key is not None:
        # Callers' clients share one connection pool to Attio; the sandbox and tests' transports are shared
        # already.
        network = shared_network_transport if transport is None and not settings.sandbox else None
        callers = CallerWorkspaces(
            lambda key, shared: factory(key, transport=shared),
            schema_ttl=settings.schema_ttl,
            # Signed-in users' tokens come from this server's own sign-in, not from a key spray.
            new_keys_per_minute=OAUTH_NEW_KEYS_PER_MINUTE
            if broker is not None
            else settings.new_keys_per_minute,
            network=network,
        )
        callers.search = lambda: search_service(settings)
        middleware.append(caller_workspace_middleware(callers, caller_key))

    @asynccontextmanager
    async def lifespan(_: MCPServer[Workspace]) -> AsyncIterator[Workspace]:
        # With sign-in, a request only ever reaches Attio with its user's token: the server's own client
        # has no key at all (not ATTIO_API_KEY, not the sandbox's), so nothing can run with it by mistake.
        own = (
            factory()
            if broker is None
            else factory("signed-out", transport=_no_key_transport("no signed-in user for this request"))
        )
        async with _closing(shared), own as client, callers if callers is not None else nullcontext():
            search = search_service(settings)  # the search index (#18), opened on the first search
            try:
                yield Workspace(
                    client=client, schema=SchemaCache(client, ttl=settings.schema_ttl), search=search
                )
            finally:
                search.close()

    server = AttioServer(
        "attio-mcp",
        version=__version__,
        instructions=server_instructions(settings.toolsets),
        lifespan=lifespan,
        middleware=middleware,
        caller_keys=callers is not None,
        oauth=broker,
        sandbox_app=sandbox_app if broker is not None else None,
        auth_server_provider=broker,
        auth=broker.auth_settings() if broker is not None else None,
    )
    if broker is not None:
        from attio_mcp.server.oauth import CALLBACK_PATH

        server.custom_route(CALLBACK_PATH, methods=["GET"])(broker.callback)
    offered = register_tools(
        server,
        toolsets=settings.toolsets,
        read_only=settings.read_only,
        disable_destructive=settings.disable_destructive,
    )
    hidden = set(ALL_TOOLS) - {spec.name for spec in offered}
    # Resources and prompts (not a workflow prompt through a hidden tool: --read-only lists no write
    # workflows); their middleware goes after the caller selection.
    register_skills(server, hidden_tools=hidden)
    return server
