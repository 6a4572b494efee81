"""The coverage check: does a loop probe every capability area in at least two stages,
exercise every production benchmark question, and include every question category?

What covers is a stage's questions: a stage left without any (every question that fitted
it retired, say) covers no area, benchmark or category, and is a gap of its own."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from interviewloop.bank.models import BenchmarkQuestion, CapabilityArea
from interviewloop.enums import Category, Level

MIN_STAGES_PER_AREA = 2


class _Covering(Protocol):
    """A bank question, as the check reads it (an ORM question, or page.Asked)."""

    @property
    def areas(self) -> Sequence[CapabilityArea]: ...
    @property
    def benchmarks(self) -> Sequence[BenchmarkQuestion]: ...


class _Asking(Protocol):
    @property
    def question(self) -> _Covering: ...


class Stage(Protocol):
    """A loop's stage with its questions: an ORM LoopStage, or page.PageStage."""

    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def category(self) -> Category: ...
    @property
    def questions(self) -> Sequence[_Asking]: ...


@dataclass(frozen=True)
class Coverage:
    areas: list[CapabilityArea]
    # stage id -> ids of the areas its questions probe
    probed: dict[int, set[int]]
    # stage id -> why it has no questions (stages that have some are not here)
    empty: dict[int, str]
    stages_per_area: dict[int, int]
    benchmark_counts: list[tuple[BenchmarkQuestion, int]]
    category_counts: list[tuple[Category, int]]
    gaps: list[str]

    def probes(self, stage: Stage, area: CapabilityArea) -> bool:
        return area.id in self.probed.get(stage.id, set())


def check_coverage(stages: Sequence[Stage], areas: list[CapabilityArea],
                   benchmarks: list[BenchmarkQuestion], *, level: Level,
                   with_active: Callable[[Iterable[Category]], set[Category]]) -> Coverage:
    """Stages must be loaded with their questions, and those with areas and benchmarks.
    ``with_active``: which of the categories given have an active question that suits
    ``level``; asked only about the categories of stages left without questions, if any."""
    probed: dict[int, set[int]] = {}
    bench_counts = {b.id: 0 for b in benchmarks}
    category_counts = dict.fromkeys(Category, 0)
    for stage in stages:
        probed[stage.id] = set()
        if stage.questions:
            category_counts[stage.category] += 1
        for loop_question in stage.questions:
            question = loop_question.question
            probed[stage.id].update(a.id for a in question.areas)
            for bench in question.benchmarks:
                bench_counts[bench.id] = bench_counts.get(bench.id, 0) + 1
    per_area = {a.id: sum(1 for ids in probed.values() if a.id in ids) for a in areas}

    gaps = [f"{a.name} is probed by {per_area[a.id]} stage{'s' if per_area[a.id] != 1 else ''}; "
            f"it needs at least {MIN_STAGES_PER_AREA}."
            for a in areas if per_area[a.id] < MIN_STAGES_PER_AREA]
    gaps += [f"No question exercises the benchmark question: {b.text}"
             for b in benchmarks if bench_counts[b.id] == 0]
    gaps += [f"No stage covers the category {c.label}." for c, n in category_counts.items() if not n]
    empty_stages = [s for s in stages if not s.questions]
    active = with_active({s.category for s in empty_stages}) if empty_stages else set()
    empty = {s.id: _why_empty(s, level, s.category in active) for s in empty_stages}
    gaps += [empty[s.id] for s in stages if s.id in empty]
    return Coverage(
        areas=areas, probed=probed, empty=empty, stages_per_area=per_area,
        benchmark_counts=[(b, bench_counts[b.id]) for b in benchmarks],
        category_counts=list(category_counts.items()), gaps=gaps,
    )


def _why_empty(stage: Stage, level: Level, active: bool) -> str:
    what = f"{stage.category.label} question for the {level.label} level"
    if not active:
        return (f"Stage {stage.name!r} has no questions: the bank has no active {what}. "
                "Add one to the bank or unretire one, then remove this stage and add it again.")
    return (f"Stage {stage.name!r} has no questions: every active {what} is already in "
            "this loop or was asked of this candidate on another requisition.")
