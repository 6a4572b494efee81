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


def test_loop_templates_cover_every_category_and_each_area_twice(bank_data):
    assert sorted(t["level"] for t in bank_data.loop_templates) == ["junior", "senior", "staff"]
    area_slugs = {a["slug"] for a in bank_data.areas}
    for template in bank_data.loop_templates:
        stages = template["stages"]
        assert {s["category"] for s in stages} == {c.value for c in Category}, template["level"]
        for area in area_slugs:
            assert sum(area in s["focus"] for s in stages) >= 2, (template["level"], area)


def test_each_template_stage_leaves_room_to_swap(bank_data):
    """The bank holds more questions than each template draws, per category and level."""
    for template in bank_data.loop_templates:
        level = template["level"]
        for category in Category:
            drawn = sum(s["questions"] for s in template["stages"]
                        if s["category"] == category.value)
            available = sum(1 for q in bank_data.questions
                            if q.category == category.value and level in q.levels)
            assert drawn + 2 <= available, (level, category.value, drawn, available)


def test_job_description_templates_exist_for_every_level():
    from interviewloop.cli import DEFAULT_BANK
    from interviewloop.requisitions.job_description import load_templates

    templates = load_templates(DEFAULT_BANK / "job_descriptions.yaml")
    assert [t.title for t in templates.values()] == [
        "Junior AI Engineer", "Senior AI Engineer", "Lead AI Engineer"]
    for template in templates.values():
        assert len(template.what_you_will_do) >= 5
        assert len(template.what_we_are_looking_for) >= 5
        text = " ".join([template.role_summary, *template.what_you_will_do,
                         *template.what_we_are_looking_for])
        for forbidden in ("|", "<", "http", "**", "#"):
            assert forbidden not in text
