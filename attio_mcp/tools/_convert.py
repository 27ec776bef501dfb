"""Value-layer errors to agent-facing failures (one place, shared by every family)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from attio_mcp.tools._deps import Deps
from attio_mcp.tools._errors import ToolFailure
from attio_mcp.tools._schema import TargetSchema
from attio_mcp.tools._values import InputError, prepare_values


def input_failure(err: InputError) -> ToolFailure:
    """VALIDATION_ERROR naming the field, the valid options and the next step."""
    return ToolFailure(
        "VALIDATION_ERROR",
        str(err.message),
        field=err.field,
        options=err.options,
        next_step=err.hint or "attributes_list shows every writable slug, its type and options.",
    )


async def prepare_payload(
    d: Deps, schema: TargetSchema, data: Mapping[str, Any], *, for_create: bool
) -> dict[str, Any]:
    """The write payload for ``data`` or a VALIDATION_ERROR; members are fetched only for actor attributes."""
    actors = any((a := schema.get(str(k))) is not None and a.type == "actor-reference" for k in data)
    members = await d.members() if actors else ()
    try:
        return prepare_values(schema, data, for_create=for_create, members=members)
    except InputError as err:
        raise input_failure(err) from None
