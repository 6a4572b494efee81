"""The bank files: validated whole before anything is written, idempotent by slug."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from interviewloop.audit.service import SYSTEM
from interviewloop.bank.importer import BankImportError, import_bank, load_bank
from interviewloop.bank.models import Question
from interviewloop.cli import DEFAULT_BANK


@pytest.fixture
def bank_copy(tmp_path) -> Path:
    target = tmp_path / "question_bank"
    shutil.copytree(DEFAULT_BANK, target)
    return target


def _edit_questions(bank: Path, filename: str, change) -> None:
    path = bank / "questions" / filename
    document = yaml.safe_load(path.read_text())
    change(document["questions"])
    path.write_text(yaml.safe_dump(document, sort_keys=False))


def _count(db_session, *where) -> int:
    return db_session.scalar(select(func.count()).select_from(Question).where(*where))


def test_real_bank_imports_and_a_second_import_changes_nothing(db_session, bank_data):
    import copy

    first = import_bank(db_session, SYSTEM, copy.deepcopy(bank_data))
    assert first.created == len(bank_data.questions) >= 60
    versions = dict(db_session.execute(select(Question.slug, Question.version)).all())
    second = import_bank(db_session, SYSTEM, copy.deepcopy(bank_data))
    assert (second.created, second.updated, second.retired) == (0, 0, 0)
    assert second.unchanged == first.created
    assert dict(db_session.execute(select(Question.slug, Question.version)).all()) == versions


def test_changed_text_updates_and_removed_question_is_retired(db_session, bank_copy):
    import_bank(db_session, SYSTEM, load_bank(bank_copy))
    gone = {}

    def change(questions):
        questions[0]["title"] = "A reworded title"
        questions[0]["signals"].append("Names the owner of each alert.")
        gone["slug"] = questions.pop()["slug"]

    _edit_questions(bank_copy, "system-design.yaml", change)
    report = import_bank(db_session, SYSTEM, load_bank(bank_copy))
    assert (report.updated, report.retired, report.created) == (1, 1, 0)
    reworded = db_session.scalar(select(Question).where(Question.title == "A reworded title"))
    assert reworded.version == 2
    assert "Names the owner of each alert." in [p.text for p in reworded.points]
    retired = db_session.scalar(select(Question).where(Question.slug == gone["slug"]))
    assert retired is not None and retired.retired_at is not None  # kept, never deleted


def test_web_questions_are_not_retired_by_an_import(db_session, bank_copy, bank):
    from interviewloop.bank import service
    from interviewloop.bank.schema import QuestionInput

    web = service.create_question(db_session, SYSTEM, QuestionInput(
        slug="", category="system_design", title="Design a moderation queue",
        prompt="How would you route flagged outputs to people?", signals=["a", "b", "c"],
        red_flags=["x", "y"], areas=["ml-systems"], levels=["senior"], minutes=30))
    import_bank(db_session, SYSTEM, load_bank(bank_copy))
    db_session.refresh(web)
    assert web.retired_at is None


@pytest.mark.parametrize(("change", "expected"), [
    (lambda qs: qs[0].update(signals=["only one"]),
     "question_bank/questions/system-design.yaml: question '{slug}': field 'signals' needs at least 3"),
    (lambda qs: qs[0].update(red_flags=[]),
     "question_bank/questions/system-design.yaml: question '{slug}': field 'red_flags' needs at least 2"),
    (lambda qs: qs[0].update(areas=["quantum-physics"]),
     "question_bank/questions/system-design.yaml: question '{slug}': field 'areas' unknown: quantum-physics"),
    (lambda qs: qs[0].update(levels=["intern"]),
     "question_bank/questions/system-design.yaml: question '{slug}': field 'levels' unknown: intern"),
    (lambda qs: qs[0].update(minutes="thirty"),
     "question_bank/questions/system-design.yaml: question '{slug}': field 'minutes' must be a whole number"),
    (lambda qs: qs[0].update(category="poetry"),
     "question_bank/questions/system-design.yaml: question '{slug}': field 'category' must be one of"),
    (lambda qs: qs[0].pop("prompt"),
     "question_bank/questions/system-design.yaml: question '{slug}': field 'prompt' is required"),
    (lambda qs: qs[0].update(colour="blue"),
     "question_bank/questions/system-design.yaml: question '{slug}': unknown fields ['colour']"),
    (lambda qs: qs[1].update(slug=qs[0]["slug"]),
     "question_bank/questions/system-design.yaml: question '{slug}': field 'slug' is also used"),
])
def test_a_bad_file_imports_nothing_and_names_file_question_field(db_session, bank_copy, change,
                                                                   expected):
    slug = yaml.safe_load((bank_copy / "questions" / "system-design.yaml").read_text())[
        "questions"][0]["slug"]
    _edit_questions(bank_copy, "system-design.yaml", change)
    with pytest.raises(BankImportError) as raised:
        load_bank(bank_copy)
    assert any(error.startswith(expected.format(slug=slug)) for error in raised.value.errors), (
        raised.value.errors)
    assert _count(db_session) == 0


def test_broken_yaml_and_bad_rubric_are_reported_together(bank_copy):
    (bank_copy / "questions" / "mlops-operations.yaml").write_text("questions: [unclosed\n")
    rubric = yaml.safe_load((bank_copy / "rubric.yaml").read_text())
    rubric["competencies"][0]["expectations"].pop("staff")
    (bank_copy / "rubric.yaml").write_text(yaml.safe_dump(rubric))
    with pytest.raises(BankImportError) as raised:
        load_bank(bank_copy)
    errors = raised.value.errors
    assert any(e.startswith("question_bank/questions/mlops-operations.yaml: file: is not valid YAML")
               for e in errors)
    assert any("rubric.yaml: competency" in e and "expectations.staff" in e for e in errors)


def test_cli_import_refuses_a_bad_bank(app, bank_copy, connection):
    _edit_questions(bank_copy, "coding-implementation.yaml",
                    lambda qs: qs[0].update(levels=[]))
    result = app.test_cli_runner().invoke(args=["import-questions", str(bank_copy)])
    assert result.exit_code != 0
    assert "field 'levels' needs at least one" in result.output
    assert "nothing was imported" in result.output


def _edit_templates(bank: Path, change) -> None:
    path = bank / "loop_templates.yaml"
    document = yaml.safe_load(path.read_text())
    change(document["templates"])
    path.write_text(yaml.safe_dump(document, sort_keys=False))


@pytest.mark.parametrize(("change", "expected"), [
    (lambda ts: ts[0]["stages"][0].update(category="karaoke"), "stage 1: field 'category' unknown"),
    (lambda ts: ts[1]["stages"][1].update(focus=["telepathy"]), "stage 2: field 'focus' needs known"),
    (lambda ts: ts[2]["stages"][0].update(questions=0), "stage 1: field 'questions' must be"),
    (lambda ts: ts[0].update(stages=[]), "field 'stages' needs at least one stage"),
    (lambda ts: ts[1].update(level="junior"), "field 'level' is used twice"),
])
def test_a_bad_loop_template_imports_nothing(db_session, bank_copy, change, expected):
    _edit_templates(bank_copy, change)
    with pytest.raises(BankImportError) as raised:
        load_bank(bank_copy)
    assert any(e.startswith("question_bank/loop_templates.yaml: template") and expected in e
               for e in raised.value.errors), raised.value.errors


def test_loop_templates_import_once_and_follow_changes(db_session, bank_copy):
    from interviewloop.loops.models import LoopTemplateStage

    import_bank(db_session, SYSTEM, load_bank(bank_copy))
    ids = set(db_session.scalars(select(LoopTemplateStage.id)))
    import_bank(db_session, SYSTEM, load_bank(bank_copy))
    assert set(db_session.scalars(select(LoopTemplateStage.id))) == ids  # nothing rewritten

    _edit_templates(bank_copy, lambda ts: ts[0]["stages"][0].update(minutes=75))
    import_bank(db_session, SYSTEM, load_bank(bank_copy))
    minutes = db_session.scalars(select(LoopTemplateStage.minutes).order_by(
        LoopTemplateStage.id)).all()
    assert 75 in minutes
