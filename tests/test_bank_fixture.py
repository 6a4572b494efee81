"""The `bank` fixture's three ways give what import_bank gives (tests/conftest.py)."""

from __future__ import annotations

import copy

from sqlalchemy import func, select, text
from sqlalchemy.orm import selectinload

from interviewloop.audit.models import AuditEvent
from interviewloop.audit.service import SYSTEM
from interviewloop.bank import service
from interviewloop.bank.importer import import_bank
from interviewloop.bank.models import CapabilityArea, Question
from interviewloop.bank.schema import QuestionInput
from interviewloop.loops.models import LoopTemplate, LoopTemplateStage
from tests.bank_rows import AUDIT, copy_bank_rows

# Surrogate keys and the clock differ between two imports; nothing else may.
VARYING = {"created_at", "updated_at", "at"}


def _contents(db_session, bank_rows) -> dict:
    """Each bank table's rows without ids and times, and the links between them by slug."""
    tables = {}
    for table, _ in bank_rows:
        keep = [c for c in table.c if c.name not in VARYING and c.name != "id"
                and not c.foreign_keys]
        query = select(*keep) if keep else select(func.count()).select_from(table)
        tables[table.name] = sorted(repr(tuple(row)) for row in db_session.execute(query))
    questions = {q.slug: (sorted((p.kind, p.position, p.text) for p in q.points),
                          sorted(a.slug for a in q.areas), sorted(lv.level for lv in q.level_rows),
                          sorted(b.slug for b in q.benchmarks))
                 for q in db_session.scalars(select(Question).options(
                     selectinload(Question.points), selectinload(Question.areas),
                     selectinload(Question.level_rows), selectinload(Question.benchmarks)))}
    stages = {(t.level, s.position): sorted(a.slug for a in s.focus_areas)
              for t in db_session.scalars(select(LoopTemplate).options(
                  selectinload(LoopTemplate.stages).selectinload(LoopTemplateStage.focus_areas)))
              for s in t.stages}
    return {"tables": tables, "questions": questions, "stages": stages}


def _new_question(db_session):
    return service.create_question(db_session, SYSTEM, QuestionInput(
        slug="", category="system_design", title="Design a moderation queue",
        prompt="How would you route flagged outputs to people?", signals=["a", "b", "c"],
        red_flags=["x", "y"], areas=["ml-systems"], levels=["senior"], minutes=30))


def test_copied_rows_are_what_an_import_writes(db_session, bank_rows, bank_data):
    with db_session.begin_nested() as copied:
        assert copy_bank_rows(db_session, bank_rows)
        from_copy = _contents(db_session, bank_rows)
        copied.rollback()
    db_session.expunge_all()
    assert db_session.scalar(select(func.count()).select_from(Question)) == 0
    import_bank(db_session, SYSTEM, copy.deepcopy(bank_data))
    db_session.flush()
    db_session.expunge_all()
    from_import = _contents(db_session, bank_rows)
    assert from_copy == from_import
    assert len(from_copy["questions"]) == len(bank_data.questions)
    assert {table.name for table, _ in bank_rows} >= {"questions", "question_points",
                                                      "loop_template_stages", AUDIT.name}


def test_rows_written_after_the_copy_get_fresh_ids(db_session, bank_rows):
    if db_session.get_bind().dialect.name == "postgresql":
        # As on a fresh database (earlier tests' rolled-back inserts moved the sequence on);
        # this database never keeps a committed question, so nothing can collide later.
        db_session.execute(text("SELECT setval(pg_get_serial_sequence('questions', 'id'), 1, false)"))
    assert copy_bank_rows(db_session, bank_rows)
    question = _new_question(db_session)
    db_session.flush()
    assert question.id > max(row["id"] for table, rows in bank_rows
                             if table is Question.__table__ for row in rows)


def test_a_test_naming_bank_finds_it_committed(db_session, bank, make_user):
    make_user("admin")
    assert db_session.scalar(select(func.count()).select_from(Question)) == len(bank.questions)
    assert db_session.scalars(select(AuditEvent.action)).all().count("bank_imported") == 1


def test_asked_for_late_the_bank_is_copied_in(request, db_session, make_user, bank_data):
    make_user("admin")  # an audit event already: the copied one must not collide with it
    request.getfixturevalue("bank")
    assert db_session.scalar(select(func.count()).select_from(Question)) == len(bank_data.questions)
    assert db_session.scalars(select(AuditEvent.action)).all().count("bank_imported") == 1


def test_asked_for_after_bank_rows_of_its_own_the_bank_is_imported(request, db_session,
                                                                   bank_data, bank_rows):
    areas_only = [(table, rows) for table, rows in bank_rows if table.name == "capability_areas"]
    assert copy_bank_rows(db_session, areas_only)
    request.getfixturevalue("bank")  # cannot copy over the areas: imports, upserting them
    assert db_session.scalar(select(func.count()).select_from(Question)) == len(bank_data.questions)
    assert db_session.scalar(select(func.count()).select_from(CapabilityArea)) == len(
        bank_data.areas)
