"""The coverage check: does a loop probe every capability area in at least two stages,
exercise every production benchmark question, and include every question category?"""

from __future__ import annotations

from dataclasses import dataclass

from interviewloop.bank.models import BenchmarkQuestion, CapabilityArea
from interviewloop.enums import Category
from interviewloop.loops.models import LoopStage

MIN_STAGES_PER_AREA = 2


@dataclass(frozen=True)
class Coverage:
    areas: list[CapabilityArea]
    # stage id -> ids of the areas its questions probe
    probed: dict[int, set[int]]
    stages_per_area: dict[int, int]
    benchmark_counts: list[tuple[BenchmarkQuestion, int]]
    category_counts: list[tuple[Category, int]]
    gaps: list[str]

    def probes(self, stage: LoopStage, area: CapabilityArea) -> bool:
        return area.id in self.probed.get(stage.id, set())


def check_coverage(stages: list[LoopStage], areas: list[CapabilityArea],
                   benchmarks: list[BenchmarkQuestion]) -> Coverage:
    """Stages must be loaded with their questions, and those with areas and benchmarks."""
    probed: dict[int, set[int]] = {}
    bench_counts = {b.id: 0 for b in benchmarks}
    category_counts = dict.fromkeys(Category, 0)
    for stage in stages:
        category_counts[stage.category] += 1
        probed[stage.id] = set()
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
    gaps += [f"Stage {s.name!r} has no questions." for s in stages if not s.questions]
    return Coverage(
        areas=areas, probed=probed, stages_per_area=per_area,
        benchmark_counts=[(b, bench_counts[b.id]) for b in benchmarks],
        category_counts=list(category_counts.items()), gaps=gaps,
    )
