"""What a valid question is, checked the same way for bank files and for the web form."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field

from interviewloop.enums import Category, Level

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MIN_SIGNALS = 3
MIN_RED_FLAGS = 2
MAX_POINT_LENGTH = 500
MINUTES_RANGE = (5, 120)


@dataclass
class QuestionInput:
    slug: str
    category: str
    title: str
    prompt: str
    signals: list[str]
    red_flags: list[str]
    areas: list[str]
    levels: list[str]
    benchmarks: list[str] = field(default_factory=list)
    minutes: int = 30


@dataclass(frozen=True)
class Problem:
    field: str
    message: str


def clean_lines(text: str) -> list[str]:
    """One item a line, blank lines and surrounding spaces dropped (the web form's lists)."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def _check_text(problems: list[Problem], name: str, value: object, max_len: int) -> None:
    if not isinstance(value, str) or not value.strip():
        problems.append(Problem(name, "is required"))
    elif len(value) > max_len:
        problems.append(Problem(name, f"is longer than {max_len} characters"))


def _check_points(problems: list[Problem], name: str, value: object, minimum: int) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(Problem(name, "must be a list of texts"))
        return
    items = [v.strip() for v in value if v.strip()]
    if len(items) < minimum:
        problems.append(Problem(name, f"needs at least {minimum} items, has {len(items)}"))
    for item in items:
        if len(item) > MAX_POINT_LENGTH:
            problems.append(Problem(name, f"has an item longer than {MAX_POINT_LENGTH} characters"))
            break


def _check_choices(problems: list[Problem], name: str, value: object,
                   known: Collection[str], *, required: bool) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(Problem(name, "must be a list of slugs"))
        return
    if required and not value:
        problems.append(Problem(name, "needs at least one"))
    unknown = [v for v in value if v not in known]
    if unknown:
        problems.append(Problem(name, f"unknown: {', '.join(map(str, unknown))[:200]}"))
    if len(set(value)) != len(value):
        problems.append(Problem(name, "lists the same item twice"))


def validate_question(data: QuestionInput, *, areas: Collection[str],
                      benchmarks: Collection[str]) -> list[Problem]:
    """Every problem with the input (empty when valid)."""
    problems: list[Problem] = []
    if not isinstance(data.slug, str) or not SLUG_RE.match(data.slug) or len(data.slug) > 80:
        problems.append(Problem("slug", "must be lowercase words joined by hyphens, at most 80"))
    if data.category not in {c.value for c in Category}:
        problems.append(Problem("category", f"must be one of {', '.join(c.value for c in Category)}"))
    _check_text(problems, "title", data.title, 200)
    _check_text(problems, "prompt", data.prompt, 4000)
    _check_points(problems, "signals", data.signals, MIN_SIGNALS)
    _check_points(problems, "red_flags", data.red_flags, MIN_RED_FLAGS)
    _check_choices(problems, "areas", data.areas, areas, required=True)
    _check_choices(problems, "levels", data.levels, {lv.value for lv in Level}, required=True)
    _check_choices(problems, "benchmarks", data.benchmarks, benchmarks, required=False)
    low, high = MINUTES_RANGE
    if isinstance(data.minutes, bool) or not isinstance(data.minutes, int) or not (
        low <= data.minutes <= high
    ):
        problems.append(Problem("minutes", f"must be a whole number from {low} to {high}"))
    return problems
