"""The shipped question bank meets the coverage the product promises."""

from __future__ import annotations

from collections import Counter
from itertools import product

from interviewloop.enums import Category, Level


def test_at_least_sixty_questions(bank_data):
    assert len(bank_data.questions) >= 60


def test_five_questions_for_every_category_and_level(bank_data):
    cells = Counter((q.category, lv) for q in bank_data.questions for lv in q.levels)
    short = {cell: cells[cell] for cell in product((c.value for c in Category),
                                                   (lv.value for lv in Level)) if cells[cell] < 5}
    assert short == {}


def test_every_benchmark_question_is_exercised_at_every_level(bank_data):
    covered = {(b, lv) for q in bank_data.questions for b in q.benchmarks for lv in q.levels}
    wanted = set(product((b["slug"] for b in bank_data.benchmarks), (lv.value for lv in Level)))
    assert wanted - covered == set()


def test_the_domain_vocabulary(bank_data):
    assert [a["slug"] for a in bank_data.areas] == [
        "application-engineering", "ml-systems", "infrastructure-cloud", "mlops-discipline",
        "technical-leadership"]
    assert len(bank_data.benchmarks) == 5
    # The seed's six competencies, each mapped to one of the five areas.
    assert len(bank_data.competencies) == 6
    assert {c["area"] for c in bank_data.competencies} == {a["slug"] for a in bank_data.areas}


def test_each_question_is_complete(bank_data):
    for q in bank_data.questions:
        assert len(q.signals) >= 3, q.slug
        assert len(q.red_flags) >= 2, q.slug
        assert q.areas, q.slug
        assert q.levels, q.slug
        assert 5 <= q.minutes <= 120, q.slug


def test_slugs_and_titles_are_unique(bank_data):
    assert len({q.slug for q in bank_data.questions}) == len(bank_data.questions)
    assert len({q.title.lower() for q in bank_data.questions}) == len(bank_data.questions)
