"""Value-layer errors to agent-facing failures (one place, shared by every family)."""

from __future__ import annotations

from attio_mcp.tools._errors import ToolFailure
from attio_mcp.tools._values import InputError


def input_failure(err: InputError) -> ToolFailure:
    """VALIDATION_ERROR naming the field, the valid options and the next step."""
    return ToolFailure(
        "VALIDATION_ERROR",
        str(err.message),
        field=err.field,
        options=err.options,
        next_step=err.hint or "attributes_list shows every writable slug, its type and options.",
    )
