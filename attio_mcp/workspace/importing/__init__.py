"""Bulk import, shared by the ``records_import`` tool and the ``attio-mcp import`` command: plan, then run."""

from attio_mcp.workspace.importing.plan import (
    DEFAULT_WORKERS,
    MAX_ROWS,
    MODES,
    ImportPlan,
    ImportRefused,
    PlannedRow,
    RowError,
    default_matching_attribute,
    needs_members,
    plan_import,
    workers_for,
)
from attio_mcp.workspace.importing.run import ImportRun, ProgressCallback

__all__ = [
    "DEFAULT_WORKERS",
    "MAX_ROWS",
    "MODES",
    "ImportPlan",
    "ImportRefused",
    "ImportRun",
    "PlannedRow",
    "ProgressCallback",
    "RowError",
    "default_matching_attribute",
    "needs_members",
    "plan_import",
    "workers_for",
]
