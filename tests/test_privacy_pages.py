"""Through the pages: an admin erases a candidate and their name is gone from every page,
CSV and feed that showed it; bad input keeps the form; the export downloads."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from interviewloop.audit.service import SYSTEM
from interviewloop.auth import service as auth_service
from interviewloop.privacy.models import CandidateErasure, RetentionRule
from tests.conftest import post
from tests.privacy_seed import MARKER, NAME, seed_marked


@pytest.fixture
def marked(db_session, make_user, bank):
    return seed_marked(db_session, make_user)


@pytest.fixture
def admin(make_user, login):
    return login(make_user("admin"))


def _pages(m, feed_token: str) -> list[str]:
    r, c = m.requisition.id, m.candidate.id
    return [f"/requisitions/{r}/candidates/{c}/debrief", f"/requisitions/{r}/candidates/{c}/debrief.csv",
            f"/requisitions/{r}/board?status=", f"/requisitions/{r}/dashboard", f"/requisitions/{r}",
            f"/requisitions/{r}/candidates/{c}", f"/requisitions/{r}/candidates/{c}/scorecards",
            f"/interviews/{m.interview.id}", f"/calendar/{feed_token}.ics", "/admin/audit",
            "/admin/mail"]


def test_an_erased_candidates_name_is_gone_from_every_page(db_session, marked, admin):
    token = auth_service.new_calendar_token(db_session, SYSTEM, marked.interviewer)
    db_session.flush()
    pages = _pages(marked, token)
    before = {url: admin.get(url) for url in pages}
    assert {url: r.status_code for url, r in before.items()} == dict.fromkeys(pages, 200)
    shown = [url for url, r in before.items() if MARKER in r.get_data(as_text=True).lower()]
    assert shown == pages  # each page showed them (so each can fail below)

    erase_url = f"/admin/privacy/candidates/{marked.candidate.id}/erase"
    assert NAME in admin.get(erase_url).get_data(as_text=True)
    response = post(admin, erase_url, {"reason": f"{NAME} asked.", "confirm": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)

    for url in pages:
        page = admin.get(url)
        assert page.status_code == 200, url
        assert MARKER not in page.get_data(as_text=True).lower(), url
    board = admin.get(f"/requisitions/{marked.requisition.id}/board?status=").get_data(as_text=True)
    assert f"Erased candidate #{marked.candidate.id}" in board
    again = admin.get(erase_url).get_data(as_text=True)
    assert "was erased on" in again and MARKER not in again.lower()


@pytest.mark.parametrize(("form", "kept", "message"), [
    ({"reason": "", "confirm": "y"}, None, "Give the reason"),
    ({"reason": "Asked by phone on Monday."}, "Asked by phone on Monday.", "Tick the box")])
def test_erasing_without_a_reason_or_a_confirmation_keeps_the_form(db_session, marked, admin,
                                                                   form, kept, message):
    response = post(admin, f"/admin/privacy/candidates/{marked.candidate.id}/erase", form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page and 'id="error-summary"' in page
    if kept:
        assert kept in page
    assert db_session.scalar(select(func.count()).select_from(CandidateErasure)) == 0


def test_the_export_downloads_as_json(marked, admin):
    response = post(admin, f"/admin/privacy/candidates/{marked.candidate.id}/export")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="candidate-{marked.candidate.id}.json"')
    data = json.loads(response.get_data(as_text=True))
    assert data["tables"]["candidates"][0]["name"] == NAME


def test_a_bad_rule_keeps_the_form_and_a_good_one_previews(db_session, admin):
    bad = post(admin, "/admin/privacy/rules/new",
               {"name": "Withdrawn after a while", "outcomes": ["withdrawn"], "after_days": "0"})
    assert bad.status_code == 422
    assert 'value="Withdrawn after a while"' in bad.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(RetentionRule)) == 0
    good = post(admin, "/admin/privacy/rules/new",
                {"name": "Withdrawn after a while", "outcomes": ["withdrawn"], "after_days": "90"})
    assert good.status_code == 302
    preview = admin.get(good.headers["Location"]).get_data(as_text=True)
    assert "would erase the personal data of\n<strong>0</strong>" in preview
