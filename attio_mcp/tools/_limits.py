"""Size limits every tool call gets from the registry: argument shape before the call, result size after.

Arguments: no container nested deeper than ``MAX_NESTING``, no filter with more than ``MAX_FILTER_DEPTH``
levels of ``$and``/``$or``/``$not`` or more than ``MAX_FILTER_CONDITIONS`` conditions, no string over
``MAX_STRING`` characters, no key over ``MAX_KEY``, no lone surrogate (not encodable as UTF-8), no NaN or
Infinity and no integer beyond 64 bits (JSON allows neither to reach Attio), at most ``MAX_NODES`` values in
all. Results: a result whose JSON text exceeds ``MAX_RESULT_CHARS`` is cut
(its largest list first, then long strings) and marked ``truncated: true`` with advice on asking for less.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from attio_mcp.workspace.errors import WorkspaceError

__all__ = [
    "MAX_FILTER_CONDITIONS",
    "MAX_FILTER_DEPTH",
    "MAX_KEY",
    "MAX_NESTING",
    "MAX_NODES",
    "MAX_RESULT_CHARS",
    "MAX_STRING",
    "MAX_STRING_PARAM",
    "cap_result",
    "check_arguments",
]

MAX_NESTING = 32
MAX_FILTER_DEPTH = 8
MAX_FILTER_CONDITIONS = 1000  # Attio scores a query's complexity and refuses far smaller ones
MAX_INTEGER = 2**63  # beyond any number Attio stores
MAX_STRING = 100_000
MAX_KEY = 200
MAX_NODES = 1_000_000  # more values than a 4 MiB HTTP body can carry
MAX_STRING_PARAM = 1000  # schema maxLength given to a plain string parameter that declares none
MAX_RESULT_CHARS = 100_000
_CUT_STRING = 2000
_FILTER_PARAMS = ("filter",)
_LOGICAL = ("$and", "$or", "$not")


def _too_big(message: str, field: str, next_step: str) -> WorkspaceError:
    return WorkspaceError("VALIDATION_ERROR", message, field=field, next_step=next_step)


def check_arguments(arguments: Mapping[str, Any]) -> None:
    """Raise VALIDATION_ERROR for an argument that is nested too deeply, too long, or too large."""
    nodes = 0
    for name, value in arguments.items():
        stack: list[tuple[Any, int]] = [(value, 0)]
        while stack:
            node, depth = stack.pop()
            nodes += 1
            if nodes > MAX_NODES:
                raise _too_big(
                    f"arguments hold more than {MAX_NODES:,} values", name, "send less data per call."
                )
            if isinstance(node, float) and not math.isfinite(node):
                raise _too_big(
                    f"{name} holds {node!r}, which is not a number JSON or Attio accept",
                    name,
                    "send a finite number.",
                )
            if isinstance(node, int) and not isinstance(node, bool) and abs(node) >= MAX_INTEGER:
                raise _too_big(
                    f"{name} holds an integer of {node.bit_length():,} bits, beyond what Attio stores",
                    name,
                    "send a number below 2^63.",
                )
            if isinstance(node, str):
                if len(node) > MAX_STRING:
                    raise _too_big(
                        f"a string of {len(node):,} characters is longer than the {MAX_STRING:,} allowed",
                        name,
                        "shorten the text.",
                    )
                _check_unicode(node, name)
                continue
            if not isinstance(node, (Mapping, list, tuple)):
                continue
            if depth >= MAX_NESTING:
                raise _too_big(
                    f"{name} is nested more than {MAX_NESTING} levels deep", name, "flatten the value."
                )
            if isinstance(node, Mapping):
                for key, item in node.items():
                    if isinstance(key, str) and len(key) > MAX_KEY:
                        raise _too_big(
                            f"a key of {len(key):,} characters is longer than the {MAX_KEY} allowed",
                            name,
                            "keys are attribute slugs; attributes_list shows them.",
                        )
                    if isinstance(key, str):
                        _check_unicode(key, name)
                    stack.append((item, depth + 1))
            else:
                stack.extend((item, depth + 1) for item in node)
        if name in _FILTER_PARAMS and (levels := _logical_depth(value)) > MAX_FILTER_DEPTH:
            raise _too_big(
                f"filter nests {levels} levels of $and/$or/$not; at most {MAX_FILTER_DEPTH} are allowed",
                name,
                "flatten the filter: $and/$or take several conditions at one level.",
            )
        if name in _FILTER_PARAMS and (width := _conditions(value)) > MAX_FILTER_CONDITIONS:
            raise _too_big(
                f"filter has {width:,} conditions; at most {MAX_FILTER_CONDITIONS:,} are allowed (Attio refuses "
                "queries far smaller than that as too complex)",
                name,
                "narrow the filter, or split it into several searches.",
            )


def _check_unicode(text: str, name: str) -> None:
    """Lone surrogates cannot be sent as UTF-8 JSON (only in-process callers can pass them at all)."""
    if text.isascii():
        return
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise _too_big(
            "text contains invalid Unicode (a lone surrogate)", name, "send valid UTF-8 text."
        ) from None


def _conditions(value: Any) -> int:
    """Conditions in a filter: every key but ``$and``/``$or``/``$not``, and every item of a value list
    (``$in: [...]``)."""
    count = 0
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, Mapping):
            count += sum(1 for key in node if key not in _LOGICAL)
            stack.extend(node.values())
        elif isinstance(node, list):
            count += sum(1 for item in node if not isinstance(item, (Mapping, list)))
            stack.extend(item for item in node if isinstance(item, (Mapping, list)))
    return count


def _logical_depth(node: Any) -> int:
    """Nesting of logical operators (bounded: ``check_arguments`` has already limited container depth)."""
    if isinstance(node, list):
        return max((_logical_depth(n) for n in node), default=0)
    if not isinstance(node, Mapping):
        return 0
    best = 0
    for key, value in node.items():
        inner = _logical_depth(value)
        best = max(best, inner + 1 if key in _LOGICAL else inner)
    return best


def _size(data: Any) -> int:
    return len(json.dumps(data, separators=(",", ":"), ensure_ascii=False, default=str))


def cap_result(data: Any, arguments: Mapping[str, Any] | None = None, limit: int = MAX_RESULT_CHARS) -> Any:
    """``data`` unchanged when its JSON fits in ``limit`` characters, else a cut copy marked ``truncated``.

    A paged result (``has_more``) gets a ``next_offset`` pointing at the first item left out, computed from
    its own ``next_offset`` or from the call's ``offset`` argument.
    """
    if not isinstance(data, dict) or _size(data) <= limit:
        return data
    out = dict(data)
    lists = [k for k, v in out.items() if isinstance(v, list) and v]
    key = max(lists, key=lambda k: _size(out[k]), default=None)
    advice = "use fields to return fewer attributes, or a smaller limit"
    if key is not None and (keep := max(1, _fit(out, key, out[key], limit - 600))) < len(out[key]):
        items = out[key]
        dropped = len(items) - keep
        out[key] = items[:keep]
        note = f"{key} cut from {len(items)} to {keep} to stay under {limit // 1000} KB; {advice}"
        offset = (arguments or {}).get("offset", 0)
        if isinstance(out.get("next_offset"), int):
            out["next_offset"] -= dropped
        elif "has_more" in out and isinstance(offset, int):
            out["next_offset"] = offset + keep
        if "has_more" in out:
            out["has_more"] = True
        note += (
            "; next_offset points at the first item left out"
            if "next_offset" in out
            else f"; the last {dropped} were left out"
        )
        out["truncated"] = True
        out["truncation"] = note
    if _size(out) > limit:
        out = _cut_strings(out)
        out["truncated"] = True
        out.setdefault("truncation", f"long text values cut to {_CUT_STRING} characters; {advice}")
    return out


def _fit(data: dict[str, Any], key: str, items: list[Any], budget: int) -> int:
    """The most leading items of ``data[key]`` that keep ``data`` within ``budget`` characters."""
    low, high = 0, len(items)
    while low < high:
        mid = (low + high + 1) // 2
        if _size({**data, key: items[:mid]}) <= budget:
            low = mid
        else:
            high = mid - 1
    return low


def _cut_strings(node: Any) -> Any:
    if isinstance(node, str):
        return node if len(node) <= _CUT_STRING else node[:_CUT_STRING] + "…"
    if isinstance(node, dict):
        return {k: _cut_strings(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_cut_strings(v) for v in node]
    return node
