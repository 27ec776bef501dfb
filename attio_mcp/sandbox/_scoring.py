"""Score-based rate limits of the records and entries query endpoints.

Attio's rate-limit guide ("Score-based rate limits"): every List records / List entries query gets a
complexity score, "a function of the request's sorts and filters as well as the total record/entry count
for the object/list". A query over the **per-query limit** is refused (reduce its complexity: retrying the
same query never succeeds); the scores of the accepted queries are summed over a **sliding 10-second
window** across all apps and tokens of the workspace, and a query that would take the sum over the window
limit is refused until enough older scores leave the window. Both answers are 429s with a ``Retry-After``.

Attio does not publish its formula or its limits, so this scorer is a documented stand-in (configurable
through ``ScoreWeights``)::

    complexity = base
               + condition   x (property/operator tests in attribute conditions, path constraints included)
               + in_values   x (ceil(len / in_values_per_point) for each $in array)
               + or_branch   x (branches of every $or)
               + negation    x (every $not)
               + path_hop    x (reference hops of every filter or sort path)
               + sort        x (sorts)
    score = ceil(complexity + floor(complexity x total rows of the object or list / rows_scale))
          + ceil(limit / rows_per_point)

So the workspace size multiplies the filter/sort cost (twice as much at 10,000 rows with the defaults) and
the page size adds a point per 100 rows. With the defaults, on the demo workspace: a one-condition query for
50 rows scores 3, an unfiltered default page (limit 500) 6, a 20-branch ``$or`` of two-hop path filters 166.
Scores are computed only for queries that are valid (a malformed filter or sort is a 400 first), and a
refused query is not counted in the window.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any

from ._errors import SandboxError

__all__ = ["SCORE_HEADER", "QueryBudget", "QueryScoreConfig", "ScoreWeights", "score_query"]

SCORE_HEADER = "x-attio-record-query-score"
_WINDOW_MESSAGE = "Rate limit exceeded, please try again later"


@dataclass(frozen=True)
class ScoreWeights:
    """Points per query feature (see the module docstring for the formula)."""

    base: float = 1.0
    condition: float = 1.0
    in_values_per_point: int = 10
    in_values: float = 1.0
    or_branch: float = 1.0
    negation: float = 1.0
    path_hop: float = 3.0
    sort: float = 2.0
    rows_per_point: int = 100
    rows_scale: int = 10_000

    def __post_init__(self) -> None:
        if self.in_values_per_point < 1 or self.rows_per_point < 1 or self.rows_scale < 1:
            raise ValueError("in_values_per_point, rows_per_point and rows_scale must be at least 1")
        points = (self.base, self.condition, self.in_values, self.or_branch, self.negation, self.path_hop)
        if any(p < 0 for p in (*points, self.sort)):
            raise ValueError("score weights must not be negative")


@dataclass(frozen=True)
class QueryScoreConfig:
    """Limits on query scores; ``None`` turns a limit off.

    ``per_query_limit``: the highest score one query may have. ``window_limit``: the highest sum of the
    scores of the queries accepted in the last ``window_seconds`` (Attio: a sliding 10-second window).
    Attio's real limits are not published; the defaults leave room for every realistic query of the demo
    workspace and for about 400 typical queries per window.
    """

    per_query_limit: float | None = 250.0
    window_limit: float | None = 2500.0
    window_seconds: float = 10.0
    weights: ScoreWeights = field(default_factory=ScoreWeights)

    def __post_init__(self) -> None:
        for name in ("per_query_limit", "window_limit"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise ValueError(f"{name} must be positive")
        if self.window_seconds <= 0:
            raise ValueError("window_seconds must be positive")


def score_query(
    filter_: Any, sorts: Any, limit: int, total_rows: int, weights: ScoreWeights | None = None
) -> int:
    """The complexity score of a (valid) records/entries query; see the module docstring."""
    w = weights or ScoreWeights()
    complexity = w.base + _filter_points(filter_, w)
    for sort in sorts or []:
        complexity += w.sort
        if isinstance(sort, dict) and isinstance(sort.get("path"), list):
            complexity += w.path_hop * max(0, len(sort["path"]) - 1)
    scaled = complexity + math.floor(complexity * total_rows / w.rows_scale)
    return math.ceil(scaled - 1e-9) + math.ceil(limit / w.rows_per_point)


def _filter_points(node: Any, w: ScoreWeights) -> float:
    if not isinstance(node, dict):
        return 0.0
    points = 0.0
    if isinstance(node.get("path"), list):
        points += w.path_hop * max(0, len(node["path"]) - 1) + _condition_points(node.get("constraints"), w)
    for key, spec in node.items():
        if key in ("path", "constraints"):
            continue
        if key in ("$and", "$or") and isinstance(spec, list):
            points += (w.or_branch * len(spec) if key == "$or" else 0.0) + sum(
                _filter_points(s, w) for s in spec
            )
        elif key == "$not":
            points += w.negation + _filter_points(spec, w)
        else:
            points += _condition_points(spec, w)
    return points


def _condition_points(spec: Any, w: ScoreWeights) -> float:
    """One point per (property, operator) test, plus the size of ``$in`` arrays."""
    if not isinstance(spec, dict):
        return w.condition
    points = 0.0
    for key, sub in spec.items():
        tests = sub.items() if not key.startswith("$") and isinstance(sub, dict) else [(key, sub)]
        for op, operand in tests:
            points += w.condition
            if op == "$in" and isinstance(operand, list):
                points += w.in_values * math.ceil(len(operand) / w.in_values_per_point)
    return points


class QueryBudget:
    """Enforces a ``QueryScoreConfig`` for one workspace (one sandbox app), across all tokens.

    ``clock`` drives the sliding window (inject a fake one in tests); ``wall_clock`` only dates Retry-After.
    """

    def __init__(
        self,
        config: QueryScoreConfig,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.clock = clock
        self.wall_clock = wall_clock
        self._lock = threading.Lock()
        self._accepted: deque[tuple[float, int]] = deque()

    def score(self, filter_: Any, sorts: Any, limit: int, total_rows: int) -> int:
        """The score of a query under this budget's weights."""
        return score_query(filter_, sorts, limit, total_rows, self.config.weights)

    def charge(self, score: int) -> None:
        """Admit a query of ``score`` (counting it in the window) or raise the 429 Attio would send."""
        cap = self.config.per_query_limit
        if cap is not None and score > cap:
            raise _too_complex(score, cap, self.wall_clock())
        limit = self.config.window_limit
        if limit is None:
            return
        window = self.config.window_seconds
        with self._lock:
            now = self.clock()
            while self._accepted and self._accepted[0][0] <= now - window:
                self._accepted.popleft()
            used = sum(s for _, s in self._accepted)
            if used + score <= limit:
                self._accepted.append((now, score))
                return
            if score > limit:  # larger than the whole window: it can never run
                raise _too_complex(score, limit, self.wall_clock())
            for at, old in self._accepted:  # the first moment enough old scores have left the window
                used -= old
                if used + score <= limit:
                    wait = at + window - now
                    break
            else:  # unreachable: with every old score gone the query fits (score <= limit)
                wait = window
        raise SandboxError(
            429,
            "rate_limit_exceeded",
            _WINDOW_MESSAGE,
            "rate_limit_error",
            headers={"Retry-After": _http_date(math.ceil(self.wall_clock() + wait))},
        )


def _too_complex(score: int, cap: float, wall_now: float) -> SandboxError:
    """Attio's 429 for a query over the per-query limit: the documented code, a distinguishable message."""
    return SandboxError(
        429,
        "rate_limit_exceeded",
        f"Query too complex: its score of {score} exceeds the per-query limit of {cap:g}. Reduce the "
        "complexity of the query (fewer filter conditions, $or branches, paths or sorts, or a smaller limit) "
        "and try again; retrying the same query will not succeed.",
        "rate_limit_error",
        headers={"Retry-After": _http_date(math.floor(wall_now) + 1)},
    )


def _http_date(epoch_seconds: int) -> str:
    """RFC 7231 HTTP-date, as Attio's ``Retry-After``."""
    return formatdate(epoch_seconds, usegmt=True)
