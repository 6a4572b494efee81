"""Browsing and editing the bank through the web."""

from __future__ import annotations

import re
from html import unescape as html_unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from interviewloop.audit.models import AuditEvent
from interviewloop.bank.models import Question
from interviewloop.bank.service import get_question
from tests.conftest import post


@pytest.fixture
def interviewer_client(login, make_user):
    return login(make_user("interviewer"))


@pytest.fixture
def manager_client(login, make_user):
    return login(make_user("hiring_manager"))


def _count(html: str) -> int:
    return int(re.search(r'id="result-count">(\d+) question', html).group(1))


def _question(db_session) -> Question:
    return get_question(db_session, db_session.scalar(select(func.min(Question.id))))


def test_filters_narrow_the_list(bank, interviewer_client, bank_data):
    everything = _count(interviewer_client.get("/bank/").get_data(as_text=True))
    assert everything == len(bank_data.questions)
    expected = sum(1 for q in bank_data.questions
                   if q.category == "mlops_operations" and "staff" in q.levels
                   and "roll-back" in q.benchmarks and "mlops-discipline" in q.areas)
    html = interviewer_client.get(
        "/bank/?category=mlops_operations&level=staff&benchmark=roll-back&area=mlops-discipline"
    ).get_data(as_text=True)
    assert 0 < _count(html) == expected < everything


def test_text_search_matches_title_or_prompt_and_escapes_wildcards(bank, interviewer_client,
                                                                   bank_data):
    word = "rollback"
    expected = sum(1 for q in bank_data.questions
                   if word in q.title.lower() or word in q.prompt.lower())
    html = interviewer_client.get(f"/bank/?q={word.upper()}").get_data(as_text=True)
    assert _count(html) == expected > 0
    assert _count(interviewer_client.get("/bank/?q=%25").get_data(as_text=True)) == sum(
        1 for q in bank_data.questions if "%" in q.title + q.prompt)


def test_pagination(bank, interviewer_client, bank_data):
    first = interviewer_client.get("/bank/").get_data(as_text=True)
    second = interviewer_client.get("/bank/?page=2").get_data(as_text=True)
    titles = lambda html: re.findall(r'href="/bank/questions/\d+">([^<]+)</a>', html)  # noqa: E731
    assert len(titles(first)) == 20
    assert set(titles(first)).isdisjoint(titles(second))
    assert 'rel="next"' in first
    last = interviewer_client.get("/bank/?page=999").get_data(as_text=True)
    assert f"Page {-(-len(bank_data.questions) // 20)} of" in last


@pytest.mark.parametrize("argument", ["_method", "_anchor", "_external", "_scheme", "page",
                                      "unknown"])
def test_query_arguments_outside_the_filter_never_reach_the_pager(bank, interviewer_client,
                                                                  argument):
    response = interviewer_client.get(f"/bank/?{argument}=POST&level=senior&q=a")
    html = response.get_data(as_text=True)
    assert response.status_code == (400 if argument == "page" else 200), html[:500]
    if argument != "page":
        [link] = re.findall(r'rel="next" href="([^"]+)"', html)
        parts = urlsplit(html_unescape(link))
        assert (parts.scheme, parts.netloc, parts.path, parts.fragment) == ("", "", "/bank/", "")
        assert parse_qs(parts.query) == {"level": ["senior"], "q": ["a"], "page": ["2"]}


def test_detail_shows_signals_red_flags_areas_and_benchmarks(bank, db_session,
                                                            interviewer_client):
    question = _question(db_session)
    html = interviewer_client.get(f"/bank/questions/{question.id}").get_data(as_text=True)
    from markupsafe import escape

    for text in [*question.signals, *question.red_flags, question.prompt]:
        assert str(escape(text)) in html
    for area in question.areas:
        assert str(escape(area.name)) in html
    assert "Edit" not in html  # interviewers do not edit the bank


def test_rubric_shows_every_level_expectation(bank, interviewer_client, bank_data):
    from markupsafe import escape

    html = interviewer_client.get("/bank/rubric").get_data(as_text=True)
    for comp in bank_data.competencies:
        for text in comp["expectations"].values():
            assert str(escape(text.strip())) in html


QUESTION_FORM = {
    "title": "Design a feedback loop for answer quality",
    "category": "system_design",
    "prompt": "Users can flag a bad answer. What do you build around that?",
    "signals": "Routes flags to a labelled set\nFeeds evaluation\nWatches the flag rate",
    "red_flags": "Retrains on raw flags\nNo owner for the queue",
    "areas": ["mlops-discipline", "ml-systems"],
    "levels": ["senior", "staff"],
    "benchmarks": ["detect-drift"],
    "minutes": "30",
}


def test_manager_creates_a_question(bank, db_session, manager_client):
    response = post(manager_client, "/bank/questions/new", QUESTION_FORM)
    assert response.status_code == 302
    question = get_question(db_session, db_session.scalar(
        select(Question.id).where(Question.title == QUESTION_FORM["title"])))
    assert question.slug == "design-a-feedback-loop-for-answer-quality"
    assert question.origin == "web"
    assert question.signals == QUESTION_FORM["signals"].split("\n")
    assert [lv.value for lv in question.levels] == ["senior", "staff"]
    assert {a.slug for a in question.areas} == {"mlops-discipline", "ml-systems"}
    assert db_session.scalar(select(AuditEvent.action).where(
        AuditEvent.object_id == question.id, AuditEvent.object_type == "questions"
    )) == "question_created"


def test_edit_saves_and_bumps_the_version(bank, db_session, manager_client):
    question = _question(db_session)
    page = manager_client.get(f"/bank/questions/{question.id}/edit").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    response = post(manager_client, f"/bank/questions/{question.id}/edit",
                    {**QUESTION_FORM, "title": "Edited title", "version": version})
    assert response.status_code == 302
    db_session.refresh(question)
    assert question.title == "Edited title"
    assert question.version == int(version) + 1


def test_a_stale_edit_is_refused_with_409_and_the_input_shown_back(bank, db_session,
                                                                  manager_client):
    question = _question(db_session)
    original_title = question.title
    stale_version = question.version - 1 if question.version > 1 else question.version + 5
    response = post(manager_client, f"/bank/questions/{question.id}/edit",
                    {**QUESTION_FORM, "title": "My lost edit", "version": str(stale_version)})
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "Someone else changed this question" in body
    assert 'value="My lost edit"' in body
    db_session.refresh(question)
    assert question.title == original_title


def test_retire_and_unretire(bank, db_session, manager_client, interviewer_client):
    question = _question(db_session)
    before = _count(interviewer_client.get("/bank/").get_data(as_text=True))
    assert post(manager_client, f"/bank/questions/{question.id}/retire").status_code == 302
    assert _count(interviewer_client.get("/bank/").get_data(as_text=True)) == before - 1
    assert _count(interviewer_client.get("/bank/?status=retired").get_data(as_text=True)) == 1
    assert post(manager_client, f"/bank/questions/{question.id}/retire").status_code == 409
    assert post(manager_client, f"/bank/questions/{question.id}/unretire").status_code == 302
    assert _count(interviewer_client.get("/bank/").get_data(as_text=True)) == before
