"""Each page makes the same number of queries however much data there is (no N+1)."""

from __future__ import annotations

import copy
import random

import pytest
from sqlalchemy import insert, select

from interviewloop.audit.service import SYSTEM
from interviewloop.bank.importer import import_bank
from interviewloop.bank.models import (
    BenchmarkQuestion,
    CapabilityArea,
    Question,
    QuestionArea,
    QuestionBenchmark,
    QuestionLevel,
    QuestionPoint,
)
from interviewloop.db import utcnow
from interviewloop.enums import Category, Level


@pytest.fixture
def vocabulary(db_session, bank_data):
    """Areas, benchmarks and rubric, without the real questions."""
    data = copy.deepcopy(bank_data)
    data.questions = []
    import_bank(db_session, SYSTEM, data)
    return data


def add_questions(db_session, count: int, start: int = 0) -> None:
    """Bulk-insert ``count`` questions, each with points, levels, areas and benchmarks."""
    rng = random.Random(start)
    area_ids = list(db_session.scalars(select(CapabilityArea.id)))
    bench_ids = list(db_session.scalars(select(BenchmarkQuestion.id)))
    now = utcnow()
    rows = [{"slug": f"generated-{start + i}", "category": rng.choice(list(Category)),
             "title": f"Generated question {start + i}", "prompt": "Walk me through it.",
             "suggested_minutes": 30, "origin": "web", "created_at": now, "updated_at": now,
             "version": 1} for i in range(count)]
    ids = list(db_session.scalars(insert(Question).returning(Question.id, sort_by_parameter_order=True),
                                  rows))
    db_session.execute(insert(QuestionPoint), [
        {"question_id": qid, "kind": kind, "position": n, "text": f"{kind} {n}"}
        for qid in ids for kind, total in (("signal", 3), ("red_flag", 2)) for n in range(total)])
    db_session.execute(insert(QuestionLevel), [
        {"question_id": qid, "level": level} for qid in ids
        for level in rng.sample(list(Level), rng.randint(1, 3))])
    db_session.execute(insert(QuestionArea), [
        {"question_id": qid, "area_id": area} for qid in ids for area in rng.sample(area_ids, 2)])
    db_session.execute(insert(QuestionBenchmark), [
        {"question_id": qid, "benchmark_id": rng.choice(bench_ids)} for qid in ids])
    db_session.flush()


def queries_for(client, count_queries, url: str) -> int:
    client.get(url)  # warm caches (templates, compiled statements) outside the count
    with count_queries() as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


# The search with words the index looks up and words too short for it (bank/search.py).
PAGES = ["/bank/", "/bank/?q=question&level=senior&page=2", "/bank/?q=ge+estion+%25+%22",
         "/bank/?area=ml-systems&status=all", "/bank/rubric", "/"]


@pytest.mark.parametrize("url", PAGES)
def test_bank_pages_make_the_same_queries_with_10_and_1000_questions(
        db_session, vocabulary, login, make_user, count_queries, url):
    client = login(make_user("interviewer"))
    add_questions(db_session, 10)
    few = queries_for(client, count_queries, url)
    add_questions(db_session, 990, start=10)
    many = queries_for(client, count_queries, url)
    assert few == many
    assert few <= 10  # a budget, so that a new query per page is a decision, not a drift


def test_question_detail_queries_do_not_grow_with_its_lists(db_session, vocabulary, login,
                                                            make_user, count_queries):
    client = login(make_user("interviewer"))
    add_questions(db_session, 2)
    small, large = db_session.scalars(select(Question.id).order_by(Question.id)).all()
    db_session.execute(insert(QuestionPoint), [
        {"question_id": large, "kind": "signal", "position": n, "text": f"more {n}"}
        for n in range(3, 40)])
    db_session.execute(insert(QuestionArea), [
        {"question_id": large, "area_id": area}
        for area in db_session.scalars(select(CapabilityArea.id))
        if area not in db_session.scalars(select(QuestionArea.area_id).where(
            QuestionArea.question_id == large)).all()])
    db_session.flush()
    assert queries_for(client, count_queries, f"/bank/questions/{small}") == queries_for(
        client, count_queries, f"/bank/questions/{large}")


def test_user_list_makes_the_same_queries_with_5_and_100_users(login, make_user,
                                                               count_queries):
    client = login(make_user("admin"))
    for _ in range(4):
        make_user("interviewer")
    few = queries_for(client, count_queries, "/admin/users")
    for _ in range(95):
        make_user("recruiter", "interviewer")
    assert queries_for(client, count_queries, "/admin/users") == few


def test_query_counting_sees_an_n_plus_one(db_session, vocabulary, count_queries):
    """The counter itself can fail: loading each question's levels one by one is seen."""
    add_questions(db_session, 5)
    with count_queries() as queries:
        for question in db_session.scalars(select(Question)).all():
            db_session.scalars(select(QuestionLevel).where(
                QuestionLevel.question_id == question.id)).all()
    assert len(queries) == 6
