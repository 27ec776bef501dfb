"""Issue #20, item 15: one process per sandbox database, and numbers Attio's JSON parser would refuse."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from attio_mcp import cli
from attio_mcp.cli import cmd_sandbox, cmd_serve
from attio_mcp.sandbox import DatabaseInUse, create_app

pytestmark = pytest.mark.anyio

HOLD = """
import sys, time
from attio_mcp.sandbox import create_app
create_app(db_path=sys.argv[1])
print("ready", flush=True)
sys.stdin.read()  # hold the database until the test closes stdin
"""


def test_a_second_process_on_one_database_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for command in (cmd_sandbox, cmd_serve):  # keep pytest's log handlers
        monkeypatch.setattr(command, "configure_logging", lambda *a, **k: None)
    db = tmp_path / "shared.db"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        with pytest.raises(DatabaseInUse, match=f"in use by process {holder.pid}"):
            create_app(db_path=str(db))
        # Through the command line: one line, exit 2, for the sandbox server and for the MCP server.
        assert cli.main(["sandbox", "serve", "--db", str(db), "--port", "1"]) == 2
        assert cli.main(["--sandbox", "--sandbox-db", str(db)]) == 2
        lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("attio-mcp:")]
        assert len(lines) == 2 and all("in use by process" in line for line in lines)
    finally:
        if holder.stdin is not None:
            holder.stdin.close()
        holder.wait(timeout=30)
    app = create_app(db_path=str(db))  # the lock went with the process
    app.state.sandbox.persistence.close()


def test_one_process_may_reopen_its_own_database(tmp_path: Path) -> None:
    db = str(tmp_path / "own.db")
    first = create_app(db_path=db)
    second = create_app(db_path=db)  # a restart simulated in one process
    second.state.sandbox.persistence.close()
    first.state.sandbox.persistence.close()


@pytest.mark.parametrize(
    "body",
    [
        '{"filter":{"deal_value":{"$gt":1' + "0" * 4299 + "}}}",
        '{"filter":{"deal_value":1' + "0" * 4299 + "}}",
        '{"filter":{"deal_value":{"$gt":NaN}}}',
        '{"filter":{"deal_value":{"$lt":-Infinity}}}',
    ],
)
async def test_numbers_javascript_cannot_parse_are_a_400(body: str) -> None:
    transport = httpx.ASGITransport(app=create_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as client:
        response = await client.post(
            "/v2/objects/deals/records/query",
            content=body,
            headers={"Authorization": "Bearer t", "Content-Type": "application/json"},
        )
    assert response.status_code == 400, response.text
    assert "invalid JSON" in response.json()["message"]
