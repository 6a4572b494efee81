"""What a valid question is, checked the same way for bank files and for the web form."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field

from interviewloop import limits
from interviewloop.enums import Category, Level

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MIN_SIGNALS = 3
MIN_RED_FLAGS = 2
MAX_POINT_LENGTH = limits.QUESTION_POINT.high
MINUTES_RANGE = (limits.QUESTION_MINUTES.low, limits.QUESTION_MINUTES.high)


# The kinds of value a bank file's field may hold (see value_problem).
TEXT, WHOLE_NUMBER, MAPPING, TEXT_LIST = "text", "a whole number", "a mapping", "a list of texts"


def describe(value: object) -> str:
    """How an error names the type of a value read from YAML."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    for kind, name in ((str, "text"), (int, "a number"), (float, "a number"), (list, "a list"),
                       (dict, "a mapping")):
        if isinstance(value, kind):
            return name
    return type(value).__name__


def value_problem(value: object, kind: str) -> str | None:
    """What is wrong with a field's value for its kind (None when nothing is). YAML gives
    any type anywhere: checking the type first keeps later checks from crashing on it."""
    if value is None or (kind == TEXT and isinstance(value, str) and not value.strip()):
        return "is required"
    fits = {
        TEXT: isinstance(value, str),
        WHOLE_NUMBER: isinstance(value, int) and not isinstance(value, bool),
        MAPPING: isinstance(value, dict),
        TEXT_LIST: isinstance(value, list) and all(isinstance(v, str) for v in value),
    }[kind]
    if fits:
        return None
    if kind == TEXT_LIST and isinstance(value, list):
        wrong = next(v for v in value if not isinstance(v, str))
        return f"must be a list of texts, not a list holding {describe(wrong)}"
    return f"must be {kind}, not {describe(value)}"


def item_label(noun: str, index: int, item: object, name_field: str) -> str:
    """How errors name an item: by its slug (or level) when that is text, else by position."""
    name = item.get(name_field) if isinstance(item, dict) else None
    return f"{noun} {name!r}" if isinstance(name, str) else f"{noun} #{index + 1}"


def field_problems(item: dict, fields: dict[str, str]) -> list[str]:
    """'field NAME PROBLEM' for each of ``fields`` (name to kind) that ``item`` gets wrong."""
    return [f"field {name!r} {problem}" for name, kind in fields.items()
            if (problem := value_problem(item.get(name), kind))]


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
    if problem := value_problem(value, TEXT):
        problems.append(Problem(name, problem))
    elif isinstance(value, str) and len(value) > max_len:
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
    if not isinstance(data.slug, str) or not SLUG_RE.match(data.slug) or len(data.slug) > limits.SLUG.high:
        problems.append(Problem("slug", "must be lowercase words joined by hyphens, at most 80"))
    if not isinstance(data.category, str) or data.category not in {c.value for c in Category}:
        problems.append(Problem("category", f"must be one of {', '.join(c.value for c in Category)}"))
    _check_text(problems, "title", data.title, limits.QUESTION_TITLE.high)
    _check_text(problems, "prompt", data.prompt, limits.QUESTION_PROMPT.high)
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
