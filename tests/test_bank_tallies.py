"""The bank's question tallies (bank/tallies.py) follow every change to questions, and the
bank list counts from them when nothing but the status filters it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from sqlalchemy import event, func, select, update

from interviewloop.audit.service import SYSTEM
from interviewloop.bank import service, tallies
from interviewloop.bank.models import Question, QuestionTally
from interviewloop.bank.schema import QuestionInput
from interviewloop.db import utcnow


def _tallies(session) -> dict[bool, int]:
    """The kept counts, active (False) and retired (True), leaving out the zeros."""
    session.flush()
    return {state: n for state, n in session.execute(
        select(QuestionTally.retired, QuestionTally.questions)) if n}


def _state(active: int, retired: int) -> dict[bool, int]:
    return {state: n for state, n in ((False, active), (True, retired)) if n}


def _counted(session) -> dict[bool, int]:
    retired = Question.retired_at.is_not(None)
    return dict(session.execute(select(retired, func.count()).group_by(retired)).all())


def _new(session, title: str) -> Question:
    return service.create_question(session, SYSTEM, QuestionInput(
        slug="", category="system_design", title=title, prompt="How would you shard it?",
        signals=["a", "b", "c"], red_flags=["x", "y"], areas=["ml-systems"],
        levels=["senior"], minutes=30))


def test_the_tallies_follow_new_retired_restored_and_deleted_questions(db_session, bank):
    start = _tallies(db_session)
    assert start == _counted(db_session) and start[False] > 0
    active, retired = start[False], start.get(True, 0)

    question = _new(db_session, "Design a tally queue")
    assert _tallies(db_session) == _state(active + 1, retired)
    question.title = "Design a tally queue, renamed"  # not a change of state
    assert _tallies(db_session) == _state(active + 1, retired)
    question.retired_at = utcnow()
    assert _tallies(db_session) == _state(active, retired + 1)
    question.retired_at = utcnow()  # retired again: still one retired question
    assert _tallies(db_session) == _state(active, retired + 1)
    question.retired_at = None
    assert _tallies(db_session) == _state(active + 1, retired)
    db_session.execute(update(Question).values(retired_at=utcnow()))  # many rows at once
    assert _tallies(db_session) == _state(0, active + 1 + retired)
    assert _tallies(db_session) == _counted(db_session)
    db_session.delete(question)
    assert _tallies(db_session) == _state(0, active + retired)


def test_the_bank_list_counts_from_the_tallies_when_only_the_status_filters(db_session, bank):
    statements: list[str] = []
    engine = db_session.get_bind().engine
    listen = lambda *args: statements.append(args[2])  # noqa: E731 - (conn, cursor, statement, ...)
    event.listen(engine, "before_cursor_execute", listen)
    try:
        for status in ("active", "retired", "all"):
            page = service.search_questions(db_session, service.BankFilters(status=status))
            counted = _counted(db_session)
            assert page.total == {"active": counted.get(False, 0),
                                  "retired": counted.get(True, 0),
                                  "all": sum(counted.values())}[status]
        tallied = [s for s in statements if "question_tallies" in s]
        assert len(tallied) == 3
        statements.clear()
        service.search_questions(db_session, service.BankFilters(text="latency"))
        service.search_questions(db_session, service.BankFilters(level="senior"))
        assert not [s for s in statements if "question_tallies" in s]
    finally:
        event.remove(engine, "before_cursor_execute", listen)


def test_the_migration_makes_the_tallies_as_create_all_does():
    """A migration keeps its own copy of the statements (alembic/versions); PostgreSQL's
    function is not in the drift test's catalogue, so compare the copies here."""
    path = next(Path(__file__).resolve().parent.parent.glob(
        "alembic/versions/*_a7d3f9c2e5b1_question_tallies.py"))
    spec = importlib.util.spec_from_file_location("tallies_migration", path)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    assert (migration.SQLITE, migration.POSTGRESQL, migration.BACKFILL) == (
        tallies.SQLITE, tallies.POSTGRESQL, tallies.BACKFILL)
    assert "FOR UPDATE" in tallies.POSTGRESQL[0]  # both rows locked first, in one order
