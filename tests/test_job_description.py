"""The job description generator, without Flask."""

from __future__ import annotations

import pytest

from interviewloop.requisitions.job_description import (
    TemplateError,
    job_description,
    load_templates,
)
from interviewloop.requisitions.models import Requisition
from tests.factories import ANSWERS


def _requisition(**overrides) -> Requisition:
    values = {"title": "Senior AI Engineer", "team": "Search", "level": "senior",
              "comp_currency": "EUR", "comp_min": 90_000, "comp_max": 120_000,
              "surface_system": "Help-centre answers", "surface_models": "A hosted LLM\nand a reranker",
              **ANSWERS, **overrides}
    return Requisition(**values)


def test_sections_merge_the_template_with_the_answers(bank_data):
    from interviewloop.cli import DEFAULT_BANK

    templates = load_templates(DEFAULT_BANK / "job_descriptions.yaml")
    requisition = _requisition()
    document = job_description(requisition, templates[requisition.level])
    headings = [s.heading for s in document.sections]
    assert headings == ["Role summary", "What you will ship", "What you will own after launch",
                        "How success is judged", "The system you will work on",
                        "What you will do", "What we are looking for", "Compensation"]
    surface = document.sections[4].bullets
    assert surface == ["System: Help-centre answers", "Models: A hosted LLM and a reranker"]
    assert "90,000 to 120,000 EUR" in document.as_text()
    assert "Search team" in document.sections[0].paragraphs[0]


def test_unanswered_sections_are_left_out(bank_data):
    from interviewloop.cli import DEFAULT_BANK

    templates = load_templates(DEFAULT_BANK / "job_descriptions.yaml")
    requisition = _requisition(ships=None, surface_system=None, surface_models=None)
    headings = [s.heading for s in job_description(requisition, templates["senior"]).sections]
    assert "What you will ship" not in headings
    assert "The system you will work on" not in headings


def test_a_malformed_template_file_is_refused(tmp_path):
    path = tmp_path / "jd.yaml"
    path.write_text("templates:\n  - level: junior\n    title: X\n")
    with pytest.raises(TemplateError, match="malformed"):
        load_templates(path)
    path.write_text("templates: []\n")
    with pytest.raises(TemplateError, match="no template for junior, senior, staff"):
        load_templates(path)
    bad_placeholder = tmp_path / "jd2.yaml"
    bad_placeholder.write_text(
        "templates:\n" + "".join(
            f"  - level: {lv}\n    title: T\n    role_summary: 'Join {{company}}'\n"
            f"    what_you_will_do: [a]\n    what_we_are_looking_for: [b]\n"
            for lv in ("junior", "senior", "staff")))
    with pytest.raises(TemplateError, match="malformed"):
        load_templates(bad_placeholder)
