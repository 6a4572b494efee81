"""Recording a decision tells the hiring team by email through the outbox (issue 11): one
message per person on the team but the one who decided; each carries what that person's
debrief would show them, and never a rating, evidence, note or signal."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from interviewloop.errors import DomainError
from interviewloop.outbox.models import OutboxMail
from tests.conftest import post
from tests.factories import write_scorecard
from tests.test_decisions import answer, decide, refuse, world

MARKERS = {"evidence": "MARK-EVIDENCE-1", "summary": "MARK-SUMMARY-2", "notes": "MARK-NOTE-3",
           "signal_evidence": "MARK-SIGNAL-4"}


@pytest.fixture
def w(db_session, bank, make_user, login):
    w = world(db_session, make_user, login)
    write_scorecard(db_session, w.alice, w.req, w.iv, **MARKERS)
    write_scorecard(db_session, w.bob, w.req, w.iv, **MARKERS)
    db_session.flush()
    return w


def mail(w) -> dict[str, OutboxMail]:
    w.session.flush()
    return {m.recipient: m for m in w.session.scalars(
        select(OutboxMail).where(OutboxMail.idempotency_key.startswith("decision:")))}


@pytest.mark.parametrize("kind", ["offer", "reject", "hold"])
def test_each_team_member_hears_of_the_decision_with_what_they_may_see(w, kind):
    answer(w)
    decision = decide(w, kind, rationale="MARK-RATIONALE-5", waiver="MARK-WAIVER-6")
    sent = mail(w)
    # Carol is on the team but not on this candidate's panel; the admin is not on the team.
    assert set(sent) == {w.recruiter.email, w.alice.email, w.bob.email, w.carol.email}
    what = {"offer": "an offer", "reject": "a rejection", "hold": "a hold"}[kind]
    for person in (w.recruiter, w.alice, w.bob, w.carol):
        message = sent[person.email]
        assert message.subject == f"Decision: {what} for {w.cand.name}"
        assert message.body.startswith(f"Hana Manager recorded {what} for {w.cand.name}")
        assert message.idempotency_key == f"decision:{decision.id}:{person.id}"
        assert not any(marker in message.body for marker in MARKERS.values())
        sees = person is not w.carol  # she may not open this candidate's debrief
        assert ("MARK-RATIONALE-5" in message.body) is sees
        assert (f"{w.base}/debrief" in message.body) is sees
        assert ("MARK-WAIVER-6" in message.body) is (sees and kind == "offer")


def test_through_the_web_the_decision_is_mailed_and_a_refusal_mails_nothing(w):
    client = w.login(w.manager)
    refused = post(client, f"{w.base}/decision", {"kind": "offer", "rationale": "Go."})
    assert refused.status_code == 409 and mail(w) == {}  # no pre-offer check yet
    assert post(client, f"{w.base}/decision",
                {"kind": "reject", "rationale": "Not this time."}).status_code == 302
    assert len(mail(w)) == 4


def test_a_refused_decision_queues_no_mail_and_inactive_people_get_none(w):
    w.carol.is_active = False
    assert "rationale" in refuse(w, DomainError, lambda: decide(w, "hold", rationale=" "))
    assert mail(w) == {}
    decide(w, "hold")
    assert w.carol.email not in mail(w) and len(mail(w)) == 3
