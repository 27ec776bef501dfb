"""``doctor`` and ``whoami`` on a key without the activity scopes: the missing ones are named per tool."""

from __future__ import annotations

import httpx
import pytest

from attio_mcp.sandbox import DEMO_TOKEN, create_app
from tests.clients.test_doctor import _doctor
from tests.tools._activity import tools_with_scopes

BASE = "record_permission:read object_configuration:read user_management:read list_entry:read list_configuration:read"


def test_doctor_names_the_meeting_and_call_scopes_the_key_lacks() -> None:
    app = create_app(token_scopes={DEMO_TOKEN: BASE + " comment:read-write meeting:read"})
    code, lines = _doctor(
        ["--sandbox", "--toolsets", "comments,meetings,calls"], httpx.ASGITransport(app=app)
    )
    assert code == 1
    problems = [line for line in lines if line.startswith("MISSING_SCOPE")]
    assert problems == [
        "MISSING_SCOPE: call_recordings_list, call_transcript_get need call_recording:read. Next: grant the scope "
        "to the key in Attio (Workspace settings > Developers), or hide these tools with --toolsets / --read-only."
    ]
    assert any("comments: comments_list, comments_create, comments_delete" in line for line in lines)
    assert any("meetings: meetings_list, meetings_get" in line for line in lines)


def test_doctor_accepts_a_key_with_every_activity_scope() -> None:
    scopes = BASE + " comment:read-write meeting:read call_recording:read note:read task:read"
    app = create_app(token_scopes={DEMO_TOKEN: scopes})
    code, lines = _doctor(
        ["--sandbox", "--toolsets", "comments,meetings,calls,timeline"], httpx.ASGITransport(app=app)
    )
    assert code == 0, lines
    assert lines[-1] == "OK: ready to serve."


@pytest.mark.anyio
async def test_whoami_shows_the_scopes_the_key_holds() -> None:
    async with tools_with_scopes(BASE + " meeting:read") as tools:
        scopes = (await tools.ok("whoami"))["scopes"]
    assert "meeting:read" in scopes and "call_recording:read" not in scopes
