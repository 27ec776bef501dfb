"""``attio-mcp import FILE.csv --object companies``: bulk import from a CSV file with the records_import engine.

The header row names the attributes (slugs, or titles). Cells are read as text and coerced like tool input:
an empty cell is omitted (it never clears a value); a cell of a multiselect attribute is split on ``;``
(``acme.com; acme.io``); a ``record_id`` column is the record to change in ``--mode update``.

The file is read a line at a time and refused, before anything is written, with one line naming the CSV
line, when it is empty, names a column twice, has a line over ``MAX_LINE_CHARS`` characters, a cell over
``MAX_CELL_CHARS`` (the server's limit on one string), an unterminated quote, a NUL byte, more than
``MAX_CSV_ROWS`` rows or more than ``MAX_CSV_CHARS`` characters in all: split such a file.

Output: a progress line on stderr (when it is a terminal, or with ``--progress``), then the summary on stdout
as text, or as one JSON object with ``--json``. Errors name the 0-based row index and the CSV line.
Exit codes: 0 all rows written (or, with ``--dry-run``, all valid); 1 some row invalid or failed;
2 the import could not start (file, object, options); 130 interrupted by Ctrl-C (the partial summary is
printed first; an upsert is safe to re-run).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

import anyio

from attio_mcp.attio import AttioError
from attio_mcp.cli.common import configure_logging, load_settings
from attio_mcp.server.settings import Settings
from attio_mcp.workspace.errors import code_of
from attio_mcp.workspace.importing import (
    MODES,
    ImportRefused,
    ImportRun,
    needs_members,
    plan_import,
    workers_for,
)
from attio_mcp.workspace.schema import LookupFailure, SchemaCache, TargetSchema

MULTI_SEPARATOR = ";"
_LISTED_TEXT = 20
MAX_CSV_ROWS = 100_000
MAX_CELL_CHARS = 100_000  # the server's limit on one string (tools._limits.MAX_STRING)
MAX_LINE_CHARS = 1_000_000
MAX_CSV_CHARS = 100_000_000


class CsvRefused(Exception):
    """The file cannot be imported as it is; ``line`` is the 1-based CSV line at fault (0: the whole file)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}" if line else message)
        self.line = line


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``import`` on the top-level sub-command parser."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "import",
        help="import records from a CSV file (upsert by a unique attribute)",
        description=(
            "Validate every CSV row against the live schema, then write the valid ones at Attio's write "
            "rate (one request per row). Header = attribute slugs; empty cells are omitted; multiselect "
            f"cells are split on '{MULTI_SEPARATOR}'. Exit code 1 when any row is invalid or fails."
        ),
    )
    # SUPPRESS keeps a value given before the command (``attio-mcp --sandbox import …``) from being reset.
    keep = argparse.SUPPRESS
    p.add_argument("file", help="CSV file with a header row ('-' reads stdin)")
    p.add_argument(
        "--object", required=True, dest="object_slug", metavar="SLUG", help="e.g. companies, people"
    )
    p.add_argument("--match", metavar="SLUG", help="unique attribute to upsert on (default: the object's)")
    p.add_argument(
        "--mode", choices=MODES, default="upsert", help="default: upsert (create is not retry-safe)"
    )
    p.add_argument("--dry-run", action="store_true", help="validate every row, write nothing")
    p.add_argument("--stop-on-error", action="store_true", help="write nothing if any row is invalid")
    p.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    p.add_argument("--ids", action="store_true", help="include every written record id (with --json)")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None, help="progress line")
    p.add_argument(
        "--sandbox", action="store_true", default=keep, help="import into the embedded demo workspace"
    )
    p.add_argument(
        "--sandbox-db", metavar="PATH", default=keep, help="persist the sandbox in this SQLite file"
    )
    p.add_argument("--base-url", default=keep, help="Attio API base URL (ATTIO_BASE_URL)")
    p.add_argument("--log-level", choices=["DEBUG", "INFO", "WARNING", "ERROR"], default=keep)
    return p


def run(args: argparse.Namespace, *, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Run the import; returns the exit code."""
    out, err = stdout or sys.stdout, stderr or sys.stderr
    settings = load_settings(
        sandbox=getattr(args, "sandbox", None),
        sandbox_db=getattr(args, "sandbox_db", None),
        base_url=getattr(args, "base_url", None),
        insecure_base_url=getattr(args, "insecure_base_url", None) or None,
    )
    settings.require_credentials()
    secret = [settings.api_key.get_secret_value()] if settings.api_key else []
    configure_logging(getattr(args, "log_level", None) or "WARNING", secret)
    try:
        records, lines = read_csv(args.file)
    except CsvRefused as exc:
        err.write(f"attio-mcp import: {args.file}: {exc}\n")
        return 2
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        err.write(f"attio-mcp import: cannot read {args.file}: {exc}\n")
        return 2
    job = _Job(args, settings, records, lines, out, err)
    try:
        return anyio.run(job.main)
    except AttioError as exc:  # only before the rows are written (loading the schema or the members)
        err.write(f"attio-mcp import: {code_of(exc)}: {exc}\n")
        return 2
    except KeyboardInterrupt:
        job.bar.finish()
        if job.run is not None:
            err.write("attio-mcp import: interrupted; rows written so far:\n")
            job.emit(job.run.summary(return_ids=args.ids))
        return 130


def read_csv(path: str) -> tuple[list[dict[str | None, Any]], list[int]]:
    """The CSV rows as dicts, and the line each row ends on (for messages); ``CsvRefused`` names the line of
    the first problem (see the module docstring)."""
    handle = sys.stdin if path == "-" else Path(path).open(newline="", encoding="utf-8-sig")
    previous_limit = csv.field_size_limit(MAX_CELL_CHARS)
    try:
        lines_in = _bounded_lines(handle)
        reader = csv.reader(lines_in, strict=True)
        header = _header(reader)
        records: list[dict[str | None, Any]] = []
        lines: list[int] = []
        started = reader.line_num + 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                raise _refusal(exc, started, reader.line_num) from None
            if len(records) >= MAX_CSV_ROWS:
                raise CsvRefused(started, f"more than {MAX_CSV_ROWS:,} rows; split the file")
            if cells:  # a blank line is no row
                record: dict[str | None, Any] = dict(zip(header, cells, strict=False))
                if len(cells) > len(header):
                    record[None] = cells[len(header) :]
                records.append(record)
                lines.append(reader.line_num)
            started = reader.line_num + 1
        return records, lines
    finally:
        csv.field_size_limit(previous_limit)
        if handle is not sys.stdin:
            handle.close()


def _header(reader: Any) -> list[str]:
    try:
        header = next(reader)
    except StopIteration:
        raise CsvRefused(0, "the file is empty: it needs a header row naming the attributes") from None
    except csv.Error as exc:
        raise _refusal(exc, 1, reader.line_num) from None
    names = [h.strip() for h in header]
    if not any(names):
        raise CsvRefused(reader.line_num, "the header row is empty")
    seen: set[str] = set()
    for name in names:
        if name and name in seen:
            raise CsvRefused(reader.line_num, f"the header names {name!r} twice (a column would be lost)")
        seen.add(name)
    return header


def _refusal(exc: csv.Error, started: int, line: int) -> CsvRefused:
    text = str(exc)
    if "unexpected end of data" in text:
        return CsvRefused(started, "a quoted cell is never closed (it would swallow every line after it)")
    if "field larger than field limit" in text:
        return CsvRefused(line, f"a cell is longer than {MAX_CELL_CHARS:,} characters")
    return CsvRefused(line, text)


def _bounded_lines(handle: TextIO) -> Iterator[str]:
    """The file's lines, refusing one longer than ``MAX_LINE_CHARS`` and a file over ``MAX_CSV_CHARS``
    before either is read into memory."""
    total = 0
    number = 0
    while True:
        line = handle.readline(MAX_LINE_CHARS + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_LINE_CHARS:
            raise CsvRefused(number, f"longer than {MAX_LINE_CHARS:,} characters")
        if "\0" in line:
            raise CsvRefused(number, "the line contains a NUL byte (is this a CSV file?)")
        total += len(line)
        if total > MAX_CSV_CHARS:
            raise CsvRefused(number, f"the file is over {MAX_CSV_CHARS:,} characters; split it")
        yield line


def rows_from_csv(records: Sequence[dict[str | None, Any]], schema: TargetSchema) -> list[dict[str, Any]]:
    """CSV cells to row values: empty cells dropped, multiselect cells split on ``;``."""
    rows = []
    for record in records:
        row: dict[str, Any] = {}
        for key, cell in record.items():
            if key is None or not isinstance(cell, str) or not cell.strip():
                continue  # cells past the header, short rows and empty cells
            name = key.strip()
            attr = schema.get(name)
            if attr is not None and attr.multi:
                parts = [p.strip() for p in cell.split(MULTI_SEPARATOR) if p.strip()]
                row[name] = parts
            else:
                row[name] = cell.strip()
        rows.append(row)
    return rows


class ProgressBar:
    """A one-line ``\\r`` progress display on a text stream (no-op when disabled)."""

    def __init__(self, stream: TextIO, *, enabled: bool, label: str = "") -> None:
        self.stream = stream
        self.enabled = enabled
        self.label = label
        self.started = time.monotonic()
        self.drawn = False

    async def update(self, done: int, total: int, failed: int) -> None:
        if not self.enabled:
            return
        rate = done / max(time.monotonic() - self.started, 1e-6)
        pct = 100 * done // max(total, 1)
        line = f"\r{self.label}{done}/{total} rows ({pct}%), {failed} failed, {rate:.1f} rows/s "
        self.stream.write(line + ("\n" if done >= total else ""))
        self.stream.flush()
        self.drawn = done < total

    def finish(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
            self.drawn = False


class _Job:
    def __init__(
        self,
        args: argparse.Namespace,
        settings: Settings,
        records: list[dict[str | None, Any]],
        lines: list[int],
        out: TextIO,
        err: TextIO,
    ) -> None:
        self.args = args
        self.settings = settings
        self.records = records
        self.lines = lines
        self.out = out
        self.err = err
        self.run: ImportRun | None = None
        enabled = args.progress if args.progress is not None else err.isatty()
        self.bar = ProgressBar(err, enabled=enabled and not args.dry_run, label=f"{args.object_slug}: ")

    async def main(self) -> int:
        from attio_mcp.server.app import make_client_factory

        args = self.args
        async with make_client_factory(self.settings, None)() as client:
            cache = SchemaCache(client, ttl=self.settings.schema_ttl)
            try:
                schema = await cache.object(args.object_slug)
            except LookupFailure as exc:
                hint = f"; did you mean {', '.join(exc.suggestions)}?" if exc.suggestions else ""
                self.err.write(f"attio-mcp import: {exc.message}{hint}\n")
                return 2
            rows = rows_from_csv(self.records, schema)
            members = await client.list_members() if needs_members(schema, rows) else ()
            try:
                plan = plan_import(
                    schema,
                    rows,
                    mode=args.mode,
                    matching_attribute=args.match,
                    members=members,
                    max_rows=None,
                )
            except ImportRefused as exc:
                hint = f" Valid: {', '.join(exc.options)}." if exc.options else ""
                self.err.write(
                    f"attio-mcp import: {exc.message}.{hint} {exc.next_step or ''}".rstrip() + "\n"
                )
                return 2
            if args.dry_run or (args.stop_on_error and plan.errors):
                report = plan.report()
                if not args.dry_run:
                    report["status"] = "refused"
                self.emit(report)
                return 1 if plan.errors else 0
            self.run = ImportRun(plan)
            self.bar.started = time.monotonic()
            await self.run.execute(
                client,
                workers=workers_for(self.settings.writes_per_second),
                stop_on_error=args.stop_on_error,
                on_progress=self.bar.update,
            )
        self.bar.finish()
        summary = self.run.summary(return_ids=args.ids)
        self.emit(summary)
        return 1 if summary["failed"] or summary["skipped"] or summary.get("not_attempted") else 0

    def emit(self, summary: dict[str, Any]) -> None:
        """Print the summary: JSON (``--json``) or a few lines of text."""
        for error in summary.get("errors", ()):
            row = error["row"]
            if 0 <= row < len(self.lines):
                error["line"] = self.lines[row]
        if self.args.json:
            self.out.write(json.dumps(summary, ensure_ascii=False) + "\n")
        else:
            self.out.write(_text(summary))
        self.out.flush()


def _text(s: dict[str, Any]) -> str:
    head = f"{s['object']} ({s['mode']}" + (
        f" by {s['matching_attribute']}" if "matching_attribute" in s else ""
    )
    lines = [f"{head}): {s['status']}, {s['rows']} rows"]
    if s["status"] in ("dry_run", "refused"):
        lines.append(f"valid {s['valid']}, invalid {s['invalid']}; nothing written")
    else:
        keys = ("created", "updated", "upserted", "failed", "skipped", "not_attempted")
        lines.append(", ".join(f"{k} {s[k]}" for k in keys if k in s))
        seconds = s.get("seconds") or 0
        written = sum(s.get(k, 0) for k in ("created", "updated", "upserted"))
        if seconds:
            lines.append(f"{seconds:.1f} s, {written / seconds:.1f} rows/s")
        if s.get("stopped_reason"):
            lines.append(f"stopped: {s['stopped_reason']}")
        if s.get("in_flight_when_cancelled"):
            lines.append(
                f"in flight when interrupted (may or may not be written): {s['in_flight_when_cancelled']}"
            )
    errors = s.get("errors", [])
    for e in errors[:_LISTED_TEXT]:
        where = f"row {e['row']}" + (f" (line {e['line']})" if "line" in e else "")
        lines.append(
            f"  {where}" + (f" {e['field']}" if "field" in e else "") + f": {e['code']}: {e['message']}"
        )
    more = len(errors) - _LISTED_TEXT + s.get("errors_more", 0)
    if more > 0:
        lines.append(f"  … and {more} more (use --json for the first 50)")
    return "\n".join(lines) + "\n"
