"""Dates in words (workspace.dates) and slug variants (TargetSchema.find): pure functions, a fixed clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from attio_mcp.workspace.dates import parse_words, today_is
from attio_mcp.workspace.schema import AttrInfo, TargetSchema
from attio_mcp.workspace.values import words_to_iso

NOW = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)  # a Monday


@pytest.mark.parametrize(
    ("text", "day", "clock"),
    [
        ("today", date(2026, 11, 30), None),
        ("Tomorrow", date(2026, 12, 1), None),
        ("yesterday", date(2026, 11, 29), None),
        ("friday", date(2026, 12, 4), None),
        ("monday", date(2026, 12, 7), None),  # the next Monday, never today
        ("next monday", date(2026, 12, 7), None),
        ("this fri", date(2026, 12, 4), None),
        ("in 3 days", date(2026, 12, 3), None),
        ("in two weeks", date(2026, 12, 14), None),
        ("3 days ago", date(2026, 11, 27), None),
        ("10 days from now", date(2026, 12, 10), None),
        ("next week", date(2026, 12, 7), None),
        ("next month", date(2026, 12, 30), None),
        ("tomorrow at 3pm", date(2026, 12, 1), time(15, 0)),
        ("friday 09:30", date(2026, 12, 4), time(9, 30)),
        ("now", date(2026, 11, 30), time(15, 0)),
    ],
)
def test_the_documented_words(text: str, day: date, clock: time | None) -> None:
    assert parse_words(text, NOW) == (day, clock)


@pytest.mark.parametrize(
    "text", ["2024-01-01", "soon", "end of quarter", "in 3", "tomorrow 3", "13pm today", ""]
)
def test_anything_else_is_not_guessed(text: str) -> None:
    assert parse_words(text, NOW) is None


def test_words_as_iso_and_today() -> None:
    assert words_to_iso("tomorrow", date_only=True, now=NOW) == "2026-12-01"
    assert words_to_iso("tomorrow", date_only=False, now=NOW, at=time(9)) == "2026-12-01T09:00:00Z"
    assert words_to_iso("friday at 4pm", date_only=False, now=NOW, at=time(9)) == "2026-12-04T16:00:00Z"
    assert words_to_iso("2026-12-01", date_only=True, now=NOW) is None
    assert today_is(NOW) == "today is Monday 2026-11-30 (UTC)"


def attr(slug: str, kind: str = "text", title: str = "", **kwargs: object) -> AttrInfo:
    return AttrInfo(
        slug=slug, id=f"id-{slug}", title=title or slug.replace("_", " ").capitalize(), type=kind, **kwargs
    )  # type: ignore[arg-type]


DEALS = TargetSchema(
    kind="object",
    slug="deals",
    id="obj-deals",
    name="Deals",
    attributes={
        a.slug: a
        for a in (
            attr("name"),
            attr("stage", "status", "Deal stage"),
            attr("owner", "actor-reference"),
            attr("deal_value", "currency"),
            attr("close_date", "date"),
            attr("close_probability", "number"),
            attr("estimated_close_value", "number"),
            attr("company", "record-reference", allowed_objects=("companies",)),
            attr("associated_people", "record-reference", multi=True, allowed_objects=("people",)),
            attr("created_by", "actor-reference", system=True, writable=False),
        )
    },
)


@pytest.mark.parametrize(
    ("given", "slug"),
    [
        ("deal_value", "deal_value"),
        ("Deal Value", "deal_value"),
        ("dealValue", "deal_value"),
        ("deal-value", "deal_value"),
        ("Deal stage", "stage"),
        ("close dates", "close_date"),
        ("value", "deal_value"),  # the object's one currency
        ("amount", "deal_value"),
        ("status", "stage"),  # its one status
        ("account", "company"),  # its one reference to companies
        ("contacts", "associated_people"),
        ("probability", "close_probability"),  # one word of exactly one slug
    ],
)
def test_slug_variants_when_exactly_one_attribute_fits(given: str, slug: str) -> None:
    found, candidates = DEALS.find(given)
    assert found is not None and found.slug == slug and not candidates


def test_variants_that_fit_several_attributes_are_candidates_not_guesses() -> None:
    found, candidates = DEALS.find("close")
    assert found is None and {a.slug for a in candidates} == {
        "close_date",
        "close_probability",
        "estimated_close_value",
    }
    assert DEALS.find("colour") == (None, [])
