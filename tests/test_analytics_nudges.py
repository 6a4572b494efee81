"""The share of evidence nudged before submit, on /analytics/interviewers and its CSV
(issue 12): its counts, its minimum, and independence (a nudge on a scorecard the viewer
may not read counts nowhere)."""

from __future__ import annotations

import csv
import io

from sqlalchemy import insert, select, update

from interviewloop.analytics import service
from interviewloop.analytics.queries import Filters
from interviewloop.bank.service import areas as all_areas
from interviewloop.db import utcnow
from interviewloop.scorecards.models import EvidenceNudge, Scorecard
from tests.analytics_data import plant
from tests.factories import add_to_team, make_requisition


def nudge(session, candidate_ids, who, areas, *, changed_first: bool = True) -> None:
    """``who``'s scorecards on the candidates: checked by the nudges, the first two areas
    nudged (the first changed after the nudge, the second not)."""
    cards = list(session.scalars(select(Scorecard.id).where(
        Scorecard.candidate_id.in_(candidate_ids), Scorecard.interviewer_id == who.id)))
    session.execute(update(Scorecard).where(Scorecard.candidate_id.in_(candidate_ids))
                    .values(evidence_checked=True))
    session.execute(insert(EvidenceNudge), [
        {"scorecard_id": card, "area_id": area.id, "rule": "thin", "nudged_at": utcnow(),
         "evidence_digest": None, "changed": changed_first and k == 0}
        for card in cards for k, area in enumerate(areas[:2])])
    session.flush()


def arrange(db_session, make_user):
    manager = make_user("hiring_manager", "interviewer", name="Hana Manager")
    recruiter = make_user("recruiter")
    ann, ben = make_user("interviewer", name="Ann"), make_user("interviewer", name="Ben")
    req = make_requisition(db_session, manager, recruiter)
    add_to_team(db_session, req, manager, ann, ben)
    areas = all_areas(db_session)
    cids = plant(db_session, req, [ann, ben], areas, lambda n, i, p: 1 + (n + p) % 4, count=6)
    nudge(db_session, cids, ann, areas)
    # Scorecards that never went through the nudges (the API, older ones) count nowhere.
    plant(db_session, req, [ann, ben], areas, lambda n, i, p: 2, count=4, start=50, tag="api")
    return manager, req, ann, ben, areas


def rows(report) -> dict[str, tuple]:
    return {r.label: (r.nudged.k, r.nudged.n, r.nudged.low is not None, r.nudged_changed.k,
                      r.nudged_changed.n) for r in [*report.rows, report.pool]}


def test_the_share_of_nudged_evidence_per_interviewer(db_session, bank, make_user, login):
    manager, _req, _ann, _ben, areas = arrange(db_session, make_user)
    report = service.interviewers(db_session, manager, areas, Filters(), due_hours=24)
    assert rows(report)["Ann"] == (12, 30, True, 6, 12)  # 2 of 5 areas on 6 cards; half changed
    assert rows(report)["Ben"] == (0, 30, True, 0, 0)
    assert rows(report)["Pool"] == (12, 60, True, 6, 12)
    assert next(r for r in report.rows if r.label == "Ann").nudged.value == 0.4
    text = login(manager).get("/analytics/interviewers.csv").get_data(as_text=True)
    table = list(csv.reader(io.StringIO(text)))
    head, ann = table[0], next(r for r in table if r[0] == "Ann")
    at = head.index("evidence_nudged")
    assert head[at:at + 3] == ["evidence_nudged", "evidence_checked", "nudged_share"]
    assert ann[at:at + 3] == ["12", "30", "0.400"]
    assert ann[head.index("changed_after_nudge"):head.index("changed_after_nudge") + 3] == [
        "6", "12", "0.500"]
    page = login(manager).get("/analytics/interviewers").get_data(as_text=True)
    assert "Evidence nudged before submit" in page and "12 of 30" in page


def test_below_the_minimum_the_share_is_not_shown(db_session, bank, make_user, login):
    manager = make_user("hiring_manager", name="Hana Manager")
    recruiter = make_user("recruiter")
    ann, ben = make_user("interviewer", name="Ann"), make_user("interviewer", name="Ben")
    req = make_requisition(db_session, manager, recruiter)
    add_to_team(db_session, req, manager, ann, ben)
    areas = all_areas(db_session)
    nudge(db_session, plant(db_session, req, [ann, ben], areas, lambda n, i, p: 3, count=3),
          ann, areas)  # 15 pieces of evidence: under the 20 needed
    report = service.interviewers(db_session, manager, areas, Filters(), due_hours=24)
    assert rows(report)["Ann"] == (6, 15, False, 3, 6)
    assert "too few (15; 20 needed)" in login(manager).get("/analytics/interviewers").get_data(
        as_text=True)


def test_a_nudge_on_a_scorecard_the_viewer_may_not_read_counts_nowhere(db_session, bank,
                                                                       make_user):
    manager, req, ann, ben, areas = arrange(db_session, make_user)
    owed = plant(db_session, req, [ann, ben, manager], areas, lambda n, i, p: 2, count=1,
                 start=100, tag="owed")
    nudge(db_session, owed, ann, areas)
    db_session.execute(update(Scorecard).where(Scorecard.candidate_id == owed[0],
                                               Scorecard.interviewer_id == manager.id)
                       .values(status="draft", submitted_at=None, recommendation=None))
    db_session.flush()
    before = service.interviewers(db_session, manager, areas, Filters(), due_hours=24)
    assert rows(before)["Ann"] == (12, 30, True, 6, 12)  # the owed candidate is left out
    # Ann has submitted on it: her own figures include it.
    assert rows(service.interviewers(db_session, ann, areas, Filters(), due_hours=24))["You"][:2] \
        == (14, 35)
    db_session.execute(update(Scorecard).where(Scorecard.candidate_id == owed[0],
                                               Scorecard.interviewer_id == manager.id)
                       .values(status="submitted", submitted_at=utcnow(), recommendation="hire"))
    db_session.flush()
    after = service.interviewers(db_session, manager, areas, Filters(), due_hours=24)
    assert rows(after)["Ann"] == (14, 35, True, 7, 14)
