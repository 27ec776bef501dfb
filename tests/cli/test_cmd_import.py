"""``attio-mcp import FILE.csv``: run in-process against the embedded sandbox (fresh per run, so the
assertions read the printed summary)."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path
from typing import Any

import pytest

from attio_mcp.cli import cmd_import
from attio_mcp.workspace.schema import AttrInfo, TargetSchema

CSV = """name,domains,industry,employee_count,description
Alpha,alpha.example; alpha.io,Technology,120,
Beta,beta.example,Spaceflight,10,bad option
Gamma,gamma.example,,,"multi
line"
Acme Corp,acme.com,Finance,5000,seeded: updated
"""


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "ATTIO_API_KEY",
        "ATTIO_ACCESS_TOKEN",
        "ATTIO_BASE_URL",
        "ATTIO_SANDBOX_DB",
        "ATTIO_SANDBOX",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ATTIO_WRITES_PER_SECOND", "1000")
    monkeypatch.setattr(cmd_import, "configure_logging", lambda *a, **k: None)  # keep pytest's handlers


def invoke(*argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="attio-mcp")
    cmd_import.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["import", *argv])
    out, err = io.StringIO(), io.StringIO()
    code = cmd_import.run(args, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def csv_file(tmp_path: Path) -> Path:
    path = tmp_path / "companies.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def test_import_csv_json_summary(csv_file: Path) -> None:
    code, out, err = invoke(
        str(csv_file), "--object", "companies", "--sandbox", "--json", "--ids", "--progress"
    )
    summary = json.loads(out)
    assert code == 1  # one row was skipped
    assert summary["status"] == "completed" and summary["matching_attribute"] == "domains"
    assert (summary["created"], summary["updated"], summary["skipped"], summary["failed"]) == (2, 1, 1, 0)
    (error,) = summary["errors"]
    assert (error["row"], error["line"], error["field"]) == (1, 3, "industry")
    assert [i["row"] for i in summary["ids"]] == [0, 2, 3]
    assert "\r" in err and "3/3 rows" in err


def test_import_csv_text_summary_and_exit_zero(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("email_addresses,job_title\nada@example.org,Engineer\ngrace@example.org,Admiral\n")
    code, out, err = invoke(str(path), "--object", "people", "--sandbox")
    assert code == 0, out + err
    assert out.startswith("people (upsert by email_addresses): completed, 2 rows")
    assert "created 2, updated 0, failed 0, skipped 0" in out
    assert err == ""  # no progress line when stderr is not a terminal


def test_dry_run_and_stop_on_error(csv_file: Path) -> None:
    code, out, _ = invoke(str(csv_file), "--object", "companies", "--sandbox", "--dry-run", "--json")
    report = json.loads(out)
    assert code == 1 and report["status"] == "dry_run" and (report["valid"], report["invalid"]) == (3, 1)
    code, out, _ = invoke(str(csv_file), "--object", "companies", "--sandbox", "--stop-on-error")
    assert code == 1 and "refused" in out and "nothing written" in out and "row 1 (line 3) industry" in out


def test_start_up_failures_exit_2(csv_file: Path, tmp_path: Path) -> None:
    code, _, err = invoke(str(tmp_path / "missing.csv"), "--object", "companies", "--sandbox")
    assert code == 2 and "cannot read" in err
    code, _, err = invoke(str(csv_file), "--object", "compnies", "--sandbox")
    assert code == 2 and "companies" in err
    code, _, err = invoke(str(csv_file), "--object", "deals", "--sandbox")
    assert code == 2 and "no unique attribute" in err


def test_rows_from_csv_splits_only_multiselect_cells() -> None:
    attrs = [
        AttrInfo("domains", "1", "Domains", "domain", multi=True, unique=True),
        AttrInfo("name", "2", "Name", "text"),
    ]
    schema = TargetSchema("object", "companies", "o", "Companies", {a.slug: a for a in attrs})
    rows = cmd_import.rows_from_csv(
        [{"Domains": "a.com; b.com;", "name": "A; B", "x": "  ", None: ["extra"]}, {"name": None}], schema
    )
    assert rows == [{"Domains": ["a.com", "b.com"], "name": "A; B"}, {}]


def test_progress_bar_draws_one_line() -> None:
    import anyio

    stream = io.StringIO()
    bar = cmd_import.ProgressBar(stream, enabled=True, label="companies: ")
    anyio.run(bar.update, 5, 10, 1)
    bar.finish()
    assert stream.getvalue().startswith(
        "\rcompanies: 5/10 rows (50%), 1 failed"
    ) and stream.getvalue().endswith("\n")


def test_help_mentions_csv_rules(capsys: Any) -> None:
    with pytest.raises(SystemExit):
        invoke("--help")
    assert "split on ';'" in capsys.readouterr().out


def test_attio_failure_before_writing_is_one_line_exit_2(
    csv_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import httpx

    from attio_mcp.attio import AttioClient
    from attio_mcp.server import app

    body = {"status_code": 401, "type": "auth_error", "code": "invalid_api_key", "message": "bad key"}
    transport = httpx.MockTransport(lambda request: httpx.Response(401, json=body))

    def factory(settings: Any, _transport: Any) -> Any:
        return lambda api_key=None: AttioClient(api_key="k-123456", transport=transport)

    monkeypatch.setattr(app, "make_client_factory", factory)
    code, out, err = invoke(str(csv_file), "--object", "companies", "--sandbox")
    assert code == 2 and out == ""
    assert err.startswith("attio-mcp import: AUTH_ERROR:") and "bad key" in err and err.count("\n") == 1


# -- issue #20: files the import must refuse, each with one line naming the CSV line ----------------------


@pytest.mark.parametrize(
    ("text", "where", "problem"),
    [
        ("", "", "the file is empty"),
        ("\n\n", "line 1", "the header row is empty"),
        ("name,domains,name\nA,a.example,B\n", "line 1", "names 'name' twice"),
        ('name,domains\n"Acme,acme.com\nBeta,beta.example\nGamma,g.example\n', "line 2", "never closed"),
        (
            "name,description\nA,ok\nB," + "x" * (cmd_import.MAX_CELL_CHARS + 1) + "\n",
            "line 3",
            "longer than 100,000",
        ),
        ("name,domains\nA\0B,a.example\n", "line 2", "NUL byte"),
    ],
)
def test_malformed_csv_is_refused_with_its_line(tmp_path: Path, text: str, where: str, problem: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    code, out, err = invoke(str(path), "--object", "companies", "--sandbox", "--dry-run")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and problem in err and f"{path}: {where}".rstrip(": ") in err, err


def test_endless_and_oversized_input_is_refused_early(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if Path("/dev/zero").exists():  # one endless line: refused after MAX_LINE_CHARS, not after gigabytes
        code, _, err = invoke("/dev/zero", "--object", "companies", "--sandbox", "--dry-run")
        assert code == 2 and "line 1: longer than 1,000,000 characters" in err
    monkeypatch.setattr(cmd_import, "MAX_CSV_ROWS", 5)
    path = tmp_path / "rows.csv"
    path.write_text("name,domains\n" + "".join(f"R{i},r{i}.example\n" for i in range(6)), encoding="utf-8")
    code, _, err = invoke(str(path), "--object", "companies", "--sandbox", "--dry-run")
    assert code == 2 and "line 7: more than 5 rows; split the file" in err
    monkeypatch.setattr(cmd_import, "MAX_CSV_CHARS", 40)
    path.write_text("name,domains\n" + "".join(f"R{i},r{i}.example\n" for i in range(3)), encoding="utf-8")
    code, _, err = invoke(str(path), "--object", "companies", "--sandbox", "--dry-run")
    assert code == 2 and "line 3: the file is over 40 characters" in err


def test_blank_lines_and_multiline_cells_still_read(tmp_path: Path) -> None:
    path = tmp_path / "ok.csv"
    path.write_text(
        'name,domains,description\n\nA,a.example,"two\nlines"\n\nB,b.example,\n', encoding="utf-8"
    )
    code, out, _ = invoke(str(path), "--object", "companies", "--sandbox", "--dry-run", "--json")
    assert code == 0 and json.loads(out)["valid"] == 2
