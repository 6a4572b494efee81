"""The swap picker loads when it is opened (a page of its own, or the form alone for the
page's script), and the loop page, the picker and a loop build read the same number of
queries with the real bank and with 600 more questions in the level's pool."""

from __future__ import annotations

from sqlalchemy import insert, select

from interviewloop.audit.service import Actor
from interviewloop.bank.models import Question, QuestionArea, QuestionBenchmark, QuestionLevel
from interviewloop.loops import service
from tests.factories import make_candidate, make_candidate_with_loop
from tests.test_query_counts import queries_for
from tests.test_query_counts_requisitions import setup  # noqa: F401 - the fixture


def _picker(requisition, candidate, loop) -> str:
    lq = loop.stages[0].questions[0]
    return (f"/requisitions/{requisition.id}/candidates/{candidate.id}/loop/questions/"
            f"{lq.id}/alternatives")


def test_the_picker_is_read_when_opened(db_session, setup):  # noqa: F811
    requisition, recruiter, client = setup
    candidate, loop = make_candidate_with_loop(db_session, requisition, recruiter)
    page = client.get(f"/requisitions/{requisition.id}/candidates/{candidate.id}")
    html = page.get_data(as_text=True)
    assert "Next best fit from the bank" not in html and "<option value=\"\">" not in html
    url = _picker(requisition, candidate, loop)
    assert f'href="{url}"' in html and f'data-picker="{url}?fragment=1"' in html
    alternatives = service.alternatives(db_session, loop, loop.stages[0])
    assert 3 <= len(alternatives) <= service.ALTERNATIVES_SHOWN
    for got in (client.get(url), client.get(url + "?fragment=1")):
        assert got.status_code == 200
        text = got.get_data(as_text=True)
        assert "Next best fit from the bank" in text
        assert text.count("<option value=") == len(alternatives) + 1
        assert all(f'<option value="{o.id}">' in text for o in alternatives)
    assert "<html" in client.get(url).get_data(as_text=True)  # works without script
    fragment = client.get(url + "?fragment=1").get_data(as_text=True)
    assert fragment.lstrip().startswith("<form") and "<html" not in fragment
    other = f"/requisitions/{requisition.id}/candidates/{candidate.id}/loop/questions/0/" \
            "alternatives"
    assert client.get(other).status_code == 404


def _grow_pool(db_session, level, count: int) -> None:
    """``count`` copies of the level's questions (areas, benchmarks and levels too)."""
    pool = list(db_session.scalars(select(Question).where(Question.id.in_(
        select(QuestionLevel.question_id).where(QuestionLevel.level == level)))))
    areas = db_session.execute(select(QuestionArea.question_id, QuestionArea.area_id)).all()
    benches = db_session.execute(select(QuestionBenchmark.question_id,
                                        QuestionBenchmark.benchmark_id)).all()
    models = [pool[n % len(pool)] for n in range(count)]
    new_ids = db_session.scalars(insert(Question).returning(Question.id, sort_by_parameter_order=True), [
        {"slug": f"copy-{n}", "category": m.category, "title": f"{m.title} ({n})",
         "prompt": m.prompt, "suggested_minutes": m.suggested_minutes}
        for n, m in enumerate(models)]).all()
    db_session.execute(insert(QuestionLevel), [{"question_id": q, "level": level}
                                               for q in new_ids])
    db_session.execute(insert(QuestionArea), [
        {"question_id": q, "area_id": area} for q, m in zip(new_ids, models, strict=True)
        for qid, area in areas if qid == m.id])
    db_session.execute(insert(QuestionBenchmark), [
        {"question_id": q, "benchmark_id": bench} for q, m in zip(new_ids, models, strict=True)
        for qid, bench in benches if qid == m.id])
    db_session.flush()


def test_the_loop_page_picker_and_build_with_600_more_questions(
        db_session, setup, count_queries):  # noqa: F811
    requisition, recruiter, client = setup
    candidate, loop = make_candidate_with_loop(db_session, requisition, recruiter)
    page = f"/requisitions/{requisition.id}/candidates/{candidate.id}"
    picker = _picker(requisition, candidate, loop)

    def build(n: int) -> int:
        fresh = make_candidate(db_session, requisition, recruiter, n)
        with count_queries() as queries:
            service.build_loop(db_session, Actor(recruiter), requisition, fresh, seed=n)
        return len(queries)

    few = (queries_for(client, count_queries, page), queries_for(client, count_queries, picker),
           build(2))
    _grow_pool(db_session, requisition.level, 600)
    assert (queries_for(client, count_queries, page),
            queries_for(client, count_queries, picker), build(3)) == few
