"""A level's pool (the active questions that suit it) is never read whole to answer about a
few questions (issue 15): the coverage check asks about it only for stages left without
questions, and whether a question suits the level is a probe of question_levels' key, not
the list of the level's every question (most of the bank: 15 ms on the loop page and 7 ms
in building a loop at 30,000 questions on SQLite)."""

from __future__ import annotations

from interviewloop.audit.service import Actor
from interviewloop.loops import service
from tests.factories import make_candidate, make_candidate_with_loop
from tests.query_plans import ordered_statements
from tests.test_fixes_loops import (  # noqa: F401 - fixtures
    _retire_senior_system_design,
    _system_design_stages,
    senior_req,
    team,
)


def test_a_loop_with_no_empty_stage_asks_nothing(db_session, senior_req, team, engine):  # noqa: F811
    _candidate, loop = make_candidate_with_loop(db_session, senior_req, team["recruiter"])
    assert all(stage.questions for stage in loop.stages)
    with ordered_statements(engine, "questions", order="") as seen:
        coverage = service.coverage_of(db_session, loop)
    assert coverage.empty == {}
    assert seen == []


def test_empty_stages_ask_once(db_session, senior_req, team, engine):  # noqa: F811
    """Two stages left empty (the bank has no active question for them): one statement."""
    _retire_senior_system_design(db_session)
    _candidate, loop = make_candidate_with_loop(db_session, senior_req, team["recruiter"])
    empty = _system_design_stages(loop)
    with ordered_statements(engine, "questions", order="") as seen:
        coverage = service.coverage_of(db_session, loop)
    assert set(coverage.empty) == {stage.id for stage in empty}
    assert len(seen) == 1  # both stages' category, in one statement


def test_suiting_the_level_is_a_key_probe(db_session, senior_req, team, engine, login):  # noqa: F811
    """Every statement building a loop, showing it, checking one with an empty stage,
    swapping a question and opening the swap picker makes on question_levels looks rows up
    by (question_id, level). PostgreSQL plans ``id IN (SELECT ...)`` and ``EXISTS`` alike
    (a semi-join the planner orders as it sees fit): there, with scans of whole tables
    turned off, each read of question_levels must be able to go through an index."""
    recruiter = Actor(team["recruiter"])
    with ordered_statements(engine, "question_levels", order="") as seen:
        candidate, loop = make_candidate_with_loop(db_session, senior_req, team["recruiter"])
        client = login(team["recruiter"])
        page = f"/requisitions/{senior_req.id}/candidates/{candidate.id}"
        assert client.get(page).status_code == 200
        question = loop.stages[0].questions[0]
        assert service.alternatives(db_session, loop, loop.stages[0])
        service.swap_question(db_session, recruiter, senior_req, loop, question.id)
    _retire_senior_system_design(db_session)
    other = make_candidate(db_session, senior_req, team["recruiter"], 2)
    with ordered_statements(engine, "question_levels", order="") as more:
        service.build_loop(db_session, recruiter, senior_req, other, seed=2)
        assert service.coverage_of(db_session, service.loop_for(db_session, other)).empty
    seen += more
    assert len(seen) >= 5
    connection = db_session.connection()
    postgres = engine.dialect.name == "postgresql"
    if postgres:  # tables this small would be read whole: can an index serve?
        for method in ("seqscan", "bitmapscan"):
            connection.exec_driver_sql(f"SET LOCAL enable_{method} = off")
    for statement, parameters in seen:
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            continue
        explain = "EXPLAIN " if postgres else "EXPLAIN QUERY PLAN "
        plan = [str(row[-1]) for row in connection.exec_driver_sql(explain + statement,
                                                                   parameters)]
        reads = [step for step in plan if "question_levels" in step]
        assert reads, plan
        if postgres:
            assert all("Index" in step for step in reads), (statement, plan)
        else:
            assert all("question_id=?" in step for step in reads), (statement, plan)
