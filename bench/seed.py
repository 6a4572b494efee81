"""A large, deterministic question bank for the benchmarks.

The real bank (areas, benchmarks, rubric and its questions) is imported through the real
importer; synthetic questions are then added with bulk Core inserts, their text recombined
from the real bank's sentences so that lengths and words look like real questions.
"""

from __future__ import annotations

import copy
import random
import re
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, func, insert, select, text
from sqlalchemy.orm import Session

from interviewloop.audit.service import SYSTEM
from interviewloop.bank.importer import BankData, import_bank, load_bank
from interviewloop.bank.models import (
    BenchmarkQuestion,
    CapabilityArea,
    Question,
    QuestionArea,
    QuestionBenchmark,
    QuestionLevel,
    QuestionPoint,
)
from interviewloop.cli import DEFAULT_BANK
from interviewloop.db import utcnow, writing
from interviewloop.enums import Category, Level

RANDOM_SEED = 20261127
BATCH = 2_000
# How many levels / areas / benchmarks a question carries, weighted like the real bank.
LEVEL_COUNTS, LEVEL_WEIGHTS = (1, 2, 3), (16, 54, 2)
AREA_COUNTS, AREA_WEIGHTS = (1, 2, 3), (3, 55, 14)
BENCHMARK_COUNTS, BENCHMARK_WEIGHTS = (0, 1, 2, 3), (4, 3, 61, 8)


@dataclass(frozen=True)
class SeedReport:
    questions: int  # questions in the database afterwards
    real: int  # of which came from question_bank/


def _sentences(texts: list[str]) -> list[str]:
    return [s.strip() for t in texts for s in re.split(r"(?<=[.?!])\s+", t) if s.strip()]


class _Writer:
    """Makes question text from the real bank's sentences and words."""

    def __init__(self, data: BankData, rng: random.Random) -> None:
        self.rng = rng
        self.prompt_sentences = _sentences([q.prompt for q in data.questions])
        self.signals = [s for q in data.questions for s in q.signals]
        self.red_flags = [s for q in data.questions for s in q.red_flags]
        # Every word occurrence, so common words stay common (as in real text).
        self.words = [w for q in data.questions for w in re.findall(r"[a-z][a-z-]*[a-z]",
                                                                     q.title.lower())]

    def title(self) -> str:
        words = self.rng.choices(self.words, k=self.rng.randint(5, 11))
        return " ".join(words).capitalize()[:200]

    def prompt(self) -> str:
        return " ".join(self.rng.sample(self.prompt_sentences, self.rng.randint(2, 6)))[:4000]

    def points(self, pool: list[str], low: int, high: int) -> list[str]:
        return self.rng.sample(pool, self.rng.randint(low, high))


def import_real_bank(bind: Engine, data: BankData | None = None) -> int:
    """Import question_bank/ (areas, benchmarks, rubric, questions); return its question count."""
    data = copy.deepcopy(data or load_bank(DEFAULT_BANK))
    with Session(bind=writing(bind)) as session, session.begin():
        import_bank(session, SYSTEM, data)
    return len(data.questions)


def add_synthetic_questions(bind: Engine, count: int, *,
                            seed: int = RANDOM_SEED, data: BankData | None = None) -> None:
    """Insert ``count`` generated questions with their points, levels, areas and benchmarks."""
    data = data or load_bank(DEFAULT_BANK)
    rng = random.Random(seed)
    writer = _Writer(data, rng)
    with writing(bind).connect() as conn, conn.begin():
        area_ids = list(conn.scalars(select(CapabilityArea.id).order_by(CapabilityArea.position)))
        benchmark_ids = list(conn.scalars(
            select(BenchmarkQuestion.id).order_by(BenchmarkQuestion.position)))
        first = (conn.scalar(select(func.count()).select_from(Question)) or 0) + 1
        for start in range(0, count, BATCH):
            numbers = range(first + start, first + min(count, start + BATCH))
            _insert_batch(conn, writer, numbers, area_ids, benchmark_ids)


def _insert_batch(conn: Connection, writer: _Writer, numbers: range, area_ids: list[int],
                  benchmark_ids: list[int]) -> None:
    rng, now = writer.rng, utcnow()
    categories, levels = list(Category), list(Level)
    rows = []
    for n in numbers:
        title = writer.title()
        slug = f"bench-{n:06d}-" + re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
        rows.append({
            "slug": slug[:80].rstrip("-"), "category": rng.choice(categories), "title": title,
            "prompt": writer.prompt(), "suggested_minutes": rng.choice((15, 20, 30, 40, 45, 60)),
            "origin": "web", "created_at": now, "updated_at": now, "version": 1,
            # a few retired questions, as a bank that has been used for a while has
            "retired_at": now if rng.random() < 0.03 else None,
        })
    table = Question.__table__
    ids = list(conn.scalars(insert(table).returning(table.c.id, sort_by_parameter_order=True),
                            rows))
    points, level_rows, area_rows, benchmark_rows = [], [], [], []
    for question_id in ids:
        for kind, pool, low, high in (("signal", writer.signals, 3, 6),
                                      ("red_flag", writer.red_flags, 2, 3)):
            points.extend({"question_id": question_id, "kind": kind, "position": i, "text": text}
                          for i, text in enumerate(writer.points(pool, low, high)))
        chosen = _pick(rng, levels, LEVEL_COUNTS, LEVEL_WEIGHTS)
        level_rows.extend({"question_id": question_id, "level": lv} for lv in chosen)
        chosen = _pick(rng, area_ids, AREA_COUNTS, AREA_WEIGHTS)
        area_rows.extend({"question_id": question_id, "area_id": a} for a in chosen)
        chosen = _pick(rng, benchmark_ids, BENCHMARK_COUNTS, BENCHMARK_WEIGHTS)
        benchmark_rows.extend({"question_id": question_id, "benchmark_id": b} for b in chosen)
    for model, batch in ((QuestionPoint, points), (QuestionLevel, level_rows),
                         (QuestionArea, area_rows), (QuestionBenchmark, benchmark_rows)):
        if batch:
            conn.execute(insert(model.__table__), batch)


def _pick(rng: random.Random, items: list, counts: tuple[int, ...],
          weights: tuple[int, ...]) -> list:
    return rng.sample(items, rng.choices(counts, weights)[0])


def analyze(bind: Engine) -> None:
    """Autovacuum would gather statistics soon after a bulk load; do it now, so that the
    planner sees the steady state (without, at 2,000 candidates, PostgreSQL guessed 17 of
    8,970 scheduled interviews and joined every one of them to an admin's empty panel on
    the home page), and the GIN index of bank search with its pending entries merged and
    its size known (VACUUM; the planner picks it only then). SQLite gathers none unless
    asked, nor does the app."""
    if bind.dialect.name == "postgresql":
        with bind.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))


def seed_bank(bind: Engine, questions: int, *, seed: int = RANDOM_SEED) -> SeedReport:
    """The real bank plus synthetic questions up to ``questions`` in all."""
    data = load_bank(DEFAULT_BANK)
    real = import_real_bank(bind, data)
    add_synthetic_questions(bind, max(0, questions - real), seed=seed, data=data)
    analyze(bind)
    with bind.connect() as conn:
        total = conn.scalar(select(func.count()).select_from(Question)) or 0
    return SeedReport(questions=total, real=real)
