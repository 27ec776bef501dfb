"""Demo activity: meetings with the deals' people, call recordings with transcripts, comment threads.

Runs last, after the deals' stage histories (``_seed_pipeline``). A deal's meetings follow its history:
the call that comes before a stage (intro, discovery, demo, proposal review, negotiation) a few days
before each of its last three moves, and the next one after its last move (a kickoff once won). A few
accounts also get reviews and an all-day workshop. Participants are the deal owner (organiser), a
colleague for demos and proposal reviews, and the company's people; linked records are those people, the
company and the deal, as Attio links them. Twelve past calls are recorded, Acme's first and three of them
45-60 minutes long; a recording keeps a transcript *plan* (see ``_transcripts``), not the text.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._clock import format_ts, parse_ts
from ._comments import create_comment
from ._ids import stable_id
from ._meetings import all_day, local_point, zone
from ._seed_data import COMPANIES, DEAL_PLAN
from ._seed_schema import EMAIL_DOMAIN, MEMBERS
from ._store import Item

if TYPE_CHECKING:
    from ._seed import SeedContext

__all__ = ["seed_activity"]

# The meeting that comes before a deal enters a stage, and the next meeting while it sits in one.
BEFORE = {
    "Discovery": "Intro call",
    "Qualified": "Discovery call",
    "Proposal Sent": "Product demo",
    "Negotiation": "Proposal review",
    "Closed Won": "Commercial negotiation",
    "Closed Lost": "Commercial negotiation",
}
NEXT = {
    "Lead": "Intro call",
    "Discovery": "Discovery call",
    "Qualified": "Product demo",
    "Proposal Sent": "Proposal review",
    "Negotiation": "Commercial negotiation",
    "Closed Won": "Onboarding kickoff",
}
PAST_PER_DEAL = 3
RECORDINGS = 12
LONG_CALLS = {0: 55, 4: 48, 8: 58}  # recording index -> minutes: three calls of 45-60 minutes
RECORDED_KINDS = ("Discovery call", "Product demo", "Proposal review", "Commercial negotiation")
# (company index, title, days before the seed end (negative: after), minutes, all-day days)
ACCOUNT_MEETINGS = (
    (0, "Quarterly business review", 4, 60, 0),
    (0, "Renewal planning", -9, 45, 0),
    (0, "Data migration check-in", 12, 30, 0),
    (7, "Onsite workshop", 16, 0, 1),
    (17, "Renewal check-in", 6, 30, 0),
    (28, "SIEM connector planning", -5, 45, 0),
)
STATE_ZONES = {
    "America/Los_Angeles": ("CA", "WA", "OR", "NV"),
    "America/Denver": ("CO", "UT", "NM"),
    "America/Phoenix": ("AZ",),
    "America/Chicago": ("IL", "TX", "TN", "MN", "MO", "KS", "WI"),
}

# Comment threads, kept as data in seed_threads.json: the object or list slug, the company or deal index, the
# kind of target, whether the thread is resolved, and its comments as (author member index, hours after the
# thread starts, text); {m0}… in a text is a member's email.
Thread = tuple[str, int, str, tuple[tuple[int, float, str], ...], bool]


def _threads() -> tuple[Thread, ...]:
    raw = json.loads((Path(__file__).parent / "seed_threads.json").read_text(encoding="utf-8"))
    return tuple(
        (
            t["target"],
            t["index"],
            t["kind"],
            tuple((a, h, text) for a, h, text in t["comments"]),
            t["resolved"],
        )
        for t in raw
    )


THREADS = _threads()


def _hash(*parts: object) -> int:
    return zlib.crc32("/".join(map(str, parts)).encode())


def _member_email(index: int) -> str:
    return f"{MEMBERS[index % len(MEMBERS)][2]}@{EMAIL_DOMAIN}"


def _member_name(index: int) -> str:
    first, last, _, _ = MEMBERS[index % len(MEMBERS)]
    return f"{first} {last}"


def _zone_name(location: str) -> str:
    """The company's timezone from its location's country and US state."""
    parts = [p.strip() for p in location.split(",")]
    country = parts[-1]
    if country in ("GB", "DE"):
        return {"GB": "Europe/London", "DE": "Europe/Berlin"}[country]
    if country == "CA":
        return "America/Toronto"
    words = [p.split()[0] for p in parts[:-1] if p]
    state = next((w for w in reversed(words) if len(w) == 2 and w.isupper()), "")
    return next((name for name, states in STATE_ZONES.items() if state in states), "America/New_York")


@dataclass
class _Plan:
    """One meeting to seed."""

    key: str
    title: str
    company: int
    start: datetime  # UTC
    minutes: int
    all_day_days: int = 0
    deal: int | None = None
    upcoming: bool = False
    with_colleague: bool = False


class _ActivitySeed:
    def __init__(self, ctx: SeedContext) -> None:
        self.ctx = ctx
        self.store = ctx.store
        self.end = ctx.cursor  # the seed timeline so far; meetings sit around it
        self.latest = ctx.cursor
        self.people_of: dict[str, list[Item]] = {}
        for person in ctx.people:
            company_id = person.current("company")[0]["target_record_id"]
            self.people_of.setdefault(company_id, []).append(person)

    # -- meetings ----------------------------------------------------------------------------------------
    def _slot(self, key: str, day: datetime, company: int, minutes: int) -> datetime:
        """A business-hours start on ``day`` in the company's timezone, as UTC."""
        tz = zone(_zone_name(COMPANIES[company][7]))
        local = day.astimezone(tz).replace(hour=9, minute=0, second=0, microsecond=0)
        if local.weekday() >= 5:  # weekend -> Monday
            local += timedelta(days=7 - local.weekday())
        latest = 17 * 60 - minutes - 9 * 60
        local += timedelta(minutes=30 * (_hash("slot", key) % (latest // 30 + 1)))
        return local.astimezone(self.end.tzinfo)

    def plans(self) -> list[_Plan]:
        """Deal meetings a few days before each of the deal's last stage moves, the next one after the last
        move (open and won deals), then the account meetings."""
        out: list[_Plan] = []
        for deal_index, (company, product, _, _, _) in enumerate(DEAL_PLAN):
            history = sorted(
                self.ctx.deals[deal_index].values.get("stage", []), key=lambda v: v["active_from"]
            )
            moves = [(v["status"]["title"], parse_ts(v["active_from"])) for v in history[1:]]
            if not moves and history:  # no stage history seeded: assume a move every ten days until now
                moves = self._assumed_moves(history[-1]["status"]["title"])
            for stage, moved in moves[-PAST_PER_DEAL:]:
                title = BEFORE.get(stage)
                if title is None:
                    continue
                key = f"deal/{deal_index}/{title}"
                length = 45 if title == "Product demo" else 30
                day = moved - timedelta(days=1 + _hash("before", key) % 3)
                out.append(
                    _Plan(key, f"{title}: {COMPANIES[company][0]} - {product}", company,
                          self._slot(key, day, company, length), length, deal=deal_index,
                          with_colleague=title in ("Product demo", "Proposal review"))
                )  # fmt: skip
            current = history[-1]["status"]["title"] if history else ""
            title = NEXT.get(current)
            if title is None:
                continue
            last = moves[-1][1] if moves else parse_ts(self.ctx.deals[deal_index].created_at)
            key = f"deal/{deal_index}/next/{title}"
            day = max(last, self.end - timedelta(days=7)) + timedelta(days=3 + _hash("next", deal_index) % 10)
            out.append(
                _Plan(key, f"{title}: {COMPANIES[company][0]} - {product}", company,
                      self._slot(key, day, company, 45), 45, deal=deal_index, upcoming=day > self.end,
                      with_colleague=title == "Product demo")
            )  # fmt: skip
        for company, title, days_back, minutes, days in ACCOUNT_MEETINGS:
            key = f"account/{company}/{title}"
            day = self.end - timedelta(days=days_back)
            start = self._slot(key, day, company, minutes or 60)
            out.append(
                _Plan(key, f"{title}: {COMPANIES[company][0]}", company, start, minutes, all_day_days=days,
                      upcoming=days_back < 0, with_colleague=True)
            )  # fmt: skip
        return out

    def _assumed_moves(self, stage: str) -> list[tuple[str, datetime]]:
        stages = list(NEXT)[:5]
        path = stages[1 : stages.index(stage) + 1] if stage in stages else [*stages[1:3], stage]
        return [(title, self.end - timedelta(days=10 * (len(path) - n))) for n, title in enumerate(path)]

    def participants(self, plan: _Plan) -> tuple[list[int], list[Item]]:
        """(member indexes, organiser first; the company's people at the meeting)."""
        owner = plan.deal % len(MEMBERS) if plan.deal is not None else plan.company % len(MEMBERS)
        members = [owner, owner + 1] if plan.with_colleague else [owner]
        people = self.people_of.get(self.ctx.companies[plan.company].id, [])
        count = 1 + _hash("people", plan.key) % 2 if len(people) > 1 else len(people)
        return members, people[: max(1, count)] if people else []

    def meeting(self, plan: _Plan) -> dict[str, Any]:
        members, people = self.participants(plan)
        store = self.store
        meeting_id = stable_id("meeting", plan.key)
        participants = []
        for n, member in enumerate(members):
            participants.append(
                {"status": "accepted", "is_organizer": n == 0, "email_address": _member_email(member)}
            )
        for n, person in enumerate(people):
            status = "accepted"
            if plan.upcoming:
                status = ("accepted", "tentative", "pending")[_hash("rsvp", plan.key, n) % 3]
            email = person.current("email_addresses")[0]["email_address"]
            participants.append({"status": status, "is_organizer": False, "email_address": email})
        links = [("people", p.id) for p in people] + [("companies", self.ctx.companies[plan.company].id)]
        if plan.deal is not None:
            links.append(("deals", self.ctx.deals[plan.deal].id))
        linked = []
        for slug, record_id in links:
            obj = store.schema.object(slug)
            linked.append({"object_slug": slug, "object_id": obj["id"]["object_id"], "record_id": record_id})
        tz_name = _zone_name(COMPANIES[plan.company][7])
        if plan.all_day_days:
            start, end = all_day(plan.start.astimezone(zone(tz_name)), plan.all_day_days)
        else:
            start = local_point(plan.start, tz_name)
            end = local_point(plan.start + timedelta(minutes=plan.minutes), tz_name)
        synced = min(plan.start - timedelta(days=3 + _hash("sync", plan.key) % 5), self.end)
        company = COMPANIES[plan.company][0]
        return {
            "id": {"workspace_id": store.workspace_id, "meeting_id": meeting_id},
            "title": plan.title,
            "description": f"Agenda: {plan.title.split(':')[0].lower()} with {company}. Dial-in in the invite.",
            "is_all_day": bool(plan.all_day_days),
            "start": start,
            "end": end,
            "participants": participants,
            "linked_records": linked,
            "created_at": format_ts(synced),
            "created_by_actor": {"type": "system", "id": None},
        }

    def recording(self, plan: _Plan, meeting: dict[str, Any], minutes: int) -> None:
        store = self.store
        members, people = self.participants(plan)
        meeting_id = meeting["id"]["meeting_id"]
        recording_id = stable_id("call-recording", plan.key)
        created = plan.start + timedelta(minutes=minutes + 4 + _hash("rec", plan.key) % 7)
        self.latest = max(self.latest, created)
        store.call_recordings[recording_id] = {
            "id": {
                "workspace_id": store.workspace_id,
                "meeting_id": meeting_id,
                "call_recording_id": recording_id,
            },
            "status": "completed",
            "web_url": f"https://app.attio.com/{store.workspace['workspace_slug']}/calls/{meeting_id}/{recording_id}",
            "created_by_actor": {
                "type": "workspace-member",
                "id": self.ctx.member_ids[members[0] % len(MEMBERS)],
            },
            "created_at": format_ts(created),
        }
        roles = ("champion", "buyer", "tech")
        speakers = [{"name": _member_name(members[0]), "role": "rep"}]
        speakers += [{"name": _member_name(m), "role": "se"} for m in members[1:]]
        for n, person in enumerate(people):
            speakers.append({"name": person.current("name")[0]["full_name"], "role": roles[n % len(roles)]})
        if len(people) < 2:  # a customer call has at least two voices on the customer side
            speakers.append({"name": "Dial-in guest", "role": "tech"})
        product = DEAL_PLAN[plan.deal][1] if plan.deal is not None else "platform"
        store.transcripts[recording_id] = {
            "id": {"call_recording_id": recording_id},
            "seed": _hash("transcript", plan.key),
            "minutes": minutes,
            "product": product,
            "speakers": speakers,
        }

    def seed_meetings(self) -> None:
        """Every planned meeting; recordings for twelve past deal calls, the account's (Acme's) first."""
        plans = self.plans()
        recorded = sorted(
            (
                p
                for p in plans
                if p.deal is not None and not p.upcoming and p.title.split(":")[0] in RECORDED_KINDS
            ),
            key=lambda p: (p.company != 0, _hash("record", p.key)),
        )[:RECORDINGS]
        minutes_of = {
            p.key: LONG_CALLS.get(n, 10 + _hash("minutes", p.key) % 21) for n, p in enumerate(recorded)
        }
        for plan in plans:
            minutes = minutes_of.get(plan.key)
            if minutes and minutes > 40:
                plan.minutes = 60
            meeting = self.meeting(plan)
            self.store.meetings[meeting["id"]["meeting_id"]] = meeting
            if minutes:
                self.recording(plan, meeting, minutes)

    # -- comments ----------------------------------------------------------------------------------------
    def _target(self, slug: str, index: int, kind: str) -> dict[str, Any]:
        ctx = self.ctx
        if kind == "record":
            records = {"companies": ctx.companies, "deals": ctx.deals, "people": ctx.people}[slug]
            return {"record": {"object": slug, "record_id": records[index].id}}
        parent = ctx.deals[index] if slug in ("active_deals", "q4_pipeline") else ctx.companies[index]
        return {"entry": {"list": slug, "entry_id": stable_id("entry", slug, parent.id)}}

    def seed_comments(self) -> None:
        store = self.store
        for n, (slug, index, kind, comments, resolved) in enumerate(THREADS):
            start = self.end - timedelta(days=34 - 2.3 * n, hours=_hash("thread", n) % 6)
            thread_id = None
            first: dict[str, Any] | None = None
            for author, hours, text in comments:
                body: dict[str, Any] = {
                    "format": "plaintext",
                    "content": text.format(m0=_member_email(0), m1=_member_email(1), m2=_member_email(2)),
                    "author": {"type": "workspace-member", "id": self.ctx.member_ids[author]},
                    "created_at": format_ts(start + timedelta(hours=hours)),
                    **({"thread_id": thread_id} if thread_id else self._target(slug, index, kind)),
                }
                comment = create_comment(store, body)
                thread_id = comment["thread_id"]
                first = first or comment
            if resolved and first is not None:
                last_at = start + timedelta(hours=comments[-1][1] + 1)
                first["resolved_at"] = format_ts(last_at)
                first["resolved_by"] = {"type": "workspace-member", "id": self.ctx.member_ids[comments[0][0]]}


def seed_activity(ctx: SeedContext) -> None:
    """Seed meetings, call recordings (with transcript plans) and comment threads; moves the clock past them."""
    seed = _ActivitySeed(ctx)
    seed.seed_meetings()
    seed.seed_comments()
    ctx.cursor = max(ctx.cursor, seed.latest)
