"""Local emulator of Attio's REST API v2 (the "sandbox"), seeded with a demo sales workspace.

``create_app()`` returns an ASGI (Starlette) app serving ``/v2/...`` exactly like ``https://api.attio.com``,
and Attio's OAuth endpoints of ``https://app.attio.com`` (``/authorize``, ``/oauth/token``, ``/oauth/revoke``,
``/oauth/introspect``; see ``_oauth``); ``serve()`` runs it under uvicorn. ``app.state.sandbox`` is the
in-memory store, ``app.state.oauth`` (``oauth_registry(app)``) the OAuth apps and tokens.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware

from ._http import AuthMiddleware, exception_handlers
from ._middleware import FaultConfig, RateLimitConfig, parse_faults, wrap_app
from ._oauth import ACCESS_TOKEN_PREFIX, DEMO_OAUTH_APP, OAuthApp, OAuthRegistry
from ._persist import DatabaseInUse, Persistence
from ._routes_activities import routes as activity_routes
from ._routes_comments import routes as comment_routes
from ._routes_lists import routes as list_routes
from ._routes_meetings import routes as meeting_routes
from ._routes_meta import routes as meta_routes
from ._routes_oauth import OAuthDispatch, build_oauth_app
from ._routes_records import routes as record_routes
from ._scopes import ScopeMiddleware
from ._scoring import QueryBudget, QueryScoreConfig, ScoreWeights
from ._seed import seed_workspace
from ._store import Store

__all__ = [
    "ACCESS_TOKEN_PREFIX",
    "DEMO_OAUTH_APP",
    "DEMO_TOKEN",
    "DatabaseInUse",
    "FaultConfig",
    "OAuthApp",
    "OAuthRegistry",
    "QueryScoreConfig",
    "RateLimitConfig",
    "ScoreWeights",
    "Store",
    "create_app",
    "oauth_registry",
    "parse_faults",
    "serve",
]

DEMO_TOKEN = "sandbox-demo-token"
# Without rate limiting, only the per-query score cap applies (a too-complex query fails the same way on
# every attempt, like on Attio); the 10-second score window needs ``rate_limit`` (``--rate-limit``).
DEFAULT_QUERY_SCORES = QueryScoreConfig(window_limit=None)
_FROM_RATE_LIMIT: Any = object()

log = logging.getLogger("attio_mcp.sandbox")


def _build_store(db_path: str | None, seed: bool) -> Store:
    persistence = Persistence(db_path) if db_path else None
    if persistence is not None and not persistence.is_empty():
        store = Store(persistence)
        store.load()
        return store
    store = Store(None)
    seed_workspace(store, with_data=seed)
    if persistence is not None:
        store.persistence = persistence
        store.save_all()
    return store


def create_app(
    *,
    db_path: str | None = None,
    seed: bool = True,
    tokens: Collection[str] | None = None,
    rate_limit: RateLimitConfig | None = None,
    faults: FaultConfig | None = None,
    query_scores: QueryScoreConfig | None = _FROM_RATE_LIMIT,
    token_scopes: Mapping[str, str] | None = None,
    oauth_apps: Iterable[OAuthApp] = (),
) -> Starlette:
    """Build the sandbox app.

    ``db_path``: SQLite file for write-through persistence (loaded if it already holds data; never reseeded).
    ``seed``: fill a fresh workspace with demo records, entries, notes and tasks (the schema, lists and
    members always exist). ``tokens``: accepted Bearer tokens (None: any non-empty token).
    ``rate_limit`` / ``faults``: optional Attio-like throttling and fault injection.
    ``query_scores``: the score-based limits of the records/entries query endpoints. Left out, it is
    ``rate_limit.query_scores`` (per-query cap and 10-second window) with rate limiting on, else
    ``DEFAULT_QUERY_SCORES`` (the per-query cap only); None turns both off.
    ``token_scopes``: token -> the space-separated scopes it holds (other tokens hold every scope); an
    endpoint whose scopes the token lacks answers 403.
    ``oauth_apps``: OAuth apps users can authorize (besides ``DEMO_OAUTH_APP``, which one of them may replace
    by using its client_id); their access tokens are accepted whatever ``tokens`` says.
    """
    store = _build_store(db_path, seed)
    registry = OAuthRegistry([DEMO_OAUTH_APP, *oauth_apps])
    middleware = [
        Middleware(OAuthDispatch, oauth_app=build_oauth_app(registry, store)),
        Middleware(wrap_app, rate_limit=rate_limit, faults=faults),
        Middleware(AuthMiddleware, tokens=tokens, oauth=registry),
        Middleware(ScopeMiddleware, token_scopes=token_scopes),
    ]
    app = Starlette(
        routes=[
            *meta_routes,
            *record_routes,
            *list_routes,
            *activity_routes,
            *comment_routes,
            *meeting_routes,
        ],
        middleware=middleware,
        exception_handlers=exception_handlers,
    )
    app.state.sandbox = store
    app.state.oauth = registry
    if query_scores is _FROM_RATE_LIMIT:
        query_scores = rate_limit.query_scores if rate_limit is not None else DEFAULT_QUERY_SCORES
    app.state.query_budget = None if query_scores is None else QueryBudget(query_scores)
    return app


def oauth_registry(app: Starlette) -> OAuthRegistry:
    """The OAuth apps and tokens of a sandbox app: ``register(OAuthApp(...))``, ``add_redirect_uri(...)``."""
    registry: OAuthRegistry = app.state.oauth
    return registry


def _log_config() -> dict[str, Any]:
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    for handler in config["handlers"].values():
        handler["stream"] = "ext://sys.stderr"
    return config


def serve(*, host: str = "127.0.0.1", port: int = 8787, **create_app_kwargs: Any) -> None:
    """Run the sandbox under uvicorn until interrupted (all logging goes to stderr)."""
    import uvicorn

    app = create_app(**create_app_kwargs)
    log.info("Attio sandbox listening on http://%s:%d", host, port)
    uvicorn.run(app, host=host, port=port, log_config=_log_config())
