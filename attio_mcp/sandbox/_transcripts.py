"""Call transcripts generated from small phrase tables, deterministically, so nothing large is committed.

A recording keeps a *plan*: seed, length in minutes, speakers with their roles, the customer's company and
product. :func:`segments` turns a plan into Attio's transcript segments: one per word (as in the spec's
example), with start and end times in seconds and the speaker's name. The call follows a sales call's
arc (opening, agenda, discovery, demo, technical questions, commercials, next steps) and every turn is one
to three sentences drawn from the speaker's lines for that phase, so a search for "pricing" or "SSO" finds
the passages a real call would have. Same plan, same transcript.
"""

from __future__ import annotations

import functools
import json
import random
from typing import Any

__all__ = ["PAGE_SEGMENTS", "segments", "transcript_page"]

PAGE_SEGMENTS = 500  # speech segments (words) per transcript page
WORDS_PER_SECOND = 2.6

# The opening and the agenda take at most OPENING_SECONDS each; the other phases share the rest of the
# call, each ending at its share of it.
OPENING_SECONDS = 75.0
PHASES = (
    ("discovery", 0.32),
    ("demo", 0.6),
    ("technical", 0.76),
    ("commercial", 0.9),
    ("next", 1.0),
)

# phase -> role -> lines. Roles: rep (our account executive), se (our solutions engineer), champion,
# buyer (budget owner) and tech (the customer's technical lead). {placeholders} are filled per call.
LINES: dict[str, dict[str, tuple[str, ...]]] = {
    "opening": {
        "rep": (
            "Thanks everyone for making the time today.",
            "Can you all hear me okay?",
            "How was the {event} last week?",
            "Good to see you again, {champion}.",
            "I know it is a busy week, so I appreciate it.",
        ),
        "champion": (
            "Yes, loud and clear.",
            "Happy to be here, it has been a hectic {weekday}.",
            "The {event} was great, lots of good conversations.",
            "Thanks for setting this up.",
        ),
        "buyer": ("Morning everyone.", "I only have the hour, so let us keep it tight."),
        "tech": ("Hi all, I will be on camera in a second.", "Sorry, I was just wrapping up another call."),
        "se": ("Hi everyone, nice to meet you all.",),
    },
    "agenda": {
        "rep": (
            "Here is what I suggest for the agenda.",
            "First I want to recap what we heard last time, then show you the {product} workflow.",
            "We will leave fifteen minutes at the end for questions and next steps.",
            "Does that work for everyone, or is there anything you want to add?",
        ),
        "champion": (
            "That works, and I would like to cover the rollout timeline too.",
            "Sounds good, can we also talk about the integration with our ERP?",
        ),
        "buyer": ("Please make sure we get to pricing today.", "Fine by me."),
        "tech": ("I have a few questions on security, so keep some time for that.",),
        "se": ("I will drive the demo when we get there.",),
    },
    "discovery": {
        "rep": (
            "Walk me through how the team handles this today.",
            "What happens when a deal slips past the close date?",
            "How many people touch a record before it is closed?",
            "What does success look like for you six months from now?",
            "Who else is involved in the decision?",
            "What made you start looking at this now?",
            "How are you measuring the pipeline today?",
            "How do you handle {topic} today?",
            "Who owns {topic} on your side?",
            "What would change for the team if {topic} ran on its own?",
            "How much time goes into {topic} in a typical week?",
        ),
        "champion": (
            "Right now everything lives in spreadsheets and it is a mess.",
            "We lose track of follow ups, and nobody knows who owns the account.",
            "Our reps spend about {n} hours a week updating data by hand.",
            "The board wants a reliable forecast by the end of the quarter.",
            "We tried {competitor} last year but adoption was poor.",
            "Honestly the biggest pain is reporting, it takes {n} days every month end.",
            "We have {seats} people in the sales team and it will grow this year.",
            "Leadership asked for one view of every customer conversation.",
            "For {topic} we mostly rely on {tool}.",
            "{Topic} is where we lose the most time.",
            "Nobody really owns {topic}, it falls between sales and operations.",
            "When {topic} goes wrong we usually find out from the customer.",
        ),
        "buyer": (
            "Cost matters, but the bigger risk is losing deals we never followed up on.",
            "I need to see a return within the first two quarters.",
            "The decision sits with me and our CFO.",
        ),
        "tech": (
            "Our data is spread across three systems at the moment.",
            "Any new tool has to work with single sign on from day one.",
            "We have a small team, so maintenance effort is a real concern.",
        ),
        "se": (
            "That is a pattern we see a lot with teams your size.",
            "Is the data in those systems clean, or does it need work first?",
        ),
    },
    "demo": {
        "se": (
            "Let me share my screen.",
            "This is the pipeline view, every deal grouped by stage.",
            "When a meeting ends, the notes and the recording land on the deal automatically.",
            "Here you can filter by owner, close date or deal value.",
            "This report shows the forecast by month, it updates as stages change.",
            "Every email and meeting with the account shows up on this timeline.",
            "You can build a list like this in about a minute, no admin needed.",
            "For {topic}, you would set up a view like this one.",
            "Here is how another customer handles {topic} with an automation.",
        ),
        "rep": (
            "This is the part {champion} asked about last time.",
            "Notice how little typing the rep has to do here.",
            "Stop me at any point if something is not clear.",
        ),
        "champion": (
            "Would that work for {topic} as well?",
            "Oh nice, that would save us a lot of time.",
            "Can we customise those stages?",
            "How does it handle deals with several companies involved?",
            "That timeline is exactly what leadership keeps asking for.",
        ),
        "buyer": ("How long would it take the team to learn this?", "Can I get that forecast by region?"),
        "tech": ("Where does that data get stored?", "Is there an API behind all of this?"),
    },
    "technical": {
        "tech": (
            "How do you handle single sign on, do you support SAML?",
            "We need a security review before anything goes live.",
            "Is data encrypted at rest and in transit?",
            "What does the API rate limit look like?",
            "Can we keep our data in the EU region?",
            "How does the integration with our ERP work?",
            "Do you have a SOC 2 report we can look at?",
        ),
        "se": (
            "Yes, SAML single sign on is included on the enterprise plan.",
            "Everything is encrypted at rest and in transit, and we have SOC 2 Type II.",
            "The API allows a hundred reads per second, which is plenty for a sync.",
            "We can send the security questionnaire and the SOC 2 report today.",
            "Most teams connect their ERP through the API in a couple of weeks.",
            "Data residency in the EU is available, we just set it at workspace creation.",
        ),
        "champion": (
            "Security review usually takes our team about {n} weeks.",
            "Our IT team will ask about single sign on first.",
        ),
        "rep": (
            "I will make sure the security pack is in your inbox this afternoon.",
            "Single sign on comes with the enterprise plan, I can confirm that in writing.",
        ),
    },
    "commercial": {
        "buyer": (
            "Let us talk about pricing.",
            "What would this cost for {seats} seats?",
            "The budget for this year is about {budget}, so we need to land close to that.",
            "Is there flexibility on a multi year term?",
            "We would need the pricing approved before the end of {month}.",
            "{competitor} came in lower, to be honest.",
        ),
        "rep": (
            "Let me walk you through the pricing.",
            "For {seats} seats on the annual plan we are at {price} per year.",
            "On a three year term we can take {pct} percent off the list price.",
            "I understand the budget, let me see what I can do on the discount.",
            "Compared with {competitor}, the difference is adoption, and we include onboarding.",
            "If we can sign by the end of {month}, I can hold that price.",
        ),
        "champion": (
            "Procurement will want to see the pricing in writing.",
            "Procurement will want to see a proposal in writing.",
            "Legal will need a week for the contract review.",
            "I think the value is clearly there, it is mostly about timing.",
        ),
        "tech": ("Does the price include the sandbox environment?",),
        "se": ("Onboarding and the sandbox are both part of that number.",),
    },
    "next": {
        "rep": (
            "So to recap the next steps.",
            "I will send the proposal and the security pack by {weekday}.",
            "Can we book thirty minutes next week to review the proposal together?",
            "I will loop in our onboarding lead so you can meet them.",
            "Thanks everyone, this was really helpful.",
        ),
        "champion": (
            "Great, I will share it with the team and come back with questions.",
            "Let us aim for {weekday} next week.",
            "Thanks, this was useful.",
        ),
        "buyer": ("Send me the numbers and I will take it to the CFO.", "Thanks, talk soon."),
        "tech": ("I will kick off the security review as soon as I have the documents.",),
        "se": ("I will send the API docs over as well.",),
    },
}
FILL = {
    "event": ("conference", "offsite", "trade show", "user summit"),
    "weekday": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"),
    "month": ("the month", "the quarter", "October", "November", "December"),
    "competitor": ("Salesforce", "HubSpot", "Pipedrive", "an in-house tool"),
    "n": ("two", "three", "four", "five", "six"),
    "seats": ("twenty", "forty", "sixty", "eighty", "a hundred and twenty"),
    "budget": ("fifty thousand", "eighty thousand", "a hundred thousand", "a hundred and fifty thousand"),
    "price": ("forty eight thousand", "seventy two thousand", "ninety six thousand"),
    "pct": ("ten", "twelve", "fifteen"),
    "topic": (
        "lead routing",
        "forecasting",
        "renewals",
        "quote approvals",
        "onboarding handoffs",
        "territory planning",
        "partner deals",
        "data hygiene",
        "pipeline reviews",
        "churn risk",
        "board reporting",
        "account planning",
    ),
    "tool": ("spreadsheets", "email threads", "a legacy CRM", "Slack messages", "a shared drive"),
}
# Who speaks in each phase, and how often.
WEIGHTS: dict[str, dict[str, int]] = {
    "opening": {"rep": 4, "champion": 3, "buyer": 1, "tech": 1, "se": 1},
    "agenda": {"rep": 5, "champion": 2, "buyer": 1, "tech": 1, "se": 1},
    "discovery": {"rep": 4, "champion": 5, "buyer": 2, "tech": 2, "se": 1},
    "demo": {"se": 6, "rep": 2, "champion": 3, "buyer": 1, "tech": 2},
    "technical": {"tech": 5, "se": 5, "champion": 1, "rep": 1},
    "commercial": {"buyer": 5, "rep": 5, "champion": 2, "tech": 1, "se": 1},
    "next": {"rep": 5, "champion": 3, "buyer": 1, "tech": 1, "se": 1},
}


def _phase(clock: float, length: float) -> str:
    opening = min(OPENING_SECONDS, length * 0.08)
    if clock < opening:
        return "opening"
    if clock < 2 * opening:
        return "agenda"
    share = (clock - 2 * opening) / (length - 2 * opening)
    return next((name for name, end in PHASES if share < end), PHASES[-1][0])


def _fill(line: str, rng: random.Random, plan: dict[str, Any]) -> str:
    values = {key: rng.choice(options) for key, options in FILL.items()}
    values["Topic"] = values["topic"].capitalize()
    values["product"] = plan.get("product", "platform")
    values["champion"] = next(
        (s["name"].split()[0] for s in plan["speakers"] if s["role"] == "champion"), "everyone"
    )
    return line.format(**values)


@functools.lru_cache(maxsize=8)
def _generate(plan_json: str) -> tuple[dict[str, Any], ...]:
    plan = json.loads(plan_json)
    rng = random.Random(plan["seed"])
    length = float(plan["minutes"]) * 60
    by_role: dict[str, list[str]] = {}
    for speaker in plan["speakers"]:
        by_role.setdefault(speaker["role"], []).append(speaker["name"])
    decks: dict[tuple[str, str], list[str]] = {}

    def draw(phase: str, role: str) -> str:
        """The next line of a shuffled deck, so a line comes back only once its deck is used up."""
        deck = decks.setdefault((phase, role), [])
        if not deck:
            deck.extend(LINES[phase].get(role) or LINES[phase]["rep"])
            rng.shuffle(deck)
        return _fill(deck.pop(), rng, plan)

    out: list[dict[str, Any]] = []
    clock = round(rng.uniform(0.4, 2.0), 2)
    last = ""
    while clock < length:
        phase = _phase(clock, length)
        weights = {r: w for r, w in WEIGHTS[phase].items() if r in by_role and r != last}
        role = rng.choices(list(weights), list(weights.values()))[0]
        last = role
        name = rng.choice(by_role[role])
        sentences = [draw(phase, role) for _ in range(rng.choice((1, 1, 2, 2, 3)))]
        for word in " ".join(dict.fromkeys(sentences)).split():
            spoken = 0.2 + 0.035 * len(word) + rng.uniform(0.0, 0.08)
            out.append(
                {
                    "speech": word,
                    "start_time": round(clock, 2),
                    "end_time": round(clock + spoken, 2),
                    "speaker": {"name": name},
                }
            )
            clock += spoken + (0.35 if word[-1] in ".?!" else 0.12 if word[-1] == "," else 0.03)
        clock += rng.uniform(0.5, 1.6)
    return tuple(out)


def segments(plan: dict[str, Any]) -> tuple[dict[str, Any], ...]:
    """Every word segment of the plan's call, in time order (cached: a long call is ~8,000 segments)."""
    return _generate(json.dumps(plan, sort_keys=True))


def _raw(part: list[dict[str, Any]]) -> str:
    """``[mm:ss] Speaker: text`` per speaker turn, as Attio's ``raw_transcript`` reads."""
    lines: list[str] = []
    speaker = None
    for seg in part:
        if seg["speaker"]["name"] != speaker:
            speaker = seg["speaker"]["name"]
            minutes, seconds = divmod(int(seg["start_time"]), 60)
            lines.append(f"[{minutes:02d}:{seconds:02d}] {speaker}:")
        lines[-1] += " " + seg["speech"]
    return "\n".join(lines)


def transcript_page(plan: dict[str, Any], offset: int) -> tuple[list[dict[str, Any]], str, bool]:
    """The segments of one page from ``offset``, its raw text, and whether more pages follow."""
    words = segments(plan)
    part = [dict(seg, speaker=dict(seg["speaker"])) for seg in words[offset : offset + PAGE_SEGMENTS]]
    return part, _raw(part), offset + PAGE_SEGMENTS < len(words)
